//! Where an invoice stands (docs/ARCHITECTURE.md §7) and its ageing bucket.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::DunningStep;
use crate::domain::debtor_account::{DebtorAccount, Invoice};
use crate::events::debtor_account::PauseScope;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Phase {
    NotDue,
    /// Past its due date, no reminder yet.
    Overdue,
    /// The last dunning step taken.
    Step(DunningStep),
    Collection,
    Paused,
    Paid,
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
    NotDue,
    Days1To30,
    Days31To60,
    Days61To90,
    Over90,
}

pub fn ageing_bucket(due_date: NaiveDate, today: NaiveDate) -> AgeingBucket {
    match (today - due_date).num_days() {
        ..=0 => AgeingBucket::NotDue,
        1..=30 => AgeingBucket::Days1To30,
        31..=60 => AgeingBucket::Days31To60,
        61..=90 => AgeingBucket::Days61To90,
        _ => AgeingBucket::Over90,
    }
}
