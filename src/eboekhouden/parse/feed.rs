//! Parsing on a thread of its own: a task copies the body's bytes into a bounded channel as they
//! arrive, and quick-xml's synchronous reader (about 1.5 times as fast as its async reader here)
//! parses them on a blocking thread, beside whatever the caller does with what comes out.

use std::io::{self, BufRead, Read};

use bytes::{Buf, Bytes, BytesMut};
use futures::FutureExt;
use tokio::io::{AsyncBufRead, AsyncBufReadExt};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::head::Xml;
use crate::eboekhouden::{Error, Operation};

/// Chunks of the body queued for the parser: enough to keep it busy, few enough to bound memory.
const CHUNKS_QUEUED: usize = 8;
/// The bytes a chunk gathers from what the source already holds: handing the parser a chunk costs
/// a wake-up of one thread by another, about as much as parsing tens of kilobytes.
const CHUNK_BYTES: usize = 256 * 1024;

/// Runs `parse` on a blocking thread over the bytes of `source`; its result.
pub(crate) async fn parse_on_thread<R, F, O>(source: R, operation: Operation, parse: F) -> Result<O, Error>
where
    R: AsyncBufRead + Unpin + Send + 'static,
    F: FnOnce(&mut Xml<ChunkReader>) -> O + Send + 'static,
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
    F: FnOnce(&mut Xml<ChunkReader>) -> O + Send + 'static,
    O: Send + 'static,
{
    let chunks = forward(source);
    tokio::task::spawn_blocking(move || parse(&mut Xml::new(ChunkReader::new(chunks), operation)))
}

/// Copies `source` into a channel until it ends, fails, or nobody reads on. Each chunk takes what
/// has arrived, up to `CHUNK_BYTES`, without waiting for more.
fn forward<R: AsyncBufRead + Unpin + Send + 'static>(mut source: R) -> mpsc::Receiver<io::Result<Bytes>> {
    let (sender, chunks) = mpsc::channel(CHUNKS_QUEUED);
    tokio::spawn(async move {
        let mut waited = true;
        loop {
            let mut chunk = BytesMut::new();
            let mut end = None;
            while end.is_none() && chunk.len() < CHUNK_BYTES {
                let read = if waited { Some(source.fill_buf().await) } else { source.fill_buf().now_or_never() };
                let taken = match read {
                    // Nothing more has arrived: send what there is.
                    None => break,
                    Some(Ok([])) => {
                        end = Some(Ok(()));
                        0
                    }
                    Some(Ok(available)) => {
                        let amount = available.len().min(CHUNK_BYTES - chunk.len());
                        chunk.extend_from_slice(&available[..amount]);
                        amount
                    }
                    Some(Err(error)) => {
                        end = Some(Err(error));
                        0
                    }
                };
                source.consume(taken);
                waited = false;
            }
            waited = true;
            if !chunk.is_empty() && sender.send(Ok(chunk.freeze())).await.is_err() {
                return;
            }
            match end {
                Some(Err(error)) => {
                    let _ = sender.send(Err(error)).await;
                    return;
                }
                Some(Ok(())) => return,
                None => {}
            }
        }
    });
    chunks
}

/// The channel's chunks as a `BufRead` for the synchronous reader; blocks while none is there.
#[derive(Debug)]
pub(crate) struct ChunkReader {
    chunks: mpsc::Receiver<io::Result<Bytes>>,
    current: Bytes,
    ended: bool,
}

impl ChunkReader {
    fn new(chunks: mpsc::Receiver<io::Result<Bytes>>) -> ChunkReader {
        ChunkReader { chunks, current: Bytes::new(), ended: false }
    }
}

impl ChunkReader {
    /// Waits for the next chunk (the reader asks for bytes many times per chunk, so this is apart).
    #[cold]
    fn refill(&mut self) -> io::Result<()> {
        while self.current.is_empty() && !self.ended {
            match self.chunks.blocking_recv() {
                Some(Ok(chunk)) => self.current = chunk,
                Some(Err(error)) => {
                    self.ended = true;
                    return Err(error);
                }
                None => self.ended = true,
            }
        }
        Ok(())
    }
}

impl BufRead for ChunkReader {
    #[inline]
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.current.is_empty() {
            self.refill()?;
        }
        Ok(&self.current)
    }

    #[inline]
    fn consume(&mut self, amount: usize) {
        self.current.advance(amount.min(self.current.len()));
    }
}

impl Read for ChunkReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let amount = available.len().min(out.len());
        out[..amount].copy_from_slice(&available[..amount]);
        self.consume(amount);
        Ok(amount)
    }
}
