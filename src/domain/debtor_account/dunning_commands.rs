//! Commands for reminders, their delivery, pauses and collection cases. The policy, the rate table
//! and the day travel in the command; `decide` reads no clock.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::domain::dunning::{DunningPolicy, PolicyOverride};
use crate::domain::interest::RateTable;
use crate::domain::{AdministrationId, DebtorCode, InvoiceNumber};
use crate::events::debtor_account::PauseScope;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DunningCommand {
    /// Takes every step `dunning::due_steps` says is due on `today`: reminders and a collection case.
    /// Steps already taken are not taken again, so a second run on the same day appends nothing.
    Run {
        debtor: DebtorRef,
        today: NaiveDate,
        policy: DunningPolicy,
        rates: RateTable,
    },
    /// By hand: a collection case for these invoices, with the same costs, interest and checks.
    StartCollection {
        debtor: DebtorRef,
        invoices: Vec<InvoiceNumber>,
        today: NaiveDate,
        policy: DunningPolicy,
        rates: RateTable,
    },
    WaiveCosts {
        case_id: Uuid,
        reason: String,
    },
    CloseCollection {
        case_id: Uuid,
        reason: String,
    },
    RecordDelivery {
        reminder_id: Uuid,
        delivered_at: DateTime<Utc>,
        message_id: String,
    },
    RecordDeliveryFailure {
        reminder_id: Uuid,
        reason: String,
    },
    PauseInvoice {
        invoice_number: InvoiceNumber,
        reason: String,
    },
    ResumeInvoice {
        invoice_number: InvoiceNumber,
        reason: String,
    },
    PauseDebtor {
        scope: PauseScope,
        reason: String,
    },
    ResumeDebtor {
        reason: String,
    },
    OverridePolicy {
        policy: Option<PolicyOverride>,
    },
}

/// Whose account this is: the parts of its id, which reminder and case ids are derived from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DebtorRef {
    pub administration: AdministrationId,
    pub debtor: DebtorCode,
}
