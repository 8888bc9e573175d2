//! Receiving payments: the named invoice, art. 6:43 for the rest, idempotency, determinism.

use super::support::*;
use crate::domain::debtor_account::{DebtorAccountCommand as C, DebtorAccountError as Error, DocumentKind};
use crate::events::debtor_account::LinkReason;

#[test]
fn a_payment_naming_an_invoice_is_linked_up_to_its_open_amount() {
    let given = [invoice("F1", 10_000, date(2025, 1, 31)), invoice("F0", 5_000, date(2024, 12, 31))];
    let doc = payment_doc("P1", 12_500, Some("F1"));
    let expected = vec![payment_received(&doc), auto_linked("P1", "F1", 10_000, LinkReason::ReferencedByBooks)];
    let events = when(&given, receive(doc)).unwrap();
    assert_eq!(events, expected);
    let account = fold(&[given.to_vec(), events].concat());
    assert_eq!(account.payments[&pay("P1")].unallocated(), eur(2_500), "the rest stays on the payment");
    assert_eq!(account.invoices[&inv("F0")].open_principal(), eur(5_000), "no other invoice takes the rest");
}

#[test]
fn an_unreferenced_payment_goes_by_art_6_43_over_several_invoices() {
    let given = [
        invoice("F3", 3_000, date(2025, 2, 28)),
        invoice("F9", 4_000, date(2025, 4, 1)), // not yet due: last
        invoice("F2", 2_000, date(2025, 1, 31)),
        invoice("F1", 1_000, date(2025, 1, 31)), // same due date as F2, lower number: first
    ];
    let doc = payment_doc("P1", 7_500, None);
    let expected = vec![
        payment_received(&doc),
        auto_linked("P1", "F1", 1_000, LinkReason::StatutoryOrder),
        auto_linked("P1", "F2", 2_000, LinkReason::StatutoryOrder),
        auto_linked("P1", "F3", 3_000, LinkReason::StatutoryOrder),
        auto_linked("P1", "F9", 1_500, LinkReason::StatutoryOrder),
    ];
    let events = when(&given, receive(doc)).unwrap();
    assert_eq!(events, expected);
    assert_eq!(open(&[given.to_vec(), events].concat(), "F9"), eur(2_500));
}

#[test]
fn art_6_43_skips_settled_invoices_and_leaves_a_surplus_unallocated() {
    let given = then_apply(
        vec![invoice("F1", 1_000, date(2025, 1, 1)), invoice("F2", 2_000, date(2025, 1, 2))],
        receive(payment_doc("P0", 1_000, Some("F1"))),
    );
    let doc = payment_doc("P1", 2_600, None);
    let expected = vec![payment_received(&doc), auto_linked("P1", "F2", 2_000, LinkReason::StatutoryOrder)];
    let events = when(&given, receive(doc)).unwrap();
    assert_eq!(events, expected);
    assert_eq!(fold(&[given, events].concat()).payments[&pay("P1")].unallocated(), eur(600));
}

#[test]
fn a_payment_naming_an_unknown_invoice_waits_unallocated() {
    let given = [invoice("F1", 10_000, date(2025, 1, 31))];
    let doc = payment_doc("P1", 500, Some("F404"));
    assert_eq!(when(&given, receive(doc.clone())), Ok(vec![payment_received(&doc)]));
}

#[test]
fn the_same_payment_twice_appends_nothing() {
    let given = then_apply(vec![invoice("F1", 10_000, date(2025, 1, 31))], receive(payment_doc("P1", 500, None)));
    assert_eq!(when(&given, receive(payment_doc("P1", 500, None))), Ok(vec![]));
}

#[test]
fn a_payment_whose_content_changed_is_held_for_review() {
    let given = then_apply(vec![], receive(payment_doc("P1", 500, None)));
    let expected = Error::DocumentChanged { document_key: "acme-bv|e-boekhouden|payment|P1".to_owned() };
    assert_eq!(when(&given, receive(payment_doc("P1", 501, None))), Err(expected));
}

#[test]
fn a_payment_reference_under_another_key_is_refused() {
    let given = then_apply(vec![], receive(payment_doc("P1", 500, None)));
    let command = C::ReceivePayment {
        key: key(DocumentKind::Payment, "9001"),
        payment: payment_doc("P1", 500, None),
        today: today(),
        link_id_seed: seed(),
    };
    assert_eq!(when(&given, command), Err(Error::NumberInUse { number: "P1".to_owned() }));
}

#[test]
fn zero_negative_and_absurd_payments_are_refused() {
    assert_eq!(when(&[], receive(payment_doc("P1", 0, None))), Err(Error::ZeroAmount));
    assert_eq!(when(&[], receive(payment_doc("P1", -1, None))), Err(Error::NegativeAmount { amount: eur(-1) }));
    let absurd = crate::domain::Cents::LIMIT.get() + 1;
    assert_eq!(when(&[], receive(payment_doc("P1", absurd, None))), Err(Error::AmountTooLarge { amount: eur(absurd) }));
}

#[test]
fn a_replayed_import_makes_the_same_link_ids_and_another_seed_other_ones() {
    let given = [invoice("F1", 10_000, date(2025, 1, 31))];
    let first = when(&given, receive(payment_doc("P1", 500, None))).unwrap();
    assert_eq!(when(&given, receive(payment_doc("P1", 500, None))).unwrap(), first);
    let key = key(DocumentKind::Payment, "P1");
    let other_seed = C::ReceivePayment {
        key,
        payment: payment_doc("P1", 500, None),
        today: today(),
        link_id_seed: uuid::Uuid::nil(),
    };
    assert_ne!(when(&given, other_seed).unwrap(), first);
}
