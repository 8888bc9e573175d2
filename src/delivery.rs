//! The channels a reminder travels by: e-mail over SMTP (lettre) and the PDF letter (printpdf).
//!
//! Both render the snapshot in the outbox row (`OutboxMessage`); neither decides anything. Every
//! e-mail carries the reminder's stable Message-ID, so a resend after a crash is recognisable.

mod email;
mod letter;
mod text;

use std::path::PathBuf;

use secrecy::SecretString;

pub use email::send_email;
pub use letter::{render_letter, write_letter};
pub use text::{euros, render_text, Rendered};

/// Where the SMTP server is.
#[derive(Clone, Debug)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    /// STARTTLS before authenticating (a production server); off for a server on loopback.
    pub starttls: bool,
    pub credentials: Option<(String, SecretString)>,
    /// The sender, e.g. `Acme Debiteuren <debiteuren@acme.example>`.
    pub from: String,
}

/// The configured channels; a reminder whose channel is missing stays pending.
#[derive(Clone, Debug, Default)]
pub struct Channels {
    pub smtp: Option<SmtpSettings>,
    /// Letters are written here as `{reminder_id}.pdf`, for printing and posting.
    pub letters_dir: Option<PathBuf>,
}

/// What went wrong; the deliverer retries a transient failure and records a permanent one.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DeliveryError {
    #[error("temporary failure: {0}")]
    Transient(String),
    #[error("permanent failure: {0}")]
    Permanent(String),
}
