//! vordering: an event-sourced receivables ("debiteurenbeheer") engine.
#![forbid(unsafe_code)]

pub mod domain;
pub mod events;
