//! Upcasters: stored events of an older version are rewritten to the current shape as they are
//! read, by every reader — the write side (cqrs-es `with_upcasters`), the global-order reader, one
//! aggregate's stream, `load_many`, projection rebuilds and the audit replay — so the rest of the
//! code only ever sees the current version. Stored rows are never changed.
//!
//! `InvoiceImported` 1.0 → 2.0: version 2 added `payment_term_days`. A version-1 event's term is
//! the number of days from its invoice date to its due date (which is how the books derive the due
//! date from the term).

use chrono::NaiveDate;
use cqrs_es::persist::{EventUpcaster, SerializedEvent};
use serde_json::Value;

/// The current version of `InvoiceImported`.
pub const INVOICE_IMPORTED_VERSION: &str = "2.0";

/// Why a stored payload cannot be upcast.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{event_type} {event_version} cannot be upcast: {detail}")]
pub struct UpcastError {
    /// The stored `event_type` of the event.
    pub event_type: String,
    /// The version the payload had when the step that failed was applied to it.
    pub event_version: String,
    /// What is wrong with the payload (a missing object or field, a field that is not a date).
    pub detail: String,
}

/// One step from an old version of one event type to the next.
trait Step: Sync {
    fn aggregate_type(&self) -> &'static str;
    fn event_type(&self) -> &'static str;
    fn old_version(&self) -> &'static str;
    fn new_version(&self) -> &'static str;
    /// Rewrites the variant's body (the object inside `{"<Type>": …}`).
    fn upcast_body(&self, body: &mut serde_json::Map<String, Value>) -> Result<(), String>;
}

struct InvoiceImportedV1;

impl Step for InvoiceImportedV1 {
    fn aggregate_type(&self) -> &'static str {
        "DebtorAccount"
    }
    fn event_type(&self) -> &'static str {
        "InvoiceImported"
    }
    fn old_version(&self) -> &'static str {
        "1.0"
    }
    fn new_version(&self) -> &'static str {
        INVOICE_IMPORTED_VERSION
    }
    fn upcast_body(&self, body: &mut serde_json::Map<String, Value>) -> Result<(), String> {
        let date = |field: &str| -> Result<NaiveDate, String> {
            let text = body.get(field).and_then(Value::as_str).ok_or_else(|| format!("`{field}` is missing"))?;
            text.parse().map_err(|_| format!("`{field}` is not a date: {text}"))
        };
        let term = (date("due_date")? - date("invoice_date")?).num_days();
        body.insert("payment_term_days".to_owned(), Value::from(term));
        Ok(())
    }
}

/// Every step, oldest first per event type.
static STEPS: [&dyn Step; 1] = [&InvoiceImportedV1];

/// Whether a stored event of this aggregate type, event type and version needs upcasting (event
/// types are unique per aggregate type only).
pub fn needs_upcast(aggregate_type: &str, event_type: &str, event_version: &str) -> bool {
    STEPS.iter().any(|s| {
        s.aggregate_type() == aggregate_type && s.event_type() == event_type && s.old_version() == event_version
    })
}

/// Upcasts a stored payload (`{"<Type>": {…}}`) through every step that applies; returns the new
/// payload and version, or the input unchanged when nothing applies.
pub fn upcast(
    aggregate_type: &str,
    event_type: &str,
    event_version: &str,
    mut payload: Value,
) -> Result<(Value, String), UpcastError> {
    let mut version = event_version.to_owned();
    for step in STEPS.iter().filter(|s| s.aggregate_type() == aggregate_type && s.event_type() == event_type) {
        if step.old_version() != version {
            continue;
        }
        let fail =
            |detail: String| UpcastError { event_type: event_type.to_owned(), event_version: version.clone(), detail };
        let body = payload
            .get_mut(event_type)
            .and_then(Value::as_object_mut)
            .ok_or_else(|| fail(format!("the payload has no `{event_type}` object")))?;
        step.upcast_body(body).map_err(fail)?;
        step.new_version().clone_into(&mut version);
    }
    Ok((payload, version))
}

/// The same steps for cqrs-es, so the write side loads old events through them. cqrs-es asks by
/// event type and version only, so each upcaster is made for one aggregate type.
#[derive(Debug)]
pub struct CqrsUpcaster {
    aggregate_type: &'static str,
}

impl EventUpcaster for CqrsUpcaster {
    fn can_upcast(&self, event_type: &str, event_version: &str) -> bool {
        needs_upcast(self.aggregate_type, event_type, event_version)
    }

    fn upcast(&self, mut event: SerializedEvent) -> SerializedEvent {
        let payload = std::mem::take(&mut event.payload);
        match upcast(&event.aggregate_type, &event.event_type, &event.event_version, payload.clone()) {
            Ok((payload, version)) => {
                event.payload = payload;
                event.event_version = version;
            }
            // The trait cannot fail: leave the event as stored, so deserializing it reports the
            // problem as a corrupt event instead of silently using a half-upcast one.
            Err(_) => event.payload = payload,
        }
        event
    }
}

/// The upcasters to register with the cqrs-es store of `aggregate_type`.
pub fn cqrs_upcasters(aggregate_type: &'static str) -> Vec<Box<dyn EventUpcaster>> {
    vec![Box::new(CqrsUpcaster { aggregate_type })]
}
