//! The bulk append path for imports: the events of many aggregates in one transaction, sent with
//! `COPY … FROM STDIN`, each aggregate's sequence checked by the primary key.
//!
//! The common path is one COPY and a commit (COPY ingests faster than `INSERT … SELECT FROM
//! UNNEST`: docs/perf/RESULTS.md, "COPY for the bulk append"; a violated constraint
//! aborts either). When another writer got to
//! an aggregate first (a primary-key violation), or a document key is already stored (the dedup
//! index), the insert is rolled back to a savepoint, the offending aggregates are found set-based
//! and reported, and the rest is written again. `append_in` works inside the caller's transaction,
//! so rows that must commit with the events (the outbox, `import_document`) go in the same one. Nothing is dropped silently: every aggregate is either
//! written whole or reported as a conflict, so the caller can reload it and decide again.

use std::collections::{HashMap, HashSet};

use cqrs_es::{Aggregate, DomainEvent};
use sqlx::{PgConnection, PgPool, Row};
use tracing::{debug, instrument};

use super::copy_text::{self, escape_into};
use super::StoreError;
use crate::events::{DocumentKeyed, Metadata};

/// At most this many events go into one transaction.
pub const MAX_BATCH_EVENTS: usize = 5_000;
/// After this many rolled-back attempts the batch is given up (each attempt removes at least one aggregate).
const MAX_ATTEMPTS: usize = 8;
/// New events for one aggregate whose last stored event has `after_sequence` (0: a new aggregate).
#[derive(Debug)]
pub struct PendingAppend<A: Aggregate> {
    pub aggregate_id: String,
    pub after_sequence: u64,
    pub events: Vec<A::Event>,
    pub metadata: Metadata,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConflictKind {
    /// Another writer appended to the aggregate since it was loaded.
    Sequence { expected: u64, actual: u64 },
    /// A document in these events is already stored (on this or another aggregate).
    DuplicateDocument { document_key: String },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conflict {
    pub aggregate_id: String,
    pub kind: ConflictKind,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BulkReport {
    pub events_written: u64,
    pub aggregates_written: usize,
    pub conflicts: Vec<Conflict>,
}

/// A batch serialized ahead of its transaction, so a writer can spend its time in the database
/// while the next batch is serialized elsewhere.
#[derive(Debug)]
pub struct PreparedBatch {
    aggregate_type: String,
    aggregates: Vec<PreparedAggregate>,
    rows: Vec<PreparedRow>,
    /// Every row's line of COPY text, in order; a row's `line` is its range.
    copy: CopyPieces,
}

/// COPY text held in pieces of the size it is sent in. One `String` for a whole batch grew by
/// doubling to about twice its text, and with five batches in flight that slack was the larger
/// part of the import's heap.
#[derive(Debug, Default)]
struct CopyPieces {
    pieces: Vec<Vec<u8>>,
    len: usize,
}

impl CopyPieces {
    /// Appends `text`, cut wherever a piece is full (COPY does not care where its data is cut).
    fn push(&mut self, mut text: &[u8]) {
        self.len += text.len();
        while !text.is_empty() {
            match self.pieces.last_mut() {
                Some(piece) if piece.len() < SEND_BYTES => {
                    let (head, rest) = text.split_at(text.len().min(SEND_BYTES - piece.len()));
                    piece.extend_from_slice(head);
                    text = rest;
                }
                _ => self.pieces.push(Vec::with_capacity(SEND_BYTES)),
            }
        }
    }

    /// The whole text at once, for the rare retry that leaves some rows out.
    fn joined(&self) -> Vec<u8> {
        self.pieces.concat()
    }
}

#[derive(Debug)]
struct PreparedAggregate {
    aggregate_id: String,
    after_sequence: u64,
    events: usize,
    /// Serialized once for all its events.
    metadata: String,
}

impl PreparedBatch {
    /// Serializes the batch; refuses one larger than `MAX_BATCH_EVENTS`.
    pub fn new<A: Aggregate>(appends: &[PendingAppend<A>]) -> Result<PreparedBatch, StoreError>
    where
        A::Event: DocumentKeyed,
    {
        let total: usize = appends.iter().map(|a| a.events.len()).sum();
        if total > MAX_BATCH_EVENTS {
            return Err(StoreError::BatchTooLarge { events: total, limit: MAX_BATCH_EVENTS });
        }
        let aggregates: Vec<PreparedAggregate> = appends
            .iter()
            .map(|a| {
                Ok(PreparedAggregate {
                    aggregate_id: a.aggregate_id.clone(),
                    after_sequence: a.after_sequence,
                    events: a.events.len(),
                    metadata: serde_json::to_string(&a.metadata.to_map())?,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        let (rows, copy) = serialize(appends, &aggregates)?;
        Ok(PreparedBatch { aggregate_type: A::TYPE.to_owned(), aggregates, rows, copy })
    }
}

/// One event's line of the COPY text (its payload the JSON postgres-es reads back).
#[derive(Debug)]
struct PreparedRow {
    aggregate_index: usize,
    document_key: Option<String>,
    line: std::ops::Range<usize>,
}

/// COPY text handed to the connection at a time.
const SEND_BYTES: usize = 64 * 1024;

const COPY_EVENTS: &str = "COPY events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, \
     metadata, document_key) FROM STDIN WITH (FORMAT text)";

/// Appends the batch in a transaction of its own; see the module docs for how conflicts are reported.
pub async fn append_batch<A: Aggregate>(pool: &PgPool, appends: Vec<PendingAppend<A>>) -> Result<BulkReport, StoreError>
where
    A::Event: DocumentKeyed,
{
    let mut tx = pool.begin().await?;
    let report = append_in(&mut tx, &appends).await?;
    tx.commit().await?;
    Ok(report)
}

/// Appends the batch inside the caller's transaction; the caller commits. Aggregates named in the
/// report's conflicts were not written; all others were, whole.
pub async fn append_in<A: Aggregate>(
    tx: &mut PgConnection,
    appends: &[PendingAppend<A>],
) -> Result<BulkReport, StoreError>
where
    A::Event: DocumentKeyed,
{
    append_prepared(tx, &PreparedBatch::new(appends)?).await
}

/// `append_in` for a batch serialized beforehand.
#[instrument(skip_all, fields(aggregate = batch.aggregate_type, aggregates = batch.aggregates.len()))]
pub async fn append_prepared(tx: &mut PgConnection, batch: &PreparedBatch) -> Result<BulkReport, StoreError> {
    // Wake the projection runners at commit (the events trigger; the store's pools turn it off by
    // default, migration 0046). Before the savepoint, so a retry does not undo it. A bulk
    // transaction is large, so serialising its commit behind the notify lock costs little.
    sqlx::query("SET LOCAL vordering.notify = 'on'").execute(&mut *tx).await?;
    let mut report = BulkReport::default();
    let mut excluded: HashSet<usize> = HashSet::new();
    claim_keys_once(batch, &mut excluded, &mut report);
    for _ in 0..MAX_ATTEMPTS {
        sqlx::query("SAVEPOINT bulk_append").execute(&mut *tx).await?;
        match try_insert(&mut *tx, batch, &excluded).await {
            Ok(written) => {
                sqlx::query("RELEASE SAVEPOINT bulk_append").execute(&mut *tx).await?;
                report.events_written = written;
                report.aggregates_written =
                    batch.aggregates.iter().enumerate().filter(|(i, a)| !excluded.contains(i) && a.events > 0).count();
                return Ok(report);
            }
            Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
                debug!(constraint = error.constraint(), "unique violation; finding the conflicting aggregates");
                sqlx::query("ROLLBACK TO SAVEPOINT bulk_append").execute(&mut *tx).await?;
                let found = diagnose(&mut *tx, batch, &excluded).await?;
                if found.is_empty() {
                    // The other writer's transaction had not committed when we looked; look again.
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                    continue;
                }
                for (index, conflict) in found {
                    excluded.insert(index);
                    report.conflicts.push(conflict);
                }
            }
            Err(other) => return Err(other.into()),
        }
    }
    Err(StoreError::KeptConflicting { attempts: MAX_ATTEMPTS })
}

fn serialize<A: Aggregate>(
    appends: &[PendingAppend<A>],
    aggregates: &[PreparedAggregate],
) -> Result<(Vec<PreparedRow>, CopyPieces), StoreError>
where
    A::Event: DocumentKeyed,
{
    let mut rows = Vec::with_capacity(appends.iter().map(|a| a.events.len()).sum());
    let mut copy = CopyPieces::default();
    let mut line = String::new();
    let mut number = itoa::Buffer::new();
    for (aggregate_index, (append, aggregate)) in appends.iter().zip(aggregates).enumerate() {
        for (offset, event) in append.events.iter().enumerate() {
            let sequence = append.after_sequence + crate::convert::u64_of(offset) + 1;
            i64::try_from(sequence)
                .map_err(|_| StoreError::SequenceOverflow { aggregate_id: append.aggregate_id.clone() })?;
            line.clear();
            let fields = [
                A::TYPE,
                &append.aggregate_id,
                number.format(sequence),
                &event.event_type(),
                &event.event_version(),
                &serde_json::to_string(event)?,
                &aggregate.metadata,
            ];
            for field in fields {
                escape_into(&mut line, field);
                line.push('\t');
            }
            let document_key = event.document_key();
            match document_key {
                Some(key) => escape_into(&mut line, key),
                None => line.push_str(copy_text::NULL),
            }
            line.push('\n');
            let start = copy.len;
            copy.push(line.as_bytes());
            rows.push(PreparedRow {
                aggregate_index,
                document_key: document_key.map(str::to_owned),
                line: start..copy.len,
            });
        }
    }
    Ok((rows, copy))
}

/// Two aggregates of one batch claiming the same document: the first keeps it.
fn claim_keys_once(batch: &PreparedBatch, excluded: &mut HashSet<usize>, report: &mut BulkReport) {
    let mut owner: HashMap<&str, usize> = HashMap::new();
    for row in &batch.rows {
        let Some(key) = row.document_key.as_deref() else { continue };
        let first = *owner.entry(key).or_insert(row.aggregate_index);
        if first != row.aggregate_index && excluded.insert(row.aggregate_index) {
            report.conflicts.push(Conflict {
                aggregate_id: batch.aggregates[row.aggregate_index].aggregate_id.clone(),
                kind: ConflictKind::DuplicateDocument { document_key: key.to_owned() },
            });
        }
    }
}

async fn try_insert(
    tx: &mut PgConnection,
    batch: &PreparedBatch,
    excluded: &HashSet<usize>,
) -> Result<u64, sqlx::Error> {
    if batch.rows.iter().all(|r| excluded.contains(&r.aggregate_index)) {
        return Ok(0);
    }
    let included;
    let text = if excluded.is_empty() {
        &batch.copy
    } else {
        let whole = batch.copy.joined();
        included = batch.rows.iter().filter(|r| !excluded.contains(&r.aggregate_index)).fold(
            CopyPieces::default(),
            |mut kept, row| {
                kept.push(&whole[row.line.clone()]);
                kept
            },
        );
        &included
    };
    let mut copy = tx.copy_in_raw(COPY_EVENTS).await?;
    // In pieces: the connection copies what it sends into its buffer, which keeps its largest size.
    for piece in &text.pieces {
        copy.send(piece.as_slice()).await?;
    }
    copy.finish().await
}

/// Finds, set-based, the aggregates whose sequence moved on and those whose documents are stored.
async fn diagnose(
    tx: &mut PgConnection,
    batch: &PreparedBatch,
    excluded: &HashSet<usize>,
) -> Result<Vec<(usize, Conflict)>, StoreError> {
    let appends = &batch.aggregates;
    let rows = &batch.rows;
    let candidates: Vec<usize> =
        (0..appends.len()).filter(|i| !excluded.contains(i) && appends[*i].events > 0).collect();
    let ids: Vec<&str> = candidates.iter().map(|&i| appends[i].aggregate_id.as_str()).collect();
    let stored: HashMap<String, i64> = sqlx::query(
        "SELECT aggregate_id, max(sequence) AS last FROM events WHERE aggregate_type = $1 AND aggregate_id = ANY($2) GROUP BY aggregate_id",
    )
    .bind(&batch.aggregate_type)
    .bind(&ids)
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|row| Ok((row.try_get("aggregate_id")?, row.try_get("last")?)))
    .collect::<Result<_, sqlx::Error>>()?;
    let mut found = Vec::new();
    for &index in &candidates {
        let append = &appends[index];
        let actual = stored.get(&append.aggregate_id).map_or(0, |&last| super::stored_sequence(last));
        if actual != append.after_sequence {
            let kind = ConflictKind::Sequence { expected: append.after_sequence, actual };
            found.push((index, Conflict { aggregate_id: append.aggregate_id.clone(), kind }));
        }
    }
    let candidate_set: HashSet<usize> = candidates.iter().copied().collect();
    let keys: Vec<&str> = rows
        .iter()
        .filter(|r| candidate_set.contains(&r.aggregate_index))
        .filter_map(|r| r.document_key.as_deref())
        .collect();
    let taken: HashSet<String> = sqlx::query_scalar("SELECT document_key FROM events WHERE document_key = ANY($1)")
        .bind(&keys)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .collect();
    for row in rows.iter().filter(|r| r.document_key.as_ref().is_some_and(|k| taken.contains(k))) {
        if found.iter().any(|(i, _)| *i == row.aggregate_index) {
            continue;
        }
        let document_key = row.document_key.clone().unwrap_or_default();
        let append = &appends[row.aggregate_index];
        found.push((
            row.aggregate_index,
            Conflict {
                aggregate_id: append.aggregate_id.clone(),
                kind: ConflictKind::DuplicateDocument { document_key },
            },
        ));
    }
    Ok(found)
}
