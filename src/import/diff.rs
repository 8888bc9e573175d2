//! The set-based diff of the staged documents against `import_document`: only what is new, or
//! changed in a view of the books at least as good as the one it was imported from, goes on to
//! the aggregates. An unchanged administration costs one join, not one query per document.
//!
//! The diff only reads. It is a cursor in a read-only transaction that stays open while the pages
//! are fetched and written (`Changes::finish` ends it). A statement that wrote (a temporary table
//! of the changes) held a transaction id while it ran, and with it the horizon every projection
//! reads below: the dashboard stood still for as long as it ran, the longer the larger the books.
//! A read-only transaction takes no transaction id. (A holdable cursor, materialized at commit and
//! then counted, delayed the first page. Both are measured in docs/perf/RESULTS.md, "The diff's
//! read-only cursor".)

use std::collections::{HashSet, VecDeque};

use sqlx::PgConnection;

use super::map::{StagedDocument, OPEN_AMOUNT_KEY_PREFIX};
use crate::domain::debtor_account::LocalDocumentKey;
use crate::domain::{AccountId, AdministrationId, Cents, InvoiceNumber};

/// Open amounts imported earlier that the books no longer list: each is settled (`$2` is the key
/// prefix of open amounts, `$3` and `$4` the bounds of the administration's account ids, `$5` the
/// part of the stage of `$6` parts, see `stage::part_of`).
const VANISHED: &str = "vanished AS ( \
     SELECT 1000000000000 + row_number() OVER (ORDER BY d.key) * $6 + $5 AS seq, 3::smallint AS kind, d.key, \
            split_part(d.aggregate_id, ':', 2) AS debtor_code, 0::smallint AS precedence, '0' AS content_hash, \
            NULL::bytea AS document \
     FROM import_document d \
     WHERE d.aggregate_id >= $3 AND d.aggregate_id < $4 AND d.key LIKE $2 || '%' AND d.content_hash <> '0' \
       AND ascii(right(d.key, 1)) % $6 = $5 \
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
/// documents that may be in this part: those whose key names the part, and every payment (a
/// payment's part is the invoice it pays, which its key does not name).
const BEST: &str = "best AS (SELECT DISTINCT ON (key) * FROM staged ORDER BY key, precedence DESC, seq), \
     imported AS (SELECT key, aggregate_id, source, content_hash FROM import_document \
                  WHERE aggregate_id >= $3 AND aggregate_id < $4 \
                    AND (ascii(right(key, 1)) % $6 = $5 OR key LIKE 'e-boekhouden|payment|%'))";

/// Changed rows fetched from the cursor at a time.
const FETCH_ROWS: usize = 2_000;

/// Most payments without a debtor reported by key; the rest are counted.
const ORPHANS_LISTED: usize = 100;

#[derive(Debug, sqlx::FromRow)]
pub struct ChangedRow {
    #[sqlx(try_from = "String")]
    pub key: LocalDocumentKey,
    pub debtor_code: String,
    pub kind: i16,
    pub seq: i64,
    pub precedence: i16,
    pub content_hash: String,
    /// The staged document (`StagedDocument::encode`); none for a settlement (an open item gone).
    pub document: Option<Vec<u8>>,
    /// The account `import_document` holds an earlier version of it under, if any.
    pub stored_in: Option<String>,
}

/// One part's cursor: the rows fetched and not yet taken, and whether it has more.
#[derive(Debug, Default)]
struct Part {
    rows: VecDeque<ChangedRow>,
    exhausted: bool,
}

/// The changes of one import, read debtor by debtor from the cursors of the stage's parts, merged.
#[derive(Debug)]
pub struct Changes {
    /// Changed documents read so far, payments without a debtor included.
    pub read: u64,
    /// Keys of staged payments whose debtor nobody could tell (reported, never guessed), at most
    /// `ORPHANS_LISTED`, and how many there were.
    pub orphans: Vec<LocalDocumentKey>,
    pub orphan_count: u64,
    parts: Vec<Part>,
}

/// Diffs each part of the stage (one on each of `conns`, see `stage::part_of`) against
/// `import_document` and opens the cursors of the changes, in decision order: by debtor (those
/// nobody could tell first), then kind, then the order they were staged. The parts are sorted at
/// once, each by its own backend. Only when `payments_without_debtor` were staged does it look
/// for their debtors.
pub async fn changed(
    conns: &mut [PgConnection],
    administration: &AdministrationId,
    payments_without_debtor: bool,
) -> Result<Changes, sqlx::Error> {
    let parts = conns.len();
    let declared = conns.iter_mut().enumerate().map(|(part, conn)| async move {
        declare(conn, administration, payments_without_debtor, part, parts).await?;
        fetch(conn).await
    });
    let fetched = futures::future::try_join_all(declared).await?;
    let mut changes = Changes { read: 0, orphans: Vec::new(), orphan_count: 0, parts: Vec::new() };
    for rows in fetched {
        let part = changes.part_of_rows(rows);
        changes.parts.push(part);
    }
    // Payments nobody could tell the debtor of sort first (an empty code).
    while let Some(index) = changes.head(conns).await? {
        if !changes.parts[index].rows[0].debtor_code.is_empty() {
            break;
        }
        let Some(row) = changes.parts[index].rows.pop_front() else { break };
        changes.orphan_count += 1;
        if changes.orphans.len() < ORPHANS_LISTED {
            changes.orphans.push(row.key);
        }
    }
    Ok(changes)
}

/// Opens the cursor of part `part` of `parts` in a read-only transaction on `conn`.
async fn declare(
    conn: &mut PgConnection,
    administration: &AdministrationId,
    payments_without_debtor: bool,
    part: usize,
    parts: usize,
) -> Result<(), sqlx::Error> {
    // Temporary tables are never analysed automatically; without statistics the planner may
    // take a nested loop over the whole stage for every document (docs/perf/RESULTS.md,
    // "Statistics for the stage").
    sqlx::query("ANALYZE import_stage").execute(&mut *conn).await?;
    sqlx::query("BEGIN READ ONLY").execute(&mut *conn).await?;
    // The planner cannot see through the UNION ALL how many documents `best` keeps and guesses 200,
    // so it probed `import_document` once per document, slower than a hash join
    // (docs/perf/RESULTS.md, "No nested loops in the diff"). The stage always holds the whole
    // administration, so a nested loop over it is never the better plan. The cursor is planned
    // here; the aggregates loaded later in this transaction are planned as usual.
    sqlx::query("SET LOCAL enable_nestloop = off").execute(&mut *conn).await?;
    let range = AccountId::range_of(administration);
    let staged = if payments_without_debtor { RESOLVED } else { STAGED };
    sqlx::query(&format!(
        "DECLARE import_changed SCROLL CURSOR FOR WITH {VANISHED}, {staged}, {BEST} \
         SELECT b.key, b.debtor_code, b.kind, b.seq, b.precedence, b.content_hash, b.document, \
                d.aggregate_id AS stored_in \
         FROM best b LEFT JOIN imported d ON d.key = b.key \
         WHERE d.key IS NULL OR (b.precedence >= d.source AND b.content_hash <> d.content_hash) \
         ORDER BY b.debtor_code COLLATE \"C\", b.kind, b.seq"
    ))
    .bind(administration.as_str())
    .bind(OPEN_AMOUNT_KEY_PREFIX)
    .bind(&range.start)
    .bind(&range.end)
    .bind(i32::try_from(part).expect("the stage has a few parts"))
    .bind(i32::try_from(parts).expect("the stage has a few parts"))
    .execute(&mut *conn)
    .await?;
    sqlx::query("SET LOCAL enable_nestloop = on").execute(&mut *conn).await?;
    Ok(())
}

async fn fetch(conn: &mut PgConnection) -> Result<Vec<ChangedRow>, sqlx::Error> {
    let fetch = format!("FETCH FORWARD {FETCH_ROWS} FROM import_changed");
    sqlx::query_as(&fetch).fetch_all(&mut *conn).await
}

impl ChangedRow {
    /// Decision order: by debtor (in byte order, as the cursors sort), then kind, then staging order.
    fn decision_order(&self) -> (&str, i16, i64) {
        (&self.debtor_code, self.kind, self.seq)
    }

    /// What the row stands for: the staged document, or the settlement of the invoice its key names.
    pub fn staged_document(&self) -> Result<StagedDocument, String> {
        match &self.document {
            Some(bytes) => StagedDocument::decode(bytes).map_err(|e| format!("staged document unreadable: {e}")),
            None => {
                let number = self.key.as_str().strip_prefix(OPEN_AMOUNT_KEY_PREFIX).unwrap_or_default();
                let invoice_number = InvoiceNumber::new(number).map_err(|e| e.to_string())?;
                Ok(StagedDocument::OpenAmount { invoice_number, books_open: Cents::ZERO })
            }
        }
    }
}

impl Changes {
    /// A part holding `rows`, just fetched from its cursor (counted as read).
    fn part_of_rows(&mut self, rows: Vec<ChangedRow>) -> Part {
        self.read += rows.len() as u64;
        Part { exhausted: rows.len() < FETCH_ROWS, rows: rows.into() }
    }

    /// The part whose next row comes first in decision order (fetching for parts that ran dry);
    /// none when every cursor is read.
    async fn head(&mut self, conns: &mut [PgConnection]) -> Result<Option<usize>, sqlx::Error> {
        for (index, conn) in conns.iter_mut().enumerate() {
            if self.parts[index].rows.is_empty() && !self.parts[index].exhausted {
                let rows = fetch(conn).await?;
                self.parts[index] = self.part_of_rows(rows);
            }
        }
        let heads = self.parts.iter().enumerate().filter_map(|(index, part)| Some((index, part.rows.front()?)));
        Ok(heads.min_by(|(_, a), (_, b)| a.decision_order().cmp(&b.decision_order())).map(|(index, _)| index))
    }

    /// The changed rows of the next `debtors` debtors (at least one; all of each debtor's rows);
    /// empty at the end.
    pub async fn next_page(
        &mut self,
        conns: &mut [PgConnection],
        debtors: usize,
    ) -> Result<Vec<ChangedRow>, sqlx::Error> {
        let mut page: Vec<ChangedRow> = Vec::new();
        let mut seen = 0;
        while let Some(index) = self.head(conns).await? {
            let rows = &mut self.parts[index].rows;
            if page.last().is_none_or(|last| last.debtor_code != rows[0].debtor_code) {
                if seen == debtors.max(1) {
                    break;
                }
                seen += 1;
            }
            page.extend(rows.pop_front());
        }
        Ok(page)
    }

    /// Ends the diff's transactions, and with them the cursors.
    pub async fn finish(self, conns: &mut [PgConnection]) -> Result<(), sqlx::Error> {
        for conn in conns {
            sqlx::query("COMMIT").execute(conn).await?;
        }
        Ok(())
    }

    /// The changed rows of the named debtors again, in decision order, for those another writer
    /// changed meanwhile: one more pass over the cursors, keeping only theirs.
    pub async fn rows_of(
        &mut self,
        conns: &mut [PgConnection],
        debtor_codes: &[String],
    ) -> Result<Vec<ChangedRow>, sqlx::Error> {
        let wanted: HashSet<&str> = debtor_codes.iter().map(String::as_str).collect();
        let mut rows = Vec::new();
        for (index, conn) in conns.iter_mut().enumerate() {
            sqlx::query("MOVE ABSOLUTE 0 IN import_changed").execute(&mut *conn).await?;
            loop {
                let fetched = fetch(conn).await?;
                let part = self.part_of_rows(fetched);
                rows.extend(part.rows.into_iter().filter(|row| wanted.contains(row.debtor_code.as_str())));
                if part.exhausted {
                    break;
                }
            }
            self.parts[index] = Part { rows: VecDeque::new(), exhausted: true };
        }
        rows.sort_by(|a, b| a.decision_order().cmp(&b.decision_order()));
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use sqlx::{Acquire, PgConnection, PgPool};

    use super::super::stage::{part_of, CREATE_STAGE};
    use super::{AdministrationId, Cents, InvoiceNumber, LocalDocumentKey, StagedDocument};

    async fn stage(conns: &mut [PgConnection], seq: i64, kind: i16, key: &str, debtor: &str, invoice: &str) {
        let key = format!("e-boekhouden|{key}");
        let part = part_of(invoice, &key, conns.len());
        sqlx::query(
            "INSERT INTO import_stage VALUES ($1, $2, $3, $4, CASE $2 WHEN 3 THEN 0 ELSE 2 END, $1::text, $5, '')",
        )
        .bind(seq)
        .bind(kind)
        .bind(key)
        .bind(debtor)
        .bind(invoice)
        .execute(&mut conns[part])
        .await
        .unwrap();
    }

    /// The same stage, whole or in two parts on two connections, gives the same changes in the
    /// same order: a debtor's documents from both parts together.
    #[sqlx::test(migrator = "crate::MIGRATOR")]
    async fn payments_find_their_debtor_and_vanished_open_items_are_settled_in_one_part_or_two(pool: PgPool) {
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
             ('e-boekhouden|open-amount|F7', '700', 0, 'other:D3'), \
             ('e-boekhouden|payment|P5', '8', 0, 'adm:D2')",
        )
        .execute(&pool)
        .await
        .unwrap();
        for parts in [1, 2] {
            let mut conns = Vec::new();
            for _ in 0..parts {
                let mut conn = pool.acquire().await.unwrap().detach();
                sqlx::query(CREATE_STAGE).execute(&mut conn).await.unwrap();
                conns.push(conn);
            }
            let conns = conns.as_mut_slice();
            stage(conns, 1, 1, "invoice|F1", "D1", "F1").await;
            stage(conns, 2, 2, "payment|P1", "", "F1").await;
            stage(conns, 3, 2, "payment|P2", "", "F9").await;
            stage(conns, 4, 2, "payment|P3", "", "F404").await;
            stage(conns, 5, 3, "open-amount|F1", "D1", "F1").await;
            stage(conns, 6, 1, "invoice|F2", "D1", "F2").await;
            stage(conns, 7, 2, "payment|P4", "D1", "").await;
            // Imported before with the same hash, from a part its key does not name.
            stage(conns, 8, 2, "payment|P5", "D2", "F2").await;

            let mut changes = super::changed(conns, &AdministrationId::new("adm").unwrap(), true).await.unwrap();
            // P3 names an invoice nobody knows: reported, never guessed.
            assert_eq!(changes.orphan_count, 1);
            assert_eq!(changes.orphans, [LocalDocumentKey::from("e-boekhouden|payment|P3".to_owned())]);
            let mut pages = Vec::new();
            loop {
                let page = changes.next_page(conns, 1).await.unwrap();
                if page.is_empty() {
                    break;
                }
                pages.push(page.iter().map(|r| (r.debtor_code.clone(), r.key.to_string())).collect::<Vec<_>>());
            }
            // One debtor a page, by kind then staging order: D1's invoices, P1 and P4, and the open
            // amount of F1 (its hash changed); P2 found its debtor through the event store; F7 was
            // open and is gone from the open items (F8 was already settled, F1 is still open).
            let key = |debtor: &str, key: &str| (debtor.to_owned(), format!("e-boekhouden|{key}"));
            let d1 = ["invoice|F1", "invoice|F2", "payment|P1", "payment|P4", "open-amount|F1"];
            assert_eq!(
                pages,
                [d1.map(|k| key("D1", k)).to_vec(), vec![key("D2", "payment|P2")], vec![key("D3", "open-amount|F7")],],
                "{parts} parts"
            );
            let settled = changes.rows_of(conns, &["D3".to_owned()]).await.unwrap();
            let settled: Vec<(&str, StagedDocument)> =
                settled.iter().map(|r| (r.content_hash.as_str(), r.staged_document().unwrap())).collect();
            let f7 = StagedDocument::OpenAmount {
                invoice_number: InvoiceNumber::new("F7").unwrap(),
                books_open: Cents::ZERO,
            };
            assert_eq!(settled, [("0", f7)]);
            changes.finish(conns).await.unwrap();
            // The diff wrote nothing: the stage is as it was staged.
            let mut unowned = 0;
            for conn in conns.iter_mut() {
                let count: i64 =
                    sqlx::query_scalar("SELECT count(*) FROM import_stage WHERE kind = 2 AND debtor_code = ''")
                        .fetch_one(conn)
                        .await
                        .unwrap();
                unowned += count;
            }
            assert_eq!(unowned, 3);
        }
    }

    /// A stored key's part, as the diff computes it in SQL, is the part its row was staged in.
    #[sqlx::test(migrator = "crate::MIGRATOR")]
    async fn the_database_tells_a_keys_part_as_the_stager_does(pool: PgPool) {
        for key in ["e-boekhouden|invoice|F1", "e-boekhouden|invoice|F2", "debtor|Dé", "open-amount|€", "x|ü", ""] {
            let part: i32 =
                sqlx::query_scalar("SELECT ascii(right($1, 1)) % 2").bind(key).fetch_one(&pool).await.unwrap();
            assert_eq!(usize::try_from(part).unwrap(), part_of("", key, 2), "{key}");
        }
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
        let conns = std::slice::from_mut(conn);
        let mut changes = super::changed(conns, &AdministrationId::new("adm").unwrap(), false).await.unwrap();
        let mut read = 0;
        let mut debtors = 0;
        loop {
            let page = changes.next_page(conns, 500).await.unwrap();
            if page.is_empty() {
                break;
            }
            debtors += page.windows(2).filter(|w| w[0].debtor_code != w[1].debtor_code).count() + 1;
            read += page.len();
        }
        let counted = changes.read;
        changes.finish(conns).await.unwrap();
        // Tells the watcher the diff is over.
        sqlx::query("SELECT pg_backend_pid(), pg_sleep(0.1)").execute(&mut conns[0]).await.unwrap();
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
