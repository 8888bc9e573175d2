//! The tracing subscriber of the binary: human-readable lines on stderr, filtered by `VORDERING_LOG`.

use tracing_subscriber::EnvFilter;

pub fn install() {
    let filter = EnvFilter::try_from_env("VORDERING_LOG").unwrap_or_else(|_| EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}
