//! `vordering serve`: the HTTP API and the daily import scheduler in one process, until SIGTERM or
//! Ctrl-C; then it stops accepting, lets requests and imports finish, and exits 0.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use clap::Args;
use tokio::net::TcpListener;
use vordering::http::ServeOptions;

use super::{settings, Context, Outcome};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address to listen on (port 0: any free port; the first line printed names it).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// The SOAP endpoint imports read from (default: the `eboekhouden.endpoint` setting).
    #[arg(long)]
    endpoint: Option<String>,
    /// Do not run the daily import scheduler in this process.
    #[arg(long)]
    no_scheduler: bool,
    /// After SIGTERM or Ctrl-C, how long running imports may take to finish (an import cut off
    /// loses nothing; the next run completes it).
    #[arg(long, default_value_t = 300)]
    grace_seconds: u64,
}

pub async fn run(context: &Context, args: ServeArgs) -> Outcome {
    let engine = Arc::new(settings::engine(context).await?);
    let listener = TcpListener::bind(args.listen).await.with_context(|| format!("cannot listen on {}", args.listen))?;
    let address = listener.local_addr()?;
    if context.json {
        say!("{}", serde_json::json!({ "listening": address.to_string() }));
    } else {
        say!("vordering: serving http://{address}/api/ (OpenAPI at /api/openapi.json); stop with Ctrl-C");
    }
    let api = engine.api().with_endpoint(args.endpoint);
    let options = ServeOptions { schedule: !args.no_scheduler, grace: Duration::from_secs(args.grace_seconds) };
    vordering::http::serve(listener, api, options, stop_signal()).await?;
    // Every clone of the engine lived in the API, which is gone now that the server drained.
    if let Ok(engine) = Arc::try_unwrap(engine) {
        engine.shutdown().await;
    }
    Ok(())
}

/// SIGTERM (service managers, `kill`) or Ctrl-C.
async fn stop_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            // Without a SIGTERM handler Ctrl-C still stops the server.
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
}
