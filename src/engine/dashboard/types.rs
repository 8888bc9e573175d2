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
    /// Open, no reminder yet, and due on `today` or later.
    NotDue,
    /// Past due, no reminder yet.
    Overdue,
    /// Open; the first reminder is the latest letter sent.
    Reminder1,
    /// Open; the second reminder is the latest letter sent.
    Reminder2,
    /// Open; the third reminder is the latest letter sent.
    Reminder3,
    /// Open; the 14-day letter (veertiendagenbrief, art. 6:96 lid 6 BW) is the latest letter sent.
    FourteenDayLetter,
    /// Open and in an open collection case.
    Collection,
    /// Open and paused: the invoice itself, or its debtor (a reminders-only pause of the debtor
    /// leaves an invoice in collection in `Collection`).
    Paused,
    /// Nothing open, and no credit note settled any of it.
    Paid,
    /// Nothing open, and a credit note settled part or all of it.
    Credited,
}

impl Phase {
    /// Every phase, in the order the dashboard lists them (and `Engine::phase_totals` returns them).
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

    /// The phase named `text` (`Overdue`, `FourteenDayLetter`, …), ignoring ASCII case; `None` for
    /// any other text.
    pub fn parse(text: &str) -> Option<Phase> {
        Phase::ALL.into_iter().find(|p| format!("{p:?}").eq_ignore_ascii_case(text))
    }
}

/// Outstanding and overdue (past the due date) totals of an administration.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// The open amount of every invoice that is not paid or credited, due or not (`phase_totals`).
    pub outstanding: Cents,
    /// How many invoices `outstanding` sums.
    pub open_invoices: i64,
    /// The part of `outstanding` on invoices due before `today`.
    pub overdue: Cents,
    /// How many invoices `overdue` sums.
    pub overdue_invoices: i64,
}

/// Days past the due date that a bucket covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum BucketRange {
    /// Due on `today` or later.
    NotDue,
    /// `from..=to` days past due; `to: None` is open-ended.
    PastDue {
        /// The fewest days past due in the bucket, at least 1.
        from: u32,
        /// The most days past due in the bucket; `None` for the oldest bucket, which has no end.
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

/// Boundaries that [`AgeingBoundaries::new`] refused (empty, starting at zero, or not strictly
/// ascending), as they were given.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("ageing boundaries must be positive and strictly ascending, got {0:?}")]
pub struct BadBoundaries(pub Vec<u32>);

impl AgeingBoundaries {
    /// The boundaries `bounds`, in days past due; refused unless they are non-empty, positive and
    /// strictly ascending.
    pub fn new(bounds: Vec<u32>) -> Result<Self, BadBoundaries> {
        let ascending = bounds.windows(2).all(|w| w[0] < w[1]);
        if bounds.is_empty() || bounds[0] == 0 || !ascending {
            return Err(BadBoundaries(bounds));
        }
        Ok(AgeingBoundaries(bounds))
    }

    /// The upper bounds in days past due, ascending, as given to `new`.
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

/// The open invoices in one ageing bucket on `today` (`Engine::ageing`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct AgeBucket {
    /// The days past due the bucket covers.
    pub range: BucketRange,
    /// The open amount of the invoices in the bucket.
    pub open: Cents,
    /// How many invoices are in the bucket.
    pub count: i64,
}

/// The invoices in one phase on `today` (`Engine::phase_totals`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct PhaseTotal {
    /// Which phase; every phase has a total, zeros included.
    pub phase: Phase,
    /// How many invoices are in the phase.
    pub count: i64,
    /// The open amount of those invoices.
    pub open: Cents,
}

/// Days sales outstanding for one month (Payt): outstanding at the month's end ÷ (invoiced over the
/// month and the previous 11 ÷ the days in those 12 months). Credit notes are not invoices, and an
/// invoice counts in full until it is wholly settled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Dso {
    /// The first day of the month.
    pub month: NaiveDate,
    /// Outstanding at the month's end: everything invoiced up to it, less the full amounts of the
    /// invoices settled up to it (`invoiced_by_month`).
    pub outstanding: Cents,
    /// What was invoiced in the month and the 11 before it.
    pub invoiced_12_months: Cents,
    /// The number of days in those 12 months (365 or 366).
    pub days_in_12_months: i64,
    /// DSO in hundredths of a day, rounded half up; `None` when nothing was invoiced.
    pub dso_hundredths: Option<i64>,
}

/// One debtor's line in the top list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DebtorLine {
    /// The debtor's code in the books.
    pub debtor_code: String,
    /// The debtor's name as last imported (`debtor_balance`).
    pub name: String,
    /// The open amount of the debtor's invoices, due or not.
    pub outstanding: Cents,
    /// How many of the debtor's invoices have anything open.
    pub open_invoices: i64,
    /// The earliest due date of the debtor's open invoices; `None` when nothing is open.
    pub oldest_open_due: Option<NaiveDate>,
    /// The phase of the debtor's furthest open invoice; `None` when nothing is open.
    pub phase: Option<Phase>,
    /// What the debtor's credit notes hold that no link to an invoice uses.
    pub unallocated_credit: Cents,
}

/// One invoice as the dashboard lists it: the stored line of the `invoice_list` projection, with
/// the phase and the days past due for `today`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InvoiceLine {
    /// The code of the debtor the invoice is to.
    pub debtor_code: String,
    /// The invoice number, unique within the administration.
    pub invoice_number: String,
    /// The invoice's date in the books.
    pub invoice_date: NaiveDate,
    /// The day the invoice is due; it is past due from the day after.
    pub due_date: NaiveDate,
    /// The invoice's amount as imported.
    pub amount: Cents,
    /// What is still open: `amount − paid − credited − adjusted`.
    pub open: Cents,
    /// Principal settled by linked payments.
    pub paid: Cents,
    /// Principal settled by linked credit notes.
    pub credited: Cents,
    /// Net reductions of the open amount that the books made and no link explains
    /// (`OpenAmountAdjusted`).
    pub adjusted: Cents,
    /// The invoice's phase on `today`.
    pub phase: Phase,
    /// Negative before the due date.
    pub days_past_due: i64,
    /// Each dunning step by name (`Reminder1`, …, `FourteenDayLetter`) → the day its first letter
    /// was sent; `Collection` → the day the case started.
    pub steps: BTreeMap<String, NaiveDate>,
    /// The day from whose start the claim is prescribed: five years from the day after the due date
    /// (art. 3:307 BW), restarted by every letter sent (art. 3:317); `None` when that date is out of
    /// range.
    pub prescribes_on: Option<NaiveDate>,
    /// The day the open amount last reached zero; `None` while anything is open.
    pub settled_on: Option<NaiveDate>,
}

/// One debtor: the balance, what is overdue today, and every invoice in due-date order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DebtorDetail {
    /// The debtor's balance, as in the top list.
    pub line: DebtorLine,
    /// The open amount of the debtor's invoices due before `today`.
    pub overdue: Cents,
    /// Every invoice of the debtor, settled ones included, by due date and then number.
    pub invoices: Vec<InvoiceLine>,
}

/// Which invoices a page lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvoiceFilter {
    /// The invoices in this phase on `today`.
    Phase(Phase),
    /// The invoices with anything open whose days past due on `today` fall in this bucket.
    Bucket(BucketRange),
}

/// Where the next page starts: after this due date and invoice number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Cursor {
    /// The due date of the last invoice already listed.
    pub due_date: NaiveDate,
    /// The number of the last invoice already listed.
    pub invoice_number: String,
}

/// One page of `Engine::invoice_page`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InvoicePage {
    /// At most `limit` invoices, by due date and then number.
    pub invoices: Vec<InvoiceLine>,
    /// Where the next page starts: set when this page is full (the next one may be empty), `None`
    /// when it holds fewer than `limit` invoices.
    pub next: Option<Cursor>,
}
