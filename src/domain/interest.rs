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
    /// The principal is below zero; interest runs only on an amount owed.
    #[error("the principal {0} is negative")]
    NegativePrincipal(Cents),
    /// The first interest day lies after the last; pass `from <= to`.
    #[error("the first interest day {from} lies after the last interest day {to}")]
    FromAfterTo {
        /// The first interest day given.
        from: NaiveDate,
        /// The last interest day given.
        to: NaiveDate,
    },
    /// The interest starts before the table's first rate of this kind; add the older rates to the
    /// table by configuration.
    #[error("no {kind} rate is known for {date}: the rate table starts on {first}")]
    BeforeFirstRate {
        /// The kind of rate asked for.
        kind: RateKind,
        /// The first interest day asked for.
        date: NaiveDate,
        /// The day the table's first rate of that kind takes effect.
        first: NaiveDate,
    },
    /// The table has no rate of this kind at all; add its rates by configuration.
    #[error("the rate table has no {kind} rates")]
    NoRates {
        /// The kind of rate asked for.
        kind: RateKind,
    },
    /// A date passed the supported calendar or an amount the range of `i64` cents.
    #[error("the interest overflows")]
    Overflow,
}

/// One period at one rate and one base.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InterestPeriod {
    /// The period's first day (inclusive).
    pub from: NaiveDate,
    /// The period's last day (inclusive).
    pub to: NaiveDate,
    /// The days in the period, both ends counted.
    pub days: i64,
    /// The yearly rate that applied.
    pub rate: Rate,
    /// The amount the interest runs on, in cents: the principal plus the interest capitalised at
    /// earlier anniversaries (art. 6:119 lid 2 BW).
    pub base: Cents,
    /// `base × rate × days / 365`, rounded half up to the cent.
    pub interest: Cents,
    /// False when the table marks the rate unverified, or the period runs past the half year of the
    /// table's last row (the rate only carried forward).
    pub verified: bool,
}

/// The result: the periods, their total, and whether every rate used is verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InterestCalculation {
    /// The periods in date order, split at every rate change and every anniversary of the start.
    pub periods: Vec<InterestPeriod>,
    /// The total interest in cents: the sum of the periods' rounded interest.
    pub interest: Cents,
    /// False when any period is unverified; outputs built on the result carry it on (for example
    /// `CollectionStarted`'s `rates_verified`).
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
