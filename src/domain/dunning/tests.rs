//! The policy file, its checks and overrides; phases, ageing and prescription warnings.

use chrono::NaiveDate;

use super::*;
use crate::domain::debtor_account::DebtorAccount;
use crate::domain::{Cents, DebtorCode, InvoiceNumber};
use crate::events::debtor_account::{DebtorAccountEvent as E, InvoiceSource};

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap()
}

#[test]
fn the_shipped_default_policy_is_valid() {
    let policy = DunningPolicy::shipped_default();
    let steps: Vec<(DunningStep, Anchor, u32, Channel, Audience)> =
        policy.steps.iter().map(|s| (s.step, s.after, s.days, s.channel, s.applies_to)).collect();
    assert_eq!(
        steps,
        vec![
            (DunningStep::Reminder1, Anchor::DueDate, 7, Channel::Email, Audience::All),
            (DunningStep::Reminder2, Anchor::PreviousStep, 14, Channel::Email, Audience::All),
            (DunningStep::FourteenDayLetter, Anchor::PreviousStep, 14, Channel::Letter, Audience::Consumer),
            (DunningStep::Collection, Anchor::PreviousStep, 21, Channel::Letter, Audience::All),
        ]
    );
    assert_eq!(policy.minimum_amount, Cents::new(500));
    assert_eq!(policy.bundling, Bundling { enabled: true, min_interval_days: 7 });
    assert_eq!((policy.automatic_collection, policy.vat_surcharge), (true, None));
}

const MINIMAL: &str = r#"
minimum_amount = "10.00"
vat_surcharge_percent = "21"
[bundling]
enabled = false
min_interval_days = 0
[[step]]
step = "Reminder1"
after = "due_date"
days = 3
channel = "email"
template = "r1"
[overrides.D7]
minimum_amount = "0.00"
automatic_collection = false
"#;

#[test]
fn a_policy_file_reads_euros_percentages_and_overrides() {
    let policy = DunningPolicy::from_toml(MINIMAL).unwrap();
    assert_eq!(policy.minimum_amount, Cents::new(1_000));
    assert_eq!(policy.vat_surcharge.map(|r| r.to_string()), Some("0.21".to_owned()));
    let d7 = DebtorCode::new("D7").unwrap();
    let for_d7 = policy.for_debtor(Some(&d7), None);
    assert_eq!((for_d7.minimum_amount, for_d7.automatic_collection), (Cents::ZERO, false));
    let account = PolicyOverride { minimum_amount: Some(Cents::new(5)), ..PolicyOverride::default() };
    assert_eq!(policy.for_debtor(Some(&d7), Some(&account)).minimum_amount, Cents::new(5), "the account's wins");
    assert_eq!(policy.for_debtor(None, None).minimum_amount, Cents::new(1_000));
}

#[test]
fn a_bad_policy_file_names_what_is_wrong() {
    let swap = MINIMAL.replace("step = \"Reminder1\"", "step = \"Reminder2\"")
        + "[[step]]\nstep = \"Reminder1\"\nafter = \"previous_step\"\ndays = 1\nchannel = \"email\"\ntemplate = \"x\"\n";
    // The override table ends the step list in TOML, so build the swapped case without it.
    let swap = swap.replace("[overrides.D7]\nminimum_amount = \"0.00\"\nautomatic_collection = false\n", "");
    let order = PolicyError::OutOfOrder { earlier: DunningStep::Reminder2, later: DunningStep::Reminder1 };
    assert_eq!(DunningPolicy::from_toml(&swap), Err(order));
    let first = MINIMAL.replace("after = \"due_date\"", "after = \"previous_step\"");
    assert_eq!(DunningPolicy::from_toml(&first), Err(PolicyError::FirstStepAfterPrevious));
    let amount = MINIMAL.replace("\"10.00\"", "\"ten\"");
    assert_eq!(DunningPolicy::from_toml(&amount), Err(PolicyError::BadAmount("ten".to_owned())));
    let days = MINIMAL.replace("days = 3", "days = 4000");
    let too_many = PolicyError::TooManyDays { step: DunningStep::Reminder1, days: 4_000, max: MAX_STEP_DAYS };
    assert_eq!(DunningPolicy::from_toml(&days), Err(too_many));
    assert!(matches!(DunningPolicy::from_toml("minimum_amount = 1"), Err(PolicyError::Malformed(_))));
}

#[test]
fn reminder_ids_depend_on_the_invoice_set_not_its_order() {
    let admin = crate::domain::AdministrationId::new("acme-bv").unwrap();
    let debtor = DebtorCode::new("D001").unwrap();
    let (a, b) = (InvoiceNumber::new("A").unwrap(), InvoiceNumber::new("B").unwrap());
    let one = reminder_id(&admin, &debtor, DunningStep::Reminder1, &[a.clone(), b.clone()]);
    assert_eq!(one, reminder_id(&admin, &debtor, DunningStep::Reminder1, &[b.clone(), a.clone()]));
    assert_ne!(one, reminder_id(&admin, &debtor, DunningStep::Reminder2, &[a.clone(), b.clone()]));
    assert_ne!(one, case_id(&admin, &debtor, &[a, b]));
}

fn account_with_invoice(due: NaiveDate) -> DebtorAccount {
    let mut account = DebtorAccount::default();
    account.apply(E::InvoiceImported {
        document_key: "acme-bv|e-boekhouden|invoice|F1".to_owned(),
        content_hash: "h".to_owned(),
        invoice_number: InvoiceNumber::new("F1").unwrap(),
        invoice_date: due,
        due_date: due,
        amount: Cents::new(10_000),
        source: InvoiceSource::Invoicing,
        payment_term_days: 0,
    });
    account
}

#[test]
fn claims_that_prescribe_within_ninety_days_are_warned_about() {
    // Due 2020-05-15, no reminder: prescribed from the start of 2025-05-16 (I03).
    let account = account_with_invoice(date(2020, 5, 15));
    let warning =
        DunningWarning::PrescribesSoon { invoice: InvoiceNumber::new("F1").unwrap(), prescribes_on: date(2025, 5, 16) };
    let policy = DunningPolicy::shipped_default();
    assert_eq!(due_steps(&account, &policy, date(2025, 2, 15)).warnings, vec![warning]);
    assert_eq!(due_steps(&account, &policy, date(2025, 2, 14)).warnings, vec![], "91 days before");
}

#[test]
fn phases_and_ageing_buckets() {
    let account = account_with_invoice(date(2025, 1, 31));
    let invoice = &account.invoices[&InvoiceNumber::new("F1").unwrap()];
    assert_eq!(phase(&account, invoice, date(2025, 1, 31)), Phase::NotDue);
    assert_eq!(phase(&account, invoice, date(2025, 2, 1)), Phase::Overdue);
    let buckets: Vec<AgeingBucket> = [0, 1, 30, 31, 60, 61, 90, 91]
        .iter()
        .map(|d| ageing_bucket(date(2025, 1, 1), date(2025, 1, 1) + chrono::Days::new(*d)))
        .collect();
    use AgeingBucket as B;
    assert_eq!(
        buckets,
        vec![
            B::NotDue,
            B::Days1To30,
            B::Days1To30,
            B::Days31To60,
            B::Days31To60,
            B::Days61To90,
            B::Days61To90,
            B::Over90
        ]
    );
}
