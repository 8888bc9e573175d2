//! Starting an import in the background and answering as soon as it has recorded `ImportStarted`
//! (or failed to start), so that "import now" can return the import id, or 409, right away.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{oneshot, Notify};
use tokio::task::JoinHandle;
use tracing::{info, Instrument};

use super::{Api, ApiError};
use crate::domain::{AdministrationId, ImportId};
use crate::engine::{EngineError, Refusal};
use crate::events::administration::AdministrationEvent;
use crate::import::{ImportReport, ImportRequest, Progress};

type Outcome = Result<ImportReport, EngineError>;

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

/// How long "import now" waits for this process's import of the same administration to let go
/// before answering 409. An import records its end in the log a few milliseconds before it lets
/// go of the administration; a request in that moment starts the next import instead of a 409.
const LET_GO_GRACE: Duration = Duration::from_millis(500);

/// The administrations this process imports now.
#[derive(Debug, Default)]
pub(super) struct RunningSet {
    names: Mutex<HashSet<String>>,
    /// Woken whenever an import lets go.
    freed: Notify,
}

impl RunningSet {
    /// Claims `administration` for an import; waits up to `LET_GO_GRACE` for a running one to end.
    async fn claim(&self, administration: &str) -> bool {
        let deadline = tokio::time::Instant::now() + LET_GO_GRACE;
        loop {
            let freed = self.freed.notified();
            tokio::pin!(freed);
            // Registered before looking, so a release between the look and the wait is not missed.
            freed.as_mut().enable();
            if self.names.lock().map(|mut names| names.insert(administration.to_owned())).unwrap_or(false) {
                return true;
            }
            if tokio::time::timeout_at(deadline, freed).await.is_err() {
                return false;
            }
        }
    }

    fn release(&self, administration: &str) {
        if let Ok(mut names) = self.names.lock() {
            names.remove(administration);
        }
        self.freed.notify_waiters();
    }
}

/// Releases the administration when the import task ends, however it ends.
struct RunningGuard {
    api: Api,
    administration: String,
}

impl Drop for RunningGuard {
    fn drop(&mut self) {
        self.api.running.release(&self.administration);
    }
}

impl Api {
    /// Starts `request` in the background. `ImportRunning` (409) when this process or another one
    /// imports the administration now (this process's import gets `LET_GO_GRACE` to end); the
    /// import's advisory lock answers for other processes.
    pub(super) async fn launch(&self, request: ImportRequest) -> Result<Launched, ApiError> {
        let id = request.administration.clone();
        if !self.running.claim(id.as_str()).await {
            return Err(EngineError::from(Refusal::ImportRunning(id)).into());
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
            if event.event_type == AdministrationEvent::IMPORT_STARTED {
                if let Ok(AdministrationEvent::ImportStarted { import_id, .. }) = event.decode() {
                    return Ok(import_id);
                }
            }
        }
        Err(ApiError::Internal(format!("the import of {id} started but its ImportStarted is missing")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_claim_waits_for_an_import_that_lets_go_within_the_grace() {
        let set = Arc::new(RunningSet::default());
        assert!(set.claim("a").await);
        let releasing = Arc::clone(&set);
        let release = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            releasing.release("a");
        });
        assert!(set.claim("a").await, "claimed once the running import let go");
        release.await.unwrap();
        assert!(set.claim("b").await, "another administration is free all along");
    }

    #[tokio::test]
    async fn a_claim_gives_up_after_the_grace() {
        let set = RunningSet::default();
        assert!(set.claim("a").await);
        let started = std::time::Instant::now();
        assert!(!set.claim("a").await, "the import still runs");
        assert!(started.elapsed() >= LET_GO_GRACE, "{:?}", started.elapsed());
    }
}
