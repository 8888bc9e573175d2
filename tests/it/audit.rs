//! Audit replay folds with the write side's `apply` and shows each link decision with the invoice
//! figures before and after; `audit verify` finds a projection that disagrees with the events.

use std::process::Command;

use sqlx::PgPool;
use vordering::domain::{AdministrationId, Cents, DebtorCode, InvoiceNumber};
use vordering::engine::ReplayQuery;
use vordering::internals::audit::{Difference, Until};
use vordering::Engine;

use crate::projections_crash::url_of;
use crate::projections_history::{caught_up, euro, write_acme};

fn query(debtor: Option<&str>, until: Until, only_links: bool) -> ReplayQuery {
    ReplayQuery {
        administration: AdministrationId::new("acme").unwrap(),
        debtor: debtor.map(|d| DebtorCode::new(d).unwrap()),
        until,
        only_links,
    }
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn replay_shows_each_link_and_unlink_with_the_figures_before_and_after(pool: PgPool) {
    let engine = Engine::from_pool(pool.clone()).await.unwrap();
    write_acme(&pool).await;
    let report = engine.audit_replay(&query(Some("D3"), Until::End, true)).await.unwrap();
    assert_eq!((report.events_folded, report.skipped, report.entries.len()), (5, 0, 2));
    let (link, unlink) = (&report.entries[0], &report.entries[1]);
    assert_eq!((&*link.event_type, link.actor.as_deref()), ("PaymentLinked", Some("scheduler")));
    let decision = link.link.as_ref().unwrap();
    assert_eq!(
        (
            decision.document.as_deref(),
            decision.invoice_number.as_ref().map(InvoiceNumber::as_str),
            decision.principal,
            decision.reason.as_deref()
        ),
        (Some("payment P3"), Some("F8"), Some(euro(500)), Some("referenced by the books"))
    );
    let f8 = &link.invoices[0];
    let before = f8.before.as_ref().unwrap();
    let after = f8.after.as_ref().unwrap();
    assert_eq!((before.open_principal, before.allocations.len()), (euro(500), 0));
    assert_eq!(
        (after.open_principal, after.allocations[0].principal, after.allocations[0].source.as_str()),
        (Cents::ZERO, euro(500), "payment P3")
    );

    assert_eq!((&*unlink.event_type, unlink.actor.as_deref()), ("PaymentUnlinked", Some("alice")));
    assert_eq!(unlink.reason.as_deref(), Some("paid by another debtor"));
    assert!(unlink.command_id.is_some() && unlink.correlation_id.is_some());
    let decision = unlink.link.as_ref().unwrap();
    assert_eq!(
        (decision.document.as_deref(), decision.principal, decision.reason.as_deref()),
        (Some("payment P3"), Some(euro(500)), Some("wrong debtor"))
    );
    let f8 = &unlink.invoices[0];
    assert_eq!(
        (f8.before.as_ref().unwrap().open_principal, f8.after.as_ref().unwrap().open_principal),
        (Cents::ZERO, euro(500))
    );
    assert_eq!(f8.after.as_ref().unwrap().allocations.len(), 0);

    // Stopping at the link's position, or at its recording time, leaves the unlink out.
    let at_link = engine.audit_replay(&query(Some("D3"), Until::Position(link.global_position), true)).await.unwrap();
    assert_eq!(at_link.entries.iter().map(|e| &*e.event_type).collect::<Vec<_>>(), ["PaymentLinked"]);
    let as_of = engine.audit_replay(&query(Some("D3"), Until::AsOf(link.recorded_at), true)).await.unwrap();
    assert_eq!(as_of.entries.len(), 1);

    // The whole administration: every link and unlink of its debtors, in global order.
    let all = engine.audit_replay(&query(None, Until::End, true)).await.unwrap();
    let links: Vec<_> = all
        .entries
        .iter()
        .map(|e| {
            (
                &*e.aggregate_id,
                &*e.event_type,
                e.link.as_ref().unwrap().invoice_number.as_ref().map(InvoiceNumber::as_str),
            )
        })
        .collect();
    assert_eq!(
        links,
        vec![
            ("acme:D1", "PaymentLinked", Some("F2")),
            ("acme:D2", "CreditNoteLinked", Some("F5")),
            ("acme:D2", "PaymentLinked", Some("F6")),
            ("acme:D3", "PaymentLinked", Some("F8")),
            ("acme:D3", "PaymentUnlinked", Some("F8")),
        ]
    );
    let everything = engine.audit_replay(&query(None, Until::End, false)).await.unwrap();
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM events WHERE aggregate_id LIKE 'acme:%'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(everything.events_folded + everything.skipped, u64::try_from(stored).unwrap());
    assert_eq!(everything.entries.len(), usize::try_from(everything.events_folded).unwrap());
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn the_cli_replays_as_json(pool: PgPool) {
    let _engine = Engine::from_pool(pool.clone()).await.unwrap();
    write_acme(&pool).await;
    let output = Command::new(env!("CARGO_BIN_EXE_vordering"))
        .args(["--json", "audit", "replay", "--administration", "acme", "--debtor", "D3", "--only", "links"])
        .env("DATABASE_URL", url_of(&pool).await)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["entries"][1]["event_type"], "PaymentUnlinked");
    assert_eq!(report["entries"][1]["invoices"][0]["after"]["open_principal"], 50_000);
    assert_eq!(report["entries"][1]["link"]["reason"], "wrong debtor");

    let bad = Command::new(env!("CARGO_BIN_EXE_vordering"))
        .args(["audit", "replay", "--administration", "Not An Id"])
        .env("DATABASE_URL", url_of(&pool).await)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn verify_reports_where_the_projection_disagrees_with_the_events(pool: PgPool) {
    let engine = Engine::from_pool(pool.clone()).await.unwrap();
    write_acme(&pool).await;
    caught_up(&pool).await;
    let acme = AdministrationId::new("acme").unwrap();
    let clean = engine.audit_verify(&acme).await.unwrap();
    assert_eq!((clean.accounts, clean.invoices, clean.differences.clone()), (3, 8, vec![]));

    sqlx::query("UPDATE invoice_list_v1 SET open_amount = open_amount + 1 WHERE invoice_number = 'F2'")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("DELETE FROM debtor_balance_v1 WHERE aggregate_id = 'acme:D3'").execute(&pool).await.unwrap();
    let report = engine.audit_verify(&acme).await.unwrap();
    assert_eq!(
        report.differences,
        vec![
            Difference {
                aggregate_id: "acme:D1".to_owned(),
                invoice_number: Some("F2".to_owned()),
                figure: "open",
                from_events: Some(euro(200)),
                in_projection: Some(Cents::new(20_001)),
            },
            Difference {
                aggregate_id: "acme:D3".to_owned(),
                invoice_number: None,
                figure: "outstanding",
                from_events: Some(euro(500)),
                in_projection: None,
            },
        ]
    );
    let cli = Command::new(env!("CARGO_BIN_EXE_vordering"))
        .args(["audit", "verify", "--administration", "acme"])
        .env("DATABASE_URL", url_of(&pool).await)
        .output()
        .unwrap();
    assert_eq!(cli.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&cli.stdout).contains("DIFFERENT acme:D1 F2 open: events 200.00 projection 200.01"));
}
