//! Dunning commands: the run (reminders and automatic collection from `dunning::due_steps`), what
//! the channel did with a reminder, pauses and the debtor's policy override.

use chrono::NaiveDate;

use super::{check_reason, collection, pauses, Decision};
use crate::domain::calendar::{fourteen_day_term, presumed_receipt, Delivery as Receipt, PostalRule};
use crate::domain::collection_costs::{for_letter, VatSurcharge};
use crate::domain::debtor_account::dunning_state::Delivery;
use crate::domain::debtor_account::state::plus;
use crate::domain::debtor_account::{DebtorAccount, DebtorAccountError as Error, DebtorRef, DunningCommand as C};
use crate::domain::dunning::{case_id, due_steps, reminder_id, Channel, DunningStep};
use crate::domain::{Cents, InvoiceNumber};
use crate::events::debtor_account::{AnnouncedCosts, DebtorAccountEvent as E};

pub(super) fn decide(state: &DebtorAccount, command: C) -> Decision {
    match command {
        C::Run { debtor, today, policy, rates } => run(state, &debtor, today, &policy, &rates),
        C::StartCollection { debtor, invoices, today, policy, rates } => {
            let id = case_id(&debtor.administration, &debtor.debtor, &invoices);
            collection::start(state, id, &invoices, today, policy.vat(), &rates)
        }
        C::WaiveCosts { case_id, reason } => collection::waive(state, case_id, reason),
        C::CloseCollection { case_id, reason } => collection::close(state, case_id, reason),
        C::RecordDelivery { reminder_id, delivered_at, message_id } => {
            let reminder = state.dunning.reminders.get(&reminder_id).ok_or(Error::UnknownReminder(reminder_id))?;
            // A resend after a crash reports the same delivery again: record it once.
            if matches!(reminder.delivery, Delivery::Delivered { .. }) {
                return Ok(vec![]);
            }
            Ok(vec![E::ReminderDelivered { reminder_id, delivered_at, message_id }])
        }
        C::RecordDeliveryFailure { reminder_id, reason } => {
            let reminder = state.dunning.reminders.get(&reminder_id).ok_or(Error::UnknownReminder(reminder_id))?;
            if reminder.delivery != Delivery::Pending {
                return Ok(vec![]);
            }
            Ok(vec![E::ReminderDeliveryFailed { reminder_id, reason: check_reason(reason)? }])
        }
        C::PauseInvoice { invoice_number, reason } => pauses::pause_invoice(state, invoice_number, reason),
        C::ResumeInvoice { invoice_number, reason } => pauses::resume_invoice(state, invoice_number, reason),
        C::PauseDebtor { scope, reason } => pauses::pause_debtor(state, scope, reason),
        C::ResumeDebtor { reason } => pauses::resume_debtor(state, reason),
        C::OverridePolicy { policy } => {
            if state.dunning.policy_override == policy {
                return Ok(vec![]);
            }
            Ok(vec![E::DebtorPolicyOverridden { policy }])
        }
    }
}

/// Every step due today that was not taken yet: the reminder and case ids are derived from what
/// they cover, so a second run the same day finds them taken and appends nothing.
fn run(
    state: &DebtorAccount,
    debtor: &DebtorRef,
    today: NaiveDate,
    policy: &crate::domain::dunning::DunningPolicy,
    rates: &crate::domain::interest::RateTable,
) -> Decision {
    let plan = due_steps(state, policy, today);
    let mut events = Vec::new();
    for due in plan.reminders {
        let reminder_id = reminder_id(&debtor.administration, &debtor.debtor, due.step, &due.invoices);
        if state.dunning.reminders.contains_key(&reminder_id) {
            continue;
        }
        let announced_costs = match due.step {
            DunningStep::FourteenDayLetter => Some(announce(state, &due.invoices, due.channel, today, policy.vat())?),
            _ => None,
        };
        events.push(E::ReminderSent {
            reminder_id,
            step: due.step,
            invoices: due.invoices,
            channel: due.channel,
            sent_on: today,
            announced_costs,
        });
    }
    if let Some(due) = plan.collection {
        let id = case_id(&debtor.administration, &debtor.debtor, &due.invoices);
        if !state.dunning.cases.contains_key(&id) {
            events.push(collection::started(state, id, &due.invoices, today, policy.vat(), rates)?);
        }
    }
    Ok(events)
}

/// What a 14-day letter sent today announces: the costs over the summed open principal (6:96 lid 7)
/// and the term from the presumed day of receipt (post: `PostalRule`; e-mail: the day it is sent).
pub(crate) fn announce(
    state: &DebtorAccount,
    invoices: &[InvoiceNumber],
    channel: Channel,
    today: NaiveDate,
    vat: VatSurcharge,
) -> Result<AnnouncedCosts, Error> {
    let principal =
        invoices.iter().filter_map(|n| state.invoices.get(n)).map(|i| i.open_principal()).fold(Cents::ZERO, plus);
    let breakdown = for_letter(&[principal], vat).map_err(|e| Error::Calculation(e.to_string()))?;
    let receipt = match channel {
        Channel::Letter => presumed_receipt(Receipt::Post { posted: today }, &PostalRule::default()),
        Channel::Email => presumed_receipt(Receipt::Email { delivered: today }, &PostalRule::default()),
    }
    .map_err(|e| Error::Calculation(e.to_string()))?;
    let term = fourteen_day_term(receipt).map_err(|e| Error::Calculation(e.to_string()))?;
    Ok(AnnouncedCosts {
        principal,
        costs: breakdown.costs,
        vat_surcharge: breakdown.vat_surcharge,
        presumed_receipt: receipt,
        term_last: term.last,
        costs_from: term.costs_from,
    })
}
