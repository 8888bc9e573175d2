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
    /// The name given at registration; `None` until `AdministrationRegistered` (not registered).
    pub name: Option<String>,
    /// The link to e-Boekhouden.nl; `None` while unlinked (never linked, or after `LinkRemoved`).
    pub link: Option<Link>,
    /// The time of day (UTC) of the daily automatic import; `None` when it is off. Unlinking turns
    /// it off.
    pub auto_import_at: Option<NaiveTime>,
    /// The import started and not yet completed or failed. A run that died stays here until the next
    /// `ImportStarted` replaces it; the engine's advisory lock, not this field, keeps imports apart.
    pub running_import: Option<ImportId>,
    /// The reminder schedule; `None` until one is set (the engine then uses the shipped default).
    pub dunning_policy: Option<DunningPolicy>,
    /// The number of events applied; UI commands may carry it as the expected version.
    pub version: u64,
}

/// The link to the accounting package (e-Boekhouden.nl) as the last verification left it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// The e-Boekhouden username the stored security codes belong to; rotating the codes keeps it.
    pub username: String,
    /// The id of the vault key that encrypted the stored codes (in `link_credentials`).
    pub credentials_key_id: String,
    /// When the package last accepted the codes (UTC).
    pub verified_at: DateTime<Utc>,
    /// The package's error code when it last refused the codes; `None` while the link works.
    pub broken: Option<String>,
}

/// Proof that the package accepted a username and codes, produced by the engine's `LinkVerifier`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedCredentials {
    /// The id of the vault key under which the engine stores the codes encrypted.
    pub credentials_key_id: String,
    /// When the package accepted the codes (UTC).
    pub verified_at: DateTime<Utc>,
}

/// What a caller asks of an administration; `decide` checks it against the state and returns the
/// events to record, or an `AdministrationError`.
#[derive(Clone, Debug, PartialEq)]
pub enum AdministrationCommand {
    /// Registers a new administration (`AdministrationRegistered`); the only command allowed before it.
    Register {
        /// The administration's display name; trimmed, and not empty.
        name: String,
        /// Who registers it (the actor); trimmed, and not empty.
        registered_by: String,
    },
    /// Links an unlinked administration to e-Boekhouden.nl (`LinkEstablished`), once the engine has
    /// verified the codes with the package.
    EstablishLink {
        /// The e-Boekhouden username; trimmed, and not empty.
        username: String,
        /// The engine's proof that the package accepted the codes.
        verified: VerifiedCredentials,
    },
    /// Records new codes for the linked user (`LinkCredentialsRotated`); this also repairs a broken
    /// link.
    RotateCredentials {
        /// The username; it must be the linked one (another user needs `RemoveLink` first).
        username: String,
        /// The engine's proof that the package accepted the new codes.
        verified: VerifiedCredentials,
    },
    /// The package refused the stored codes (`LinkBroken`); only the first report is recorded, later
    /// ones record nothing until the link is repaired.
    MarkLinkBroken {
        /// The package's error code (for example `E001`); not empty.
        error_code: String,
        /// When the import got the refusal (UTC).
        detected_at: DateTime<Utc>,
    },
    /// Unlinks the administration (`LinkRemoved`), which also turns the daily import off; the engine
    /// then erases the stored codes.
    RemoveLink {
        /// Why, in a person's words; not empty.
        reason: String,
    },
    /// Turns the daily import on (`AutoImportEnabled`); needs a link, and the same time again records
    /// nothing.
    EnableAutoImport {
        /// The time of day (UTC) after which the scheduler starts the day's import.
        daily_at: NaiveTime,
    },
    /// Turns the daily import off (`AutoImportDisabled`); records nothing when it is already off.
    DisableAutoImport {
        /// Why, in a person's words; not empty.
        reason: String,
    },
    /// Logs the start of an import run (`ImportStarted`); refused without a link or while the link is
    /// broken. It supersedes a run that died without finishing.
    StartImport {
        /// The new run's id.
        import_id: ImportId,
        /// Whether the scheduler or a person started the run.
        trigger: ImportTrigger,
    },
    /// Logs the end of the running import (`ImportCompleted`).
    CompleteImport {
        /// The run that ends; it must be the running import.
        import_id: ImportId,
        /// What the run added and changed, for the import log.
        counts: ImportCounts,
        /// The warnings and errors about single documents.
        issues: Vec<ImportIssue>,
    },
    /// Logs that the running import ended with an error (`ImportFailed`).
    FailImport {
        /// The run that failed; it must be the running import.
        import_id: ImportId,
        /// The error's stable kind (`ImportError::kind`).
        error_kind: String,
        /// The error in words, for the import log.
        message: String,
    },
    /// Sets the administration's dunning policy (`DunningPolicySet`) once it passes
    /// `DunningPolicy::validate`; the same policy again records nothing.
    SetDunningPolicy {
        /// The new policy; it replaces the previous one as a whole.
        policy: DunningPolicy,
    },
}

/// Why a command was refused, named for what the caller does about it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AdministrationError {
    /// `Register` on an administration that is already registered; use it, or register another id.
    #[error("the administration is already registered")]
    AlreadyRegistered,
    /// Any command but `Register` on an administration that does not exist; register it first.
    #[error("the administration is not registered; register it first")]
    NotRegistered,
    /// A required text (named in the variant) is empty after trimming; supply it.
    #[error("{0} must not be empty")]
    Empty(&'static str),
    /// `EstablishLink` on a linked administration; link again to rotate the codes, or unlink first.
    #[error(
        "the administration is already linked as `{username}`; run `link` again to rotate its codes, or `unlink` first"
    )]
    AlreadyLinked {
        /// The username the administration is linked as.
        username: String,
    },
    /// The command needs a link (rotating codes, marking it broken, unlinking, the daily import,
    /// starting an import); link the administration first.
    #[error("the administration is not linked; link it first")]
    NotLinked,
    /// New codes for another username than the linked one; unlink first to link another user.
    #[error("the link belongs to `{linked}`, not `{given}`; unlink first to link another user")]
    OtherUsername {
        /// The username the administration is linked as.
        linked: String,
        /// The username the command gave.
        given: String,
    },
    /// An import cannot start while the package refuses the stored codes; enter the new security
    /// codes with `link` to repair the link.
    #[error("the link is broken ({error_code}); enter the new security codes with `link` to repair it")]
    LinkBroken {
        /// The package's error code from the `LinkBroken` event (for example `E001`).
        error_code: String,
    },
    /// Completing or failing a run that is not the running import: a later run superseded it, and
    /// its outcome is not logged.
    #[error("import {0} is not the running import")]
    NotTheRunningImport(ImportId),
    /// Fix the policy file and set it again.
    #[error("the dunning policy is not valid: {0}")]
    InvalidPolicy(#[from] PolicyError),
}

impl Administration {
    /// Whether `AdministrationRegistered` was applied; every command but `Register` needs it.
    pub fn is_registered(&self) -> bool {
        self.name.is_some()
    }

    /// Folds one stored event into the state and counts it in `version`; never fails.
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
