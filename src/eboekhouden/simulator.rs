//! A faithful e-Boekhouden SOAP simulator for tests, demos and benchmarks.
//!
//! It serves the read operations from a seeded, generated administration (deterministic for a seed),
//! is as strict as the service is documented to be (credentials, session expiry, the 500-row cap and
//! the monthly GetMutaties quota), injects faults per operation, switches between the response shapes
//! the service is known to send, streams responses of any size, and moves its calendar on with `advance_days`.

mod body;
mod control;
mod data;
mod draw;
mod faults;
mod kept;
mod ops;
mod render;
mod request;
mod rows;
mod soap;

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use data::{Change, ChangeAction, DocumentKind};
pub use faults::{Fault, FaultKind};
pub use kept::ResponseCounts;
pub use render::{DateShape, DoubleShape, ErrorMsgShape, Shape};
pub use request::RecordedRequest;

use super::budget::BudgetMonth;
use super::{Credentials, Operation};
use data::Model;
use draw::Draw;

/// The path of the SOAP endpoint, as on the real service.
pub const SOAP_PATH: &str = "/soap.asmx";

/// What to generate and how strict to be.
#[derive(Clone, Debug)]
pub struct SimulatorConfig {
    pub debtors: u64,
    /// Invoices and credit notes generated before the first day.
    pub invoices: u64,
    pub seed: u64,
    /// The simulator's "today" at start.
    pub start_date: NaiveDate,
    pub username: String,
    pub security_code_1: SecretString,
    pub security_code_2: SecretString,
    /// After this long a session gives E002.3.
    pub session_lifetime: Duration,
    /// GetMutaties calls allowed per calendar month (E003.1 beyond); the benchmark raises it.
    pub mutaties_quota: u32,
    /// Rows GetMutaties returns at most ("only the last 500").
    pub row_cap: usize,
    /// Refuse requests that leave out an element the manual says must be present.
    pub strict_elements: bool,
    pub shape: Shape,
    /// Port to bind on 127.0.0.1 (0: any free port).
    pub port: u16,
    /// Render each distinct list request once and serve its repeats from memory, as a server
    /// streaming a generated file would; the benchmark sets it (see `kept`).
    pub keep_rendered: bool,
}

impl SimulatorConfig {
    /// The most debtors and the most invoices a simulator generates: a thousand times the largest
    /// administration anyone benchmarks, and small enough that every number of the books fits.
    pub const MAX_SIZE: u64 = 1 << 40;

    /// An administration of `debtors` and `invoices`; the credentials are derived from the seed.
    pub fn new(debtors: u64, invoices: u64, seed: u64) -> Self {
        let mut d = Draw::new(seed, 99, 0);
        let code_1 = format!("{:016x}{:016x}", d.next(), d.next());
        let g = format!("{:016X}{:016X}", d.next(), d.next());
        let code_2 = format!("{}-{}-{}-{}-{}", &g[0..8], &g[8..12], &g[12..16], &g[16..20], &g[20..32]);
        SimulatorConfig {
            debtors,
            invoices,
            seed,
            start_date: NaiveDate::from_ymd_opt(2025, 3, 1).unwrap_or_default(),
            username: format!("sim{seed}"),
            security_code_1: code_1.into(),
            security_code_2: code_2.into(),
            session_lifetime: Duration::from_secs(30 * 60),
            mutaties_quota: 5_000,
            row_cap: 500,
            strict_elements: true,
            shape: Shape::default(),
            port: 0,
            keep_rendered: false,
        }
    }
}

#[derive(Debug)]
struct Session {
    opened: Instant,
}

/// State shared by the HTTP handlers and the handle.
#[derive(Debug)]
pub(crate) struct Shared {
    config: SimulatorConfig,
    model: RwLock<Arc<Model>>,
    shape: RwLock<Shape>,
    sessions: Mutex<HashMap<String, Session>>,
    closed: Mutex<HashSet<String>>,
    quota: Mutex<(Option<BudgetMonth>, u32)>,
    faults: Mutex<faults::Faults>,
    requests: Mutex<Vec<RecordedRequest>>,
    kept: Mutex<kept::Kept>,
}

/// Keeps the request log bounded during benchmarks.
const MAX_RECORDED: usize = 10_000;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Shared {
    fn snapshot(&self) -> Arc<Model> {
        Arc::clone(&self.model.read().unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    fn shape(&self) -> Shape {
        *self.shape.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn advance_days(&self, days: u32) -> Vec<Change> {
        let mut guard = self.model.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut next = Model::clone(&guard);
        let changes = next.advance_days(days);
        *guard = Arc::new(next);
        lock(&self.kept).forget();
        changes
    }

    fn record(&self, request: RecordedRequest) {
        let mut requests = lock(&self.requests);
        if requests.len() < MAX_RECORDED {
            requests.push(request);
        }
    }
}

/// Starts simulators.
#[derive(Debug)]
pub struct Simulator;

impl Simulator {
    /// Binds `127.0.0.1:{config.port}` and serves until the handle shuts it down.
    pub async fn start(config: SimulatorConfig) -> std::io::Result<SimulatorHandle> {
        if config.debtors.max(config.invoices) > SimulatorConfig::MAX_SIZE {
            let message = format!("a simulator holds at most {} debtors and invoices", SimulatorConfig::MAX_SIZE);
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, message));
        }
        let model = Model::new(config.seed, config.debtors, config.invoices, config.start_date);
        let shared = Arc::new(Shared {
            shape: RwLock::new(config.shape),
            model: RwLock::new(Arc::new(model)),
            sessions: Mutex::new(HashMap::new()),
            closed: Mutex::new(HashSet::new()),
            quota: Mutex::new((None, 0)),
            faults: Mutex::new(faults::Faults::default()),
            requests: Mutex::new(Vec::new()),
            kept: Mutex::new(kept::Kept::default()),
            config,
        });
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", shared.config.port)).await?;
        let addr = listener.local_addr()?;
        let app = control::router(Arc::clone(&shared));
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let served = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(error) = served.await {
                tracing::warn!(%error, "the e-Boekhouden simulator stopped with an error");
            }
        });
        tracing::info!(%addr, "e-Boekhouden simulator listening");
        Ok(SimulatorHandle { shared, addr, stop: Some(stop), task: Some(task) })
    }
}

/// A running simulator. Dropping it stops the server too.
#[derive(Debug)]
pub struct SimulatorHandle {
    shared: Arc<Shared>,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl SimulatorHandle {
    /// The SOAP endpoint URL (`http://127.0.0.1:PORT/soap.asmx`).
    pub fn endpoint(&self) -> String {
        format!("http://{}{SOAP_PATH}", self.addr)
    }

    /// The control base URL (`http://127.0.0.1:PORT/control`).
    pub fn control_url(&self) -> String {
        format!("http://{}/control", self.addr)
    }

    pub fn credentials(&self) -> Credentials {
        let config = &self.shared.config;
        Credentials::new(
            config.username.clone(),
            config.security_code_1.expose_secret().into(),
            config.security_code_2.expose_secret().into(),
        )
    }

    /// Moves the calendar on; returns the documents added or changed.
    pub fn advance_days(&self, days: u32) -> Vec<Change> {
        self.shared.advance_days(days)
    }

    pub fn today(&self) -> NaiveDate {
        self.shared.snapshot().today
    }

    pub fn inject(&self, fault: Fault) {
        lock(&self.shared.faults).add(fault);
    }

    pub fn clear_faults(&self) {
        lock(&self.shared.faults).clear();
    }

    pub fn set_shape(&self, shape: Shape) {
        *self.shared.shape.write().unwrap_or_else(std::sync::PoisonError::into_inner) = shape;
    }

    /// Every request received so far (up to 10,000), in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.requests).clone()
    }

    /// How many requests of `operation` were received.
    pub fn calls(&self, operation: Operation) -> usize {
        lock(&self.shared.requests).iter().filter(|r| r.operation == operation).count()
    }

    /// How many list responses were rendered, and how many were served from memory.
    pub fn response_counts(&self) -> ResponseCounts {
        lock(&self.shared.kept).counts
    }

    /// Stops the server and waits for it.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SimulatorHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
