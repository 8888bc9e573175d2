//! The engine's side of the import: a SOAP client from the stored codes, the run itself, and the
//! SOAP client as the `LinkVerifier` that checks codes before a link is recorded.

use chrono::{DateTime, Utc};

use super::{Engine, EngineError, LinkRejected, LinkVerifier, Refusal};
use crate::credentials::SecurityCodes;
use crate::domain::AdministrationId;
use crate::eboekhouden::{self, Client, ClientSettings, Credentials};
use crate::import::{run_import, ImportContext, ImportError, ImportReport, ImportRequest, Progress};

impl Engine {
    /// The client settings with the endpoint replaced when one is given (`--endpoint`).
    pub fn client_settings(&self, endpoint: Option<&str>) -> ClientSettings {
        let mut settings = self.settings.eboekhouden.clone();
        if let Some(endpoint) = endpoint {
            endpoint.clone_into(&mut settings.endpoint);
        }
        settings
    }

    /// A client for a linked administration, from its stored (encrypted) codes.
    pub async fn client_for(&self, id: &AdministrationId, endpoint: Option<&str>) -> Result<Client, EngineError> {
        let (username, codes) = self.stored_credentials(id).await?;
        let credentials = Credentials::new(username, codes.code1, codes.code2);
        Ok(Client::new(&self.client_settings(endpoint), credentials)?)
    }

    /// Imports one administration now. See `crate::import` for what an import does.
    pub async fn import(
        &self,
        request: &ImportRequest,
        endpoint: Option<&str>,
        progress: &dyn Progress,
    ) -> Result<ImportReport, EngineError> {
        let id = &request.administration;
        let client = self.client_for(id, endpoint).await?;
        let context = ImportContext { pool: &self.pool, administrations: &self.administrations };
        run_import(context, &client, request, &self.settings.import, progress).await.map_err(|error| match error {
            ImportError::AlreadyRunning(id) => Refusal::ImportRunning(id).into(),
            ImportError::Package(error) => error.into(),
            ImportError::Refused(refused) => EngineError::administration_refused(id, refused),
            ImportError::Contended { aggregate_id, attempts } => {
                EngineError::Contended { record: aggregate_id, attempts }
            }
            ImportError::Store(error) => error.into(),
            other @ (ImportError::WriterStopped | ImportError::Join(_)) => EngineError::internal(other),
        })
    }
}

/// Verifies a username and codes by opening (and closing) a session with e-Boekhouden.
#[derive(Debug, Clone)]
pub struct SoapVerifier {
    /// How to reach e-Boekhouden; `Engine::client_settings` gives the engine's.
    pub settings: ClientSettings,
}

impl LinkVerifier for SoapVerifier {
    async fn verify(&self, username: &str, codes: &SecurityCodes) -> Result<DateTime<Utc>, LinkRejected> {
        let credentials = Credentials::new(username, codes.code1.clone(), codes.code2.clone());
        let client = Client::new(&self.settings, credentials).map_err(LinkRejected::Unreachable)?;
        match client.open_session().await {
            Ok(()) => {
                let _ = client.close_session().await;
                Ok(Utc::now())
            }
            Err(eboekhouden::Error::CredentialsRejected { code, description }) => {
                Err(LinkRejected::Refused { code, message: description })
            }
            Err(other) => Err(LinkRejected::Unreachable(other)),
        }
    }
}
