//! The event store against a real PostgreSQL: the skip-free global order, the bulk append path,
//! single commands with metadata and conflict retries.

mod bulk_append;
mod cached_states;
mod commands;
mod global_order;
mod test_account;
