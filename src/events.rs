//! The versioned public contract: one event enum per aggregate, plain serde data, past tense.
//!
//! An event's `event_type` is its variant name and its `event_version` is `"1.0"` until its shape
//! changes; a changed shape gets a new version and an upcaster, never an edit of the old one.
//! The serialized form of every variant is pinned by golden files under `tests/fixtures/events/`.

/// Declares, on an event enum, one constant per variant holding its stored `event_type`, the list
/// of them all (`NAMES`), and `name()`. The read side, the audit and the pages match stored events
/// on these constants; the match in `name()` fails to compile when a variant is left out.
macro_rules! event_names {
    ($event:ident { $($variant:ident => $constant:ident),+ $(,)? }) => {
        impl $event {
            $(
                #[doc = concat!("The stored `event_type` of `", stringify!($variant), "`.")]
                pub const $constant: &'static str = stringify!($variant);
            )+
            /// Every variant's stored `event_type`, in declaration order.
            pub const NAMES: &'static [&'static str] = &[$(Self::$constant),+];

            /// The variant's name: the stored `event_type`.
            pub fn name(&self) -> &'static str {
                match self {
                    $(Self::$variant { .. } => Self::$constant,)+
                }
            }
        }
    };
}

pub mod administration;
mod date;
pub mod debtor_account;
mod metadata;
pub mod upcast;

/// An event that may import a document, whose key its payload carries and the unique index
/// `events_document_key` guards. The store's bulk path writes the key into the `document_key`
/// column itself; the trigger of `migrations/0005_document_key_column.sql` fills it for other
/// writers, for the same event types.
pub trait DocumentKeyed {
    /// The imported document's key, for the events that import one.
    fn document_key(&self) -> Option<&str>;
}

pub use administration::AdministrationEvent;
pub use debtor_account::DebtorAccountEvent;
pub use metadata::{Metadata, MetadataError};
