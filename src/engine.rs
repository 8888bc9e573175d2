//! `Engine`: the embedding API. Connects (to a configured server, or to the embedded default),
//! applies the migrations, and runs commands with their metadata.

mod accounts;
mod audit;
mod collection;
mod dashboard;
mod dunning;
mod error;
mod import;
pub mod import_log;
mod labels;
mod link;
mod tokens;
mod webhooks;

pub use audit::ReplayQuery;
pub use collection::{CaseLine, CollectionPreview};
pub use dashboard::{
    AgeBucket, AgeingBoundaries, BadBoundaries, BucketRange, Cursor, DebtorDetail, DebtorLine, Dso, InvoiceFilter,
    InvoiceLine, InvoicePage, Phase, PhaseTotal, Totals,
};
pub use dunning::{AcceptHook, AfterAccept, DeliveryOptions, DeliveryReport, DunningReport};
pub use error::{EngineError, Misconfiguration, NotFound, Refusal};
pub use import::SoapVerifier;
pub use labels::{euro, Lang};
pub use link::{LinkOutcome, LinkRejected, LinkVerifier};

// The types of the engine's calls whose home is one of its internal modules.
pub use crate::audit::{Difference, InvoiceChange, InvoiceFigures, ReplayEntry, ReplayReport, Until, VerifyReport};
pub use crate::auth::TokenScope;
pub use crate::credentials::{CredentialsError, SecurityCodes, Vault};
pub use crate::delivery::{Channels, SmtpSettings};
pub use crate::eboekhouden::{ClientSettings, Error as PackageError};
pub use crate::embedded_pg::EmbeddedPgError;
pub use crate::import::{ImportReport, ImportRequest, ImportSettings, Progress, Quiet};
pub use crate::projections::{AuditRow, ImportRow};
pub use crate::store::{PoolSettings, StoredEvent};
pub use crate::webhooks::{
    AttemptLine, Created as CreatedWebhook, DeliveryLine, EventType as WebhookEventType, Notice as WebhookNotice,
    Replay as WebhookReplay, Subscription as WebhookSubscription, TargetRefused, UnknownEventType, WebhookSecret,
    WebhookSettings,
};

use std::path::Path;

use secrecy::ExposeSecret;
use sqlx::postgres::{PgConnectOptions, PgPool};
use tracing::info;

use crate::config::Settings;

use crate::domain::administration::{Administration, AdministrationCommand};
use crate::domain::AdministrationId;
use crate::embedded_pg::{self, EmbeddedPostgres};
use crate::events::Metadata;
use crate::store::{self, CommandBus};

/// Where the database lives, for the first line the binary prints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DatabaseLocation {
    /// The server of `database.url`, or the pool the caller passed to `Engine::from_pool`.
    Configured,
    /// The embedded cluster this engine started or reused.
    Embedded {
        /// The cluster's directory, `<data_dir>/postgres`.
        cluster_dir: String,
    },
}

/// The engine a back-office server embeds, and that the command line drives.
#[derive(Debug)]
pub struct Engine {
    pool: PgPool,
    /// The dashboard's statements run here (`store::readers`).
    reads: PgPool,
    administrations: CommandBus<Administration>,
    accounts: CommandBus<crate::domain::debtor_account::DebtorAccount>,
    location: DatabaseLocation,
    vault: Option<Vault>,
    settings: Settings,
    // Declared last: dropped after the pool, so the server stops once the connections are gone.
    embedded: Option<EmbeddedPostgres>,
}

impl Engine {
    /// Connects as configured: the configured URL, or else the embedded cluster in `settings.data_dir`.
    pub async fn connect(settings: &Settings) -> Result<Engine, EngineError> {
        let (options, embedded) = match &settings.database.url {
            Some(url) => {
                let options: PgConnectOptions = url.expose_secret().parse().map_err(Misconfiguration::DatabaseUrl)?;
                (options, None)
            }
            None => {
                let data_dir = settings.data_dir.as_deref().ok_or(Misconfiguration::NoDataDir)?;
                let cluster = start_embedded(data_dir).await?;
                (cluster.connect_options(embedded_pg::DATABASE), Some(cluster))
            }
        };
        let pool = store::connect(options, &settings.database.pool).await.map_err(EngineError::connect)?;
        let location = match &embedded {
            Some(cluster) => DatabaseLocation::Embedded { cluster_dir: cluster.cluster_dir().display().to_string() },
            None => DatabaseLocation::Configured,
        };
        let vault = match (&settings.secrets.key, &embedded, &settings.data_dir) {
            (Some(key), _, _) => Some(Vault::from_hex(key)?),
            (None, Some(_), Some(data_dir)) => Some(Vault::from_key_file(&data_dir.join("secrets.key"))?),
            // A configured server without a key: linking says what is missing when it is asked for.
            _ => None,
        };
        let mut engine = Engine::from_pool(pool).await?;
        engine.location = location;
        engine.embedded = embedded;
        engine.vault = vault;
        engine.settings = settings.clone();
        Ok(engine)
    }

    /// Uses a pool the caller built (tests, an embedding server); applies the migrations and
    /// rebuilds the projections an older binary built.
    pub async fn from_pool(pool: PgPool) -> Result<Engine, EngineError> {
        crate::MIGRATOR.run(&pool).await?;
        let stale = crate::projections::ensure(&pool).await?;
        crate::projections::rebuild_stale(&pool, &stale).await?;
        Ok(Engine {
            administrations: CommandBus::new(pool.clone()),
            accounts: CommandBus::new(pool.clone()),
            reads: store::readers(&pool),
            pool,
            location: DatabaseLocation::Configured,
            vault: None,
            settings: Settings::default(),
            embedded: None,
        })
    }

    /// Replaces the settings the engine reads (client, import); the database ones are used at connect.
    pub fn with_settings(mut self, settings: Settings) -> Self {
        self.settings = settings;
        self
    }

    /// Sets the key that encrypts stored security codes.
    pub fn with_vault(mut self, vault: Vault) -> Self {
        self.vault = Some(vault);
        self
    }

    /// The main connection pool: commands, stored events and tokens; `http::serve` runs the
    /// projections on it too.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The pool the dashboard's queries use: the same database, sessions that keep one plan per
    /// statement.
    pub fn reads(&self) -> &PgPool {
        &self.reads
    }

    /// Where the database is: the configured server or the embedded cluster.
    pub fn location(&self) -> &DatabaseLocation {
        &self.location
    }

    /// Runs one command on an administration.
    pub async fn administration_command(
        &self,
        id: &AdministrationId,
        command: AdministrationCommand,
        metadata: &Metadata,
    ) -> Result<(), EngineError> {
        self.administrations
            .execute(id.as_str(), command, metadata)
            .await
            .map_err(|error| EngineError::on_administration(id, error))
    }

    /// The folded state of one administration (the default state when it is not registered).
    pub async fn administration(&self, id: &AdministrationId) -> Result<Administration, EngineError> {
        let mut loaded = store::load_many::<Administration>(&self.pool, &[id.as_str().to_owned()]).await?;
        Ok(loaded.remove(id.as_str()).map(|l| l.state).unwrap_or_default())
    }

    /// Every registered administration's id and name.
    pub async fn administrations(&self) -> Result<Vec<(String, String)>, EngineError> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT aggregate_id, payload -> 'AdministrationRegistered' ->> 'name' FROM events \
             WHERE aggregate_type = 'Administration' AND event_type = 'AdministrationRegistered' ORDER BY aggregate_id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    /// One aggregate's stored events in order, with their metadata.
    pub async fn history(&self, aggregate_type: &str, aggregate_id: &str) -> Result<Vec<StoredEvent>, EngineError> {
        Ok(store::stream_of(&self.pool, aggregate_type, aggregate_id).await?)
    }

    /// Closes the pools, then stops the embedded server if this engine started it.
    pub async fn shutdown(self) {
        self.reads.close().await;
        self.pool.close().await;
        drop(self.embedded);
    }
}

async fn start_embedded(data_dir: &Path) -> Result<EmbeddedPostgres, EngineError> {
    let data_dir = data_dir.to_owned();
    let cluster = tokio::task::spawn_blocking(move || EmbeddedPostgres::start(&data_dir))
        .await
        .map_err(EngineError::internal)??;
    embedded_pg::ensure_database(&cluster, embedded_pg::DATABASE).await.map_err(EngineError::connect)?;
    info!(cluster = %cluster.cluster_dir().display(), "embedded database ready");
    Ok(cluster)
}
