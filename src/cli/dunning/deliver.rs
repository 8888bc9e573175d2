//! `vordering dunning deliver`: sends the outbox's pending reminders.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::Utc;
use clap::Args;
use secrecy::SecretString;
use vordering::engine::{AfterAccept, DeliveryOptions};
use vordering::internals::delivery::{Channels, SmtpSettings};

use super::administration_id;
use crate::cli::administration::Who;
use crate::cli::{settings, Context, Outcome};

#[derive(Debug, Args)]
pub struct DeliverArgs {
    /// The administration's id, as registered with `administration add`.
    #[arg(long)]
    administration: String,
    /// The SMTP server for e-mail; without it e-mail reminders stay pending.
    #[arg(long, env = "VORDERING__SMTP__HOST")]
    smtp_host: Option<String>,
    #[arg(long, env = "VORDERING__SMTP__PORT", default_value_t = 587)]
    smtp_port: u16,
    /// Use STARTTLS (for a server that is not on this machine).
    #[arg(long, env = "VORDERING__SMTP__STARTTLS")]
    smtp_starttls: bool,
    #[arg(long, env = "VORDERING__SMTP__USERNAME")]
    smtp_username: Option<String>,
    #[arg(long, env = "VORDERING__SMTP__PASSWORD", hide_env_values = true)]
    smtp_password: Option<SecretString>,
    /// The sender address.
    #[arg(long, env = "VORDERING__SMTP__FROM", default_value = "debiteuren@localhost")]
    from: String,
    /// Where PDF letters are written for printing and posting.
    #[arg(long, env = "VORDERING__LETTERS_DIR")]
    letters_dir: Option<PathBuf>,
    /// Seconds a message being sent is left alone by other deliverers.
    #[arg(long, default_value_t = 600)]
    lease_seconds: i64,
    /// Test hook: abort the process right after the SMTP server accepted the first message.
    #[arg(long, hide = true)]
    crash_after_accept: bool,
    #[command(flatten)]
    who: Who,
}

pub async fn run(context: &Context, args: DeliverArgs) -> Outcome {
    let id = administration_id(&args.administration)?;
    let smtp = args.smtp_host.map(|host| SmtpSettings {
        host,
        port: args.smtp_port,
        starttls: args.smtp_starttls,
        credentials: args.smtp_username.zip(args.smtp_password),
        from: args.from,
    });
    let channels = Channels { smtp, letters_dir: args.letters_dir };
    let mut options = DeliveryOptions::at(Utc::now());
    options.lease = chrono::Duration::seconds(args.lease_seconds.max(0));
    if args.crash_after_accept {
        // A real crash, not an error path: nothing after the server's acceptance runs.
        options.after_accept = Some(Arc::new(|_| -> AfterAccept { std::process::abort() }));
    }
    let metadata = vordering::events::Metadata { source: "outbox".to_owned(), ..args.who.metadata() };
    let engine = settings::engine(context).await?;
    let result = engine.deliver_reminders(&id, &channels, &options, &metadata).await;
    engine.shutdown().await;
    let report = result?;
    if context.json {
        let failed: Vec<_> =
            report.failed.iter().map(|(id, why)| serde_json::json!({ "reminder_id": id, "reason": why })).collect();
        let postponed: Vec<_> =
            report.postponed.iter().map(|(id, why)| serde_json::json!({ "reminder_id": id, "reason": why })).collect();
        say!("{}", serde_json::json!({ "delivered": report.delivered, "failed": failed, "postponed": postponed }));
    } else {
        say!(
            "delivered {}, failed {}, postponed {}",
            report.delivered.len(),
            report.failed.len(),
            report.postponed.len()
        );
        for (id, why) in report.failed.iter().chain(&report.postponed) {
            say!("  {id}: {why}");
        }
    }
    Ok(())
}
