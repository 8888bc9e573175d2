//! `vordering link | unlink | auto-import`: connecting an administration to e-Boekhouden.
//!
//! The security codes come from `VORDERING_SECURITY_CODE1` / `VORDERING_SECURITY_CODE2` or from a
//! prompt that does not echo, never from the command line (it would land in shell history and `ps`).

use anyhow::{anyhow, Context as _};
use chrono::NaiveTime;
use clap::{Args, ValueEnum};
use secrecy::SecretString;
use vordering::domain::administration::AdministrationCommand;
use vordering::domain::AdministrationId;
use vordering::engine::{LinkOutcome, SoapVerifier};
use vordering::internals::credentials::SecurityCodes;

use super::administration::Who;
use super::{settings, Context, Failure, Outcome};

#[derive(Debug, Args)]
pub struct LinkArgs {
    /// The administration's id, as registered with `administration add`.
    #[arg(long)]
    administration: String,
    /// The e-Boekhouden username.
    #[arg(long)]
    username: String,
    /// The SOAP endpoint (default: the `eboekhouden.endpoint` setting, the real service).
    #[arg(long)]
    endpoint: Option<String>,
    #[command(flatten)]
    who: Who,
}

#[derive(Debug, Args)]
pub struct UnlinkArgs {
    /// The administration's id, as registered with `administration add`.
    #[arg(long)]
    administration: String,
    #[command(flatten)]
    who: Who,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Switch {
    On,
    Off,
}

#[derive(Debug, Args)]
pub struct AutoImportArgs {
    switch: Switch,
    /// The administration's id, as registered with `administration add`.
    #[arg(long)]
    administration: String,
    /// The time of day (UTC) of the daily import.
    #[arg(long, default_value = "06:00")]
    at: String,
    #[command(flatten)]
    who: Who,
}

pub(super) fn administration_id(text: &str) -> Result<AdministrationId, Failure> {
    AdministrationId::new(text).map_err(|e| Failure::BadInput(e.into()))
}

fn security_code(variable: &str, prompt: &str) -> Result<SecretString, Failure> {
    if let Ok(code) = std::env::var(variable) {
        return Ok(SecretString::from(code));
    }
    let code =
        rpassword::prompt_password(prompt).with_context(|| format!("no {variable} set and no terminal to ask on"))?;
    if code.trim().is_empty() {
        return Err(Failure::BadInput(anyhow!("the security code is empty")));
    }
    Ok(SecretString::from(code.trim().to_owned()))
}

pub async fn link(context: &Context, args: LinkArgs) -> Outcome {
    let id = administration_id(&args.administration)?;
    let codes = SecurityCodes {
        code1: security_code("VORDERING_SECURITY_CODE1", "Beveiligingscode 1 (security code 1): ")?,
        code2: security_code("VORDERING_SECURITY_CODE2", "Beveiligingscode 2 (security code 2): ")?,
    };
    let engine = settings::engine(context).await?;
    let verifier = SoapVerifier { settings: engine.client_settings(args.endpoint.as_deref()) };
    let result = engine.link(&id, &args.username, &codes, &verifier, &args.who.metadata()).await;
    engine.shutdown().await;
    let outcome = result?;
    let what = match outcome {
        LinkOutcome::Established => "linked",
        LinkOutcome::Rotated => "security codes replaced for",
    };
    report(context, &id, what);
    Ok(())
}

pub async fn unlink(context: &Context, args: UnlinkArgs) -> Outcome {
    let id = administration_id(&args.administration)?;
    let reason = args.who.reason.clone().ok_or_else(|| Failure::BadInput(anyhow!("say why with --reason")))?;
    let engine = settings::engine(context).await?;
    let result = engine.unlink(&id, &reason, &args.who.metadata()).await;
    engine.shutdown().await;
    result?;
    report(context, &id, "unlinked (stored codes erased)");
    Ok(())
}

pub async fn auto_import(context: &Context, args: AutoImportArgs) -> Outcome {
    let id = administration_id(&args.administration)?;
    let command = match args.switch {
        Switch::On => {
            let daily_at = NaiveTime::parse_from_str(&args.at, "%H:%M")
                .map_err(|_| Failure::BadInput(anyhow!("--at wants HH:MM, not `{}`", args.at)))?;
            AdministrationCommand::EnableAutoImport { daily_at }
        }
        Switch::Off => AdministrationCommand::DisableAutoImport {
            reason: args.who.reason.clone().unwrap_or_else(|| "switched off".to_owned()),
        },
    };
    let engine = settings::engine(context).await?;
    let result = engine.administration_command(&id, command, &args.who.metadata()).await;
    engine.shutdown().await;
    result?;
    report(context, &id, &format!("daily import {:?}", args.switch).to_lowercase());
    Ok(())
}

fn report(context: &Context, id: &AdministrationId, what: &str) {
    if context.json {
        say!("{}", serde_json::json!({ "administration": id.as_str(), "result": what }));
    } else {
        say!("{what} {id}");
    }
}
