//! Starting an import in the background and answering as soon as it has recorded `ImportStarted`
//! (or failed to start), so that "import now" can return the import id, or 409, right away.

use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tracing::{info, Instrument};

use super::{Api, ApiError};
use crate::domain::{AdministrationId, ImportId};
use crate::events::administration::AdministrationEvent;
use crate::import::{ImportError, ImportReport, ImportRequest, Progress};

type Outcome = Result<ImportReport, ImportError>;

/// The first news of an import: it started, or it ended without starting.
enum FirstNews {
    Started,
    Ended(Outcome),
}

type Herald = Arc<Mutex<Option<oneshot::Sender<FirstNews>>>>;

fn tell(herald: &Herald, news: FirstNews) -> Option<FirstNews> {
    match herald.lock().ok().and_then(|mut h| h.take()) {
        Some(sender) => sender.send(news).err(),
        None => Some(news),
    }
}

/// Sends `Started` at the import's first phase, which comes right after it recorded `ImportStarted`.
struct StartSignal(Herald);

impl Progress for StartSignal {
    fn phase(&self, _: &str) {
        let _ = tell(&self.0, FirstNews::Started);
    }
    fn parsed(&self, _: u64) {}
    fn written(&self, _: u64) {}
}

/// A started import: its id, and the task that runs it to its end (`None` when already ended).
#[derive(Debug)]
pub(super) struct Launched {
    pub import_id: ImportId,
    task: Option<JoinHandle<Option<Outcome>>>,
}

impl Launched {
    /// Waits until the import ended; whether it completed.
    pub async fn completed(self) -> bool {
        match self.task {
            Some(task) => matches!(task.await, Ok(Some(Ok(_)))),
            None => true,
        }
    }
}

/// Removes the administration from the running set when the import task ends, however it ends.
struct RunningGuard {
    api: Api,
    administration: String,
}

impl Drop for RunningGuard {
    fn drop(&mut self) {
        if let Ok(mut running) = self.api.running.lock() {
            running.remove(&self.administration);
        }
    }
}

impl Api {
    /// Starts `request` in the background. `AlreadyRunning` (409) when this process or another one
    /// imports the administration now; the import's advisory lock answers for other processes.
    pub(super) async fn launch(&self, request: ImportRequest) -> Result<Launched, ApiError> {
        let id = request.administration.clone();
        let fresh = self.running.lock().map(|mut running| running.insert(id.as_str().to_owned())).unwrap_or(false);
        if !fresh {
            return Err(ImportError::AlreadyRunning(id.to_string()).into());
        }
        let guard = RunningGuard { api: self.clone(), administration: id.as_str().to_owned() };
        let (sender, first_news) = oneshot::channel();
        let herald: Herald = Arc::new(Mutex::new(Some(sender)));
        let (engine, endpoint) = (self.engine.clone(), self.endpoint.clone());
        let span = tracing::info_span!("import", administration = %id, trigger = ?request.trigger);
        let task = self.tasks.spawn(
            async move {
                let _guard = guard;
                let result = engine.import(&request, endpoint.as_deref(), &StartSignal(herald.clone())).await;
                match &result {
                    Ok(report) => {
                        info!(import_id = %report.import_id, events = report.counts.events_written, "import completed")
                    }
                    Err(error) => info!(%error, "import ended without completing"),
                }
                // Whoever heard `Started` gets the outcome from the task; else it goes as the first news.
                match tell(&herald, FirstNews::Ended(result)) {
                    Some(FirstNews::Ended(result)) => Some(result),
                    _ => None,
                }
            }
            .instrument(span),
        );
        match first_news.await {
            Ok(FirstNews::Started) => Ok(Launched { import_id: self.last_started(&id).await?, task: Some(task) }),
            Ok(FirstNews::Ended(Ok(report))) => Ok(Launched { import_id: report.import_id, task: None }),
            Ok(FirstNews::Ended(Err(error))) => Err(error.into()),
            Err(_) => Err(ApiError::Internal("the import task ended without a word".to_owned())),
        }
    }

    /// The id of the administration's newest `ImportStarted`: while the import holds its lock, that
    /// is the one it recorded.
    async fn last_started(&self, id: &AdministrationId) -> Result<ImportId, ApiError> {
        let history = self.engine.history("Administration", id.as_str()).await?;
        for event in history.iter().rev() {
            if event.event_type == "ImportStarted" {
                if let Ok(AdministrationEvent::ImportStarted { import_id, .. }) = event.decode() {
                    return Ok(import_id);
                }
            }
        }
        Err(ApiError::Internal(format!("the import of {id} started but its ImportStarted is missing")))
    }
}
