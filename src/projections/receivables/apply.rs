//! Folding one fact into an `AccountView`. Like the aggregate's `apply`, it checks no rules: a
//! stored event is a fact. Facts about unknown invoices or links change nothing.

use chrono::NaiveDate;

use super::{minus, plus, AccountView, CreditView, InvoiceView, LinkView};
use crate::domain::Cents;
use crate::events::debtor_account::{DebtorAccountEvent as E, DebtorChange};

/// The step name under which the start of a collection case is dated.
pub const COLLECTION_STEP: &str = "Collection";

impl AccountView {
    /// Folds `event`; `recorded_on` dates the changes whose payload carries no business date.
    pub fn apply(&mut self, event: E, recorded_on: NaiveDate) {
        match event {
            E::DebtorImported { name, .. } => self.name = name,
            E::DebtorUpdated { changes, .. } => {
                for change in changes {
                    if let DebtorChange::Name(name) = change {
                        self.name = name;
                    }
                }
            }
            E::InvoiceImported { invoice_number, invoice_date, due_date, amount, .. } => {
                let invoice = InvoiceView {
                    invoice_date,
                    due_date,
                    amount,
                    paid: Cents::ZERO,
                    credited: Cents::ZERO,
                    adjusted: Cents::ZERO,
                    steps: Default::default(),
                    case: None,
                    paused: false,
                    settled_on: None,
                };
                let number = invoice_number.as_str().to_owned();
                self.invoices.insert(number.clone(), invoice);
                self.settle(&number, invoice_date);
            }
            E::InvoiceCorrected { invoice_number, after, .. } => {
                self.change(invoice_number.as_str(), recorded_on, |invoice| {
                    invoice.invoice_date = after.invoice_date;
                    invoice.due_date = after.due_date;
                    invoice.amount = after.amount;
                });
            }
            E::CreditNoteImported { number, date, amount, .. } => {
                let note = CreditView { date, amount, allocated: Cents::ZERO };
                self.credit_notes.insert(number.as_str().to_owned(), note);
            }
            E::PaymentReceived { payment_ref, value_date, .. } => {
                self.payments.insert(payment_ref.as_str().to_owned(), value_date);
            }
            E::OpenAmountAdjusted { invoice_number, from, to } => {
                self.change(invoice_number.as_str(), recorded_on, |invoice| {
                    invoice.adjusted = plus(invoice.adjusted, minus(from, to));
                });
            }
            E::PaymentLinked { .. }
            | E::CreditNoteLinked { .. }
            | E::PaymentUnlinked { .. }
            | E::CreditNoteUnlinked { .. } => self.apply_link(event, recorded_on),
            dunning => self.apply_dunning(dunning),
        }
    }

    fn apply_link(&mut self, event: E, recorded_on: NaiveDate) {
        match event {
            E::PaymentLinked { link_id, payment_ref, invoice_number, split, .. } => {
                let paid_on = self.payments.get(payment_ref.as_str()).copied().unwrap_or(recorded_on);
                let invoice = invoice_number.as_str().to_owned();
                let link =
                    LinkView { invoice: invoice.clone(), principal: split.principal, credit_note: None, active: true };
                self.links.insert(link_id.as_uuid(), link);
                self.change(&invoice, paid_on, |i| i.paid = plus(i.paid, split.principal));
            }
            E::CreditNoteLinked { link_id, credit_note, invoice_number, amount, .. } => {
                let note = credit_note.as_str().to_owned();
                let credited_on = self.credit_notes.get_mut(&note).map(|n| {
                    n.allocated = plus(n.allocated, amount);
                    n.date
                });
                let invoice = invoice_number.as_str().to_owned();
                let link =
                    LinkView { invoice: invoice.clone(), principal: amount, credit_note: Some(note), active: true };
                self.links.insert(link_id.as_uuid(), link);
                self.change(&invoice, credited_on.unwrap_or(recorded_on), |i| i.credited = plus(i.credited, amount));
            }
            E::PaymentUnlinked { link_id, .. } | E::CreditNoteUnlinked { link_id, .. } => {
                self.unlink(link_id.as_uuid(), recorded_on);
            }
            _ => {}
        }
    }

    fn unlink(&mut self, link_id: uuid::Uuid, recorded_on: NaiveDate) {
        let Some(link) = self.links.get_mut(&link_id).filter(|l| l.active) else { return };
        link.active = false;
        let link = link.clone();
        if let Some(note) = link.credit_note.as_ref().and_then(|n| self.credit_notes.get_mut(n)) {
            note.allocated = minus(note.allocated, link.principal);
        }
        self.change(&link.invoice, recorded_on, |invoice| match link.credit_note {
            Some(_) => invoice.credited = minus(invoice.credited, link.principal),
            None => invoice.paid = minus(invoice.paid, link.principal),
        });
    }

    fn apply_dunning(&mut self, event: E) {
        match event {
            E::ReminderSent { step, invoices, sent_on, .. } => {
                for number in invoices {
                    if let Some(invoice) = self.invoices.get_mut(number.as_str()) {
                        // The first letter of a step dates it; a resend changes nothing.
                        invoice.steps.entry(step.name().to_owned()).or_insert(sent_on);
                    }
                }
            }
            E::InvoicePaused { invoice_number, .. } => self.set_paused(invoice_number.as_str(), true),
            E::InvoiceResumed { invoice_number, .. } => self.set_paused(invoice_number.as_str(), false),
            E::DebtorPaused { scope, .. } => self.pause = Some(scope),
            E::DebtorResumed { .. } => self.pause = None,
            E::CollectionStarted { case_id, invoices, started_on, .. } => {
                let numbers: Vec<String> = invoices.iter().map(|n| n.as_str().to_owned()).collect();
                for number in &numbers {
                    if let Some(invoice) = self.invoices.get_mut(number) {
                        invoice.case = Some(case_id);
                        invoice.steps.entry(COLLECTION_STEP.to_owned()).or_insert(started_on);
                    }
                }
                self.cases.insert(case_id, numbers);
            }
            E::CollectionClosed { case_id, .. } => {
                for number in self.cases.remove(&case_id).unwrap_or_default() {
                    if let Some(invoice) = self.invoices.get_mut(&number).filter(|i| i.case == Some(case_id)) {
                        invoice.case = None;
                    }
                }
            }
            _ => {}
        }
    }

    fn set_paused(&mut self, number: &str, paused: bool) {
        if let Some(invoice) = self.invoices.get_mut(number) {
            invoice.paused = paused;
        }
    }

    /// Changes one invoice and then dates its settlement with `on`.
    fn change(&mut self, number: &str, on: NaiveDate, change: impl FnOnce(&mut InvoiceView)) {
        if let Some(invoice) = self.invoices.get_mut(number) {
            change(invoice);
            self.settle(number, on);
        }
    }

    /// An invoice is settled on the day its open amount reached zero, and unsettled when it reopens.
    fn settle(&mut self, number: &str, on: NaiveDate) {
        let Some(invoice) = self.invoices.get_mut(number) else { return };
        if invoice.open().is_positive() {
            invoice.settled_on = None;
        } else if invoice.settled_on.is_none() {
            invoice.settled_on = Some(on);
        }
    }
}
