//! 120 simulated days for one consumer and one business debtor: the dunning run every day, a
//! payment on the business case, and the exact events on each date. The expected dates and amounts
//! are derived here from the policy and the law (`calendar`, `collection_costs`, `interest`,
//! `allocation`), not captured from a run.

use chrono::{Days, NaiveDate};
use sqlx::PgPool;
use uuid::Uuid;
use vordering::domain::administration::AdministrationCommand;
use vordering::domain::allocation::{split_6_44, Components};
use vordering::domain::calendar::{fourteen_day_term, presumed_receipt, Delivery, PostalRule};
use vordering::domain::collection_costs::for_letter;
use vordering::domain::dunning::{case_id, reminder_id, Anchor, Audience, Channel, DunningPolicy, DunningStep};
use vordering::domain::interest::{calculate, Rate, RateKind, RateTable};
use vordering::domain::{Cents, LinkId, PaymentRef};
use vordering::events::debtor_account::{AnnouncedCosts, DebtorKind, LinkReason, Split};
use vordering::events::DebtorAccountEvent as E;
use vordering::Engine;

use crate::dunning_support::*;

const FIRST_DAY: (i32, u32, u32) = (2025, 2, 1);
const DAYS: u64 = 120;

fn policy() -> DunningPolicy {
    DunningPolicy { vat_surcharge: Some(Rate::parse_percent("21").unwrap()), ..DunningPolicy::shipped_default() }
}

fn plus(day: NaiveDate, days: u32) -> NaiveDate {
    day + Days::new(u64::from(days))
}

/// The days each step of `policy` falls on for an invoice due on `due` of a debtor of `kind`.
fn schedule(policy: &DunningPolicy, kind: DebtorKind, due: NaiveDate) -> Vec<(DunningStep, Channel, NaiveDate)> {
    let mut days = Vec::new();
    let mut previous = due;
    for step in &policy.steps {
        let applies = matches!(
            (step.applies_to, kind),
            (Audience::All, _)
                | (Audience::Consumer, DebtorKind::Consumer)
                | (Audience::Business, DebtorKind::Business)
        );
        if !applies {
            continue;
        }
        let from = if step.after == Anchor::DueDate { due } else { previous };
        let mut day = plus(from, step.days);
        if step.step == DunningStep::Collection && kind == DebtorKind::Consumer {
            // Art. 6:96 lid 6: not before the letter's term (from the presumed receipt) ran out.
            let (_, _, letter) = days.iter().find(|(s, _, _)| *s == DunningStep::FourteenDayLetter).copied().unwrap();
            let receipt = presumed_receipt(Delivery::Post { posted: letter }, &PostalRule::default()).unwrap();
            day = day.max(fourteen_day_term(receipt).unwrap().costs_from);
        }
        days.push((step.step, step.channel, day));
        previous = day;
    }
    days
}

fn sent(
    debtor: &str,
    step: DunningStep,
    channel: Channel,
    on: NaiveDate,
    invoice: &str,
    costs: Option<AnnouncedCosts>,
) -> E {
    E::ReminderSent {
        reminder_id: reminder_id(&admin(), &code(debtor), step, &[inv(invoice)]),
        step,
        invoices: vec![inv(invoice)],
        channel,
        sent_on: on,
        announced_costs: costs,
    }
}

fn case_started(debtor: &str, invoice: &str, principal: i64, due: NaiveDate, on: NaiveDate, kind: RateKind) -> E {
    let breakdown = for_letter(&[Cents::new(principal)], policy().vat()).unwrap();
    let from = due.succ_opt().unwrap();
    let interest = calculate(&RateTable::shipped(), kind, Cents::new(principal), from, on).unwrap();
    E::CollectionStarted {
        case_id: case_id(&admin(), &code(debtor), &[inv(invoice)]),
        invoices: vec![inv(invoice)],
        principal: Cents::new(principal),
        costs: breakdown.costs,
        vat_surcharge: breakdown.vat_surcharge,
        interest: interest.interest,
        interest_from: from,
        started_on: on,
        rates_verified: interest.rates_verified,
    }
}

/// What the law and the policy say must happen, by date.
fn expected(consumer_due: NaiveDate, business_due: NaiveDate) -> (Vec<(NaiveDate, String, E)>, NaiveDate) {
    let policy = policy();
    let mut events = Vec::new();
    for (step, channel, day) in schedule(&policy, DebtorKind::Consumer, consumer_due) {
        let event = match step {
            DunningStep::Collection => case_started("C1", "K1", 175_279, consumer_due, day, RateKind::Statutory),
            DunningStep::FourteenDayLetter => {
                let receipt = presumed_receipt(Delivery::Post { posted: day }, &PostalRule::default()).unwrap();
                let term = fourteen_day_term(receipt).unwrap();
                let b = for_letter(&[Cents::new(175_279)], policy.vat()).unwrap();
                let announced = AnnouncedCosts {
                    principal: b.principal,
                    costs: b.costs,
                    vat_surcharge: b.vat_surcharge,
                    presumed_receipt: receipt,
                    term_last: term.last,
                    costs_from: term.costs_from,
                };
                sent("C1", step, channel, day, "K1", Some(announced))
            }
            _ => sent("C1", step, channel, day, "K1", None),
        };
        events.push((day, "C1".to_owned(), event));
    }
    let mut business_case = None;
    for (step, channel, day) in schedule(&policy, DebtorKind::Business, business_due) {
        let event = match step {
            DunningStep::Collection => {
                let started = case_started("B1", "Z1", 300_000, business_due, day, RateKind::Commercial);
                business_case = Some((day, started.clone()));
                started
            }
            _ => sent("B1", step, channel, day, "Z1", None),
        };
        events.push((day, "B1".to_owned(), event));
    }
    // Ten days into the business case a €1,000.00 payment arrives: art. 6:44 over the case.
    let (case_day, E::CollectionStarted { costs, vat_surcharge, interest, .. }) = business_case.unwrap() else {
        unreachable!()
    };
    let pay_day = plus(case_day, 10);
    let open =
        Components { costs: Cents::new(costs.get() + vat_surcharge.get()), interest, principal: Cents::new(300_000) };
    let split = split_6_44(Cents::new(100_000), open).unwrap().paid;
    events.push((
        pay_day,
        "B1".to_owned(),
        E::PaymentLinked {
            link_id: LinkId::from_uuid(Uuid::new_v5(&Uuid::from_u128(2), b"P1|Z1")),
            payment_ref: PaymentRef::new("P1").unwrap(),
            invoice_number: inv("Z1"),
            split: Split { costs: split.costs, interest: split.interest, principal: split.principal },
            reason: LinkReason::ReferencedByBooks,
        },
    ));
    events.sort_by_key(|(day, debtor, _)| (*day, debtor.clone()));
    (events, pay_day)
}

/// The decisions among `events` (reminders, cases, links, closings), by debtor.
fn decisions(events: &[E]) -> Vec<E> {
    events
        .iter()
        .filter(|e| {
            matches!(
                e,
                E::ReminderSent { .. }
                    | E::CollectionStarted { .. }
                    | E::PaymentLinked { .. }
                    | E::CollectionClosed { .. }
            )
        })
        .cloned()
        .collect()
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn one_hundred_and_twenty_days_of_dunning(pool: PgPool) {
    let engine: Engine = engine(pool).await;
    let set = AdministrationCommand::SetDunningPolicy { policy: policy() };
    engine.administration_command(&admin(), set, &metadata()).await.unwrap();
    let (consumer_due, business_due) = (date(2025, 1, 31), date(2025, 2, 14));
    debtor(&engine, "C1", DebtorKind::Consumer, Some("c1@example.nl")).await;
    invoice(&engine, "C1", "K1", 175_279, consumer_due).await;
    debtor(&engine, "B1", DebtorKind::Business, Some("b1@example.nl")).await;
    invoice(&engine, "B1", "Z1", 300_000, business_due).await;
    let (expected, pay_day) = expected(consumer_due, business_due);

    let first = date(FIRST_DAY.0, FIRST_DAY.1, FIRST_DAY.2);
    let mut seen = [decisions(&events_of(&engine, "C1").await).len(), decisions(&events_of(&engine, "B1").await).len()];
    let mut actual = Vec::new();
    for offset in 0..DAYS {
        let today = first + Days::new(offset);
        if today == pay_day {
            payment(&engine, "B1", "P1", 100_000, today, "Z1").await;
        }
        engine.run_dunning(&admin(), today, false, &metadata()).await.unwrap();
        for (index, debtor) in ["C1", "B1"].into_iter().enumerate() {
            let now = decisions(&events_of(&engine, debtor).await);
            actual.extend(now[seen[index]..].iter().map(|e| (today, debtor.to_owned(), e.clone())));
            seen[index] = now.len();
        }
    }
    actual.sort_by_key(|(day, debtor, _)| (*day, debtor.clone()));
    for (day, debtor, event) in &actual {
        eprintln!("{day} {debtor} {event:?}");
    }
    assert_eq!(first + Days::new(DAYS - 1), date(2025, 5, 31));
    let dates: Vec<(NaiveDate, &str)> = expected.iter().map(|(d, who, _)| (*d, who.as_str())).collect();
    assert_eq!(actual.iter().map(|(d, who, _)| (*d, who.as_str())).collect::<Vec<_>>(), dates);
    assert_eq!(actual, expected);
}
