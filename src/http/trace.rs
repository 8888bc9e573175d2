//! One log line per request (method, full path, status, time), in whatever tracing subscriber the
//! process installed: the binary's, or the back-office server's when it embeds the router.

use std::time::Instant;

use axum::extract::{OriginalUri, Request};
use axum::middleware::Next;
use axum::response::Response;
use tracing::info;

pub async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    // Under a prefix (`nest`) the request's own URI lost it; the original one still has it.
    let path = match request.extensions().get::<OriginalUri>() {
        Some(OriginalUri(uri)) => uri.path().to_owned(),
        None => request.uri().path().to_owned(),
    };
    let started = Instant::now();
    let response = next.run(request).await;
    let millis = started.elapsed().as_millis();
    info!(target: "vordering::http", %method, path = %path, status = response.status().as_u16(), millis, "request");
    response
}
