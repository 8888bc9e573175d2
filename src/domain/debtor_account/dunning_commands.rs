//! Commands for reminders, their delivery, pauses and collection cases. The policy, the rate table
//! and the day travel in the command; `decide` reads no clock.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::domain::dunning::{DunningPolicy, PolicyOverride};
use crate::domain::interest::RateTable;
use crate::domain::{AdministrationId, DebtorCode, InvoiceNumber};
use crate::events::debtor_account::PauseScope;

/// The dunning commands of one debtor account (`DebtorAccountCommand::Dunning`): the daily run,
/// collection cases by hand, what the channel did with a reminder, pauses and the policy override.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DunningCommand {
    /// Takes every step `dunning::due_steps` says is due on `today`: reminders and a collection case.
    /// Steps already taken are not taken again, so a second run on the same day appends nothing.
    Run {
        /// Whose account: the reminder and case ids are derived from it.
        debtor: DebtorRef,
        /// The run's day: reminders are sent and a case starts on it.
        today: NaiveDate,
        /// The administration's schedule; the debtor's override in the state is laid over it.
        policy: DunningPolicy,
        /// The statutory and commercial interest rates (art. 6:119 and 6:119a BW) for a new case.
        rates: RateTable,
    },
    /// By hand: a collection case for these invoices, with the same costs, interest and checks.
    StartCollection {
        /// Whose account: the case id is derived from it and the invoices.
        debtor: DebtorRef,
        /// The invoices to hand over: each open, overdue, not paused and in no open case.
        invoices: Vec<InvoiceNumber>,
        /// The case's start day: costs and interest are computed as of it.
        today: NaiveDate,
        /// The administration's policy; it gives the VAT surcharge on the costs (BIK art. 2 lid 3).
        policy: DunningPolicy,
        /// The statutory and commercial interest rates (art. 6:119 and 6:119a BW).
        rates: RateTable,
    },
    /// By hand: the case claims no collection costs any more; a case with nothing else open then
    /// closes as paid.
    WaiveCosts {
        /// The open collection case (incassozaak).
        case_id: Uuid,
        /// Why, in the person's words; required.
        reason: String,
    },
    /// By hand: closes an open case whatever is still open on it (`ClosedByHand`).
    CloseCollection {
        /// The open collection case (incassozaak).
        case_id: Uuid,
        /// Why, in the person's words; required, and kept as the case's outcome.
        reason: String,
    },
    /// The channel delivered a reminder; a second report of the same delivery records nothing.
    RecordDelivery {
        /// The reminder, as its `ReminderSent` names it.
        reminder_id: Uuid,
        /// When the channel accepted it (UTC); for an e-mail its date is the day of receipt.
        delivered_at: DateTime<Utc>,
        /// The Message-ID the outbox gave the message (the same on every resend).
        message_id: String,
    },
    /// The channel gave up on a reminder; recorded only while its delivery is still pending.
    RecordDeliveryFailure {
        /// The reminder, as its `ReminderSent` names it.
        reminder_id: Uuid,
        /// The channel's error; must not be blank.
        reason: String,
    },
    /// Stops reminders and collection for one invoice; pausing a paused invoice records nothing.
    PauseInvoice {
        /// The invoice to pause; it must be on the account.
        invoice_number: InvoiceNumber,
        /// Why, in the person's words; required.
        reason: String,
    },
    /// Lets dunning go on for a paused invoice; refused when the invoice is not paused.
    ResumeInvoice {
        /// The paused invoice.
        invoice_number: InvoiceNumber,
        /// Why, in the person's words; required.
        reason: String,
    },
    /// Pauses dunning for the whole debtor; pausing again with the same scope records nothing.
    PauseDebtor {
        /// What the pause stops: everything, or the reminders only.
        scope: PauseScope,
        /// Why, in the person's words; required.
        reason: String,
    },
    /// Ends the debtor's pause; refused when the debtor is not paused.
    ResumeDebtor {
        /// Why, in the person's words; required.
        reason: String,
    },
    /// Sets or clears the debtor's own policy; the override it already has records nothing.
    OverridePolicy {
        /// What the debtor gets instead of the administration's defaults; `None` removes it.
        policy: Option<PolicyOverride>,
    },
}

/// Whose account this is: the parts of its id, which reminder and case ids are derived from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DebtorRef {
    /// The administration (one set of books) the account belongs to.
    pub administration: AdministrationId,
    /// The debtor's relation code in those books.
    pub debtor: DebtorCode,
}
