//! Identifier newtypes, each parsed once at the boundary.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

/// Why a text is not a valid identifier.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// The text is empty or only whitespace; ask for a value.
    #[error("{kind} is empty")]
    Empty {
        /// The kind of id expected, in words (`"debtor code"`).
        kind: &'static str,
    },
    /// The text has more characters than the id allows; shorten it.
    #[error("{kind} `{value}` is longer than {max} characters")]
    TooLong {
        /// The kind of id expected, in words.
        kind: &'static str,
        /// The text as given, trimmed.
        value: String,
        /// The most characters (not bytes) the id allows.
        max: usize,
    },
    /// The text holds a character the id does not allow; `rule` tells the user which are allowed.
    #[error("{kind} `{value}` contains `{found}`, which is not allowed ({rule})")]
    BadCharacter {
        /// The kind of id expected, in words.
        kind: &'static str,
        /// The text as given, trimmed.
        value: String,
        /// The first character that is not allowed.
        found: char,
        /// Which characters the id allows, in words for the user.
        rule: &'static str,
    },
    /// The text is not a UUID, as a link or import id must be.
    #[error("{kind} `{value}` is not a UUID")]
    NotUuid {
        /// The kind of id expected, in words (`"link id"`).
        kind: &'static str,
        /// The text as given.
        value: String,
    },
    /// The text has no `:` between an administration id and a debtor code.
    #[error("`{value}` is not a debtor account id (`administration:debtor`)")]
    NotAnAccountId {
        /// The text as given.
        value: String,
    },
}

/// Defines a string identifier whose constructor trims and checks its input. The text is shared
/// (`Arc<str>`): the folded state keeps one id in several places (a map key, the record, the links
/// that name it), and a clone is then a reference count, not an allocation.
macro_rules! text_id {
    ($(#[$doc:meta])* $name:ident, $kind:literal, max = $max:literal, allowed = $allowed:expr, rule = $rule:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(Arc<str>);

        impl $name {
            /// Trims `value` and checks it: not empty, not too long, and only allowed characters.
            pub fn new(value: impl AsRef<str>) -> Result<Self, IdError> {
                let value = value.as_ref().trim();
                check_text($kind, value, $max, $allowed, $rule).map(|()| Self(Arc::from(value)))
            }

            /// The id's text, trimmed and checked.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(value: String) -> Result<Self, IdError> {
                Self::new(value)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0.as_ref().to_owned()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = IdError;
            fn from_str(value: &str) -> Result<Self, IdError> {
                Self::new(value)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_str(TextIdVisitor::<Self>::new($kind))
            }
        }
    };
}

/// Reads a text id from the borrowed text where the format allows it: one allocation, the id's own.
struct TextIdVisitor<T> {
    kind: &'static str,
    id: PhantomData<T>,
}

impl<T> TextIdVisitor<T> {
    fn new(kind: &'static str) -> Self {
        TextIdVisitor { kind, id: PhantomData }
    }
}

impl<T: std::str::FromStr<Err = IdError>> Visitor<'_> for TextIdVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {}", self.kind)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<T, E> {
        value.parse().map_err(E::custom)
    }
}

fn check_text(
    kind: &'static str,
    value: &str,
    max: usize,
    allowed: fn(char) -> bool,
    rule: &'static str,
) -> Result<(), IdError> {
    if value.is_empty() {
        return Err(IdError::Empty { kind });
    }
    // No text has more characters than bytes: count them only when the bytes are over the limit.
    if value.len() > max && value.chars().count() > max {
        return Err(IdError::TooLong { kind, value: value.to_owned(), max });
    }
    match value.chars().find(|&c| !allowed(c)) {
        Some(found) => Err(IdError::BadCharacter { kind, value: value.to_owned(), found, rule }),
        None => Ok(()),
    }
}

fn slug_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'
}

/// Document numbers: printable, and no `:` or `|`, which separate parts of aggregate ids and dedup keys.
fn document_char(c: char) -> bool {
    !c.is_control() && c != ':' && c != '|'
}

text_id!(
    /// The tenant root: a slug chosen at registration (`acme-bv`).
    AdministrationId, "administration id", max = 64, allowed = slug_char,
    rule = "use lowercase letters, digits, `-` and `_`"
);
text_id!(
    /// A relation code in the accounting package (e-Boekhouden `Code`, at most 15 characters there).
    DebtorCode, "debtor code", max = 50, allowed = document_char, rule = "no control characters, `:` or `|`"
);
text_id!(
    /// An invoice or credit note number as the books know it.
    InvoiceNumber, "invoice number", max = 50, allowed = document_char, rule = "no control characters, `:` or `|`"
);
text_id!(
    /// A payment's reference: the mutation number or the bank's reference.
    PaymentRef, "payment reference", max = 100, allowed = document_char, rule = "no control characters, `:` or `|`"
);

/// A debtor account: the aggregate id of `DebtorAccount`, written `"{administration}:{debtor}"`.
/// Neither part can contain `:`, so the text splits back into the same two parts.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AccountId {
    /// The administration the account belongs to.
    pub administration: AdministrationId,
    /// The debtor's relation code in that administration.
    pub debtor: DebtorCode,
}

impl AccountId {
    /// Between the administration and the debtor code.
    pub const SEPARATOR: char = ':';

    /// The account of `debtor` in `administration`.
    pub fn new(administration: &AdministrationId, debtor: &DebtorCode) -> Self {
        AccountId { administration: administration.clone(), debtor: debtor.clone() }
    }

    /// The text of the account id of `debtor`, a code the caller read from a checked `DebtorCode`.
    pub fn text_of(administration: &AdministrationId, debtor: &str) -> String {
        format!("{administration}{}{debtor}", Self::SEPARATOR)
    }

    /// The administration and debtor parts of a stored account id, unchecked and without a copy
    /// (the read side splits every event's id); `None` when it has no separator.
    pub fn split(text: &str) -> Option<(&str, &str)> {
        text.split_once(Self::SEPARATOR)
    }

    /// The half-open range `[start, end)` that holds, in byte order, exactly the account ids of
    /// `administration`: from `"{administration}:"` to `"{administration};"` (`;` follows `:`).
    /// SQL compares them with `COLLATE "C"` ([`AccountRange::sql`]), so the range is right on a
    /// server whose default collation is not byte order.
    pub fn range_of(administration: &AdministrationId) -> AccountRange {
        AccountRange { start: format!("{administration}:"), end: format!("{administration};") }
    }
}

/// The account ids of one administration, as bounds for SQL (see [`AccountId::range_of`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountRange {
    /// The inclusive lower bound, `"{administration}:"`.
    pub start: String,
    /// The exclusive upper bound, `"{administration};"`.
    pub end: String,
}

impl AccountRange {
    /// The condition on `column`, with the bounds bound as parameters `$first` and `$first + 1`.
    pub fn sql(column: &str, first: usize) -> String {
        format!(r#"{column} COLLATE "C" >= ${first} AND {column} COLLATE "C" < ${}"#, first + 1)
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}{}", self.administration, Self::SEPARATOR, self.debtor)
    }
}

impl std::str::FromStr for AccountId {
    type Err = IdError;
    fn from_str(value: &str) -> Result<Self, IdError> {
        let (administration, debtor) =
            Self::split(value).ok_or_else(|| IdError::NotAnAccountId { value: value.to_owned() })?;
        Ok(AccountId { administration: administration.parse()?, debtor: debtor.parse()? })
    }
}

/// Defines a UUID identifier.
macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// Wraps a UUID the caller made or derived; any UUID is a valid id.
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// Parses a UUID as `Uuid::parse_str` reads it, ignoring surrounding whitespace;
            /// `NotUuid` otherwise.
            pub fn parse(value: &str) -> Result<Self, IdError> {
                Uuid::parse_str(value.trim())
                    .map(Self)
                    .map_err(|_| IdError::NotUuid { kind: $kind, value: value.to_owned() })
            }

            /// The plain `Uuid`, for read models and reports that hold UUIDs.
            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = IdError;
            fn from_str(value: &str) -> Result<Self, IdError> {
                Self::parse(value)
            }
        }
    };
}

uuid_id!(
    /// One allocation (payment or credit note to invoice); unlinking names it.
    LinkId, "link id"
);
uuid_id!(
    /// One run of the import job.
    ImportId, "import id"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn administration_ids_are_slugs() {
        assert_eq!(AdministrationId::new(" acme-bv ").unwrap().as_str(), "acme-bv");
        assert_eq!(AdministrationId::new(""), Err(IdError::Empty { kind: "administration id" }));
        assert!(matches!(AdministrationId::new("Acme"), Err(IdError::BadCharacter { found: 'A', .. })));
        assert!(matches!(AdministrationId::new("a".repeat(65)), Err(IdError::TooLong { max: 64, .. })));
    }

    #[test]
    fn document_numbers_refuse_separators_and_control_characters() {
        assert_eq!(InvoiceNumber::new("F2024-0001").unwrap().to_string(), "F2024-0001");
        assert!(matches!(DebtorCode::new("a:b"), Err(IdError::BadCharacter { found: ':', .. })));
        assert!(matches!(PaymentRef::new("x|y"), Err(IdError::BadCharacter { found: '|', .. })));
        assert!(matches!(InvoiceNumber::new("a\u{7}"), Err(IdError::BadCharacter { .. })));
        assert_eq!(DebtorCode::new("   "), Err(IdError::Empty { kind: "debtor code" }));
    }

    #[test]
    fn ids_deserialize_through_their_constructor() {
        assert!(serde_json::from_str::<DebtorCode>("\"\"").is_err());
        let code: DebtorCode = serde_json::from_str("\"D001\"").unwrap();
        assert_eq!(serde_json::to_string(&code).unwrap(), "\"D001\"");
    }

    #[test]
    fn account_ids_split_back_into_their_parts() {
        let id = AccountId::new(&AdministrationId::new("acme").unwrap(), &DebtorCode::new("D 1").unwrap());
        assert_eq!(id.to_string(), "acme:D 1");
        assert_eq!("acme:D 1".parse::<AccountId>(), Ok(id));
        assert_eq!("acme".parse::<AccountId>(), Err(IdError::NotAnAccountId { value: "acme".to_owned() }));
        assert!(matches!("Acme:D1".parse::<AccountId>(), Err(IdError::BadCharacter { found: 'A', .. })));
    }

    #[test]
    fn an_administrations_range_holds_its_accounts_and_no_others() {
        let range = AccountId::range_of(&AdministrationId::new("a_b").unwrap());
        let inside = |id: &str| range.start.as_str() <= id && id < range.end.as_str();
        assert!(inside("a_b:D1") && inside("a_b:"));
        // `LIKE 'a_b:%'` would take these: `_` matches any character there.
        assert!(!inside("axb:D1") && !inside("a_bc:D1") && !inside("a_b"));
        assert_eq!(
            AccountRange::sql("c.aggregate_id", 3),
            r#"c.aggregate_id COLLATE "C" >= $3 AND c.aggregate_id COLLATE "C" < $4"#
        );
    }

    #[test]
    fn uuid_ids_parse_or_say_why_not() {
        let id = LinkId::from_uuid(Uuid::nil());
        assert_eq!(LinkId::parse(&id.to_string()), Ok(id));
        assert_eq!(ImportId::parse("nope"), Err(IdError::NotUuid { kind: "import id", value: "nope".to_owned() }));
    }
}
