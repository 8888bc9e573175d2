//! Builders shared by the aggregate tests: one administration, fixed dates, fixed seeds.

use chrono::NaiveDate;
use uuid::Uuid;

use crate::domain::debtor_account::{
    decide, DebtorAccount, DebtorAccountCommand as C, DebtorAccountError, DebtorDocument, DocumentKey, DocumentKind,
    InvoiceDocument, PaymentDocument,
};
use crate::domain::{AdministrationId, Cents, DebtorCode, InvoiceNumber, LinkId, PaymentRef};
use crate::events::debtor_account::{
    Address, DebtorAccountEvent as E, DebtorKind, InvoiceSource, LinkReason, PaymentSource, Split,
};

pub fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("test dates are valid")
}

/// "Today" in every test unless it says otherwise.
pub fn today() -> NaiveDate {
    date(2025, 3, 1)
}

pub fn eur(cents: i64) -> Cents {
    Cents::new(cents)
}

pub fn inv(number: &str) -> InvoiceNumber {
    InvoiceNumber::new(number).unwrap()
}

pub fn pay(reference: &str) -> PaymentRef {
    PaymentRef::new(reference).unwrap()
}

pub fn link(n: u128) -> LinkId {
    LinkId::from_uuid(Uuid::from_u128(n))
}

pub fn seed() -> Uuid {
    Uuid::from_u128(0x5eed)
}

pub fn key(kind: DocumentKind, external_id: &str) -> DocumentKey {
    DocumentKey::new(&AdministrationId::new("acme-bv").unwrap(), kind, external_id).unwrap()
}

pub fn debtor_doc() -> DebtorDocument {
    DebtorDocument {
        code: DebtorCode::new("D001").unwrap(),
        name: "Jansen Installatie".to_owned(),
        kind: DebtorKind::Business,
        email: Some("boekhouding@jansen.example".to_owned()),
        address: Some(Address {
            street: "Dorpsstraat 1".to_owned(),
            postal_code: "1234 AB".to_owned(),
            city: "Utrecht".to_owned(),
            country: "NL".to_owned(),
        }),
        kvk: Some("12345678".to_owned()),
    }
}

pub fn debtor_imported() -> E {
    let doc = debtor_doc();
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

/// An invoice dated 2025-01-01 from the invoicing module.
pub fn invoice_doc(number: &str, amount: i64, due: NaiveDate) -> InvoiceDocument {
    InvoiceDocument {
        invoice_number: inv(number),
        invoice_date: date(2025, 1, 1),
        due_date: due,
        amount: eur(amount),
        source: InvoiceSource::Invoicing,
    }
}

pub fn import_invoice(doc: InvoiceDocument) -> C {
    C::ImportInvoice {
        key: key(DocumentKind::Invoice, doc.invoice_number.as_str()),
        invoice: doc,
        link_id_seed: seed(),
    }
}

pub fn invoice_imported(doc: &InvoiceDocument) -> E {
    E::InvoiceImported {
        document_key: key(DocumentKind::Invoice, doc.invoice_number.as_str()).to_string(),
        content_hash: doc.content_hash(),
        invoice_number: doc.invoice_number.clone(),
        invoice_date: doc.invoice_date,
        due_date: doc.due_date,
        amount: doc.amount,
        source: doc.source,
        payment_term_days: (doc.due_date - doc.invoice_date).num_days(),
    }
}

/// Shorthand for an imported invoice due on `due`.
pub fn invoice(number: &str, amount: i64, due: NaiveDate) -> E {
    invoice_imported(&invoice_doc(number, amount, due))
}

pub fn payment_doc(reference: &str, amount: i64, invoice: Option<&str>) -> PaymentDocument {
    PaymentDocument {
        payment_ref: pay(reference),
        value_date: date(2025, 2, 20),
        amount: eur(amount),
        reference_invoice: invoice.map(inv),
        source: if invoice.is_some() { PaymentSource::InvoicePayment } else { PaymentSource::MoneyReceived },
    }
}

pub fn receive(doc: PaymentDocument) -> C {
    let key = key(DocumentKind::Payment, doc.payment_ref.as_str());
    C::ReceivePayment { key, payment: doc, today: today(), link_id_seed: seed() }
}

pub fn payment_received(doc: &PaymentDocument) -> E {
    E::PaymentReceived {
        document_key: key(DocumentKind::Payment, doc.payment_ref.as_str()).to_string(),
        content_hash: doc.content_hash(),
        payment_ref: doc.payment_ref.clone(),
        value_date: doc.value_date,
        amount: doc.amount,
        reference_invoice: doc.reference_invoice.clone(),
        source: doc.source,
    }
}

/// The id an automatic link made with `seed()` gets, spelled out independently of `decide`.
pub fn auto_link_id(payment: &str, invoice: &str) -> LinkId {
    LinkId::from_uuid(Uuid::new_v5(&seed(), format!("{payment}|{invoice}").as_bytes()))
}

pub fn auto_linked(payment: &str, invoice: &str, amount: i64, reason: LinkReason) -> E {
    E::PaymentLinked {
        link_id: auto_link_id(payment, invoice),
        payment_ref: pay(payment),
        invoice_number: inv(invoice),
        split: Split::principal_only(eur(amount)),
        reason,
    }
}

pub fn fold(events: &[E]) -> DebtorAccount {
    let mut account = DebtorAccount::default();
    for event in events {
        account.apply(event.clone());
    }
    account
}

pub fn when(given: &[E], command: C) -> Result<Vec<E>, DebtorAccountError> {
    decide(&fold(given), command)
}

/// Decides and applies, returning all events so far; panics on a refusal (test setup only).
pub fn then_apply(mut given: Vec<E>, command: C) -> Vec<E> {
    let new = when(&given, command).unwrap();
    given.extend(new);
    given
}

pub fn open(events: &[E], invoice: &str) -> Cents {
    fold(events).invoices[&inv(invoice)].open_principal()
}
