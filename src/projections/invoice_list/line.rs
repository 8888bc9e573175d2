//! The dashboard's line of one invoice, stored beside the typed columns as one `bytea` value: a
//! page of 50 invoices is then 50 values to send and decode instead of 650 (the dashboard latency goal, G4). The typed
//! columns stay for filtering, sorting and SQL; readers that show invoices read the line.
//!
//! Layout (little-endian), format 1:
//!
//! | bytes       | field                                                                     |
//! |-------------|---------------------------------------------------------------------------|
//! | 1           | format (1)                                                                |
//! | 4 × i32     | invoice date, due date, prescribes on, settled on: days from 0001-01-01 (CE), `i32::MIN` for none |
//! | 5 × i64     | amount, open, paid, credited, adjusted, in cents                         |
//! | 4 × (u32, …)| stage, debtor code, invoice number, steps as JSON (empty for none): length, then UTF-8 |

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};

use super::InvoiceRow;
use crate::domain::Cents;
use crate::projections::receivables::Stage;
use crate::projections::ProjectionError;

const FORMAT: u8 = 1;
const NONE: i32 = i32::MIN;

/// An encoded line. In JSON and COPY text it is bytea's hex form (`\x…`), so the row travels
/// through `json_populate_recordset` and COPY like any other column.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Line(Vec<u8>);

/// A decoded line; the strings borrow from the fetched value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineFields<'a> {
    pub debtor_code: &'a str,
    pub invoice_number: &'a str,
    pub invoice_date: NaiveDate,
    pub due_date: NaiveDate,
    pub amount: Cents,
    pub open: Cents,
    pub paid: Cents,
    pub credited: Cents,
    pub adjusted: Cents,
    pub stage: Stage,
    pub steps: BTreeMap<String, NaiveDate>,
    pub prescribes_on: Option<NaiveDate>,
    pub settled_on: Option<NaiveDate>,
}

impl Line {
    /// The line of `row` (its own `line` field is not read).
    pub fn of(row: &InvoiceRow) -> Line {
        let steps = if row.steps.is_empty() { String::new() } else { json_of(&row.steps) };
        let texts = [row.phase.as_str(), &row.debtor_code, &row.invoice_number, &steps];
        let mut bytes = Vec::with_capacity(1 + 4 * 4 + 5 * 8 + texts.iter().map(|t| 4 + t.len()).sum::<usize>());
        bytes.push(FORMAT);
        for date in [Some(row.invoice_date), Some(row.due_date), row.prescribes_on, row.settled_on] {
            bytes.extend_from_slice(&date.map_or(NONE, |d| d.num_days_from_ce()).to_le_bytes());
        }
        for cents in [row.amount, row.open_amount, row.paid, row.credited, row.adjusted] {
            bytes.extend_from_slice(&cents.get().to_le_bytes());
        }
        for text in texts {
            // A phase's name, two ids of at most 50 characters and a handful of dated steps.
            let length = u32::try_from(text.len()).expect("a line's texts are short");
            bytes.extend_from_slice(&length.to_le_bytes());
            bytes.extend_from_slice(text.as_bytes());
        }
        Line(bytes)
    }
}

fn json_of(steps: &BTreeMap<String, NaiveDate>) -> String {
    serde_json::to_string(steps).expect("a map of texts to dates is JSON")
}

/// Reads a stored line.
pub fn decode(bytes: &[u8]) -> Result<LineFields<'_>, ProjectionError> {
    let mut reader = Reader { rest: bytes };
    let format = reader.take::<1>()?[0];
    if format != FORMAT {
        return Err(corrupt(format!("format {format}")));
    }
    let [invoice_date, due_date, prescribes_on, settled_on] = [(); 4].map(|()| reader.date());
    let [amount, open, paid, credited, adjusted] = [(); 5].map(|()| reader.cents());
    let stage = reader.text()?;
    let stage = Stage::parse(stage).ok_or_else(|| corrupt(format!("stage `{stage}`")))?;
    let (debtor_code, invoice_number, steps) = (reader.text()?, reader.text()?, reader.text()?);
    if !reader.rest.is_empty() {
        return Err(corrupt(format!("{} bytes after the steps", reader.rest.len())));
    }
    let required = |date: Result<Option<NaiveDate>, ProjectionError>| date?.ok_or_else(|| corrupt("a date is missing"));
    Ok(LineFields {
        debtor_code,
        invoice_number,
        invoice_date: required(invoice_date)?,
        due_date: required(due_date)?,
        amount: amount?,
        open: open?,
        paid: paid?,
        credited: credited?,
        adjusted: adjusted?,
        stage,
        // Most invoices have had no dunning step: no parser for an empty map.
        steps: if steps.is_empty() {
            BTreeMap::new()
        } else {
            serde_json::from_str(steps).map_err(|e| corrupt(format!("steps: {e}")))?
        },
        prescribes_on: prescribes_on?,
        settled_on: settled_on?,
    })
}

fn corrupt(what: impl std::fmt::Display) -> ProjectionError {
    ProjectionError::Corrupt(format!("invoice line: {what}"))
}

struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], ProjectionError> {
        let (head, rest) = self.rest.split_first_chunk::<N>().ok_or_else(|| corrupt("cut short"))?;
        self.rest = rest;
        Ok(*head)
    }

    fn date(&mut self) -> Result<Option<NaiveDate>, ProjectionError> {
        match i32::from_le_bytes(self.take()?) {
            NONE => Ok(None),
            days => NaiveDate::from_num_days_from_ce_opt(days).map(Some).ok_or_else(|| corrupt(format!("day {days}"))),
        }
    }

    fn cents(&mut self) -> Result<Cents, ProjectionError> {
        Ok(Cents::new(i64::from_le_bytes(self.take()?)))
    }

    fn text(&mut self) -> Result<&'a str, ProjectionError> {
        let len = usize::try_from(u32::from_le_bytes(self.take()?)).map_err(|_| corrupt("a length"))?;
        if len > self.rest.len() {
            return Err(corrupt("cut short"));
        }
        let (text, rest) = self.rest.split_at(len);
        self.rest = rest;
        std::str::from_utf8(text).map_err(|_| corrupt("a text is not UTF-8"))
    }
}

impl Serialize for Line {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&format!("\\x{}", hex::encode(&self.0)))
    }
}

impl<'de> Deserialize<'de> for Line {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Line, D::Error> {
        let text = String::deserialize(deserializer)?;
        let hex = text.strip_prefix("\\x").ok_or_else(|| de::Error::custom("a line is bytea's hex form"))?;
        hex::decode(hex).map(Line).map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::projections::copy::encode;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn row(steps: BTreeMap<String, NaiveDate>, settled_on: Option<NaiveDate>) -> InvoiceRow {
        let mut row = InvoiceRow {
            administration: "acme".to_owned(),
            debtor_code: "DEB-ü1".to_owned(),
            aggregate_id: "acme:DEB-ü1".to_owned(),
            invoice_number: "F\t2026/0001".to_owned(),
            invoice_date: date(2026, 1, 2),
            due_date: date(2026, 2, 1),
            amount: Cents::new(12_100),
            open_amount: Cents::new(-1),
            paid: Cents::new(i64::MAX),
            credited: Cents::new(i64::MIN),
            adjusted: Cents::new(7),
            phase: Stage::FourteenDayLetter,
            steps,
            prescribes_on: Some(date(2031, 2, 1)),
            settled_on,
            line: Line::default(),
        };
        row.line = Line::of(&row);
        row
    }

    #[test]
    fn a_line_reads_back_as_the_row_it_was_made_of() {
        let steps =
            BTreeMap::from([("Reminder1".to_owned(), date(2026, 2, 15)), ("€ \"x\"".to_owned(), date(1, 1, 1))]);
        for (steps, settled_on) in [(BTreeMap::new(), None), (steps, Some(date(9999, 12, 31)))] {
            let row = row(steps, settled_on);
            let fields = decode(&row.line.0).map_err(|e| e.to_string());
            let expected = LineFields {
                debtor_code: "DEB-ü1",
                invoice_number: "F\t2026/0001",
                invoice_date: row.invoice_date,
                due_date: row.due_date,
                amount: row.amount,
                open: row.open_amount,
                paid: row.paid,
                credited: row.credited,
                adjusted: row.adjusted,
                stage: row.phase,
                steps: row.steps.clone(),
                prescribes_on: row.prescribes_on,
                settled_on,
            };
            assert_eq!(fields, Ok(expected));
        }
    }

    #[test]
    fn a_damaged_line_is_reported_not_misread() {
        let line = row(BTreeMap::new(), None).line;
        let bytes = &line.0;
        for cut in [0, 1, 20, bytes.len() - 1] {
            assert!(decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut longer = bytes.to_vec();
        longer.push(0);
        assert!(decode(&longer).is_err());
        let mut other_format = bytes.to_vec();
        other_format[0] = 2;
        assert_eq!(decode(&other_format).map_err(|e| e.to_string()), Err(corrupt("format 2").to_string()));
    }

    #[test]
    fn json_and_copy_carry_the_line_as_bytea_hex() {
        let line = row(BTreeMap::new(), None).line;
        let json = serde_json::to_string(&line).map_err(|e| e.to_string());
        assert_eq!(json, Ok(format!("\"\\\\x{}\"", hex::encode(&line.0))));
        let back: Result<Line, _> = serde_json::from_str(&json.unwrap_or_default()).map_err(|e| e.to_string());
        assert_eq!(back, Ok(line.clone()));
        #[derive(Serialize)]
        struct One {
            line: Line,
        }
        let mut copied = String::new();
        assert!(encode(&One { line: line.clone() }, &mut copied).is_ok());
        // COPY's text format doubles the backslash; the server reads `\x…` back.
        assert_eq!(copied, format!("\\\\x{}\n", hex::encode(&line.0)));
    }
}
