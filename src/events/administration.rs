//! Events of the `Administration` aggregate: registration, the link to the accounting package,
//! the import schedule and the import log.

use chrono::{DateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::dunning::DunningPolicy;
use crate::domain::ImportId;

/// The only accounting package linked so far; written into `LinkEstablished` so others can follow.
pub const PACKAGE_EBOEKHOUDEN: &str = "e-boekhouden";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum AdministrationEvent {
    AdministrationRegistered {
        name: String,
        registered_by: String,
    },
    /// The codes were verified with the package before this was written; they live encrypted in
    /// `link_credentials` under `credentials_key_id`, never here.
    LinkEstablished {
        package: String,
        username: String,
        credentials_key_id: String,
        verified_at: DateTime<Utc>,
    },
    /// New codes replaced the old ones; also how a broken link is repaired.
    LinkCredentialsRotated {
        credentials_key_id: String,
        verified_at: DateTime<Utc>,
    },
    /// The package refused the stored codes (for example E001 after a password change).
    LinkBroken {
        error_code: String,
        detected_at: DateTime<Utc>,
    },
    LinkRemoved {
        reason: String,
    },
    AutoImportEnabled {
        daily_at: NaiveTime,
    },
    AutoImportDisabled {
        reason: String,
    },
    ImportStarted {
        import_id: ImportId,
        trigger: ImportTrigger,
    },
    ImportCompleted {
        import_id: ImportId,
        counts: ImportCounts,
        issues: Vec<ImportIssue>,
    },
    ImportFailed {
        import_id: ImportId,
        error_kind: String,
        message: String,
    },
    /// The reminder schedule of this administration; replaces the previous one.
    DunningPolicySet {
        policy: DunningPolicy,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImportTrigger {
    Scheduled,
    Manual,
}

/// What an import added and changed, as the import log shows it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportCounts {
    pub debtors_added: u64,
    pub debtors_updated: u64,
    pub invoices_added: u64,
    pub invoices_updated: u64,
    pub credit_notes_added: u64,
    pub payments_added: u64,
    pub payments_linked: u64,
    pub open_amounts_adjusted: u64,
    pub events_written: u64,
    pub warnings: u64,
    pub errors: u64,
}

/// A warning or a validation error on one document; the rest of the import went on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportIssue {
    pub severity: IssueSeverity,
    /// The document it concerns (`invoice F2024-001`, `relation 1042`), or empty for the whole import.
    pub document: String,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum IssueSeverity {
    Warning,
    Error,
}

event_names!(AdministrationEvent {
    AdministrationRegistered => ADMINISTRATION_REGISTERED,
    LinkEstablished => LINK_ESTABLISHED,
    LinkCredentialsRotated => LINK_CREDENTIALS_ROTATED,
    LinkBroken => LINK_BROKEN,
    LinkRemoved => LINK_REMOVED,
    AutoImportEnabled => AUTO_IMPORT_ENABLED,
    AutoImportDisabled => AUTO_IMPORT_DISABLED,
    ImportStarted => IMPORT_STARTED,
    ImportCompleted => IMPORT_COMPLETED,
    ImportFailed => IMPORT_FAILED,
    DunningPolicySet => DUNNING_POLICY_SET,
});

impl AdministrationEvent {
    /// The events an administration's import log is read from.
    pub const IMPORT_LOG: [&'static str; 3] = [Self::IMPORT_STARTED, Self::IMPORT_COMPLETED, Self::IMPORT_FAILED];
}

/// An administration's events import no documents.
impl super::DocumentKeyed for AdministrationEvent {
    fn document_key(&self) -> Option<&str> {
        None
    }
}

impl cqrs_es::DomainEvent for AdministrationEvent {
    fn event_type(&self) -> String {
        self.name().to_owned()
    }

    fn event_version(&self) -> String {
        "1.0".to_owned()
    }
}
