//! `open_by_due_date (administration, due_date, phase, open_amount, count)`: the invoices of each
//! due date and stored phase. Ageing buckets, overdue totals and the count per phase for any "today"
//! are range sums over these few thousand rows, never a scan of the invoices. Settled invoices
//! (`Paid`, `Credited`) are counted here too, with no open amount.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::invoice_list::InvoiceRow;
use super::receivables::Stage;
use super::tally::Tally;
use super::write::TableRow;
use crate::domain::Cents;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueDateRow {
    pub administration: String,
    pub due_date: NaiveDate,
    pub phase: Stage,
    pub open_amount: Cents,
    pub count: i64,
}

impl TableRow for DueDateRow {
    const TABLE: &'static str = "open_by_due_date";
    const COLUMNS: &'static [&'static str] = &["administration", "due_date", "phase", "open_amount", "count"];
    const KEY: &'static [&'static str] = &["administration", "due_date", "phase"];
}

/// The summed columns.
pub const SUMS: &[&str] = &["open_amount", "count"];

pub type Key = (String, NaiveDate, Stage);

/// Adds (`sign` 1) or takes away (`sign` -1) one invoice's part.
pub fn count(tally: &mut Tally<Key, 2>, invoice: &InvoiceRow, sign: i64) {
    let key = (invoice.administration.clone(), invoice.due_date, invoice.phase);
    tally.add(key, [invoice.open_amount.get(), 1], sign);
}

pub fn rows(tally: Tally<Key, 2>) -> Vec<DueDateRow> {
    tally
        .into_rows()
        .map(|((administration, due_date, phase), [open, count])| DueDateRow {
            administration,
            due_date,
            phase,
            open_amount: Cents::new(open),
            count,
        })
        .collect()
}
