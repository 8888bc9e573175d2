//! Rendered list responses kept in memory. With `SimulatorConfig::keep_rendered` the simulator
//! stands in for a server that streams a generated file: each distinct request is rendered once and
//! its repeats are served from memory, so a benchmark's importer does not share the CPU with the
//! rendering. Damaged responses are never kept, and moving the calendar on forgets them all.

use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;
use chrono::NaiveDate;

use super::render::Shape;
use super::request::RecordedRequest;
use crate::eboekhouden::Operation;

/// What makes two requests get the same answer: not the session they were sent in.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Key {
    today: NaiveDate,
    shape: Shape,
    operation: Operation,
    filter: Vec<(String, String)>,
}

impl Key {
    pub(crate) fn of(today: NaiveDate, shape: Shape, request: &RecordedRequest) -> Key {
        let filter = request
            .elements
            .iter()
            .filter(|(path, _)| path != "SessionID" && path != "SecurityCode2")
            .cloned()
            .collect();
        Key { today, shape, operation: request.operation, filter }
    }
}

/// How many list responses were rendered, and how many were served from memory instead.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ResponseCounts {
    pub rendered: u64,
    pub from_memory: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Kept {
    bodies: HashMap<Key, Arc<[Bytes]>>,
    pub(crate) counts: ResponseCounts,
}

impl Kept {
    pub(crate) fn get(&mut self, key: &Key) -> Option<Arc<[Bytes]>> {
        let body = self.bodies.get(key).cloned();
        if body.is_some() {
            self.counts.from_memory += 1;
        }
        body
    }

    pub(crate) fn keep(&mut self, key: Key, body: Arc<[Bytes]>) {
        self.bodies.insert(key, body);
    }

    pub(crate) fn forget(&mut self) {
        self.bodies.clear();
    }
}
