//! Limitation (verjaring) of a claim to payment: art. 3:307 BW (five years from the day after the
//! claim became due), interrupted by a written reminder (art. 3:317 lid 1), after which a new term
//! starts the next day, as long as the original but at most five years (art. 3:319 lid 1).

use chrono::{Days, Months, NaiveDate};

/// The term of art. 3:307 in years, and the cap on a renewed term of art. 3:319.
pub const TERM_YEARS: u32 = 5;

/// Why a prescription date cannot be computed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LimitationError {
    /// A date computed from the carried date falls past the supported calendar; the date is wrong.
    #[error("the date computed from {0} falls outside the supported calendar")]
    OutOfRange(NaiveDate),
    /// `prescription_with_term` got a term of zero years; pass the statutory term.
    #[error("a limitation term of zero years is meaningless")]
    ZeroTerm,
}

/// When the claim prescribes, and what last restarted the term.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prescription {
    /// The first day of the running term.
    pub term_start: NaiveDate,
    /// The claim is prescribed from the start of this day.
    pub prescribes_on: NaiveDate,
    /// The last day on which a reminder (or a summons) still interrupts.
    pub last_day_to_act: NaiveDate,
    /// The written reminder that started the running term, if any.
    pub interrupted_by: Option<NaiveDate>,
}

impl Prescription {
    /// Whether the claim is prescribed (verjaard) on `on`: from the start of `prescribes_on`.
    pub fn is_prescribed(&self, on: NaiveDate) -> bool {
        on >= self.prescribes_on
    }
}

/// The prescription of a claim due (opeisbaar) on `due`, given the dates of written reminders.
pub fn prescription(due: NaiveDate, written_reminders: &[NaiveDate]) -> Result<Prescription, LimitationError> {
    prescription_with_term(due, written_reminders, TERM_YEARS)
}

/// As `prescription`, for another statutory term (e.g. a shorter one for consumer sales).
///
/// Reminders before the claim was due interrupt nothing, and a reminder on or after the day the
/// claim prescribed cannot revive it; both are ignored. A 29 February anniversary falls on 28 February.
pub fn prescription_with_term(
    due: NaiveDate,
    written_reminders: &[NaiveDate],
    years: u32,
) -> Result<Prescription, LimitationError> {
    if years == 0 {
        return Err(LimitationError::ZeroTerm);
    }
    let next_day = |date: NaiveDate| date.checked_add_days(Days::new(1)).ok_or(LimitationError::OutOfRange(date));
    let end = |start: NaiveDate, years: u32| {
        let months = years.checked_mul(12).ok_or(LimitationError::OutOfRange(start))?;
        start.checked_add_months(Months::new(months)).ok_or(LimitationError::OutOfRange(start))
    };
    let term_start = next_day(due)?;
    let mut current =
        Prescription { term_start, prescribes_on: end(term_start, years)?, last_day_to_act: due, interrupted_by: None };
    let mut reminders = written_reminders.to_vec();
    reminders.sort_unstable();
    for reminder in reminders {
        if reminder < due || reminder >= current.prescribes_on {
            continue;
        }
        let start = next_day(reminder)?;
        let prescribes_on = end(start, years.min(TERM_YEARS))?;
        if prescribes_on > current.prescribes_on {
            current =
                Prescription { term_start: start, prescribes_on, last_day_to_act: due, interrupted_by: Some(reminder) };
        }
    }
    current.last_day_to_act = current.prescribes_on.pred_opt().ok_or(LimitationError::OutOfRange(due))?;
    Ok(current)
}

#[cfg(test)]
mod tests;
