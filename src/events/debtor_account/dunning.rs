//! The plain-data types inside the dunning, pause and collection events of a `DebtorAccount`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::Cents;

/// What a debtor-wide pause stops.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PauseScope {
    /// No reminders and no collection.
    All,
    /// No reminders; collection cases still start and run.
    RemindersOnly,
}

/// What a 14-day letter announces (art. 6:96 lid 6 BW): the costs that will be charged if the
/// principal is not paid within the term, and that term, counted from the presumed day of receipt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnnouncedCosts {
    /// The principals of all invoices in the letter, summed (art. 6:96 lid 7).
    pub principal: Cents,
    /// The collection costs over `principal` by the WIK scale (art. 6:96 BW), in cents, VAT
    /// surcharge excluded.
    pub costs: Cents,
    /// Only when the creditor declared it (BIK art. 2 lid 3); else zero.
    pub vat_surcharge: Cents,
    /// The day the letter is presumed received: for e-mail the day it is sent, for post the postal
    /// presumption of `calendar::PostalRule`.
    #[serde(deserialize_with = "crate::events::date::iso")]
    pub presumed_receipt: NaiveDate,
    /// The term runs `presumed_receipt + 1 ..= term_last`.
    #[serde(deserialize_with = "crate::events::date::iso")]
    pub term_last: NaiveDate,
    /// The first day the costs can be owed if the term ran out unpaid.
    #[serde(deserialize_with = "crate::events::date::iso")]
    pub costs_from: NaiveDate,
}

/// How a collection case ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CollectionOutcome {
    /// Principal, costs and interest were paid (or the rest waived).
    Paid,
    /// A person closed it; the text is theirs.
    ClosedByHand(String),
}
