//! `invoiced_by_month (administration, month, invoiced, invoice_count, settled)`: what was invoiced
//! in each calendar month, and the full amounts of the invoices that were settled in it. Payt's DSO
//! counts a partly paid invoice as wholly outstanding, so outstanding at a month's end is
//! Σ invoiced − Σ settled over the months up to it. Credit notes are not invoices and are not counted.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::invoice_list::InvoiceRow;
use super::tally::Tally;
use super::write::TableRow;
use crate::domain::Cents;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthRow {
    pub administration: String,
    /// The first day of the month.
    pub month: NaiveDate,
    pub invoiced: Cents,
    pub invoice_count: i64,
    pub settled: Cents,
}

impl TableRow for MonthRow {
    const TABLE: &'static str = "invoiced_by_month";
    const COLUMNS: &'static [&'static str] = &["administration", "month", "invoiced", "invoice_count", "settled"];
    const KEY: &'static [&'static str] = &["administration", "month"];
}

pub const SUMS: &[&str] = &["invoiced", "invoice_count", "settled"];

pub type Key = (String, NaiveDate);

/// The first day of `date`'s month.
pub fn month_of(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

/// Adds (`sign` 1) or takes away (`sign` -1) one invoice's part.
pub fn count(tally: &mut Tally<Key, 3>, invoice: &InvoiceRow, sign: i64) {
    let amount = invoice.amount.get();
    tally.add((invoice.administration.clone(), month_of(invoice.invoice_date)), [amount, 1, 0], sign);
    if let Some(settled_on) = invoice.settled_on {
        tally.add((invoice.administration.clone(), month_of(settled_on)), [0, 0, amount], sign);
    }
}

pub fn rows(tally: Tally<Key, 3>) -> Vec<MonthRow> {
    tally
        .into_rows()
        .map(|((administration, month), [invoiced, invoice_count, settled])| MonthRow {
            administration,
            month,
            invoiced: Cents::new(invoiced),
            invoice_count,
            settled: Cents::new(settled),
        })
        .collect()
}
