//! The SOAP client: one session per administration, opened lazily, reopened once on E002 and the
//! call retried; responses are handed out as streamed `Records`.

mod transport;

use chrono::NaiveDate;
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Mutex;
use tracing::{debug, info, instrument, warn};

use super::budget::{BudgetMonth, CallBudget};
use super::parse::{parse_on_thread, Head, Record, Records};
use super::records::{Administratie, Factuur, Mutatie, OpenPost, Relatie, Saldo};
use super::request::{authenticated, Envelope, FactuurFilter, MutatieFilter, RelatieFilter, SaldiFilter};
use super::{ClientSettings, Credentials, Error, Operation};

/// A client for one administration's credentials. Cheap to share by reference across tasks.
#[derive(Debug)]
pub struct Client {
    transport: transport::Transport,
    credentials: Credentials,
    source: String,
    session: Mutex<Option<SecretString>>,
}

impl Client {
    pub fn new(settings: &ClientSettings, credentials: Credentials) -> Result<Client, Error> {
        Ok(Client {
            transport: transport::Transport::new(settings)?,
            credentials,
            source: settings.source.clone(),
            session: Mutex::new(None),
        })
    }

    /// Opens a new session now (e.g. to verify a link); later calls reuse it.
    #[instrument(skip_all, fields(username = %self.credentials.username))]
    pub async fn open_session(&self) -> Result<(), Error> {
        let mut session = self.session.lock().await;
        *session = Some(self.open().await?);
        Ok(())
    }

    /// Closes the session if one is open. `Drop` cannot await, so call this at the end of an import.
    #[instrument(skip_all)]
    pub async fn close_session(&self) -> Result<(), Error> {
        let Some(session) = self.session.lock().await.take() else { return Ok(()) };
        let body = Envelope::new(Operation::CloseSession).el("SessionID", session.expose_secret()).finish();
        let source = self.transport.post(Operation::CloseSession, body).await?;
        match parse_on_thread(source, Operation::CloseSession, |xml| xml.open_result("")).await?? {
            Head::ServiceError { code, description } => {
                Err(Error::from_service(Operation::CloseSession, code, description))
            }
            Head::Found | Head::Absent => {
                debug!("closed the e-Boekhouden session");
                Ok(())
            }
        }
    }

    pub async fn get_administraties(&self) -> Result<Records<Administratie>, Error> {
        self.list(|envelope| envelope, None).await
    }

    pub async fn get_relaties(&self, filter: &RelatieFilter) -> Result<Records<Relatie>, Error> {
        self.list(|envelope| filter.write(envelope), None).await
    }

    /// The open items of the receivables (`OpSoort` `Debiteuren`).
    pub async fn get_open_posten(&self) -> Result<Records<OpenPost>, Error> {
        self.list(|envelope| envelope.el("OpSoort", "Debiteuren"), None).await
    }

    pub async fn get_facturen(&self, filter: &FactuurFilter) -> Result<Records<Factuur>, Error> {
        self.list(|envelope| filter.write(envelope), None).await
    }

    pub async fn get_saldi(&self, filter: &SaldiFilter) -> Result<Records<Saldo>, Error> {
        self.list(|envelope| filter.write(envelope), None).await
    }

    /// One GetMutaties call (at most 500 rows come back). Every attempt is counted in `budget` for the
    /// month of `today`; E003.1 from the service exhausts the budget. See `MutatieSync` for windowing.
    pub async fn get_mutaties(
        &self,
        filter: &MutatieFilter,
        budget: &dyn CallBudget,
        today: NaiveDate,
    ) -> Result<Records<Mutatie>, Error> {
        let month = BudgetMonth::of(today);
        match self.list(|envelope| filter.write(envelope), Some((budget, month))).await {
            Err(error @ Error::QuotaExceeded { .. }) => {
                budget.exhaust(month).await.map_err(Error::BudgetStore)?;
                Err(error)
            }
            other => other,
        }
    }

    /// Sends one authenticated list call; on E002 reopens the session once and sends it again.
    #[instrument(skip_all, fields(operation = %T::OPERATION))]
    async fn list<T: Record>(
        &self,
        build: impl Fn(Envelope) -> Envelope,
        budget: Option<(&dyn CallBudget, BudgetMonth)>,
    ) -> Result<Records<T>, Error> {
        let mut reopened = false;
        loop {
            if let Some((budget, month)) = budget {
                if !budget.try_spend(month).await.map_err(Error::BudgetStore)? {
                    return Err(Error::BudgetExhausted { month });
                }
            }
            let session = self.session_id().await?;
            let envelope = authenticated(T::OPERATION, session.expose_secret(), self.credentials.code_2());
            let source = self.transport.post(T::OPERATION, build(envelope).finish()).await?;
            match Records::<T>::open(source).await {
                Err(Error::SessionExpired { code, .. }) if !reopened => {
                    warn!(%code, "the e-Boekhouden session is no longer valid; reopening it once");
                    self.forget(&session).await;
                    reopened = true;
                }
                other => return other,
            }
        }
    }

    /// The current session, opened on first use.
    async fn session_id(&self) -> Result<SecretString, Error> {
        let mut session = self.session.lock().await;
        if let Some(id) = session.as_ref() {
            return Ok(id.clone());
        }
        let id = self.open().await?;
        *session = Some(id.clone());
        Ok(id)
    }

    /// Drops `stale` unless another task already replaced it.
    async fn forget(&self, stale: &SecretString) {
        let mut session = self.session.lock().await;
        if session.as_ref().is_some_and(|id| id.expose_secret() == stale.expose_secret()) {
            *session = None;
        }
    }

    async fn open(&self) -> Result<SecretString, Error> {
        let op = Operation::OpenSession;
        let body = Envelope::new(op)
            .el("Username", &self.credentials.username)
            .el("SecurityCode1", self.credentials.code_1())
            .el("SecurityCode2", self.credentials.code_2())
            .el("Source", &self.source)
            .finish();
        let source = self.transport.post(op, body).await?;
        let id = parse_on_thread(source, op, move |xml| match xml.open_result("SessionID")? {
            Head::ServiceError { code, description } => Err(Error::from_service(op, code, description)),
            Head::Absent => Err(Error::malformed(op, "OpenSession returned no SessionID")),
            Head::Found => Ok(xml.scalar_text()?.trim().to_owned()),
        })
        .await??;
        if id.is_empty() {
            return Err(Error::malformed(op, "OpenSession returned an empty SessionID"));
        }
        info!(username = %self.credentials.username, "opened an e-Boekhouden session");
        Ok(SecretString::from(id))
    }
}
