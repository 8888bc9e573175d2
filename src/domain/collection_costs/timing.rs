//! When collection costs become owed: B2B from the day after the last day of payment (6:96 lid 4),
//! consumers only after a lawful 14-day letter has run out unpaid (6:96 lid 6, HR 2016:2704).

use chrono::NaiveDate;

use super::{for_letter, CostsBreakdown, CostsError, VatSurcharge, MINIMUM};
use crate::domain::calendar;
use crate::domain::money::Cents;

/// The fixed €40 a business debtor owes without any letter from the day after the agreed or statutory
/// last day of payment (art. 6:96 lid 4); before that day nothing.
pub fn b2b_minimum_owed(last_day_of_payment: NaiveDate, on: NaiveDate) -> Cents {
    if on > last_day_of_payment {
        MINIMUM
    } else {
        Cents::ZERO
    }
}

/// The moment from which the letter's payment term is counted, as its wording states it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TermAnchor {
    /// "… vanaf de dag nadat deze brief bij u is bezorgd": the only lawful start (HR 2016:2704).
    Receipt,
    /// "… na dagtekening": starts too early.
    DateOfLetter,
    /// "… na verzending": starts too early.
    Dispatch,
    /// "… na heden": starts too early.
    Today,
}

/// The payment term a letter states: `days` counted from the day after `anchor`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LetterTerm {
    /// What the letter says the term counts from.
    pub anchor: TermAnchor,
    /// The days of the term; 14 or more is lawful.
    pub days: u32,
}

impl LetterTerm {
    /// Fourteen days from the day after receipt.
    pub const STATUTORY: LetterTerm = LetterTerm { anchor: TermAnchor::Receipt, days: 14 };

    /// Counted from receipt and at least 14 days; a longer term is allowed ("vijftien dagen nadat
    /// deze brief bij u is bezorgd" is `days: 15`).
    pub fn is_lawful(self) -> bool {
        self.anchor == TermAnchor::Receipt && self.days >= 14
    }
}

/// A 14-day letter as the debtor received it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConsumerLetter {
    /// The (presumed) day of receipt; see `calendar::presumed_receipt`.
    pub received: NaiveDate,
    /// The payment term as the letter words it.
    pub term: LetterTerm,
}

/// Why a consumer owes no collection costs (yet).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotOwedReason {
    /// The letter's term starts before receipt or is shorter than 14 days: costs never become owed
    /// on this letter; send a new, correct one.
    UnlawfulTerm,
    /// The term is still running; costs can be owed from `costs_from` on.
    TermRunning {
        /// The day after the term's last day.
        costs_from: NaiveDate,
    },
    /// Everything was paid within the term.
    PaidWithinTerm,
}

/// The consumer's position on a given day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsumerCosts {
    /// No costs are owed on that day; the reason says why and what can still happen.
    NotOwed(NotOwedReason),
    /// Owed from `from`, computed over the principal left unpaid at the end of the term.
    Owed {
        /// The first day the costs are owed: the day after the term's last day.
        from: NaiveDate,
        /// The costs over the principal left unpaid at the end of the term.
        breakdown: CostsBreakdown,
    },
}

/// Collection costs a consumer owes on `on` for a letter over `principal` (all claims, summed).
///
/// Payments made up to and including the last day of the term lower the base: the costs are
/// recalculated over the unpaid remainder. Payments after the term do not undo owed costs.
pub fn consumer_costs(
    letter: ConsumerLetter,
    principal: Cents,
    payments: &[(NaiveDate, Cents)],
    vat: VatSurcharge,
    on: NaiveDate,
) -> Result<ConsumerCosts, CostsError> {
    if !letter.term.is_lawful() {
        return Ok(ConsumerCosts::NotOwed(NotOwedReason::UnlawfulTerm));
    }
    let term = calendar::payment_term(letter.received, letter.term.days)
        .map_err(|_| CostsError::DateOutOfRange(letter.received))?;
    if on < term.costs_from {
        return Ok(ConsumerCosts::NotOwed(NotOwedReason::TermRunning { costs_from: term.costs_from }));
    }
    let paid_in_term = payments.iter().filter(|(day, _)| *day <= term.last).map(|(_, amount)| *amount);
    let paid = Cents::checked_sum(paid_in_term).map_err(|_| CostsError::Overflow)?;
    let unpaid = principal.checked_sub(paid).map_err(|_| CostsError::Overflow)?;
    if !unpaid.is_positive() {
        return Ok(ConsumerCosts::NotOwed(NotOwedReason::PaidWithinTerm));
    }
    let breakdown = for_letter(&[unpaid], vat)?;
    Ok(ConsumerCosts::Owed { from: term.costs_from, breakdown })
}
