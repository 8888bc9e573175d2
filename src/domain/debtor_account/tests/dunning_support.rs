//! Builders for the dunning and collection tests: a consumer or business debtor, the shipped
//! policy with a declared 21 % VAT surcharge, and commands that carry them.

use chrono::NaiveDate;
use uuid::Uuid;

use super::support::*;
use crate::domain::debtor_account::{DebtorAccountCommand as C, DebtorRef, DocumentKind, DunningCommand as D};
use crate::domain::dunning::{case_id, reminder_id, DunningPolicy, DunningStep};
use crate::domain::interest::{Rate, RateTable};
use crate::domain::{AdministrationId, DebtorCode, InvoiceNumber};
use crate::events::debtor_account::{DebtorAccountEvent as E, DebtorKind};

pub fn debtor_of(kind: DebtorKind) -> E {
    let mut doc = debtor_doc();
    doc.kind = kind;
    E::DebtorImported {
        document_key: key(DocumentKind::Debtor, "D001").to_string(),
        content_hash: doc.content_hash(),
        code: doc.code,
        name: doc.name,
        kind: doc.kind,
        email: doc.email,
        address: doc.address,
        kvk: doc.kvk,
    }
}

pub fn who() -> DebtorRef {
    DebtorRef { administration: AdministrationId::new("acme-bv").unwrap(), debtor: DebtorCode::new("D001").unwrap() }
}

/// The shipped default policy with a declared 21 % VAT surcharge.
pub fn policy() -> DunningPolicy {
    DunningPolicy { vat_surcharge: Some(Rate::parse_percent("21").unwrap()), ..DunningPolicy::shipped_default() }
}

pub fn run_on(today: NaiveDate) -> C {
    C::Dunning(D::Run { debtor: who(), today, policy: policy(), rates: RateTable::shipped() })
}

pub fn start_on(today: NaiveDate, invoices: &[&str]) -> C {
    let invoices = invoices.iter().map(|n| inv(n)).collect();
    C::Dunning(D::StartCollection { debtor: who(), invoices, today, policy: policy(), rates: RateTable::shipped() })
}

pub fn numbers(invoices: &[&str]) -> Vec<InvoiceNumber> {
    invoices.iter().map(|n| inv(n)).collect()
}

pub fn rid(step: DunningStep, invoices: &[&str]) -> Uuid {
    let who = who();
    reminder_id(&who.administration, &who.debtor, step, &numbers(invoices))
}

pub fn cid(invoices: &[&str]) -> Uuid {
    let who = who();
    case_id(&who.administration, &who.debtor, &numbers(invoices))
}

/// Runs dunning on each day in turn from `given`, returning all events.
pub fn run_days(mut events: Vec<E>, days: &[NaiveDate]) -> Vec<E> {
    for day in days {
        events = then_apply(events, run_on(*day));
    }
    events
}
