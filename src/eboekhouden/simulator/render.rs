//! Rendering responses the way the service writes them, in the shape variants the service is known to send: `ErrorMsg`
//! with empty children / empty / absent; dates with time, as bare dates, with offset or with fraction;
//! doubles plain, in exponent form or as float artefacts (`50.049999999999997`).

use std::fmt::Write;

use chrono::NaiveDate;
use quick_xml::escape::escape;
use serde::{Deserialize, Serialize};

use crate::eboekhouden::{Operation, NAMESPACE, SOAP_ENV};

/// How `ErrorMsg` looks on success.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorMsgShape {
    /// `<ErrorMsg><LastErrorCode /><LastErrorDescription /></ErrorMsg>` (the shape of the known mocks).
    #[default]
    EmptyChildren,
    /// `<ErrorMsg />`.
    Empty,
    /// No `ErrorMsg` element.
    Absent,
}

/// How `s:dateTime` values are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateShape {
    /// `2023-04-01T00:00:00`.
    #[default]
    DateTime,
    /// `2023-04-01`.
    DateOnly,
    /// `2023-04-01T00:00:00+02:00`.
    WithOffset,
    /// `2023-04-01T00:00:00.0000000`.
    WithFraction,
}

/// How `s:double` amounts are written (`s:decimal` ones are always plain with two decimals).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DoubleShape {
    /// `1234.5`, the shortest form.
    #[default]
    Plain,
    /// `1.2345E3`.
    Exponent,
    /// `50.049999999999997` / `50.050000000000004`, alternating per row.
    FloatArtefacts,
}

/// The response shape variants, switchable at runtime.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct Shape {
    pub error_msg: ErrorMsgShape,
    pub dates: DateShape,
    pub doubles: DoubleShape,
}

const ENVELOPE_OPEN: &str = r#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap=""#;

/// `<soap:Envelope>…<{op}Response><{op}Result>` plus the success `ErrorMsg`.
pub(crate) fn result_open(out: &mut String, op: Operation, shape: &Shape) {
    let _ = write!(
        out,
        r#"{ENVELOPE_OPEN}{SOAP_ENV}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body><{op}Response xmlns="{NAMESPACE}"><{op}Result>"#
    );
    match shape.error_msg {
        ErrorMsgShape::EmptyChildren => out.push_str("<ErrorMsg><LastErrorCode /><LastErrorDescription /></ErrorMsg>"),
        ErrorMsgShape::Empty => out.push_str("<ErrorMsg />"),
        ErrorMsgShape::Absent => {}
    }
}

pub(crate) fn result_close(out: &mut String, op: Operation) {
    let _ = write!(out, "</{op}Result></{op}Response></soap:Body></soap:Envelope>");
}

/// A business error: HTTP 200 with a filled `ErrorMsg`.
pub(crate) fn service_error(op: Operation, code: &str, description: &str) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        r#"{ENVELOPE_OPEN}{SOAP_ENV}"><soap:Body><{op}Response xmlns="{NAMESPACE}"><{op}Result><ErrorMsg><LastErrorCode>{}</LastErrorCode><LastErrorDescription>{}</LastErrorDescription></ErrorMsg></{op}Result></{op}Response></soap:Body></soap:Envelope>"#,
        escape(code),
        escape(description)
    );
    out
}

/// A SOAP 1.1 fault as ASP.NET writes it (sent with HTTP 500).
pub(crate) fn fault(code: &str, message: &str) -> String {
    format!(
        r#"{ENVELOPE_OPEN}{SOAP_ENV}"><soap:Body><soap:Fault><faultcode>{code}</faultcode><faultstring>{}</faultstring><detail /></soap:Fault></soap:Body></soap:Envelope>"#,
        escape(message)
    )
}

/// `<name>text</name>` with the text escaped.
pub(crate) fn el(out: &mut String, name: &str, text: &str) {
    let _ = write!(out, "<{name}>{}</{name}>", escape(text));
}

pub(crate) fn el_num(out: &mut String, name: &str, value: i64) {
    let _ = write!(out, "<{name}>{value}</{name}>");
}

pub(crate) fn el_date(out: &mut String, name: &str, date: NaiveDate, shape: &Shape) {
    // `Display` is ISO 8601 (`%Y-%m-%d`) without parsing a format string for every date.
    let day = date;
    let _ = match shape.dates {
        DateShape::DateTime => write!(out, "<{name}>{day}T00:00:00</{name}>"),
        DateShape::DateOnly => write!(out, "<{name}>{day}</{name}>"),
        DateShape::WithOffset => write!(out, "<{name}>{day}T00:00:00+02:00</{name}>"),
        DateShape::WithFraction => write!(out, "<{name}>{day}T00:00:00.0000000</{name}>"),
    };
}

/// An `s:double` amount of `cents`; `row` alternates the direction of float artefacts.
pub(crate) fn el_double(out: &mut String, name: &str, cents: i64, shape: &Shape, row: u64) {
    let _ = write!(out, "<{name}>");
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    let _ = match shape.doubles {
        DoubleShape::Plain => {
            out.push_str(sign);
            shortest(out, abs)
        }
        DoubleShape::Exponent => {
            let digits = abs.to_string();
            let exponent = crate::convert::i64_of(digits.len()) - 3;
            let (head, tail) = digits.split_at(1);
            let tail = tail.trim_end_matches('0');
            let dot = if tail.is_empty() { "" } else { "." };
            write!(out, "{sign}{head}{dot}{tail}E{exponent}")
        }
        // Float artefacts are written as text so no float arithmetic is needed to make them.
        DoubleShape::FloatArtefacts if abs > 0 && row % 2 == 0 => {
            let below = abs - 1;
            write!(out, "{sign}{}.{:02}9999999999997", below / 100, below % 100)
        }
        DoubleShape::FloatArtefacts => write!(out, "{sign}{}.{:02}0000000000004", abs / 100, abs % 100),
    };
    let _ = write!(out, "</{name}>");
}

/// An `s:decimal` amount: always plain with two decimals.
pub(crate) fn el_decimal(out: &mut String, name: &str, cents: i64) {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    let _ = write!(out, "<{name}>{sign}{}.{:02}</{name}>", abs / 100, abs % 100);
}

/// `1250` cents → `12.5`, `1200` → `12`, `1234` → `12.34`.
fn shortest(out: &mut String, abs: u64) -> std::fmt::Result {
    match abs % 100 {
        0 => write!(out, "{}", abs / 100),
        c if c % 10 == 0 => write!(out, "{}.{}", abs / 100, c / 10),
        c => write!(out, "{}.{c:02}", abs / 100),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Cents;

    fn double(cents: i64, doubles: DoubleShape, row: u64) -> String {
        let mut out = String::new();
        el_double(&mut out, "B", cents, &Shape { doubles, ..Shape::default() }, row);
        out.trim_start_matches("<B>").trim_end_matches("</B>").to_owned()
    }

    #[test]
    fn every_double_shape_parses_back_to_the_same_cents() {
        for cents in [0, 1, -1, 5_005, 1_250, 100_000, -123_456, 99] {
            for shape in [DoubleShape::Plain, DoubleShape::Exponent, DoubleShape::FloatArtefacts] {
                for row in [0, 1] {
                    let text = double(cents, shape, row);
                    assert_eq!(Cents::parse_soap_double(&text), Ok(Cents::new(cents)), "{text}");
                }
            }
        }
        assert_eq!(double(5_005, DoubleShape::FloatArtefacts, 0), "50.049999999999997");
        assert_eq!(double(123_450, DoubleShape::Exponent, 0), "1.2345E3");
        assert_eq!(double(1_250, DoubleShape::Plain, 0), "12.5");
    }
}
