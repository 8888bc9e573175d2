//! The read-side benchmark log: real `DebtorAccountEvent`s written with `store::append_batch`.
//! Per debtor: `DebtorImported`, ten invoices (due dates spread over a year), five payments each
//! linked to an invoice (three in full, two in part) — 21 events per debtor.

use chrono::{Days, NaiveDate};
use sqlx::PgPool;
use vordering::domain::debtor_account::DebtorAccount;
use vordering::domain::{Cents, DebtorCode, InvoiceNumber, LinkId, PaymentRef};
use vordering::events::debtor_account::{
    DebtorAccountEvent as E, DebtorKind, InvoiceSource, LinkReason, PaymentSource, Split,
};
use vordering::events::Metadata;
use vordering::internals::store::{self, PendingAppend};

pub const INVOICES_PER_DEBTOR: usize = 10;

fn day(offset: usize) -> NaiveDate {
    let base = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default();
    base.checked_add_days(Days::new(u64::try_from(offset % 540).unwrap_or(0))).unwrap_or(base)
}

/// The events of debtor `index` of `administration`.
pub fn debtor_events(administration: &str, index: usize) -> Vec<E> {
    let code = format!("D{index:07}");
    let mut events = vec![E::DebtorImported {
        document_key: format!("{administration}|e-boekhouden|debtor|{code}"),
        content_hash: "h".to_owned(),
        code: DebtorCode::new(&code).unwrap_or_else(|_| unreachable!("generated codes are valid")),
        name: format!("Debtor {index}"),
        kind: if index % 3 == 0 { DebtorKind::Consumer } else { DebtorKind::Business },
        email: None,
        address: None,
        kvk: None,
    }];
    for i in 0..INVOICES_PER_DEBTOR {
        let n = index * INVOICES_PER_DEBTOR + i;
        let number = InvoiceNumber::new(format!("F{n:09}")).unwrap_or_else(|_| unreachable!("valid"));
        let dated = day(n * 7 + index);
        let amount = Cents::new(i64::try_from(n % 5_000).unwrap_or(0) * 100 + 2_500);
        events.push(E::InvoiceImported {
            document_key: format!("{administration}|e-boekhouden|invoice|{number}"),
            content_hash: "h".to_owned(),
            invoice_number: number.clone(),
            invoice_date: dated,
            due_date: dated.checked_add_days(Days::new(30)).unwrap_or(dated),
            amount,
            source: InvoiceSource::Invoicing,
            payment_term_days: 30,
        });
        if i % 2 == 0 {
            let reference = PaymentRef::new(format!("M{n:09}")).unwrap_or_else(|_| unreachable!("valid"));
            let paid = if i % 4 == 0 { amount } else { Cents::new(amount.get() / 2) };
            events.push(E::PaymentReceived {
                document_key: format!("{administration}|e-boekhouden|payment|{reference}"),
                content_hash: "h".to_owned(),
                payment_ref: reference.clone(),
                value_date: dated.checked_add_days(Days::new(20)).unwrap_or(dated),
                amount: paid,
                reference_invoice: Some(number.clone()),
                source: PaymentSource::InvoicePayment,
            });
            let link = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, format!("{administration}:{n}").as_bytes());
            events.push(E::PaymentLinked {
                link_id: LinkId::from_uuid(link),
                payment_ref: reference,
                invoice_number: number,
                split: Split::principal_only(paid),
                reason: LinkReason::ReferencedByBooks,
            });
        }
    }
    events
}

/// An account of exactly `k` events: `DebtorImported`, then invoices each followed by a payment and
/// its link (a realistic audit history: a third of the events are linking decisions).
pub fn account_of_length(administration: &str, index: usize, k: usize) -> Vec<E> {
    let mut events = debtor_events(administration, index);
    events.truncate(1);
    let mut i = 0;
    while events.len() < k {
        let number = InvoiceNumber::new(format!("K{index:05}x{i:05}")).unwrap_or_else(|_| unreachable!("valid"));
        let reference = PaymentRef::new(format!("Q{index:05}x{i:05}")).unwrap_or_else(|_| unreachable!("valid"));
        let amount = Cents::new(10_000);
        let link = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, format!("{administration}:{index}:{i}").as_bytes());
        let triple = [
            E::InvoiceImported {
                document_key: format!("{administration}|e-boekhouden|invoice|{number}"),
                content_hash: "h".to_owned(),
                invoice_number: number.clone(),
                invoice_date: day(i),
                due_date: day(i + 30),
                amount,
                source: InvoiceSource::Invoicing,
                payment_term_days: 30,
            },
            E::PaymentReceived {
                document_key: format!("{administration}|e-boekhouden|payment|{reference}"),
                content_hash: "h".to_owned(),
                payment_ref: reference.clone(),
                value_date: day(i + 20),
                amount,
                reference_invoice: Some(number.clone()),
                source: PaymentSource::InvoicePayment,
            },
            E::PaymentLinked {
                link_id: LinkId::from_uuid(link),
                payment_ref: reference,
                invoice_number: number,
                split: Split::principal_only(amount),
                reason: LinkReason::ReferencedByBooks,
            },
        ];
        let room = k - events.len();
        events.extend(triple.into_iter().take(room));
        i += 1;
    }
    events
}

/// Appends `accounts` (id, events) in batches of at most `MAX_BATCH_EVENTS` events; events written.
pub async fn write(pool: &PgPool, accounts: Vec<(String, Vec<E>)>) -> anyhow::Result<u64> {
    let metadata = Metadata::new("perfbench", "import:perfbench", chrono::Utc::now());
    let mut written = 0;
    let mut batch: Vec<PendingAppend<DebtorAccount>> = Vec::new();
    let mut size = 0;
    for (aggregate_id, events) in accounts {
        if size + events.len() > store::MAX_BATCH_EVENTS && !batch.is_empty() {
            written += flush(pool, std::mem::take(&mut batch)).await?;
            size = 0;
        }
        size += events.len();
        batch.push(PendingAppend { aggregate_id, after_sequence: 0, events, metadata: metadata.clone() });
    }
    written += flush(pool, batch).await?;
    Ok(written)
}

async fn flush(pool: &PgPool, batch: Vec<PendingAppend<DebtorAccount>>) -> anyhow::Result<u64> {
    let report = store::append_batch(pool, batch).await?;
    anyhow::ensure!(report.conflicts.is_empty(), "benchmark data conflicts: {:?}", report.conflicts);
    Ok(report.events_written)
}

/// The debtor accounts of an administration with `invoices` invoices.
pub fn administration(administration: &str, invoices: usize) -> impl Iterator<Item = (String, Vec<E>)> + '_ {
    (0..invoices / INVOICES_PER_DEBTOR)
        .map(move |i| (format!("{administration}:D{i:07}"), debtor_events(administration, i)))
}
