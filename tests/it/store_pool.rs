//! The store's pools: the server cancels a statement past the statement timeout, the dashboard's
//! readers share the limit, and the default is five minutes.

use sqlx::PgPool;
use vordering::internals::store::{self, PoolSettings};

fn cancelled(error: &sqlx::Error) -> bool {
    // 57014: query_canceled, what the server answers when statement_timeout cuts a statement short
    error.as_database_error().and_then(|e| e.code()).as_deref() == Some("57014")
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn a_statement_past_the_timeout_is_cancelled_by_the_server(pool: PgPool) {
    let options = (*pool.connect_options()).clone();
    let settings = PoolSettings { statement_timeout_secs: 1, ..PoolSettings::default() };
    let writers = store::connect(options.clone(), &settings).await.unwrap();
    let error = sqlx::query("SELECT pg_sleep(3)").execute(&writers).await.unwrap_err();
    assert!(cancelled(&error), "{error}");
    let readers = store::readers(&writers);
    let error = sqlx::query("SELECT pg_sleep(3)").execute(&readers).await.unwrap_err();
    assert!(cancelled(&error), "the readers share the limit: {error}");
    let after: i32 = sqlx::query_scalar("SELECT 1").fetch_one(&writers).await.unwrap();
    assert_eq!(after, 1, "the connection is usable after a cancelled statement");

    let default = store::connect(options, &PoolSettings::default()).await.unwrap();
    let shown: String = sqlx::query_scalar("SHOW statement_timeout").fetch_one(&default).await.unwrap();
    assert_eq!(shown, "5min");
}
