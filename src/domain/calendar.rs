//! Dutch legal calendar: public holidays computed per year, working days, the presumed day a letter
//! is received, and the 14-day payment term of art. 6:96 lid 6 BW.
//!
//! Holidays follow the Algemene termijnenwet (art. 3), the law that governs statutory terms: New
//! Year's Day, Good Friday (lid 2), Easter Monday, King's Day, Liberation Day (5 May, *every* year,
//! although employers give it off only once in five years), Ascension Day, Whit Monday and both
//! Christmas days. Sundays (Easter Sunday, Whit Sunday) are never working days anyway.

mod holidays;

use chrono::{Datelike, Days, NaiveDate, Weekday};

pub use holidays::{easter_sunday, holiday, holidays, Holiday};

/// Why a calendar question has no answer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CalendarError {
    /// Counting from the carried date ran past the last date chrono supports; the date is wrong.
    #[error("the date computed from {0} falls outside the supported calendar")]
    OutOfRange(NaiveDate),
}

/// Monday to Friday and not a public holiday.
pub fn is_working_day(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && holiday(date).is_none()
}

/// The `n`-th working day after `date` (`n = 0` is `date` itself).
pub fn add_working_days(date: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
    nth_day_after(date, n, is_working_day)
}

/// How a letter reached the debtor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// E-mail: received on the day it was delivered.
    Email {
        /// The day the e-mail was delivered, which is the day of receipt.
        delivered: NaiveDate,
    },
    /// Ordinary post: received on a presumed day, see `PostalRule`.
    Post {
        /// The day the letter was posted.
        posted: NaiveDate,
    },
}

/// The presumption for ordinary post (reported by commentators, not a confirmed HR
/// holding, hence configurable): received on the `days`-th delivery day after posting, where a
/// delivery day is not a public holiday and not one of `no_delivery` (Sunday and Monday: PostNL does
/// not deliver letters on either).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostalRule {
    /// Which delivery day after posting the letter is presumed received on (2 by default).
    pub days: u32,
    /// The weekdays without letter delivery (Sunday and Monday by default).
    pub no_delivery: Vec<Weekday>,
}

impl Default for PostalRule {
    fn default() -> Self {
        PostalRule { days: 2, no_delivery: vec![Weekday::Sun, Weekday::Mon] }
    }
}

impl PostalRule {
    /// Whether letters are delivered on `date`: not a public holiday and not one of `no_delivery`.
    pub fn is_delivery_day(&self, date: NaiveDate) -> bool {
        !self.no_delivery.contains(&date.weekday()) && holiday(date).is_none()
    }
}

/// The day a letter is presumed to have been received.
pub fn presumed_receipt(delivery: Delivery, rule: &PostalRule) -> Result<NaiveDate, CalendarError> {
    match delivery {
        Delivery::Email { delivered } => Ok(delivered),
        Delivery::Post { posted } => nth_day_after(posted, rule.days, |d| rule.is_delivery_day(d)),
    }
}

/// A payment term counted from the day after receipt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PaymentTerm {
    /// The term's first day: the day after receipt.
    pub first: NaiveDate,
    /// The term's last day: a payment on it is in time.
    pub last: NaiveDate,
    /// The first day on which the consequences (collection costs) may follow.
    pub costs_from: NaiveDate,
}

/// The term of `days` days "aanvangende de dag na" receipt: `receipt + 1 ..= receipt + days`.
pub fn payment_term(receipt: NaiveDate, days: u32) -> Result<PaymentTerm, CalendarError> {
    let plus = |n: u32| receipt.checked_add_days(Days::new(u64::from(n))).ok_or(CalendarError::OutOfRange(receipt));
    Ok(PaymentTerm { first: plus(1)?, last: plus(days)?, costs_from: plus(days + 1)? })
}

/// The 14-day term of art. 6:96 lid 6 BW.
pub fn fourteen_day_term(receipt: NaiveDate) -> Result<PaymentTerm, CalendarError> {
    payment_term(receipt, 14)
}

/// Art. 1 Algemene termijnenwet: a statutory term ending on a Saturday, Sunday or holiday runs on to
/// the next day that is none of these. Whether it extends the 14-day letter's term is not settled
/// (no source we know of says), so `payment_term` does not apply it; callers that want the safe side can.
pub fn termijnenwet_last_day(last: NaiveDate) -> Result<NaiveDate, CalendarError> {
    if is_working_day(last) {
        Ok(last)
    } else {
        add_working_days(last, 1)
    }
}

/// The `n`-th day after `date` that satisfies `counts`.
fn nth_day_after(date: NaiveDate, n: u32, counts: impl Fn(NaiveDate) -> bool) -> Result<NaiveDate, CalendarError> {
    let mut day = date;
    let mut found = 0;
    while found < n {
        day = day.succ_opt().ok_or(CalendarError::OutOfRange(date))?;
        if counts(day) {
            found += 1;
        }
    }
    Ok(day)
}

#[cfg(test)]
mod tests;
