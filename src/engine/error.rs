//! What an engine call tells its caller when it did not succeed: a few outcomes, each handled in
//! one way, with the cause kept as the error's source. Every lower error is mapped here, once;
//! the HTTP API and the command line match on [`EngineError`]'s variants and nothing below them.

use std::time::Duration;

use crate::audit::AuditError;
use crate::credentials::CredentialsError;
use crate::domain::administration::AdministrationError;
use crate::domain::debtor_account::DebtorAccountError;
use crate::domain::{AdministrationId, LinkId};
use crate::eboekhouden;
use crate::embedded_pg::EmbeddedPgError;
use crate::outbox::OutboxError;
use crate::projections::ProjectionError;
use crate::store::{self, CommandError, StoreError};

/// Why an engine call did not succeed, named for what the caller does about it.
///
/// Match on these variants only: what is inside each is there for the message and for
/// [`std::error::Error::source`], and may grow.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// What the call names does not exist: the administration is not registered, or the
    /// administration or the debtor's account holds no such document, link, reminder or case.
    ///
    /// ### Handling
    /// Tell the person what was not found ([`NotFound::code`]; HTTP 404, the command line exits
    /// with 2). Asking again does not help.
    #[error(transparent)]
    NotFound(#[from] NotFound),

    /// A rule refused the command and nothing was written. The message is a sentence for the person
    /// who asked, and says what to do.
    ///
    /// ### Handling
    /// Show the sentence. HTTP answers 409 when the state of the record stands in the way
    /// ([`Refusal::is_conflict`]) and 422 when the input does, with [`Refusal::code`]; the command
    /// line exits with 2. Ask again only with other input, or once the state changed (an import
    /// that runs ends by itself: [`EngineError::retry_after`]).
    #[error(transparent)]
    Refused(#[from] Refusal),

    /// Other writers kept changing the same record through every retry; nothing was written.
    ///
    /// ### Handling
    /// Run the same call again after [`EngineError::retry_after`] (HTTP 503 with `Retry-After`,
    /// the command line exits with 1).
    #[error("the {record} record kept changing under {attempts} attempts; try again")]
    Contended {
        /// The record that kept changing: an aggregate id, or `projection <name>`.
        record: String,
        /// How many times the call tried.
        attempts: u32,
    },

    /// The accounting package could not be reached, or failed to answer: a timeout, an HTTP
    /// status, a SOAP fault, a malformed response, the monthly quota. Nothing was written.
    ///
    /// ### Handling
    /// Try again later (HTTP 502, the command line exits with 1). The source says what happened.
    /// A refusal of the username or codes is not this: it is [`Refusal::CredentialsRefused`].
    #[error(transparent)]
    PackageUnavailable(eboekhouden::Error),

    /// The database could not be reached: it is down or restarting, or no connection came free.
    ///
    /// ### Handling
    /// Try again after [`EngineError::retry_after`] (HTTP 503 with `Retry-After`, the command line
    /// exits with 1). A command that failed so is not known to be written, unless it says so.
    #[error("the database cannot be reached")]
    DatabaseUnavailable(#[source] sqlx::Error),

    /// The engine's settings are missing or wrong: the database URL, the data directory, the
    /// credentials key, the PostgreSQL binaries of the embedded default, the client settings.
    ///
    /// ### Handling
    /// Fix the setting the message names and start again; asking again unchanged does not help
    /// (HTTP 500 without the details, the command line exits with 2).
    #[error(transparent)]
    Misconfigured(#[from] Misconfiguration),

    /// A fault inside the engine or its database: a failed statement, a stored value that cannot be
    /// read, a task that died. Never the caller's doing.
    ///
    /// ### Handling
    /// Log it with its source chain and report a failure (HTTP 500 without the details, the command
    /// line exits with 1).
    #[error(transparent)]
    Internal(Box<dyn std::error::Error + Send + Sync>),
}

/// What a call named that does not exist.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NotFound {
    /// The administration is not registered.
    #[error("administration {0} is not registered; register it first")]
    Administration(AdministrationId),
    /// The debtor's account holds no such invoice, payment, credit note, link, reminder or case
    /// (one of the `Unknown…` refusals of [`DebtorAccountError`]).
    #[error(transparent)]
    InAccount(DebtorAccountError),
    /// No payment of this reference was imported for the administration.
    #[error("no payment {0} was imported for this administration")]
    Payment(String),
    /// No invoice or credit note of this number was imported for the administration.
    #[error("no invoice or credit note {0} was imported for this administration")]
    Invoice(String),
    /// No link of this id was made in the administration.
    #[error("no link {0} exists in this administration")]
    Link(LinkId),
    /// No webhook subscription of this id belongs to the administration.
    #[error("no webhook subscription {0} in this administration")]
    Webhook(uuid::Uuid),
    /// No delivery of this `webhook-id` belongs to the subscription.
    #[error("no webhook delivery {0} of this subscription")]
    WebhookDelivery(String),
}

impl NotFound {
    /// The stable code clients branch on.
    pub fn code(&self) -> &'static str {
        match self {
            NotFound::Administration(_) => "not_found",
            NotFound::InAccount(DebtorAccountError::UnknownInvoice(_)) | NotFound::Invoice(_) => "unknown_invoice",
            NotFound::InAccount(DebtorAccountError::UnknownPayment(_)) | NotFound::Payment(_) => "unknown_payment",
            NotFound::InAccount(DebtorAccountError::UnknownCreditNote(_)) => "unknown_credit_note",
            NotFound::InAccount(DebtorAccountError::UnknownLink { .. }) | NotFound::Link(_) => "unknown_link",
            NotFound::InAccount(DebtorAccountError::UnknownReminder(_)) => "unknown_reminder",
            NotFound::InAccount(DebtorAccountError::UnknownCase(_)) => "unknown_case",
            NotFound::InAccount(_) => "not_found",
            NotFound::Webhook(_) => "unknown_webhook",
            NotFound::WebhookDelivery(_) => "unknown_delivery",
        }
    }
}

/// Why a rule refused a command.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// The administration refused: not linked, the link broken, already linked, an invalid policy, …
    #[error(transparent)]
    Administration(AdministrationError),
    /// The debtor's account refused: over-allocation, a running 14-day term, a stale version, …
    #[error(transparent)]
    Account(DebtorAccountError),
    /// e-Boekhouden refused the username or security codes (`E001.x`); an import that met this has
    /// marked the link broken.
    #[error(
        "e-Boekhouden refused the username or security codes ({code}: {message}); the link must be reconnected: \
         run `link` with the right codes"
    )]
    CredentialsRefused {
        /// e-Boekhouden's error code (`E001.x`).
        code: String,
        /// e-Boekhouden's description of the error.
        message: String,
    },
    /// The stored codes cannot be used: none are stored, or they were sealed with another key.
    #[error(transparent)]
    CredentialsUnavailable(CredentialsError),
    /// Another import of the administration runs now, in this process or another one.
    #[error("another import of {0} is running; wait for it to finish")]
    ImportRunning(AdministrationId),
    /// A webhook URL is no place to send to: not http(s), or inside the network.
    #[error(transparent)]
    WebhookTarget(crate::webhooks::TargetRefused),
    /// A webhook subscription names a type there is none of.
    #[error(transparent)]
    UnknownEventType(crate::webhooks::UnknownEventType),
}

impl Refusal {
    /// The stable code clients branch on.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::Administration(refused) => administration_code(refused),
            Refusal::Account(refused) => account_code(refused),
            Refusal::CredentialsRefused { .. } => "credentials_refused",
            Refusal::CredentialsUnavailable(_) => "credentials_unavailable",
            Refusal::ImportRunning(_) => "import_running",
            Refusal::WebhookTarget(_) => "webhook_target_refused",
            Refusal::UnknownEventType(_) => "unknown_event_type",
        }
    }

    /// Whether the state of the record stands in the way (HTTP 409), rather than the input (422).
    pub fn is_conflict(&self) -> bool {
        match self {
            Refusal::Administration(AdministrationError::Empty(_) | AdministrationError::InvalidPolicy(_)) => false,
            Refusal::Administration(_) => true,
            Refusal::Account(
                DebtorAccountError::StaleVersion { .. }
                | DebtorAccountError::AlreadyUnlinked(_)
                | DebtorAccountError::AlreadyInCollection { .. },
            ) => true,
            Refusal::Account(_)
            | Refusal::CredentialsRefused { .. }
            | Refusal::WebhookTarget(_)
            | Refusal::UnknownEventType(_) => false,
            Refusal::CredentialsUnavailable(_) | Refusal::ImportRunning(_) => true,
        }
    }
}

fn administration_code(refused: &AdministrationError) -> &'static str {
    match refused {
        AdministrationError::NotLinked => "not_linked",
        AdministrationError::LinkBroken { .. } => "link_broken",
        AdministrationError::NotTheRunningImport(_) => "import_superseded",
        AdministrationError::AlreadyRegistered | AdministrationError::AlreadyLinked { .. } => "conflict",
        AdministrationError::OtherUsername { .. } => "other_username",
        AdministrationError::Empty(_) => "empty_field",
        AdministrationError::InvalidPolicy(_) => "invalid_policy",
        AdministrationError::NotRegistered => "not_found",
    }
}

fn account_code(refused: &DebtorAccountError) -> &'static str {
    match refused {
        DebtorAccountError::StaleVersion { .. } => "stale_version",
        DebtorAccountError::ReasonRequired => "reason_required",
        DebtorAccountError::ZeroAmount
        | DebtorAccountError::NegativeAmount { .. }
        | DebtorAccountError::AmountTooLarge { .. } => "bad_amount",
        DebtorAccountError::AlreadyUnlinked(_) => "already_unlinked",
        DebtorAccountError::OverAllocation { .. }
        | DebtorAccountError::PaymentOverAllocated { .. }
        | DebtorAccountError::CreditNoteOverAllocated { .. } => "over_allocation",
        DebtorAccountError::AlreadyInCollection { .. } => "already_in_collection",
        DebtorAccountError::TermRunning { .. } => "term_running",
        DebtorAccountError::NoFourteenDayLetter(_) => "no_fourteen_day_letter",
        DebtorAccountError::PaidWithinTerm => "paid_within_term",
        DebtorAccountError::NothingOpen(_) => "nothing_open",
        DebtorAccountError::NotOverdue { .. } => "not_overdue",
        DebtorAccountError::InvoicePaused(_) => "invoice_paused",
        _ => "rejected",
    }
}

/// A setting the engine cannot work with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Misconfiguration {
    /// The configured database URL does not parse.
    #[error("the database URL is not valid")]
    DatabaseUrl(#[source] sqlx::Error),
    /// The database refused the connection: a wrong password, a database that does not exist, …
    #[error("the database refused the connection")]
    DatabaseRefused(#[source] sqlx::Error),
    /// Neither a database URL nor a data directory for the embedded database is configured.
    #[error("no data directory is configured for the embedded database")]
    NoDataDir,
    /// The embedded database could not start.
    #[error("the embedded database could not start")]
    EmbeddedDatabase(#[source] EmbeddedPgError),
    /// The key that seals the security codes is missing, malformed or unreadable.
    #[error(transparent)]
    CredentialsKey(CredentialsError),
    /// The e-Boekhouden client settings are unusable (an endpoint that is not a URL, …).
    #[error(transparent)]
    Client(eboekhouden::Error),
}

impl EngineError {
    /// How long to wait before asking again, for the outcomes that pass by themselves.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            EngineError::Contended { .. } => Some(Duration::from_secs(1)),
            EngineError::DatabaseUnavailable(_) | EngineError::Refused(Refusal::ImportRunning(_)) => {
                Some(Duration::from_secs(5))
            }
            _ => None,
        }
    }

    /// A fault of the engine, kept as the source.
    pub(crate) fn internal(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        EngineError::Internal(Box::new(error))
    }

    /// An administration's command failed; `id` names the administration when it is not registered.
    pub(crate) fn on_administration(id: &AdministrationId, error: CommandError<AdministrationError>) -> Self {
        Self::from_command(error, |refused| Self::administration_refused(id, refused))
    }

    pub(crate) fn administration_refused(id: &AdministrationId, refused: AdministrationError) -> Self {
        match refused {
            AdministrationError::NotRegistered => NotFound::Administration(id.clone()).into(),
            refused => Refusal::Administration(refused).into(),
        }
    }

    /// The account's refusal: what it does not hold is [`NotFound`], the rest a [`Refusal`].
    pub(crate) fn account_refused(refused: DebtorAccountError) -> Self {
        match refused {
            DebtorAccountError::UnknownInvoice(_)
            | DebtorAccountError::UnknownPayment(_)
            | DebtorAccountError::UnknownCreditNote(_)
            | DebtorAccountError::UnknownLink { .. }
            | DebtorAccountError::UnknownReminder(_)
            | DebtorAccountError::UnknownCase(_) => NotFound::InAccount(refused).into(),
            refused => Refusal::Account(refused).into(),
        }
    }

    /// A command's outcome: its refusal as `refused` says, contention and store failures alike for
    /// every aggregate.
    fn from_command<E: std::error::Error>(error: CommandError<E>, refused: impl FnOnce(E) -> Self) -> Self {
        match error {
            CommandError::Rejected(error) => refused(error),
            CommandError::Contended { aggregate_id, attempts } => {
                EngineError::Contended { record: aggregate_id, attempts }
            }
            CommandError::Store(error) => error.into(),
        }
    }

    /// A database error: away (retry) or a fault.
    pub(crate) fn database(error: sqlx::Error) -> Self {
        if store::is_unavailable(&error) {
            EngineError::DatabaseUnavailable(error)
        } else {
            EngineError::internal(error)
        }
    }

    /// A failure to connect: the server is away, or it refused us (a setting is wrong).
    pub(crate) fn connect(error: sqlx::Error) -> Self {
        if store::is_unavailable(&error) {
            EngineError::DatabaseUnavailable(error)
        } else {
            Misconfiguration::DatabaseRefused(error).into()
        }
    }
}

impl From<StoreError> for EngineError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Database(error) => EngineError::database(error),
            other => EngineError::internal(other),
        }
    }
}

impl From<sqlx::Error> for EngineError {
    fn from(error: sqlx::Error) -> Self {
        EngineError::database(error)
    }
}

impl From<CommandError<DebtorAccountError>> for EngineError {
    fn from(error: CommandError<DebtorAccountError>) -> Self {
        EngineError::from_command(error, EngineError::account_refused)
    }
}

impl From<DebtorAccountError> for EngineError {
    fn from(refused: DebtorAccountError) -> Self {
        EngineError::account_refused(refused)
    }
}

impl From<CredentialsError> for EngineError {
    fn from(error: CredentialsError) -> Self {
        match error {
            CredentialsError::NotStored(_) | CredentialsError::WrongKey(..) | CredentialsError::Undecryptable(_) => {
                Refusal::CredentialsUnavailable(error).into()
            }
            CredentialsError::BadKey | CredentialsError::MissingKey | CredentialsError::KeyFile { .. } => {
                Misconfiguration::CredentialsKey(error).into()
            }
            CredentialsError::Database(error) => EngineError::database(error),
        }
    }
}

impl From<eboekhouden::Error> for EngineError {
    fn from(error: eboekhouden::Error) -> Self {
        match error {
            eboekhouden::Error::CredentialsRejected { code, description } => {
                Refusal::CredentialsRefused { code, message: description }.into()
            }
            eboekhouden::Error::Settings(_) => Misconfiguration::Client(error).into(),
            other => EngineError::PackageUnavailable(other),
        }
    }
}

impl From<ProjectionError> for EngineError {
    fn from(error: ProjectionError) -> Self {
        match error {
            ProjectionError::Store(error) => error.into(),
            ProjectionError::Database(error) => EngineError::database(error),
            ProjectionError::Busy { name } => {
                EngineError::Contended { record: format!("projection {name}"), attempts: 1 }
            }
            other => EngineError::internal(other),
        }
    }
}

impl From<AuditError> for EngineError {
    fn from(error: AuditError) -> Self {
        match error {
            AuditError::Store(error) => error.into(),
            AuditError::Database(error) => EngineError::database(error),
            AuditError::Projection(error) => error.into(),
        }
    }
}

impl From<OutboxError> for EngineError {
    fn from(error: OutboxError) -> Self {
        match error {
            OutboxError::Database(error) => EngineError::database(error),
            other => EngineError::internal(other),
        }
    }
}

impl From<EmbeddedPgError> for EngineError {
    fn from(error: EmbeddedPgError) -> Self {
        Misconfiguration::EmbeddedDatabase(error).into()
    }
}

impl From<sqlx::migrate::MigrateError> for EngineError {
    fn from(error: sqlx::migrate::MigrateError) -> Self {
        match error {
            sqlx::migrate::MigrateError::Execute(error) => EngineError::database(error),
            other => EngineError::internal(other),
        }
    }
}
