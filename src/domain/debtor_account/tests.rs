//! Given/when/then tests of the `DebtorAccount`: exact events, exact typed errors.

mod collection;
mod dunning;
mod dunning_support;
mod imports;
mod links;
mod payments;
mod props;
mod reconcile;
mod shell;
mod support;
