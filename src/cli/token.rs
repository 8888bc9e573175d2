//! `vordering token create`: a bearer token for the HTTP API, printed once; only its SHA-256 is kept.

use anyhow::anyhow;
use clap::{Args, Subcommand};
use vordering::internals::auth::TokenScope;

use super::link::administration_id;
use super::{settings, Context, Failure, Outcome};

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Make a token for one or more administrations (read-only unless `--write`).
    Create(CreateArgs),
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// An administration the token may read (repeat for more).
    #[arg(long = "administration", required = true)]
    administrations: Vec<String>,
    /// The token may also change data (import now, link and unlink payments).
    #[arg(long)]
    write: bool,
    /// Who the token stands for; the actor of what it does (default: `api`).
    #[arg(long, default_value = "api")]
    label: String,
}

pub async fn run(context: &Context, command: TokenCommand) -> Outcome {
    let TokenCommand::Create(args) = command;
    let administrations = args.administrations.iter().map(|a| administration_id(a)).collect::<Result<Vec<_>, _>>()?;
    if args.label.trim().is_empty() {
        return Err(Failure::BadInput(anyhow!("--label must not be empty")));
    }
    let engine = settings::engine(context).await?;
    for id in &administrations {
        let registered = engine.administration(id).await.map(|a| a.is_registered());
        if !registered? {
            engine.shutdown().await;
            return Err(Failure::BadInput(anyhow!("administration {id} is not registered")));
        }
    }
    let scope = TokenScope { administrations, can_write: args.write, label: args.label.trim().to_owned() };
    let token = engine.create_token(&scope).await;
    engine.shutdown().await;
    let token = token?;
    if context.json {
        say!("{}", serde_json::json!({ "token": token, "label": scope.label, "write": scope.can_write }));
    } else {
        say!("{token}");
        eprintln!("this token is shown once; only its hash is stored");
    }
    Ok(())
}
