//! Idempotency of imported documents: a deterministic key per document and a hash over its own fields.
//!
//! The key is `"{administration}|e-boekhouden|{kind}|{external id}"`. The hash is hex SHA-256 over a
//! versioned prefix and the canonical JSON of the document's own fields (struct fields in declaration
//! order, no maps), never over its open amount, which moves with payments. Reordering or adding a
//! hashed field changes every hash and so corrects every document once: bump `HASH_VERSION` on purpose.

use std::fmt;
use std::io;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::domain::{AdministrationId, IdError};

/// The accounting package part of every key (the package, not the SOAP operation).
pub const PACKAGE: &str = "e-boekhouden";
/// Prefixed to the hashed bytes so that a change of the canonical form is a deliberate new version.
const HASH_VERSION: &[u8] = b"vordering-document-v1\n";

/// What kind of document a key names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DocumentKind {
    /// A relation record (relatie); its external id is the relation code.
    Debtor,
    /// An invoice (factuur), or a credit note as the books list it: an invoice with a negative
    /// amount. Its external id is the invoice number.
    Invoice,
    /// A credit note keyed as one; `ImportInvoice` takes this kind as well as `Invoice`.
    CreditNote,
    /// A payment mutation; its external id is the mutation number.
    Payment,
}

impl DocumentKind {
    /// The kind's part of a key: `debtor`, `invoice`, `credit-note` or `payment`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Debtor => "debtor",
            Self::Invoice => "invoice",
            Self::CreditNote => "credit-note",
            Self::Payment => "payment",
        }
    }

    fn from_str(text: &str) -> Option<Self> {
        [Self::Debtor, Self::Invoice, Self::CreditNote, Self::Payment].into_iter().find(|k| k.as_str() == text)
    }
}

/// The deterministic key of one imported document.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DocumentKey {
    key: String,
    kind: DocumentKind,
}

impl DocumentKey {
    /// `external_id` is the package's own id of the document (relation code, invoice number, mutation number).
    pub fn new(administration: &AdministrationId, kind: DocumentKind, external_id: &str) -> Result<Self, IdError> {
        let external_id = external_id.trim();
        if external_id.is_empty() {
            return Err(IdError::Empty { kind: "external document id" });
        }
        if let Some(found) = external_id.chars().find(|&c| c == '|' || c.is_control()) {
            return Err(IdError::BadCharacter {
                kind: "external document id",
                value: external_id.to_owned(),
                found,
                rule: "no control characters or `|`",
            });
        }
        let key = format!("{administration}|{PACKAGE}|{}|{external_id}", kind.as_str());
        Ok(DocumentKey { key, kind })
    }

    /// Reads a key back from its stored form.
    pub fn parse(text: &str) -> Result<Self, IdError> {
        let not_a_key = |found| IdError::BadCharacter {
            kind: "document key",
            value: text.to_owned(),
            found,
            rule: "`administration|e-boekhouden|kind|external id`",
        };
        let mut parts = text.splitn(4, '|');
        let (Some(admin), Some(package), Some(kind), Some(external_id)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(not_a_key('|'));
        };
        let kind = DocumentKind::from_str(kind).filter(|_| package == PACKAGE).ok_or_else(|| not_a_key('|'))?;
        let parsed = DocumentKey::new(&AdministrationId::new(admin)?, kind, external_id)?;
        if parsed.key == text {
            Ok(parsed)
        } else {
            Err(not_a_key(' '))
        }
    }

    /// What kind of document the key names; `decide` refuses a key of the wrong kind.
    pub fn kind(&self) -> DocumentKind {
        self.kind
    }

    /// The whole key as events and `DebtorAccount::documents` store it.
    pub fn as_str(&self) -> &str {
        &self.key
    }

    /// The key without its administration, as the import's stage and `import_document` keep it.
    pub fn within_administration(&self) -> &str {
        LocalDocumentKey::within(&self.key)
    }
}

/// A document's key within its administration: `e-boekhouden|{kind}|{external id}`, that is a
/// [`DocumentKey`] (or the import's key of an open amount) without the `{administration}|` that
/// every key of one administration starts with. The import's stage and `import_document` keep
/// these, since the account id beside each names the administration already.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocalDocumentKey(String);

impl LocalDocumentKey {
    /// The part of a whole key (`{administration}|…`) within its administration.
    pub fn within(key: &str) -> &str {
        key.split_once('|').map_or(key, |(_, rest)| rest)
    }

    /// The key as text: `e-boekhouden|{kind}|{external id}`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The whole key of the document in `administration`.
    pub fn in_administration(&self, administration: &AdministrationId) -> Result<DocumentKey, IdError> {
        DocumentKey::parse(&format!("{administration}|{}", self.0))
    }

    /// `invoice F1` for the import log, from `e-boekhouden|invoice|F1`.
    pub fn name(&self) -> String {
        self.0.splitn(3, '|').skip(1).collect::<Vec<_>>().join(" ")
    }
}

/// The text as the stage or `import_document` holds it.
impl From<String> for LocalDocumentKey {
    fn from(stored: String) -> Self {
        LocalDocumentKey(stored)
    }
}

impl From<LocalDocumentKey> for String {
    fn from(key: LocalDocumentKey) -> String {
        key.0
    }
}

impl fmt::Display for LocalDocumentKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for DocumentKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key)
    }
}

/// Hex SHA-256 over the canonical serialization of `fields`.
///
/// Fails only when `fields` holds something JSON cannot express (a map with non-string keys).
pub fn content_hash<T: Serialize + ?Sized>(fields: &T) -> Result<String, serde_json::Error> {
    let mut writer = HashWriter(Sha256::new());
    writer.0.update(HASH_VERSION);
    serde_json::to_writer(&mut writer, fields)?;
    Ok(hex::encode(writer.0.finalize()))
}

/// Streams the JSON straight into the hasher, so nothing is buffered.
struct HashWriter(Sha256);

impl io::Write for HashWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admin() -> AdministrationId {
        AdministrationId::new("acme-bv").unwrap()
    }

    #[test]
    fn keys_name_administration_package_kind_and_external_id() {
        let key = DocumentKey::new(&admin(), DocumentKind::CreditNote, " C-7 ").unwrap();
        assert_eq!(key.as_str(), "acme-bv|e-boekhouden|credit-note|C-7");
        assert_eq!(key.kind(), DocumentKind::CreditNote);
        assert_eq!(DocumentKey::parse(key.as_str()), Ok(key));
    }

    #[test]
    fn keys_refuse_empty_ids_separators_and_foreign_forms() {
        assert_eq!(
            DocumentKey::new(&admin(), DocumentKind::Payment, " "),
            Err(IdError::Empty { kind: "external document id" })
        );
        assert!(matches!(
            DocumentKey::new(&admin(), DocumentKind::Payment, "a|b"),
            Err(IdError::BadCharacter { found: '|', .. })
        ));
        assert!(DocumentKey::parse("acme-bv|exact|invoice|1").is_err());
        assert!(DocumentKey::parse("acme-bv|e-boekhouden|order|1").is_err());
        assert!(DocumentKey::parse("acme-bv|e-boekhouden|invoice").is_err());
        assert!(DocumentKey::parse("acme-bv|e-boekhouden|invoice| 1").is_err());
    }

    #[test]
    fn a_key_within_its_administration_goes_back_to_the_whole_key() {
        let key = DocumentKey::new(&admin(), DocumentKind::Invoice, "F|1".split('|').next().unwrap()).unwrap();
        assert_eq!(key.within_administration(), "e-boekhouden|invoice|F");
        let local = LocalDocumentKey::from(key.within_administration().to_owned());
        assert_eq!(local.in_administration(&admin()), Ok(key));
        assert_eq!(local.name(), "invoice F");
        assert_eq!(LocalDocumentKey::within("acme-bv|e-boekhouden|open-amount|F2"), "e-boekhouden|open-amount|F2");
        let other = AdministrationId::new("other").unwrap();
        assert_eq!(local.in_administration(&other).unwrap().as_str(), "other|e-boekhouden|invoice|F");
    }

    #[test]
    fn the_hash_is_sha256_over_version_and_canonical_json() {
        #[derive(Serialize)]
        struct Fields {
            number: &'static str,
            amount: i64,
        }
        let hash = content_hash(&Fields { number: "F1", amount: 1250 }).unwrap();
        let expected = hex::encode(Sha256::digest(b"vordering-document-v1\n{\"number\":\"F1\",\"amount\":1250}"));
        assert_eq!(hash, expected);
        assert_eq!(hash.len(), 64);
        assert_ne!(hash, content_hash(&Fields { number: "F1", amount: 1251 }).unwrap());
    }
}
