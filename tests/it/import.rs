//! The import against the simulator: first import, an idempotent second run, and a day's changes.

mod faults;
mod flow;
mod kill;
mod migration;
pub mod setup;
