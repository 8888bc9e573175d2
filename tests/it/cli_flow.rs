//! The command line end to end against the simulator: register, link (codes from the environment,
//! never argv), import twice, the import log, a payment unlinked and linked by hand.

use std::process::Output;

use tokio::process::Command;

use sqlx::PgPool;
use vordering::internals::eboekhouden::simulator::{Simulator, SimulatorConfig};

use crate::support::database_url;

struct Cli {
    url: String,
    env: Vec<(String, String)>,
}

impl Cli {
    async fn run(&self, args: &[&str]) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_vordering"));
        command
            .args(args)
            .env("DATABASE_URL", &self.url)
            .env("VORDERING__SECRETS__KEY", "33".repeat(32))
            .env_remove("VORDERING_SECURITY_CODE1");
        for (k, v) in &self.env {
            command.env(k, v);
        }
        command.output().await.expect("the binary runs")
    }

    async fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args).await;
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(output.status.success(), "{args:?} failed: {stdout}\n{}", String::from_utf8_lossy(&output.stderr));
        stdout
    }
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn an_operator_links_imports_and_relinks_a_payment(pool: PgPool) {
    let simulator = Simulator::start(SimulatorConfig::new(10, 80, 11)).await.unwrap();
    let credentials = simulator.credentials();
    let mut cli = Cli { url: database_url(&pool), env: vec![] };
    cli.ok(&["administration", "add", "acme", "--name", "Acme B.V.", "--actor", "alice"]).await;

    // Without codes in the environment and no terminal, link says what is missing.
    let refused = cli
        .run(&[
            "link",
            "--administration",
            "acme",
            "--username",
            &credentials.username,
            "--endpoint",
            &simulator.endpoint(),
        ])
        .await;
    assert!(!refused.status.success());

    use secrecy::ExposeSecret;
    cli.env = vec![
        ("VORDERING_SECURITY_CODE1".to_owned(), credentials.security_code_1.expose_secret().to_owned()),
        ("VORDERING_SECURITY_CODE2".to_owned(), credentials.security_code_2.expose_secret().to_owned()),
    ];
    let endpoint = simulator.endpoint();
    let linked = cli
        .ok(&[
            "link",
            "--administration",
            "acme",
            "--username",
            &credentials.username,
            "--endpoint",
            &endpoint,
            "--reason",
            "onboarding",
        ])
        .await;
    assert!(linked.contains("linked acme"), "{linked}");
    let date = simulator.today().to_string();
    let first: serde_json::Value = serde_json::from_str(
        &cli.ok(&["import", "--administration", "acme", "--endpoint", &endpoint, "--date", &date, "--json"]).await,
    )
    .unwrap();
    assert!(first["counts"]["events_written"].as_u64().unwrap() > 0, "{first}");
    let second: serde_json::Value = serde_json::from_str(
        &cli.ok(&["import", "--administration", "acme", "--endpoint", &endpoint, "--date", &date, "--json"]).await,
    )
    .unwrap();
    assert_eq!(second["counts"]["events_written"], 0, "{second}");

    let log: serde_json::Value =
        serde_json::from_str(&cli.ok(&["import", "log", "--administration", "acme", "--json"]).await).unwrap();
    let statuses: Vec<&str> = log.as_array().unwrap().iter().map(|e| e["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["completed", "completed"]);
    for days in ["99999999999", "0", "-5"] {
        let out_of_range = cli.run(&["import", "log", "--administration", "acme", &format!("--days={days}")]).await;
        let said = String::from_utf8_lossy(&out_of_range.stderr);
        assert_eq!(out_of_range.status.code(), Some(2), "--days {days} is bad input, not a panic: {said}");
        assert!(said.contains("--days"), "{said}");
    }

    // Take an automatic link apart and put it back by hand.
    let (link_id, payment, invoice): (String, String, String) = sqlx::query_as(
        "SELECT payload -> 'PaymentLinked' ->> 'link_id', payload -> 'PaymentLinked' ->> 'payment_ref', payload -> 'PaymentLinked' ->> 'invoice_number' \
         FROM events WHERE event_type = 'PaymentLinked' ORDER BY global_position LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let no_reason = cli.run(&["payment", "unlink", "--administration", "acme", "--link", &link_id]).await;
    assert_eq!(no_reason.status.code(), Some(2), "a reason is required");
    cli.ok(&[
        "payment",
        "unlink",
        "--administration",
        "acme",
        "--link",
        &link_id,
        "--reason",
        "wrong invoice",
        "--actor",
        "bob",
    ])
    .await;
    let again =
        cli.run(&["payment", "unlink", "--administration", "acme", "--link", &link_id, "--reason", "twice"]).await;
    assert_eq!(again.status.code(), Some(2), "unlinking what is not linked is refused");
    let relinked: serde_json::Value = serde_json::from_str(
        &cli.ok(&[
            "payment",
            "link",
            "--administration",
            "acme",
            "--payment",
            &payment,
            "--invoice",
            &invoice,
            "--reason",
            "right after all",
            "--json",
        ])
        .await,
    )
    .unwrap();
    assert!(relinked["link_id"].is_string());
    let unknown = cli
        .run(&[
            "payment",
            "link",
            "--administration",
            "acme",
            "--payment",
            "999999",
            "--invoice",
            &invoice,
            "--reason",
            "x",
        ])
        .await;
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no payment 999999"));

    let unlink_meta: (String, String) = sqlx::query_as(
        "SELECT metadata ->> 'actor', metadata ->> 'reason' FROM events WHERE event_type = 'PaymentUnlinked'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(unlink_meta, ("bob".to_owned(), "wrong invoice".to_owned()));
    let stored: String = sqlx::query_scalar("SELECT string_agg(payload::text || metadata::text, '') FROM events")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(!stored.contains(credentials.security_code_1.expose_secret()), "no security code in any event");
}
