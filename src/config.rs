//! One typed `Settings`, filled from defaults, then a file, then `VORDERING__…` variables (the
//! binary does the reading: the library never reads the environment).

use std::path::PathBuf;

use secrecy::SecretString;
use serde::Deserialize;

use crate::eboekhouden::ClientSettings;
use crate::import::ImportSettings;
use crate::store::PoolSettings;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub database: DatabaseSettings,
    /// Where the embedded default keeps its private PostgreSQL cluster and generated key.
    pub data_dir: Option<PathBuf>,
    pub secrets: SecretsSettings,
    pub eboekhouden: ClientSettings,
    pub import: ImportSettings,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseSettings {
    /// A PostgreSQL URL (the production path). Without one, the embedded default starts a private cluster.
    pub url: Option<SecretString>,
    pub pool: PoolSettings,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecretsSettings {
    /// The AEAD key (64 hex characters) that encrypts stored security codes.
    pub key: Option<SecretString>,
}
