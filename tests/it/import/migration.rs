//! Migrations that rewrite what earlier imports stored.

use sqlx::PgPool;

/// `import_document` as migrations 0004 and 0047 left it, with one row of each of two
/// administrations, goes through 0048: the keys lose their administration, nothing else changes.
#[sqlx::test(migrations = false)]
async fn imported_documents_keep_their_accounts_and_lose_the_administration_from_their_keys(pool: PgPool) {
    sqlx::raw_sql(
        "CREATE TABLE import_document (key text COLLATE \"C\" NOT NULL, administration text NOT NULL, \
         content_hash text NOT NULL, source smallint NOT NULL, aggregate_id text COLLATE \"C\" NOT NULL, \
         imported_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (aggregate_id, key)); \
         INSERT INTO import_document (key, administration, content_hash, source, aggregate_id) VALUES \
         ('acme-bv|e-boekhouden|invoice|F1', 'acme-bv', 'h1', 3, 'acme-bv:D1'), \
         ('b|e-boekhouden|open-amount|F1', 'b', '500', 1, 'b:D1');",
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::raw_sql(include_str!("../../../migrations/0048_import_document_short_keys.sql"))
        .execute(&pool)
        .await
        .unwrap();

    let rows: Vec<(String, String, String, i16)> =
        sqlx::query_as("SELECT aggregate_id, key, content_hash, source FROM import_document ORDER BY aggregate_id")
            .fetch_all(&pool)
            .await
            .unwrap();
    let row = |account: &str, key: &str, hash: &str, source| (account.into(), key.into(), hash.into(), source);
    assert_eq!(
        rows,
        [row("acme-bv:D1", "e-boekhouden|invoice|F1", "h1", 3), row("b:D1", "e-boekhouden|open-amount|F1", "500", 1)]
    );
    let columns: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM information_schema.columns WHERE table_name = 'import_document' AND column_name = 'administration'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(columns, 0);
}
