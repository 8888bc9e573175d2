//! HTTP for the client: POST with the SOAP 1.1 headers, explicit timeouts, the body as a stream, and
//! non-200 answers turned into a SOAP fault (when the body holds one) or an HTTP status error.

use std::io;
use std::time::Duration;

use futures::StreamExt;
use reqwest::header::CONTENT_TYPE;
use tokio::io::AsyncReadExt;
use tokio_util::io::StreamReader;

use crate::eboekhouden::parse::{parse_on_thread, BodyReader};
use crate::eboekhouden::{ClientSettings, Error, Operation};

/// Only this much of an error body is read looking for a SOAP fault.
const ERROR_BODY_LIMIT: u64 = 64 * 1024;

#[derive(Debug)]
pub(super) struct Transport {
    http: reqwest::Client,
    endpoint: reqwest::Url,
    request_timeout: Duration,
    read_timeout: Duration,
}

impl Transport {
    pub(super) fn new(settings: &ClientSettings) -> Result<Transport, Error> {
        let endpoint = reqwest::Url::parse(&settings.endpoint)
            .map_err(|e| Error::Settings(format!("endpoint `{}`: {e}", settings.endpoint)))?;
        let http = reqwest::Client::builder()
            .connect_timeout(settings.connect_timeout)
            .build()
            .map_err(|e| Error::Settings(format!("HTTP client: {e}")))?;
        Ok(Transport { http, endpoint, request_timeout: settings.request_timeout, read_timeout: settings.read_timeout })
    }

    /// Sends `body` and returns the response body as a stream once a 200 arrived.
    pub(super) async fn post(&self, operation: Operation, body: String) -> Result<BodyReader, Error> {
        let request = self
            .http
            .post(self.endpoint.clone())
            .header(CONTENT_TYPE, "text/xml; charset=utf-8")
            .header("SOAPAction", operation.soap_action())
            .body(body);
        let response = tokio::time::timeout(self.request_timeout, request.send())
            .await
            .map_err(|_| Error::Timeout { operation, phase: "waiting for the response headers" })?
            .map_err(|e| request_error(operation, e))?;
        let status = response.status();
        let reader = body_reader(response, self.read_timeout);
        if status == reqwest::StatusCode::OK {
            return Ok(reader);
        }
        let limited = tokio::io::BufReader::new(reader.take(ERROR_BODY_LIMIT));
        match parse_on_thread(limited, operation, |xml| xml.open_result("")).await {
            Ok(Err(fault @ Error::SoapFault { .. })) => Err(fault),
            _ => Err(Error::HttpStatus { operation, status: status.as_u16() }),
        }
    }
}

fn request_error(operation: Operation, error: reqwest::Error) -> Error {
    if error.is_timeout() {
        return Error::Timeout { operation, phase: "connecting" };
    }
    Error::Transport { operation, records: 0, source: io::Error::other(error) }
}

/// The body as an `AsyncBufRead`; a gap longer than `idle` between chunks is a `TimedOut` error.
fn body_reader(response: reqwest::Response, idle: Duration) -> BodyReader {
    let chunks = futures::stream::unfold(Some(response.bytes_stream()), move |state| async move {
        let mut stream = state?;
        match tokio::time::timeout(idle, stream.next()).await {
            Ok(Some(Ok(bytes))) => Some((Ok(bytes), Some(stream))),
            Ok(Some(Err(error))) => Some((Err(io::Error::other(error)), None)),
            Ok(None) => None,
            Err(_) => Some((Err(io::Error::new(io::ErrorKind::TimedOut, "the response body stalled")), None)),
        }
    });
    StreamReader::new(chunks.boxed())
}
