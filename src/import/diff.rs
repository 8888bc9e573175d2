//! The set-based diff of the staged documents against `import_document`: only what is new, or
//! changed in a view of the books at least as good as the one it was imported from, goes on to
//! the aggregates. An unchanged administration costs one join, not one query per document.

use sqlx::PgConnection;

/// Fills in what the rows cannot know alone, then builds `import_changed`; returns its row count.
pub async fn changed(conn: &mut PgConnection, administration: &str) -> Result<i64, sqlx::Error> {
    // Temporary tables are never analysed automatically; without statistics the planner may
    // take a nested loop over the whole stage for every document (minutes instead of a second).
    sqlx::query("ANALYZE import_stage").execute(&mut *conn).await?;
    // A payment that names no relation belongs to the debtor of the invoice it names.
    sqlx::query(
        "WITH unowned AS (SELECT seq, invoice_number FROM import_stage \
                           WHERE kind = 2 AND debtor_code = '' AND invoice_number <> ''), \
              owner AS (SELECT DISTINCT ON (invoice_number) invoice_number, debtor_code FROM import_stage \
                        WHERE kind = 1 AND invoice_number IN (SELECT invoice_number FROM unowned) \
                        ORDER BY invoice_number, seq), \
              resolved AS (SELECT u.seq, coalesce(o.debtor_code, \
                             (SELECT split_part(d.aggregate_id, ':', 2) FROM import_document d \
                               WHERE d.key = $1 || '|e-boekhouden|invoice|' || u.invoice_number), '') AS code \
                           FROM unowned u LEFT JOIN owner o USING (invoice_number)) \
         UPDATE import_stage p SET debtor_code = r.code FROM resolved r WHERE r.seq = p.seq",
    )
    .bind(administration)
    .execute(&mut *conn)
    .await?;
    // An invoice that was open and is no longer among the open items is settled in the books.
    // A FULL JOIN, because PostgreSQL can run it only as a hash or merge join: with NOT EXISTS a
    // stale row estimate of `import_document` picked a nested loop over the stage (quadratic).
    let prefix = format!("{administration}|e-boekhouden|open-amount|");
    sqlx::query(
        "INSERT INTO import_stage (seq, kind, key, debtor_code, precedence, content_hash, invoice_number, document) \
         SELECT 1000000000000 + row_number() OVER (ORDER BY d.key), 3, d.key, split_part(d.aggregate_id, ':', 2), 0, '0', \
                substr(d.key, length($2) + 1), \
                json_build_object('OpenAmount', json_build_object('invoice_number', substr(d.key, length($2) + 1), 'books_open', 0))::text \
         FROM (SELECT key FROM import_stage WHERE kind = 3) s \
         FULL JOIN (SELECT key, aggregate_id FROM import_document \
                    WHERE administration = $1 AND key LIKE $2 || '%' AND content_hash <> '0') d ON d.key = s.key \
         WHERE s.key IS NULL",
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

#[cfg(test)]
mod tests {
    use sqlx::{Acquire, PgPool};

    use super::super::stage::CREATE_STAGE;

    async fn stage(conn: &mut sqlx::PgConnection, seq: i64, kind: i16, key: &str, debtor: &str, invoice: &str) {
        sqlx::query(
            "INSERT INTO import_stage VALUES ($1, $2, 'adm|e-boekhouden|' || $3, $4, CASE $2 WHEN 3 THEN 0 ELSE 2 END, \
             $1::text, $5, '{}')",
        )
        .bind(seq)
        .bind(kind)
        .bind(key)
        .bind(debtor)
        .bind(invoice)
        .execute(conn)
        .await
        .unwrap();
    }

    #[sqlx::test(migrator = "crate::MIGRATOR")]
    async fn payments_find_their_debtor_and_vanished_open_items_are_settled(pool: PgPool) {
        sqlx::query(
            "INSERT INTO import_document (key, administration, content_hash, source, aggregate_id) VALUES \
             ('adm|e-boekhouden|invoice|F9', 'adm', 'x', 3, 'adm:D2'), \
             ('adm|e-boekhouden|open-amount|F1', 'adm', '1000', 0, 'adm:D1'), \
             ('adm|e-boekhouden|open-amount|F7', 'adm', '700', 0, 'adm:D3'), \
             ('adm|e-boekhouden|open-amount|F8', 'adm', '0', 0, 'adm:D3'), \
             ('other|e-boekhouden|open-amount|F7', 'other', '700', 0, 'other:D3')",
        )
        .execute(&pool)
        .await
        .unwrap();
        let mut pooled = pool.acquire().await.unwrap();
        let conn = pooled.acquire().await.unwrap();
        sqlx::query(CREATE_STAGE).execute(&mut *conn).await.unwrap();
        stage(conn, 1, 1, "invoice|F1", "D1", "F1").await;
        stage(conn, 2, 2, "payment|P1", "", "F1").await;
        stage(conn, 3, 2, "payment|P2", "", "F9").await;
        stage(conn, 4, 2, "payment|P3", "", "F404").await;
        stage(conn, 5, 3, "open-amount|F1", "D1", "F1").await;

        let changed = super::changed(conn, "adm").await.unwrap();

        let owners: Vec<(String, String)> =
            sqlx::query_as("SELECT key, debtor_code FROM import_stage WHERE kind = 2 ORDER BY seq")
                .fetch_all(&mut *conn)
                .await
                .unwrap();
        let owners: Vec<(&str, &str)> = owners.iter().map(|(k, d)| (k.as_str(), d.as_str())).collect();
        assert_eq!(
            owners,
            [
                ("adm|e-boekhouden|payment|P1", "D1"),
                ("adm|e-boekhouden|payment|P2", "D2"),
                ("adm|e-boekhouden|payment|P3", "")
            ]
        );
        // F7 was open and is gone from the open items; F8 was already settled; F1 is still open.
        let settled: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT key, debtor_code, document FROM import_changed WHERE kind = 3 AND content_hash = '0'",
        )
        .fetch_all(&mut *conn)
        .await
        .unwrap();
        assert_eq!(
            settled,
            [(
                "adm|e-boekhouden|open-amount|F7".to_owned(),
                "D3".to_owned(),
                r#"{"OpenAmount" : {"invoice_number" : "F7", "books_open" : 0}}"#.to_owned()
            )]
        );
        // The invoice, P1, P2, the open amount of F1 (its hash changed) and F7's settlement; P3 has no debtor.
        assert_eq!(changed, 5);
        assert_eq!(super::orphans(conn).await.unwrap(), ["adm|e-boekhouden|payment|P3"]);
    }
}
