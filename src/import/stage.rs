//! Staging: mapped documents go through bounded channels into `COPY … FROM STDIN` on the import's
//! own connections, into a temporary table on each (the stage's parts), so parsing runs on one core
//! while PostgreSQL ingests on the other, and nothing the size of the administration is held in
//! memory. The tables die with the import's own connections, so a killed import leaves nothing
//! behind.
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

use super::map::{StagedDocument, StagedRow};
use crate::domain::debtor_account::LocalDocumentKey;
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

/// The parts an import's stage is split into, each on a connection of its own: the diff sorts
/// them at once, on as many backends.
pub const STAGE_PARTS: usize = 2;

/// The COPY tasks, one for each part of the stage, and their channels; `feed`s send them rows,
/// `finish` returns the connections when every feed has finished.
#[derive(Debug)]
pub struct Stager {
    senders: Vec<mpsc::Sender<String>>,
    tasks: Vec<JoinHandle<Result<PgConnection, sqlx::Error>>>,
    payments_without_debtor: Arc<AtomicBool>,
}

/// The stage's connections, one for each part, and what the diff may skip.
#[derive(Debug)]
pub struct Staged {
    pub conns: Vec<PgConnection>,
    /// Whether a payment naming an invoice but no relation was staged: only then has the diff a
    /// debtor to look for (a scan of the whole stage).
    pub payments_without_debtor: bool,
}

/// The part of a stage of `parts` parts (1 or 2) a row goes to: by the last character of the
/// invoice it names, else of its key. The rows of one document (their key ends in its number),
/// and a payment with the invoice it pays, are in one part, so each part is diffed on its own
/// connection, both at once. `diff` computes the same from a stored key in SQL: `ascii` of the
/// last character, whose parity is that of its last byte in UTF-8.
pub fn part_of(invoice_number: &str, key: &str, parts: usize) -> usize {
    let named = if invoice_number.is_empty() { key } else { invoice_number };
    named.as_bytes().last().map_or(0, |&byte| usize::from(byte) % parts)
}

/// One reader's rows, numbered from its own base so that readers running side by side stage the
/// same `seq` order as one after the other (the diff breaks ties by `seq`).
#[derive(Debug)]
pub struct StageFeed {
    senders: Vec<mpsc::Sender<String>>,
    /// The chunk being filled for each part, and its rows.
    chunks: Vec<(String, usize)>,
    seq: i64,
    /// The row being staged's document, encoded (reused from row to row).
    document: Vec<u8>,
    payments_without_debtor: Arc<AtomicBool>,
}

impl Stager {
    /// Starts `COPY` into a fresh `import_stage` on each of `conns` (one part each; 1 or 2).
    pub async fn start(conns: Vec<PgConnection>) -> Result<Stager, sqlx::Error> {
        let (mut senders, mut tasks) = (Vec::new(), Vec::new());
        for mut conn in conns {
            sqlx::query(CREATE_STAGE).execute(&mut conn).await?;
            sqlx::query("TRUNCATE import_stage").execute(&mut conn).await?;
            let (sender, receiver) = mpsc::channel::<String>(CHUNKS_IN_FLIGHT);
            senders.push(sender);
            tasks.push(tokio::spawn(copy_chunks(conn, receiver)));
        }
        Ok(Stager { senders, tasks, payments_without_debtor: Arc::default() })
    }

    /// A feed whose rows are numbered after `seq_base`.
    pub fn feed(&self, seq_base: i64) -> StageFeed {
        StageFeed {
            senders: self.senders.clone(),
            chunks: self.senders.iter().map(|_| (new_chunk(), 0)).collect(),
            seq: seq_base,
            document: Vec::new(),
            payments_without_debtor: Arc::clone(&self.payments_without_debtor),
        }
    }

    /// Ends the COPYs once every feed has finished and hands the connections back.
    pub async fn finish(self) -> Result<Staged, sqlx::Error> {
        drop(self.senders);
        let mut conns = Vec::new();
        for task in self.tasks {
            let joined = task.await;
            conns.push(joined.map_err(|e| sqlx::Error::Protocol(format!("the staging task failed: {e}")))??);
        }
        Ok(Staged { conns, payments_without_debtor: self.payments_without_debtor.load(Ordering::Relaxed) })
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
        let key = LocalDocumentKey::within(&row.key);
        let part = part_of(invoice_number, key, self.chunks.len());
        let mut number = itoa::Buffer::new();
        let (chunk, rows) = &mut self.chunks[part];
        chunk.push_str(number.format(self.seq));
        chunk.push('\t');
        chunk.push_str(number.format(row.document.order()));
        chunk.push('\t');
        for field in [key, &row.debtor_code] {
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
        *rows += 1;
        if *rows == ROWS_PER_CHUNK {
            self.flush(part).await;
        }
        Ok(())
    }

    async fn flush(&mut self, part: usize) {
        let (chunk, rows) = std::mem::replace(&mut self.chunks[part], (new_chunk(), 0));
        if rows > 0 {
            // If the COPY task ended early, its own error is what `Stager::finish` reports.
            let _ = self.senders[part].send(chunk).await;
        }
    }

    /// Sends what is left.
    pub async fn finish(mut self) {
        for part in 0..self.chunks.len() {
            self.flush(part).await;
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
        let stager = Stager::start(vec![conn]).await.unwrap();
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
        let mut conn = stager.finish().await.unwrap().conns.remove(0);
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
            let stager = Stager::start(vec![pool.acquire().await.unwrap().detach()]).await.unwrap();
            let mut feed = stager.feed(0);
            for row in rows {
                feed.push(row).await.unwrap();
            }
            feed.finish().await;
            let mut staged = stager.finish().await.unwrap();
            assert_eq!(staged.payments_without_debtor, expected);
            let key: String = sqlx::query_scalar("SELECT key FROM import_stage ORDER BY seq LIMIT 1")
                .fetch_one(&mut staged.conns[0])
                .await
                .unwrap();
            assert_eq!(key, "e-boekhouden|payment|P1");
        }
    }
}
