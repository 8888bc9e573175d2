//! Reconciling the open amount with the books, and payments that later explain an adjustment.

use super::support::*;
use crate::domain::debtor_account::{DebtorAccountCommand as C, DebtorAccountError as Error};
use crate::events::debtor_account::{DebtorAccountEvent as E, LinkReason};

fn reconcile(invoice: &str, books_open: i64) -> C {
    C::ReconcileOpenAmount { invoice_number: inv(invoice), books_open: eur(books_open) }
}

fn adjusted(invoice: &str, from: i64, to: i64) -> E {
    E::OpenAmountAdjusted { invoice_number: inv(invoice), from: eur(from), to: eur(to) }
}

#[test]
fn an_unexplained_drop_is_recorded_as_an_adjustment() {
    let given = [invoice("F1", 10_000, date(2025, 1, 31))];
    assert_eq!(when(&given, reconcile("F1", 4_000)), Ok(vec![adjusted("F1", 10_000, 4_000)]));
    assert_eq!(when(&given, reconcile("F1", 10_000)), Ok(vec![]), "nothing when the books agree");
}

#[test]
fn a_rise_in_the_books_takes_back_a_reduction_but_never_lifts_open_over_the_links() {
    let given = [invoice("F1", 10_000, date(2025, 1, 31)), adjusted("F1", 10_000, 4_000)];
    assert_eq!(when(&given, reconcile("F1", 7_000)), Ok(vec![adjusted("F1", 4_000, 7_000)]));
    let expected = Error::BooksOpenExceedsLinks { invoice: inv("F1"), books_open: eur(10_001), max_open: eur(10_000) };
    assert_eq!(when(&given, reconcile("F1", 10_001)), Err(expected));
    assert_eq!(when(&given, reconcile("F1", -1)), Err(Error::NegativeAmount { amount: eur(-1) }));
    assert_eq!(when(&given, reconcile("F9", 0)), Err(Error::UnknownInvoice(inv("F9"))));
}

#[test]
fn links_the_books_do_not_show_are_refused_for_review() {
    let given =
        then_apply(vec![invoice("F1", 10_000, date(2025, 1, 31))], receive(payment_doc("P1", 1_000, Some("F404"))));
    let link = C::LinkPayment {
        link_id: link(1),
        payment_ref: pay("P1"),
        invoice_number: inv("F1"),
        amount: None,
        reason: "paid at the counter, not booked yet".to_owned(),
        expected_version: None,
    };
    let linked = then_apply(then_apply(given, reconcile("F1", 4_000)), link);
    assert_eq!(open(&linked, "F1"), eur(3_000));
    let expected = Error::BooksOpenExceedsLinks { invoice: inv("F1"), books_open: eur(9_500), max_open: eur(9_000) };
    assert_eq!(when(&linked, reconcile("F1", 9_500)), Err(expected));
    assert_eq!(when(&linked, reconcile("F1", 9_000)), Ok(vec![adjusted("F1", 3_000, 9_000)]));
}

#[test]
fn a_payment_that_explains_an_adjustment_is_linked_not_double_counted() {
    let given = then_apply(vec![invoice("F1", 10_000, date(2025, 1, 31))], reconcile("F1", 4_000));
    let doc = payment_doc("P1", 6_000, Some("F1"));
    let expected = vec![
        payment_received(&doc),
        adjusted("F1", 4_000, 10_000),
        auto_linked("P1", "F1", 6_000, LinkReason::ReferencedByBooks),
    ];
    let events = when(&given, receive(doc)).unwrap();
    assert_eq!(events, expected);
    let after = [given, events].concat();
    let account = fold(&after);
    assert_eq!(account.invoices[&inv("F1")].open_principal(), eur(4_000), "still what the books say");
    assert_eq!(account.invoices[&inv("F1")].unexplained_reduction(), eur(0));
    assert_eq!(account.payments[&pay("P1")].unallocated(), eur(0));
    assert_eq!(when(&after, reconcile("F1", 4_000)), Ok(vec![]), "the next reconcile agrees");
}

#[test]
fn a_smaller_payment_explains_part_and_a_reconcile_settles_the_rest() {
    let given = then_apply(vec![invoice("F1", 10_000, date(2025, 1, 31))], reconcile("F1", 4_000));
    let doc = payment_doc("P1", 2_500, Some("F1"));
    let expected = [
        payment_received(&doc),
        adjusted("F1", 4_000, 6_500),
        auto_linked("P1", "F1", 2_500, LinkReason::ReferencedByBooks),
    ];
    let after = then_apply(given, receive(doc));
    assert_eq!(after[2..], expected);
    assert_eq!(open(&after, "F1"), eur(4_000));
    assert_eq!(fold(&after).invoices[&inv("F1")].unexplained_reduction(), eur(3_500));
    // The books meanwhile also counted this payment as new money: the reconcile records it.
    assert_eq!(when(&after, reconcile("F1", 1_500)), Ok(vec![adjusted("F1", 4_000, 1_500)]));
}

#[test]
fn a_payment_larger_than_the_invoice_explains_the_adjustment_and_keeps_its_rest() {
    let given = then_apply(vec![invoice("F1", 10_000, date(2025, 1, 31))], reconcile("F1", 4_000));
    let doc = payment_doc("P1", 15_000, Some("F1"));
    let expected = vec![
        payment_received(&doc),
        adjusted("F1", 4_000, 10_000),
        auto_linked("P1", "F1", 10_000, LinkReason::ReferencedByBooks),
    ];
    let events = when(&given, receive(doc)).unwrap();
    assert_eq!(events, expected);
    let account = fold(&[given, events].concat());
    assert_eq!(account.invoices[&inv("F1")].open_principal(), eur(0));
    assert_eq!(account.payments[&pay("P1")].unallocated(), eur(5_000));
}

#[test]
fn an_unreferenced_payment_does_not_explain_adjustments() {
    let given = then_apply(vec![invoice("F1", 10_000, date(2025, 1, 31))], reconcile("F1", 4_000));
    let doc = payment_doc("P1", 6_000, None);
    let expected = vec![payment_received(&doc), auto_linked("P1", "F1", 4_000, LinkReason::StatutoryOrder)];
    assert_eq!(when(&given, receive(doc)), Ok(expected));
}
