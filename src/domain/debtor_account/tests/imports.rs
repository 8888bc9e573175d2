//! Importing the debtor and invoices: new documents, idempotency, corrections, credit notes.

use super::support::*;
use crate::domain::debtor_account::{DebtorAccountCommand as C, DebtorAccountError as Error, DocumentKind};
use crate::domain::DebtorCode;
use crate::events::debtor_account::{DebtorAccountEvent as E, DebtorChange, DebtorKind, InvoiceTerms, LinkReason};

fn import_debtor(doc: crate::domain::debtor_account::DebtorDocument) -> C {
    C::ImportDebtor { key: key(DocumentKind::Debtor, "D001"), debtor: doc }
}

#[test]
fn a_new_debtor_is_imported_with_its_master_data() {
    assert_eq!(when(&[], import_debtor(debtor_doc())), Ok(vec![debtor_imported()]));
    let account = fold(&[debtor_imported()]);
    let debtor = account.debtor.as_ref().unwrap();
    assert_eq!((debtor.name.as_str(), debtor.kind), ("Jansen Installatie", DebtorKind::Business));
    assert_eq!(account.documents[&key(DocumentKind::Debtor, "D001").to_string()], debtor_doc().content_hash());
}

#[test]
fn the_same_debtor_twice_appends_nothing() {
    assert_eq!(when(&[debtor_imported()], import_debtor(debtor_doc())), Ok(vec![]));
}

#[test]
fn a_changed_debtor_lists_only_the_changed_fields() {
    let mut doc = debtor_doc();
    doc.kind = DebtorKind::Consumer;
    doc.email = None;
    let expected = E::DebtorUpdated {
        content_hash: doc.content_hash(),
        changes: vec![DebtorChange::Kind(DebtorKind::Consumer), DebtorChange::Email(None)],
    };
    assert_eq!(when(&[debtor_imported()], import_debtor(doc)), Ok(vec![expected.clone()]));
    let account = fold(&[debtor_imported(), expected]);
    assert_eq!(account.debtor.as_ref().map(|d| (d.kind, d.email.clone())), Some((DebtorKind::Consumer, None)));
}

#[test]
fn another_relation_record_for_the_account_is_refused() {
    let mut doc = debtor_doc();
    doc.code = DebtorCode::new("D002").unwrap();
    assert_eq!(when(&[debtor_imported()], import_debtor(doc)), Err(Error::NumberInUse { number: "D002".to_owned() }));
}

#[test]
fn a_key_of_the_wrong_kind_is_refused() {
    let command = C::ImportDebtor { key: key(DocumentKind::Payment, "D001"), debtor: debtor_doc() };
    let expected =
        Error::WrongDocumentKind { document_key: "acme-bv|e-boekhouden|payment|D001".to_owned(), expected: "debtor" };
    assert_eq!(when(&[], command), Err(expected));
}

#[test]
fn a_new_invoice_is_imported_with_key_hash_and_source() {
    let doc = invoice_doc("F1", 12_100, date(2025, 1, 31));
    let events = when(&[], import_invoice(doc.clone())).unwrap();
    assert_eq!(events, vec![invoice_imported(&doc)]);
    assert_eq!(events[0].document_key(), Some("acme-bv|e-boekhouden|invoice|F1"));
    assert_eq!(open(&events, "F1"), eur(12_100));
}

#[test]
fn the_invoice_hash_is_pinned_to_its_canonical_json() {
    use sha2::{Digest, Sha256};
    let canonical = r#"{"invoice_number":"F1","invoice_date":"2025-01-01","due_date":"2025-01-31","amount":12100}"#;
    let expected = hex::encode(Sha256::digest(format!("vordering-document-v1\n{canonical}")));
    assert_eq!(invoice_doc("F1", 12_100, date(2025, 1, 31)).content_hash(), expected);
}

#[test]
fn the_same_invoice_twice_appends_nothing_even_from_another_source() {
    let doc = invoice_doc("F1", 12_100, date(2025, 1, 31));
    let mut from_open_items = doc.clone();
    from_open_items.source = crate::events::debtor_account::InvoiceSource::OpenItem;
    assert_eq!(when(&[invoice_imported(&doc)], import_invoice(doc.clone())), Ok(vec![]));
    assert_eq!(when(&[invoice_imported(&doc)], import_invoice(from_open_items)), Ok(vec![]));
}

#[test]
fn a_changed_invoice_gives_exactly_one_correction_and_moves_the_open_amount() {
    let old = invoice_doc("F1", 10_000, date(2025, 1, 31));
    let new = invoice_doc("F1", 12_000, date(2025, 2, 14));
    let paid = payment_doc("P1", 3_000, Some("F1"));
    let given = then_apply(vec![invoice_imported(&old)], receive(paid));
    let expected = E::InvoiceCorrected {
        invoice_number: inv("F1"),
        content_hash: new.content_hash(),
        before: InvoiceTerms { invoice_date: date(2025, 1, 1), due_date: date(2025, 1, 31), amount: eur(10_000) },
        after: InvoiceTerms { invoice_date: date(2025, 1, 1), due_date: date(2025, 2, 14), amount: eur(12_000) },
    };
    let events = when(&given, import_invoice(new.clone())).unwrap();
    assert_eq!(events, vec![expected]);
    let after = [given, events].concat();
    assert_eq!(open(&after, "F1"), eur(9_000));
    assert_eq!(when(&after, import_invoice(new)), Ok(vec![]));
}

#[test]
fn a_correction_below_what_is_settled_is_refused() {
    let given =
        then_apply(vec![invoice("F1", 10_000, date(2025, 1, 31))], receive(payment_doc("P1", 6_000, Some("F1"))));
    let expected = Error::CorrectionBelowSettled { invoice: inv("F1"), settled: eur(6_000), amount: eur(5_000) };
    assert_eq!(when(&given, import_invoice(invoice_doc("F1", 5_000, date(2025, 1, 31)))), Err(expected));
}

#[test]
fn an_invoice_that_turns_negative_is_held_for_review() {
    let given = [invoice("F1", 10_000, date(2025, 1, 31))];
    let expected = Error::DocumentChanged { document_key: "acme-bv|e-boekhouden|invoice|F1".to_owned() };
    assert_eq!(when(&given, import_invoice(invoice_doc("F1", -10_000, date(2025, 1, 31)))), Err(expected));
}

#[test]
fn a_negative_invoice_becomes_a_credit_note_and_is_not_linked() {
    let doc = invoice_doc("C1", -2_500, date(2025, 1, 31));
    let given = [invoice("F1", 10_000, date(2025, 1, 31))];
    let expected = E::CreditNoteImported {
        document_key: "acme-bv|e-boekhouden|invoice|C1".to_owned(),
        content_hash: doc.content_hash(),
        number: inv("C1"),
        date: date(2025, 1, 1),
        amount: eur(2_500),
    };
    let events = when(&given, import_invoice(doc.clone())).unwrap();
    assert_eq!(events, vec![expected]);
    let after = [given.to_vec(), events].concat();
    assert_eq!(fold(&after).credit_notes[&inv("C1")].unallocated(), eur(2_500));
    assert_eq!(open(&after, "F1"), eur(10_000));
    assert_eq!(when(&after, import_invoice(doc)), Ok(vec![]));
}

#[test]
fn invalid_invoices_are_refused_by_name() {
    let zero = invoice_doc("F1", 0, date(2025, 1, 31));
    assert_eq!(when(&[], import_invoice(zero)), Err(Error::ZeroAmount));
    let huge = invoice_doc("F1", crate::domain::Cents::LIMIT.get() + 1, date(2025, 1, 31));
    let amount = huge.amount;
    assert_eq!(when(&[], import_invoice(huge)), Err(Error::AmountTooLarge { amount }));
    let early = invoice_doc("F1", 100, date(2024, 12, 31));
    let expected = Error::DueBeforeInvoiceDate {
        invoice: inv("F1"),
        invoice_date: date(2025, 1, 1),
        due_date: date(2024, 12, 31),
    };
    assert_eq!(when(&[], import_invoice(early)), Err(expected));
}

#[test]
fn a_number_used_by_another_document_is_refused() {
    let given = [invoice("F1", 10_000, date(2025, 1, 31))];
    let doc = invoice_doc("F1", 10_000, date(2025, 1, 31));
    let command = C::ImportInvoice { key: key(DocumentKind::Invoice, "other-id"), invoice: doc, link_id_seed: seed() };
    assert_eq!(when(&given, command), Err(Error::NumberInUse { number: "F1".to_owned() }));
}

#[test]
fn payments_waiting_for_an_invoice_are_linked_when_it_arrives() {
    let first = payment_doc("P1", 4_000, Some("F1"));
    let mut second = payment_doc("P2", 9_000, Some("F1"));
    second.value_date = date(2025, 2, 21);
    let given = then_apply(then_apply(vec![], receive(first.clone())), receive(second));
    assert_eq!(given.len(), 2, "nothing is linked while F1 is unknown");
    let doc = invoice_doc("F1", 10_000, date(2025, 1, 31));
    let expected = vec![
        invoice_imported(&doc),
        auto_linked("P1", "F1", 4_000, LinkReason::ReferencedByBooks),
        auto_linked("P2", "F1", 6_000, LinkReason::ReferencedByBooks),
    ];
    let events = when(&given, import_invoice(doc)).unwrap();
    assert_eq!(events, expected);
    let account = fold(&[given, events].concat());
    assert_eq!(account.invoices[&inv("F1")].open_principal(), eur(0));
    assert_eq!(account.payments[&pay("P2")].unallocated(), eur(3_000));
}
