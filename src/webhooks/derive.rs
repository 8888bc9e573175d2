//! The deriving runner: reads the global order of the events after its cursor, below the horizon
//! (the same reader as the projections, so a late committer is never skipped), turns each event
//! into messages, addresses them to the active subscriptions that want them, and writes the
//! deliveries and the new cursor in one transaction. One runner at a time, across processes (a
//! transaction-scoped advisory lock); a crash before the commit leaves both as they were.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, SecondsFormat, Utc};
use cqrs_es::Aggregate as _;
use serde::Serialize;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::catalogue::{self, Message};
use super::types::EventType;
use super::WebhookError;
use crate::domain::debtor_account::DebtorAccount;
use crate::domain::{AccountId, InvoiceNumber};
use crate::events::DebtorAccountEvent;
use crate::store::{self, Position, StoredEvent};

/// Events read per transaction.
pub const BATCH: i64 = 2_000;

/// The ids of deliveries (`webhook-id`) are derived in this namespace from the subscription, the
/// event's position and the type, so deriving the same event again gives the same id.
const ID_NAMESPACE: Uuid = Uuid::from_u128(0x6b8f_3d7e_5c41_4a0e_9d2b_7f61_c3a5_e804);

/// The event types after which an invoice may be paid: its open amount fell.
const SETTLING: [&str; 3] = [
    DebtorAccountEvent::PAYMENT_LINKED,
    DebtorAccountEvent::OPEN_AMOUNT_ADJUSTED,
    DebtorAccountEvent::INVOICE_CORRECTED,
];

/// What one call of [`derive_batch`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Derived {
    /// Read `events` and wrote `deliveries`.
    Batch { events: usize, deliveries: usize },
    /// Nothing below the horizon after the cursor.
    Idle,
    /// Another process runs the deriving now.
    Busy,
}

/// An active subscription as the runner addresses messages to it.
#[derive(Debug)]
struct Subscriber {
    id: Uuid,
    administration: String,
    /// `None`: every type.
    wants: Option<HashSet<EventType>>,
    /// Events at or before this position were committed before it was made.
    from: Position,
}

impl Subscriber {
    fn takes(&self, message: &Message, at: Position) -> bool {
        self.administration == message.administration
            && self.wants.as_ref().is_none_or(|wants| wants.contains(&message.event_type))
            && at > self.from
    }
}

/// The JSON body of every message.
#[derive(Serialize)]
struct Body<'a> {
    #[serde(rename = "type")]
    event_type: &'a str,
    timestamp: String,
    administration: &'a str,
    data: &'a serde_json::Value,
}

/// One delivery to write.
struct NewDelivery {
    id: String,
    subscription: Uuid,
    event_type: &'static str,
    body: String,
    at: Position,
    recorded_at: DateTime<Utc>,
}

/// Derives the deliveries of the next batch of at most `limit` events.
pub async fn derive_batch(pool: &PgPool, limit: i64) -> Result<Derived, WebhookError> {
    let mut tx = pool.begin().await?;
    let locked: bool =
        sqlx::query_scalar("SELECT pg_try_advisory_xact_lock(hashtextextended('vordering:webhooks', 0))")
            .fetch_one(&mut *tx)
            .await?;
    if !locked {
        return Ok(Derived::Busy);
    }
    let (last_tx, last_pos): (String, i64) =
        sqlx::query_as("SELECT last_tx::text, last_pos FROM webhook_cursor WHERE id = 1").fetch_one(&mut *tx).await?;
    let after = Position {
        tx: last_tx.parse().map_err(|_| WebhookError::Corrupt(format!("cursor tx `{last_tx}`")))?,
        pos: last_pos,
    };
    // Read before any write, so that this transaction's own id does not hold back the horizon.
    let events = store::read_batch(&mut *tx, after, limit).await?;
    let Some(last) = events.last().map(|e| e.position) else {
        tx.rollback().await?;
        return Ok(Derived::Idle);
    };
    let subscribers = subscribers(&mut tx).await?;
    let deliveries = if subscribers.is_empty() { Vec::new() } else { address(&mut tx, &events, &subscribers).await? };
    insert(&mut tx, &deliveries).await?;
    sqlx::query("UPDATE webhook_cursor SET last_tx = $1::text::xid8, last_pos = $2 WHERE id = 1")
        .bind(last.tx.to_string())
        .bind(last.pos)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Derived::Batch { events: events.len(), deliveries: deliveries.len() })
}

async fn subscribers(conn: &mut PgConnection) -> Result<Vec<Subscriber>, WebhookError> {
    let rows: Vec<(Uuid, String, Vec<String>, String, i64)> = sqlx::query_as(
        "SELECT id, administration, event_types, from_tx::text, from_pos FROM webhook_subscription WHERE active",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|(id, administration, types, from_tx, from_pos)| {
            let wants = if types.is_empty() {
                None
            } else {
                Some(types.iter().map(|t| t.parse::<EventType>()).collect::<Result<HashSet<_>, _>>()?)
            };
            let tx = from_tx.parse().map_err(|_| WebhookError::Corrupt(format!("subscription {id} position")))?;
            Ok(Subscriber { id, administration, wants, from: Position { tx, pos: from_pos } })
        })
        .collect()
}

/// The deliveries of `events` to `subscribers`, in the order of the events.
async fn address(
    conn: &mut PgConnection,
    events: &[StoredEvent],
    subscribers: &[Subscriber],
) -> Result<Vec<NewDelivery>, WebhookError> {
    let mut paid = paid_messages(conn, events, subscribers).await?;
    let mut deliveries = Vec::new();
    for (index, event) in events.iter().enumerate() {
        let mut messages = catalogue::messages(event)?;
        messages.extend(paid.remove(&index).unwrap_or_default());
        for message in &messages {
            let timestamp = event.recorded_at.to_rfc3339_opts(SecondsFormat::Micros, true);
            for subscriber in subscribers.iter().filter(|s| s.takes(message, event.position)) {
                let body = Body {
                    event_type: message.event_type.name(),
                    timestamp: timestamp.clone(),
                    administration: &message.administration,
                    data: &message.data,
                };
                deliveries.push(NewDelivery {
                    id: delivery_id(subscriber.id, event.position, message.event_type),
                    subscription: subscriber.id,
                    event_type: message.event_type.name(),
                    body: serde_json::to_string(&body).map_err(store::StoreError::from)?,
                    at: event.position,
                    recorded_at: event.recorded_at,
                });
            }
        }
    }
    Ok(deliveries)
}

/// `msg_` and 32 hex digits, from the subscription, the position and the type.
fn delivery_id(subscription: Uuid, at: Position, event_type: EventType) -> String {
    let name = format!("{subscription}:{}:{}:{}", at.tx, at.pos, event_type.name());
    format!("msg_{}", Uuid::new_v5(&ID_NAMESPACE, name.as_bytes()).simple())
}

/// The `invoice.paid` messages of the batch, by the index of the event after which each invoice's
/// open amount reached zero: each account that a settling event touches is loaded as it stood
/// before its first event of the batch and folded through the batch with the write side's `apply`.
/// Only for the administrations a subscription wants them of; a credit note that settles an
/// invoice credits it, it does not pay it.
async fn paid_messages(
    conn: &mut PgConnection,
    events: &[StoredEvent],
    subscribers: &[Subscriber],
) -> Result<HashMap<usize, Vec<Message>>, WebhookError> {
    let wanted: HashSet<&str> = subscribers
        .iter()
        .filter(|s| s.wants.as_ref().is_none_or(|w| w.contains(&EventType::InvoicePaid)))
        .map(|s| s.administration.as_str())
        .collect();
    let of_interest = |event: &StoredEvent| {
        event.aggregate_type == DebtorAccount::TYPE
            && AccountId::split(&event.aggregate_id).is_some_and(|(administration, _)| wanted.contains(administration))
    };
    let settled: HashSet<&str> = events
        .iter()
        .filter(|e| of_interest(e) && SETTLING.contains(&e.event_type.as_str()))
        .map(|e| e.aggregate_id.as_str())
        .collect();
    let mut found: HashMap<usize, Vec<Message>> = HashMap::new();
    if settled.is_empty() {
        return Ok(found);
    }
    let mut first: HashMap<&str, u64> = HashMap::new();
    for event in events.iter().filter(|e| settled.contains(e.aggregate_id.as_str())) {
        first.entry(event.aggregate_id.as_str()).or_insert(store::stored_sequence(event.sequence).saturating_sub(1));
    }
    let bounds: Vec<(String, u64)> = first.iter().map(|(id, before)| ((*id).to_owned(), *before)).collect();
    let mut states = store::load_many_until::<DebtorAccount>(&mut *conn, &bounds).await?;
    for (index, event) in events.iter().enumerate().filter(|(_, e)| settled.contains(e.aggregate_id.as_str())) {
        if !DebtorAccountEvent::NAMES.contains(&event.event_type.as_str()) {
            continue; // a newer binary's event: this one cannot fold it
        }
        let Some(state) = states.get_mut(&event.aggregate_id).map(|loaded| &mut loaded.state) else { continue };
        let decoded: DebtorAccountEvent = event.decode()?;
        let (invoice, paid_on) = settles(state, &decoded, event.recorded_at.date_naive());
        let open_before = invoice.and_then(|number| state.invoices.get(number)).map(|i| i.open_principal());
        let invoice = invoice.cloned();
        state.apply(decoded);
        let Some((number, before)) = invoice.zip(open_before) else { continue };
        let Some(after) = state.invoices.get(&number) else { continue };
        if before.is_positive() && !after.open_principal().is_positive() {
            let (administration, debtor) = AccountId::split(&event.aggregate_id).unwrap_or_default();
            found.entry(index).or_default().push(catalogue::paid(administration, debtor, after, paid_on));
        }
    }
    Ok(found)
}

/// The invoice a settling event lowers, and the day it counts as paid: a payment's value date,
/// else the day the event was recorded.
fn settles<'e>(
    state: &DebtorAccount,
    event: &'e DebtorAccountEvent,
    recorded_on: chrono::NaiveDate,
) -> (Option<&'e InvoiceNumber>, chrono::NaiveDate) {
    match event {
        DebtorAccountEvent::PaymentLinked { payment_ref, invoice_number, .. } => {
            (Some(invoice_number), state.payments.get(payment_ref).map_or(recorded_on, |p| p.value_date))
        }
        DebtorAccountEvent::OpenAmountAdjusted { invoice_number, .. }
        | DebtorAccountEvent::InvoiceCorrected { invoice_number, .. } => (Some(invoice_number), recorded_on),
        _ => (None, recorded_on),
    }
}

async fn insert(conn: &mut PgConnection, deliveries: &[NewDelivery]) -> Result<(), WebhookError> {
    if deliveries.is_empty() {
        return Ok(());
    }
    let ids: Vec<&str> = deliveries.iter().map(|d| d.id.as_str()).collect();
    let subscriptions: Vec<Uuid> = deliveries.iter().map(|d| d.subscription).collect();
    let types: Vec<&str> = deliveries.iter().map(|d| d.event_type).collect();
    let bodies: Vec<&str> = deliveries.iter().map(|d| d.body.as_str()).collect();
    let txs: Vec<String> = deliveries.iter().map(|d| d.at.tx.to_string()).collect();
    let positions: Vec<i64> = deliveries.iter().map(|d| d.at.pos).collect();
    let recorded: Vec<DateTime<Utc>> = deliveries.iter().map(|d| d.recorded_at).collect();
    sqlx::query(
        "INSERT INTO webhook_delivery (id, subscription_id, event_type, body, event_tx, event_pos, recorded_at) \
         SELECT i, s, t, b, x::xid8, p, r \
         FROM UNNEST($1::text[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::timestamptz[]) \
              AS d(i, s, t, b, x, p, r) \
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(&ids)
    .bind(&subscriptions)
    .bind(&types)
    .bind(&bodies)
    .bind(&txs)
    .bind(&positions)
    .bind(&recorded)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
