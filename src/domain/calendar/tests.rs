//! Table and property tests of `calendar`.

use chrono::{NaiveDate, Weekday};

use super::*;

fn d(text: &str) -> NaiveDate {
    text.parse().expect("test dates are valid")
}

#[test]
fn easter_by_the_computus() {
    let cases = [
        (1818, "1818-03-22"),
        (1943, "1943-04-25"),
        (2008, "2008-03-23"),
        (2019, "2019-04-21"),
        (2024, "2024-03-31"),
        (2025, "2025-04-20"),
        (2026, "2026-04-05"),
        (2038, "2038-04-25"),
    ];
    for (year, expected) in cases {
        assert_eq!(easter_sunday(year), Some(d(expected)), "{year}");
    }
}

#[test]
fn holidays_of_2025() {
    let expected = [
        ("2025-01-01", Holiday::NewYearsDay),
        ("2025-04-18", Holiday::GoodFriday),
        ("2025-04-21", Holiday::EasterMonday),
        // 27 April 2025 is a Sunday, so King's Day moves to Saturday the 26th.
        ("2025-04-26", Holiday::KingsDay),
        ("2025-05-05", Holiday::LiberationDay),
        ("2025-05-29", Holiday::AscensionDay),
        ("2025-06-09", Holiday::WhitMonday),
        ("2025-12-25", Holiday::ChristmasDay),
        ("2025-12-26", Holiday::SecondChristmasDay),
    ];
    let expected: Vec<(NaiveDate, Holiday)> = expected.iter().map(|(t, h)| (d(t), *h)).collect();
    assert_eq!(holidays(2025), expected);
}

#[test]
fn kings_day_rules() {
    let cases = [
        ("2014-04-26", true), // 27 April 2014 was a Sunday
        ("2014-04-27", false),
        ("2024-04-27", true),
        ("2026-04-27", true),
        ("2013-04-30", true), // Queen's Day before 2014
        ("2006-04-29", true), // 30 April 2006 was a Sunday
        ("2006-04-30", false),
    ];
    for (date, is_kings_day) in cases {
        assert_eq!(holiday(d(date)) == Some(Holiday::KingsDay), is_kings_day, "{date}");
    }
}

#[test]
fn liberation_day_every_year_and_coinciding_holidays() {
    for year in [2023, 2024, 2025, 2026] {
        let fifth = NaiveDate::from_ymd_opt(year, 5, 5).expect("valid");
        assert_eq!(holiday(fifth), Some(Holiday::LiberationDay), "{year}");
    }
    // In 2016 Ascension Day fell on 5 May.
    assert_eq!(holiday(d("2016-05-05")), Some(Holiday::LiberationDay));
    assert_eq!(holidays(2016).iter().filter(|(day, _)| *day == d("2016-05-05")).count(), 2);
}

#[test]
fn working_days() {
    let cases = [
        ("2025-03-07", true),  // Friday
        ("2025-03-08", false), // Saturday
        ("2025-03-09", false), // Sunday
        ("2025-04-18", false), // Good Friday
        ("2025-04-22", true),
        ("2025-12-26", false),
    ];
    for (date, working) in cases {
        assert_eq!(is_working_day(d(date)), working, "{date}");
    }
    assert_eq!(add_working_days(d("2025-03-07"), 1), Ok(d("2025-03-10")));
    assert_eq!(add_working_days(d("2025-04-17"), 1), Ok(d("2025-04-22")));
    assert_eq!(add_working_days(d("2025-04-17"), 0), Ok(d("2025-04-17")));
    assert_eq!(add_working_days(NaiveDate::MAX, 1), Err(CalendarError::OutOfRange(NaiveDate::MAX)));
}

#[test]
fn presumed_receipt_of_letters() {
    let rule = PostalRule::default();
    let post = |posted: &str| presumed_receipt(Delivery::Post { posted: d(posted) }, &rule);
    // I02: posted Friday 2025-03-07 → Saturday counts, Sunday and Monday do not → Tuesday.
    assert_eq!(post("2025-03-07"), Ok(d("2025-03-11")));
    // Posted Wednesday → Thursday, Friday.
    assert_eq!(post("2025-03-05"), Ok(d("2025-03-07")));
    // Posted Thursday → Friday, Saturday.
    assert_eq!(post("2025-03-06"), Ok(d("2025-03-08")));
    // Before Easter 2025: Good Friday and Easter Monday are skipped → Saturday 19, Tuesday 22.
    assert_eq!(post("2025-04-17"), Ok(d("2025-04-22")));
    assert_eq!(presumed_receipt(Delivery::Email { delivered: d("2025-03-09") }, &rule), Ok(d("2025-03-09")));
    let strict = PostalRule { days: 2, no_delivery: vec![Weekday::Sat, Weekday::Sun] };
    assert_eq!(presumed_receipt(Delivery::Post { posted: d("2025-03-06") }, &strict), Ok(d("2025-03-10")));
}

#[test]
fn g19_fourteen_day_term() {
    let term = fourteen_day_term(d("2025-03-05")).expect("in range");
    assert_eq!(term, PaymentTerm { first: d("2025-03-06"), last: d("2025-03-19"), costs_from: d("2025-03-20") });
    // I02 continued: received Tuesday 2025-03-11 → 03-12 … 03-25, costs from 03-26.
    let term = fourteen_day_term(d("2025-03-11")).expect("in range");
    assert_eq!((term.first, term.last, term.costs_from), (d("2025-03-12"), d("2025-03-25"), d("2025-03-26")));
}

#[test]
fn termijnenwet_extends_a_term_ending_on_a_free_day() {
    assert_eq!(termijnenwet_last_day(d("2025-03-19")), Ok(d("2025-03-19")));
    assert_eq!(termijnenwet_last_day(d("2025-03-22")), Ok(d("2025-03-24")));
    assert_eq!(termijnenwet_last_day(d("2025-04-18")), Ok(d("2025-04-22")));
}
