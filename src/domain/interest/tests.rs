//! Table and property tests of `interest`.

use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;

fn d(text: &str) -> NaiveDate {
    text.parse().expect("test dates are valid")
}

fn calc(kind: RateKind, principal: i64, from: &str, to: &str) -> InterestCalculation {
    calculate(&RateTable::shipped(), kind, Cents::new(principal), d(from), d(to)).expect("valid request")
}

/// (from, to, days, rate, base, interest) of each period.
fn rows(calc: &InterestCalculation) -> Vec<(String, String, i64, String, i64, i64)> {
    calc.periods
        .iter()
        .map(|p| (p.from.to_string(), p.to.to_string(), p.days, p.rate.to_string(), p.base.get(), p.interest.get()))
        .collect()
}

fn row(
    from: &str,
    to: &str,
    days: i64,
    rate: &str,
    base: i64,
    interest: i64,
) -> (String, String, i64, String, i64, i64) {
    (from.to_owned(), to.to_owned(), days, rate.to_owned(), base, interest)
}

#[test]
fn g21_eleven_days_at_eight_percent() {
    let result = calc(RateKind::Commercial, 100_000, "2021-03-01", "2021-03-11");
    assert_eq!(rows(&result), vec![row("2021-03-01", "2021-03-11", 11, "0.08", 100_000, 241)]);
    assert_eq!(result.interest, Cents::new(241));
    assert!(result.rates_verified);
}

#[test]
fn splits_at_a_rate_change() {
    // 100,000.00 × 12.5% × 11/365 = 376.712… and × 12.25% × 10/365 = 335.616…
    let result = calc(RateKind::Commercial, 10_000_000, "2024-06-20", "2024-07-10");
    assert_eq!(
        rows(&result),
        vec![
            row("2024-06-20", "2024-06-30", 11, "0.125", 10_000_000, 37_671),
            row("2024-07-01", "2024-07-10", 10, "0.1225", 10_000_000, 33_562),
        ]
    );
    assert_eq!(result.interest, Cents::new(71_233));
}

#[test]
fn equal_consecutive_rates_form_one_period() {
    // 2024-01-01 and 2024-07-01 both carry 7% statutory interest.
    let result = calc(RateKind::Statutory, 100_000, "2024-06-01", "2024-07-31");
    assert_eq!(rows(&result), vec![row("2024-06-01", "2024-07-31", 61, "0.07", 100_000, 1_170)]);
}

#[test]
fn capitalises_at_each_anniversary() {
    // Year 1: 1,000 × 8% = 80.00; year 2 runs on 1,080.00: 86.40; then 31 days on 1,166.40.
    let result = calc(RateKind::Commercial, 100_000, "2017-01-01", "2019-01-31");
    assert_eq!(
        rows(&result),
        vec![
            row("2017-01-01", "2017-12-31", 365, "0.08", 100_000, 8_000),
            row("2018-01-01", "2018-12-31", 365, "0.08", 108_000, 8_640),
            row("2019-01-01", "2019-01-31", 31, "0.08", 116_640, 793),
        ]
    );
    assert_eq!(result.interest, Cents::new(17_433));
}

#[test]
fn capitalisation_counts_all_periods_of_the_year() {
    // Year 1 has two rate periods (12% then 12.5%); both join the base on 2024-07-01.
    let result = calc(RateKind::Commercial, 100_000, "2023-07-01", "2024-07-05");
    assert_eq!(
        rows(&result),
        vec![
            row("2023-07-01", "2023-12-31", 184, "0.12", 100_000, 6_049),
            row("2024-01-01", "2024-06-30", 182, "0.125", 100_000, 6_233),
            row("2024-07-01", "2024-07-05", 5, "0.1225", 112_282, 188),
        ]
    );
}

#[test]
fn a_leap_year_day_counts_on_a_365_day_year() {
    let result = calc(RateKind::Commercial, 100_000, "2019-03-01", "2020-02-29");
    assert_eq!(rows(&result), vec![row("2019-03-01", "2020-02-29", 366, "0.08", 100_000, 8_022)]);
}

#[test]
fn reports_unverified_and_carried_forward_rates() {
    assert!(calc(RateKind::Commercial, 100_000, "2025-08-01", "2025-08-10").rates_verified);
    // The 2025-07-01 statutory rate is marked uncertain in the table.
    assert!(!calc(RateKind::Statutory, 100_000, "2025-08-01", "2025-08-10").rates_verified);
    // The last commercial row (2026-01-01) is unverified, and beyond 2026-06-30 it only carries forward.
    let later = calc(RateKind::Commercial, 100_000, "2027-01-01", "2027-01-10");
    assert_eq!(rows(&later), vec![row("2027-01-01", "2027-01-10", 10, "0.1015", 100_000, 278)]);
    assert!(!later.rates_verified);
}

#[test]
fn carrying_forward_past_the_known_half_year_is_unverified() {
    let verified_row = RateEntry {
        kind: RateKind::Commercial,
        effective: d("2030-01-01"),
        rate: Rate::from_ppm(90_000),
        source: "test".to_owned(),
        verified: true,
    };
    let table = RateTable::shipped().with_extra(vec![verified_row]).expect("no duplicate");
    let inside = calculate(&table, RateKind::Commercial, Cents::new(100), d("2030-06-01"), d("2030-06-30"));
    assert_eq!(inside.map(|c| c.rates_verified), Ok(true));
    let beyond = calculate(&table, RateKind::Commercial, Cents::new(100), d("2030-06-01"), d("2030-07-01"));
    assert_eq!(beyond.map(|c| c.rates_verified), Ok(false));
}

#[test]
fn rejects_bad_requests_with_typed_errors() {
    let table = RateTable::shipped();
    let run = |kind, principal, from, to| calculate(&table, kind, Cents::new(principal), d(from), d(to));
    assert_eq!(
        run(RateKind::Commercial, 100, "2013-03-15", "2013-04-01"),
        Err(InterestError::BeforeFirstRate {
            kind: RateKind::Commercial,
            date: d("2013-03-15"),
            first: d("2013-03-16")
        })
    );
    assert_eq!(
        run(RateKind::Statutory, 100, "2025-02-02", "2025-02-01"),
        Err(InterestError::FromAfterTo { from: d("2025-02-02"), to: d("2025-02-01") })
    );
    assert_eq!(
        run(RateKind::Statutory, -1, "2025-02-01", "2025-02-01"),
        Err(InterestError::NegativePrincipal(Cents::new(-1)))
    );
    let empty = RateTable::new(Vec::new()).expect("empty is valid");
    assert_eq!(
        calculate(&empty, RateKind::Statutory, Cents::new(1), d("2025-01-01"), d("2025-01-02")),
        Err(InterestError::NoRates { kind: RateKind::Statutory })
    );
}

#[test]
fn overflow_is_an_error_not_a_wrap() {
    // After a year the capitalised base no longer fits in cents.
    let table = RateTable::shipped();
    let huge = calculate(&table, RateKind::Commercial, Cents::new(i64::MAX), d("2017-01-01"), d("2018-01-05"));
    assert_eq!(huge, Err(InterestError::Overflow));
}

#[test]
fn interest_start_days() {
    assert_eq!(first_day_after_due_date(d("2025-03-31")), Some(d("2025-04-01")));
    // G24: received 2025-03-03, no agreed term → interest from 2025-04-03.
    assert_eq!(first_day_without_agreed_term(d("2025-03-03")), Some(d("2025-04-03")));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Without a capitalisation boundary in between, splitting a range only re-rounds one more
    /// period: the halves differ from the whole by at most one cent.
    #[test]
    fn splitting_a_range_changes_at_most_a_cent(
        principal in 0i64..1_000_000_000,
        start in 0u64..3_000,
        first_len in 0u64..180,
        second_len in 0u64..180,
    ) {
        let a = d("2016-01-01") + chrono::Days::new(start);
        let b = a + chrono::Days::new(first_len);
        let c = b + chrono::Days::new(second_len + 1);
        let table = RateTable::shipped();
        let run = |from, to| calculate(&table, RateKind::Commercial, Cents::new(principal), from, to)
            .expect("valid").interest.get();
        let whole = run(a, c);
        let parts = run(a, b) + run(b + chrono::Days::new(1), c);
        prop_assert!((whole - parts).abs() <= 1, "{whole} vs {parts}");
    }

    /// Split exactly at a rate change, the halves add up to the whole to the cent.
    #[test]
    fn splitting_at_a_rate_change_is_exact(principal in 0i64..1_000_000_000, before in 0u64..150, after in 0u64..150) {
        let change = d("2024-07-01");
        let table = RateTable::shipped();
        let run = |from, to| calculate(&table, RateKind::Commercial, Cents::new(principal), from, to)
            .expect("valid").interest.get();
        let a = change - chrono::Days::new(before + 1);
        let c = change + chrono::Days::new(after);
        prop_assert_eq!(run(a, c), run(a, change.pred_opt().expect("valid")) + run(change, c));
    }
}

#[test]
fn shipped_table_parses_and_extra_rows_replace() {
    let table = RateTable::shipped();
    assert_eq!(table.entries(RateKind::Statutory).count(), 8);
    assert_eq!(table.entries(RateKind::Commercial).count(), 13);
    let extra = RateTable::from_toml(
        "[[rate]]\nkind = \"statutory\"\neffective = \"2025-07-01\"\nrate = \"0.05\"\nsource = \"config\"\nverified = true\n",
    )
    .expect("valid extra rows");
    let rows: Vec<RateEntry> = extra.entries(RateKind::Statutory).cloned().collect();
    let table = table.with_extra(rows).expect("no duplicates");
    let replaced: Vec<String> = table.entries(RateKind::Statutory).map(|e| e.rate.to_string()).collect();
    assert_eq!(replaced, ["0.02", "0.04", "0.06", "0.07", "0.07", "0.06", "0.05", "0.04"]);
}

#[test]
fn malformed_tables_are_refused() {
    let row = "[[rate]]\nkind = \"statutory\"\neffective = \"2025-07-01\"\nrate = \"0.05\"\nsource = \"x\"\nverified = true\n";
    assert_eq!(
        RateTable::from_toml(&format!("{row}{row}")),
        Err(RateTableError::Duplicate { kind: RateKind::Statutory, effective: d("2025-07-01") })
    );
    let bad_rate = row.replace("0.05", "5%");
    assert!(
        matches!(RateTable::from_toml(&bad_rate), Err(RateTableError::Malformed(m)) if m.contains("`5%` is not a rate"))
    );
    assert!(matches!(RateTable::from_toml("rate = 3"), Err(RateTableError::Malformed(_))));
}
