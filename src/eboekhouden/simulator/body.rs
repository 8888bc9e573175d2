//! Streamed response bodies: the envelope head, the items written chunk by chunk as the client reads,
//! then the tail. The `CutOff` and `MalformedXml` faults act here.

use std::io;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures::StreamExt;

use super::render::{self, Shape};
use super::rows::Rows;
use crate::eboekhouden::Operation;

/// Rendered text is handed to the connection in chunks of about this size.
const CHUNK: usize = 32 * 1024;

/// How a list response is damaged, if at all.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Damage {
    pub cut_after: Option<u64>,
    pub malformed: bool,
    pub bad_record: bool,
}

pub(crate) fn xml_response(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "text/xml; charset=utf-8")], body).into_response()
}

/// A list result: `…Result` with the success `ErrorMsg`, then `<collection>` items `</collection>`.
pub(crate) fn list_response(
    op: Operation,
    shape: &Shape,
    names: (&'static str, &'static str),
    rows: Box<dyn Rows>,
    damage: Damage,
) -> Response {
    let stream = futures::stream::iter(chunks(op, shape, names, rows, damage));
    let body = match damage.cut_after {
        None => Body::from_stream(stream),
        Some(_) => {
            // Pause first so the bytes before the cut reach the client, then break the chunked body.
            let abort = futures::stream::once(async {
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                Err(io::Error::new(io::ErrorKind::ConnectionAborted, "simulated cut-off"))
            });
            Body::from_stream(stream.chain(abort))
        }
    };
    ([(header::CONTENT_TYPE, "text/xml; charset=utf-8")], body).into_response()
}

/// A whole undamaged list result, rendered at once to be kept.
pub(crate) fn rendered_list(
    op: Operation,
    shape: &Shape,
    names: (&'static str, &'static str),
    rows: Box<dyn Rows>,
) -> Arc<[Bytes]> {
    chunks(op, shape, names, rows, Damage::default()).filter_map(Result::ok).collect()
}

/// A kept list result, streamed in the chunks it was rendered in.
pub(crate) fn kept_response(body: Arc<[Bytes]>) -> Response {
    let pieces = (0..body.len()).map(move |i| Ok::<_, io::Error>(body[i].clone()));
    let body = Body::from_stream(futures::stream::iter(pieces));
    ([(header::CONTENT_TYPE, "text/xml; charset=utf-8")], body).into_response()
}

fn chunks(
    op: Operation,
    shape: &Shape,
    (collection, item): (&'static str, &'static str),
    rows: Box<dyn Rows>,
    damage: Damage,
) -> Chunks {
    let mut head = String::new();
    render::result_open(&mut head, op, shape);
    head.push_str(&format!("<{collection}>"));
    let mut tail = format!("</{collection}>");
    render::result_close(&mut tail, op);
    Chunks { head: Some(head), rows: Some(rows), tail: Some(tail), item, damage, sent: 0, written: 0, failed: false }
}

struct Chunks {
    head: Option<String>,
    rows: Option<Box<dyn Rows>>,
    tail: Option<String>,
    item: &'static str,
    damage: Damage,
    sent: u64,
    written: u64,
    failed: bool,
}

impl Iterator for Chunks {
    type Item = Result<Bytes, io::Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        if self.damage.cut_after.is_some_and(|limit| self.sent >= limit) {
            // The rest never comes; `list_response` then aborts the connection.
            self.failed = true;
            return None;
        }
        let mut out = self.head.take().unwrap_or_default();
        self.fill(&mut out);
        if self.rows.is_none() {
            if let Some(tail) = self.tail.take() {
                out.push_str(&tail);
            }
        }
        let mut bytes = out.into_bytes();
        if bytes.is_empty() {
            return None;
        }
        if let Some(limit) = self.damage.cut_after {
            bytes.truncate(crate::convert::usize_of(limit - self.sent));
        }
        self.sent += crate::convert::u64_of(bytes.len());
        Some(Ok(Bytes::from(bytes)))
    }
}

impl Chunks {
    fn fill(&mut self, out: &mut String) {
        let Some(rows) = self.rows.as_mut() else { return };
        while out.len() < CHUNK {
            if self.damage.malformed && self.written == 1 {
                // An item whose end tag does not match: not well-formed XML.
                out.push_str(&format!("<{0}><Broken></{0}>", self.item));
                self.rows = None;
                return;
            }
            if self.damage.bad_record && self.written == 1 {
                let mut row = String::new();
                if !rows.write_next(&mut row) {
                    self.rows = None;
                    return;
                }
                out.push_str(&spoil_first_number(&row));
                self.written += 1;
                continue;
            }
            if !rows.write_next(out) {
                self.rows = None;
                return;
            }
            self.written += 1;
        }
    }
}

/// The item with the text of its first number field replaced by words.
fn spoil_first_number(row: &str) -> String {
    for tag in ["Bedrag", "Openstaand", "TotaalInclBTW", "BedragInclBTW", "Saldo", "ID", "MutatieNr"] {
        let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
        if let (Some(start), Some(end)) = (row.find(&open), row.find(&close)) {
            return format!("{}{open}twelve{}", &row[..start], &row[end..]);
        }
    }
    row.to_owned()
}
