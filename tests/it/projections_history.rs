//! A hand-made event history with known answers, shared by the read-side tests, and a helper that
//! runs the projections until they hold every event.
//!
//! Administration `acme` on 2025-06-15 (amounts in euro):
//!
//! | debtor | invoice | dated      | due        | amount | what happened                         | open | phase      |
//! |--------|---------|------------|------------|--------|---------------------------------------|------|------------|
//! | D1     | F1      | 2025-03-01 | 2025-03-31 | 100    | Reminder1 sent 2025-04-10             | 100  | Reminder1  |
//! | D1     | F2      | 2025-05-01 | 2025-05-31 | 250    | P1 50 paid 2025-06-01                 | 200  | Overdue    |
//! | D1     | F3      | 2025-06-01 | 2025-07-01 | 40     |                                       | 40   | NotDue     |
//! | D2     | F4      | 2025-01-10 | 2025-02-09 | 300    | collection started 2025-05-01         | 300  | Collection |
//! | D2     | F5      | 2025-04-01 | 2025-05-01 | 80     | credit note C1 80 (2025-04-15) linked | 0    | Credited   |
//! | D2     | F6      | 2025-02-01 | 2025-03-03 | 60     | P2 60 paid 2025-03-20                 | 0    | Paid       |
//! | D2     | F7      | 2025-05-10 | 2025-06-09 | 70     | paused                                | 70   | Paused     |
//! | D3     | F8      | 2024-06-01 | 2024-07-01 | 500    | P3 500 linked, then unlinked by alice | 500  | Overdue    |
//!
//! `other:D9` has one invoice of 999 that no figure of `acme` may include.

use chrono::NaiveDate;
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;
use vordering::domain::debtor_account::DebtorAccount;
use vordering::domain::{Cents, DebtorCode, InvoiceNumber, LinkId, PaymentRef};
use vordering::events::debtor_account::{
    DebtorAccountEvent as E, DebtorKind, InvoiceSource, LinkReason, PaymentSource, Split,
};
use vordering::events::Metadata;
use vordering::internals::projections::{self, RunnerOptions};
use vordering::internals::store::{self, PendingAppend};

use crate::support::{at, eventually};

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub fn today() -> NaiveDate {
    date(2025, 6, 15)
}

pub fn euro(amount: i64) -> Cents {
    Cents::new(amount * 100)
}

pub fn debtor(admin: &str, code: &str, name: &str, kind: DebtorKind) -> E {
    E::DebtorImported {
        document_key: format!("{admin}|e-boekhouden|debtor|{code}"),
        content_hash: "h".to_owned(),
        code: DebtorCode::new(code).unwrap(),
        name: name.to_owned(),
        kind,
        email: None,
        address: None,
        kvk: None,
    }
}

pub fn invoice(admin: &str, number: &str, dated: NaiveDate, due: NaiveDate, euros: i64) -> E {
    E::InvoiceImported {
        document_key: format!("{admin}|e-boekhouden|invoice|{number}"),
        content_hash: "h".to_owned(),
        invoice_number: InvoiceNumber::new(number).unwrap(),
        invoice_date: dated,
        due_date: due,
        amount: euro(euros),
        source: InvoiceSource::Invoicing,
        payment_term_days: (due - dated).num_days(),
    }
}

pub fn payment(admin: &str, reference: &str, on: NaiveDate, euros: i64) -> E {
    E::PaymentReceived {
        document_key: format!("{admin}|e-boekhouden|payment|{reference}"),
        content_hash: "h".to_owned(),
        payment_ref: PaymentRef::new(reference).unwrap(),
        value_date: on,
        amount: euro(euros),
        reference_invoice: None,
        source: PaymentSource::MoneyReceived,
    }
}

pub fn link(n: u128) -> LinkId {
    LinkId::from_uuid(Uuid::from_u128(n))
}

pub fn linked(n: u128, reference: &str, number: &str, euros: i64) -> E {
    E::PaymentLinked {
        link_id: link(n),
        payment_ref: PaymentRef::new(reference).unwrap(),
        invoice_number: InvoiceNumber::new(number).unwrap(),
        split: Split::principal_only(euro(euros)),
        reason: LinkReason::ReferencedByBooks,
    }
}

/// An event written as raw JSON, as another writer (or an older binary) would write it.
pub async fn append_raw(pool: &PgPool, aggregate_id: &str, sequence: i64, event_type: &str, body: serde_json::Value) {
    let metadata = Metadata::new("dunning", "dunning:2025", at("2025-06-01T08:00:00Z"));
    sqlx::query(
        "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
         VALUES ('DebtorAccount', $1, $2, $3, '1.0', $4, $5)",
    )
    .bind(aggregate_id)
    .bind(sequence)
    .bind(event_type)
    .bind(json!({ event_type: body }))
    .bind(serde_json::to_value(metadata.to_map()).unwrap())
    .execute(pool)
    .await
    .unwrap();
}

pub async fn append(pool: &PgPool, aggregate_id: &str, after: u64, events: Vec<E>, metadata: Metadata) {
    let appends = vec![PendingAppend::<DebtorAccount> {
        aggregate_id: aggregate_id.to_owned(),
        after_sequence: after,
        events,
        metadata,
    }];
    let report = store::append_batch(pool, appends).await.unwrap();
    assert!(report.conflicts.is_empty(), "{:?}", report.conflicts);
}

fn import() -> Metadata {
    Metadata::new("scheduler", "import:test", at("2025-06-15T06:00:00Z"))
}

/// Writes the history of the module docs.
pub async fn write_acme(pool: &PgPool) {
    let a = "acme";
    append(
        pool,
        "acme:D1",
        0,
        vec![
            debtor(a, "D1", "Alpha BV", DebtorKind::Business),
            invoice(a, "F1", date(2025, 3, 1), date(2025, 3, 31), 100),
            invoice(a, "F2", date(2025, 5, 1), date(2025, 5, 31), 250),
            invoice(a, "F3", date(2025, 6, 1), date(2025, 7, 1), 40),
            payment(a, "P1", date(2025, 6, 1), 50),
            linked(1, "P1", "F2", 50),
        ],
        import(),
    )
    .await;
    append_raw(
        pool,
        "acme:D1",
        7,
        "ReminderSent",
        json!({
        "reminder_id": Uuid::from_u128(71), "step": "Reminder1", "invoices": ["F1"], "channel": "email",
        "sent_on": "2025-04-10", "announced_costs": null }),
    )
    .await;
    append(
        pool,
        "acme:D2",
        0,
        vec![
            debtor(a, "D2", "Bea Jansen", DebtorKind::Consumer),
            invoice(a, "F4", date(2025, 1, 10), date(2025, 2, 9), 300),
            invoice(a, "F5", date(2025, 4, 1), date(2025, 5, 1), 80),
            invoice(a, "F6", date(2025, 2, 1), date(2025, 3, 3), 60),
            invoice(a, "F7", date(2025, 5, 10), date(2025, 6, 9), 70),
            E::CreditNoteImported {
                document_key: "acme|e-boekhouden|invoice|C1".to_owned(),
                content_hash: "h".to_owned(),
                number: InvoiceNumber::new("C1").unwrap(),
                date: date(2025, 4, 15),
                amount: euro(80),
            },
            E::CreditNoteLinked {
                link_id: link(2),
                credit_note: InvoiceNumber::new("C1").unwrap(),
                invoice_number: InvoiceNumber::new("F5").unwrap(),
                amount: euro(80),
                reason: LinkReason::Manual("returned goods".to_owned()),
            },
            payment(a, "P2", date(2025, 3, 20), 60),
            linked(3, "P2", "F6", 60),
        ],
        import(),
    )
    .await;
    append_raw(
        pool,
        "acme:D2",
        10,
        "CollectionStarted",
        json!({
        "case_id": Uuid::from_u128(81), "invoices": ["F4"], "principal": 30000, "costs": 4500, "vat_surcharge": 0,
        "interest": 512, "interest_from": "2025-02-10", "started_on": "2025-05-01", "rates_verified": true }),
    )
    .await;
    append_raw(pool, "acme:D2", 11, "InvoicePaused", json!({ "invoice_number": "F7", "reason": "disputed" })).await;
    append(
        pool,
        "acme:D3",
        0,
        vec![
            debtor(a, "D3", "Cees de Vries", DebtorKind::Consumer),
            invoice(a, "F8", date(2024, 6, 1), date(2024, 7, 1), 500),
            payment(a, "P3", date(2024, 7, 15), 500),
            linked(4, "P3", "F8", 500),
        ],
        import(),
    )
    .await;
    let alice = Metadata::new("alice", "cli", at("2025-06-10T09:30:00Z")).with_reason("paid by another debtor");
    append(pool, "acme:D3", 4, vec![E::PaymentUnlinked { link_id: link(4), reason: "wrong debtor".to_owned() }], alice)
        .await;
    append(
        pool,
        "other:D9",
        0,
        vec![
            debtor("other", "D9", "Elsewhere", DebtorKind::Business),
            invoice("other", "F9", date(2025, 5, 1), date(2025, 5, 31), 999),
        ],
        import(),
    )
    .await;
}

/// Runs every projection until it holds the whole log (another test's open transaction may hold
/// the horizon back for a moment).
pub async fn caught_up(pool: &PgPool) {
    let options = RunnerOptions::default();
    eventually("the projections to reach the head of the log", || async {
        projections::catch_up(pool, &projections::ALL, &options).await.unwrap();
        let status = projections::status(pool).await.unwrap();
        status.iter().all(|s| s.lag_events == 0).then_some(())
    })
    .await;
}
