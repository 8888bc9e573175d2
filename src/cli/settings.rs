//! Reads the settings: defaults, then the file, then `VORDERING__…` variables and `DATABASE_URL`.

use std::path::PathBuf;

use anyhow::Context as _;
use figment::providers::{Env, Format, Toml};
use figment::Figment;
use vordering::{Engine, Settings};

use super::{Context, Failure};

pub fn load(context: &Context) -> Result<Settings, Failure> {
    let mut figment = Figment::new();
    if let Some(file) = &context.config {
        if !file.exists() {
            return Err(Failure::BadInput(anyhow::anyhow!("the settings file {} does not exist", file.display())));
        }
        figment = figment.merge(Toml::file(file));
    }
    figment = figment.merge(Env::prefixed("VORDERING__").split("__"));
    if let Ok(url) = std::env::var("DATABASE_URL") {
        figment = figment.merge(("database.url", url));
    }
    let mut settings: Settings =
        figment.extract().map_err(|e| Failure::BadInput(anyhow::anyhow!("bad settings: {e}")))?;
    if settings.data_dir.is_none() {
        settings.data_dir = Some(default_data_dir());
    }
    Ok(settings)
}

/// Where the embedded default lives when nothing says otherwise.
pub fn default_data_dir() -> PathBuf {
    let root = std::env::var("USER").as_deref() == Ok("root") || std::env::var("HOME").as_deref() == Ok("/root");
    let xdg = std::env::var_os("XDG_DATA_HOME").map(PathBuf::from);
    let home = std::env::var_os("HOME").map(PathBuf::from);
    vordering::internals::embedded_pg::default_data_dir(root, xdg, home)
}

/// Loads the settings and connects the engine, saying first where the database is.
pub async fn engine(context: &Context) -> Result<Engine, Failure> {
    let settings = load(context)?;
    if settings.database.url.is_none() {
        if let Some(dir) = &settings.data_dir {
            say!("vordering: embedded database in {} (set DATABASE_URL to use your own server)", dir.display());
        }
    }
    Ok(Engine::connect(&settings).await.context("cannot open the engine")?)
}
