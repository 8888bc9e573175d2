//! Helpers shared by the integration tests.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

pub fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).expect("test timestamps are RFC 3339").with_timezone(&Utc)
}

/// Polls `probe` until it returns `Some`, for conditions another transaction in the cluster may delay.
pub async fn eventually<T, F, Fut>(what: &str, probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    eventually_within(Duration::from_secs(30), what, probe).await
}

/// [`eventually`] with a deadline of its own, for conditions that wait on a timer of the code.
pub async fn eventually_within<T, F, Fut>(limit: Duration, what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + limit;
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The URL of the test's own database (made by `#[sqlx::test]`), for a child process.
pub fn database_url(pool: &sqlx::PgPool) -> String {
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL names the test server");
    let database = pool.connect_options().get_database().unwrap_or("postgres").to_owned();
    let (before, query) = base.split_once('?').unwrap_or((base.as_str(), ""));
    let server = before.rsplit_once('/').map_or(before, |(server, _)| server);
    if query.is_empty() {
        format!("{server}/{database}")
    } else {
        format!("{server}/{database}?{query}")
    }
}
