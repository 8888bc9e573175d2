//! The typed answers of the dashboard queries. Amounts are `Cents`; every date-dependent figure
//! was computed for the `today` the caller passed.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::domain::Cents;
use crate::projections::Stage;

/// An invoice's phase (docs/ARCHITECTURE.md §7) as of a given day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Phase {
    NotDue,
    /// Past due, no reminder yet.
    Overdue,
    Reminder1,
    Reminder2,
    Reminder3,
    FourteenDayLetter,
    Collection,
    Paused,
    Paid,
    Credited,
}

impl Phase {
    pub const ALL: [Phase; 10] = [
        Phase::NotDue,
        Phase::Overdue,
        Phase::Reminder1,
        Phase::Reminder2,
        Phase::Reminder3,
        Phase::FourteenDayLetter,
        Phase::Collection,
        Phase::Paused,
        Phase::Paid,
        Phase::Credited,
    ];

    /// The phase of a stored stage for an invoice due on `due` (`Open` splits by the due date).
    pub fn of(stage: Stage, due: NaiveDate, today: NaiveDate) -> Phase {
        match stage {
            Stage::Open if due < today => Phase::Overdue,
            Stage::Open => Phase::NotDue,
            Stage::Reminder1 => Phase::Reminder1,
            Stage::Reminder2 => Phase::Reminder2,
            Stage::Reminder3 => Phase::Reminder3,
            Stage::FourteenDayLetter => Phase::FourteenDayLetter,
            Stage::Collection => Phase::Collection,
            Stage::Paused => Phase::Paused,
            Stage::Paid => Phase::Paid,
            Stage::Credited => Phase::Credited,
        }
    }

    /// The stored stage that holds this phase.
    pub fn stage(self) -> Stage {
        match self {
            Phase::NotDue | Phase::Overdue => Stage::Open,
            Phase::Reminder1 => Stage::Reminder1,
            Phase::Reminder2 => Stage::Reminder2,
            Phase::Reminder3 => Stage::Reminder3,
            Phase::FourteenDayLetter => Stage::FourteenDayLetter,
            Phase::Collection => Stage::Collection,
            Phase::Paused => Stage::Paused,
            Phase::Paid => Stage::Paid,
            Phase::Credited => Stage::Credited,
        }
    }

    pub fn parse(text: &str) -> Option<Phase> {
        Phase::ALL.into_iter().find(|p| format!("{p:?}").eq_ignore_ascii_case(text))
    }
}

/// Outstanding and overdue (past the due date) totals of an administration.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub outstanding: Cents,
    pub open_invoices: i64,
    pub overdue: Cents,
    pub overdue_invoices: i64,
}

/// Days past the due date that a bucket covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum BucketRange {
    NotDue,
    /// `from..=to` days past due; `to: None` is open-ended.
    PastDue {
        from: u32,
        to: Option<u32>,
    },
}

/// The upper bounds (in days past due) of the past-due buckets, ascending: `[30, 60, 90]` gives
/// 1–30, 31–60, 61–90 and > 90.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AgeingBoundaries(Vec<u32>);

impl Default for AgeingBoundaries {
    fn default() -> Self {
        AgeingBoundaries(vec![30, 60, 90])
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("ageing boundaries must be positive and strictly ascending, got {0:?}")]
pub struct BadBoundaries(pub Vec<u32>);

impl AgeingBoundaries {
    pub fn new(bounds: Vec<u32>) -> Result<Self, BadBoundaries> {
        let ascending = bounds.windows(2).all(|w| w[0] < w[1]);
        if bounds.is_empty() || bounds[0] == 0 || !ascending {
            return Err(BadBoundaries(bounds));
        }
        Ok(AgeingBoundaries(bounds))
    }

    pub fn bounds(&self) -> &[u32] {
        &self.0
    }

    /// The buckets in display order: not due, then from the youngest to the oldest.
    pub fn ranges(&self) -> Vec<BucketRange> {
        let mut ranges = vec![BucketRange::NotDue];
        let mut from = 1;
        for &to in &self.0 {
            ranges.push(BucketRange::PastDue { from, to: Some(to) });
            from = to + 1;
        }
        ranges.push(BucketRange::PastDue { from, to: None });
        ranges
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct AgeBucket {
    pub range: BucketRange,
    pub open: Cents,
    pub count: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct PhaseTotal {
    pub phase: Phase,
    pub count: i64,
    pub open: Cents,
}

/// Days sales outstanding for one month (Payt): outstanding at the month's end ÷ (invoiced over the
/// month and the previous 11 ÷ the days in those 12 months). Credit notes are not invoices, and an
/// invoice counts in full until it is wholly settled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Dso {
    /// The first day of the month.
    pub month: NaiveDate,
    pub outstanding: Cents,
    pub invoiced_12_months: Cents,
    pub days_in_12_months: i64,
    /// DSO in hundredths of a day, rounded half up; `None` when nothing was invoiced.
    pub dso_hundredths: Option<i64>,
}

/// One debtor's line in the top list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DebtorLine {
    pub debtor_code: String,
    pub name: String,
    pub outstanding: Cents,
    pub open_invoices: i64,
    pub oldest_open_due: Option<NaiveDate>,
    /// The phase of the debtor's furthest open invoice; `None` when nothing is open.
    pub phase: Option<Phase>,
    pub unallocated_credit: Cents,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InvoiceLine {
    pub debtor_code: String,
    pub invoice_number: String,
    pub invoice_date: NaiveDate,
    pub due_date: NaiveDate,
    pub amount: Cents,
    pub open: Cents,
    pub paid: Cents,
    pub credited: Cents,
    pub adjusted: Cents,
    pub phase: Phase,
    /// Negative before the due date.
    pub days_past_due: i64,
    pub steps: BTreeMap<String, NaiveDate>,
    pub prescribes_on: Option<NaiveDate>,
    pub settled_on: Option<NaiveDate>,
}

/// One debtor: the balance, what is overdue today, and every invoice in due-date order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DebtorDetail {
    pub line: DebtorLine,
    pub overdue: Cents,
    pub invoices: Vec<InvoiceLine>,
}

/// Which invoices a page lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvoiceFilter {
    Phase(Phase),
    Bucket(BucketRange),
}

/// Where the next page starts: after this due date and invoice number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Cursor {
    pub due_date: NaiveDate,
    pub invoice_number: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InvoicePage {
    pub invoices: Vec<InvoiceLine>,
    pub next: Option<Cursor>,
}
