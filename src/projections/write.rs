//! Set-based incremental writes of read-model rows. A batch of rows travels as one JSON array
//! parameter and is expanded by `json_populate_recordset` against the table's own row type, so
//! every write is one statement and one round trip, whatever the number of rows (never a round trip
//! per event or row). Bulk loads of a rebuild use COPY instead (`copy`).

use std::collections::HashMap;
use std::hash::Hash;

use serde::de::DeserializeOwned;
use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

use super::ProjectionError;
use crate::store::StoredEvent;

/// A row type of one read-model table. Field names are column names.
pub trait TableRow: Serialize {
    const TABLE: &'static str;
    const COLUMNS: &'static [&'static str];
    /// The primary key (also the conflict target of upserts).
    const KEY: &'static [&'static str];
}

/// The physical table of a build: `invoice_list` of generation 3 is `invoice_list_v3`.
pub fn table_of(table: &str, generation: i32) -> String {
    format!("{table}_v{generation}")
}

fn insert_select<R: TableRow>(generation: i32) -> String {
    let table = table_of(R::TABLE, generation);
    let columns = R::COLUMNS.join(", ");
    format!("INSERT INTO {table} ({columns}) SELECT {columns} FROM json_populate_recordset(NULL::{table}, $1::json)")
}

/// The stored rows of `R` whose uuid column `column` is one of `ids`, in one round trip: what an
/// incremental fold starts from.
pub async fn stored_rows<R: TableRow + DeserializeOwned>(
    conn: &mut PgConnection,
    generation: i32,
    column: &str,
    ids: &[Uuid],
) -> Result<Vec<R>, ProjectionError> {
    let sql = format!(
        "SELECT coalesce(json_agg(t), '[]')::text FROM {} t WHERE {column} = ANY($1)",
        table_of(R::TABLE, generation)
    );
    let stored: String = sqlx::query_scalar(&sql).bind(ids).fetch_one(conn).await?;
    serde_json::from_str(&stored).map_err(|e| ProjectionError::Corrupt(format!("{}: {e}", R::TABLE)))
}

/// One incremental batch of a projection whose rows are found by a uuid column: loads the rows the
/// batch's events touch (`ids`), folds every event into them with `fold_into`, writes them back.
pub async fn refold<K, R>(
    conn: &mut PgConnection,
    generation: i32,
    column: &str,
    ids: &[Uuid],
    key_of: impl Fn(&R) -> K,
    events: &[StoredEvent],
    fold_into: impl Fn(&mut HashMap<K, R>, &StoredEvent) -> Result<(), ProjectionError>,
) -> Result<(), ProjectionError>
where
    K: Eq + Hash,
    R: TableRow + DeserializeOwned,
{
    if ids.is_empty() {
        return Ok(());
    }
    let stored: Vec<R> = stored_rows(conn, generation, column, ids).await?;
    let mut rows: HashMap<K, R> = stored.into_iter().map(|row| (key_of(&row), row)).collect();
    for event in events {
        fold_into(&mut rows, event)?;
    }
    upsert(conn, generation, &rows.into_values().collect::<Vec<_>>()).await
}

/// Inserts or replaces `rows` by primary key.
pub async fn upsert<R: TableRow>(conn: &mut PgConnection, generation: i32, rows: &[R]) -> Result<(), ProjectionError> {
    if rows.is_empty() {
        return Ok(());
    }
    let set: Vec<String> =
        R::COLUMNS.iter().filter(|c| !R::KEY.contains(c)).map(|c| format!("{c} = EXCLUDED.{c}")).collect();
    let sql = format!(
        "{} ON CONFLICT ({}) DO UPDATE SET {}",
        insert_select::<R>(generation),
        R::KEY.join(", "),
        set.join(", ")
    );
    sqlx::query(&sql).bind(serde_json::to_string(rows)?).execute(conn).await?;
    Ok(())
}

/// Adds the `sums` columns of `rows` to the stored rows with the same key (inserting missing ones),
/// then deletes the rows whose sums all came to zero, so an incremental build holds exactly the
/// rows a rebuild writes.
pub async fn add<R: TableRow>(
    conn: &mut PgConnection,
    generation: i32,
    sums: &[&str],
    rows: &[R],
) -> Result<(), ProjectionError> {
    if rows.is_empty() {
        return Ok(());
    }
    let table = table_of(R::TABLE, generation);
    let set: Vec<String> = sums.iter().map(|c| format!("{c} = {table}.{c} + EXCLUDED.{c}")).collect();
    let sql = format!(
        "{} ON CONFLICT ({}) DO UPDATE SET {}",
        insert_select::<R>(generation),
        R::KEY.join(", "),
        set.join(", ")
    );
    let json = serde_json::to_string(rows)?;
    sqlx::query(&sql).bind(&json).execute(&mut *conn).await?;
    let same_key: Vec<String> = R::KEY.iter().map(|k| format!("t.{k} = d.{k}")).collect();
    let zero: Vec<String> = sums.iter().map(|c| format!("t.{c} = 0")).collect();
    let delete = format!(
        "DELETE FROM {table} t USING json_populate_recordset(NULL::{table}, $1::json) d WHERE {} AND {}",
        same_key.join(" AND "),
        zero.join(" AND ")
    );
    sqlx::query(&delete).bind(&json).execute(conn).await?;
    Ok(())
}
