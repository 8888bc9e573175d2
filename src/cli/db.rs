//! `vordering db`: start the embedded cluster and leave it running, for operators and CI.

use anyhow::Context as _;
use clap::Subcommand;
use vordering::internals::embedded_pg::{self, EmbeddedPostgres};

use super::{settings, Context, Outcome};

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Start (or reuse) the private cluster and print its database URL; the server keeps running.
    Start,
    /// Stop the private cluster.
    Stop,
}

pub async fn run(context: &Context, command: DbCommand) -> Outcome {
    let settings = settings::load(context)?;
    let data_dir = settings.data_dir.unwrap_or_else(settings::default_data_dir);
    let cluster = tokio::task::spawn_blocking(move || EmbeddedPostgres::start(&data_dir))
        .await?
        .context("cannot start the embedded database")?;
    match command {
        DbCommand::Start => {
            embedded_pg::ensure_database(&cluster, embedded_pg::DATABASE).await?;
            say!("{}", cluster.url(embedded_pg::DATABASE));
            cluster.detach();
        }
        DbCommand::Stop => cluster.stop()?,
    }
    Ok(())
}
