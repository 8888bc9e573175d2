//! `vordering costs …` end to end: the real binary, exact JSON, exit code 2 on bad input.

use std::process::{Command, Output};

use serde_json::{json, Value};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vordering")).arg("costs").args(args).output().expect("the binary runs")
}

/// Runs with `--json`, expects success, and returns the parsed output.
fn run_json(args: &[&str]) -> Value {
    let output = run(&[args, &["--json"]].concat());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
    serde_json::from_slice(&output.stdout).expect("stdout is JSON")
}

/// Runs, expects exit code 2, and returns stderr.
fn run_bad(args: &[&str]) -> String {
    let output = run(args);
    assert_eq!(output.status.code(), Some(2), "{args:?}");
    assert!(output.stdout.is_empty(), "{args:?} printed to stdout");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `wik` JSON: principal, costs, VAT surcharge and total, in cents.
fn assert_wik(args: &[&str], [principal, costs, vat, total]: [i64; 4]) {
    let expected =
        json!({"principal_cents": principal, "costs_cents": costs, "vat_surcharge_cents": vat, "total_cents": total});
    assert_eq!(run_json(&[&["wik"], args].concat()), expected, "{args:?}");
}

#[test]
fn g05_wik_with_vat_surcharge() {
    assert_wik(&["800.00", "--vat-surcharge", "21"], [80_000, 12_000, 2_520, 14_520]);
}

#[test]
fn g15_minimum_with_vat_surcharge() {
    assert_wik(&["100", "--vat-surcharge", "21"], [10_000, 4_000, 840, 4_840]);
}

#[test]
fn wik_sums_the_claims_of_one_letter_and_rounds_half_up() {
    assert_wik(&["100", "100", "100"], [30_000, 4_500, 0, 4_500]);
    assert_wik(&["1752.79", "--vat-surcharge", "21"], [175_279, 26_292, 5_521, 31_813]);
    assert_wik(&["266.70"], [26_670, 4_001, 0, 4_001]);
    assert_wik(&["2000000"], [200_000_000, 677_500, 0, 677_500]);
}

#[test]
fn g21_interest_eleven_days_at_eight_percent() {
    assert_eq!(
        run_json(&[
            "interest",
            "--kind",
            "commercial",
            "--principal",
            "1000",
            "--from",
            "2021-03-01",
            "--to",
            "2021-03-11"
        ]),
        json!({
            "interest_cents": 241,
            "rates_verified": true,
            "periods": [{"from": "2021-03-01", "to": "2021-03-11", "days": 11, "rate": "0.08", "base_cents": 100000, "interest_cents": 241}]
        })
    );
}

#[test]
fn interest_splits_by_rate_and_capitalises() {
    assert_eq!(
        run_json(&[
            "interest",
            "--kind",
            "commercial",
            "--principal",
            "1000",
            "--from",
            "2023-07-01",
            "--to",
            "2024-07-05"
        ]),
        json!({
            "interest_cents": 12470,
            "rates_verified": true,
            "periods": [
                {"from": "2023-07-01", "to": "2023-12-31", "days": 184, "rate": "0.12", "base_cents": 100000, "interest_cents": 6049},
                {"from": "2024-01-01", "to": "2024-06-30", "days": 182, "rate": "0.125", "base_cents": 100000, "interest_cents": 6233},
                {"from": "2024-07-01", "to": "2024-07-05", "days": 5, "rate": "0.1225", "base_cents": 112282, "interest_cents": 188}
            ]
        })
    );
}

#[test]
fn interest_past_the_table_is_unverified_and_extra_rates_apply() {
    let args = ["interest", "--kind", "statutory", "--principal", "1000", "--from", "2027-01-01", "--to", "2027-01-31"];
    let carried = run_json(&args);
    assert_eq!((&carried["rates_verified"], &carried["interest_cents"]), (&json!(false), &json!(340)));
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("rates.toml");
    let row = "[[rate]]\nkind = \"statutory\"\neffective = \"2027-01-01\"\nrate = \"0.03\"\nsource = \"test\"\nverified = true\n";
    std::fs::write(&path, row).expect("written");
    let path = path.to_str().expect("utf-8 path");
    let configured = run_json(&[&args[..], &["--rates", path]].concat());
    assert_eq!((&configured["rates_verified"], &configured["interest_cents"]), (&json!(true), &json!(255)));
}

#[test]
fn allocate_costs_then_interest_then_principal() {
    assert_eq!(
        run_json(&["allocate", "--payment", "100", "--costs", "40", "--interest", "10", "--principal", "1000"]),
        json!({"costs_cents": 4000, "interest_cents": 1000, "principal_cents": 5000, "principal_left_cents": 95000})
    );
    assert_eq!(
        run_json(&["allocate", "--payment", "30", "--costs", "40", "--interest", "10", "--principal", "1000"]),
        json!({"costs_cents": 3000, "interest_cents": 0, "principal_cents": 0, "principal_left_cents": 100000})
    );
}

#[test]
fn human_output_is_a_table() {
    let output = run(&["wik", "800", "--vat-surcharge", "21"]);
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).expect("utf-8");
    let last = text.lines().last().expect("a total line");
    assert!(last.starts_with("Totaal kosten / total costs") && last.ends_with("145.20"), "{text}");
}

#[test]
fn bad_input_exits_with_code_2() {
    let cases: [(&[&str], &str); 9] = [
        (&["wik", "-5"], "the amount -5.00 is negative"),
        (&["wik", "abc"], "`abc` is not a number"),
        (&["wik", "1.234"], "more than two decimals"),
        (&["wik", "800", "--vat-surcharge", "twenty"], "`twenty` is not a percentage"),
        (
            &["interest", "--kind", "commercial", "--principal", "10", "--from", "2021-03-12", "--to", "2021-03-11"],
            "the first interest day 2021-03-12 lies after the last interest day 2021-03-11",
        ),
        (
            &["interest", "--kind", "commercial", "--principal", "10", "--from", "2010-01-01", "--to", "2021-03-11"],
            "no commercial (art. 6:119a BW) rate is known for 2010-01-01: the rate table starts on 2013-03-16",
        ),
        (
            &["interest", "--kind", "statutory", "--principal", "10", "--from", "2021-02-30", "--to", "2021-03-11"],
            "`2021-02-30` is not a date",
        ),
        (&["allocate", "--payment", "-1", "--costs", "0", "--interest", "0", "--principal", "1"], "is negative"),
        (
            &["allocate", "--payment", "2000", "--costs", "40", "--interest", "10", "--principal", "1000"],
            "the payment 2000.00 exceeds everything open by 950.00",
        ),
    ];
    for (args, message) in cases {
        let stderr = run_bad(&[args, &["--json"]].concat());
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
    assert!(run_bad(&[
        "interest",
        "--kind",
        "yearly",
        "--principal",
        "1",
        "--from",
        "2021-01-01",
        "--to",
        "2021-01-02"
    ])
    .contains("invalid value 'yearly'"));
    assert!(run_bad(&["wik"]).contains("required"));
}
