//! One typed `Settings`, filled from defaults, then a file, then `VORDERING__…` variables (the
//! binary does the reading: the library never reads the environment).

use std::path::PathBuf;

use secrecy::SecretString;
use serde::Deserialize;

use crate::eboekhouden::ClientSettings;
use crate::import::ImportSettings;
use crate::store::PoolSettings;
use crate::webhooks::WebhookSettings;

/// Everything the engine is configured with, as `Engine::connect` takes it.
/// Every field has a default, so an empty file is valid; unknown fields are refused.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// `[database]`: the server to use, or none for the embedded default, and its pool.
    pub database: DatabaseSettings,
    /// Where the embedded default keeps its private PostgreSQL cluster and generated key.
    pub data_dir: Option<PathBuf>,
    /// `[secrets]`: the key that encrypts the stored security codes.
    pub secrets: SecretsSettings,
    /// `[eboekhouden]`: how the SOAP client reaches e-Boekhouden (endpoint, source, timeouts in
    /// milliseconds); read each time the engine makes a client.
    pub eboekhouden: ClientSettings,
    /// `[import]`: how imports read the books (terms, first-import window, call limit, page size,
    /// writers); read at each import.
    pub import: ImportSettings,
    /// `[webhooks]`: whether private targets are allowed, the receivers' timeout, the workers and
    /// the overlap of a rotated secret.
    pub webhooks: WebhookSettings,
}

/// The `[database]` section: where the events are stored. Read once, at connect.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseSettings {
    /// A PostgreSQL URL (the production path). Without one, the embedded default starts a private cluster.
    pub url: Option<SecretString>,
    /// The size and timeouts of the connection pool; the dashboard's read pool gets the same.
    pub pool: PoolSettings,
}

/// The `[secrets]` section. Without a key, the embedded default uses the key file `secrets.key` in
/// `data_dir` (generated when missing); with a configured URL, linking and importing then fail as
/// `Misconfigured`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecretsSettings {
    /// The AEAD key (64 hex characters) that encrypts stored security codes.
    pub key: Option<SecretString>,
}
