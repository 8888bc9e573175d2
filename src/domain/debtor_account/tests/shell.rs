//! The cqrs-es shell, the aggregate id, the read helpers and the state's own serialization.

use cqrs_es::test::TestFramework;
use cqrs_es::{Aggregate, DomainEvent};

use super::support::*;
use crate::domain::debtor_account::{AccountSummary, DebtorAccount, DebtorAccountError as Error};
use crate::domain::{AdministrationId, DebtorCode};
use crate::events::debtor_account::LinkReason;

type Framework = TestFramework<DebtorAccount>;

#[test]
fn the_aggregate_id_joins_administration_and_debtor_code() {
    let id = DebtorAccount::aggregate_id(&AdministrationId::new("acme-bv").unwrap(), &DebtorCode::new("D 01").unwrap());
    assert_eq!(id, "acme-bv:D 01");
    assert_eq!(DebtorAccount::TYPE, "DebtorAccount");
}

#[test]
fn handle_writes_exactly_what_decide_returns() {
    let doc = payment_doc("P1", 1_000, None);
    Framework::with(())
        .given(vec![invoice("F1", 1_000, date(2025, 1, 31))])
        .when(receive(doc.clone()))
        .then_expect_events(vec![payment_received(&doc), auto_linked("P1", "F1", 1_000, LinkReason::StatutoryOrder)]);
}

#[test]
fn handle_returns_decides_error() {
    Framework::with(())
        .given_no_previous_events()
        .when(receive(payment_doc("P1", 0, None)))
        .then_expect_error(Error::ZeroAmount);
}

#[test]
fn events_name_their_type_and_version() {
    let event = invoice("F1", 1_000, date(2025, 1, 31));
    assert_eq!((event.event_type(), event.event_version()), ("InvoiceImported".to_owned(), "2.0".to_owned()));
    let payment = payment_received(&payment_doc("P1", 1_000, None));
    assert_eq!((payment.event_type(), payment.event_version()), ("PaymentReceived".to_owned(), "1.0".to_owned()));
}

#[test]
fn the_summary_counts_open_overdue_and_unallocated_amounts() {
    let given = vec![
        invoice("F1", 10_000, date(2025, 1, 31)),
        invoice("F2", 5_000, date(2025, 3, 1)), // due today: not yet overdue
        invoice("F3", 2_000, date(2025, 2, 1)),
    ];
    let given = then_apply(given, receive(payment_doc("P1", 2_000, Some("F3"))));
    let given = then_apply(given, receive(payment_doc("P2", 700, Some("F404"))));
    let given = then_apply(given, import_invoice(invoice_doc("C1", -300, date(2025, 1, 1))));
    let expected = AccountSummary {
        invoices: 3,
        open_invoices: 2,
        outstanding: eur(15_000),
        overdue: eur(10_000),
        oldest_open_due_date: Some(date(2025, 1, 31)),
        unallocated_payments: eur(700),
        unallocated_credit: eur(300),
    };
    let account = fold(&given);
    assert_eq!(account.summary(today()), expected);
    let allocated: Vec<_> = account.allocations(&inv("F3")).map(|(id, a)| (*id, a.split.principal)).collect();
    assert_eq!(allocated, vec![(auto_link_id("P1", "F3"), eur(2_000))]);
}

#[test]
fn the_state_round_trips_through_json_and_counts_its_events() {
    let given = then_apply(
        vec![debtor_imported(), invoice("F1", 1_000, date(2025, 1, 31))],
        receive(payment_doc("P1", 400, None)),
    );
    let account = fold(&given);
    assert_eq!(account.version, 4);
    let json = serde_json::to_string(&account).unwrap();
    assert_eq!(serde_json::from_str::<DebtorAccount>(&json).unwrap(), account);
}
