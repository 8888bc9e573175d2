//! `debtor_balance`: per debtor account — name, outstanding, number of open invoices, oldest open
//! due date, phase (the worst stage of its open invoices) and unallocated credit. What is overdue
//! depends on the reader's "today" and is summed from the debtor's open invoices at query time.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::decode::split_account_id;
use super::invoice_list::InvoiceRow;
use super::receivables::{plus, AccountView, Stage};
use super::write::TableRow;
use crate::domain::Cents;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalanceRow {
    pub administration: String,
    pub debtor_code: String,
    pub aggregate_id: String,
    pub name: String,
    pub outstanding: Cents,
    pub open_count: i64,
    pub oldest_open_due: Option<NaiveDate>,
    pub phase: Option<Stage>,
    pub unallocated_credit: Cents,
}

impl TableRow for BalanceRow {
    const TABLE: &'static str = "debtor_balance";
    const COLUMNS: &'static [&'static str] = &[
        "administration",
        "debtor_code",
        "aggregate_id",
        "name",
        "outstanding",
        "open_count",
        "oldest_open_due",
        "phase",
        "unallocated_credit",
    ];
    const KEY: &'static [&'static str] = &["aggregate_id"];
}

/// The balance of one account, from the rows of its invoices.
pub fn row(aggregate_id: &str, view: &AccountView, invoices: &[InvoiceRow]) -> BalanceRow {
    let (administration, debtor_code) = split_account_id(aggregate_id);
    let open: Vec<&InvoiceRow> = invoices.iter().filter(|i| i.open_amount.is_positive()).collect();
    BalanceRow {
        administration: administration.to_owned(),
        debtor_code: debtor_code.to_owned(),
        aggregate_id: aggregate_id.to_owned(),
        name: view.name.clone(),
        outstanding: open.iter().fold(Cents::ZERO, |sum, i| plus(sum, i.open_amount)),
        open_count: crate::convert::i64_of(open.len()),
        oldest_open_due: open.iter().map(|i| i.due_date).min(),
        phase: open.iter().map(|i| i.phase).max_by_key(|stage| stage.severity()),
        unallocated_credit: view.unallocated_credit(),
    }
}
