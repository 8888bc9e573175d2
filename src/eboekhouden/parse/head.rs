//! The XML cursor: walks the envelope to the `…Result` (SOAP faults and `ErrorMsg` on the way) and
//! reads one item at a time with a reused buffer.

use quick_xml::events::Event;
use std::io::BufRead;

use super::values::FieldError;
use super::{is_nil, RecordBuilder};
use crate::eboekhouden::{Error, Operation};

/// What the `…Result` holds before its payload.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Head {
    /// The payload element was found and the cursor stands inside it.
    Found,
    /// The result ended (or the payload was empty) without the payload element: no records.
    Absent,
    /// `ErrorMsg` carried a non-empty `LastErrorCode`.
    ServiceError { code: String, description: String },
}

/// A simplified owned event for the envelope walk, which is not on the hot path.
#[derive(Debug)]
enum Owned {
    Start(String),
    Empty(String),
    End,
    Text(String),
    Eof,
}

/// A quick-xml reader with its buffers and the count of records read.
pub(crate) struct Xml<R> {
    pub(super) reader: quick_xml::Reader<R>,
    pub(super) buf: Vec<u8>,
    text: String,
    pub(super) operation: Operation,
    pub(super) records: u64,
}

/// Maps a reader error; `record` is the 1-based record being read, if any, and `records` those done.
pub(super) fn xml_error(operation: Operation, records: u64, record: Option<u64>, error: quick_xml::Error) -> Error {
    match error {
        quick_xml::Error::Io(io) => {
            if io.kind() == std::io::ErrorKind::TimedOut {
                return Error::Timeout { operation, phase: "reading the response body" };
            }
            Error::Transport { operation, records, source: std::io::Error::new(io.kind(), io.to_string()) }
        }
        other => Error::Malformed { operation, record, field: None, reason: format!("not well-formed XML: {other}") },
    }
}

fn utf8(operation: Operation, bytes: &[u8]) -> Result<&str, Error> {
    std::str::from_utf8(bytes).map_err(|_| Error::malformed(operation, "an element name is not UTF-8"))
}

impl<R: BufRead> Xml<R> {
    pub(crate) fn new(source: R, operation: Operation) -> Self {
        let mut reader = quick_xml::Reader::from_reader(source);
        reader.config_mut().trim_text(true);
        Xml { reader, buf: Vec::with_capacity(8 * 1024), text: String::new(), operation, records: 0 }
    }

    fn owned(&mut self) -> Result<Owned, Error> {
        self.buf.clear();
        let (op, records) = (self.operation, self.records);
        let event = self.reader.read_event_into(&mut self.buf).map_err(|e| xml_error(op, records, None, e))?;
        Ok(match event {
            Event::Start(e) => Owned::Start(utf8(op, e.local_name().as_ref())?.to_owned()),
            Event::Empty(e) => Owned::Empty(utf8(op, e.local_name().as_ref())?.to_owned()),
            Event::End(_) => Owned::End,
            Event::Text(t) => Owned::Text(t.unescape().map_err(|e| xml_error(op, records, None, e))?.into_owned()),
            Event::CData(c) => Owned::Text(String::from_utf8_lossy(&c.into_inner()).into_owned()),
            Event::Eof => Owned::Eof,
            _ => Owned::Text(String::new()),
        })
    }

    /// The next element event, skipping text, comments and declarations.
    fn element(&mut self) -> Result<Owned, Error> {
        loop {
            match self.owned()? {
                Owned::Text(_) => {}
                other => return Ok(other),
            }
        }
    }

    /// Walks `Envelope/Body/{Op}Response/{Op}Result` up to the element `target`.
    pub(crate) fn open_result(&mut self, target: &str) -> Result<Head, Error> {
        let op = self.operation;
        loop {
            match self.element()? {
                Owned::Start(name) if name == "Body" => break,
                Owned::Eof => return Err(Error::malformed(op, "the response has no SOAP Body")),
                _ => {}
            }
        }
        let response = format!("{op}Response");
        match self.element()? {
            Owned::Start(name) if name == "Fault" => return Err(self.fault()),
            Owned::Start(name) if name == response => {}
            Owned::Empty(name) if name == response => return Ok(Head::Absent),
            other => return Err(Error::malformed(op, format!("expected <{response}>, found {other:?}"))),
        }
        let result = format!("{op}Result");
        match self.element()? {
            Owned::Start(name) if name == result => {}
            Owned::Empty(_) | Owned::End => return Ok(Head::Absent),
            other => return Err(Error::malformed(op, format!("expected <{result}>, found {other:?}"))),
        }
        loop {
            match self.element()? {
                Owned::Start(name) if name == "ErrorMsg" => {
                    let fields = self.leaves()?;
                    let code = field(&fields, "LastErrorCode");
                    if !code.trim().is_empty() {
                        let description = field(&fields, "LastErrorDescription");
                        return Ok(Head::ServiceError { code: code.trim().to_owned(), description });
                    }
                }
                Owned::Start(name) if name == target => return Ok(Head::Found),
                Owned::Start(_) => self.skip_element()?,
                Owned::Empty(_) => {}
                Owned::End => return Ok(Head::Absent),
                Owned::Eof | Owned::Text(_) => return Err(self.cut_off()),
            }
        }
    }

    /// The text of the element the cursor stands in (after `Head::Found` for a scalar payload).
    pub(crate) fn scalar_text(&mut self) -> Result<String, Error> {
        let mut text = String::new();
        loop {
            match self.owned()? {
                Owned::Text(t) => text.push_str(&t),
                Owned::End => return Ok(text),
                Owned::Start(_) | Owned::Empty(_) => return Err(Error::malformed(self.operation, "nested scalar")),
                Owned::Eof => return Err(self.cut_off()),
            }
        }
    }

    /// The leaf children (name, text) of the element the cursor stands in, up to its end.
    fn leaves(&mut self) -> Result<Vec<(String, String)>, Error> {
        let mut fields = Vec::new();
        let (mut depth, mut current) = (0usize, None::<String>);
        loop {
            match self.owned()? {
                Owned::Start(name) => {
                    depth += 1;
                    current = (depth == 1).then_some(name);
                }
                Owned::Text(t) => {
                    if let Some(name) = current.take() {
                        fields.push((name, t));
                    }
                }
                Owned::Empty(name) => fields.push((name, String::new())),
                Owned::End if depth == 0 => return Ok(fields),
                Owned::End => depth -= 1,
                Owned::Eof => return Err(self.cut_off()),
            }
        }
    }

    /// Reads `<soap:Fault>` (the cursor stands inside it) into the typed error.
    fn fault(&mut self) -> Error {
        let operation = self.operation;
        match self.leaves() {
            Ok(fields) => Error::SoapFault {
                operation,
                code: field(&fields, "faultcode").trim().to_owned(),
                message: field(&fields, "faultstring").trim().to_owned(),
            },
            Err(error) => error,
        }
    }

    pub(super) fn skip_element(&mut self) -> Result<(), Error> {
        let mut depth = 0usize;
        loop {
            match self.owned()? {
                Owned::Start(_) => depth += 1,
                Owned::End if depth == 0 => return Ok(()),
                Owned::End => depth -= 1,
                Owned::Eof => return Err(self.cut_off()),
                Owned::Empty(_) | Owned::Text(_) => {}
            }
        }
    }

    /// Reads to the end of the document, where `open` elements must still close, so that a body cut
    /// off after the last record is noticed (quick-xml does not complain about unclosed tags at EOF).
    pub(super) fn drain(&mut self, mut open: usize) -> Result<(), Error> {
        loop {
            match self.owned()? {
                Owned::Start(_) => open += 1,
                Owned::End => open = open.checked_sub(1).ok_or_else(|| self.cut_off())?,
                Owned::Eof if open == 0 => return Ok(()),
                Owned::Eof => return Err(self.cut_off()),
                Owned::Empty(_) | Owned::Text(_) => {}
            }
        }
    }

    pub(super) fn cut_off(&self) -> Error {
        let reason = format!("the response ends early, after {} records", self.records);
        Error::Malformed { operation: self.operation, record: None, field: None, reason }
    }

    /// Reads one item; the cursor stands just inside its start tag.
    pub(super) fn read_record<B: RecordBuilder>(&mut self) -> Result<B::Output, Error> {
        let op = self.operation;
        let record = self.records + 1;
        let located = |e: FieldError| Error::Malformed {
            operation: op,
            record: Some(record),
            field: Some(e.field.to_owned()),
            reason: e.reason,
        };
        let mut builder = B::default();
        let (mut depth, mut leaf_open) = (0usize, false);
        // A bad field spoils its record, not the response: read on to the record's end, then report it.
        let mut spoiled: Option<FieldError> = None;
        loop {
            self.buf.clear();
            let event = self.reader.read_event_into(&mut self.buf);
            match event.map_err(|e| xml_error(op, record - 1, Some(record), e))? {
                Event::Start(e) => {
                    depth += 1;
                    builder.start(depth, e.local_name().into_inner());
                    self.text.clear();
                    leaf_open = true;
                }
                Event::Text(t) if leaf_open => {
                    self.text.push_str(&t.unescape().map_err(|e| xml_error(op, record - 1, Some(record), e))?);
                }
                Event::CData(c) if leaf_open => self.text.push_str(&String::from_utf8_lossy(&c.into_inner())),
                Event::Empty(e) if !is_nil(&e) => {
                    if let Err(error) = builder.leaf(depth + 1, e.local_name().into_inner(), "") {
                        spoiled.get_or_insert(error);
                    }
                }
                Event::End(_) if depth == 0 => {
                    self.records = record;
                    return match spoiled {
                        Some(error) => Err(located(error)),
                        None => builder.finish().map_err(located),
                    };
                }
                Event::End(e) => {
                    if leaf_open {
                        if let Err(error) = builder.leaf(depth, e.local_name().into_inner(), &self.text) {
                            spoiled.get_or_insert(error);
                        }
                        leaf_open = false;
                    }
                    depth -= 1;
                }
                Event::Eof => return Err(self.cut_off()),
                _ => {}
            }
        }
    }
}

fn field(fields: &[(String, String)], name: &str) -> String {
    fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()).unwrap_or_default()
}
