//! Signed webhooks end to end: a real receiver on loopback verifies every signature and counts
//! the deliveries per `webhook-id`.

mod delivery;
mod faults;
mod receiver;
mod restarts;
mod subscriptions;
