//! Deciding the changed documents, debtor by debtor, with the same pure `decide` a single command
//! uses, and writing the events with their `import_document` rows in one transaction per batch.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::diff::ChangedRow;
use super::map::StagedDocument;
use super::ImportError;
use crate::domain::debtor_account::{decide, DebtorAccount, DebtorAccountCommand as C, DocumentKey};
use crate::domain::AdministrationId;
use crate::events::administration::{ImportCounts, ImportIssue, IssueSeverity};
use crate::events::debtor_account::DebtorAccountEvent as E;
use crate::events::Metadata;
use crate::store::{self, PendingAppend, MAX_BATCH_EVENTS};

/// Link ids of automatic links derive from this namespace and the document key, so that deciding
/// the same document again (a rerun after a crash) makes the same ids.
const LINK_NAMESPACE: Uuid = Uuid::from_u128(0x6f1d_3b7a_52c4_4e0b_9a51_c8d2_77e4_1a05);

/// What one import accumulates while it writes.
#[derive(Debug)]
pub struct Outcome<'a> {
    pub administration: &'a AdministrationId,
    pub metadata: &'a Metadata,
    pub today: NaiveDate,
    pub counts: ImportCounts,
    pub issues: Vec<ImportIssue>,
}

/// A debtor's decided events and the documents they came from.
struct Decided {
    aggregate_id: String,
    after_sequence: u64,
    events: Vec<E>,
    documents: Vec<(String, String, i16)>,
}

impl Decided {
    fn clone_header(&self) -> Decided {
        Decided {
            aggregate_id: self.aggregate_id.clone(),
            after_sequence: self.after_sequence,
            events: vec![],
            documents: vec![],
        }
    }
}

/// Decides and writes one page of changed rows; returns the debtor codes another writer got to
/// first, which the caller loads again and retries.
pub async fn apply_page(
    conn: &mut PgConnection,
    rows: Vec<ChangedRow>,
    outcome: &mut Outcome<'_>,
) -> Result<Vec<String>, ImportError> {
    let mut by_debtor: Vec<(String, Vec<ChangedRow>)> = Vec::new();
    for row in rows {
        match by_debtor.last_mut() {
            Some((code, rows)) if *code == row.debtor_code => rows.push(row),
            _ => by_debtor.push((row.debtor_code.clone(), vec![row])),
        }
    }
    let ids: Vec<String> = by_debtor.iter().map(|(code, _)| aggregate_id(outcome.administration, code)).collect();
    let mut loaded = store::load_many::<DebtorAccount>(&mut *conn, &ids).await?;
    let mut batch: Vec<Decided> = Vec::new();
    let mut batch_events = 0;
    let mut retry = Vec::new();
    for ((_, rows), id) in by_debtor.into_iter().zip(ids) {
        let entry = loaded.remove(&id).unwrap_or_default();
        let mut decided = decide_debtor(id, entry.state, entry.last_sequence, rows, outcome);
        // A debtor with more events than a batch holds goes ahead in batches of its own; its
        // documents are recorded with its last part (a rerun in between finds the events and adds none).
        while decided.events.len() > MAX_BATCH_EVENTS {
            let rest = decided.events.split_off(MAX_BATCH_EVENTS);
            let head = Decided {
                events: std::mem::replace(&mut decided.events, rest),
                documents: vec![],
                ..decided.clone_header()
            };
            decided.after_sequence += u64::try_from(MAX_BATCH_EVENTS).unwrap_or(u64::MAX);
            retry.extend(write(conn, vec![head], outcome).await?);
        }
        if batch_events + decided.events.len() > MAX_BATCH_EVENTS {
            retry.extend(write(conn, std::mem::take(&mut batch), outcome).await?);
            batch_events = 0;
        }
        batch_events += decided.events.len();
        batch.push(decided);
    }
    retry.extend(write(conn, batch, outcome).await?);
    Ok(retry)
}

fn aggregate_id(administration: &AdministrationId, code: &str) -> String {
    format!("{administration}:{code}")
}

fn decide_debtor(
    aggregate_id: String,
    mut state: DebtorAccount,
    after_sequence: u64,
    rows: Vec<ChangedRow>,
    outcome: &mut Outcome<'_>,
) -> Decided {
    let mut decided = Decided { aggregate_id, after_sequence, events: Vec::new(), documents: Vec::new() };
    for row in rows {
        let command = match command(&row, outcome.today) {
            Ok(command) => command,
            Err(message) => {
                outcome.issues.push(problem(IssueSeverity::Error, &row.key, message));
                outcome.counts.errors += 1;
                continue;
            }
        };
        match decide(&state, command) {
            Ok(events) => {
                for event in events {
                    count(&mut outcome.counts, &event);
                    state.apply(event.clone());
                    decided.events.push(event);
                }
                decided.documents.push((row.key, row.content_hash, row.precedence));
            }
            Err(error) => {
                outcome.issues.push(problem(IssueSeverity::Warning, &row.key, error.to_string()));
                outcome.counts.warnings += 1;
            }
        }
    }
    decided
}

fn command(row: &ChangedRow, today: NaiveDate) -> Result<C, String> {
    let document: StagedDocument =
        serde_json::from_str(&row.document).map_err(|e| format!("staged document unreadable: {e}"))?;
    let key = || DocumentKey::parse(&row.key).map_err(|e| e.to_string());
    let link_id_seed = Uuid::new_v5(&LINK_NAMESPACE, row.key.as_bytes());
    Ok(match document {
        StagedDocument::Debtor(debtor) => C::ImportDebtor { key: key()?, debtor },
        StagedDocument::Invoice(invoice) => C::ImportInvoice { key: key()?, invoice, link_id_seed },
        StagedDocument::Payment(payment) => C::ReceivePayment { key: key()?, payment, today, link_id_seed },
        StagedDocument::OpenAmount { invoice_number, books_open } => {
            C::ReconcileOpenAmount { invoice_number, books_open }
        }
    })
}

fn problem(severity: IssueSeverity, key: &str, message: String) -> ImportIssue {
    // `acme|e-boekhouden|invoice|F1` reads better as `invoice F1` in the import log.
    let document = key.splitn(4, '|').skip(2).collect::<Vec<_>>().join(" ");
    ImportIssue { severity, document, message }
}

fn count(counts: &mut ImportCounts, event: &E) {
    let counter = match event {
        E::DebtorImported { .. } => &mut counts.debtors_added,
        E::DebtorUpdated { .. } => &mut counts.debtors_updated,
        E::InvoiceImported { .. } => &mut counts.invoices_added,
        E::InvoiceCorrected { .. } => &mut counts.invoices_updated,
        E::CreditNoteImported { .. } => &mut counts.credit_notes_added,
        E::PaymentReceived { .. } => &mut counts.payments_added,
        E::PaymentLinked { .. } => &mut counts.payments_linked,
        E::OpenAmountAdjusted { .. } => &mut counts.open_amounts_adjusted,
        _ => return,
    };
    *counter += 1;
}

/// One transaction: the events (bulk path) and, for every aggregate written, its documents.
async fn write(
    conn: &mut PgConnection,
    batch: Vec<Decided>,
    outcome: &mut Outcome<'_>,
) -> Result<Vec<String>, ImportError> {
    if batch.is_empty() {
        return Ok(vec![]);
    }
    let now = Utc::now();
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    let mut appends: Vec<PendingAppend<DebtorAccount>> = Vec::new();
    let mut documents: HashMap<String, Vec<(String, String, i16)>> = HashMap::new();
    for decided in batch {
        documents.insert(decided.aggregate_id.clone(), decided.documents);
        appends.push(PendingAppend {
            aggregate_id: decided.aggregate_id,
            after_sequence: decided.after_sequence,
            events: decided.events,
            metadata: outcome.metadata.caused(now),
        });
    }
    let report = store::append_in(&mut tx, &appends).await?;
    outcome.counts.events_written += report.events_written;
    let conflicted: Vec<String> = report.conflicts.iter().map(|c| c.aggregate_id.clone()).collect();
    let (mut keys, mut hashes, mut precedences, mut aggregates) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (aggregate, docs) in documents.into_iter().filter(|(a, _)| !conflicted.contains(a)) {
        for (key, hash, precedence) in docs {
            keys.push(key);
            hashes.push(hash);
            precedences.push(precedence);
            aggregates.push(aggregate.clone());
        }
    }
    sqlx::query(
        "INSERT INTO import_document (key, administration, content_hash, source, aggregate_id) \
         SELECT k, $1, h, s, a FROM UNNEST($2::text[], $3::text[], $4::int2[], $5::text[]) AS u(k, h, s, a) \
         ON CONFLICT (key) DO UPDATE SET content_hash = EXCLUDED.content_hash, source = EXCLUDED.source, \
           aggregate_id = EXCLUDED.aggregate_id, imported_at = now()",
    )
    .bind(outcome.administration.as_str())
    .bind(&keys)
    .bind(&hashes)
    .bind(&precedences)
    .bind(&aggregates)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    let prefix = format!("{}:", outcome.administration);
    Ok(conflicted.iter().map(|id| id.strip_prefix(&prefix).unwrap_or(id).to_owned()).collect())
}
