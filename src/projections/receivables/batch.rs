//! Writing the receivables read models: incrementally (load the views of the accounts a batch
//! touches, fold, write what changed) and in bulk (fold everything in memory, write every row).
//! Both paths derive rows with the same functions, so a rebuild equals an incremental build.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, Row};

use super::AccountView;
use crate::events::DebtorAccountEvent;
use crate::projections::copy;
use crate::projections::decode::decode_account_event;
use crate::projections::invoice_list::{self, InvoiceRow};
use crate::projections::tally::Tally;
use crate::projections::write::{self, table_of, TableRow};
use crate::projections::{debtor_balance, invoiced_by_month, open_by_due_date, phase_totals, ProjectionError};
use crate::store::StoredEvent;

/// The folded view of each account, so an incremental batch can continue where the last stopped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateRow {
    pub aggregate_id: String,
    pub state: AccountView,
}

impl TableRow for StateRow {
    const TABLE: &'static str = "receivables_state";
    const COLUMNS: &'static [&'static str] = &["aggregate_id", "state"];
    const KEY: &'static [&'static str] = &["aggregate_id"];
}

/// The rows of one account's invoices, in invoice-number order.
fn invoice_rows(aggregate_id: &str, view: &AccountView) -> Vec<InvoiceRow> {
    view.invoices.iter().map(|(number, invoice)| invoice_list::row(aggregate_id, number, invoice, view.pause)).collect()
}

type Fact = (String, DebtorAccountEvent, chrono::NaiveDate);

fn facts(events: &[StoredEvent]) -> Result<Vec<Fact>, ProjectionError> {
    let mut facts = Vec::new();
    for event in events {
        if let Some(fact) = decode_account_event(event)? {
            facts.push((event.aggregate_id.clone(), fact, event.recorded_at.date_naive()));
        }
    }
    Ok(facts)
}

/// Folds one batch into generation `generation` of the receivables tables.
pub async fn apply_batch(
    conn: &mut PgConnection,
    generation: i32,
    events: &[StoredEvent],
) -> Result<(), ProjectionError> {
    let facts = facts(events)?;
    if facts.is_empty() {
        return Ok(());
    }
    let mut ids: Vec<String> = facts.iter().map(|(id, _, _)| id.clone()).collect();
    ids.sort_unstable();
    ids.dedup();
    let before = load(conn, generation, &ids).await?;
    let mut after = before.clone();
    for (id, fact, recorded_on) in facts {
        after.entry(id).or_default().apply(fact, recorded_on);
    }
    let empty = AccountView::default();
    let (mut invoices, mut balances, mut states) = (Vec::new(), Vec::new(), Vec::new());
    let (mut due, mut months, mut phases) = (Tally::default(), Tally::default(), Tally::default());
    for (id, view) in &after {
        let old_view = before.get(id);
        let old_rows = invoice_rows(id, old_view.unwrap_or(&empty));
        let new_rows = invoice_rows(id, view);
        for new in &new_rows {
            let old = old_rows.iter().find(|o| o.invoice_number == new.invoice_number);
            if old == Some(new) {
                continue;
            }
            if let Some(old) = old {
                open_by_due_date::count(&mut due, old, -1);
                phase_totals::count(&mut phases, old, -1);
                invoiced_by_month::count(&mut months, old, -1);
            }
            open_by_due_date::count(&mut due, new, 1);
            phase_totals::count(&mut phases, new, 1);
            invoiced_by_month::count(&mut months, new, 1);
            invoices.push(new.clone());
        }
        let balance = debtor_balance::row(id, view, &new_rows);
        if old_view.is_none() || debtor_balance::row(id, old_view.unwrap_or(&empty), &old_rows) != balance {
            balances.push(balance);
        }
        if old_view != Some(view) {
            states.push(StateRow { aggregate_id: id.clone(), state: view.clone() });
        }
    }
    write::upsert(conn, generation, &states).await?;
    write::upsert(conn, generation, &invoices).await?;
    write::upsert(conn, generation, &balances).await?;
    write::add(conn, generation, open_by_due_date::SUMS, &open_by_due_date::rows(due)).await?;
    write::add(conn, generation, phase_totals::SUMS, &phase_totals::rows(phases)).await?;
    write::add(conn, generation, invoiced_by_month::SUMS, &invoiced_by_month::rows(months)).await?;
    Ok(())
}

async fn load(
    conn: &mut PgConnection,
    generation: i32,
    ids: &[String],
) -> Result<HashMap<String, AccountView>, ProjectionError> {
    let sql = format!(
        "SELECT aggregate_id, state::text AS state FROM {} WHERE aggregate_id = ANY($1)",
        table_of(StateRow::TABLE, generation)
    );
    let rows = sqlx::query(&sql).bind(ids).fetch_all(conn).await?;
    let mut views = HashMap::with_capacity(rows.len());
    for row in rows {
        let state: String = row.try_get("state")?;
        let view =
            serde_json::from_str(&state).map_err(|e| ProjectionError::Corrupt(format!("receivables state: {e}")))?;
        views.insert(row.try_get("aggregate_id")?, view);
    }
    Ok(views)
}

/// Folds a whole log in memory for a rebuild.
#[derive(Debug, Default)]
pub struct Builder {
    views: HashMap<String, AccountView>,
}

impl Builder {
    pub fn add(&mut self, event: &StoredEvent) -> Result<(), ProjectionError> {
        if let Some(fact) = decode_account_event(event)? {
            let view = self.views.entry(event.aggregate_id.clone()).or_default();
            view.apply(fact, event.recorded_at.date_naive());
        }
        Ok(())
    }

    /// Writes every row into the empty build `generation`; returns the number of rows written.
    pub async fn write(self, conn: &mut PgConnection, generation: i32) -> Result<u64, ProjectionError> {
        let (mut invoices, mut balances) = (Vec::new(), Vec::new());
        let (mut due, mut months, mut phases) = (Tally::default(), Tally::default(), Tally::default());
        for (id, view) in &self.views {
            let rows = invoice_rows(id, view);
            for row in &rows {
                open_by_due_date::count(&mut due, row, 1);
                phase_totals::count(&mut phases, row, 1);
                invoiced_by_month::count(&mut months, row, 1);
            }
            balances.push(debtor_balance::row(id, view, &rows));
            invoices.extend(rows);
        }
        let mut written = copy::fill(conn, generation, &invoices).await?;
        drop(invoices);
        written += copy::fill(conn, generation, &balances).await?;
        written += copy::fill(conn, generation, &open_by_due_date::rows(due)).await?;
        written += copy::fill(conn, generation, &phase_totals::rows(phases)).await?;
        written += copy::fill(conn, generation, &invoiced_by_month::rows(months)).await?;
        let states: Vec<StateRow> =
            self.views.into_iter().map(|(aggregate_id, state)| StateRow { aggregate_id, state }).collect();
        written += copy::fill(conn, generation, &states).await?;
        Ok(written)
    }
}
