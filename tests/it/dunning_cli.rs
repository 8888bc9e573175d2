//! `vordering dunning policy set` and `dunning run --json` from the command line.

use serde_json::Value;
use sqlx::PgPool;
use vordering::events::debtor_account::DebtorKind;

use crate::dunning_support::*;

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn a_policy_file_is_set_and_the_run_prints_its_decisions(pool: PgPool) {
    let engine = engine(pool.clone()).await;
    debtor(&engine, "C1", DebtorKind::Consumer, None).await;
    invoice(&engine, "C1", "K1", 175_279, date(2025, 1, 31)).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("policy.toml");
    let shipped = include_str!("../../data/default_policy.toml");
    std::fs::write(&file, shipped.replace("# vat_surcharge_percent = \"21\"", "vat_surcharge_percent = \"21\""))
        .unwrap();
    let file = file.to_str().unwrap();
    let (code, _, err) = cli(&pool, &["dunning", "policy", "set", "--administration", ADMIN, "--file", file]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        engine.dunning_policy(&admin()).await.unwrap().vat_surcharge.map(|r| r.to_string()),
        Some("0.21".to_owned())
    );

    for day in ["2025-02-07", "2025-02-21"] {
        assert_eq!(cli(&pool, &["dunning", "run", "--administration", ADMIN, "--date", day]).0, Some(0));
    }
    let (code, out, _) = cli(&pool, &["--json", "dunning", "run", "--administration", ADMIN, "--date", "2025-03-07"]);
    assert_eq!(code, Some(0));
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!((report["accounts"].as_u64(), report["reminders"].as_array().map(Vec::len)), (Some(1), Some(1)));
    let letter = &report["reminders"][0];
    assert_eq!(
        (&letter["step"], &letter["channel"], &letter["invoices"][0]),
        (&Value::from("FourteenDayLetter"), &Value::from("letter"), &Value::from("K1"))
    );
    let costs = &letter["announced_costs"];
    assert_eq!((&costs["costs"], &costs["vat_surcharge"]), (&Value::from(26_292), &Value::from(5_521)));
    assert_eq!(
        (&costs["presumed_receipt"], &costs["term_last"], &costs["costs_from"]),
        (&Value::from("2025-03-11"), &Value::from("2025-03-25"), &Value::from("2025-03-26"))
    );
    let (_, again, _) = cli(&pool, &["--json", "dunning", "run", "--administration", ADMIN, "--date", "2025-03-07"]);
    let again: Value = serde_json::from_str(&again).unwrap();
    assert_eq!(again["reminders"], Value::Array(vec![]), "the second run on the same date decides nothing");
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn bad_input_exits_with_code_2(pool: PgPool) {
    let _engine = engine(pool.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, "minimum_amount = \"ten\"\n[bundling]\nenabled = true\nmin_interval_days = 7\nstep = []\n")
        .unwrap();
    let (code, _, err) =
        cli(&pool, &["dunning", "policy", "set", "--administration", ADMIN, "--file", file.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{err}");
    assert_eq!(cli(&pool, &["dunning", "run", "--administration", "nobody", "--date", "2025-03-07"]).0, Some(2));
    assert_eq!(cli(&pool, &["dunning", "run", "--administration", "Not A Slug"]).0, Some(2));
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn a_debtor_gets_its_own_exceptions_and_loses_them_again(pool: PgPool) {
    let engine = engine(pool.clone()).await;
    debtor(&engine, "B1", DebtorKind::Business, None).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("d1.toml");
    std::fs::write(&file, "minimum_amount = \"0.00\"\nautomatic_collection = false\n").unwrap();
    let set = [
        "dunning",
        "policy",
        "override",
        "--administration",
        ADMIN,
        "--debtor",
        "B1",
        "--file",
        file.to_str().unwrap(),
    ];
    assert_eq!(cli(&pool, &set).0, Some(0));
    let clear = ["dunning", "policy", "override", "--administration", ADMIN, "--debtor", "B1", "--clear"];
    assert_eq!(cli(&pool, &clear).0, Some(0));
    let expected = vordering::domain::dunning::PolicyOverride {
        steps: None,
        minimum_amount: Some(vordering::domain::Cents::ZERO),
        automatic_collection: Some(false),
    };
    let events = events_of(&engine, "B1").await;
    assert_eq!(
        events[1..].to_vec(),
        vec![
            vordering::events::DebtorAccountEvent::DebtorPolicyOverridden { policy: Some(expected) },
            vordering::events::DebtorAccountEvent::DebtorPolicyOverridden { policy: None },
        ]
    );
}
