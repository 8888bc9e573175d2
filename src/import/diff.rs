//! The set-based diff of the staged documents against `import_document`: only what is new, or
//! changed in a view of the books at least as good as the one it was imported from, goes on to
//! the aggregates. An unchanged administration costs one join, not one query per document.

use sqlx::PgConnection;

/// Fills in what the rows cannot know alone, then builds `import_changed`; returns its row count.
pub async fn changed(conn: &mut PgConnection, administration: &str) -> Result<i64, sqlx::Error> {
    // A payment that names no relation belongs to the debtor of the invoice it names.
    sqlx::query(
        "UPDATE import_stage p SET debtor_code = coalesce(\
           (SELECT i.debtor_code FROM import_stage i WHERE i.kind = 1 AND i.invoice_number = p.invoice_number LIMIT 1), \
           (SELECT split_part(d.aggregate_id, ':', 2) FROM import_document d \
             WHERE d.key = $1 || '|e-boekhouden|invoice|' || p.invoice_number), '') \
         WHERE p.kind = 2 AND p.debtor_code = '' AND p.invoice_number <> ''",
    )
    .bind(administration)
    .execute(&mut *conn)
    .await?;
    // An invoice that was open and is no longer among the open items is settled in the books.
    let prefix = format!("{administration}|e-boekhouden|open-amount|");
    sqlx::query(
        "INSERT INTO import_stage (seq, kind, key, debtor_code, precedence, content_hash, invoice_number, document) \
         SELECT 1000000000000 + row_number() OVER (ORDER BY d.key), 3, d.key, split_part(d.aggregate_id, ':', 2), 0, '0', \
                substr(d.key, length($2) + 1), \
                json_build_object('OpenAmount', json_build_object('invoice_number', substr(d.key, length($2) + 1), 'books_open', 0))::text \
         FROM import_document d \
         WHERE d.administration = $1 AND d.key LIKE $2 || '%' AND d.content_hash <> '0' \
           AND NOT EXISTS (SELECT 1 FROM import_stage s WHERE s.key = d.key)",
    )
    .bind(administration)
    .bind(&prefix)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DROP TABLE IF EXISTS import_changed").execute(&mut *conn).await?;
    sqlx::query(
        "CREATE TEMP TABLE import_changed AS \
         WITH best AS (SELECT DISTINCT ON (key) * FROM import_stage ORDER BY key, precedence DESC, seq) \
         SELECT dense_rank() OVER (ORDER BY b.debtor_code) AS debtor_rank, b.* \
         FROM best b LEFT JOIN import_document d ON d.key = b.key \
         WHERE b.debtor_code <> '' AND (d.key IS NULL OR (b.precedence >= d.source AND b.content_hash <> d.content_hash))",
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query("CREATE INDEX ON import_changed (debtor_rank)").execute(&mut *conn).await?;
    sqlx::query_scalar("SELECT count(*) FROM import_changed").fetch_one(&mut *conn).await
}

/// Staged payments whose debtor nobody could tell; reported, never guessed.
pub async fn orphans(conn: &mut PgConnection) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT key FROM import_stage WHERE debtor_code = '' ORDER BY seq LIMIT 100")
        .fetch_all(conn)
        .await
}

/// One page of changed rows: the debtors ranked `(after, after + debtors]`, in decision order.
pub async fn page(conn: &mut PgConnection, after: i64, debtors: i64) -> Result<Vec<ChangedRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT key, debtor_code, precedence, content_hash, document FROM import_changed \
         WHERE debtor_rank > $1 AND debtor_rank <= $1 + $2 ORDER BY debtor_rank, kind, seq",
    )
    .bind(after)
    .bind(debtors)
    .fetch_all(conn)
    .await
}

#[derive(Debug, sqlx::FromRow)]
pub struct ChangedRow {
    pub key: String,
    pub debtor_code: String,
    pub precedence: i16,
    pub content_hash: String,
    pub document: String,
}

/// The changed rows of the named debtors again, for those another writer changed meanwhile.
pub async fn rows_of(conn: &mut PgConnection, debtor_codes: &[String]) -> Result<Vec<ChangedRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT key, debtor_code, precedence, content_hash, document FROM import_changed \
         WHERE debtor_code = ANY($1) ORDER BY debtor_rank, kind, seq",
    )
    .bind(debtor_codes)
    .fetch_all(conn)
    .await
}
