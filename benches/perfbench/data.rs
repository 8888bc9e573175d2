//! Seeded benchmark rows: invoice-like events, four per aggregate, the same bytes for every measurement.

use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

/// Events per aggregate: two invoices and two payments (see [`events`]).
pub const EVENTS_PER_AGGREGATE: usize = 4;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum BenchEvent {
    InvoiceImported {
        document_key: String,
        content_hash: String,
        invoice_number: String,
        invoice_date: String,
        due_date: String,
        amount: i64,
        source: String,
    },
    PaymentReceived {
        document_key: String,
        content_hash: String,
        payment_ref: String,
        value_date: String,
        amount: i64,
        reference_invoice: Option<String>,
        source: String,
    },
}

impl vordering::events::DocumentKeyed for BenchEvent {
    fn document_key(&self) -> Option<&str> {
        match self {
            BenchEvent::InvoiceImported { document_key, .. } | BenchEvent::PaymentReceived { document_key, .. } => {
                Some(document_key)
            }
        }
    }
}

impl DomainEvent for BenchEvent {
    fn event_type(&self) -> String {
        match self {
            BenchEvent::InvoiceImported { .. } => "InvoiceImported".to_owned(),
            BenchEvent::PaymentReceived { .. } => "PaymentReceived".to_owned(),
        }
    }
    fn event_version(&self) -> String {
        "1.0".to_owned()
    }
}

/// A stand-in aggregate: the bulk path needs only its type name and event type.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct BenchAccount;

#[derive(Debug, thiserror::Error)]
#[error("never")]
pub struct Never;

impl Aggregate for BenchAccount {
    const TYPE: &'static str = "DebtorAccount";
    type Command = ();
    type Event = BenchEvent;
    type Error = Never;
    type Services = ();
    async fn handle(&mut self, _: (), _: &(), _: &EventSink<Self>) -> Result<(), Never> {
        Ok(())
    }
    fn apply(&mut self, _: BenchEvent) {}
}

pub fn aggregate_id(index: usize) -> String {
    format!("bench:D{index:08}")
}

/// The events of aggregate `index`: two invoices and two payments with unique document keys.
pub fn events(index: usize) -> Vec<BenchEvent> {
    (0..EVENTS_PER_AGGREGATE)
        .map(|k| {
            let n = index * EVENTS_PER_AGGREGATE + k;
            let hash = format!("{:064x}", n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            if k % 2 == 0 {
                BenchEvent::InvoiceImported {
                    document_key: format!("bench|e-boekhouden|invoice|F{n:09}"),
                    content_hash: hash,
                    invoice_number: format!("F{n:09}"),
                    invoice_date: "2026-10-01".to_owned(),
                    due_date: "2026-10-31".to_owned(),
                    amount: i64::try_from(n % 100_000).unwrap_or(0) * 100 + 95,
                    source: "Invoicing".to_owned(),
                }
            } else {
                BenchEvent::PaymentReceived {
                    document_key: format!("bench|e-boekhouden|payment|M{n:09}"),
                    content_hash: hash,
                    payment_ref: format!("M{n:09}"),
                    value_date: "2026-11-02".to_owned(),
                    amount: 5_000,
                    reference_invoice: Some(format!("F{:09}", n - 1)),
                    source: "GetMutaties".to_owned(),
                }
            }
        })
        .collect()
}

/// One event row, pre-serialized as the denominators send it.
pub struct Row {
    pub aggregate_id: String,
    pub sequence: i64,
    pub event_type: String,
    pub payload: String,
}

pub fn rows(events_total: usize, metadata: &str) -> (Vec<Row>, String) {
    let aggregates = events_total / EVENTS_PER_AGGREGATE;
    let mut rows = Vec::with_capacity(events_total);
    for index in 0..aggregates {
        for (k, event) in events(index).into_iter().enumerate() {
            rows.push(Row {
                aggregate_id: aggregate_id(index),
                sequence: i64::try_from(k).unwrap_or(0) + 1,
                event_type: event.event_type(),
                payload: serde_json::to_string(&event).unwrap_or_default(),
            });
        }
    }
    (rows, metadata.to_owned())
}
