//! Links and unlinks by hand: payments and credit notes, every refusal by name.

use super::support::*;
use crate::domain::debtor_account::{DebtorAccountCommand as C, DebtorAccountError as Error};
use crate::domain::Cents;
use crate::events::debtor_account::{DebtorAccountEvent as E, LinkReason, Split};

/// F1 (100.00, due) and F2 (50.00), a payment P1 of 80.00 waiting for an unknown invoice, a
/// credit note C1 of 30.00.
fn account() -> Vec<E> {
    let given = vec![invoice("F1", 10_000, date(2025, 1, 31)), invoice("F2", 5_000, date(2025, 2, 28))];
    let given = then_apply(given, receive(payment_doc("P1", 8_000, Some("F404"))));
    then_apply(given, import_invoice(invoice_doc("C1", -3_000, date(2025, 1, 31))))
}

fn link_payment(n: u128, invoice: &str, amount: Option<i64>) -> C {
    C::LinkPayment {
        link_id: link(n),
        payment_ref: pay("P1"),
        invoice_number: inv(invoice),
        amount: amount.map(eur),
        reason: " klant belde ".to_owned(),
        expected_version: None,
    }
}

fn link_credit(n: u128, invoice: &str, amount: Option<i64>) -> C {
    C::LinkCreditNote {
        link_id: link(n),
        credit_note: inv("C1"),
        invoice_number: inv(invoice),
        amount: amount.map(eur),
        reason: "creditnota voor F1".to_owned(),
        expected_version: None,
    }
}

fn paid(n: u128, invoice: &str, amount: i64) -> E {
    E::PaymentLinked {
        link_id: link(n),
        payment_ref: pay("P1"),
        invoice_number: inv(invoice),
        split: Split::principal_only(eur(amount)),
        reason: LinkReason::Manual("klant belde".to_owned()),
    }
}

#[test]
fn a_manual_link_takes_as_much_as_both_allow_by_default() {
    assert_eq!(when(&account(), link_payment(1, "F2", None)), Ok(vec![paid(1, "F2", 5_000)]));
    assert_eq!(when(&account(), link_payment(1, "F1", None)), Ok(vec![paid(1, "F1", 8_000)]));
}

#[test]
fn a_manual_link_of_a_given_amount_is_checked_against_both_sides() {
    assert_eq!(when(&account(), link_payment(1, "F1", Some(2_500))), Ok(vec![paid(1, "F1", 2_500)]));
    let over_invoice = Error::OverAllocation { invoice: inv("F2"), open: eur(5_000), requested: eur(6_000) };
    assert_eq!(when(&account(), link_payment(1, "F2", Some(6_000))), Err(over_invoice));
    let over_payment =
        Error::PaymentOverAllocated { payment: pay("P1"), unallocated: eur(8_000), requested: eur(9_000) };
    assert_eq!(when(&account(), link_payment(1, "F1", Some(9_000))), Err(over_payment));
    assert_eq!(when(&account(), link_payment(1, "F1", Some(0))), Err(Error::ZeroAmount));
    assert_eq!(when(&account(), link_payment(1, "F1", Some(-5))), Err(Error::NegativeAmount { amount: eur(-5) }));
}

#[test]
fn an_exhausted_side_is_named_when_no_amount_is_given() {
    let given = then_apply(account(), link_payment(1, "F1", None));
    let expected = Error::PaymentOverAllocated { payment: pay("P1"), unallocated: eur(0), requested: eur(5_000) };
    assert_eq!(when(&given, link_payment(2, "F2", None)), Err(expected));
    let settled = then_apply(account(), link_payment(1, "F2", None));
    let expected = Error::OverAllocation { invoice: inv("F2"), open: eur(0), requested: eur(3_000) };
    assert_eq!(when(&settled, link_payment(2, "F2", None)), Err(expected));
}

#[test]
fn manual_links_refuse_unknown_documents_reused_ids_and_missing_reasons() {
    let given = then_apply(account(), link_payment(1, "F1", Some(100)));
    assert_eq!(when(&given, link_payment(1, "F2", None)), Err(Error::LinkIdInUse(link(1))));
    assert_eq!(when(&given, link_payment(2, "F404", None)), Err(Error::UnknownInvoice(inv("F404"))));
    let unknown_payment = C::LinkPayment {
        link_id: link(2),
        payment_ref: pay("P9"),
        invoice_number: inv("F1"),
        amount: None,
        reason: "x".to_owned(),
        expected_version: None,
    };
    assert_eq!(when(&given, unknown_payment), Err(Error::UnknownPayment(pay("P9"))));
    let mut no_reason = link_payment(2, "F1", None);
    if let C::LinkPayment { reason, .. } = &mut no_reason {
        *reason = "  ".to_owned();
    }
    assert_eq!(when(&given, no_reason), Err(Error::ReasonRequired));
}

#[test]
fn a_stale_expected_version_is_refused_and_the_current_one_accepted() {
    let given = account();
    let version = fold(&given).version;
    assert_eq!(version, 4);
    let mut command = link_payment(1, "F1", Some(100));
    if let C::LinkPayment { expected_version, .. } = &mut command {
        *expected_version = Some(3);
    }
    assert_eq!(when(&given, command.clone()), Err(Error::StaleVersion { expected: 3, actual: 4 }));
    if let C::LinkPayment { expected_version, .. } = &mut command {
        *expected_version = Some(4);
    }
    assert_eq!(when(&given, command), Ok(vec![paid(1, "F1", 100)]));
}

#[test]
fn unlinking_a_payment_restores_both_sides_once() {
    let given = then_apply(account(), link_payment(1, "F1", Some(3_000)));
    let unlink =
        C::UnlinkPayment { link_id: link(1), reason: "verkeerde factuur".to_owned(), expected_version: Some(5) };
    let events = when(&given, unlink.clone()).unwrap();
    assert_eq!(events, vec![E::PaymentUnlinked { link_id: link(1), reason: "verkeerde factuur".to_owned() }]);
    let after = [given, events].concat();
    let account = fold(&after);
    assert_eq!(account.invoices[&inv("F1")].open_principal(), eur(10_000));
    assert_eq!(account.payments[&pay("P1")].unallocated(), eur(8_000));
    assert!(!account.links[&link(1)].active);
    let unlink_again = C::UnlinkPayment { link_id: link(1), reason: "nogmaals".to_owned(), expected_version: None };
    assert_eq!(when(&after, unlink_again), Err(Error::AlreadyUnlinked(link(1))));
}

#[test]
fn unlinking_an_unknown_link_or_one_of_the_other_kind_is_refused() {
    let given = then_apply(account(), link_credit(7, "F1", None));
    let unknown = C::UnlinkPayment { link_id: link(9), reason: "x".to_owned(), expected_version: None };
    assert_eq!(when(&given, unknown), Err(Error::UnknownLink { link: link(9), kind: "payment" }));
    let wrong_kind = C::UnlinkPayment { link_id: link(7), reason: "x".to_owned(), expected_version: None };
    assert_eq!(when(&given, wrong_kind), Err(Error::UnknownLink { link: link(7), kind: "payment" }));
    let no_reason = C::UnlinkCreditNote { link_id: link(7), reason: String::new(), expected_version: None };
    assert_eq!(when(&given, no_reason), Err(Error::ReasonRequired));
    let stale = C::UnlinkCreditNote { link_id: link(7), reason: "x".to_owned(), expected_version: Some(0) };
    assert_eq!(when(&given, stale), Err(Error::StaleVersion { expected: 0, actual: 5 }));
}

#[test]
fn a_credit_note_is_linked_and_unlinked_by_hand() {
    let expected = E::CreditNoteLinked {
        link_id: link(7),
        credit_note: inv("C1"),
        invoice_number: inv("F1"),
        amount: eur(3_000),
        reason: LinkReason::Manual("creditnota voor F1".to_owned()),
    };
    let events = when(&account(), link_credit(7, "F1", None)).unwrap();
    assert_eq!(events, vec![expected]);
    let linked = [account(), events].concat();
    let state = fold(&linked);
    assert_eq!(state.invoices[&inv("F1")].open_principal(), eur(7_000));
    assert_eq!(state.invoices[&inv("F1")].credited(), eur(3_000));
    assert_eq!(state.credit_notes[&inv("C1")].unallocated(), Cents::ZERO);
    let unlink = C::UnlinkCreditNote { link_id: link(7), reason: "terug".to_owned(), expected_version: None };
    let unlinked = then_apply(linked, unlink);
    assert_eq!(unlinked.last(), Some(&E::CreditNoteUnlinked { link_id: link(7), reason: "terug".to_owned() }));
    assert_eq!(fold(&unlinked).credit_notes[&inv("C1")].unallocated(), eur(3_000));
}

#[test]
fn credit_note_links_are_refused_by_name() {
    let over_note =
        Error::CreditNoteOverAllocated { credit_note: inv("C1"), unallocated: eur(3_000), requested: eur(4_000) };
    assert_eq!(when(&account(), link_credit(7, "F1", Some(4_000))), Err(over_note));
    let mut unknown = link_credit(7, "F1", None);
    if let C::LinkCreditNote { credit_note, .. } = &mut unknown {
        *credit_note = inv("C9");
    }
    assert_eq!(when(&account(), unknown), Err(Error::UnknownCreditNote(inv("C9"))));
    let paid_off = then_apply(account(), link_payment(1, "F2", None));
    let over_invoice = Error::OverAllocation { invoice: inv("F2"), open: eur(0), requested: eur(3_000) };
    assert_eq!(when(&paid_off, link_credit(7, "F2", None)), Err(over_invoice));
}

#[test]
fn a_fully_credited_invoice_reads_as_credited() {
    let given = then_apply(
        vec![invoice("F1", 3_000, date(2025, 1, 31))],
        import_invoice(invoice_doc("C1", -3_000, date(2025, 1, 31))),
    );
    let state = fold(&then_apply(given, link_credit(7, "F1", None)));
    assert!(state.invoices[&inv("F1")].is_credited());
    assert_eq!(state.invoices[&inv("F1")].paid(), Cents::ZERO);
}
