//! The single integration-test binary. Tests that need PostgreSQL use `#[sqlx::test]`, which makes a
//! fresh database per test on the server named by `DATABASE_URL` (`.ci/run` starts one) and drops it after.

mod audit;
mod costs_cli;
mod dashboard;
mod dashboard_logs;
mod debtor_account;
mod embedded;
mod event_contract;
mod event_store;
mod golden_cases;
mod linking;
mod projections_crash;
mod projections_history;
mod projections_notify;
mod projections_rebuild;
mod projections_upcast;
mod support;
