//! `audit verify`: recompute every balance of an administration from its events (the write side's
//! `apply`) and compare it with the dashboard projection. Both are read in one repeatable-read
//! snapshot, and the events only up to the projection's checkpoint, so a projection that is merely
//! behind is not reported as wrong.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use sqlx::{PgPool, Row};

use super::AuditError;
use crate::domain::debtor_account::DebtorAccount;
use crate::domain::{AdministrationId, Cents};
use crate::events::debtor_account::DebtorAccountEvent;
use crate::events::upcast;
use crate::projections::{is_known_account_event, ProjectionError};
use crate::store::Position;

/// One figure on which the events and the projection disagree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Difference {
    pub aggregate_id: String,
    /// `None` for a figure of the whole account.
    pub invoice_number: Option<String>,
    pub figure: &'static str,
    pub from_events: Option<Cents>,
    pub in_projection: Option<Cents>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    pub administration: String,
    /// The projection's checkpoint: events up to here were folded.
    pub position: Position,
    pub accounts: usize,
    pub invoices: usize,
    pub differences: Vec<Difference>,
}

type Figures = BTreeMap<(String, String), (Cents, Cents)>;

pub async fn verify(pool: &PgPool, administration: &AdministrationId) -> Result<VerifyReport, AuditError> {
    let mut tx = pool.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY").execute(&mut *tx).await?;
    let position = crate::projections::live_position(&mut tx, crate::projections::Projection::Receivables)
        .await?
        .ok_or(ProjectionError::NotBuilt { name: "receivables" })?;
    let prefix = format!("{administration}:");
    let rows = sqlx::query(
        "SELECT aggregate_id, sequence, event_type, event_version, payload::text AS payload FROM events \
         WHERE aggregate_type = 'DebtorAccount' AND starts_with(aggregate_id, $1) \
         AND (tx_id, global_position) <= ($2::text::xid8, $3) ORDER BY aggregate_id, sequence",
    )
    .bind(&prefix)
    .bind(position.tx.to_string())
    .bind(position.pos)
    .fetch_all(&mut *tx)
    .await?;
    let mut states: HashMap<String, DebtorAccount> = HashMap::new();
    for row in rows {
        let event_type: String = row.try_get("event_type")?;
        let version: String = row.try_get("event_version")?;
        let payload: serde_json::Value = serde_json::from_str(&row.try_get::<String, _>("payload")?)
            .map_err(|e| ProjectionError::Corrupt(format!("{event_type}: {e}")))?;
        // Old versions go through the upcasters first, like every other reader.
        let (payload, _) = upcast::upcast("DebtorAccount", &event_type, &version, payload)
            .map_err(|e| ProjectionError::Corrupt(e.to_string()))?;
        match serde_json::from_value::<DebtorAccountEvent>(payload) {
            Ok(event) => states.entry(row.try_get("aggregate_id")?).or_default().apply(event),
            Err(_) if !is_known_account_event(&event_type) => {}
            Err(error) => return Err(ProjectionError::Corrupt(format!("{event_type}: {error}")).into()),
        }
    }
    let mut from_events = Figures::new();
    for (id, state) in &states {
        for (number, invoice) in &state.invoices {
            from_events.insert((id.clone(), number.as_str().to_owned()), (invoice.amount, invoice.open_principal()));
        }
    }
    let projected: Figures = sqlx::query_as::<_, (String, String, i64, i64)>(
        "SELECT aggregate_id, invoice_number, amount, open_amount FROM invoice_list WHERE administration = $1",
    )
    .bind(administration.as_str())
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|(id, number, amount, open)| ((id, number), (Cents::new(amount), Cents::new(open))))
    .collect();
    let balances: HashMap<String, i64> =
        sqlx::query_as("SELECT aggregate_id, outstanding FROM debtor_balance WHERE administration = $1")
            .bind(administration.as_str())
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .collect();
    tx.commit().await?;
    let mut differences = compare_invoices(&from_events, &projected);
    differences.extend(compare_balances(&states, &balances));
    Ok(VerifyReport {
        administration: administration.to_string(),
        position,
        accounts: states.len(),
        invoices: from_events.len(),
        differences,
    })
}

fn compare_invoices(from_events: &Figures, projected: &Figures) -> Vec<Difference> {
    let mut differences = Vec::new();
    let keys: std::collections::BTreeSet<&(String, String)> = from_events.keys().chain(projected.keys()).collect();
    for key in keys {
        let (ours, theirs) = (from_events.get(key), projected.get(key));
        for (figure, pick) in [("amount", 0), ("open", 1)] {
            let get = |f: Option<&(Cents, Cents)>| f.map(|(amount, open)| if pick == 0 { *amount } else { *open });
            if get(ours) != get(theirs) {
                differences.push(Difference {
                    aggregate_id: key.0.clone(),
                    invoice_number: Some(key.1.clone()),
                    figure,
                    from_events: get(ours),
                    in_projection: get(theirs),
                });
            }
        }
    }
    differences
}

fn compare_balances(states: &HashMap<String, DebtorAccount>, balances: &HashMap<String, i64>) -> Vec<Difference> {
    let mut ids: Vec<&String> = states.keys().chain(balances.keys()).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.into_iter()
        .filter_map(|id| {
            let ours = states
                .get(id)
                .map(|s| s.invoices.values().map(|i| i.open_principal().get()).filter(|open| *open > 0).sum::<i64>());
            let theirs = balances.get(id).copied();
            (ours != theirs).then(|| Difference {
                aggregate_id: id.clone(),
                invoice_number: None,
                figure: "outstanding",
                from_events: ours.map(Cents::new),
                in_projection: theirs.map(Cents::new),
            })
        })
        .collect()
}
