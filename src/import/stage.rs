//! Staging: mapped documents go through a bounded channel into `COPY … FROM STDIN` on the import's
//! own connection, into a temporary table, so parsing runs on one core while PostgreSQL ingests on
//! the other, and nothing the size of the administration is held in memory. The table dies with the
//! import's own connection, so a killed import leaves nothing behind.
//!
//! One COPY per second at most: a statement that writes holds a transaction id, and the global-order
//! readers of every administration wait for the oldest one (the horizon). A single COPY through the
//! whole read phase held every projection back for as long as the books took to read.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sqlx::PgConnection;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::{timeout_at, Instant};

use super::map::{within_administration, StagedDocument, StagedRow};
use crate::store::copy_text::{escape_into, push_bytea};

/// Rows per COPY chunk, and chunks in flight: the bound on what parsing may run ahead.
const ROWS_PER_CHUNK: usize = 1_000;
const CHUNKS_IN_FLIGHT: usize = 4;
/// How long one COPY statement (one transaction) may stay open, waiting for chunks or not.
const STATEMENT_SPAN: Duration = Duration::from_secs(1);

const COPY_STAGE: &str = "COPY import_stage (seq, kind, key, debtor_code, precedence, content_hash, invoice_number, \
     document) FROM STDIN WITH (FORMAT text)";

pub const CREATE_STAGE: &str = "CREATE TEMP TABLE IF NOT EXISTS import_stage (\
     seq bigint NOT NULL, kind smallint NOT NULL, key text NOT NULL, debtor_code text NOT NULL, \
     precedence smallint NOT NULL, content_hash text NOT NULL, invoice_number text NOT NULL, document bytea NOT NULL)";

/// The COPY task and its channel; `feed`s send it rows, `finish` returns the connection when
/// every feed has finished.
#[derive(Debug)]
pub struct Stager {
    sender: mpsc::Sender<String>,
    task: JoinHandle<Result<PgConnection, sqlx::Error>>,
    payments_without_debtor: Arc<AtomicBool>,
}

/// The stage's connection, and what the diff may skip.
#[derive(Debug)]
pub struct Staged {
    pub conn: PgConnection,
    /// Whether a payment naming an invoice but no relation was staged: only then has the diff a
    /// debtor to look for (a scan of the whole stage).
    pub payments_without_debtor: bool,
}

/// One reader's rows, numbered from its own base so that readers running side by side stage the
/// same `seq` order as one after the other (the diff breaks ties by `seq`).
#[derive(Debug)]
pub struct StageFeed {
    sender: mpsc::Sender<String>,
    chunk: String,
    rows_in_chunk: usize,
    seq: i64,
    /// The row being staged's document, encoded (reused from row to row).
    document: Vec<u8>,
    payments_without_debtor: Arc<AtomicBool>,
}

impl Stager {
    /// Starts `COPY` into a fresh `import_stage` on `conn`.
    pub async fn start(mut conn: PgConnection) -> Result<Stager, sqlx::Error> {
        sqlx::query(CREATE_STAGE).execute(&mut conn).await?;
        sqlx::query("TRUNCATE import_stage").execute(&mut conn).await?;
        let (sender, receiver) = mpsc::channel::<String>(CHUNKS_IN_FLIGHT);
        let task = tokio::spawn(copy_chunks(conn, receiver));
        Ok(Stager { sender, task, payments_without_debtor: Arc::default() })
    }

    /// A feed whose rows are numbered after `seq_base`.
    pub fn feed(&self, seq_base: i64) -> StageFeed {
        StageFeed {
            sender: self.sender.clone(),
            chunk: new_chunk(),
            rows_in_chunk: 0,
            seq: seq_base,
            document: Vec::new(),
            payments_without_debtor: Arc::clone(&self.payments_without_debtor),
        }
    }

    /// Ends the COPY once every feed has finished and hands the connection back.
    pub async fn finish(self) -> Result<Staged, sqlx::Error> {
        drop(self.sender);
        let joined = self.task.await;
        let conn = joined.map_err(|e| sqlx::Error::Protocol(format!("the staging task failed: {e}")))??;
        Ok(Staged { conn, payments_without_debtor: self.payments_without_debtor.load(Ordering::Relaxed) })
    }
}

fn new_chunk() -> String {
    String::with_capacity(ROWS_PER_CHUNK * 400)
}

impl StageFeed {
    pub async fn push(&mut self, row: StagedRow) -> Result<(), sqlx::Error> {
        self.seq += 1;
        let invoice_number = match &row.document {
            StagedDocument::Invoice(invoice) => invoice.invoice_number.as_str(),
            StagedDocument::Payment(payment) => {
                let named = payment.reference_invoice.as_ref().map_or("", |n| n.as_str());
                if row.debtor_code.is_empty() && !named.is_empty() {
                    self.payments_without_debtor.store(true, Ordering::Relaxed);
                }
                named
            }
            StagedDocument::OpenAmount { invoice_number, .. } => invoice_number.as_str(),
            StagedDocument::Debtor(_) => "",
        };
        self.document.clear();
        row.document.encode_into(&mut self.document).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        let mut number = itoa::Buffer::new();
        let chunk = &mut self.chunk;
        chunk.push_str(number.format(self.seq));
        chunk.push('\t');
        chunk.push_str(number.format(row.document.order()));
        chunk.push('\t');
        for field in [within_administration(&row.key), &row.debtor_code] {
            escape_into(chunk, field);
            chunk.push('\t');
        }
        chunk.push_str(number.format(row.precedence));
        chunk.push('\t');
        for field in [&row.content_hash, invoice_number] {
            escape_into(chunk, field);
            chunk.push('\t');
        }
        push_bytea(chunk, &self.document);
        chunk.push('\n');
        self.rows_in_chunk += 1;
        if self.rows_in_chunk == ROWS_PER_CHUNK {
            self.flush().await;
        }
        Ok(())
    }

    async fn flush(&mut self) {
        let chunk = std::mem::replace(&mut self.chunk, new_chunk());
        self.rows_in_chunk = 0;
        // If the COPY task ended early, its own error is what `Stager::finish` reports.
        let _ = self.sender.send(chunk).await;
    }

    /// Sends what is left.
    pub async fn finish(mut self) {
        if self.rows_in_chunk > 0 {
            self.flush().await;
        }
    }
}

/// Copies the chunks as they come, in statements of at most `STATEMENT_SPAN`; between statements
/// the connection waits for the next chunk outside any transaction.
async fn copy_chunks(
    mut conn: PgConnection,
    mut receiver: mpsc::Receiver<String>,
) -> Result<PgConnection, sqlx::Error> {
    while let Some(first) = receiver.recv().await {
        let deadline = Instant::now() + STATEMENT_SPAN;
        let mut copy = conn.copy_in_raw(COPY_STAGE).await?;
        copy.send(first.as_bytes()).await?;
        let more = loop {
            // `timeout_at` polls the channel first: under a steady flow it would never time out.
            if Instant::now() >= deadline {
                break true;
            }
            match timeout_at(deadline, receiver.recv()).await {
                Ok(Some(chunk)) => copy.send(chunk.as_bytes()).await?,
                Ok(None) => break false,
                Err(_) => break true,
            };
        };
        copy.finish().await?;
        if !more {
            break;
        }
    }
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use sqlx::PgPool;

    use super::*;
    use crate::domain::debtor_account::PaymentDocument;
    use crate::domain::{Cents, InvoiceNumber, PaymentRef};
    use crate::events::debtor_account::PaymentSource;
    use crate::import::map::StagedRow;

    fn open_amount(n: usize) -> StagedRow {
        let invoice_number = InvoiceNumber::new(format!("F{n}")).unwrap();
        StagedRow {
            key: format!("adm|e-boekhouden|open-amount|F{n}"),
            debtor_code: "D1".to_owned(),
            precedence: 1,
            content_hash: n.to_string(),
            document: StagedDocument::OpenAmount { invoice_number, books_open: Cents::new(100) },
        }
    }

    #[sqlx::test(migrator = "crate::MIGRATOR")]
    async fn a_slow_read_holds_no_transaction_between_chunks_and_loses_no_row(pool: PgPool) {
        let mut conn = pool.acquire().await.unwrap().detach();
        let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()").fetch_one(&mut conn).await.unwrap();
        let stager = Stager::start(conn).await.unwrap();
        let mut feed = stager.feed(0);
        for n in 0..ROWS_PER_CHUNK {
            feed.push(open_amount(n)).await.unwrap();
        }
        // The books are slow to send the rest: the COPY that took the first chunk has ended, and
        // with it the transaction that would hold every projection runner back.
        tokio::time::sleep(STATEMENT_SPAN * 3).await;
        let holding: Option<bool> =
            sqlx::query_scalar("SELECT backend_xid IS NOT NULL FROM pg_stat_activity WHERE pid = $1")
                .bind(pid)
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!(holding, Some(false));
        for n in ROWS_PER_CHUNK..2 * ROWS_PER_CHUNK + 5 {
            feed.push(open_amount(n)).await.unwrap();
        }
        feed.finish().await;
        let mut conn = stager.finish().await.unwrap().conn;
        let (rows, distinct): (i64, i64) = sqlx::query_as("SELECT count(*), count(DISTINCT seq) FROM import_stage")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        let expected = i64::try_from(2 * ROWS_PER_CHUNK + 5).unwrap();
        assert_eq!((rows, distinct), (expected, expected));
    }

    fn payment(reference: &str, debtor_code: &str, invoice: Option<&str>) -> StagedRow {
        let document = PaymentDocument {
            payment_ref: PaymentRef::new(reference).unwrap(),
            value_date: chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            amount: Cents::new(100),
            reference_invoice: invoice.map(|n| InvoiceNumber::new(n).unwrap()),
            source: PaymentSource::InvoicePayment,
        };
        StagedRow {
            key: format!("adm|e-boekhouden|payment|{reference}"),
            debtor_code: debtor_code.to_owned(),
            precedence: 0,
            content_hash: document.content_hash(),
            document: StagedDocument::Payment(document),
        }
    }

    /// The diff looks for debtors only when some payment names an invoice and no relation; the
    /// stage keeps keys without the administration.
    #[sqlx::test(migrator = "crate::MIGRATOR")]
    async fn the_stage_tells_whether_a_payment_needs_its_debtor_found(pool: PgPool) {
        let cases = [
            (vec![payment("P1", "D1", Some("F1")), payment("P2", "", None), open_amount(1)], false),
            (vec![payment("P1", "D1", Some("F1")), payment("P3", "", Some("F1"))], true),
        ];
        for (rows, expected) in cases {
            let stager = Stager::start(pool.acquire().await.unwrap().detach()).await.unwrap();
            let mut feed = stager.feed(0);
            for row in rows {
                feed.push(row).await.unwrap();
            }
            feed.finish().await;
            let mut staged = stager.finish().await.unwrap();
            assert_eq!(staged.payments_without_debtor, expected);
            let key: String = sqlx::query_scalar("SELECT key FROM import_stage ORDER BY seq LIMIT 1")
                .fetch_one(&mut staged.conn)
                .await
                .unwrap();
            assert_eq!(key, "e-boekhouden|payment|P1");
        }
    }
}
