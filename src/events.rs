//! The versioned public contract: one event enum per aggregate, plain serde data, past tense.
//!
//! An event's `event_type` is its variant name and its `event_version` is `"1.0"` until its shape
//! changes; a changed shape gets a new version and an upcaster, never an edit of the old one.
//! The serialized form of every variant is pinned by golden files under `tests/fixtures/events/`.

pub mod administration;
mod date;
pub mod debtor_account;
mod metadata;
pub mod upcast;

pub use administration::AdministrationEvent;
pub use debtor_account::DebtorAccountEvent;
pub use metadata::{Metadata, MetadataError};
