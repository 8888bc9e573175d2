//! The pure core: aggregates decide and apply, policies compute. No I/O, no async, no floats.
#![deny(clippy::float_arithmetic)]

pub mod administration;
pub mod debtor_account;
pub mod ids;
pub mod money;

pub use ids::{AdministrationId, DebtorCode, IdError, ImportId, InvoiceNumber, LinkId, PaymentRef};
pub use money::{Cents, MoneyError};
