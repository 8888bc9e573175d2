//! The HTTP API over real HTTP (reqwest against the server on 127.0.0.1:0), each test on its own
//! database and simulator: token scopes, each endpoint and its error shape, OpenAPI, import now,
//! the scheduler and the graceful stop, in-process and as the `vordering serve` binary.

mod access;
mod accounts;
mod binary;
pub mod collection;
mod collection_page;
mod dashboard;
mod imports;
mod page;
mod scheduler;
pub mod setup;
mod shutdown;
