//! Folding events into the state. No rules here: `decide` checked them before the event existed,
//! and a stored event is a fact even when today's rules would refuse it.

use litemap::LiteMap;

use super::state::{minus, plus, Allocation, AllocationSource, CreditNote, Debtor, Invoice, LinkRecord, Payment};
use super::DebtorAccount;
use crate::domain::{Cents, InvoiceNumber, LinkId};
use crate::events::debtor_account::{DebtorAccountEvent as E, DebtorChange, InvoiceTerms, Split};

impl DebtorAccount {
    /// Folds one stored event into the state and counts it in `version`; it checks nothing, since
    /// `decide` did before the event existed.
    pub fn apply(&mut self, event: E) {
        self.version += 1;
        match event {
            E::PaymentLinked { link_id, payment_ref, invoice_number, split, .. } => {
                if let Some(payment) = self.payments.get_mut(&payment_ref) {
                    payment.allocations.insert(link_id, (invoice_number.clone(), split));
                }
                self.link(link_id, AllocationSource::Payment(payment_ref), invoice_number, split);
            }
            E::CreditNoteLinked { link_id, credit_note, invoice_number, amount, .. } => {
                if let Some(note) = self.credit_notes.get_mut(&credit_note) {
                    note.allocations.insert(link_id, (invoice_number.clone(), amount));
                }
                let source = AllocationSource::CreditNote(credit_note);
                self.link(link_id, source, invoice_number, Split::principal_only(amount));
            }
            E::PaymentUnlinked { link_id, .. } | E::CreditNoteUnlinked { link_id, .. } => self.unlink(link_id),
            E::OpenAmountAdjusted { invoice_number, from, to } => {
                if let Some(invoice) = self.invoices.get_mut(&invoice_number) {
                    invoice.adjusted = plus(invoice.adjusted, minus(from, to));
                }
            }
            E::InvoicePaused { .. }
            | E::InvoiceResumed { .. }
            | E::DebtorPaused { .. }
            | E::DebtorResumed { .. }
            | E::DebtorPolicyOverridden { .. }
            | E::ReminderSent { .. }
            | E::ReminderDelivered { .. }
            | E::ReminderDeliveryFailed { .. }
            | E::CollectionStarted { .. }
            | E::CollectionCostsWaived { .. }
            | E::CollectionClosed { .. } => self.apply_dunning(event),
            document => self.apply_document(document),
        }
    }

    /// The events that import or change a document.
    fn apply_document(&mut self, event: E) {
        match event {
            E::DebtorImported { document_key, content_hash, code, name, kind, email, address, kvk } => {
                self.documents.insert(document_key.clone(), content_hash);
                self.debtor = Some(Debtor { code, name, kind, email, address, kvk, document_key });
            }
            E::DebtorUpdated { content_hash, changes } => self.update_debtor(content_hash, changes),
            E::InvoiceImported {
                document_key,
                content_hash,
                invoice_number,
                invoice_date,
                due_date,
                amount,
                source,
                ..
            } => {
                self.documents.insert(document_key.clone(), content_hash);
                let invoice = Invoice {
                    number: invoice_number.clone(),
                    invoice_date,
                    due_date,
                    amount,
                    source,
                    document_key,
                    allocations: LiteMap::new(),
                    adjusted: Cents::ZERO,
                };
                self.invoices.insert(invoice_number, invoice);
            }
            E::InvoiceCorrected { invoice_number, content_hash, after, .. } => {
                self.correct_invoice(&invoice_number, content_hash, after);
            }
            E::CreditNoteImported { document_key, content_hash, number, date, amount } => {
                self.documents.insert(document_key, content_hash);
                let note = CreditNote { number: number.clone(), date, amount, allocations: LiteMap::new() };
                self.credit_notes.insert(number, note);
            }
            E::PaymentReceived {
                document_key,
                content_hash,
                payment_ref,
                value_date,
                amount,
                reference_invoice,
                source,
            } => {
                self.documents.insert(document_key, content_hash);
                let payment = Payment {
                    payment_ref: payment_ref.clone(),
                    value_date,
                    amount,
                    reference_invoice,
                    source,
                    allocations: LiteMap::new(),
                };
                self.payments.insert(payment_ref, payment);
            }
            // Folded by `apply` and `apply_dunning`.
            _ => {}
        }
    }

    fn correct_invoice(&mut self, number: &InvoiceNumber, content_hash: String, after: InvoiceTerms) {
        let Some(invoice) = self.invoices.get_mut(number) else { return };
        self.documents.insert(invoice.document_key.clone(), content_hash);
        invoice.invoice_date = after.invoice_date;
        invoice.due_date = after.due_date;
        invoice.amount = after.amount;
    }

    fn update_debtor(&mut self, content_hash: String, changes: Vec<DebtorChange>) {
        let Some(debtor) = &mut self.debtor else { return };
        self.documents.insert(debtor.document_key.clone(), content_hash);
        for change in changes {
            match change {
                DebtorChange::Name(name) => debtor.name = name,
                DebtorChange::Kind(kind) => debtor.kind = kind,
                DebtorChange::Email(email) => debtor.email = email,
                DebtorChange::Address(address) => debtor.address = address,
                DebtorChange::Kvk(kvk) => debtor.kvk = kvk,
            }
        }
    }

    fn link(&mut self, link_id: LinkId, source: AllocationSource, invoice_number: InvoiceNumber, split: Split) {
        if let Some(invoice) = self.invoices.get_mut(&invoice_number) {
            invoice.allocations.insert(link_id, Allocation { source: source.clone(), split });
        }
        self.links.insert(link_id, LinkRecord { source, invoice_number, active: true });
    }

    fn unlink(&mut self, link_id: LinkId) {
        let Some(record) = self.links.get_mut(&link_id) else { return };
        record.active = false;
        if let Some(invoice) = self.invoices.get_mut(&record.invoice_number) {
            invoice.allocations.remove(&link_id);
        }
        match &record.source {
            AllocationSource::Payment(payment_ref) => {
                if let Some(payment) = self.payments.get_mut(payment_ref) {
                    payment.allocations.remove(&link_id);
                }
            }
            AllocationSource::CreditNote(number) => {
                if let Some(note) = self.credit_notes.get_mut(number) {
                    note.allocations.remove(&link_id);
                }
            }
        }
    }
}
