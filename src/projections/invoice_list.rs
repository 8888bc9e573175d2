//! `invoice_list`: one row per invoice — debtor, dates, amounts, open amount, stored phase, the day
//! of each dunning step, and when the claim prescribes (art. 3:307/3:317 from the reminders sent);
//! and all of it once more as the dashboard's encoded `line`.

mod line;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::decode::split_account_id;
use super::receivables::apply::COLLECTION_STEP;
use super::receivables::{InvoiceView, Stage};
use super::write::TableRow;
use crate::domain::limitation;
use crate::domain::Cents;
use crate::events::debtor_account::PauseScope;

pub use line::{decode as decode_line, Line, LineFields};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceRow {
    pub administration: String,
    pub debtor_code: String,
    pub aggregate_id: String,
    pub invoice_number: String,
    pub invoice_date: NaiveDate,
    pub due_date: NaiveDate,
    pub amount: Cents,
    pub open_amount: Cents,
    pub paid: Cents,
    pub credited: Cents,
    pub adjusted: Cents,
    pub phase: Stage,
    pub steps: BTreeMap<String, NaiveDate>,
    pub prescribes_on: Option<NaiveDate>,
    pub settled_on: Option<NaiveDate>,
    /// The fields above as the dashboard reads them (`Line::of`).
    pub line: Line,
}

impl TableRow for InvoiceRow {
    const TABLE: &'static str = "invoice_list";
    const COLUMNS: &'static [&'static str] = &[
        "administration",
        "debtor_code",
        "aggregate_id",
        "invoice_number",
        "invoice_date",
        "due_date",
        "amount",
        "open_amount",
        "paid",
        "credited",
        "adjusted",
        "phase",
        "steps",
        "prescribes_on",
        "settled_on",
        "line",
    ];
    const KEY: &'static [&'static str] = &["aggregate_id", "invoice_number"];
}

/// The row of one invoice of the account `aggregate_id`.
pub fn row(aggregate_id: &str, number: &str, invoice: &InvoiceView, pause: Option<PauseScope>) -> InvoiceRow {
    let (administration, debtor_code) = split_account_id(aggregate_id);
    // Every letter sent interrupts limitation; the start of a case is not a letter of its own.
    let letters: Vec<NaiveDate> =
        invoice.steps.iter().filter(|(step, _)| step.as_str() != COLLECTION_STEP).map(|(_, on)| *on).collect();
    let mut row = InvoiceRow {
        administration: administration.to_owned(),
        debtor_code: debtor_code.to_owned(),
        aggregate_id: aggregate_id.to_owned(),
        invoice_number: number.to_owned(),
        invoice_date: invoice.invoice_date,
        due_date: invoice.due_date,
        amount: invoice.amount,
        open_amount: invoice.open(),
        paid: invoice.paid,
        credited: invoice.credited,
        adjusted: invoice.adjusted,
        phase: Stage::of(invoice, pause),
        steps: invoice.steps.clone(),
        prescribes_on: limitation::prescription(invoice.due_date, &letters).ok().map(|p| p.prescribes_on),
        settled_on: invoice.settled_on,
        line: Line::default(),
    };
    row.line = Line::of(&row);
    row
}
