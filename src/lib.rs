//! vordering: an event-sourced receivables ("debiteurenbeheer") engine.
#![forbid(unsafe_code)]

pub mod domain;
pub mod eboekhouden;
pub mod events;
