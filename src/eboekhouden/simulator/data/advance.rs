//! Moving the simulator's calendar: each day brings new invoices, the payments planned for that day and
//! now and then a correction of an unpaid invoice. Everything is drawn from the seed and the date.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::{generate_invoice, Amounts, InvoiceKind, Model, MutationRef, Payment};
use crate::eboekhouden::simulator::draw::{self, Draw};

/// What kind of document an advance added or changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// An invoice; `id` is its number.
    Invoice,
    /// A credit note (negative invoice); `id` is its number.
    CreditNote,
    /// A payment mutation; `id` is its `MutatieNr`.
    Payment,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeAction {
    Added,
    Changed,
}

/// One document an advance added or changed.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Change {
    pub kind: DocumentKind,
    pub action: ChangeAction,
    pub id: String,
}

impl Model {
    /// Moves the calendar `days` forward and returns what was added or changed, in order.
    pub(crate) fn advance_days(&mut self, days: u32) -> Vec<Change> {
        let mut changes = Vec::new();
        for _ in 0..days {
            self.today = self.today.succ_opt().unwrap_or(self.today);
            let day = self.today;
            let mut d = Draw::new(self.seed, draw::DAY, u64::from(day.num_days_from_ce().unsigned_abs()));
            self.new_invoices_on(day, &mut d, &mut changes);
            self.book_planned_payments(day, &mut changes);
            if d.below(4) == 0 {
                self.correct_one(&mut d, &mut changes);
            }
        }
        changes
    }

    fn take_mutatie_nr(&mut self) -> i64 {
        let nr = self.next_mutatie_nr;
        self.next_mutatie_nr += 1;
        nr
    }

    fn new_invoices_on(&mut self, day: NaiveDate, d: &mut Draw, changes: &mut Vec<Change>) {
        let count = 1 + d.below((self.base_invoices / 90).max(1));
        for _ in 0..count {
            let index = self.invoice_count();
            let nr = self.take_mutatie_nr();
            let invoice = generate_invoice(self.seed, index, self.debtors, day, nr);
            let kind = match invoice.kind {
                InvoiceKind::CreditNote => DocumentKind::CreditNote,
                InvoiceKind::Regular | InvoiceKind::MutationOnly => DocumentKind::Invoice,
            };
            changes.push(Change { kind, action: ChangeAction::Added, id: invoice.number.clone() });
            self.later_mutations.insert(nr, MutationRef::Invoice(index));
            self.new_invoices.push(invoice);
        }
    }

    /// Books every planned payment due by `day` that was not booked before (the base ones are).
    fn book_planned_payments(&mut self, day: NaiveDate, changes: &mut Vec<Change>) {
        for index in 0..self.invoice_count() {
            if self.settled.contains(&index) {
                continue;
            }
            let Some(invoice) = self.invoice(index) else { continue };
            let Some((date, amount)) = invoice.plan else { continue };
            if date < self.start || date > day {
                continue;
            }
            let nr = self.take_mutatie_nr();
            self.settled.insert(index);
            self.payments.push(Payment { mutatie_nr: nr, invoice: index, date: day, amount });
            self.later_mutations.insert(nr, MutationRef::Payment(self.payments.len() - 1));
            *self.paid_later.entry(index).or_insert(0) += amount;
            changes.push(Change { kind: DocumentKind::Payment, action: ChangeAction::Added, id: nr.to_string() });
        }
    }

    /// Changes the amount of one invoice that will never be paid (so no payment plan goes stale).
    fn correct_one(&mut self, d: &mut Draw, changes: &mut Vec<Change>) {
        for _ in 0..8 {
            let index = d.below(self.invoice_count().max(1));
            let Some(invoice) = self.invoice(index) else { return };
            if invoice.kind == InvoiceKind::CreditNote || invoice.plan.is_some() || self.paid(index) != 0 {
                continue;
            }
            let excl = (invoice.amounts.excl + d.below_i64(9_001) - 4_500).max(100);
            self.corrections.insert(index, Amounts::from_excl(excl));
            changes.push(Change { kind: DocumentKind::Invoice, action: ChangeAction::Changed, id: invoice.number });
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> Model {
        Model::new(42, 20, 200, NaiveDate::from_ymd_opt(2025, 3, 1).unwrap())
    }

    #[test]
    fn the_same_seed_advances_the_same_way() {
        let (mut a, mut b) = (model(), model());
        let changes = a.advance_days(10);
        assert_eq!(changes, b.advance_days(10));
        assert!(changes.iter().any(|c| c.kind == DocumentKind::Payment));
        assert!(changes.iter().any(|c| c.kind == DocumentKind::Invoice && c.action == ChangeAction::Added));
        assert_eq!(a.today, NaiveDate::from_ymd_opt(2025, 3, 11).unwrap());
    }

    #[test]
    fn new_mutations_get_numbers_after_every_existing_one() {
        let mut m = model();
        let before = m.max_mutatie_nr();
        let changes = m.advance_days(3);
        let added = changes.iter().filter(|c| c.action == ChangeAction::Added).count();
        assert_eq!(m.max_mutatie_nr(), before + i64::try_from(added).unwrap());
        assert!(m.later_mutations.keys().all(|nr| *nr > before));
    }
}
