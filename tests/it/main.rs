//! The single integration-test binary. Tests that need PostgreSQL use `#[sqlx::test]`, which makes a
//! fresh database per test on the server named by `DATABASE_URL` (`.ci/run` starts one) and drops it after.

mod audit;
mod audit_stream;
mod browser;
mod cli_flow;
mod collection;
mod costs_cli;
mod dashboard;
mod dashboard_logs;
mod dashboard_pages;
mod debtor_account;
mod dunning;
mod dunning_cli;
mod dunning_scenario;
mod dunning_support;
mod eboekhouden_client;
mod eboekhouden_simulator;
mod embedded;
mod embedding;
mod event_contract;
mod event_store;
mod golden_cases;
mod http;
mod import;
mod linking;
mod outbox;
mod outbox_smtp;
mod projections_crash;
mod projections_history;
mod projections_notify;
mod projections_rebuild;
mod projections_upcast;
mod store_pool;
mod support;
mod webhooks;
mod zeep;
