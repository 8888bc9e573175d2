//! Collection cases: when they start, with which costs and interest, the art. 6:44 split of later
//! payments, waiving, closing.

use super::dunning_support::*;
use super::support::*;
use crate::domain::debtor_account::{DebtorAccountCommand as C, DebtorAccountError as Error, DunningCommand as D};
use crate::domain::dunning::{due_steps, DunningWarning};
use crate::domain::Cents;
use crate::events::debtor_account::{CollectionOutcome, DebtorAccountEvent as E, DebtorKind, LinkReason, Split};

/// A consumer whose €1,752.79 invoice (due 2025-01-31) got its 14-day letter by post on 2025-03-07.
fn consumer_after_letter() -> Vec<E> {
    let given = vec![debtor_of(DebtorKind::Consumer), invoice("F1", 175_279, date(2025, 1, 31))];
    run_days(given, &[date(2025, 2, 7), date(2025, 2, 21), date(2025, 3, 7)])
}

/// A business whose €100.00 invoice (due 2025-01-31) went to collection on 2025-03-14.
fn business_case() -> Vec<E> {
    let given = vec![debtor_of(DebtorKind::Business), invoice("F1", 10_000, date(2025, 1, 31))];
    run_days(given, &[date(2025, 2, 7), date(2025, 2, 21), date(2025, 3, 14)])
}

fn paid(reference: &str, amount: i64, on: chrono::NaiveDate) -> C {
    let mut doc = payment_doc(reference, amount, Some("F1"));
    doc.value_date = on;
    receive(doc)
}

#[test]
fn a_consumer_case_starts_after_the_letter_term_with_costs_vat_and_statutory_interest() {
    let after = consumer_after_letter();
    assert_eq!(when(&after, run_on(date(2025, 3, 27))).unwrap(), vec![], "policy: 21 days after the letter");
    let events = when(&after, run_on(date(2025, 3, 28))).unwrap();
    let expected = E::CollectionStarted {
        case_id: cid(&["F1"]),
        invoices: numbers(&["F1"]),
        principal: Cents::new(175_279),
        costs: Cents::new(26_292),        // 15 % of 1,752.79 = 262.9185 → 262.92
        vat_surcharge: Cents::new(5_521), // 21 % of 262.92 = 55.2132 → 55.21
        // 6 % (2025) over 1,752.79 for 2025-02-01 ..= 2025-03-28, 56 days: 16.1353 → 16.14
        interest: Cents::new(1_614),
        interest_from: date(2025, 2, 1),
        started_on: date(2025, 3, 28),
        rates_verified: true,
    };
    assert_eq!(events, vec![expected]);
}

#[test]
fn a_consumer_case_by_hand_waits_for_the_term_and_needs_a_letter() {
    let after = consumer_after_letter();
    let running =
        Error::TermRunning { invoice: inv("F1"), term_last: date(2025, 3, 25), costs_from: date(2025, 3, 26) };
    assert_eq!(when(&after, start_on(date(2025, 3, 25), &["F1"])), Err(running));
    assert_eq!(when(&after, start_on(date(2025, 3, 26), &["F1"])).unwrap().len(), 1);
    let no_letter = [debtor_of(DebtorKind::Consumer), invoice("F1", 175_279, date(2025, 1, 31))];
    assert_eq!(when(&no_letter, start_on(date(2025, 3, 26), &["F1"])), Err(Error::NoFourteenDayLetter(inv("F1"))));
}

#[test]
fn a_partial_payment_within_the_term_lowers_the_costs() {
    let after = then_apply(consumer_after_letter(), paid("P1", 100_000, date(2025, 3, 20)));
    let events = when(&after, start_on(date(2025, 3, 26), &["F1"])).unwrap();
    let E::CollectionStarted { principal, costs, vat_surcharge, interest, .. } = &events[0] else {
        panic!("{events:?}")
    };
    // Recalculated over the 752.79 unpaid at the end of the term: 112.9185 → 112.92; 21 %: 23.7132 → 23.71.
    assert_eq!((*principal, *costs, *vat_surcharge), (Cents::new(75_279), Cents::new(11_292), Cents::new(2_371)));
    // 6 %: on 752.79 for 02-01 ..= 03-26 (54 days) 6.6823 → 6.68, and on the 1,000.00 paid late
    // for 02-01 ..= 03-20 (48 days) 7.8904 → 7.89.
    assert_eq!(*interest, Cents::new(668 + 789));
}

#[test]
fn a_business_case_starts_without_a_letter_with_commercial_interest() {
    let events = business_case();
    let expected = E::CollectionStarted {
        case_id: cid(&["F1"]),
        invoices: numbers(&["F1"]),
        principal: Cents::new(10_000),
        costs: Cents::new(4_000),
        vat_surcharge: Cents::new(840),
        // 11.15 % (2025-01-01) over 100.00 for 2025-02-01 ..= 2025-03-14, 42 days: 1.2830 → 1.28
        interest: Cents::new(128),
        interest_from: date(2025, 2, 1),
        started_on: date(2025, 3, 14),
        rates_verified: true,
    };
    assert_eq!(events.last(), Some(&expected));
}

#[test]
fn an_unallocated_credit_note_holds_automatic_collection_but_not_a_manual_start() {
    let given = vec![debtor_of(DebtorKind::Business), invoice("F1", 10_000, date(2025, 1, 31))];
    let given = then_apply(given, import_invoice(invoice_doc("C1", -2_000, date(2025, 1, 31))));
    let after = run_days(given, &[date(2025, 2, 7), date(2025, 2, 21)]);
    assert_eq!(when(&after, run_on(date(2025, 3, 14))).unwrap(), vec![]);
    let plan = due_steps(&fold(&after), &policy(), date(2025, 3, 14));
    let held =
        DunningWarning::CollectionHeldByCreditNote { invoices: numbers(&["F1"]), unallocated: Cents::new(2_000) };
    assert_eq!(plan.warnings, vec![held]);
    assert_eq!(when(&after, start_on(date(2025, 3, 14), &["F1"])).unwrap().len(), 1);
}

#[test]
fn payments_on_a_case_go_to_costs_then_interest_then_principal_and_close_it() {
    let case = business_case();
    let first = when(&case, paid("P1", 5_000, date(2025, 3, 20))).unwrap();
    let split = Split { costs: Cents::new(4_840), interest: Cents::new(128), principal: Cents::new(32) };
    let E::PaymentLinked { split: got, reason, .. } = &first[1] else { panic!("{first:?}") };
    assert_eq!((got, reason), (&split, &LinkReason::ReferencedByBooks));
    assert_eq!(first.len(), 2, "the case stays open");
    let after = [case, first].concat();
    let second = when(&after, paid("P2", 9_968, date(2025, 3, 21))).unwrap();
    assert_eq!(second.last(), Some(&E::CollectionClosed { case_id: cid(&["F1"]), outcome: CollectionOutcome::Paid }));
}

#[test]
fn waived_costs_are_not_collected_and_a_case_closes_by_hand_once() {
    let case = business_case();
    let waive = C::Dunning(D::WaiveCosts { case_id: cid(&["F1"]), reason: "goodwill".to_owned() });
    let after = then_apply(case.clone(), waive.clone());
    assert_eq!(when(&after, waive), Err(Error::CostsAlreadyWaived(cid(&["F1"]))));
    let events = when(&after, paid("P1", 10_128, date(2025, 3, 20))).unwrap();
    let split = Split { costs: Cents::ZERO, interest: Cents::new(128), principal: Cents::new(10_000) };
    assert!(matches!(&events[1], E::PaymentLinked { split: s, .. } if *s == split), "{events:?}");
    assert_eq!(events.last(), Some(&E::CollectionClosed { case_id: cid(&["F1"]), outcome: CollectionOutcome::Paid }));
    let close = C::Dunning(D::CloseCollection { case_id: cid(&["F1"]), reason: "handed to the bailiff".to_owned() });
    let closed = then_apply(case, close.clone());
    let by_hand = CollectionOutcome::ClosedByHand("handed to the bailiff".to_owned());
    assert_eq!(closed.last(), Some(&E::CollectionClosed { case_id: cid(&["F1"]), outcome: by_hand }));
    assert_eq!(when(&closed, close), Err(Error::CaseClosed(cid(&["F1"]))));
}

#[test]
fn a_manual_start_checks_each_invoice() {
    let case = business_case();
    let already = Error::AlreadyInCollection { invoice: inv("F1"), case_id: cid(&["F1"]) };
    assert_eq!(when(&case, start_on(date(2025, 3, 20), &["F1"])), Err(already));
    let given = [debtor_of(DebtorKind::Business), invoice("F1", 10_000, date(2025, 1, 31))];
    assert_eq!(when(&given, start_on(date(2025, 3, 20), &[])), Err(Error::NoInvoices));
    assert_eq!(when(&given, start_on(date(2025, 3, 20), &["F9"])), Err(Error::UnknownInvoice(inv("F9"))));
    let not_overdue = Error::NotOverdue { invoice: inv("F1"), due_date: date(2025, 1, 31), today: date(2025, 1, 31) };
    assert_eq!(when(&given, start_on(date(2025, 1, 31), &["F1"])), Err(not_overdue));
}
