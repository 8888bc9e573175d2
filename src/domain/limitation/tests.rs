//! Table and property tests of `limitation`.

use chrono::NaiveDate;

use super::*;

fn d(text: &str) -> NaiveDate {
    text.parse().expect("test dates are valid")
}

#[test]
fn i03_five_years_restarted_by_a_written_reminder() {
    let original = prescription(d("2020-05-15"), &[]).expect("in range");
    assert_eq!(
        original,
        Prescription {
            term_start: d("2020-05-16"),
            prescribes_on: d("2025-05-16"),
            last_day_to_act: d("2025-05-15"),
            interrupted_by: None,
        }
    );
    let interrupted = prescription(d("2020-05-15"), &[d("2024-01-10")]).expect("in range");
    assert_eq!(
        interrupted,
        Prescription {
            term_start: d("2024-01-11"),
            prescribes_on: d("2029-01-11"),
            last_day_to_act: d("2029-01-10"),
            interrupted_by: Some(d("2024-01-10")),
        }
    );
    assert!(!interrupted.is_prescribed(d("2029-01-10")));
    assert!(interrupted.is_prescribed(d("2029-01-11")));
}

#[test]
fn late_and_early_reminders_do_not_count() {
    // After prescription a reminder revives nothing; before the claim was due it interrupts nothing.
    let late = prescription(d("2020-05-15"), &[d("2025-05-16"), d("2020-05-01")]).expect("in range");
    assert_eq!((late.prescribes_on, late.interrupted_by), (d("2025-05-16"), None));
    // A reminder on the last day to act still interrupts; reminders count in date order, not input order.
    let chain = prescription(d("2020-05-15"), &[d("2029-01-10"), d("2025-05-15"), d("2024-01-10")]).expect("in range");
    assert_eq!((chain.prescribes_on, chain.interrupted_by), (d("2034-01-11"), Some(d("2029-01-10"))));
}

#[test]
fn shorter_terms_and_leap_days() {
    let two_years = prescription_with_term(d("2023-02-27"), &[d("2024-02-28")], 2).expect("in range");
    assert_eq!((two_years.term_start, two_years.prescribes_on), (d("2024-02-29"), d("2026-02-28")));
    assert_eq!(prescription_with_term(d("2023-02-27"), &[], 0), Err(LimitationError::ZeroTerm));
    assert_eq!(prescription(NaiveDate::MAX, &[]), Err(LimitationError::OutOfRange(NaiveDate::MAX)));
}
