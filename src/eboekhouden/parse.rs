//! The streaming response parser: a quick-xml pull reader over the body stream hands out one typed
//! record at a time. Nothing holds the whole response; memory is one record plus the read buffer.

mod documents;
mod head;
mod items;
#[cfg(test)]
mod tests;
pub mod values;

use std::io;
use std::marker::PhantomData;

use bytes::Bytes;
use futures::stream::BoxStream;
use futures::Stream;
use quick_xml::events::{BytesStart, Event};
use tokio::io::AsyncBufRead;
use tokio_util::io::StreamReader;

pub use documents::{FactuurBuilder, MutatieBuilder};
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
    /// An element with children starts (e.g. a new line).
    fn start(&mut self, _depth: usize, _name: &str) {}
    /// A leaf element with its unescaped text.
    fn leaf(&mut self, depth: usize, name: &str, text: &str) -> Result<(), FieldError>;
    /// The item ended; required fields are checked here.
    fn finish(self) -> Result<Self::Output, FieldError>;
}

/// The records of one response, pulled one at a time with [`Records::next`] or as a `Stream`.
pub struct Records<T: Record, R = BodyReader> {
    xml: Xml<R>,
    done: bool,
    _marker: PhantomData<fn() -> T>,
}

impl<T: Record, R> std::fmt::Debug for Records<T, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Records")
            .field("operation", &T::OPERATION)
            .field("records_read", &self.xml.records)
            .field("done", &self.done)
            .finish()
    }
}

impl<T: Record, R: AsyncBufRead + Unpin + Send> Records<T, R> {
    /// Reads the envelope up to the first record. Service errors come back as the typed error.
    pub async fn open(source: R) -> Result<Records<T, R>, Error> {
        let mut xml = Xml::new(source, T::OPERATION);
        match xml.open_result(T::COLLECTION).await? {
            Head::Found => Ok(Records { xml, done: false, _marker: PhantomData }),
            Head::Absent => Ok(Records { xml, done: true, _marker: PhantomData }),
            Head::ServiceError { code, description } => Err(Error::from_service(T::OPERATION, code, description)),
        }
    }

    /// The next record, or `None` after the last one. A record with a bad field is an error for
    /// that record only (`Error::is_record_error`) and the stream goes on; after any other error
    /// the stream is finished.
    pub async fn next(&mut self) -> Result<Option<T>, Error> {
        if self.done {
            return Ok(None);
        }
        let result = self.pull().await;
        let goes_on = matches!(&result, Ok(Some(_))) || matches!(&result, Err(error) if error.is_record_error());
        if !goes_on {
            self.done = true;
        }
        result
    }

    /// How many records were read so far.
    pub fn records_read(&self) -> u64 {
        self.xml.records
    }

    /// The records as a `Stream`, for combinators.
    pub fn into_stream(self) -> impl Stream<Item = Result<T, Error>> + Send
    where
        R: 'static,
    {
        futures::stream::try_unfold(self, |mut records| async move {
            Ok(records.next().await?.map(|record| (record, records)))
        })
    }

    async fn pull(&mut self) -> Result<Option<T>, Error> {
        loop {
            let xml = &mut self.xml;
            xml.buf.clear();
            let event = xml.reader.read_event_into_async(&mut xml.buf).await;
            match event.map_err(|e| head::xml_error(T::OPERATION, xml.records, None, e))? {
                Event::Start(e) if e.local_name().as_ref() == T::ITEM.as_bytes() => {
                    return xml.read_record::<T::Builder>().await.map(Some);
                }
                Event::Start(_) => xml.skip_element().await?,
                // The end of the collection wrapper: read on so a cut-off tail is still noticed.
                Event::End(_) => {
                    // Still open: the Result, the Response, soap:Body and soap:Envelope.
                    xml.drain(4).await?;
                    return Ok(None);
                }
                Event::Eof => return Err(xml.cut_off()),
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
