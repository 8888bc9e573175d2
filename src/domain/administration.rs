//! The `Administration` aggregate: one set of books, its link to the accounting package, the
//! daily import schedule and the import log.
//!
//! I/O stays outside: the engine verifies credentials with the package (`LinkVerifier`) before it
//! issues `EstablishLink` or `RotateCredentials`, and the aggregate only records the verified result.

mod decide;
#[cfg(test)]
mod tests;

use chrono::{DateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::dunning::{DunningPolicy, PolicyError};
use crate::domain::ImportId;
use crate::events::administration::{AdministrationEvent, ImportCounts, ImportIssue, ImportTrigger};

pub use decide::decide;

/// The folded state of one administration.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Administration {
    pub name: Option<String>,
    pub link: Option<Link>,
    pub auto_import_at: Option<NaiveTime>,
    pub running_import: Option<ImportId>,
    /// The reminder schedule; `None` until one is set (the engine then uses the shipped default).
    pub dunning_policy: Option<DunningPolicy>,
    /// The number of events applied; UI commands may carry it as the expected version.
    pub version: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub username: String,
    pub credentials_key_id: String,
    pub verified_at: DateTime<Utc>,
    /// The package's error code when it last refused the codes; `None` while the link works.
    pub broken: Option<String>,
}

/// Proof that the package accepted a username and codes, produced by the engine's `LinkVerifier`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedCredentials {
    pub credentials_key_id: String,
    pub verified_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum AdministrationCommand {
    Register { name: String, registered_by: String },
    EstablishLink { username: String, verified: VerifiedCredentials },
    RotateCredentials { username: String, verified: VerifiedCredentials },
    MarkLinkBroken { error_code: String, detected_at: DateTime<Utc> },
    RemoveLink { reason: String },
    EnableAutoImport { daily_at: NaiveTime },
    DisableAutoImport { reason: String },
    StartImport { import_id: ImportId, trigger: ImportTrigger },
    CompleteImport { import_id: ImportId, counts: ImportCounts, issues: Vec<ImportIssue> },
    FailImport { import_id: ImportId, error_kind: String, message: String },
    SetDunningPolicy { policy: DunningPolicy },
}

/// Why a command was refused, named for what the caller does about it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AdministrationError {
    #[error("the administration is already registered")]
    AlreadyRegistered,
    #[error("the administration is not registered; register it first")]
    NotRegistered,
    #[error("{0} must not be empty")]
    Empty(&'static str),
    #[error(
        "the administration is already linked as `{username}`; run `link` again to rotate its codes, or `unlink` first"
    )]
    AlreadyLinked { username: String },
    #[error("the administration is not linked; link it first")]
    NotLinked,
    #[error("the link belongs to `{linked}`, not `{given}`; unlink first to link another user")]
    OtherUsername { linked: String, given: String },
    #[error("the link is broken ({error_code}); enter the new security codes with `link` to repair it")]
    LinkBroken { error_code: String },
    #[error("import {0} is not the running import")]
    NotTheRunningImport(ImportId),
    /// Fix the policy file and set it again.
    #[error("the dunning policy is not valid: {0}")]
    InvalidPolicy(#[from] PolicyError),
}

impl Administration {
    pub fn is_registered(&self) -> bool {
        self.name.is_some()
    }

    pub fn apply_event(&mut self, event: AdministrationEvent) {
        use AdministrationEvent as E;
        self.version += 1;
        match event {
            E::AdministrationRegistered { name, .. } => self.name = Some(name),
            E::LinkEstablished { username, credentials_key_id, verified_at, .. } => {
                self.link = Some(Link { username, credentials_key_id, verified_at, broken: None });
            }
            E::LinkCredentialsRotated { credentials_key_id, verified_at } => {
                if let Some(link) = &mut self.link {
                    link.credentials_key_id = credentials_key_id;
                    link.verified_at = verified_at;
                    link.broken = None;
                }
            }
            E::LinkBroken { error_code, .. } => {
                if let Some(link) = &mut self.link {
                    link.broken = Some(error_code);
                }
            }
            E::LinkRemoved { .. } => {
                self.link = None;
                self.auto_import_at = None;
            }
            E::AutoImportEnabled { daily_at } => self.auto_import_at = Some(daily_at),
            E::AutoImportDisabled { .. } => self.auto_import_at = None,
            E::ImportStarted { import_id, .. } => self.running_import = Some(import_id),
            E::ImportCompleted { .. } | E::ImportFailed { .. } => self.running_import = None,
            E::DunningPolicySet { policy } => self.dunning_policy = Some(policy),
        }
    }
}

impl cqrs_es::Aggregate for Administration {
    const TYPE: &'static str = "Administration";
    type Command = AdministrationCommand;
    type Event = AdministrationEvent;
    type Error = AdministrationError;
    type Services = ();

    async fn handle(
        &mut self,
        command: Self::Command,
        _services: &Self::Services,
        sink: &cqrs_es::event_sink::EventSink<Self>,
    ) -> Result<(), Self::Error> {
        for event in decide(self, command)? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        self.apply_event(event);
    }
}
