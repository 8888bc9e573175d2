//! Table and property tests of `allocation`.

use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;

fn d(text: &str) -> NaiveDate {
    text.parse().expect("test dates are valid")
}

fn c(cents: i64) -> Cents {
    Cents::new(cents)
}

fn claim(key: &'static str, due: &str, open: i64, onerousness: u32) -> OpenClaim<&'static str> {
    OpenClaim { key, due: d(due), open: c(open), onerousness }
}

fn parts(allocation: &Allocation<&'static str>) -> Vec<(&'static str, i64)> {
    allocation.parts.iter().map(|(k, v)| (*k, v.get())).collect()
}

#[test]
fn split_6_44_costs_then_interest_then_principal() {
    let open = Components { costs: c(4_000), interest: c(1_000), principal: c(100_000) };
    let cases = [
        (3_000, (3_000, 0, 0), (1_000, 1_000, 100_000), 0),
        (4_500, (4_000, 500, 0), (0, 500, 100_000), 0),
        (10_000, (4_000, 1_000, 5_000), (0, 0, 95_000), 0),
        (105_000, (4_000, 1_000, 100_000), (0, 0, 0), 0),
        (105_001, (4_000, 1_000, 100_000), (0, 0, 0), 1),
        (0, (0, 0, 0), (4_000, 1_000, 100_000), 0),
    ];
    for (payment, paid, left, unapplied) in cases {
        let split = split_6_44(c(payment), open).expect("valid");
        let triple = |x: Components| (x.costs.get(), x.interest.get(), x.principal.get());
        assert_eq!(
            (triple(split.paid), triple(split.left), split.unapplied.get()),
            (paid, left, unapplied),
            "{payment}"
        );
    }
}

#[test]
fn split_6_44_rejects_negatives() {
    let open = Components { costs: c(0), interest: c(-1), principal: c(5) };
    assert_eq!(split_6_44(c(1), open), Err(AllocationError::NegativeOpen { what: "interest", amount: c(-1) }));
    assert_eq!(split_6_44(c(-1), Components::default()), Err(AllocationError::NegativePayment(c(-1))));
}

#[test]
fn g26_equally_onerous_due_claims_oldest_first() {
    let claims = [claim("B", "2025-02-28", 50_000, 1), claim("A", "2025-01-31", 30_000, 1)];
    let result = allocate_6_43(c(20_000), &claims, d("2025-03-15")).expect("valid");
    assert_eq!(parts(&result), vec![("A", 20_000)]);
    assert_eq!(result.unapplied, c(0));
}

#[test]
fn due_before_onerous_before_old() {
    let claims = [
        claim("not-due-onerous", "2025-04-30", 10_000, 9),
        claim("due-mild-old", "2024-12-31", 10_000, 1),
        claim("due-onerous-young", "2025-03-01", 10_000, 5),
    ];
    let result = allocate_6_43(c(25_000), &claims, d("2025-03-15")).expect("valid");
    assert_eq!(
        parts(&result),
        vec![("due-onerous-young", 10_000), ("due-mild-old", 10_000), ("not-due-onerous", 5_000)]
    );
    // A claim is due on its due date itself.
    let result = allocate_6_43(c(1_000), &claims, d("2025-04-30")).expect("valid");
    assert_eq!(parts(&result), vec![("not-due-onerous", 1_000)]);
}

#[test]
fn ties_share_pro_rata_with_a_deterministic_remainder() {
    let claims = [claim("x", "2025-01-31", 100, 0), claim("y", "2025-01-31", 200, 0), claim("z", "2025-01-31", 100, 0)];
    // 100 over 100:200:100 → 25, 50, 25 exactly.
    assert_eq!(
        parts(&allocate_6_43(c(100), &claims, d("2025-03-01")).expect("valid")),
        vec![("x", 25), ("y", 50), ("z", 25)]
    );
    // 101 → 25.25, 50.5, 25.25: the spare cent goes to the largest remainder (y).
    assert_eq!(
        parts(&allocate_6_43(c(101), &claims, d("2025-03-01")).expect("valid")),
        vec![("x", 25), ("y", 51), ("z", 25)]
    );
    // 3 over 1:1:1 of a group of equal claims → one cent each; 2 → the first two in input order.
    let equal = [claim("p", "2025-01-31", 7, 0), claim("q", "2025-01-31", 7, 0), claim("r", "2025-01-31", 7, 0)];
    assert_eq!(parts(&allocate_6_43(c(2), &equal, d("2025-03-01")).expect("valid")), vec![("p", 1), ("q", 1)]);
}

#[test]
fn overpayment_and_bad_input() {
    let claims = [claim("a", "2025-01-31", 1_000, 0), claim("zero", "2025-01-01", 0, 0)];
    let result = allocate_6_43(c(1_500), &claims, d("2025-03-01")).expect("valid");
    assert_eq!((parts(&result), result.unapplied), (vec![("a", 1_000)], c(500)));
    assert_eq!(allocate_6_43(c(-1), &claims, d("2025-03-01")), Err(AllocationError::NegativePayment(c(-1))));
    let credit = [claim("credit", "2025-01-31", -5, 0)];
    assert_eq!(
        allocate_6_43(c(1), &credit, d("2025-03-01")),
        Err(AllocationError::NegativeOpen { what: "claim", amount: c(-5) })
    );
}

fn arb_claims() -> impl Strategy<Value = Vec<OpenClaim<usize>>> {
    prop::collection::vec((0u64..60, 0i64..1_000_000, 0u32..3), 0..8).prop_map(|raw| {
        raw.into_iter()
            .enumerate()
            .map(|(key, (day, open, onerousness))| OpenClaim {
                key,
                due: d("2025-01-01") + chrono::Days::new(day),
                open: Cents::new(open),
                onerousness,
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn allocation_sums_to_the_payment_and_never_overpays_a_claim(claims in arb_claims(), payment in 0i64..5_000_000) {
        let result = allocate_6_43(Cents::new(payment), &claims, d("2025-01-30")).expect("valid");
        let allocated: i64 = result.parts.iter().map(|(_, v)| v.get()).sum();
        prop_assert_eq!(allocated + result.unapplied.get(), payment);
        let total_open: i64 = claims.iter().map(|c| c.open.get()).sum();
        prop_assert_eq!(result.unapplied.get(), (payment - total_open).max(0));
        for (key, amount) in &result.parts {
            prop_assert!(amount.get() > 0 && amount.get() <= claims[*key].open.get());
        }
    }

    #[test]
    fn split_6_44_conserves_every_cent(costs in 0i64..10_000, interest in 0i64..10_000, principal in 0i64..1_000_000, payment in 0i64..1_100_000) {
        let open = Components { costs: Cents::new(costs), interest: Cents::new(interest), principal: Cents::new(principal) };
        let split = split_6_44(Cents::new(payment), open).expect("valid");
        let paid = split.paid.costs.get() + split.paid.interest.get() + split.paid.principal.get();
        prop_assert_eq!(paid + split.unapplied.get(), payment);
        prop_assert_eq!(split.paid.principal.get() + split.left.principal.get(), principal);
        // Principal is only touched once costs and interest are fully paid.
        prop_assert!(split.paid.principal.get() == 0 || (split.left.costs.get() == 0 && split.left.interest.get() == 0));
    }
}
