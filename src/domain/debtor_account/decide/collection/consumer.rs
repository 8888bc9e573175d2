//! The collection costs a consumer owes when a case starts: only after a 14-day letter on each
//! invoice ran out unpaid, recalculated over what was unpaid at the end of the term
//! (`collection_costs::consumer_costs`), one computation per letter (each letter is one aanmaning).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use uuid::Uuid;

use super::allocation_day;
use crate::domain::calendar::fourteen_day_term;
use crate::domain::collection_costs::{
    consumer_costs, ConsumerCosts, ConsumerLetter, CostsBreakdown, LetterTerm, NotOwedReason, VatSurcharge,
};
use crate::domain::debtor_account::state::plus;
use crate::domain::debtor_account::{DebtorAccount, DebtorAccountError as Error};
use crate::domain::dunning::DunningStep;
use crate::domain::{Cents, InvoiceNumber};

pub(super) fn owed(
    state: &DebtorAccount,
    invoices: &[InvoiceNumber],
    today: NaiveDate,
    vat: VatSurcharge,
) -> Result<CostsBreakdown, Error> {
    // Each invoice goes with the latest 14-day letter on it whose receipt is known.
    let mut by_letter: BTreeMap<(NaiveDate, Uuid), (NaiveDate, Vec<&InvoiceNumber>)> = BTreeMap::new();
    for number in invoices {
        let letter = state
            .dunning
            .reminders
            .iter()
            .filter(|(_, r)| r.step == DunningStep::FourteenDayLetter && r.invoices.contains(number))
            .filter_map(|(id, r)| Some((r.sent_on, *id, crate::domain::dunning::received_on(r)?)))
            .max()
            .ok_or_else(|| Error::NoFourteenDayLetter(number.clone()))?;
        by_letter.entry((letter.0, letter.1)).or_insert((letter.2, Vec::new())).1.push(number);
    }
    let mut total =
        CostsBreakdown { principal: Cents::ZERO, costs: Cents::ZERO, vat_surcharge: Cents::ZERO, total: Cents::ZERO };
    for ((sent_on, _), (received, numbers)) in by_letter {
        let (principal, payments) = since_letter(state, &numbers, sent_on);
        let letter = ConsumerLetter { received, term: LetterTerm::STATUTORY };
        match consumer_costs(letter, principal, &payments, vat, today).map_err(|e| Error::Calculation(e.to_string()))? {
            ConsumerCosts::Owed { breakdown, .. } => {
                total.principal = plus(total.principal, breakdown.principal);
                total.costs = plus(total.costs, breakdown.costs);
                total.vat_surcharge = plus(total.vat_surcharge, breakdown.vat_surcharge);
                total.total = plus(total.total, breakdown.total);
            }
            ConsumerCosts::NotOwed(NotOwedReason::TermRunning { costs_from }) => {
                let term_last = fourteen_day_term(received).map_or(costs_from, |t| t.last);
                let invoice = numbers.first().map_or_else(|| invoices[0].clone(), |n| (*n).clone());
                return Err(Error::TermRunning { invoice, term_last, costs_from });
            }
            ConsumerCosts::NotOwed(NotOwedReason::PaidWithinTerm) => return Err(Error::PaidWithinTerm),
            ConsumerCosts::NotOwed(NotOwedReason::UnlawfulTerm) => {
                return Err(Error::NoFourteenDayLetter(numbers[0].clone()))
            }
        }
    }
    Ok(total)
}

/// The principal the letter was about (open now plus what was paid after it was sent) and the
/// payments since, with their days, so `consumer_costs` can tell those within the term.
fn since_letter(
    state: &DebtorAccount,
    numbers: &[&InvoiceNumber],
    sent_on: NaiveDate,
) -> (Cents, Vec<(NaiveDate, Cents)>) {
    let mut principal = Cents::ZERO;
    let mut payments = Vec::new();
    for number in numbers {
        let Some(invoice) = state.invoices.get(*number) else { continue };
        principal = plus(principal, invoice.open_principal());
        for allocation in invoice.allocations.values() {
            let day = allocation_day(state, &allocation.source);
            if let Some(day) = day.filter(|day| *day > sent_on) {
                principal = plus(principal, allocation.split.principal);
                payments.push((day, allocation.split.principal));
            }
        }
    }
    (principal, payments)
}
