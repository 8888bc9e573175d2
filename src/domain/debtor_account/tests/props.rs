//! Property: no sequence of commands over-allocates an invoice, a payment or a credit note.

use proptest::prelude::*;

use super::support::*;
use crate::domain::debtor_account::{decide, DebtorAccount, DebtorAccountCommand as C};
use crate::domain::Cents;

const INVOICES: [&str; 3] = ["F1", "F2", "C1"];
const PAYMENTS: [&str; 3] = ["P1", "P2", "P3"];

fn command() -> impl Strategy<Value = C> {
    let number = prop::sample::select(&INVOICES[..]);
    let payment = prop::sample::select(&PAYMENTS[..]);
    let amount = prop_oneof![-200i64..=2_000, Just(0i64)];
    let due = (0u32..60).prop_map(|days| date(2025, 1, 1) + chrono::Days::new(u64::from(days)));
    let reference = prop::option::of(prop::sample::select(&INVOICES[..]));
    let small = prop::option::of(-50i64..=1_500);
    prop_oneof![
        (number.clone(), amount.clone(), due).prop_map(|(n, a, d)| import_invoice(invoice_doc(n, a, d))),
        (payment.clone(), amount.clone(), reference).prop_map(|(p, a, r)| receive(payment_doc(p, a, r))),
        (0u128..6, payment.clone(), number.clone(), small.clone()).prop_map(|(l, p, n, a)| C::LinkPayment {
            link_id: link(l),
            payment_ref: pay(p),
            invoice_number: inv(n),
            amount: a.map(eur),
            reason: "prop".to_owned(),
            expected_version: None,
        }),
        (0u128..6, number.clone(), small).prop_map(|(l, n, a)| C::LinkCreditNote {
            link_id: link(l),
            credit_note: inv("C1"),
            invoice_number: inv(n),
            amount: a.map(eur),
            reason: "prop".to_owned(),
            expected_version: None,
        }),
        (0u128..6).prop_map(|l| C::UnlinkPayment {
            link_id: link(l),
            reason: "prop".to_owned(),
            expected_version: None
        }),
        (0u128..6).prop_map(|l| C::UnlinkCreditNote {
            link_id: link(l),
            reason: "prop".to_owned(),
            expected_version: None
        }),
        (number, -100i64..=2_100)
            .prop_map(|(n, b)| C::ReconcileOpenAmount { invoice_number: inv(n), books_open: eur(b) }),
    ]
}

fn check_invariants(account: &DebtorAccount) -> Result<(), TestCaseError> {
    for invoice in account.invoices.values() {
        let (open, amount) = (invoice.open_principal(), invoice.amount);
        prop_assert!(open >= Cents::ZERO && open <= amount, "{} open {open} of {amount}", invoice.number);
        prop_assert!(invoice.allocated() <= amount, "{} links exceed its amount", invoice.number);
        prop_assert!(invoice.adjusted >= Cents::ZERO, "{} adjusted {}", invoice.number, invoice.adjusted);
    }
    for payment in account.payments.values() {
        let unallocated = payment.unallocated();
        prop_assert!(
            unallocated >= Cents::ZERO && unallocated <= payment.amount,
            "{} rest {unallocated}",
            payment.payment_ref
        );
    }
    for note in account.credit_notes.values() {
        prop_assert!(note.unallocated() >= Cents::ZERO && note.unallocated() <= note.amount);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn no_command_sequence_over_allocates(commands in prop::collection::vec(command(), 1..40)) {
        let mut account = DebtorAccount::default();
        let mut history = Vec::new();
        for command in commands {
            let Ok(events) = decide(&account, command) else { continue };
            for event in events {
                history.push(event.clone());
                account.apply(event);
                check_invariants(&account)?;
            }
        }
        prop_assert_eq!(account.version, u64::try_from(history.len()).unwrap());
        prop_assert_eq!(fold(&history), account, "replaying the stream gives the same state");
    }
}
