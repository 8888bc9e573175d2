//! Folding stored streams with the write side's `apply` and reporting each decision.

use std::borrow::Cow;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::decision::{account_link, administration_link, LinkDecision};
use super::figures::{InvoiceChange, InvoiceFigures};
use super::{AuditError, Until};
use crate::domain::debtor_account::DebtorAccount;
use crate::domain::InvoiceNumber;
use crate::events::administration::AdministrationEvent as A;
use crate::events::debtor_account::DebtorAccountEvent as E;
use crate::events::{AdministrationEvent, DebtorAccountEvent};
use crate::projections::{ADMINISTRATION, DEBTOR_ACCOUNT};
use crate::store::{EventView, StoredEvent};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReplayEntry {
    pub aggregate_type: &'static str,
    /// Shared by every entry of one aggregate.
    pub aggregate_id: Arc<str>,
    pub sequence: i64,
    pub global_position: i64,
    pub recorded_at: DateTime<Utc>,
    /// Borrowed from `LINK_TYPES` for the link types, which are most of what a replay reports.
    pub event_type: Cow<'static, str>,
    pub actor: Option<Arc<str>>,
    /// The reason a person gave with the command.
    pub reason: Option<Arc<str>>,
    pub command_id: Option<Arc<str>>,
    pub correlation_id: Option<Arc<str>>,
    pub source: Option<Arc<str>>,
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
    DebtorAccountEvent::PAYMENT_LINKED,
    DebtorAccountEvent::PAYMENT_UNLINKED,
    DebtorAccountEvent::CREDIT_NOTE_LINKED,
    DebtorAccountEvent::CREDIT_NOTE_UNLINKED,
    AdministrationEvent::LINK_ESTABLISHED,
    AdministrationEvent::LINK_CREDENTIALS_ROTATED,
    AdministrationEvent::LINK_BROKEN,
    AdministrationEvent::LINK_REMOVED,
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
    states: foldhash::HashMap<Arc<str>, Folded>,
    /// The last reported event's metadata, as stored and as read: the events of one command share it.
    last_metadata: Option<(String, EntryMetadata)>,
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
        Replay {
            states: foldhash::HashMap::default(),
            last_metadata: None,
            report: ReplayReport::default(),
            until,
            only_links,
        }
    }

    pub fn push(&mut self, event: &EventView<'_>) -> Result<(), AuditError> {
        if !self.until.includes(event.global_position, event.recorded_at) {
            return Ok(());
        }
        let link_type = LINK_TYPES.iter().copied().find(|&name| name == event.event_type);
        let reported = !self.only_links || link_type.is_some();
        let (aggregate_type, id, decision) = match event.aggregate_type {
            DEBTOR_ACCOUNT => match event.decode::<E>() {
                Ok(decoded) => {
                    // Keyed by an owned id (a row does not outlive its push), allocated once per aggregate.
                    let folded = match self.states.get_mut(event.aggregate_id) {
                        Some(folded) => folded,
                        None => {
                            let id: Arc<str> = Arc::from(event.aggregate_id);
                            self.states.entry(Arc::clone(&id)).or_insert(Folded { id, state: DebtorAccount::default() })
                        }
                    };
                    let decision = fold_account(&mut folded.state, decoded, reported);
                    (DEBTOR_ACCOUNT, reported.then(|| Arc::clone(&folded.id)), Some(decision))
                }
                Err(_) if !crate::projections::is_known_account_event(event.event_type) => (DEBTOR_ACCOUNT, None, None),
                Err(error) => return Err(error.into()),
            },
            ADMINISTRATION => match event.decode::<A>() {
                Ok(decoded) => (
                    ADMINISTRATION,
                    reported.then(|| Arc::from(event.aggregate_id)),
                    Some((administration_link(decoded), Vec::new())),
                ),
                Err(_) => (ADMINISTRATION, None, None),
            },
            _ => ("", None, None),
        };
        let Some((link, invoices)) = decision else {
            self.report.skipped += 1;
            return Ok(());
        };
        self.report.events_folded += 1;
        let Some(aggregate_id) = id else { return Ok(()) };
        let EntryMetadata { actor, reason, command_id, correlation_id, source } = self.metadata(event)?;
        self.report.entries.push(ReplayEntry {
            aggregate_type,
            aggregate_id,
            sequence: event.sequence,
            global_position: event.global_position,
            recorded_at: event.recorded_at,
            event_type: link_type.map_or_else(|| Cow::Owned(event.event_type.to_owned()), Cow::Borrowed),
            actor,
            reason,
            command_id,
            correlation_id,
            source,
            link,
            invoices,
        });
        Ok(())
    }

    /// The metadata of a reported event. The events of one command carry the same metadata, so
    /// a repeat of the last one is shared, not read again; a field equal to the last one's is shared too.
    fn metadata(&mut self, event: &EventView<'_>) -> Result<EntryMetadata, AuditError> {
        let text = event.metadata.ok_or_else(|| event.corrupt("metadata was not read".to_owned()))?;
        if let Some((last_text, last)) = &self.last_metadata {
            if last_text == text {
                return Ok(last.clone());
            }
        }
        let read: StoredMetadata<'_> = serde_json::from_str(text).map_err(|e| event.corrupt(e.to_string()))?;
        let last = self.last_metadata.as_ref().map(|(_, last)| last);
        let share = |field: Option<Cow<'_, str>>, of: fn(&EntryMetadata) -> &Option<Arc<str>>| {
            let field = field?;
            match last.and_then(|last| of(last).as_ref()) {
                Some(previous) if **previous == *field => Some(Arc::clone(previous)),
                _ => Some(Arc::from(field.as_ref())),
            }
        };
        let metadata = EntryMetadata {
            actor: share(read.actor, |m| &m.actor),
            reason: share(read.reason, |m| &m.reason),
            command_id: share(read.command_id, |m| &m.command_id),
            correlation_id: share(read.correlation_id, |m| &m.correlation_id),
            source: share(read.source, |m| &m.source),
        };
        let (last_text, last) = self.last_metadata.get_or_insert_with(Default::default);
        last_text.clear();
        last_text.push_str(text);
        last.clone_from(&metadata);
        Ok(metadata)
    }

    pub fn finish(self) -> ReplayReport {
        self.report
    }
}

/// The metadata fields of a reported event, shared with the entries before it where they repeat.
#[derive(Clone, Debug, Default)]
struct EntryMetadata {
    actor: Option<Arc<str>>,
    reason: Option<Arc<str>>,
    command_id: Option<Arc<str>>,
    correlation_id: Option<Arc<str>>,
    source: Option<Arc<str>>,
}

/// One replayed aggregate: its id, shared by its entries, and its state so far.
#[derive(Debug)]
struct Folded {
    id: Arc<str>,
    state: DebtorAccount,
}

/// The metadata fields a replay entry shows, borrowed from the stored JSON where it has no escapes.
#[derive(Deserialize)]
struct StoredMetadata<'a> {
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
            InvoiceChange { invoice_number: number, before, after }
        })
        .into_iter()
        .collect();
    (link, invoices)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Position;

    const ACTOR_A: &str = r#"{"actor":"alice","source":"import:1","command_id":"c1","correlation_id":"k1"}"#;
    const ACTOR_B: &str =
        r#"{"actor":"bob","source":"import:1","command_id":"c2","correlation_id":"k1","reason":"typo"}"#;

    fn invoice(sequence: i64, number: &str, metadata: &str) -> StoredEvent {
        let payload = format!(
            r#"{{"InvoiceImported":{{"document_key":"a|e-boekhouden|invoice|{number}","content_hash":"h","invoice_number":"{number}","invoice_date":"2025-01-01","due_date":"2025-01-31","amount":100,"source":"Invoicing","payment_term_days":30}}}}"#
        );
        StoredEvent {
            position: Position { tx: 1, pos: sequence },
            aggregate_type: DEBTOR_ACCOUNT.to_owned(),
            aggregate_id: "a:D1".to_owned(),
            sequence,
            event_type: "InvoiceImported".to_owned(),
            event_version: "2.0".to_owned(),
            payload,
            metadata: metadata.to_owned(),
            recorded_at: DateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn entries_share_repeated_metadata_and_read_every_change() {
        let events = [invoice(1, "F1", ACTOR_A), invoice(2, "F2", ACTOR_A), invoice(3, "F3", ACTOR_B)];
        let report = replay_stream(&events, Until::End, false).unwrap();
        let [first, second, third] = &report.entries[..] else { panic!("{:?}", report.entries) };
        let shared = |a: &Option<Arc<str>>, b: &Option<Arc<str>>| Arc::ptr_eq(a.as_ref().unwrap(), b.as_ref().unwrap());

        assert!(Arc::ptr_eq(&first.aggregate_id, &third.aggregate_id));
        assert!(shared(&first.actor, &second.actor) && shared(&first.command_id, &second.command_id));
        assert_eq!((third.actor.as_deref(), third.command_id.as_deref()), (Some("bob"), Some("c2")));
        assert_eq!((second.reason.as_deref(), third.reason.as_deref()), (None, Some("typo")));
        // A field that did not change is shared even when the rest of the metadata did.
        assert!(shared(&second.source, &third.source) && shared(&second.correlation_id, &third.correlation_id));
        assert_eq!(third.invoices[0].invoice_number.as_str(), "F3");
        assert_eq!(report.events_folded, 3);
    }
}
