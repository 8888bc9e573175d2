//! The daily import: every administration with automatic import on is imported once a day, at or
//! after its `daily_at` (UTC), unless an import of it already completed that day. Two servers never
//! import one administration at once: the import's advisory lock refuses the second, and the
//! scheduler takes `AlreadyRunning` as "someone else is on it".

use std::collections::HashMap;
use std::time::Duration;

use chrono::NaiveDate;
use tracing::{info, instrument, warn};

use super::{Api, ApiError};
use crate::domain::{AdministrationId, ImportId};
use crate::engine::{EngineError, Refusal};
use crate::events::administration::ImportTrigger;
use crate::events::AdministrationEvent;
use crate::import::ImportRequest;

/// What one tick did for one administration that was due.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scheduled {
    /// The import ran and completed; the id is its `import_id`.
    Completed(ImportId),
    /// It started and then failed; the import log says why. Tried again tomorrow.
    Failed(ImportId),
    /// An import of it already completed today.
    DoneToday,
    /// Another import of it runs (here or in another process).
    Busy,
    /// It could not start (link broken, codes missing, …): the message says why.
    Refused(String),
}

/// The scheduler's memory: which administrations it has seen to today.
#[derive(Debug)]
pub struct Scheduler {
    api: Api,
    handled: HashMap<AdministrationId, NaiveDate>,
}

impl Scheduler {
    /// A scheduler on `api`'s engine, clock and background tasks that has seen to nothing yet;
    /// `Api::scheduler` makes one.
    pub fn new(api: Api) -> Scheduler {
        Scheduler { api, handled: HashMap::new() }
    }

    /// Ticks every `every` until the API drains; a running import is awaited, not abandoned.
    pub async fn run(mut self, every: Duration) {
        let stopping = self.api.stopping();
        while !stopping.is_cancelled() {
            if let Err(error) = self.tick().await {
                warn!(%error, "the scheduler could not read the administrations; trying again later");
            }
            tokio::select! {
                () = tokio::time::sleep(every) => {}
                () = stopping.cancelled() => {}
            }
        }
        info!("scheduler stopped");
    }

    /// Imports, one after the other, the administrations that are due now; returns what it did.
    #[instrument(skip_all)]
    pub async fn tick(&mut self) -> Result<Vec<(AdministrationId, Scheduled)>, EngineError> {
        let mut done = Vec::new();
        for (id, _) in self.api.engine.administrations().await? {
            if self.api.stopping.is_cancelled() {
                break;
            }
            let Ok(id) = AdministrationId::new(&id) else { continue };
            let now = self.api.clock.now();
            let today = now.date_naive();
            let state = self.api.engine.administration(&id).await?;
            let due = state.auto_import_at.is_some_and(|at| now.time() >= at);
            if !due || self.handled.get(&id) == Some(&today) {
                continue;
            }
            self.handled.insert(id.clone(), today);
            let outcome =
                if self.completed_on(&id, today).await? { Scheduled::DoneToday } else { self.import(&id, today).await };
            info!(administration = %id, ?outcome, "daily import");
            done.push((id, outcome));
        }
        Ok(done)
    }

    async fn import(&self, id: &AdministrationId, today: NaiveDate) -> Scheduled {
        let request = ImportRequest {
            administration: id.clone(),
            trigger: ImportTrigger::Scheduled,
            today,
            actor: "scheduler".to_owned(),
        };
        match self.api.launch(request).await {
            Ok(launched) => {
                let import_id = launched.import_id;
                if launched.completed().await {
                    Scheduled::Completed(import_id)
                } else {
                    Scheduled::Failed(import_id)
                }
            }
            Err(ApiError::Engine(EngineError::Refused(Refusal::ImportRunning(_)))) => Scheduled::Busy,
            Err(error) => Scheduled::Refused(error.to_string()),
        }
    }

    /// Whether an import of `id` completed on `day` (UTC).
    async fn completed_on(&self, id: &AdministrationId, day: NaiveDate) -> Result<bool, EngineError> {
        let history = self.api.engine.history("Administration", id.as_str()).await?;
        Ok(history
            .iter()
            .any(|e| e.event_type == AdministrationEvent::IMPORT_COMPLETED && e.recorded_at.date_naive() == day))
    }
}
