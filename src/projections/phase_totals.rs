//! `phase_totals (administration, phase, open_amount, count)`: the invoices and open amount of each
//! stored phase. With it, outstanding totals and the phase counts read a handful of rows, and only
//! the part that depends on "today" (what is not yet due, or within the ageing boundaries) is a
//! range sum over `open_by_due_date`: the cost does not grow with the administration's history.

use serde::{Deserialize, Serialize};

use super::invoice_list::InvoiceRow;
use super::receivables::Stage;
use super::tally::Tally;
use super::write::TableRow;
use crate::domain::Cents;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhaseRow {
    pub administration: String,
    pub phase: Stage,
    pub open_amount: Cents,
    pub count: i64,
}

impl TableRow for PhaseRow {
    const TABLE: &'static str = "phase_totals";
    const COLUMNS: &'static [&'static str] = &["administration", "phase", "open_amount", "count"];
    const KEY: &'static [&'static str] = &["administration", "phase"];
}

pub const SUMS: &[&str] = &["open_amount", "count"];

pub type Key = (String, Stage);

/// Adds (`sign` 1) or takes away (`sign` -1) one invoice's part.
pub fn count(tally: &mut Tally<Key, 2>, invoice: &InvoiceRow, sign: i64) {
    tally.add((invoice.administration.clone(), invoice.phase), [invoice.open_amount.get(), 1], sign);
}

pub fn rows(tally: Tally<Key, 2>) -> Vec<PhaseRow> {
    tally
        .into_rows()
        .map(|((administration, phase), [open, count])| PhaseRow {
            administration,
            phase,
            open_amount: Cents::new(open),
            count,
        })
        .collect()
}
