//! The set-based diff of the staged documents against `import_document`: only what is new, or
//! changed in a view of the books at least as good as the one it was imported from, goes on to
//! the aggregates. An unchanged administration costs one join, not one query per document.
//!
//! The diff only reads. It is a cursor in a read-only transaction that stays open while the pages
//! are fetched and written (`Changes::finish` ends it). A statement that wrote (a temporary table
//! of the changes) held a transaction id while it ran, and with it the horizon every projection
//! reads below: about 10 s at 1M invoices, and 1.5 min at 7M, with the dashboard standing still.
//! A read-only transaction takes no transaction id. (A holdable cursor, materialized at commit and
//! then counted, cost 1 s more at 1M invoices before the first page.)

use std::collections::HashSet;

use sqlx::PgConnection;

use super::map::{StagedDocument, OPEN_AMOUNT_KEY_PREFIX};
use crate::domain::{Cents, InvoiceNumber};

/// Open amounts imported earlier that the books no longer list: each is settled (`$2` is the key
/// prefix of open amounts, `$3` and `$4` the bounds of the administration's account ids).
const VANISHED: &str = "vanished AS ( \
     SELECT 1000000000000 + row_number() OVER (ORDER BY d.key) AS seq, 3::smallint AS kind, d.key, \
            split_part(d.aggregate_id, ':', 2) AS debtor_code, 0::smallint AS precedence, '0' AS content_hash, \
            NULL::bytea AS document \
     FROM import_document d \
     WHERE d.aggregate_id >= $3 AND d.aggregate_id < $4 AND d.key LIKE $2 || '%' AND d.content_hash <> '0' \
       AND NOT EXISTS (SELECT 1 FROM import_stage s WHERE s.kind = 3 AND s.key = d.key))";

/// Every payment that names an invoice but no relation, given the debtor of that invoice in the
/// stage or in the event store (`$1` is the administration), or `''` when nobody can tell.
const RESOLVED: &str = "unowned AS (SELECT seq, invoice_number FROM import_stage \
                 WHERE kind = 2 AND debtor_code = '' AND invoice_number <> ''), \
     owner AS (SELECT DISTINCT ON (invoice_number) invoice_number, debtor_code FROM import_stage \
               WHERE kind = 1 AND invoice_number IN (SELECT invoice_number FROM unowned) \
               ORDER BY invoice_number, seq), \
     resolved AS (SELECT u.seq, coalesce(o.debtor_code, \
                    (SELECT split_part(e.aggregate_id, ':', 2) FROM events e \
                      WHERE e.document_key = $1 || '|e-boekhouden|invoice|' || u.invoice_number), '') AS code \
                  FROM unowned u LEFT JOIN owner o USING (invoice_number)), \
     staged AS (SELECT s.seq, s.kind, s.key, coalesce(r.code, s.debtor_code) AS debtor_code, s.precedence, \
                       s.content_hash, s.document \
                FROM import_stage s LEFT JOIN resolved r USING (seq) \
                UNION ALL SELECT * FROM vanished)";

/// The stage as it is, when no payment in it lacks a debtor: one scan of it fewer.
const STAGED: &str = "staged AS (SELECT seq, kind, key, debtor_code, precedence, content_hash, document \
     FROM import_stage UNION ALL SELECT * FROM vanished)";

/// Of each document the row from the best view of the books, and the administration's imported
/// documents.
const BEST: &str = "best AS (SELECT DISTINCT ON (key) * FROM staged ORDER BY key, precedence DESC, seq), \
     imported AS (SELECT key, aggregate_id, source, content_hash FROM import_document \
                  WHERE aggregate_id >= $3 AND aggregate_id < $4)";

/// Changed rows fetched from the cursor at a time.
const FETCH_ROWS: usize = 2_000;

/// Most payments without a debtor reported by key; the rest are counted.
const ORPHANS_LISTED: usize = 100;

#[derive(Debug, sqlx::FromRow)]
pub struct ChangedRow {
    pub key: String,
    pub debtor_code: String,
    pub precedence: i16,
    pub content_hash: String,
    /// The staged document (`StagedDocument::encode`); none for a settlement (an open item gone).
    pub document: Option<Vec<u8>>,
    /// The account `import_document` holds an earlier version of it under, if any.
    pub stored_in: Option<String>,
}

/// The changes of one import, read debtor by debtor from the cursor.
#[derive(Debug)]
pub struct Changes {
    /// Changed documents read so far, payments without a debtor included.
    pub read: u64,
    /// Keys of staged payments whose debtor nobody could tell (reported, never guessed), at most
    /// `ORPHANS_LISTED`, and how many there were.
    pub orphans: Vec<String>,
    pub orphan_count: u64,
    /// Rows fetched that belong to the next page.
    carried: Vec<ChangedRow>,
    exhausted: bool,
}

/// Diffs the stage against `import_document` and opens the cursor of the changes, in decision
/// order: by debtor (those nobody could tell first), then kind, then the order they were staged.
/// Only when `payments_without_debtor` were staged does it look for their debtors.
pub async fn changed(
    conn: &mut PgConnection,
    administration: &str,
    payments_without_debtor: bool,
) -> Result<Changes, sqlx::Error> {
    // Temporary tables are never analysed automatically; without statistics the planner may
    // take a nested loop over the whole stage for every document (minutes instead of a second).
    sqlx::query("ANALYZE import_stage").execute(&mut *conn).await?;
    sqlx::query("BEGIN READ ONLY").execute(&mut *conn).await?;
    // The planner cannot see through the UNION ALL how many documents `best` keeps and guesses 200,
    // so it probed `import_document` once per document: 7.1 s for a re-import of 1M invoices,
    // 5.6 s with a hash join. The stage always holds the whole administration, so a nested loop
    // over it is never the better plan. The cursor is planned here; the aggregates loaded later in
    // this transaction are planned as usual.
    sqlx::query("SET LOCAL enable_nestloop = off").execute(&mut *conn).await?;
    let staged = if payments_without_debtor { RESOLVED } else { STAGED };
    sqlx::query(&format!(
        "DECLARE import_changed SCROLL CURSOR FOR WITH {VANISHED}, {staged}, {BEST} \
         SELECT b.key, b.debtor_code, b.precedence, b.content_hash, b.document, d.aggregate_id AS stored_in \
         FROM best b LEFT JOIN imported d ON d.key = b.key \
         WHERE d.key IS NULL OR (b.precedence >= d.source AND b.content_hash <> d.content_hash) \
         ORDER BY b.debtor_code, b.kind, b.seq"
    ))
    .bind(administration)
    .bind(OPEN_AMOUNT_KEY_PREFIX)
    .bind(format!("{administration}:"))
    .bind(format!("{administration};"))
    .execute(&mut *conn)
    .await?;
    sqlx::query("SET LOCAL enable_nestloop = on").execute(&mut *conn).await?;
    let mut changes = Changes { read: 0, orphans: Vec::new(), orphan_count: 0, carried: Vec::new(), exhausted: false };
    // Payments nobody could tell the debtor of sort first (an empty code).
    while changes.carried.is_empty() && !changes.exhausted {
        for row in changes.fetch(conn).await? {
            if !row.debtor_code.is_empty() {
                changes.carried.push(row);
            } else {
                changes.orphan_count += 1;
                if changes.orphans.len() < ORPHANS_LISTED {
                    changes.orphans.push(row.key);
                }
            }
        }
    }
    Ok(changes)
}

impl ChangedRow {
    /// What the row stands for: the staged document, or the settlement of the invoice its key names.
    pub fn staged_document(&self) -> Result<StagedDocument, String> {
        match &self.document {
            Some(bytes) => StagedDocument::decode(bytes).map_err(|e| format!("staged document unreadable: {e}")),
            None => {
                let number = self.key.strip_prefix(OPEN_AMOUNT_KEY_PREFIX).unwrap_or_default();
                let invoice_number = InvoiceNumber::new(number).map_err(|e| e.to_string())?;
                Ok(StagedDocument::OpenAmount { invoice_number, books_open: Cents::ZERO })
            }
        }
    }
}

impl Changes {
    async fn fetch(&mut self, conn: &mut PgConnection) -> Result<Vec<ChangedRow>, sqlx::Error> {
        let fetch = format!("FETCH FORWARD {FETCH_ROWS} FROM import_changed");
        let rows: Vec<ChangedRow> = sqlx::query_as(&fetch).fetch_all(&mut *conn).await?;
        self.exhausted = rows.len() < FETCH_ROWS;
        self.read += rows.len() as u64;
        Ok(rows)
    }

    /// The changed rows of the next `debtors` debtors (at least one; all of each debtor's rows);
    /// empty at the end.
    pub async fn next_page(&mut self, conn: &mut PgConnection, debtors: usize) -> Result<Vec<ChangedRow>, sqlx::Error> {
        let debtors = debtors.max(1);
        let mut page: Vec<ChangedRow> = Vec::new();
        let mut seen = 0;
        let mut pending = std::mem::take(&mut self.carried);
        loop {
            let mut rows = pending.into_iter();
            for row in rows.by_ref() {
                if page.last().is_none_or(|last| last.debtor_code != row.debtor_code) {
                    if seen == debtors {
                        self.carried.push(row);
                        break;
                    }
                    seen += 1;
                }
                page.push(row);
            }
            self.carried.extend(rows);
            if !self.carried.is_empty() || self.exhausted {
                return Ok(page);
            }
            pending = self.fetch(conn).await?;
        }
    }

    /// Ends the diff's transaction, and with it the cursor.
    pub async fn finish(self, conn: &mut PgConnection) -> Result<(), sqlx::Error> {
        sqlx::query("COMMIT").execute(conn).await?;
        Ok(())
    }

    /// The changed rows of the named debtors again, for those another writer changed meanwhile:
    /// one more pass over the cursor, keeping only theirs.
    pub async fn rows_of(
        &mut self,
        conn: &mut PgConnection,
        debtor_codes: &[String],
    ) -> Result<Vec<ChangedRow>, sqlx::Error> {
        let wanted: HashSet<&str> = debtor_codes.iter().map(String::as_str).collect();
        sqlx::query("MOVE ABSOLUTE 0 IN import_changed").execute(&mut *conn).await?;
        self.carried.clear();
        self.exhausted = false;
        let mut rows = Vec::new();
        while !self.exhausted {
            let fetched = self.fetch(conn).await?;
            rows.extend(fetched.into_iter().filter(|row| wanted.contains(row.debtor_code.as_str())));
        }
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use sqlx::{Acquire, PgPool};

    use super::super::stage::CREATE_STAGE;
    use super::{Cents, InvoiceNumber, StagedDocument};

    async fn stage(conn: &mut sqlx::PgConnection, seq: i64, kind: i16, key: &str, debtor: &str, invoice: &str) {
        sqlx::query(
            "INSERT INTO import_stage VALUES ($1, $2, 'e-boekhouden|' || $3, $4, CASE $2 WHEN 3 THEN 0 ELSE 2 END, \
             $1::text, $5, '')",
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
        // F9 was imported into D2 earlier: the event store knows its account.
        sqlx::query(
            "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
             VALUES ('DebtorAccount', 'adm:D2', 1, 'InvoiceImported', '1', \
                     '{\"InvoiceImported\": {\"document_key\": \"adm|e-boekhouden|invoice|F9\"}}', '{}')",
        )
        .execute(&pool)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO import_document (key, content_hash, source, aggregate_id) VALUES \
             ('e-boekhouden|open-amount|F1', '1000', 0, 'adm:D1'), \
             ('e-boekhouden|open-amount|F7', '700', 0, 'adm:D3'), \
             ('e-boekhouden|open-amount|F8', '0', 0, 'adm:D3'), \
             ('e-boekhouden|open-amount|F7', '700', 0, 'other:D3')",
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

        let mut changes = super::changed(conn, "adm", true).await.unwrap();
        // P3 names an invoice nobody knows: reported, never guessed.
        assert_eq!(changes.orphan_count, 1);
        assert_eq!(changes.orphans, ["e-boekhouden|payment|P3"]);
        let mut pages = Vec::new();
        loop {
            let page = changes.next_page(conn, 1).await.unwrap();
            if page.is_empty() {
                break;
            }
            pages.push(page.iter().map(|r| (r.debtor_code.clone(), r.key.clone())).collect::<Vec<_>>());
        }
        // One debtor a page: the invoice, P1 and the open amount of F1 (its hash changed); P2 found
        // its debtor through the event store; F7 was open and is gone from the open items (F8 was
        // already settled, F1 is still open).
        let key = |debtor: &str, key: &str| (debtor.to_owned(), format!("e-boekhouden|{key}"));
        assert_eq!(
            pages,
            [
                vec![key("D1", "invoice|F1"), key("D1", "payment|P1"), key("D1", "open-amount|F1")],
                vec![key("D2", "payment|P2")],
                vec![key("D3", "open-amount|F7")],
            ]
        );
        let settled = changes.rows_of(conn, &["D3".to_owned()]).await.unwrap();
        let settled: Vec<(&str, StagedDocument)> =
            settled.iter().map(|r| (r.content_hash.as_str(), r.staged_document().unwrap())).collect();
        let f7 =
            StagedDocument::OpenAmount { invoice_number: InvoiceNumber::new("F7").unwrap(), books_open: Cents::ZERO };
        assert_eq!(settled, [("0", f7)]);
        changes.finish(conn).await.unwrap();
        // The diff wrote nothing: the stage is as it was staged.
        let unowned: i64 = sqlx::query_scalar("SELECT count(*) FROM import_stage WHERE kind = 2 AND debtor_code = ''")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!(unowned, 3);
    }

    /// While the diff of a large stage runs, its session holds no transaction id, so the
    /// projections' horizon moves on; every changed row is then read once, debtor by debtor.
    #[sqlx::test(migrator = "crate::MIGRATOR")]
    async fn the_diff_holds_no_transaction_id_while_it_runs(pool: PgPool) {
        const ROWS: i64 = 400_000;
        let mut pooled = pool.acquire().await.unwrap();
        let conn = pooled.acquire().await.unwrap();
        sqlx::query(CREATE_STAGE).execute(&mut *conn).await.unwrap();
        sqlx::query(
            "INSERT INTO import_stage SELECT g, 1, 'e-boekhouden|invoice|F' || g, 'D' || (g % 5000), 2, 'h' || g, \
             'F' || g, decode(repeat('ab', 40), 'hex') FROM generate_series(1, $1) g",
        )
        .bind(ROWS)
        .execute(&mut *conn)
        .await
        .unwrap();
        let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()").fetch_one(&mut *conn).await.unwrap();
        let watcher = tokio::spawn(async move {
            // (query running, holding a transaction id) of the diff's session, sampled until it ends.
            let mut samples = Vec::new();
            loop {
                let sample: Option<(String, bool)> = sqlx::query_as(
                    "SELECT left(query, 30), backend_xid IS NOT NULL FROM pg_stat_activity \
                     WHERE pid = $1 AND state = 'active'",
                )
                .bind(pid)
                .fetch_optional(&pool)
                .await
                .unwrap();
                match sample {
                    Some((query, _)) if query.starts_with("SELECT pg_backend_pid") => break samples,
                    Some(sample) => samples.push(sample),
                    None => {}
                }
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
        });
        let mut changes = super::changed(conn, "adm", false).await.unwrap();
        let mut read = 0;
        let mut debtors = 0;
        loop {
            let page = changes.next_page(conn, 500).await.unwrap();
            if page.is_empty() {
                break;
            }
            debtors += page.windows(2).filter(|w| w[0].debtor_code != w[1].debtor_code).count() + 1;
            read += page.len();
        }
        let counted = changes.read;
        changes.finish(conn).await.unwrap();
        // Tells the watcher the diff is over.
        sqlx::query("SELECT pg_backend_pid(), pg_sleep(0.1)").execute(&mut *conn).await.unwrap();
        let samples = watcher.await.unwrap();
        assert_eq!((read, debtors, counted), (400_000, 5_000, 400_000));
        // The sort runs at the first FETCH.
        let diffing: Vec<&(String, bool)> =
            samples.iter().filter(|(query, _)| query.starts_with("DECLARE") || query.starts_with("FETCH")).collect();
        let holding = diffing.iter().filter(|(_, xid)| *xid).count();
        assert!(!diffing.is_empty(), "the watcher saw the diff run");
        assert_eq!(holding, 0, "samples of {} holding a transaction id", diffing.len());
    }
}
