//! `due_steps`: which reminders go out today, whether a collection case starts, and what to warn about.
//!
//! Per open, overdue invoice (not paused, not handed to collection, at least the minimum amount),
//! the next step is the first step of the policy for the debtor's kind after the last step taken;
//! it is due when its day has come: the due date or the previous step's day plus the step's days.
//! A collection step also waits, for a consumer, until a 14-day letter on the invoice has run out
//! unpaid (art. 6:96 lid 6 BW, receipt presumed per `calendar`), and never starts by itself while
//! the debtor has an unallocated credit note. Reminders bundle per step; with bundling on, nothing
//! goes out within `min_interval_days` of the debtor's last reminder.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};

use super::policy::{Anchor, Audience, Channel, DunningPolicy, DunningStep, PolicyStep};
use crate::domain::calendar::{fourteen_day_term, presumed_receipt, Delivery as Receipt, PostalRule};
use crate::domain::debtor_account::{DebtorAccount, Delivery, Invoice, Reminder};
use crate::domain::limitation::prescription;
use crate::domain::{Cents, InvoiceNumber};
use crate::events::debtor_account::{DebtorKind, PauseScope};

/// Claims that prescribe within this many days are warned about.
pub const PRESCRIPTION_WARNING_DAYS: u64 = 90;

/// What `due_steps` decides for one debtor account on one day; the `DebtorAccount` turns it into
/// events (`ReminderSent`, `CollectionStarted`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DunningPlan {
    /// The messages due today, in step order: one per step when bundled, else one per invoice (the
    /// 14-day letter is always one for all). Empty within the bundling interval.
    pub reminders: Vec<DueReminder>,
    /// The collection case that starts automatically today; `None` when none is due, when automatic
    /// collection is off, or when an unallocated credit note holds it (see `warnings`).
    pub collection: Option<DueCollection>,
    /// What a person should look at: claims that prescribe soon, collection held by a credit note.
    pub warnings: Vec<DunningWarning>,
}

/// One message to the debtor: a step for one or more invoices (sorted by number).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueReminder {
    /// The step this message takes; never `Collection`.
    pub step: DunningStep,
    /// How it travels, from the policy step.
    pub channel: Channel,
    /// The policy step's template name (for example `reminder-1`).
    pub template: String,
    /// The invoices it covers; never empty.
    pub invoices: Vec<InvoiceNumber>,
}

/// A collection case to open today; its id is `case_id` over these invoices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueCollection {
    /// The invoices handed to collection, in number order.
    pub invoices: Vec<InvoiceNumber>,
}

/// Something the dunning run reports to a person instead of acting on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DunningWarning {
    /// The claim prescribes at the start of `prescribes_on` (art. 3:307 BW) unless acted on.
    PrescribesSoon {
        /// The open invoice whose claim prescribes.
        invoice: InvoiceNumber,
        /// The first day on which the claim is prescribed: within `PRESCRIPTION_WARNING_DAYS` of
        /// today, or already past.
        prescribes_on: NaiveDate,
    },
    /// Collection is due but waits: the debtor has `unallocated` credit not linked to any invoice.
    /// Link the credit note, or start the case by hand.
    CollectionHeldByCreditNote {
        /// The invoices whose collection step is due.
        invoices: Vec<InvoiceNumber>,
        /// The debtor's credit not linked to any invoice, in cents.
        unallocated: Cents,
    },
}

/// The pure dunning decision for one debtor account on `today`; see the module docs.
pub fn due_steps(account: &DebtorAccount, policy: &DunningPolicy, today: NaiveDate) -> DunningPlan {
    let debtor_code = account.debtor.as_ref().map(|d| &d.code);
    let policy = policy.for_debtor(debtor_code, account.dunning.policy_override.as_ref());
    // Without a record of the debtor the protective path applies: a letter before any costs.
    let kind = account.debtor.as_ref().map_or(DebtorKind::Consumer, |d| d.kind);
    let steps: Vec<&PolicyStep> = policy.steps.iter().filter(|s| applies(s.applies_to, kind)).collect();
    let mut plan = DunningPlan { warnings: prescription_warnings(account, today), ..DunningPlan::default() };
    let pause = account.dunning.debtor_pause.as_ref().map(|p| p.scope);
    if pause == Some(PauseScope::All) {
        return plan;
    }
    let mut reminders: BTreeMap<DunningStep, (&PolicyStep, Vec<InvoiceNumber>)> = BTreeMap::new();
    let mut collection = Vec::new();
    for invoice in account.invoices.values() {
        if !eligible(account, invoice, policy.minimum_amount, today) {
            continue;
        }
        let Some((step, day)) = next_step(account, invoice, &steps) else { continue };
        if day > today {
            continue;
        }
        if step.step == DunningStep::Collection {
            if policy.automatic_collection && letter_ran_out(account, invoice, kind, today) {
                collection.push(invoice.number.clone());
            }
        } else if pause.is_none() {
            reminders.entry(step.step).or_insert_with(|| (step, Vec::new())).1.push(invoice.number.clone());
        }
    }
    gather_for_letter(account, &mut reminders, policy.minimum_amount, today);
    let interval_passed = account
        .dunning
        .last_reminder_on()
        .is_none_or(|last| !policy.bundling.enabled || add_days(last, policy.bundling.min_interval_days) <= today);
    if interval_passed {
        plan.reminders = bundle(reminders, policy.bundling.enabled);
    }
    let credit = account.summary(today).unallocated_credit;
    if !collection.is_empty() && credit.is_positive() {
        plan.warnings.push(DunningWarning::CollectionHeldByCreditNote { invoices: collection, unallocated: credit });
    } else if !collection.is_empty() {
        plan.collection = Some(DueCollection { invoices: collection });
    }
    plan
}

fn applies(audience: Audience, kind: DebtorKind) -> bool {
    matches!(
        (audience, kind),
        (Audience::All, _) | (Audience::Consumer, DebtorKind::Consumer) | (Audience::Business, DebtorKind::Business)
    )
}

/// Open, overdue, at least the minimum, not paused and never handed to collection.
fn eligible(account: &DebtorAccount, invoice: &Invoice, minimum: Cents, today: NaiveDate) -> bool {
    let open = invoice.open_principal();
    open.is_positive()
        && open >= minimum
        && invoice.due_date < today
        && !account.dunning.paused_invoices.contains_key(&invoice.number)
        && !account.dunning.ever_in_case(&invoice.number)
}

/// The first applicable step after the last one taken on the invoice, and the day it is due.
fn next_step<'p>(
    account: &DebtorAccount,
    invoice: &Invoice,
    steps: &[&'p PolicyStep],
) -> Option<(&'p PolicyStep, NaiveDate)> {
    let taken = account.dunning.steps.get(&invoice.number);
    let last = taken.and_then(|t| t.iter().next_back()).map(|(step, day)| (*step, *day));
    let next = steps.iter().find(|s| last.is_none_or(|(step, _)| s.step > step))?;
    let from = match (next.after, last) {
        (Anchor::PreviousStep, Some((_, day))) => day,
        _ => invoice.due_date,
    };
    Some((next, add_days(from, next.days)))
}

/// A business needs no letter; a consumer needs a 14-day letter on the invoice whose term ran out.
fn letter_ran_out(account: &DebtorAccount, invoice: &Invoice, kind: DebtorKind, today: NaiveDate) -> bool {
    if kind == DebtorKind::Business {
        return true;
    }
    account
        .dunning
        .reminders
        .values()
        .filter(|r| r.step == DunningStep::FourteenDayLetter && r.invoices.contains(&invoice.number))
        .filter_map(received_on)
        .filter_map(|received| fourteen_day_term(received).ok())
        .any(|term| term.costs_from <= today)
}

/// The day a letter was (presumed) received: post by the postal rule, e-mail once delivered.
pub fn received_on(reminder: &Reminder) -> Option<NaiveDate> {
    match (reminder.channel, &reminder.delivery) {
        (Channel::Letter, _) => {
            presumed_receipt(Receipt::Post { posted: reminder.sent_on }, &PostalRule::default()).ok()
        }
        (Channel::Email, Delivery::Delivered { at, .. }) => Some(at.date_naive()),
        (Channel::Email, _) => None,
    }
}

fn bundle(due: BTreeMap<DunningStep, (&PolicyStep, Vec<InvoiceNumber>)>, enabled: bool) -> Vec<DueReminder> {
    let mut reminders = Vec::new();
    for (step, (policy_step, invoices)) in due {
        let make = |invoices: Vec<InvoiceNumber>| DueReminder {
            step,
            channel: policy_step.channel,
            template: policy_step.template.clone(),
            invoices,
        };
        // Art. 6:96 lid 7: one 14-day letter for all claims, whatever the bundling setting.
        if enabled || step == DunningStep::FourteenDayLetter {
            reminders.push(make(invoices));
        } else {
            reminders.extend(invoices.into_iter().map(|i| make(vec![i])));
        }
    }
    reminders
}

/// Art. 6:96 lid 7: a debtor who can be sent the 14-day letter for more than one claim gets one
/// letter for all of them, with the costs over the summed principal. So when the letter is due for
/// some invoices, every other eligible overdue invoice without a letter joins it (leaving whatever
/// reminder it was due for today: the letter supersedes it).
fn gather_for_letter(
    account: &DebtorAccount,
    reminders: &mut BTreeMap<DunningStep, (&PolicyStep, Vec<InvoiceNumber>)>,
    minimum: Cents,
    today: NaiveDate,
) {
    let Some((step, mut joined)) = reminders.get(&DunningStep::FourteenDayLetter).map(|(s, i)| (*s, i.clone())) else {
        return;
    };
    for invoice in account.invoices.values() {
        let had_letter =
            account.dunning.steps.get(&invoice.number).is_some_and(|s| s.contains_key(&DunningStep::FourteenDayLetter));
        if eligible(account, invoice, minimum, today) && !had_letter && !joined.contains(&invoice.number) {
            joined.push(invoice.number.clone());
        }
    }
    joined.sort();
    reminders.retain(|_, (_, invoices)| {
        invoices.retain(|number| !joined.contains(number));
        !invoices.is_empty()
    });
    reminders.insert(DunningStep::FourteenDayLetter, (step, joined));
}

fn prescription_warnings(account: &DebtorAccount, today: NaiveDate) -> Vec<DunningWarning> {
    let horizon = today.checked_add_days(Days::new(PRESCRIPTION_WARNING_DAYS)).unwrap_or(NaiveDate::MAX);
    account
        .invoices
        .values()
        .filter(|invoice| invoice.open_principal().is_positive())
        .filter_map(|invoice| {
            let written = account.dunning.reminder_days(&invoice.number);
            let prescribes_on = prescription(invoice.due_date, &written).ok()?.prescribes_on;
            (prescribes_on <= horizon)
                .then(|| DunningWarning::PrescribesSoon { invoice: invoice.number.clone(), prescribes_on })
        })
        .collect()
}

fn add_days(date: NaiveDate, days: u32) -> NaiveDate {
    date.checked_add_days(Days::new(u64::from(days))).unwrap_or(NaiveDate::MAX)
}
