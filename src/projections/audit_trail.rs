//! `audit_trail`: every link and unlink — of the administration to its accounting package, of
//! payments and of credit notes to invoices — with actor, reason, command and correlation ids.
//! An unlink names only its link id; its row repeats the invoice, document and amounts of the link.

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use uuid::Uuid;

use super::copy;
use super::decode::{split_account_id, ADMINISTRATION, DEBTOR_ACCOUNT};
use super::write::{self, TableRow};
use super::ProjectionError;
use crate::domain::Cents;
use crate::events::administration::AdministrationEvent as A;
use crate::events::debtor_account::{DebtorAccountEvent as E, LinkReason};
use crate::events::{AdministrationEvent, DebtorAccountEvent};
use crate::store::StoredEvent;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub administration: String,
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub sequence: i64,
    pub log_tx: i64,
    pub global_position: i64,
    pub recorded_at: DateTime<Utc>,
    pub event_type: String,
    pub link_id: Option<Uuid>,
    pub invoice_number: Option<String>,
    /// The payment reference or credit note number; for the administration, the package username.
    pub document: Option<String>,
    pub costs: Option<Cents>,
    pub interest: Option<Cents>,
    pub principal: Option<Cents>,
    /// The reason in the event itself (`StatutoryOrder`, an unlink's text, an error code).
    pub event_reason: Option<String>,
    pub actor: Option<String>,
    /// The reason a person gave with the command (metadata).
    pub reason: Option<String>,
    pub command_id: Option<String>,
    pub correlation_id: Option<String>,
    pub source: Option<String>,
}

impl TableRow for AuditRow {
    const TABLE: &'static str = "audit_trail";
    const COLUMNS: &'static [&'static str] = &[
        "administration",
        "aggregate_type",
        "aggregate_id",
        "sequence",
        "log_tx",
        "global_position",
        "recorded_at",
        "event_type",
        "link_id",
        "invoice_number",
        "document",
        "costs",
        "interest",
        "principal",
        "event_reason",
        "actor",
        "reason",
        "command_id",
        "correlation_id",
        "source",
    ];
    const KEY: &'static [&'static str] = &["aggregate_type", "aggregate_id", "sequence"];
}

const ADMINISTRATION_TYPES: [&str; 6] = [
    AdministrationEvent::LINK_ESTABLISHED,
    AdministrationEvent::LINK_CREDENTIALS_ROTATED,
    AdministrationEvent::LINK_BROKEN,
    AdministrationEvent::LINK_REMOVED,
    AdministrationEvent::AUTO_IMPORT_ENABLED,
    AdministrationEvent::AUTO_IMPORT_DISABLED,
];
const ACCOUNT_TYPES: [&str; 4] = [
    DebtorAccountEvent::PAYMENT_LINKED,
    DebtorAccountEvent::PAYMENT_UNLINKED,
    DebtorAccountEvent::CREDIT_NOTE_LINKED,
    DebtorAccountEvent::CREDIT_NOTE_UNLINKED,
];

/// How a link reason reads in the trail.
pub fn reason_text(reason: &LinkReason) -> Cow<'static, str> {
    match reason {
        LinkReason::ReferencedByBooks => Cow::Borrowed("referenced by the books"),
        LinkReason::StatutoryOrder => Cow::Borrowed("art. 6:43 (oldest due first)"),
        LinkReason::Manual(text) => Cow::Owned(text.clone()),
    }
}

/// The links rows already made, by link id, so unlinks can repeat what they undo.
type Links = HashMap<Uuid, AuditRow>;

fn blank(event: &StoredEvent) -> Result<AuditRow, ProjectionError> {
    let meta = event.metadata_map()?;
    let administration = match event.aggregate_type.as_str() {
        ADMINISTRATION => event.aggregate_id.clone(),
        _ => split_account_id(&event.aggregate_id).0.to_owned(),
    };
    Ok(AuditRow {
        administration,
        aggregate_type: event.aggregate_type.clone(),
        aggregate_id: event.aggregate_id.clone(),
        sequence: event.sequence,
        // A transaction id (`xid8`) reaches 2^63 only after 2^31 wraparounds of 2^32 transactions each.
        log_tx: i64::try_from(event.position.tx).expect("transaction ids stay below 2^63"),
        global_position: event.position.pos,
        recorded_at: event.recorded_at,
        event_type: event.event_type.clone(),
        link_id: None,
        invoice_number: None,
        document: None,
        costs: None,
        interest: None,
        principal: None,
        event_reason: None,
        actor: meta.get("actor").cloned(),
        reason: meta.get("reason").cloned(),
        command_id: meta.get("command_id").cloned(),
        correlation_id: meta.get("correlation_id").cloned(),
        source: meta.get("source").cloned(),
    })
}

/// The trail row of `event`, or `None` when it is not a link or unlink.
fn row(event: &StoredEvent, links: &Links) -> Result<Option<AuditRow>, ProjectionError> {
    let kind = event.event_type.as_str();
    let mut row = match event.aggregate_type.as_str() {
        ADMINISTRATION if ADMINISTRATION_TYPES.contains(&kind) => {
            let mut row = blank(event)?;
            (row.document, row.event_reason) = administration_detail(event.decode::<A>()?);
            row
        }
        DEBTOR_ACCOUNT if ACCOUNT_TYPES.contains(&kind) => account_row(blank(event)?, event.decode::<E>()?, links),
        _ => return Ok(None),
    };
    row.event_type = kind.to_owned();
    Ok(Some(row))
}

/// The document (the package username) and the reason an administration's trail event records.
pub fn administration_detail(event: A) -> (Option<String>, Option<String>) {
    match event {
        A::LinkEstablished { package, username, .. } => (Some(username), Some(package)),
        A::LinkCredentialsRotated { credentials_key_id, .. } => (None, Some(format!("key {credentials_key_id}"))),
        A::LinkBroken { error_code, .. } => (None, Some(error_code)),
        A::LinkRemoved { reason } | A::AutoImportDisabled { reason } => (None, Some(reason)),
        A::AutoImportEnabled { daily_at } => (None, Some(format!("daily at {daily_at}"))),
        _ => (None, None),
    }
}

fn account_row(mut row: AuditRow, event: E, links: &Links) -> AuditRow {
    match event {
        E::PaymentLinked { link_id, payment_ref, invoice_number, split, reason } => {
            row.link_id = Some(link_id.as_uuid());
            row.invoice_number = Some(invoice_number.as_str().to_owned());
            row.document = Some(payment_ref.as_str().to_owned());
            (row.costs, row.interest, row.principal) = (Some(split.costs), Some(split.interest), Some(split.principal));
            row.event_reason = Some(reason_text(&reason).into_owned());
        }
        E::CreditNoteLinked { link_id, credit_note, invoice_number, amount, reason } => {
            row.link_id = Some(link_id.as_uuid());
            row.invoice_number = Some(invoice_number.as_str().to_owned());
            row.document = Some(credit_note.as_str().to_owned());
            (row.costs, row.interest, row.principal) = (Some(Cents::ZERO), Some(Cents::ZERO), Some(amount));
            row.event_reason = Some(reason_text(&reason).into_owned());
        }
        E::PaymentUnlinked { link_id, reason } | E::CreditNoteUnlinked { link_id, reason } => {
            row.link_id = Some(link_id.as_uuid());
            if let Some(link) = links.get(&link_id.as_uuid()) {
                row.invoice_number.clone_from(&link.invoice_number);
                row.document.clone_from(&link.document);
                (row.costs, row.interest, row.principal) = (link.costs, link.interest, link.principal);
            }
            row.event_reason = Some(reason);
        }
        _ => {}
    }
    row
}

fn is_link(row: &AuditRow) -> bool {
    matches!(row.event_type.as_str(), DebtorAccountEvent::PAYMENT_LINKED | DebtorAccountEvent::CREDIT_NOTE_LINKED)
}

fn unlinked_ids(events: &[StoredEvent]) -> Result<Vec<Uuid>, ProjectionError> {
    let mut ids = Vec::new();
    for event in events.iter().filter(|e| {
        matches!(e.event_type.as_str(), DebtorAccountEvent::PAYMENT_UNLINKED | DebtorAccountEvent::CREDIT_NOTE_UNLINKED)
    }) {
        if let E::PaymentUnlinked { link_id, .. } | E::CreditNoteUnlinked { link_id, .. } = event.decode::<E>()? {
            ids.push(link_id.as_uuid());
        }
    }
    Ok(ids)
}

pub async fn apply_batch(
    conn: &mut PgConnection,
    generation: i32,
    events: &[StoredEvent],
) -> Result<(), ProjectionError> {
    let ids = unlinked_ids(events)?;
    let mut links = Links::new();
    if !ids.is_empty() {
        let stored: Vec<AuditRow> = write::stored_rows(conn, generation, "link_id", &ids).await?;
        // Only the rows of the links themselves: an unlink in this batch is recorded against its link.
        let linked = |row: &AuditRow| {
            matches!(
                row.event_type.as_str(),
                DebtorAccountEvent::PAYMENT_LINKED | DebtorAccountEvent::CREDIT_NOTE_LINKED
            )
        };
        links.extend(stored.into_iter().filter(linked).filter_map(|row| row.link_id.map(|id| (id, row))));
    }
    let mut builder = Builder { links, rows: Vec::new() };
    for event in events {
        builder.add(event)?;
    }
    write::upsert(conn, generation, &builder.rows).await
}

/// Folds a whole log in memory for a rebuild.
#[derive(Debug, Default)]
pub struct Builder {
    links: Links,
    rows: Vec<AuditRow>,
}

impl Builder {
    pub fn add(&mut self, event: &StoredEvent) -> Result<(), ProjectionError> {
        if let Some(row) = row(event, &self.links)? {
            if let Some(link_id) = row.link_id.filter(|_| is_link(&row)) {
                self.links.insert(link_id, row.clone());
            }
            self.rows.push(row);
        }
        Ok(())
    }

    pub async fn write(self, conn: &mut PgConnection, generation: i32) -> Result<u64, ProjectionError> {
        copy::fill(conn, generation, &self.rows).await
    }
}
