//! Where an invoice stands (docs/ARCHITECTURE.md §7) and its ageing bucket.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::DunningStep;
use crate::domain::debtor_account::{DebtorAccount, Invoice};
use crate::events::debtor_account::PauseScope;

/// Where an invoice stands in dunning on a day (docs/ARCHITECTURE.md §7), as `phase` decides it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Phase {
    /// The due date is today or later, and no reminder was sent.
    NotDue,
    /// Past its due date, no reminder yet.
    Overdue,
    /// The last dunning step taken.
    Step(DunningStep),
    /// In an open collection case, whatever is still open.
    Collection,
    /// Paused by hand: the invoice itself, or the debtor with scope `All`.
    Paused,
    /// No principal open and no open collection case.
    Paid,
    /// No principal open and a credit note linked to it; this wins over every other phase.
    Credited,
}

/// The phase of `invoice` on `today`. Settled beats everything; then a collection case; then a pause.
pub fn phase(account: &DebtorAccount, invoice: &Invoice, today: NaiveDate) -> Phase {
    if invoice.is_credited() {
        return Phase::Credited;
    }
    let case = account.dunning.open_case_of(&invoice.number);
    if !invoice.open_principal().is_positive() && case.is_none() {
        return Phase::Paid;
    }
    if case.is_some() {
        return Phase::Collection;
    }
    let debtor_paused = account.dunning.debtor_pause.as_ref().is_some_and(|p| p.scope == PauseScope::All);
    if debtor_paused || account.dunning.paused_invoices.contains_key(&invoice.number) {
        return Phase::Paused;
    }
    let last = account.dunning.steps.get(&invoice.number).and_then(|steps| steps.keys().next_back());
    match last {
        Some(step) => Phase::Step(*step),
        None if invoice.due_date < today => Phase::Overdue,
        None => Phase::NotDue,
    }
}

/// Days past the due date: not yet due, 1–30, 31–60, 61–90, more than 90.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AgeingBucket {
    /// On or before the due date.
    NotDue,
    /// 1 to 30 days past the due date.
    Days1To30,
    /// 31 to 60 days past the due date.
    Days31To60,
    /// 61 to 90 days past the due date.
    Days61To90,
    /// More than 90 days past the due date.
    Over90,
}

/// The bucket of an invoice due on `due_date`, by the days from the due date to `today`.
pub fn ageing_bucket(due_date: NaiveDate, today: NaiveDate) -> AgeingBucket {
    match (today - due_date).num_days() {
        ..=0 => AgeingBucket::NotDue,
        1..=30 => AgeingBucket::Days1To30,
        31..=60 => AgeingBucket::Days31To60,
        61..=90 => AgeingBucket::Days61To90,
        _ => AgeingBucket::Over90,
    }
}
