//! Collection cases: opening one with its costs and interest as of the start date, waiving the
//! costs, closing it, and splitting later payments on it by art. 6:44 BW (costs, then interest,
//! then principal). The books know only the principal, so the case keeps its own costs and interest.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use uuid::Uuid;

use super::{check_reason, Decision};
use crate::domain::allocation::Components;
use crate::domain::collection_costs::{for_letter, CostsBreakdown, VatSurcharge};
use crate::domain::debtor_account::dunning_state::CollectionCase;
use crate::domain::debtor_account::state::{minus, plus, AllocationSource, Invoice};
use crate::domain::debtor_account::{DebtorAccount, DebtorAccountError as Error};
use crate::domain::interest::{calculate, RateKind, RateTable};
use crate::domain::{Cents, InvoiceNumber};
use crate::events::debtor_account::{CollectionOutcome, DebtorAccountEvent as E, DebtorKind, Split};

mod consumer;

/// The checks of a case started by hand, in order, then the same amounts as an automatic start.
pub(super) fn start(
    state: &DebtorAccount,
    case_id: Uuid,
    invoices: &[InvoiceNumber],
    today: NaiveDate,
    vat: VatSurcharge,
    rates: &RateTable,
) -> Decision {
    if invoices.is_empty() {
        return Err(Error::NoInvoices);
    }
    for number in invoices {
        let invoice = state.invoices.get(number).ok_or_else(|| Error::UnknownInvoice(number.clone()))?;
        if !invoice.open_principal().is_positive() {
            return Err(Error::NothingOpen(number.clone()));
        }
        if invoice.due_date >= today {
            return Err(Error::NotOverdue { invoice: number.clone(), due_date: invoice.due_date, today });
        }
        if state.dunning.paused_invoices.contains_key(number) {
            return Err(Error::InvoicePaused(number.clone()));
        }
        if let Some(case) = state.dunning.open_case_of(number) {
            return Err(Error::AlreadyInCollection { invoice: number.clone(), case_id: case.case_id });
        }
    }
    Ok(vec![started(state, case_id, invoices, today, vat, rates)?])
}

/// `CollectionStarted` for `invoices` on `today`: the open principal, interest from the day after
/// each due date (statutory for consumers, commercial for businesses) on what is open and on what
/// was paid late (each part up to its payment day), and the WIK costs: for a
/// business over the summed principal, owed without a letter (6:96 lid 4); for a consumer only as
/// owed after a 14-day letter that ran out unpaid (6:96 lid 6), over what was unpaid at its end.
pub(super) fn started(
    state: &DebtorAccount,
    case_id: Uuid,
    invoices: &[InvoiceNumber],
    today: NaiveDate,
    vat: VatSurcharge,
    rates: &RateTable,
) -> Result<E, Error> {
    let kind = state.debtor.as_ref().map_or(DebtorKind::Consumer, |d| d.kind);
    let rate_kind = match kind {
        DebtorKind::Consumer => RateKind::Statutory,
        DebtorKind::Business => RateKind::Commercial,
    };
    let mut sorted = invoices.to_vec();
    sorted.sort();
    sorted.dedup();
    let (mut principal, mut interest, mut interest_from, mut rates_verified) = (Cents::ZERO, Cents::ZERO, today, true);
    let mut opens = Vec::new();
    for number in &sorted {
        let invoice = state.invoices.get(number).ok_or_else(|| Error::UnknownInvoice(number.clone()))?;
        let open = invoice.open_principal();
        opens.push(open);
        principal = plus(principal, open);
        let from = invoice.due_date.succ_opt().ok_or(Error::Calculation(format!("due date {}", invoice.due_date)))?;
        for (amount, to) in tranches(state, invoice, today) {
            if from > to || !amount.is_positive() {
                continue;
            }
            let calc = calculate(rates, rate_kind, amount, from, to).map_err(|e| Error::Calculation(e.to_string()))?;
            interest = plus(interest, calc.interest);
            rates_verified &= calc.rates_verified;
            interest_from = interest_from.min(from);
        }
    }
    let costs = match kind {
        DebtorKind::Business => for_letter(&opens, vat).map_err(|e| Error::Calculation(e.to_string()))?,
        DebtorKind::Consumer => consumer::owed(state, &sorted, today, vat)?,
    };
    let CostsBreakdown { costs, vat_surcharge, .. } = costs;
    Ok(E::CollectionStarted {
        case_id,
        invoices: sorted,
        principal,
        costs,
        vat_surcharge,
        interest,
        interest_from,
        started_on: today,
        rates_verified,
    })
}

/// The parts of an invoice's principal and the last day each bore interest: what is open, up to
/// `today`; each part paid late, up to and including its payment day (6:119a lid 1 "tot en met de
/// dag waarop de schuldenaar de geldsom heeft voldaan"). Credited parts were never owed: none.
fn tranches(state: &DebtorAccount, invoice: &Invoice, today: NaiveDate) -> Vec<(Cents, NaiveDate)> {
    let mut tranches = vec![(invoice.open_principal(), today)];
    for allocation in invoice.allocations.values() {
        if let AllocationSource::Payment(reference) = &allocation.source {
            if let Some(payment) = state.payments.get(reference) {
                tranches.push((allocation.split.principal, payment.value_date.min(today)));
            }
        }
    }
    tranches
}

fn open_case(state: &DebtorAccount, case_id: Uuid) -> Result<&CollectionCase, Error> {
    let case = state.dunning.cases.get(&case_id).ok_or(Error::UnknownCase(case_id))?;
    if !case.is_open() {
        return Err(Error::CaseClosed(case_id));
    }
    Ok(case)
}

pub(super) fn waive(state: &DebtorAccount, case_id: Uuid, reason: String) -> Decision {
    let reason = check_reason(reason)?;
    let case = open_case(state, case_id)?;
    if case.costs_waived.is_some() {
        return Err(Error::CostsAlreadyWaived(case_id));
    }
    let mut events = vec![E::CollectionCostsWaived { case_id, reason }];
    events.extend(close_settled(state, &events));
    Ok(events)
}

pub(super) fn close(state: &DebtorAccount, case_id: Uuid, reason: String) -> Decision {
    let reason = check_reason(reason)?;
    open_case(state, case_id)?;
    Ok(vec![E::CollectionClosed { case_id, outcome: CollectionOutcome::ClosedByHand(reason) }])
}

/// `CollectionClosed { Paid }` for each open case that `events` leave with nothing open.
pub(super) fn close_settled(state: &DebtorAccount, events: &[E]) -> Vec<E> {
    if !state.dunning.cases.values().any(CollectionCase::is_open) {
        return Vec::new();
    }
    let mut after = state.clone();
    for event in events {
        after.apply(event.clone());
    }
    after
        .dunning
        .cases
        .values()
        .filter(|case| case.is_open() && after.case_open(case) == Components::default())
        .map(|case| E::CollectionClosed { case_id: case.case_id, outcome: CollectionOutcome::Paid })
        .collect()
}

/// The case costs and interest that the links of one decision have taken so far, so that two
/// links in one payment never take the same euro of costs twice.
#[derive(Debug)]
pub(super) struct CaseLedger<'a> {
    state: &'a DebtorAccount,
    taken: BTreeMap<Uuid, Components>,
}

impl<'a> CaseLedger<'a> {
    pub(super) fn new(state: &'a DebtorAccount) -> Self {
        CaseLedger { state, taken: BTreeMap::new() }
    }

    /// The costs and interest still open on the invoice's open case (zero outside a case).
    pub(super) fn extras(&self, invoice: &InvoiceNumber) -> Components {
        let Some(case) = self.state.dunning.open_case_of(invoice) else { return Components::default() };
        let open = self.state.case_open(case);
        let taken = self.taken.get(&case.case_id).copied().unwrap_or_default();
        Components {
            costs: minus(open.costs, taken.costs).max(Cents::ZERO),
            interest: minus(open.interest, taken.interest).max(Cents::ZERO),
            principal: Cents::ZERO,
        }
    }

    /// Art. 6:44: `available` goes to the case's costs, then its interest, then at most
    /// `principal_cap` principal of the invoice. Records what it took.
    pub(super) fn split(&mut self, invoice: &InvoiceNumber, available: Cents, principal_cap: Cents) -> Split {
        let extras = self.extras(invoice);
        let costs = available.min(extras.costs);
        let interest = minus(available, costs).min(extras.interest);
        let principal = minus(minus(available, costs), interest).min(principal_cap).max(Cents::ZERO);
        if let Some(case) = self.state.dunning.open_case_of(invoice) {
            let entry = self.taken.entry(case.case_id).or_default();
            entry.costs = plus(entry.costs, costs);
            entry.interest = plus(entry.interest, interest);
        }
        Split { costs, interest, principal }
    }
}

/// The day a live allocation's money arrived: the payment's value date or the credit note's date.
pub(super) fn allocation_day(state: &DebtorAccount, source: &AllocationSource) -> Option<NaiveDate> {
    match source {
        AllocationSource::Payment(reference) => state.payments.get(reference).map(|p| p.value_date),
        AllocationSource::CreditNote(number) => state.credit_notes.get(number).map(|n| n.date),
    }
}
