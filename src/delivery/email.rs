//! E-mail over SMTP with lettre, with the reminder's stable Message-ID; a letter goes as a PDF
//! attachment.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;
use tracing::instrument;

use super::text::render_text;
use super::{DeliveryError, SmtpSettings};
use crate::outbox::OutboxMessage;

/// How long one SMTP conversation may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Sends the reminder to the debtor's address; `pdf` is attached when given. Returns once the
/// server accepted it.
#[instrument(skip_all, fields(reminder = %message.reminder_id))]
pub async fn send_email(smtp: &SmtpSettings, message: &OutboxMessage, pdf: Option<&[u8]>) -> Result<(), DeliveryError> {
    let to = message
        .email
        .as_deref()
        .ok_or_else(|| DeliveryError::Permanent("the debtor has no e-mail address".to_owned()))?;
    let to: Mailbox = to.parse().map_err(|e| DeliveryError::Permanent(format!("bad address `{to}`: {e}")))?;
    let from: Mailbox =
        smtp.from.parse().map_err(|e| DeliveryError::Transient(format!("bad sender `{}`: {e}", smtp.from)))?;
    let rendered = render_text(message);
    let builder = Message::builder()
        .from(from)
        .to(to)
        .subject(rendered.subject.clone())
        .message_id(Some(message.message_id.clone()));
    let text = SinglePart::builder().header(ContentType::TEXT_PLAIN).body(rendered.body());
    let email = match pdf {
        Some(pdf) => {
            let name = format!("aanmaning-{}.pdf", message.sent_on);
            let pdf_type =
                ContentType::parse("application/pdf").map_err(|e| DeliveryError::Permanent(e.to_string()))?;
            let attachment = Attachment::new(name).body(pdf.to_vec(), pdf_type);
            builder.multipart(MultiPart::mixed().singlepart(text).singlepart(attachment))
        }
        None => builder.singlepart(text),
    }
    .map_err(|e| DeliveryError::Permanent(e.to_string()))?;
    transport(smtp)?.send(email).await.map(|_| ()).map_err(|e| {
        if e.is_permanent() {
            DeliveryError::Permanent(e.to_string())
        } else {
            DeliveryError::Transient(e.to_string())
        }
    })
}

fn transport(smtp: &SmtpSettings) -> Result<AsyncSmtpTransport<Tokio1Executor>, DeliveryError> {
    let builder = if smtp.starttls {
        AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host)
            .map_err(|e| DeliveryError::Transient(e.to_string()))?
    } else {
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host)
    };
    let builder = builder.port(smtp.port).timeout(Some(TIMEOUT));
    let builder = match &smtp.credentials {
        Some((user, password)) => {
            builder.credentials(Credentials::new(user.clone(), password.expose_secret().to_owned()))
        }
        None => builder,
    };
    Ok(builder.build())
}
