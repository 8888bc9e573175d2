//! Bulk loads with `COPY … FROM STDIN` in text format: the rebuild writes every read-model row this
//! way (the rebuild goal G2: "the projections are written with COPY in bulk").
//!
//! A row type's serde field names are its columns (as for the JSON writes in `write`). Scalar fields
//! become COPY text (numbers, strings, dates, unit enum variants; `None` is `\N`); nested values
//! (maps, lists, structs) become their JSON text, for the `json`/`jsonb` columns that hold them.

mod serializers;

use serde::ser::{self, Serialize};
use sqlx::PgConnection;

use super::write::{table_of, TableRow};
use super::ProjectionError;
use crate::store::copy_text::escape_into;

/// Bytes sent per `CopyData` message: large enough to amortise the calls, small enough that a
/// load of a million rows never holds its whole text in memory.
const CHUNK_BYTES: usize = 1 << 20;

/// Fills the build `generation` of `R`'s table with exactly `rows`; the rows written. For bulk loads
/// into a new build: the table is truncated first, in the caller's transaction, which lets COPY
/// write the rows frozen and all-visible (no hint-bit writes by the first readers, and index-only
/// scans work before the first vacuum).
pub async fn fill<R: TableRow>(conn: &mut PgConnection, generation: i32, rows: &[R]) -> Result<u64, ProjectionError> {
    let table = table_of(R::TABLE, generation);
    sqlx::query(&format!("TRUNCATE {table}")).execute(&mut *conn).await?;
    let Some(first) = rows.first() else { return Ok(0) };
    let mut line = String::new();
    let columns = encode(first, &mut line)?;
    let statement = format!("COPY {table} ({}) FROM STDIN (FORMAT text, FREEZE)", columns.join(", "));
    let mut copy = conn.copy_in_raw(&statement).await?;
    let mut buffer = String::with_capacity(CHUNK_BYTES + 4096);
    for row in rows {
        line.clear();
        encode(row, &mut line)?;
        buffer.push_str(&line);
        if buffer.len() >= CHUNK_BYTES {
            copy.send(buffer.as_bytes()).await?;
            buffer.clear();
        }
    }
    if !buffer.is_empty() {
        copy.send(buffer.as_bytes()).await?;
    }
    Ok(copy.finish().await?)
}

/// Appends `row` as one COPY text line to `out`; returns its column names in order.
pub(crate) fn encode<R: Serialize>(row: &R, out: &mut String) -> Result<Vec<&'static str>, ProjectionError> {
    let mut columns = Vec::new();
    row.serialize(RowWriter { out: &mut *out, columns: &mut columns })?;
    out.push('\n');
    Ok(columns)
}

/// Why a value could not be written as a COPY field.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct CopyError(String);

impl ser::Error for CopyError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        CopyError(msg.to_string())
    }
}

impl From<CopyError> for ProjectionError {
    fn from(error: CopyError) -> Self {
        ProjectionError::Corrupt(format!("a row cannot be copied: {error}"))
    }
}

/// Serializes a struct as one line: its fields, tab-separated.
struct RowWriter<'a> {
    out: &'a mut String,
    columns: &'a mut Vec<&'static str>,
}

impl ser::SerializeStruct for RowWriter<'_> {
    type Ok = ();
    type Error = CopyError;

    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Result<(), CopyError> {
        if !self.columns.is_empty() {
            self.out.push('\t');
        }
        self.columns.push(key);
        let mut scalar = String::new();
        match value.serialize(Scalar { out: &mut scalar }) {
            Ok(()) => self.out.push_str(&scalar),
            // A nested value: its JSON text, escaped like any other text.
            Err(_) => {
                let json = serde_json::to_string(value).map_err(|e| CopyError(e.to_string()))?;
                escape_into(self.out, &json);
            }
        }
        Ok(())
    }

    fn end(self) -> Result<(), CopyError> {
        Ok(())
    }
}

/// Writes one scalar field; refuses nested values.
struct Scalar<'a> {
    out: &'a mut String,
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Serialize;

    use super::encode;

    #[derive(Serialize)]
    enum Kind {
        Open,
    }

    #[derive(Serialize)]
    struct Row {
        name: String,
        amount: i64,
        missing: Option<i64>,
        kind: Kind,
        steps: BTreeMap<String, String>,
        flag: bool,
    }

    #[test]
    fn a_row_is_one_escaped_text_line_with_nested_values_as_json() {
        let row = Row {
            name: "a\\tb\tc\nd".to_owned(),
            amount: -42,
            missing: None,
            kind: Kind::Open,
            steps: BTreeMap::from([("Reminder1".to_owned(), r"2026-01-02\".to_owned())]),
            flag: true,
        };
        let mut out = String::new();
        let columns = encode(&row, &mut out).map_err(|e| e.to_string());
        assert_eq!(columns, Ok(vec!["name", "amount", "missing", "kind", "steps", "flag"]));
        let expected = ["a\\\\tb\\tc\\nd", "-42", "\\N", "Open", r#"{"Reminder1":"2026-01-02\\\\"}"#, "t"];
        assert_eq!(out, expected.join("\t") + "\n");
    }
}
