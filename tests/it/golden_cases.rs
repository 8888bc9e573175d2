//! Every case of GOLDEN_CASES.md against the legal engine. Section E (machine-readable) is read at
//! test time from `../shared/domain/GOLDEN_CASES.md` (or `$VORDERING_GOLDEN_CASES`), so new cases
//! there are tested without copying them; cases outside section E are literal tables below.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use vordering::domain::allocation::{allocate_6_43, OpenClaim};
use vordering::domain::calendar::{fourteen_day_term, presumed_receipt, Delivery, PostalRule};
use vordering::domain::collection_costs::{
    b2b_minimum_owed, consumer_costs, for_letter, ConsumerCosts, ConsumerLetter, LetterTerm, NotOwedReason, TermAnchor,
    VatSurcharge,
};
use vordering::domain::interest::{calculate, first_day_without_agreed_term, Rate, RateEntry, RateKind, RateTable};
use vordering::domain::limitation::prescription;
use vordering::domain::Cents;

type Case = BTreeMap<String, String>;

/// The cases of section E, by list name (`wik`, `timing`, `interest`, `allocation`).
fn section_e() -> BTreeMap<String, Vec<Case>> {
    let path = std::env::var("VORDERING_GOLDEN_CASES")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/domain/GOLDEN_CASES.md").to_owned());
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    let (_, section) = text.split_once("## E.").expect("GOLDEN_CASES.md has a section E");
    let (_, yaml) = section.split_once("```yaml").expect("section E has a yaml block");
    let (yaml, _) = yaml.split_once("```").expect("the yaml block is closed");
    let mut lists: BTreeMap<String, Vec<Case>> = BTreeMap::new();
    let mut current = String::new();
    for line in yaml.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        if let Some(entry) = line.strip_prefix("- {").and_then(|l| l.strip_suffix('}')) {
            lists.entry(current.clone()).or_default().push(parse_entry(entry));
        } else {
            current = line.trim_end_matches(':').to_owned();
            lists.entry(current.clone()).or_default();
        }
    }
    lists
}

/// `id: G05, principal: 80000, vat_surcharge: "0.21"` → a map; `null` values are left out.
fn parse_entry(entry: &str) -> Case {
    let mut fields = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (i, ch) in entry.char_indices() {
        match ch {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                fields.push(&entry[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    fields.push(&entry[start..]);
    fields
        .into_iter()
        .filter_map(|field| {
            let (key, value) = field.split_once(':').expect("each field is `key: value`");
            let value = value.trim().trim_matches('"');
            (value != "null").then(|| (key.trim().to_owned(), value.to_owned()))
        })
        .collect()
}

fn cents(case: &Case, key: &str) -> Cents {
    Cents::new(case[key].parse().unwrap_or_else(|_| panic!("{}: {key} is cents", case["id"])))
}

fn date(case: &Case, key: &str) -> NaiveDate {
    case[key].parse().unwrap_or_else(|_| panic!("{}: {key} is a date", case["id"]))
}

fn d(text: &str) -> NaiveDate {
    text.parse().expect("test dates are valid")
}

#[test]
fn section_e_wik() {
    let cases = &section_e()["wik"];
    assert!(cases.len() >= 13, "section E lists {} WIK cases", cases.len());
    for case in cases {
        let vat = case.get("vat_surcharge").map_or(VatSurcharge::NotDeclared, |rate| {
            VatSurcharge::Declared(Rate::parse_decimal(rate).expect("a decimal VAT rate"))
        });
        let breakdown = for_letter(&[cents(case, "principal")], vat).expect("valid principal");
        assert_eq!(breakdown.costs, cents(case, "expect"), "{}", case["id"]);
        let expect_total = case.get("expect_incl_vat").map_or(breakdown.costs, |_| cents(case, "expect_incl_vat"));
        assert_eq!(breakdown.total, expect_total, "{}", case["id"]);
    }
}

/// The letter term a wording in the golden file describes.
fn term_of(wording: &str) -> LetterTerm {
    let days = wording.split_whitespace().next().and_then(|n| n.parse().ok()).expect("the wording starts with days");
    let anchor = if wording.contains("dagtekening") {
        TermAnchor::DateOfLetter
    } else if wording.contains("verzending") {
        TermAnchor::Dispatch
    } else if wording.contains("heden") {
        TermAnchor::Today
    } else if wording.contains("bezorgd") || wording.contains("ontvangst") {
        TermAnchor::Receipt
    } else {
        panic!("unknown term wording `{wording}`")
    };
    LetterTerm { anchor, days }
}

#[test]
fn section_e_timing() {
    let cases = &section_e()["timing"];
    assert!(cases.len() >= 4, "section E lists {} timing cases", cases.len());
    for case in cases {
        let id = &case["id"];
        if case.contains_key("expect_min_fee") {
            assert_eq!(b2b_minimum_owed(date(case, "due"), date(case, "on")), cents(case, "expect_min_fee"), "{id}");
        } else if case.contains_key("letter_received") {
            let received = date(case, "letter_received");
            let term = fourteen_day_term(received).expect("in range");
            let expected = (date(case, "term_first"), date(case, "term_last"), date(case, "wik_from"));
            assert_eq!((term.first, term.last, term.costs_from), expected, "{id}");
            let letter = ConsumerLetter { received, term: LetterTerm::STATUTORY };
            let principal = Cents::new(80_000);
            let paid_on_last_day = [(term.last, principal)];
            let at = |payments: &[(NaiveDate, Cents)], on| {
                consumer_costs(letter, principal, payments, VatSurcharge::NotDeclared, on).expect("valid")
            };
            assert_eq!(at(&paid_on_last_day, term.costs_from), ConsumerCosts::NotOwed(NotOwedReason::PaidWithinTerm));
            assert_eq!(
                at(&[], term.last),
                ConsumerCosts::NotOwed(NotOwedReason::TermRunning { costs_from: term.costs_from })
            );
            assert!(matches!(at(&[], term.costs_from), ConsumerCosts::Owed { from, .. } if from == term.costs_from));
        } else if let Some(wording) = case.get("letter_term_wording") {
            let letter = ConsumerLetter { received: d("2025-03-05"), term: term_of(wording) };
            let after_30_days = d("2025-04-04");
            let result = consumer_costs(letter, Cents::new(80_000), &[], VatSurcharge::NotDeclared, after_30_days);
            let due = matches!(result, Ok(ConsumerCosts::Owed { .. }));
            assert_eq!(due.to_string(), case["expect_wik_due"], "{id}");
        } else {
            panic!("{id}: unknown timing case");
        }
    }
}

#[test]
fn section_e_interest() {
    let cases = &section_e()["interest"];
    assert!(cases.len() >= 2, "section E lists {} interest cases", cases.len());
    for case in cases {
        let id = &case["id"];
        if let Some(rate) = case.get("rate") {
            let kind = match case["kind"].as_str() {
                "handels" | "commercial" => RateKind::Commercial,
                "wettelijk" | "wettelijke" | "statutory" => RateKind::Statutory,
                other => panic!("{id}: unknown kind {other}"),
            };
            // A table holding just the case's rate tests the rule, not the shipped rates.
            let row = RateEntry {
                kind,
                effective: d("2001-01-01"),
                rate: Rate::parse_decimal(rate).expect("a decimal rate"),
                source: id.clone(),
                verified: true,
            };
            let table = RateTable::new(vec![row]).expect("one row");
            let days: u64 = case["days"].parse().expect("days");
            let from = d("2001-03-01");
            let to = from + Days::new(days - 1);
            let result = calculate(&table, kind, cents(case, "principal"), from, to).expect("valid");
            assert_eq!(result.interest, cents(case, "expect"), "{id}");
        } else if case.contains_key("invoice_received") {
            assert!(!case.contains_key("agreed_term"), "{id}: only the no-term rule is implemented");
            let start = first_day_without_agreed_term(date(case, "invoice_received"));
            assert_eq!(start, Some(date(case, "interest_from")), "{id}");
        } else {
            panic!("{id}: unknown interest case");
        }
    }
}

#[test]
fn g26_oldest_due_invoice_first() {
    // Section C (the allocation list of section E is empty): equally onerous, A older than B.
    let claims = [
        OpenClaim { key: "B", due: d("2025-02-28"), open: Cents::new(50_000), onerousness: 1 },
        OpenClaim { key: "A", due: d("2025-01-31"), open: Cents::new(30_000), onerousness: 1 },
    ];
    let result = allocate_6_43(Cents::new(25_000), &claims, d("2025-03-10")).expect("valid");
    assert_eq!(result.parts, vec![("A", Cents::new(25_000))]);
    assert_eq!(result.unapplied, Cents::ZERO);
    let listed = section_e().get("allocation").map_or(0, Vec::len);
    assert_eq!(listed, 0, "section E now lists allocation cases: test them here");
}

#[test]
fn informative_cases() {
    // I02: posted Friday 2025-03-07 → received Tuesday 03-11; term 03-12 … 03-25; WIK from 03-26.
    let received = presumed_receipt(Delivery::Post { posted: d("2025-03-07") }, &PostalRule::default());
    assert_eq!(received, Ok(d("2025-03-11")));
    let term = fourteen_day_term(d("2025-03-11")).expect("in range");
    assert_eq!((term.first, term.last, term.costs_from), (d("2025-03-12"), d("2025-03-25"), d("2025-03-26")));
    // I03: due 2020-05-15 prescribes at the start of 2025-05-16; a reminder of 2024-01-10 moves that
    // to the start of 2029-01-11.
    assert_eq!(prescription(d("2020-05-15"), &[]).map(|p| p.prescribes_on), Ok(d("2025-05-16")));
    let interrupted = prescription(d("2020-05-15"), &[d("2024-01-10")]).expect("in range");
    assert_eq!((interrupted.prescribes_on, interrupted.last_day_to_act), (d("2029-01-11"), d("2029-01-10")));
    // I04: the reported 6 % from 2025-07-01 is shipped, but flagged unverified.
    let table = RateTable::shipped();
    let row = table.entries(RateKind::Statutory).find(|e| e.effective == d("2025-07-01")).expect("a 2025-07-01 row");
    assert_eq!((row.rate.to_string(), row.verified), ("0.06".to_owned(), false));
    // I05: €9 gets €40 by the scale (a court may refuse it; that is policy, not the scale).
    assert_eq!(for_letter(&[Cents::new(900)], VatSurcharge::NotDeclared).map(|b| b.costs), Ok(Cents::new(4_000)));
}
