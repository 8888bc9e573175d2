//! The streaming response parser: quick-xml's pull reader hands out one typed record at a time.
//! It runs on a thread of its own (`feed`) and sends the records back in small batches, so the
//! parse overlaps whatever the caller does with them. Nothing holds the whole response; memory is a
//! few chunks of the body and a few batches of records.

mod documents;
mod feed;
mod head;
mod items;
#[cfg(test)]
mod tests;
pub mod values;

use std::io::{self, BufRead};

use bytes::Bytes;
use futures::stream::BoxStream;
use futures::Stream;
use quick_xml::events::{BytesStart, Event};
use tokio::io::AsyncBufRead;
use tokio::sync::mpsc;
use tokio_util::io::StreamReader;

pub use documents::{FactuurBuilder, MutatieBuilder};
pub(crate) use feed::parse_on_thread;
pub(crate) use head::{Head, Xml};
pub use items::{AdministratieBuilder, OpenPostBuilder, SaldoBuilder};
pub use values::FieldError;

use super::{Error, Operation};

/// The streamed body of an HTTP response, as the XML reader sees it.
pub type BodyReader = StreamReader<BoxStream<'static, io::Result<Bytes>>, Bytes>;

/// A list item of a read operation and where it sits in the response.
pub trait Record: Sized + Send + 'static {
    const OPERATION: Operation;
    /// The `Array…` wrapper inside the `…Result`, e.g. `Openposten`.
    const COLLECTION: &'static str;
    /// The repeated item element, e.g. `cOpenPost`.
    const ITEM: &'static str;
    type Builder: RecordBuilder<Output = Self>;
}

/// Receives the elements of one item. `depth` is 1 for the item's own fields, 2 for a line inside a
/// wrapper, 3 for a line's fields. Unknown names are ignored so new service fields break nothing.
pub trait RecordBuilder: Default + Send {
    type Output;
    /// An element with children starts (e.g. a new line); `name` is its local name's bytes.
    fn start(&mut self, _depth: usize, _name: &[u8]) {}
    /// A leaf element (its local name's bytes) with its unescaped text.
    fn leaf(&mut self, depth: usize, name: &[u8], text: &str) -> Result<(), FieldError>;
    /// The item ended; required fields are checked here.
    fn finish(self) -> Result<Self::Output, FieldError>;
}

/// Records sent back at a time: a wake-up per batch costs little per record.
const BATCH: usize = 256;
/// Batches queued for the caller.
const BATCHES_QUEUED: usize = 4;

/// What the parsing thread reads: the records, then `Ok(None)` after the last; or an error.
type Pulled<T> = Result<Option<T>, Error>;

/// The records of one response, pulled one at a time with [`Records::next`] or as a `Stream`.
pub struct Records<T: Record> {
    batches: mpsc::Receiver<Vec<Pulled<T>>>,
    current: std::vec::IntoIter<Pulled<T>>,
    done: bool,
    records_read: u64,
}

impl<T: Record> std::fmt::Debug for Records<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Records")
            .field("operation", &T::OPERATION)
            .field("records_read", &self.records_read)
            .field("done", &self.done)
            .finish()
    }
}

impl<T: Record> Records<T> {
    /// Reads the envelope up to the first record. Service errors come back as the typed error.
    pub async fn open<R: AsyncBufRead + Unpin + Send + 'static>(source: R) -> Result<Records<T>, Error> {
        let (sender, batches) = mpsc::channel(BATCHES_QUEUED);
        let (head_sender, head) = tokio::sync::oneshot::channel();
        // The thread ends when the records end or nobody reads them any more.
        drop(feed::spawn_parser(source, T::OPERATION, move |xml| {
            let found = xml.open_result(T::COLLECTION);
            let records = matches!(found, Ok(Head::Found));
            if head_sender.send(found).is_ok() && records {
                send_records(xml, &sender);
            }
        }));
        let records = Records { batches, current: Vec::new().into_iter(), done: false, records_read: 0 };
        match head.await.map_err(|_| parser_stopped(T::OPERATION, 0))?? {
            Head::Found => Ok(records),
            Head::Absent => Ok(Records { done: true, ..records }),
            Head::ServiceError { code, description } => Err(Error::from_service(T::OPERATION, code, description)),
        }
    }

    /// The next record, or `None` after the last one. A record with a bad field is an error for
    /// that record only (`Error::is_record_error`) and the stream goes on; after any other error
    /// the stream is finished.
    pub async fn next(&mut self) -> Result<Option<T>, Error> {
        while !self.done {
            let Some(pulled) = self.current.next() else {
                match self.batches.recv().await {
                    Some(batch) => self.current = batch.into_iter(),
                    // The thread sends `Ok(None)` or an error last: without it, it died.
                    None => {
                        self.done = true;
                        return Err(parser_stopped(T::OPERATION, self.records_read));
                    }
                }
                continue;
            };
            if !goes_on(&pulled) {
                self.done = true;
            }
            if !matches!(pulled, Ok(None)) {
                self.records_read += 1;
            }
            return pulled;
        }
        Ok(None)
    }

    /// How many records (and spoiled records) were handed out so far.
    pub fn records_read(&self) -> u64 {
        self.records_read
    }

    /// The records as a `Stream`, for combinators.
    pub fn into_stream(self) -> impl Stream<Item = Result<T, Error>> + Send {
        futures::stream::try_unfold(self, |mut records| async move {
            Ok(records.next().await?.map(|record| (record, records)))
        })
    }
}

/// Whether the response goes on after `pulled`: after a record, or a record with a bad field.
fn goes_on<T>(pulled: &Pulled<T>) -> bool {
    matches!(pulled, Ok(Some(_))) || matches!(pulled, Err(error) if error.is_record_error())
}

fn parser_stopped(operation: Operation, records: u64) -> Error {
    Error::Transport { operation, records, source: io::Error::other("the response parser stopped") }
}

/// The parsing thread's loop: pulls records and sends them in batches, the last one ending with
/// `Ok(None)` or the error that ended the response.
fn send_records<T: Record, R: BufRead>(xml: &mut Xml<R>, sender: &mpsc::Sender<Vec<Pulled<T>>>) {
    let mut batch = Vec::with_capacity(BATCH);
    loop {
        let pulled = xml.pull::<T>();
        let last = !goes_on(&pulled);
        batch.push(pulled);
        if last || batch.len() == BATCH {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
            if sender.blocking_send(full).is_err() || last {
                return;
            }
        }
    }
}

impl<R: BufRead> Xml<R> {
    /// The next record of `T`'s collection (the cursor stands inside it), or `None` at its end.
    fn pull<T: Record>(&mut self) -> Pulled<T> {
        loop {
            self.buf.clear();
            let event = self.reader.read_event_into(&mut self.buf);
            match event.map_err(|e| head::xml_error(T::OPERATION, self.records, None, e))? {
                Event::Start(e) if e.local_name().as_ref() == T::ITEM.as_bytes() => {
                    return self.read_record::<T::Builder>().map(Some);
                }
                Event::Start(_) => self.skip_element()?,
                // The end of the collection wrapper: read on so a cut-off tail is still noticed.
                Event::End(_) => {
                    // Still open: the Result, the Response, soap:Body and soap:Envelope.
                    self.drain(4)?;
                    return Ok(None);
                }
                Event::Eof => return Err(self.cut_off()),
                // `<cOpenPost xsi:nil="true"/>` and other empty items carry nothing.
                _ => {}
            }
        }
    }
}

/// `xsi:nil="true"` marks an absent value on an empty element.
pub(crate) fn is_nil(element: &BytesStart<'_>) -> bool {
    element.attributes().flatten().any(|a| a.key.local_name().as_ref() == b"nil" && a.value.as_ref() == b"true")
}
