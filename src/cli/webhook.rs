//! `vordering webhook`: subscriptions of the systems around the engine to its business events
//! (`add`, `list`, `rotate`, `disable`, `enable`, `remove`), their delivery log and replay, and
//! `listen`, a receiver that verifies and prints deliveries for a developer trying them out.

use std::net::SocketAddr;

use anyhow::{anyhow, Context as _};
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use uuid::Uuid;
use vordering::engine::{CreatedWebhook, WebhookEventType, WebhookReplay, WebhookSubscription};
use vordering::internals::webhooks::{verify, WebhookSecret};

use super::link::administration_id;
use super::{settings, Context, Failure, Outcome};

#[derive(Debug, Subcommand)]
pub enum WebhookCommand {
    /// Subscribe a URL to the administration's events; prints the signing secret once.
    Add(AddArgs),
    /// The administration's subscriptions.
    List(AdministrationArg),
    /// A new secret (printed once); the old one keeps signing for the overlap (24 h by default).
    Rotate(OneArgs),
    /// Stop sending to a subscription; what is pending waits.
    Disable(DisableArgs),
    /// Send to a disabled subscription again.
    Enable(OneArgs),
    /// Remove a subscription with its deliveries and their log.
    Remove(OneArgs),
    /// A subscription's newest deliveries with their attempts.
    Log(LogArgs),
    /// Send one delivery (`--delivery`), or those of a time range (`--from`/`--to`), again.
    Replay(ReplayArgs),
    /// Receive deliveries on a local port, verify each signature and print them (for trying it out).
    Listen(ListenArgs),
}

#[derive(Debug, Args)]
pub struct AdministrationArg {
    /// The administration's id, as registered with `administration add`.
    #[arg(long)]
    administration: String,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    #[command(flatten)]
    administration: AdministrationArg,
    /// Where the messages are POSTed: http(s), outside the network (unless
    /// VORDERING__WEBHOOKS__ALLOW_PRIVATE_TARGETS=true).
    #[arg(long)]
    url: String,
    /// An event type to receive, e.g. `invoice.paid` (repeat for more; none: every type).
    #[arg(long = "event", value_parser = |t: &str| t.parse::<WebhookEventType>().map_err(|e| e.to_string()))]
    events: Vec<WebhookEventType>,
}

#[derive(Debug, Args)]
pub struct OneArgs {
    #[command(flatten)]
    administration: AdministrationArg,
    /// The subscription's id (`webhook list`).
    #[arg(long)]
    id: Uuid,
}

#[derive(Debug, Args)]
pub struct DisableArgs {
    #[command(flatten)]
    one: OneArgs,
    /// Why (kept on the subscription).
    #[arg(long)]
    reason: String,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    #[command(flatten)]
    one: OneArgs,
    /// How many deliveries, newest first.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(i64).range(1..=1000))]
    limit: i64,
}

#[derive(Debug, Args)]
pub struct ReplayArgs {
    #[command(flatten)]
    one: OneArgs,
    /// One delivery, by its `webhook-id` (`msg_…`).
    #[arg(long, conflicts_with_all = ["from", "to"])]
    delivery: Option<String>,
    /// The start of a time range of events (RFC 3339, e.g. 2026-12-01T00:00:00Z).
    #[arg(long, requires = "to")]
    from: Option<DateTime<Utc>>,
    /// The end of the range, not included.
    #[arg(long, requires = "from")]
    to: Option<DateTime<Utc>>,
}

#[derive(Debug, Args)]
pub struct ListenArgs {
    /// The environment variable that holds the subscription's secret (`whsec_…`).
    #[arg(long)]
    secret_env: String,
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:8787")]
    listen: SocketAddr,
}

pub async fn run(context: &Context, command: WebhookCommand) -> Outcome {
    if let WebhookCommand::Listen(args) = command {
        return listen(context, args).await;
    }
    let engine = settings::engine(context).await?;
    let result = execute(context, &engine, command).await;
    engine.shutdown().await;
    result
}

async fn execute(context: &Context, engine: &vordering::Engine, command: WebhookCommand) -> Outcome {
    match command {
        WebhookCommand::Add(args) => {
            let id = administration_id(&args.administration.administration)?;
            created(context, engine.add_webhook(&id, &args.url, &args.events).await?);
        }
        WebhookCommand::List(args) => {
            let id = administration_id(&args.administration)?;
            let subscriptions = engine.webhooks(&id).await?;
            if context.json {
                say!("{}", serde_json::to_string(&subscriptions)?);
            }
            for s in subscriptions.iter().filter(|_| !context.json) {
                say!("{}", line(s));
            }
        }
        WebhookCommand::Rotate(args) => {
            let id = administration_id(&args.administration.administration)?;
            created(context, engine.rotate_webhook(&id, args.id).await?);
        }
        WebhookCommand::Disable(args) => {
            let id = administration_id(&args.one.administration.administration)?;
            if args.reason.trim().is_empty() {
                return Err(Failure::BadInput(anyhow!("say why with --reason")));
            }
            shown(context, &engine.set_webhook_active(&id, args.one.id, false, args.reason.trim()).await?)?;
        }
        WebhookCommand::Enable(args) => {
            let id = administration_id(&args.administration.administration)?;
            shown(context, &engine.set_webhook_active(&id, args.id, true, "").await?)?;
        }
        WebhookCommand::Remove(args) => {
            let id = administration_id(&args.administration.administration)?;
            engine.remove_webhook(&id, args.id).await?;
            say!(
                "{}",
                if context.json {
                    serde_json::json!({ "removed": args.id }).to_string()
                } else {
                    format!("removed {}", args.id)
                }
            );
        }
        WebhookCommand::Log(args) => log(context, engine, args).await?,
        WebhookCommand::Replay(args) => {
            let id = administration_id(&args.one.administration.administration)?;
            let what = match (args.delivery, args.from, args.to) {
                (Some(delivery), _, _) => WebhookReplay::Delivery(delivery),
                (None, Some(from), Some(to)) if from < to => WebhookReplay::Range { from, to },
                _ => return Err(Failure::BadInput(anyhow!("give --delivery, or --from before --to"))),
            };
            let replayed = engine.replay_webhooks(&id, args.one.id, &what).await?;
            say!(
                "{}",
                if context.json {
                    serde_json::json!({ "replayed": replayed }).to_string()
                } else {
                    format!("{replayed} deliveries go again")
                }
            );
        }
        WebhookCommand::Listen(_) => unreachable!("handled before the engine is opened"),
    }
    Ok(())
}

/// Prints a new or rotated subscription with its secret, this once.
fn created(context: &Context, created: CreatedWebhook) {
    let secret = created.secret.reveal();
    if context.json {
        say!("{}", serde_json::json!({ "subscription": created.subscription, "secret": secret }));
    } else {
        say!("{}", line(&created.subscription));
        say!("secret: {secret}");
        eprintln!("the secret is shown once; the receiver verifies every message with it");
    }
}

fn shown(context: &Context, subscription: &WebhookSubscription) -> Outcome {
    if context.json {
        say!("{}", serde_json::to_string(subscription)?);
    } else {
        say!("{}", line(subscription));
    }
    Ok(())
}

fn line(s: &WebhookSubscription) -> String {
    let types = if s.event_types.is_empty() { "every event".to_owned() } else { s.event_types.join(", ") };
    let state = match (&s.active, &s.disabled_reason) {
        (true, _) => "active".to_owned(),
        (false, Some(reason)) => format!("disabled ({reason})"),
        (false, None) => "disabled".to_owned(),
    };
    format!("{}  {}  {state}  {types}", s.id, s.url)
}

async fn log(context: &Context, engine: &vordering::Engine, args: LogArgs) -> Outcome {
    let id = administration_id(&args.one.administration.administration)?;
    let deliveries = engine.webhook_deliveries(&id, args.one.id, args.limit).await?;
    if context.json {
        say!("{}", serde_json::to_string(&deliveries)?);
        return Ok(());
    }
    for d in &deliveries {
        say!("{}  {}  {}  {} attempt(s)", d.recorded_at.format("%Y-%m-%d %H:%M:%S"), d.id, d.event_type, d.attempts);
        for a in &d.attempt_log {
            let status = a.status_code.map_or_else(|| "no answer".to_owned(), |s| s.to_string());
            say!(
                "    #{} {}  {status}  {} ms  {}",
                a.attempt,
                a.at.format("%H:%M:%S"),
                a.latency_ms,
                a.response_head.trim()
            );
        }
        say!("    {}", d.status);
    }
    Ok(())
}

/// Receives, verifies and prints deliveries until Ctrl-C.
async fn listen(context: &Context, args: ListenArgs) -> Outcome {
    let text = std::env::var(&args.secret_env).map_err(|_| {
        Failure::BadInput(anyhow!("{} holds no secret; set it to the subscription's whsec_…", args.secret_env))
    })?;
    let secret = std::sync::Arc::new(WebhookSecret::parse(&text).map_err(|e| Failure::BadInput(e.into()))?);
    let json = context.json;
    let app = axum::Router::new().fallback(move |headers: HeaderMap, body: Bytes| {
        let secret = std::sync::Arc::clone(&secret);
        async move { receive(&secret, &headers, &body, json) }
    });
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    eprintln!("listening on http://{}; Ctrl-C stops", listener.local_addr()?);
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

fn receive(secret: &WebhookSecret, headers: &HeaderMap, body: &[u8], json: bool) -> StatusCode {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let Ok(body) = std::str::from_utf8(body) else { return StatusCode::BAD_REQUEST };
    let checked = verify(
        secret,
        header("webhook-id"),
        header("webhook-timestamp"),
        header("webhook-signature"),
        body,
        Utc::now().timestamp(),
    );
    let id = header("webhook-id").unwrap_or("?");
    match (&checked, json) {
        (Ok(()), true) => say!(
            "{}",
            serde_json::json!({ "webhook_id": id, "verified": true, "body": serde_json::from_str::<serde_json::Value>(body).unwrap_or_default() })
        ),
        (Ok(()), false) => say!("{id} verified: {body}"),
        (Err(why), true) => {
            say!("{}", serde_json::json!({ "webhook_id": id, "verified": false, "why": why.to_string() }))
        }
        (Err(why), false) => say!("{id} REFUSED ({why})"),
    }
    if checked.is_ok() {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::UNAUTHORIZED
    }
}
