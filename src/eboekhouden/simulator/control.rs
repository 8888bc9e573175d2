//! The HTTP surface: the SOAP endpoint and, beside it, a control API for tests and demos:
//! `POST /control/advance?days=N` (→ the changed documents as JSON), `POST /control/fault` (a `Fault`
//! as JSON), `POST /control/shape` (a `Shape` as JSON), `DELETE /control/fault`.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;

use super::{lock, soap, Change, Fault, Shape, Shared, SOAP_PATH};

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(SOAP_PATH, post(soap::handle))
        .route("/control/advance", post(advance))
        .route("/control/fault", post(inject).delete(clear))
        .route("/control/shape", post(shape))
        .with_state(shared)
}

#[derive(Debug, Deserialize)]
struct Days {
    days: u32,
}

async fn advance(State(shared): State<Arc<Shared>>, Query(days): Query<Days>) -> Json<Vec<Change>> {
    Json(shared.advance_days(days.days))
}

async fn inject(State(shared): State<Arc<Shared>>, Json(fault): Json<Fault>) -> StatusCode {
    lock(&shared.faults).add(fault);
    StatusCode::NO_CONTENT
}

async fn clear(State(shared): State<Arc<Shared>>) -> StatusCode {
    lock(&shared.faults).clear();
    StatusCode::NO_CONTENT
}

async fn shape(State(shared): State<Arc<Shared>>, Json(shape): Json<Shape>) -> StatusCode {
    *shared.shape.write().unwrap_or_else(std::sync::PoisonError::into_inner) = shape;
    StatusCode::NO_CONTENT
}
