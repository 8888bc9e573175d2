//! The pure core: aggregates decide and apply, policies compute. No I/O, no async, no floats.
#![deny(clippy::float_arithmetic)]

pub mod administration;
pub mod debtor_account;
pub mod dunning;
pub mod ids;
pub mod money;

// The Dutch legal engine (collection costs, interest, allocation, limitation, calendar).
pub mod allocation;
pub mod calendar;
pub mod collection_costs;
pub mod interest;
pub mod limitation;

pub use ids::{
    AccountId, AccountRange, AdministrationId, DebtorCode, IdError, ImportId, InvoiceNumber, LinkId, PaymentRef,
};
pub use money::{Cents, MoneyError};
