//! Reminders: the steps of the policy on their days, bundling, pauses, idempotent runs, delivery.

use chrono::{TimeZone, Utc};

use super::dunning_support::*;
use super::support::*;
use crate::domain::debtor_account::{DebtorAccountCommand as C, DebtorAccountError as Error, DunningCommand as D};
use crate::domain::dunning::{Channel, DunningStep};
use crate::domain::Cents;
use crate::events::debtor_account::{AnnouncedCosts, DebtorAccountEvent as E, DebtorKind, PauseScope};

fn sent(step: DunningStep, invoices: &[&str], channel: Channel, on: chrono::NaiveDate) -> E {
    E::ReminderSent {
        reminder_id: rid(step, invoices),
        step,
        invoices: numbers(invoices),
        channel,
        sent_on: on,
        announced_costs: None,
    }
}

#[test]
fn the_first_reminder_goes_out_seven_days_after_the_due_date_and_not_before() {
    let given = [debtor_of(DebtorKind::Business), invoice("F1", 10_000, date(2025, 1, 31))];
    assert_eq!(when(&given, run_on(date(2025, 2, 6))).unwrap(), vec![]);
    let events = when(&given, run_on(date(2025, 2, 7))).unwrap();
    assert_eq!(events, vec![sent(DunningStep::Reminder1, &["F1"], Channel::Email, date(2025, 2, 7))]);
}

#[test]
fn a_second_run_on_the_same_day_appends_nothing() {
    let given = vec![debtor_of(DebtorKind::Business), invoice("F1", 10_000, date(2025, 1, 31))];
    let after = then_apply(given, run_on(date(2025, 2, 7)));
    assert_eq!(when(&after, run_on(date(2025, 2, 7))).unwrap(), vec![]);
}

#[test]
fn invoices_due_for_the_same_step_are_bundled_and_the_interval_holds_back_the_next() {
    let given = vec![
        debtor_of(DebtorKind::Business),
        invoice("F1", 10_000, date(2025, 1, 31)),
        invoice("F2", 20_000, date(2025, 1, 31)),
        invoice("F3", 30_000, date(2025, 2, 3)),
    ];
    let after = then_apply(given, run_on(date(2025, 2, 7)));
    assert_eq!(after.last(), Some(&sent(DunningStep::Reminder1, &["F1", "F2"], Channel::Email, date(2025, 2, 7))));
    // F3's first reminder is due on 02-10, but the debtor had one on 02-07: it waits until 02-14.
    for day in 8..=13 {
        assert_eq!(when(&after, run_on(date(2025, 2, day))).unwrap(), vec![], "2025-02-{day}");
    }
    let events = when(&after, run_on(date(2025, 2, 14))).unwrap();
    assert_eq!(events, vec![sent(DunningStep::Reminder1, &["F3"], Channel::Email, date(2025, 2, 14))]);
}

#[test]
fn a_consumer_gets_the_fourteen_day_letter_with_the_costs_and_term_it_announces() {
    let given = vec![debtor_of(DebtorKind::Consumer), invoice("F1", 175_279, date(2025, 1, 31))];
    let after = run_days(given, &[date(2025, 2, 7), date(2025, 2, 21)]);
    // Reminder 2 on 02-21, the letter 14 days later: Friday 2025-03-07, posted.
    let events = when(&after, run_on(date(2025, 3, 7))).unwrap();
    let announced = AnnouncedCosts {
        principal: Cents::new(175_279),
        costs: Cents::new(26_292),
        vat_surcharge: Cents::new(5_521),
        // The second delivery day after Friday, skipping Sunday and Monday: Tuesday (I02).
        presumed_receipt: date(2025, 3, 11),
        term_last: date(2025, 3, 25),
        costs_from: date(2025, 3, 26),
    };
    let expected = E::ReminderSent {
        reminder_id: rid(DunningStep::FourteenDayLetter, &["F1"]),
        step: DunningStep::FourteenDayLetter,
        invoices: numbers(&["F1"]),
        channel: Channel::Letter,
        sent_on: date(2025, 3, 7),
        announced_costs: Some(announced),
    };
    assert_eq!(events, vec![expected]);
}

#[test]
fn a_business_gets_no_fourteen_day_letter() {
    let given = vec![debtor_of(DebtorKind::Business), invoice("F1", 10_000, date(2025, 1, 31))];
    let after = run_days(given, &[date(2025, 2, 7), date(2025, 2, 21)]);
    assert_eq!(when(&after, run_on(date(2025, 3, 7))).unwrap(), vec![]);
}

#[test]
fn a_paused_invoice_and_a_paused_debtor_get_no_reminders() {
    let given = vec![debtor_of(DebtorKind::Business), invoice("F1", 10_000, date(2025, 1, 31))];
    let pause = C::Dunning(D::PauseInvoice { invoice_number: inv("F1"), reason: " disputed ".to_owned() });
    let paused = then_apply(given.clone(), pause);
    assert_eq!(paused.last(), Some(&E::InvoicePaused { invoice_number: inv("F1"), reason: "disputed".to_owned() }));
    assert_eq!(when(&paused, run_on(date(2025, 2, 7))).unwrap(), vec![]);
    let resumed =
        then_apply(paused, C::Dunning(D::ResumeInvoice { invoice_number: inv("F1"), reason: "ok".to_owned() }));
    assert_eq!(when(&resumed, run_on(date(2025, 2, 7))).unwrap().len(), 1);
    for scope in [PauseScope::All, PauseScope::RemindersOnly] {
        let paused = then_apply(given.clone(), C::Dunning(D::PauseDebtor { scope, reason: "plan".to_owned() }));
        assert_eq!(when(&paused, run_on(date(2025, 2, 7))).unwrap(), vec![], "{scope:?}");
    }
}

#[test]
fn pause_and_resume_refuse_what_makes_no_sense() {
    let given = [debtor_of(DebtorKind::Business), invoice("F1", 10_000, date(2025, 1, 31))];
    let resume = C::Dunning(D::ResumeInvoice { invoice_number: inv("F1"), reason: "x".to_owned() });
    assert_eq!(when(&given, resume), Err(Error::InvoiceNotPaused(inv("F1"))));
    assert_eq!(when(&given, C::Dunning(D::ResumeDebtor { reason: "x".to_owned() })), Err(Error::DebtorNotPaused));
    let pause = C::Dunning(D::PauseInvoice { invoice_number: inv("F9"), reason: "x".to_owned() });
    assert_eq!(when(&given, pause), Err(Error::UnknownInvoice(inv("F9"))));
    let pause = C::Dunning(D::PauseDebtor { scope: PauseScope::All, reason: "  ".to_owned() });
    assert_eq!(when(&given, pause), Err(Error::ReasonRequired));
}

#[test]
fn invoices_below_the_minimum_amount_get_no_reminder() {
    let given = [debtor_of(DebtorKind::Business), invoice("F1", 499, date(2025, 1, 31))];
    assert_eq!(when(&given, run_on(date(2025, 3, 31))).unwrap(), vec![]);
}

#[test]
fn a_delivery_is_recorded_once_and_an_unknown_reminder_is_refused() {
    let given = vec![debtor_of(DebtorKind::Business), invoice("F1", 10_000, date(2025, 1, 31))];
    let after = then_apply(given.clone(), run_on(date(2025, 2, 7)));
    let id = rid(DunningStep::Reminder1, &["F1"]);
    let at = Utc.with_ymd_and_hms(2025, 2, 7, 9, 0, 0).unwrap();
    let record = C::Dunning(D::RecordDelivery { reminder_id: id, delivered_at: at, message_id: "<m@x>".to_owned() });
    let delivered = then_apply(after, record.clone());
    let expected = E::ReminderDelivered { reminder_id: id, delivered_at: at, message_id: "<m@x>".to_owned() };
    assert_eq!(delivered.last(), Some(&expected));
    assert_eq!(when(&delivered, record.clone()).unwrap(), vec![], "a resend reports the same delivery");
    assert_eq!(when(&given, record), Err(Error::UnknownReminder(id)));
}

/// G19 through the dunning code: a 14-day letter e-mailed and delivered on Wednesday 2025-03-05.
/// The term runs 2025-03-06 ..= 2025-03-19; collection costs (a case) only from 2025-03-20.
#[test]
fn g19_the_term_of_a_letter_received_on_5_march_runs_to_19_march() {
    let mut policy = policy();
    for step in &mut policy.steps {
        step.channel = Channel::Email;
    }
    let run = |today| {
        C::Dunning(D::Run {
            debtor: who(),
            today,
            policy: policy.clone(),
            rates: crate::domain::interest::RateTable::shipped(),
        })
    };
    // Due 2025-01-19: reminders on 01-26 and 02-09. The letter falls due on 02-23, but no run happens
    // until Wednesday 03-05, which sends it (a late step is taken on the next run).
    let given = vec![debtor_of(DebtorKind::Consumer), invoice("F1", 10_000, date(2025, 1, 19))];
    let given = then_apply(then_apply(given, run(date(2025, 1, 26))), run(date(2025, 2, 9)));
    let letter = when(&given, run(date(2025, 3, 5))).unwrap();
    let E::ReminderSent { reminder_id, announced_costs: Some(costs), .. } = &letter[0] else { panic!("{letter:?}") };
    assert_eq!(
        (costs.presumed_receipt, costs.term_last, costs.costs_from),
        (date(2025, 3, 5), date(2025, 3, 19), date(2025, 3, 20))
    );
    let at = Utc.with_ymd_and_hms(2025, 3, 5, 14, 30, 0).unwrap();
    let delivered = D::RecordDelivery { reminder_id: *reminder_id, delivered_at: at, message_id: "<m>".to_owned() };
    let after = then_apply([given, letter.clone()].concat(), C::Dunning(delivered));
    let running =
        Error::TermRunning { invoice: inv("F1"), term_last: date(2025, 3, 19), costs_from: date(2025, 3, 20) };
    assert_eq!(when(&after, start_on(date(2025, 3, 19), &["F1"])), Err(running));
    let started = when(&after, start_on(date(2025, 3, 20), &["F1"])).unwrap();
    assert!(matches!(&started[..], [E::CollectionStarted { costs, .. }] if *costs == Cents::new(4_000)), "{started:?}");
}

/// Art. 6:96 lid 7: when the letter is due for one invoice, the consumer's other overdue invoices
/// join it (leaving the reminder they were due for), and the costs are over the summed principal.
#[test]
fn the_fourteen_day_letter_takes_every_overdue_claim_of_the_consumer() {
    let given = vec![debtor_of(DebtorKind::Consumer), invoice("F1", 10_000, date(2025, 1, 31))];
    let given = run_days(given, &[date(2025, 2, 7), date(2025, 2, 21)]);
    // F2 falls due after F1's second reminder; its first reminder would be due on 2025-03-07 too.
    let given = [given, vec![invoice("F2", 20_000, date(2025, 2, 28))]].concat();
    let events = when(&given, run_on(date(2025, 3, 7))).unwrap();
    let [E::ReminderSent { step, invoices, announced_costs: Some(costs), .. }] = &events[..] else {
        panic!("{events:?}")
    };
    assert_eq!((step, invoices), (&DunningStep::FourteenDayLetter, &numbers(&["F1", "F2"])));
    // 15 % of 300.00 = 45.00 (one letter), not 2 × the €40 minimum.
    assert_eq!((costs.principal, costs.costs), (Cents::new(30_000), Cents::new(4_500)));
}
