//! Folding stored streams with the write side's `apply` and reporting each decision.

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::decision::{account_link, administration_link, LinkDecision};
use super::figures::{InvoiceChange, InvoiceFigures};
use super::{AuditError, Until};
use crate::domain::debtor_account::DebtorAccount;
use crate::domain::InvoiceNumber;
use crate::events::administration::AdministrationEvent as A;
use crate::events::debtor_account::DebtorAccountEvent as E;
use crate::store::{EventView, StoredEvent};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReplayEntry {
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub sequence: i64,
    pub global_position: i64,
    pub recorded_at: DateTime<Utc>,
    pub event_type: String,
    pub actor: Option<String>,
    /// The reason a person gave with the command.
    pub reason: Option<String>,
    pub command_id: Option<String>,
    pub correlation_id: Option<String>,
    pub source: Option<String>,
    pub link: Option<LinkDecision>,
    pub invoices: Vec<InvoiceChange>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ReplayReport {
    pub entries: Vec<ReplayEntry>,
    pub events_folded: u64,
    /// Events of types this binary does not know (written by a newer one); folded by nothing.
    pub skipped: u64,
}

/// The events a replay with `only_links` reports.
pub const LINK_TYPES: [&str; 8] = [
    "PaymentLinked",
    "PaymentUnlinked",
    "CreditNoteLinked",
    "CreditNoteUnlinked",
    "LinkEstablished",
    "LinkCredentialsRotated",
    "LinkBroken",
    "LinkRemoved",
];

/// Folds `events` (in stored order) up to `until`; with `only_links`, reports only links and unlinks.
/// Every event is folded; only a reported one pays for its figures and its metadata.
pub fn replay_stream(events: &[StoredEvent], until: Until, only_links: bool) -> Result<ReplayReport, AuditError> {
    let mut replay = Replay::new(until, only_links);
    for event in events {
        replay.push(&event.view())?;
    }
    Ok(replay.finish())
}

/// A replay fed one event at a time, in stored order — as the rows arrive, so the fold overlaps
/// the read (`store::rows_of`). Nothing of an event is copied unless it is reported.
#[derive(Debug)]
pub struct Replay {
    states: HashMap<String, DebtorAccount>,
    report: ReplayReport,
    until: Until,
    only_links: bool,
}

impl Replay {
    /// The event types whose metadata `push` reads: `None` for all of them.
    pub fn metadata_of(&self) -> Option<&'static [&'static str]> {
        self.only_links.then_some(&LINK_TYPES[..])
    }

    pub fn new(until: Until, only_links: bool) -> Replay {
        Replay { states: HashMap::new(), report: ReplayReport::default(), until, only_links }
    }

    pub fn push(&mut self, event: &EventView<'_>) -> Result<(), AuditError> {
        if !self.until.includes(event.global_position, event.recorded_at) {
            return Ok(());
        }
        let reported = !self.only_links || LINK_TYPES.contains(&event.event_type);
        let decision = match event.aggregate_type {
            "DebtorAccount" => match event.decode::<E>() {
                Ok(decoded) => {
                    // Keyed by an owned id (a row does not outlive its push), allocated once per aggregate.
                    let state = match self.states.get_mut(event.aggregate_id) {
                        Some(state) => state,
                        None => self.states.entry(event.aggregate_id.to_owned()).or_default(),
                    };
                    Some(fold_account(state, decoded, reported))
                }
                Err(_) if !crate::projections::is_core_account_event(event.event_type) => None,
                Err(error) => return Err(error.into()),
            },
            "Administration" => match event.decode::<A>() {
                Ok(decoded) => Some((administration_link(decoded), Vec::new())),
                Err(_) => None,
            },
            _ => None,
        };
        let Some((link, invoices)) = decision else {
            self.report.skipped += 1;
            return Ok(());
        };
        self.report.events_folded += 1;
        if reported {
            self.report.entries.push(entry(event, link, invoices)?);
        }
        Ok(())
    }

    pub fn finish(self) -> ReplayReport {
        self.report
    }
}

/// The metadata fields a replay entry shows, borrowed from the stored JSON where it has no escapes.
#[derive(Deserialize)]
struct EntryMetadata<'a> {
    #[serde(borrow)]
    actor: Option<Cow<'a, str>>,
    #[serde(borrow)]
    reason: Option<Cow<'a, str>>,
    #[serde(borrow)]
    command_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    correlation_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    source: Option<Cow<'a, str>>,
}

fn entry(
    event: &EventView<'_>,
    link: Option<LinkDecision>,
    invoices: Vec<InvoiceChange>,
) -> Result<ReplayEntry, AuditError> {
    let metadata = event.metadata.ok_or_else(|| event.corrupt("metadata was not read".to_owned()))?;
    let meta: EntryMetadata<'_> = serde_json::from_str(metadata).map_err(|e| event.corrupt(e.to_string()))?;
    let owned = |field: Option<Cow<'_, str>>| field.map(Cow::into_owned);
    Ok(ReplayEntry {
        aggregate_type: event.aggregate_type.to_owned(),
        aggregate_id: event.aggregate_id.to_owned(),
        sequence: event.sequence,
        global_position: event.global_position,
        recorded_at: event.recorded_at,
        event_type: event.event_type.to_owned(),
        actor: owned(meta.actor),
        reason: owned(meta.reason),
        command_id: owned(meta.command_id),
        correlation_id: owned(meta.correlation_id),
        source: owned(meta.source),
        link,
        invoices,
    })
}

/// The invoice an event touches, named before it is applied (an unlink names only its link).
fn touched(state: &DebtorAccount, event: &E) -> Option<InvoiceNumber> {
    match event {
        E::InvoiceImported { invoice_number, .. }
        | E::InvoiceCorrected { invoice_number, .. }
        | E::PaymentLinked { invoice_number, .. }
        | E::CreditNoteLinked { invoice_number, .. }
        | E::OpenAmountAdjusted { invoice_number, .. } => Some(invoice_number.clone()),
        E::PaymentUnlinked { link_id, .. } | E::CreditNoteUnlinked { link_id, .. } => {
            state.links.get(link_id).map(|l| l.invoice_number.clone())
        }
        _ => None,
    }
}

/// Applies `event` with the write side's `apply`; the link decision and, when the event is
/// `reported`, the touched invoices' figures before and after.
fn fold_account(state: &mut DebtorAccount, event: E, reported: bool) -> (Option<LinkDecision>, Vec<InvoiceChange>) {
    if !reported {
        state.apply(event);
        return (None, Vec::new());
    }
    let number = touched(state, &event);
    // Looked up by the typed number the event carries: no parsing and checking it again.
    let figures = |state: &DebtorAccount, n: &InvoiceNumber| state.invoices.get(n).map(InvoiceFigures::of);
    let before = number.as_ref().and_then(|n| figures(state, n));
    let link = account_link(state, &event);
    state.apply(event);
    let invoices = number
        .map(|number| {
            let after = figures(state, &number);
            InvoiceChange { invoice_number: number.into(), before, after }
        })
        .into_iter()
        .collect();
    (link, invoices)
}
