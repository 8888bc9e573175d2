//! Dunning: the per-administration policy and the pure decision which steps are due.
//!
//! `due_steps(account, policy, today)` looks at one debtor account and says which reminders go out
//! today (bundled per debtor and step), whether a collection case starts, and what to warn about
//! (claims that prescribe within 90 days, collection held back by an unallocated credit note). It
//! reads no clock and sends nothing: the `DebtorAccount` turns its answer into events, and the
//! engine writes those with their outbox rows.

mod due;
mod file;
mod phase;
mod policy;
#[cfg(test)]
mod tests;

use uuid::Uuid;

use crate::domain::{AdministrationId, DebtorCode, InvoiceNumber};

pub use due::{
    due_steps, received_on, DueCollection, DueReminder, DunningPlan, DunningWarning, PRESCRIPTION_WARNING_DAYS,
};
pub use phase::{ageing_bucket, phase, AgeingBucket, Phase};
pub use policy::{
    Anchor, Audience, Bundling, Channel, DunningPolicy, DunningStep, PolicyError, PolicyOverride, PolicyStep,
    MAX_STEP_DAYS,
};

/// The namespace of reminder and case ids (`Uuid::new_v5`), fixed forever: changing it would make a
/// second run send every reminder again.
pub const ID_NAMESPACE: Uuid = Uuid::from_u128(0x7c1d_52a4_6f0e_4b8e_9a31_d0c5_e2f7_a6b9);

/// The idempotency key of a reminder: the same administration, debtor, step and invoices always
/// give the same id, so a second run appends nothing. Invoices are sorted first.
pub fn reminder_id(
    administration: &AdministrationId,
    debtor: &DebtorCode,
    step: DunningStep,
    invoices: &[InvoiceNumber],
) -> Uuid {
    Uuid::new_v5(&ID_NAMESPACE, key(administration, debtor, step.name(), invoices).as_bytes())
}

/// The id of a collection case over `invoices`, derived like `reminder_id`.
pub fn case_id(administration: &AdministrationId, debtor: &DebtorCode, invoices: &[InvoiceNumber]) -> Uuid {
    Uuid::new_v5(&ID_NAMESPACE, key(administration, debtor, "case", invoices).as_bytes())
}

fn key(administration: &AdministrationId, debtor: &DebtorCode, what: &str, invoices: &[InvoiceNumber]) -> String {
    let mut numbers: Vec<&str> = invoices.iter().map(InvoiceNumber::as_str).collect();
    numbers.sort_unstable();
    format!("{administration}|{debtor}|{what}|{}", numbers.join("|"))
}
