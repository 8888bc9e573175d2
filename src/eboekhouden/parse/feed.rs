//! Parsing on a thread of its own: quick-xml's synchronous reader (faster than its async reader:
//! docs/perf/RESULTS.md, "XML reader") parses on a blocking thread, beside whatever the caller does
//! with what comes out. The thread pulls the body itself, waiting on the runtime for each chunk.

use std::io::{self, BufRead, Read};

use bytes::{Buf, Bytes};
use tokio::io::{AsyncBufRead, AsyncBufReadExt};
use tokio::runtime::Handle;
use tokio::task::JoinHandle;

use super::head::Xml;
use crate::eboekhouden::{Error, Operation};

/// The most bytes taken from the source at once (an in-memory source offers all it has).
const CHUNK_BYTES: usize = 256 * 1024;

/// Runs `parse` on a blocking thread over the bytes of `source`; its result.
pub(crate) async fn parse_on_thread<R, F, O>(source: R, operation: Operation, parse: F) -> Result<O, Error>
where
    R: AsyncBufRead + Unpin + Send + 'static,
    F: FnOnce(&mut Xml<BlockingReader<R>>) -> O + Send + 'static,
    O: Send + 'static,
{
    spawn_parser(source, operation, parse).await.map_err(|e| Error::Transport {
        operation,
        records: 0,
        source: io::Error::other(e.to_string()),
    })
}

/// Starts `parse` on a blocking thread over the bytes of `source`, now.
pub(crate) fn spawn_parser<R, F, O>(source: R, operation: Operation, parse: F) -> JoinHandle<O>
where
    R: AsyncBufRead + Unpin + Send + 'static,
    F: FnOnce(&mut Xml<BlockingReader<R>>) -> O + Send + 'static,
    O: Send + 'static,
{
    let reader = BlockingReader { source, runtime: Handle::current(), current: Bytes::new(), ended: false };
    tokio::task::spawn_blocking(move || parse(&mut Xml::new(reader, operation)))
}

/// An async source as a `BufRead` for the synchronous reader, on a thread outside the runtime: it
/// waits on the runtime for the next chunk and hands out the one it holds until that is used up.
#[derive(Debug)]
pub(crate) struct BlockingReader<R> {
    source: R,
    runtime: Handle,
    current: Bytes,
    ended: bool,
}

impl<R: AsyncBufRead + Unpin> BlockingReader<R> {
    /// Waits for the next chunk (the reader asks for bytes many times per chunk, so this is apart).
    #[cold]
    fn refill(&mut self) -> io::Result<()> {
        let source = &mut self.source;
        let chunk = self.runtime.block_on(async {
            let available = source.fill_buf().await?;
            let chunk = Bytes::copy_from_slice(&available[..available.len().min(CHUNK_BYTES)]);
            source.consume(chunk.len());
            Ok::<_, io::Error>(chunk)
        });
        match chunk {
            Ok(chunk) => {
                self.ended = chunk.is_empty();
                self.current = chunk;
                Ok(())
            }
            Err(error) => {
                self.ended = true;
                Err(error)
            }
        }
    }
}

impl<R: AsyncBufRead + Unpin> BufRead for BlockingReader<R> {
    #[inline]
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.current.is_empty() && !self.ended {
            self.refill()?;
        }
        Ok(&self.current)
    }

    #[inline]
    fn consume(&mut self, amount: usize) {
        self.current.advance(amount.min(self.current.len()));
    }
}

impl<R: AsyncBufRead + Unpin> Read for BlockingReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let amount = available.len().min(out.len());
        out[..amount].copy_from_slice(&available[..amount]);
        self.consume(amount);
        Ok(amount)
    }
}
