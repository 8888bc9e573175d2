//! Table and property tests of `collection_costs`.

use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;

fn c(cents: i64) -> Cents {
    Cents::new(cents)
}

fn d(text: &str) -> NaiveDate {
    text.parse().expect("test dates are valid")
}

fn vat21() -> VatSurcharge {
    VatSurcharge::Declared(Rate::parse_percent("21").expect("valid"))
}

#[test]
fn the_scale_at_and_around_each_breakpoint() {
    let cases = [
        (1, 4_000),
        (26_666, 4_000),   // raw 39.999
        (26_667, 4_000),   // raw 40.0005
        (26_670, 4_001),   // raw 40.005 → half-up
        (26_677, 4_002),   // raw 40.0155
        (175_279, 26_292), // RBZWB-2016-5464: 262.92 (262.9185)
        (249_999, 37_500), // 374.9985
        (250_100, 37_510),
        (600_000, 67_500),   // Exact's example: 375 + 250 + 50
        (1_000_100, 87_501), // 875.01
        (19_999_999, 277_500),
        (20_000_100, 277_501), // 2,775.005 → 2,775.01
        (99_999_900, 677_500),
        (100_000_100, 677_500),
    ];
    for (principal, expected) in cases {
        assert_eq!(wik(c(principal)), Ok(c(expected)), "{principal}");
    }
    assert_eq!(wik(Cents::ZERO), Ok(Cents::ZERO));
    assert_eq!(wik(c(-1)), Err(CostsError::NegativePrincipal(c(-1))));
}

#[test]
fn several_claims_in_one_letter_are_summed_first() {
    // Three invoices of €100: WIK(300) = €45, not 3 × €40.
    let breakdown = for_letter(&[c(10_000), c(10_000), c(10_000)], VatSurcharge::NotDeclared).expect("valid");
    assert_eq!(
        breakdown,
        CostsBreakdown { principal: c(30_000), costs: c(4_500), vat_surcharge: c(0), total: c(4_500) }
    );
    assert_eq!(for_letter(&[], VatSurcharge::NotDeclared), Err(CostsError::NoClaims));
    assert_eq!(for_letter(&[c(5), c(-5)], VatSurcharge::NotDeclared), Err(CostsError::NegativePrincipal(c(-5))));
}

#[test]
fn vat_surcharge_on_the_rounded_costs() {
    // RBZWB-2016-5464: 262.92 × 1.21 = 318.1332 → €318.13 in total.
    let breakdown = for_letter(&[c(175_279)], vat21()).expect("valid");
    assert_eq!((breakdown.costs, breakdown.vat_surcharge, breakdown.total), (c(26_292), c(5_521), c(31_813)));
    // Maximum incl. 21 %: €8,197.75.
    assert_eq!(for_letter(&[c(200_000_000)], vat21()).map(|b| b.total), Ok(c(819_775)));
    // 40.01 × 0.21 = 8.4021 → 8.40.
    assert_eq!(vat_surcharge(c(4_001), vat21()), Ok(c(840)));
}

#[test]
fn overflow_and_calendar_limits_are_typed_errors() {
    assert_eq!(for_letter(&[c(i64::MAX), c(1)], VatSurcharge::NotDeclared), Err(CostsError::Overflow));
    let letter = ConsumerLetter { received: NaiveDate::MAX, term: LetterTerm::STATUTORY };
    assert_eq!(
        consumer_costs(letter, c(100), &[], VatSurcharge::NotDeclared, NaiveDate::MAX),
        Err(CostsError::DateOutOfRange(NaiveDate::MAX))
    );
}

#[test]
fn b2b_minimum_from_the_day_after_the_last_day_of_payment() {
    assert_eq!(b2b_minimum_owed(d("2025-03-31"), d("2025-03-31")), c(0));
    assert_eq!(b2b_minimum_owed(d("2025-03-31"), d("2025-04-01")), c(4_000));
}

#[test]
fn consumer_costs_follow_the_fourteen_day_letter() {
    let letter = ConsumerLetter { received: d("2025-03-05"), term: LetterTerm::STATUTORY };
    let run = |payments: &[(NaiveDate, Cents)], on| consumer_costs(letter, c(80_000), payments, vat21(), d(on));
    assert_eq!(
        run(&[], "2025-03-19"),
        Ok(ConsumerCosts::NotOwed(NotOwedReason::TermRunning { costs_from: d("2025-03-20") }))
    );
    let owed = CostsBreakdown { principal: c(80_000), costs: c(12_000), vat_surcharge: c(2_520), total: c(14_520) };
    assert_eq!(run(&[], "2025-03-20"), Ok(ConsumerCosts::Owed { from: d("2025-03-20"), breakdown: owed }));
    assert_eq!(
        run(&[(d("2025-03-19"), c(80_000))], "2025-04-30"),
        Ok(ConsumerCosts::NotOwed(NotOwedReason::PaidWithinTerm))
    );
    // €300 paid within the term: recalculated over €500 → 75.00 + 15.75.
    let partial = CostsBreakdown { principal: c(50_000), costs: c(7_500), vat_surcharge: c(1_575), total: c(9_075) };
    assert_eq!(
        run(&[(d("2025-03-10"), c(30_000)), (d("2025-03-20"), c(10_000))], "2025-04-30"),
        Ok(ConsumerCosts::Owed { from: d("2025-03-20"), breakdown: partial })
    );
}

#[test]
fn letters_with_a_wrong_term_never_make_costs_owed() {
    for anchor in [TermAnchor::DateOfLetter, TermAnchor::Dispatch, TermAnchor::Today] {
        let letter = ConsumerLetter { received: d("2025-03-05"), term: LetterTerm { anchor, days: 14 } };
        assert_eq!(
            consumer_costs(letter, c(80_000), &[], VatSurcharge::NotDeclared, d("2025-06-01")),
            Ok(ConsumerCosts::NotOwed(NotOwedReason::UnlawfulTerm)),
            "{anchor:?}"
        );
    }
    let short = LetterTerm { anchor: TermAnchor::Receipt, days: 13 };
    assert!(!short.is_lawful());
    // "Binnen vijftien dagen nadat deze brief bij u is bezorgd": lawful, costs from receipt + 16.
    let fifteen =
        ConsumerLetter { received: d("2025-03-05"), term: LetterTerm { anchor: TermAnchor::Receipt, days: 15 } };
    assert_eq!(
        consumer_costs(fifteen, c(10_000), &[], VatSurcharge::NotDeclared, d("2025-03-20")),
        Ok(ConsumerCosts::NotOwed(NotOwedReason::TermRunning { costs_from: d("2025-03-21") }))
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn wik_is_monotone_and_bounded(a in 1i64..300_000_000, b in 1i64..300_000_000) {
        let (low, high) = (a.min(b), a.max(b));
        let (w_low, w_high) = (wik(c(low)).expect("valid"), wik(c(high)).expect("valid"));
        prop_assert!(w_low <= w_high);
        prop_assert!(MINIMUM <= w_low && w_high <= MAXIMUM);
    }

    /// The scale is concave, so one letter never costs more than separate ones, except for the one
    /// cent that rounding the sum once (4002.3 + 4002.3 → 8004.6 → 8005) can add.
    #[test]
    fn summing_first_never_costs_more_than_separate_letters(a in 1i64..3_000_000, b in 1i64..3_000_000) {
        let together = for_letter(&[c(a), c(b)], VatSurcharge::NotDeclared).expect("valid").costs.get();
        let apart = wik(c(a)).expect("valid").get() + wik(c(b)).expect("valid").get();
        prop_assert!(together <= apart + 1, "{together} > {apart} + 1");
    }

    #[test]
    fn rounding_the_sum_once_can_add_a_cent(_unit in 0u8..1) {
        let together = for_letter(&[c(26_682), c(26_682)], VatSurcharge::NotDeclared).expect("valid").costs;
        prop_assert_eq!((wik(c(26_682)), together), (Ok(c(4_002)), c(8_005)));
    }
}
