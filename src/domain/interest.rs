//! Statutory interest (art. 6:119 BW) and commercial interest (art. 6:119a/b BW).
//!
//! The interest over `from..=to` (both days inclusive) is split at every rate change and at every
//! yearly anniversary of `from`; each period earns `base × rate × days / 365`, rounded half-up to the
//! cent. At each anniversary the interest of the past year is added to the base (6:119 lid 2,
//! 6:119a lid 3). The /365 day count (also in leap years) is the common practice of Dutch
//! calculators and courts.

mod rate;
mod start;
mod table;

use chrono::{Months, NaiveDate};
use tracing::instrument;

use crate::domain::money::Cents;

pub use rate::{div_half_up, Rate, RateError, PPM_PER_UNIT};
pub use start::{first_day_after_due_date, first_day_without_agreed_term};
pub use table::{RateEntry, RateKind, RateSegment, RateTable, RateTableError};

/// Days in the day-count year.
const DAYS_PER_YEAR: i128 = 365;

/// Why interest cannot be calculated.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InterestError {
    #[error("the principal {0} is negative")]
    NegativePrincipal(Cents),
    #[error("the first interest day {from} lies after the last interest day {to}")]
    FromAfterTo { from: NaiveDate, to: NaiveDate },
    #[error("no {kind} rate is known for {date}: the rate table starts on {first}")]
    BeforeFirstRate { kind: RateKind, date: NaiveDate, first: NaiveDate },
    #[error("the rate table has no {kind} rates")]
    NoRates { kind: RateKind },
    #[error("the interest overflows")]
    Overflow,
}

/// One period at one rate and one base.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InterestPeriod {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub days: i64,
    pub rate: Rate,
    pub base: Cents,
    pub interest: Cents,
    pub verified: bool,
}

/// The result: the periods, their total, and whether every rate used is verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InterestCalculation {
    pub periods: Vec<InterestPeriod>,
    pub interest: Cents,
    pub rates_verified: bool,
}

/// Interest of `kind` on `principal` for the days `from..=to`.
#[instrument(skip_all, fields(?kind, %principal, %from, %to))]
pub fn calculate(
    table: &RateTable,
    kind: RateKind,
    principal: Cents,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<InterestCalculation, InterestError> {
    if principal.is_negative() {
        return Err(InterestError::NegativePrincipal(principal));
    }
    if from > to {
        return Err(InterestError::FromAfterTo { from, to });
    }
    let segments = table.segments(kind, from, to)?;
    let mut periods = Vec::new();
    let mut base = i128::from(principal.get());
    let mut accrued_this_year: i128 = 0;
    let mut year: u32 = 1;
    for segment in segments {
        let mut cursor = segment.from;
        while cursor <= segment.to {
            let anniversary = anniversary(from, year)?;
            if cursor == anniversary {
                // Capitalisation: last year's interest joins the base (6:119 lid 2).
                base += accrued_this_year;
                accrued_this_year = 0;
                year += 1;
                continue;
            }
            let end = segment.to.min(anniversary.pred_opt().ok_or(InterestError::Overflow)?);
            let period = period(cursor, end, segment, base)?;
            accrued_this_year += i128::from(period.interest.get());
            periods.push(period);
            cursor = end.succ_opt().ok_or(InterestError::Overflow)?;
        }
    }
    let total = Cents::checked_sum(periods.iter().map(|p| p.interest)).map_err(|_| InterestError::Overflow)?;
    let rates_verified = periods.iter().all(|p| p.verified);
    Ok(InterestCalculation { periods, interest: total, rates_verified })
}

/// The `year`-th anniversary of the first interest day: the first day of interest year `year + 1`.
fn anniversary(from: NaiveDate, year: u32) -> Result<NaiveDate, InterestError> {
    // Counted from `from` each time, so a 29 February start does not drift to the 28th for good.
    let months = year.checked_mul(12).ok_or(InterestError::Overflow)?;
    from.checked_add_months(Months::new(months)).ok_or(InterestError::Overflow)
}

fn period(from: NaiveDate, to: NaiveDate, segment: RateSegment, base: i128) -> Result<InterestPeriod, InterestError> {
    let days = (to - from).num_days() + 1;
    let numerator = base
        .checked_mul(i128::from(segment.rate.ppm()))
        .and_then(|n| n.checked_mul(i128::from(days)))
        .ok_or(InterestError::Overflow)?;
    let interest = div_half_up(numerator, PPM_PER_UNIT * DAYS_PER_YEAR);
    let to_cents = |v: i128| i64::try_from(v).map(Cents::new).map_err(|_| InterestError::Overflow);
    Ok(InterestPeriod {
        from,
        to,
        days,
        rate: segment.rate,
        base: to_cents(base)?,
        interest: to_cents(interest)?,
        verified: segment.verified,
    })
}

#[cfg(test)]
mod tests;
