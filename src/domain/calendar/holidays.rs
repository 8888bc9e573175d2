//! The Dutch public holidays of the Algemene termijnenwet, computed for any year.

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// A public holiday ("algemeen erkende feestdag", art. 3 Algemene termijnenwet).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Holiday {
    /// Nieuwjaarsdag, 1 January.
    NewYearsDay,
    /// Goede Vrijdag, two days before Easter Sunday.
    GoodFriday,
    /// Tweede Paasdag, the day after Easter Sunday.
    EasterMonday,
    /// Koningsdag, 27 April (26 April when the 27th is a Sunday); before 2014 Koninginnedag, 30 April
    /// (29 April when the 30th is a Sunday).
    KingsDay,
    /// Bevrijdingsdag, 5 May, every year.
    LiberationDay,
    /// Hemelvaartsdag, 39 days after Easter Sunday.
    AscensionDay,
    /// Tweede Pinksterdag, 50 days after Easter Sunday.
    WhitMonday,
    /// Eerste Kerstdag, 25 December.
    ChristmasDay,
    /// Tweede Kerstdag, 26 December.
    SecondChristmasDay,
}

/// Easter Sunday by the anonymous Gregorian computus (Meeus/Jones/Butcher).
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

/// King's Day: 27 April, or 26 April when the 27th is a Sunday (Wet viering Koningsdag, from 2014).
/// Before 2014 Queen's Day: 30 April, or 29 April when the 30th is a Sunday.
fn kings_day(year: i32) -> Option<NaiveDate> {
    let day = if year >= 2014 { 27 } else { 30 };
    let date = NaiveDate::from_ymd_opt(year, 4, day)?;
    if date.weekday() == Weekday::Sun {
        date.pred_opt()
    } else {
        Some(date)
    }
}

/// All holidays of `year`, in date order.
pub fn holidays(year: i32) -> Vec<(NaiveDate, Holiday)> {
    let fixed = |month, day| NaiveDate::from_ymd_opt(year, month, day);
    let easter = easter_sunday(year);
    let from_easter = |offset: i64| {
        easter.and_then(|e| {
            let days = Days::new(offset.unsigned_abs());
            if offset < 0 {
                e.checked_sub_days(days)
            } else {
                e.checked_add_days(days)
            }
        })
    };
    let mut all: Vec<(NaiveDate, Holiday)> = [
        (fixed(1, 1), Holiday::NewYearsDay),
        (from_easter(-2), Holiday::GoodFriday),
        (from_easter(1), Holiday::EasterMonday),
        (kings_day(year), Holiday::KingsDay),
        (fixed(5, 5), Holiday::LiberationDay),
        (from_easter(39), Holiday::AscensionDay),
        (from_easter(50), Holiday::WhitMonday),
        (fixed(12, 25), Holiday::ChristmasDay),
        (fixed(12, 26), Holiday::SecondChristmasDay),
    ]
    .into_iter()
    .filter_map(|(date, holiday)| date.map(|d| (d, holiday)))
    .collect();
    all.sort();
    all
}

/// The holiday on `date`, if any. When two coincide (Ascension Day on 5 May) the one listed first in
/// `Holiday` is named; either way the day is not a working day.
pub fn holiday(date: NaiveDate) -> Option<Holiday> {
    holidays(date.year()).into_iter().find(|(d, _)| *d == date).map(|(_, h)| h)
}
