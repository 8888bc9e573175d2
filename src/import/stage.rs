//! Staging: mapped documents go through a bounded channel into `COPY … FROM STDIN` on the import's
//! own connection, into a temporary table, so parsing runs on one core while PostgreSQL ingests on
//! the other, and nothing the size of the administration is held in memory. The table dies with the
//! import's own connection, so a killed import leaves nothing behind.

use sqlx::PgConnection;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::map::{StagedDocument, StagedRow};

/// Rows per COPY chunk, and chunks in flight: the bound on what parsing may run ahead.
const ROWS_PER_CHUNK: usize = 1_000;
const CHUNKS_IN_FLIGHT: usize = 4;

pub const CREATE_STAGE: &str = "CREATE TEMP TABLE IF NOT EXISTS import_stage (\
     seq bigint NOT NULL, kind smallint NOT NULL, key text NOT NULL, debtor_code text NOT NULL, \
     precedence smallint NOT NULL, content_hash text NOT NULL, invoice_number text NOT NULL, document text NOT NULL)";

/// Feeds rows to the COPY task; `finish` returns the connection when everything is in.
#[derive(Debug)]
pub struct Stager {
    sender: mpsc::Sender<String>,
    chunk: String,
    rows_in_chunk: usize,
    seq: i64,
    task: JoinHandle<Result<PgConnection, sqlx::Error>>,
}

impl Stager {
    /// Starts `COPY` into a fresh `import_stage` on `conn`.
    pub async fn start(mut conn: PgConnection) -> Result<Stager, sqlx::Error> {
        sqlx::query(CREATE_STAGE).execute(&mut conn).await?;
        sqlx::query("TRUNCATE import_stage").execute(&mut conn).await?;
        let (sender, mut receiver) = mpsc::channel::<String>(CHUNKS_IN_FLIGHT);
        let task = tokio::spawn(async move {
            let mut copy = conn
                .copy_in_raw(
                    "COPY import_stage (seq, kind, key, debtor_code, precedence, content_hash, invoice_number, document) \
                     FROM STDIN WITH (FORMAT text)",
                )
                .await?;
            while let Some(chunk) = receiver.recv().await {
                copy.send(chunk.as_bytes()).await?;
            }
            copy.finish().await?;
            Ok(conn)
        });
        Ok(Stager { sender, chunk: String::with_capacity(ROWS_PER_CHUNK * 400), rows_in_chunk: 0, seq: 0, task })
    }

    pub async fn push(&mut self, row: StagedRow) -> Result<(), sqlx::Error> {
        self.seq += 1;
        let invoice_number = match &row.document {
            StagedDocument::Invoice(invoice) => invoice.invoice_number.as_str(),
            StagedDocument::Payment(payment) => payment.reference_invoice.as_ref().map_or("", |n| n.as_str()),
            StagedDocument::OpenAmount { invoice_number, .. } => invoice_number.as_str(),
            StagedDocument::Debtor(_) => "",
        };
        let document = serde_json::to_string(&row.document).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        let fields = [
            &self.seq.to_string(),
            &row.document.order().to_string(),
            &row.key,
            &row.debtor_code,
            &row.precedence.to_string(),
            &row.content_hash,
            invoice_number,
            &document,
        ];
        for (i, field) in fields.iter().enumerate() {
            if i > 0 {
                self.chunk.push('\t');
            }
            escape_into(&mut self.chunk, field);
        }
        self.chunk.push('\n');
        self.rows_in_chunk += 1;
        if self.rows_in_chunk == ROWS_PER_CHUNK {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), sqlx::Error> {
        let chunk = std::mem::replace(&mut self.chunk, String::with_capacity(ROWS_PER_CHUNK * 400));
        self.rows_in_chunk = 0;
        if self.sender.send(chunk).await.is_err() {
            // The COPY task ended early; its own error is what `finish` reports.
            return Ok(());
        }
        Ok(())
    }

    /// Sends what is left, ends the COPY and hands the connection back.
    pub async fn finish(mut self) -> Result<PgConnection, sqlx::Error> {
        if self.rows_in_chunk > 0 {
            self.flush().await?;
        }
        drop(self.sender);
        self.task.await.map_err(|e| sqlx::Error::Protocol(format!("the staging task failed: {e}")))?
    }
}

/// COPY's text format: backslash, tab, newline and carriage return are escaped.
fn escape_into(out: &mut String, field: &str) {
    for c in field.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            other => out.push(other),
        }
    }
}
