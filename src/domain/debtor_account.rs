//! The `DebtorAccount` aggregate: one debtor of one administration, with its invoices, credit
//! notes, payments and the allocations between them. Keeping all of them in one aggregate is what
//! lets "an invoice is never over-allocated" be checked in one place (cqrs-es commits one aggregate
//! per transaction).
//!
//! `decide` is pure and returns events; `apply` folds them. The cqrs-es `handle` only connects the two.

mod apply;
mod commands;
mod decide;
mod document;
mod dunning_commands;
mod dunning_state;
mod errors;
mod state;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::{AccountId, AdministrationId, DebtorCode, InvoiceNumber, LinkId, PaymentRef};
use crate::events::debtor_account::DebtorAccountEvent;

pub use commands::{DebtorAccountCommand, DebtorDocument, InvoiceDocument, PaymentDocument};
pub use decide::decide;
pub use document::{content_hash, DocumentKey, DocumentKind, LocalDocumentKey, PACKAGE};
pub use dunning_commands::{DebtorRef, DunningCommand};
pub use dunning_state::{CollectionCase, DebtorPause, Delivery, DunningState, Reminder};
pub use errors::DebtorAccountError;
pub use state::{AccountSummary, Allocation, AllocationSource, CreditNote, Debtor, Invoice, LinkRecord, Payment};

/// The folded state of one debtor account.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebtorAccount {
    /// The debtor's master data (relation record) as last imported; `None` until `ImportDebtor`.
    pub debtor: Option<Debtor>,
    /// The invoices (facturen) by number, with their live allocations; credit notes are in `credit_notes`.
    pub invoices: BTreeMap<InvoiceNumber, Invoice>,
    /// The credit notes (creditnota's) by number: the books' invoices with a negative amount.
    pub credit_notes: BTreeMap<InvoiceNumber, CreditNote>,
    /// The payments received, by reference (the mutation number), each with its live allocations.
    pub payments: BTreeMap<PaymentRef, Payment>,
    /// Every allocation (afletteren) ever made, live or unlinked, by link id.
    pub links: BTreeMap<LinkId, LinkRecord>,
    /// `document_key → content_hash` of every imported document: the idempotency check. Only
    /// looked up, never walked, so hashed (foldhash: SipHash was a noticeable part of a replay's
    /// fold); a tree compared the keys' long shared prefix again and again (docs/perf/RESULTS.md,
    /// "A hashed document index").
    pub documents: foldhash::HashMap<String, String>,
    /// Reminders, pauses, the debtor's policy override and collection cases.
    pub dunning: DunningState,
    /// The number of events applied; UI commands may carry it as their expected version.
    pub version: u64,
}

impl DebtorAccount {
    /// The account's aggregate id, [`AccountId`] as text.
    pub fn aggregate_id(administration: &AdministrationId, debtor: &DebtorCode) -> String {
        AccountId::new(administration, debtor).to_string()
    }

    /// The live allocations of one invoice, by link id.
    pub fn allocations(&self, invoice: &InvoiceNumber) -> impl Iterator<Item = (&LinkId, &Allocation)> {
        self.invoices.get(invoice).into_iter().flat_map(|i| i.allocations.iter())
    }

    /// The account's totals on `today`: what is open and overdue, the oldest open due date, and the
    /// payments and credit not yet allocated.
    pub fn summary(&self, today: NaiveDate) -> AccountSummary {
        let mut summary = AccountSummary { invoices: self.invoices.len(), ..AccountSummary::default() };
        for invoice in self.invoices.values() {
            let open = invoice.open_principal();
            if !open.is_positive() {
                continue;
            }
            summary.open_invoices += 1;
            summary.outstanding = state::plus(summary.outstanding, open);
            if invoice.due_date < today {
                summary.overdue = state::plus(summary.overdue, open);
            }
            summary.oldest_open_due_date =
                Some(summary.oldest_open_due_date.map_or(invoice.due_date, |d| d.min(invoice.due_date)));
        }
        summary.unallocated_payments =
            self.payments.values().map(Payment::unallocated).fold(summary.unallocated_payments, state::plus);
        summary.unallocated_credit =
            self.credit_notes.values().map(CreditNote::unallocated).fold(summary.unallocated_credit, state::plus);
        summary
    }
}

impl cqrs_es::Aggregate for DebtorAccount {
    const TYPE: &'static str = "DebtorAccount";
    type Command = DebtorAccountCommand;
    type Event = DebtorAccountEvent;
    type Error = DebtorAccountError;
    type Services = ();

    async fn handle(
        &mut self,
        command: Self::Command,
        _services: &Self::Services,
        sink: &cqrs_es::event_sink::EventSink<Self>,
    ) -> Result<(), Self::Error> {
        for event in decide(self, command)? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        DebtorAccount::apply(self, event);
    }
}
