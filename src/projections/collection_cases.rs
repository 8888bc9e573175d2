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
use crate::events::DebtorAccountEvent;
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

/// The case events, read by name with the fields this table keeps (DESIGN §3 shapes); the variant
/// names are the stored event types.
#[allow(clippy::enum_variant_names)]
#[derive(Debug, Deserialize)]
enum CaseFact {
    CollectionStarted {
        case_id: Uuid,
        invoices: Vec<String>,
        principal: Cents,
        costs: Cents,
        vat_surcharge: Cents,
        interest: Cents,
        interest_from: NaiveDate,
        started_on: NaiveDate,
        rates_verified: bool,
    },
    CollectionCostsWaived {
        case_id: Uuid,
    },
    CollectionClosed {
        case_id: Uuid,
    },
}

const TYPES: [&str; 3] = [
    DebtorAccountEvent::COLLECTION_STARTED,
    DebtorAccountEvent::COLLECTION_COSTS_WAIVED,
    DebtorAccountEvent::COLLECTION_CLOSED,
];

fn case_fact(event: &StoredEvent) -> Result<Option<CaseFact>, ProjectionError> {
    if event.aggregate_type != DEBTOR_ACCOUNT || !TYPES.contains(&event.event_type.as_str()) {
        return Ok(None);
    }
    Ok(Some(event.decode::<CaseFact>()?))
}

type Rows = HashMap<(String, Uuid), CaseRow>;

fn fold_into(rows: &mut Rows, event: &StoredEvent) -> Result<(), ProjectionError> {
    let Some(fact) = case_fact(event)? else { return Ok(()) };
    let id = event.aggregate_id.clone();
    match fact {
        CaseFact::CollectionStarted {
            case_id,
            invoices,
            principal,
            costs,
            vat_surcharge,
            interest,
            interest_from,
            started_on,
            rates_verified,
        } => {
            let (administration, debtor_code) = split_account_id(&id);
            let row = CaseRow {
                administration: administration.to_owned(),
                debtor_code: debtor_code.to_owned(),
                aggregate_id: id.clone(),
                case_id,
                invoices,
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
        CaseFact::CollectionCostsWaived { case_id } => {
            if let Some(row) = rows.get_mut(&(id, case_id)) {
                row.costs_waived = true;
            }
        }
        CaseFact::CollectionClosed { case_id } => {
            if let Some(row) = rows.get_mut(&(id, case_id)) {
                row.closed_at = Some(event.recorded_at);
            }
        }
    }
    Ok(())
}

fn case_of(fact: &CaseFact) -> Uuid {
    match fact {
        CaseFact::CollectionStarted { case_id, .. }
        | CaseFact::CollectionCostsWaived { case_id }
        | CaseFact::CollectionClosed { case_id } => *case_id,
    }
}

pub async fn apply_batch(
    conn: &mut PgConnection,
    generation: i32,
    events: &[StoredEvent],
) -> Result<(), ProjectionError> {
    let mut ids = Vec::new();
    for event in events {
        if let Some(fact) = case_fact(event)? {
            ids.push(case_of(&fact));
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
