//! Wire records to staged documents: each record becomes the typed documents the `DebtorAccount`
//! commands take, with its deterministic key and content hash, or an issue naming what is wrong.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::domain::debtor_account::{DebtorDocument, DocumentKey, DocumentKind, InvoiceDocument, PaymentDocument};
use crate::domain::{AdministrationId, Cents, DebtorCode, InvoiceNumber, PaymentRef};
use crate::eboekhouden::{Factuur, Mutatie, MutatieSoort, OpenPost, Relatie, RelatieKind};
use crate::events::administration::{ImportIssue, IssueSeverity};
use crate::events::debtor_account::{Address, DebtorKind, InvoiceSource, PaymentSource};

/// What a staged row carries; the order of the variants is the order commands are decided in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StagedDocument {
    Debtor(DebtorDocument),
    Invoice(InvoiceDocument),
    Payment(PaymentDocument),
    /// The books' open amount of an invoice (absent from GetOpenPosten: zero).
    OpenAmount {
        invoice_number: InvoiceNumber,
        books_open: Cents,
    },
}

impl StagedDocument {
    /// The compact binary form the stage holds (postcard): the stage is sorted twice by the diff,
    /// and JSON with its field names made each row of it wider (docs/perf/RESULTS.md,
    /// "Binary staged documents").
    /// Appends the encoded document to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) -> Result<(), postcard::Error> {
        postcard::to_io(self, out).map(|_| ())
    }

    pub fn decode(bytes: &[u8]) -> Result<StagedDocument, postcard::Error> {
        postcard::from_bytes(bytes)
    }

    /// Debtors first, then invoices, payments, and last the books' open amounts (docs/ARCHITECTURE.md §3.1).
    pub fn order(&self) -> i16 {
        match self {
            StagedDocument::Debtor(_) => 0,
            StagedDocument::Invoice(_) => 1,
            StagedDocument::Payment(_) => 2,
            StagedDocument::OpenAmount { .. } => 3,
        }
    }
}

/// One document ready for the staging table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StagedRow {
    pub key: String,
    pub debtor_code: String,
    /// Which view of the books showed it; a lower view never overrides a higher one.
    pub precedence: i16,
    pub content_hash: String,
    pub document: StagedDocument,
}

pub const PRECEDENCE_INVOICING: i16 = 3;
pub const PRECEDENCE_MUTATION: i16 = 2;
pub const PRECEDENCE_OPEN_ITEM: i16 = 1;

/// Keys of the books' open amounts within an administration start with this.
pub const OPEN_AMOUNT_KEY_PREFIX: &str = "e-boekhouden|open-amount|";

/// Maps records of one administration.
#[derive(Clone, Debug)]
pub struct Mapper {
    pub administration: AdministrationId,
    /// The term for invoices whose own term is not in the books.
    pub default_term_days: u32,
}

type Mapped = Result<Vec<StagedRow>, ImportIssue>;

fn issue(document: String, message: impl Into<String>) -> ImportIssue {
    ImportIssue { severity: IssueSeverity::Error, document, message: message.into() }
}

impl Mapper {
    fn key(&self, kind: DocumentKind, id: &str, document: impl Fn() -> String) -> Result<DocumentKey, ImportIssue> {
        DocumentKey::new(&self.administration, kind, id).map_err(|e| issue(document(), e.to_string()))
    }

    /// The key under which the books' open amount of an invoice is remembered (never in an event).
    pub fn open_amount_key(&self, invoice: &InvoiceNumber) -> String {
        format!("{}|{OPEN_AMOUNT_KEY_PREFIX}{invoice}", self.administration)
    }

    pub fn relation(&self, r: &Relatie) -> Mapped {
        let name = || format!("relation {}", r.code);
        let code = DebtorCode::new(&r.code).map_err(|e| issue(name(), e.to_string()))?;
        let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let address =
            [&r.adres, &r.postcode, &r.plaats, &r.land].iter().any(|s| !s.trim().is_empty()).then(|| Address {
                street: r.adres.trim().to_owned(),
                postal_code: r.postcode.trim().to_owned(),
                city: r.plaats.trim().to_owned(),
                country: r.land.trim().to_owned(),
            });
        let kind = match r.kind {
            RelatieKind::Consumer => DebtorKind::Consumer,
            RelatieKind::Business => DebtorKind::Business,
        };
        let document = DebtorDocument {
            code: code.clone(),
            name: r.name().trim().to_owned(),
            kind,
            email: text(&r.email),
            address,
            kvk: text(&r.kvk_nummer),
        };
        let key = self.key(DocumentKind::Debtor, code.as_str(), name)?;
        let content_hash = document.content_hash();
        Ok(vec![StagedRow {
            key: key.as_str().to_owned(),
            debtor_code: code.to_string(),
            precedence: 0,
            content_hash,
            document: StagedDocument::Debtor(document),
        }])
    }

    pub fn invoice(&self, f: &Factuur) -> Mapped {
        let name = || format!("invoice {}", f.factuurnummer);
        let due = f
            .due_date()
            .ok_or_else(|| issue(name(), format!("payment term {} days is not a valid term", f.betalingstermijn)))?;
        self.invoice_row(
            &f.factuurnummer,
            &f.relatiecode,
            f.datum,
            due,
            f.totaal_incl_btw,
            InvoiceSource::Invoicing,
            PRECEDENCE_INVOICING,
        )
    }

    /// `FactuurVerstuurd` is an invoice (its own term, else the default); received payments are payments.
    pub fn mutation(&self, m: &Mutatie) -> Mapped {
        match m.soort {
            MutatieSoort::FactuurVerstuurd => {
                let name = || format!("mutation {}", m.mutatie_nr);
                let amount = m.total_incl_btw().ok_or_else(|| issue(name(), "the line amounts overflow"))?;
                let term = m.betalingstermijn_days().unwrap_or(self.default_term_days);
                let due = add_days(m.datum, term).ok_or_else(|| issue(name(), "the due date is out of range"))?;
                self.invoice_row(
                    &m.factuurnummer,
                    &m.relatie_code,
                    m.datum,
                    due,
                    amount,
                    InvoiceSource::Mutation,
                    PRECEDENCE_MUTATION,
                )
            }
            MutatieSoort::FactuurbetalingOntvangen => self.payment(m, PaymentSource::InvoicePayment),
            MutatieSoort::GeldOntvangen if !m.relatie_code.trim().is_empty() => {
                self.payment(m, PaymentSource::MoneyReceived)
            }
            _ => Ok(vec![]),
        }
    }

    fn payment(&self, m: &Mutatie, source: PaymentSource) -> Mapped {
        let name = || format!("payment {}", m.mutatie_nr);
        let amount = m.total_incl_btw().ok_or_else(|| issue(name(), "the line amounts overflow"))?;
        if !amount.is_positive() {
            return Ok(vec![]);
        }
        let reference = Some(m.factuurnummer.trim())
            .filter(|n| !n.is_empty())
            .or_else(|| m.regels.iter().map(|r| r.factuurnummer.trim()).find(|n| !n.is_empty()));
        let reference_invoice =
            reference.map(InvoiceNumber::new).transpose().map_err(|e| issue(name(), e.to_string()))?;
        let payment_ref = PaymentRef::new(m.mutatie_nr.to_string()).map_err(|e| issue(name(), e.to_string()))?;
        let document = PaymentDocument {
            payment_ref: payment_ref.clone(),
            value_date: m.datum,
            amount,
            reference_invoice,
            source,
        };
        let key = self.key(DocumentKind::Payment, payment_ref.as_str(), name)?;
        let content_hash = document.content_hash();
        let debtor_code = m.relatie_code.trim().to_owned();
        Ok(vec![StagedRow {
            key: key.as_str().to_owned(),
            debtor_code,
            precedence: 0,
            content_hash,
            document: StagedDocument::Payment(document),
        }])
    }

    /// An open item: the invoice (with the default term, if nothing better is known) and its open amount.
    pub fn open_item(&self, o: &OpenPost) -> Mapped {
        let name = || format!("open item {}", o.mut_factuur);
        let due = add_days(o.mut_datum, self.default_term_days)
            .ok_or_else(|| issue(name(), "the due date is out of range"))?;
        let mut rows = self.invoice_row(
            &o.mut_factuur,
            &o.rel_code,
            o.mut_datum,
            due,
            o.bedrag,
            InvoiceSource::OpenItem,
            PRECEDENCE_OPEN_ITEM,
        )?;
        // A credit note (a negative item) has no open amount to reconcile: it is linked by hand.
        if o.bedrag.is_negative() {
            return Ok(rows);
        }
        let invoice_number = InvoiceNumber::new(&o.mut_factuur)
            .map_err(|e| issue(format!("open item {}", o.mut_factuur), e.to_string()))?;
        rows.push(self.open_amount(&invoice_number, o.rel_code.trim(), o.openstaand));
        Ok(rows)
    }

    pub fn open_amount(&self, invoice_number: &InvoiceNumber, debtor_code: &str, books_open: Cents) -> StagedRow {
        StagedRow {
            key: self.open_amount_key(invoice_number),
            debtor_code: debtor_code.to_owned(),
            precedence: 0,
            content_hash: books_open.get().to_string(),
            document: StagedDocument::OpenAmount { invoice_number: invoice_number.clone(), books_open },
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn invoice_row(
        &self,
        number: &str,
        relation: &str,
        date: NaiveDate,
        due: NaiveDate,
        amount: Cents,
        source: InvoiceSource,
        precedence: i16,
    ) -> Mapped {
        let name = || format!("invoice {number}");
        if relation.trim().is_empty() {
            return Err(issue(name(), "the invoice names no relation"));
        }
        let invoice_number = InvoiceNumber::new(number).map_err(|e| issue(name(), e.to_string()))?;
        DebtorCode::new(relation).map_err(|e| issue(name(), e.to_string()))?;
        let document = InvoiceDocument {
            invoice_number: invoice_number.clone(),
            invoice_date: date,
            due_date: due,
            amount,
            source,
        };
        let key = self.key(DocumentKind::Invoice, invoice_number.as_str(), name)?;
        let content_hash = document.content_hash();
        Ok(vec![StagedRow {
            key: key.as_str().to_owned(),
            debtor_code: relation.trim().to_owned(),
            precedence,
            content_hash,
            document: StagedDocument::Invoice(document),
        }])
    }
}

fn add_days(date: NaiveDate, days: u32) -> Option<NaiveDate> {
    date.checked_add_days(Days::new(u64::from(days)))
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::StagedDocument;
    use crate::domain::debtor_account::{DebtorDocument, InvoiceDocument, PaymentDocument};
    use crate::domain::{Cents, DebtorCode, InvoiceNumber, PaymentRef};
    use crate::events::debtor_account::{Address, DebtorKind, InvoiceSource, PaymentSource};

    #[test]
    fn every_staged_document_reads_back_as_it_was_staged() {
        let date = |d| NaiveDate::from_ymd_opt(2026, 2, d).unwrap();
        let documents = [
            StagedDocument::Debtor(DebtorDocument {
                code: DebtorCode::new("DEB001").unwrap(),
                name: "Bakkerij Ünal & Zn.\t".to_owned(),
                kind: DebtorKind::Business,
                email: None,
                address: Some(Address {
                    street: "Dorpsstraat 1".to_owned(),
                    postal_code: "1234 AB".to_owned(),
                    city: "'s-Hertogenbosch".to_owned(),
                    country: String::new(),
                }),
                kvk: Some("12345678".to_owned()),
            }),
            StagedDocument::Invoice(InvoiceDocument {
                invoice_number: InvoiceNumber::new("F2026-001").unwrap(),
                invoice_date: date(1),
                due_date: date(28),
                amount: Cents::new(-123_456_789_012),
                source: InvoiceSource::Mutation,
            }),
            StagedDocument::Payment(PaymentDocument {
                payment_ref: PaymentRef::new("M42").unwrap(),
                value_date: date(3),
                amount: Cents::new(i64::MAX),
                reference_invoice: None,
                source: PaymentSource::MoneyReceived,
            }),
            StagedDocument::OpenAmount { invoice_number: InvoiceNumber::new("F1").unwrap(), books_open: Cents::ZERO },
        ];
        for document in documents {
            let mut bytes = vec![7];
            document.encode_into(&mut bytes).unwrap();
            assert_eq!(bytes[0], 7, "appended, not overwritten");
            let bytes = &bytes[1..];
            assert_eq!(StagedDocument::decode(bytes).unwrap(), document);
            // Cut short, it is an error, never another document.
            assert!(StagedDocument::decode(&bytes[..bytes.len() - 1]).is_err());
        }
    }
}
