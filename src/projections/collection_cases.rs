//! `collection_cases`: one row per collection case — debtor, invoices, and the principal, costs,
//! VAT surcharge and interest it claimed when it started — from `CollectionStarted`,
//! `CollectionCostsWaived` and `CollectionClosed`. The dashboard lists the open ones from an index
//! range, without reading the invoices.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use uuid::Uuid;

use super::copy;
use super::decode::{split_account_id, DEBTOR_ACCOUNT};
use super::write::{self, TableRow};
use super::ProjectionError;
use crate::domain::Cents;
use crate::events::DebtorAccountEvent as Event;
use crate::store::StoredEvent;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRow {
    pub administration: String,
    pub debtor_code: String,
    pub aggregate_id: String,
    pub case_id: Uuid,
    pub invoices: Vec<String>,
    pub principal: Cents,
    pub costs: Cents,
    pub vat_surcharge: Cents,
    pub interest: Cents,
    pub interest_from: NaiveDate,
    pub started_on: NaiveDate,
    pub rates_verified: bool,
    pub costs_waived: bool,
    pub closed_at: Option<DateTime<Utc>>,
}

impl TableRow for CaseRow {
    const TABLE: &'static str = "collection_cases";
    const COLUMNS: &'static [&'static str] = &[
        "administration",
        "debtor_code",
        "aggregate_id",
        "case_id",
        "invoices",
        "principal",
        "costs",
        "vat_surcharge",
        "interest",
        "interest_from",
        "started_on",
        "rates_verified",
        "costs_waived",
        "closed_at",
    ];
    const KEY: &'static [&'static str] = &["aggregate_id", "case_id"];
}

const TYPES: [&str; 3] = [Event::COLLECTION_STARTED, Event::COLLECTION_COSTS_WAIVED, Event::COLLECTION_CLOSED];

/// A case event of a debtor account, with the case it names; `None` for every other event.
fn case_event(event: &StoredEvent) -> Result<Option<(Uuid, Event)>, ProjectionError> {
    if event.aggregate_type != DEBTOR_ACCOUNT || !TYPES.contains(&event.event_type.as_str()) {
        return Ok(None);
    }
    let decoded = event.decode::<Event>()?;
    let case_id = match &decoded {
        Event::CollectionStarted { case_id, .. }
        | Event::CollectionCostsWaived { case_id, .. }
        | Event::CollectionClosed { case_id, .. } => *case_id,
        other => return Err(ProjectionError::Corrupt(format!("{} stored as {}", other.name(), event.event_type))),
    };
    Ok(Some((case_id, decoded)))
}

type Rows = HashMap<(String, Uuid), CaseRow>;

fn fold_into(rows: &mut Rows, event: &StoredEvent) -> Result<(), ProjectionError> {
    let Some((case_id, decoded)) = case_event(event)? else { return Ok(()) };
    let id = event.aggregate_id.clone();
    match decoded {
        Event::CollectionStarted {
            invoices,
            principal,
            costs,
            vat_surcharge,
            interest,
            interest_from,
            started_on,
            rates_verified,
            ..
        } => {
            let (administration, debtor_code) = split_account_id(&id);
            let row = CaseRow {
                administration: administration.to_owned(),
                debtor_code: debtor_code.to_owned(),
                aggregate_id: id.clone(),
                case_id,
                invoices: invoices.iter().map(|number| number.as_str().to_owned()).collect(),
                principal,
                costs,
                vat_surcharge,
                interest,
                interest_from,
                started_on,
                rates_verified,
                costs_waived: false,
                closed_at: None,
            };
            rows.insert((id, case_id), row);
        }
        Event::CollectionCostsWaived { .. } => {
            if let Some(row) = rows.get_mut(&(id, case_id)) {
                row.costs_waived = true;
            }
        }
        Event::CollectionClosed { .. } => {
            if let Some(row) = rows.get_mut(&(id, case_id)) {
                row.closed_at = Some(event.recorded_at);
            }
        }
        _ => {} // `case_event` returns the three case events only
    }
    Ok(())
}

pub async fn apply_batch(
    conn: &mut PgConnection,
    generation: i32,
    events: &[StoredEvent],
) -> Result<(), ProjectionError> {
    let mut ids = Vec::new();
    for event in events {
        if let Some((case_id, _)) = case_event(event)? {
            ids.push(case_id);
        }
    }
    write::refold(
        conn,
        generation,
        "case_id",
        &ids,
        |row: &CaseRow| (row.aggregate_id.clone(), row.case_id),
        events,
        fold_into,
    )
    .await
}

/// Folds a whole log in memory for a rebuild; cases are few next to invoices.
#[derive(Debug, Default)]
pub struct Builder {
    rows: Rows,
}

impl Builder {
    pub fn add(&mut self, event: &StoredEvent) -> Result<(), ProjectionError> {
        fold_into(&mut self.rows, event)
    }

    pub async fn write(self, conn: &mut PgConnection, generation: i32) -> Result<u64, ProjectionError> {
        copy::fill(conn, generation, &self.rows.into_values().collect::<Vec<_>>()).await
    }
}
