//! Linking an administration to its accounting package: verify the codes with the package first
//! (I/O outside the aggregate), store them encrypted, then record the verified result.

use std::future::Future;

use chrono::{DateTime, Utc};

use super::{Engine, EngineError, Refusal};
use crate::credentials::{CredentialsError, SecurityCodes, Vault};
use crate::domain::administration::{decide, AdministrationCommand, VerifiedCredentials};
use crate::domain::AdministrationId;
use crate::eboekhouden;
use crate::events::Metadata;

/// Checks a username and its codes with the accounting package (the SOAP client's `OpenSession`).
pub trait LinkVerifier: Send + Sync {
    /// When the package accepted the codes, or why it did not.
    fn verify(
        &self,
        username: &str,
        codes: &SecurityCodes,
    ) -> impl Future<Output = Result<DateTime<Utc>, LinkRejected>> + Send;
}

/// Why the package did not accept a username and its codes.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LinkRejected {
    /// The package refused the codes (e-Boekhouden `E001.x`): the user must enter the right ones.
    #[error("the package refused the username or security codes ({code}): {message}")]
    Refused {
        /// The package's error code (`E001.x`).
        code: String,
        /// The package's description of the error.
        message: String,
    },
    /// The package could not be asked; nothing was changed, try again later.
    #[error("the package could not be reached")]
    Unreachable(#[source] eboekhouden::Error),
}

impl From<LinkRejected> for EngineError {
    fn from(rejected: LinkRejected) -> Self {
        match rejected {
            LinkRejected::Refused { code, message } => Refusal::CredentialsRefused { code, message }.into(),
            LinkRejected::Unreachable(error) => error.into(),
        }
    }
}

/// Whether `link` created the link or replaced the codes of an existing one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkOutcome {
    /// The administration was not linked: `LinkEstablished` was recorded.
    Established,
    /// The administration was linked (or its link broken): `LinkCredentialsRotated` was recorded.
    Rotated,
}

impl Engine {
    /// Verifies the codes, stores them encrypted and records `LinkEstablished`, or, on a linked
    /// administration, `LinkCredentialsRotated` (which also repairs a broken link).
    pub async fn link(
        &self,
        id: &AdministrationId,
        username: &str,
        codes: &SecurityCodes,
        verifier: &impl LinkVerifier,
        metadata: &Metadata,
    ) -> Result<LinkOutcome, EngineError> {
        let vault = self.vault()?;
        let state = self.administration(id).await?;
        let probe =
            VerifiedCredentials { credentials_key_id: vault.key_id().to_owned(), verified_at: metadata.recorded_at };
        let (outcome, command) = match state.link {
            None => (
                LinkOutcome::Established,
                AdministrationCommand::EstablishLink { username: username.to_owned(), verified: probe },
            ),
            Some(_) => (
                LinkOutcome::Rotated,
                AdministrationCommand::RotateCredentials { username: username.to_owned(), verified: probe },
            ),
        };
        // Refuse before asking the package or touching the stored codes when the answer is already no.
        decide(&state, command.clone()).map_err(|refused| EngineError::administration_refused(id, refused))?;
        let verified_at = verifier.verify(username, codes).await?;
        vault.store(&self.pool, id, username, codes).await?;
        let command = match command {
            AdministrationCommand::EstablishLink { username, verified } => AdministrationCommand::EstablishLink {
                username,
                verified: VerifiedCredentials { verified_at, ..verified },
            },
            AdministrationCommand::RotateCredentials { username, verified } => {
                AdministrationCommand::RotateCredentials {
                    username,
                    verified: VerifiedCredentials { verified_at, ..verified },
                }
            }
            other => other,
        };
        self.administration_command(id, command, metadata).await?;
        Ok(outcome)
    }

    /// Records `LinkRemoved` and erases the stored codes.
    pub async fn unlink(&self, id: &AdministrationId, reason: &str, metadata: &Metadata) -> Result<(), EngineError> {
        let command = AdministrationCommand::RemoveLink { reason: reason.to_owned() };
        self.administration_command(id, command, metadata).await?;
        Vault::erase(&self.pool, id).await?;
        Ok(())
    }

    /// The stored username and codes of a linked administration, for the importer.
    pub async fn stored_credentials(&self, id: &AdministrationId) -> Result<(String, SecurityCodes), EngineError> {
        Ok(self.vault()?.load(&self.pool, id).await?)
    }

    /// The key that seals the stored codes and the webhooks' secrets.
    pub(super) fn vault(&self) -> Result<&Vault, EngineError> {
        self.vault.as_ref().ok_or_else(|| CredentialsError::MissingKey.into())
    }
}
