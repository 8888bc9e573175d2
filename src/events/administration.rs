//! Events of the `Administration` aggregate: registration, the link to the accounting package,
//! the import schedule and the import log.

use chrono::{DateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::dunning::DunningPolicy;
use crate::domain::ImportId;

/// The only accounting package linked so far; written into `LinkEstablished` so others can follow.
pub const PACKAGE_EBOEKHOUDEN: &str = "e-boekhouden";

/// What happened to one administration (the `Administration` aggregate, id: its slug), in the past
/// tense; stored as `{"<Variant>": {…}}` with the variant name as `event_type`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum AdministrationEvent {
    /// The administration was created (CLI `administration add`, `demo`): the first event of its
    /// stream.
    AdministrationRegistered {
        /// Its display name, trimmed and never empty.
        name: String,
        /// Who registered it: the command's actor (`Metadata::actor`), trimmed and never empty.
        registered_by: String,
    },
    /// The codes were verified with the package before this was written; they live encrypted in
    /// `link_credentials` under `credentials_key_id`, never here.
    LinkEstablished {
        /// The linked accounting package: [`PACKAGE_EBOEKHOUDEN`].
        package: String,
        /// The e-Boekhouden username the codes belong to, trimmed; a rotation must give the same
        /// one.
        username: String,
        /// The id of the vault key the stored codes are encrypted with (hex of the first 6 bytes of
        /// the key's SHA-256), so a reader knows which key opens them.
        credentials_key_id: String,
        /// When the package accepted the codes (UTC), as the verifier reported it.
        verified_at: DateTime<Utc>,
    },
    /// New codes replaced the old ones; also how a broken link is repaired.
    LinkCredentialsRotated {
        /// The id of the vault key the new codes are encrypted with, as in `LinkEstablished`.
        credentials_key_id: String,
        /// When the package accepted the new codes (UTC); the link counts as unbroken from then on.
        verified_at: DateTime<Utc>,
    },
    /// The package refused the stored codes (for example E001 after a password change).
    LinkBroken {
        /// The package's error code for the refusal (`E001`, …), as it returned it; never empty.
        error_code: String,
        /// When the import that was refused ended (UTC). Only the first refusal is recorded.
        detected_at: DateTime<Utc>,
    },
    /// The link was removed (CLI `unlink`); automatic import stops and the stored codes are erased.
    LinkRemoved {
        /// Why, as the person gave it; trimmed and never empty.
        reason: String,
    },
    /// The daily import was turned on, or its time changed (CLI `auto-import on --at`).
    AutoImportEnabled {
        /// The time of day (UTC, to the minute) at or after which the scheduler runs each day's
        /// import.
        daily_at: NaiveTime,
    },
    /// The daily import was turned off (CLI `auto-import off`).
    AutoImportDisabled {
        /// Why, as the person gave it; trimmed and never empty.
        reason: String,
    },
    /// An import run began, before it read the books; it counts as running until its
    /// `ImportCompleted` or `ImportFailed`.
    ImportStarted {
        /// The run's id (UUID v7); the events the run writes carry `import:<import_id>` as their
        /// source.
        import_id: ImportId,
        /// What started the run.
        trigger: ImportTrigger,
    },
    /// The import run ended without an error; what it found wrong in single documents is in
    /// `issues`.
    ImportCompleted {
        /// The id of the run, as in its `ImportStarted`.
        import_id: ImportId,
        /// What the run added and changed.
        counts: ImportCounts,
        /// The warnings and errors on single documents or parts of the books, in the order they
        /// were found.
        issues: Vec<ImportIssue>,
    },
    /// The import run ended with an error, for example when the package refused the codes.
    ImportFailed {
        /// The id of the run, as in its `ImportStarted`.
        import_id: ImportId,
        /// The error's class, a stable snake_case word (`credentials_rejected`, `transport`,
        /// `quota`, …).
        error_kind: String,
        /// The error's text, for the import log.
        message: String,
    },
    /// The reminder schedule of this administration; replaces the previous one.
    DunningPolicySet {
        /// The new schedule, validated; it applies to every debtor without an override of its own.
        policy: DunningPolicy,
    },
}

/// What started an import run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImportTrigger {
    /// The daily scheduler, at or after the administration's `daily_at`.
    Scheduled,
    /// A person: CLI `import` or the HTTP "import now".
    Manual,
}

/// What an import added and changed, as the import log shows it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportCounts {
    /// `DebtorImported` events: relations seen for the first time.
    pub debtors_added: u64,
    /// `DebtorUpdated` events: relations that came back with new content.
    pub debtors_updated: u64,
    /// `InvoiceImported` events: new invoices.
    pub invoices_added: u64,
    /// `InvoiceCorrected` events: invoices that came back with new dates or a new amount.
    pub invoices_updated: u64,
    /// `CreditNoteImported` events: new negative invoices.
    pub credit_notes_added: u64,
    /// `PaymentReceived` events: new received payments.
    pub payments_added: u64,
    /// `PaymentLinked` events the import made, including payments that were waiting for their
    /// invoice.
    pub payments_linked: u64,
    /// `OpenAmountAdjusted` events: open amounts moved to the books' figure.
    pub open_amounts_adjusted: u64,
    /// Every debtor-account event the run appended, of all types together.
    pub events_written: u64,
    /// The issues of severity `Warning`.
    pub warnings: u64,
    /// The issues of severity `Error`.
    pub errors: u64,
}

/// A warning or a validation error on one document; the rest of the import went on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportIssue {
    /// How serious the issue is.
    pub severity: IssueSeverity,
    /// The document it concerns (`invoice F2024-001`, `relation 1042`), or empty for the whole import.
    pub document: String,
    /// What is wrong, in plain words, for the import log.
    pub message: String,
}

/// How serious an import issue is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum IssueSeverity {
    /// For a person to look at; what it concerns may be left out (a document the account refused, a
    /// call quota reached, open items that do not add up to the receivables ledger).
    Warning,
    /// A record or document that could not be read or mapped (a bad field, a payment without a
    /// known relation); it was left out.
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
