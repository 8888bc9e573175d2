//! The embedded default: a private PostgreSQL cluster in a data directory of our own, started from
//! the installed server binaries when no database URL is configured.
//!
//! The server refuses to run as root, so as root the cluster directory is handed to the `postgres`
//! system user (or `nobody`) and the binaries run as that user. The server listens only on a Unix
//! socket inside the cluster directory, with trust authentication: nothing outside the machine can
//! reach it, and on a shared machine only users who can enter the directory can.

mod process;

use std::path::{Path, PathBuf};

use sqlx::postgres::PgConnectOptions;
use tracing::info;

use process::{run, ServerUser};

/// The socket's port number: it only names the socket file, no TCP port is opened.
const PORT: u16 = 54329;
const SUPERUSER: &str = "vordering";
pub const DATABASE: &str = "vordering";

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmbeddedPgError {
    #[error("no PostgreSQL server binaries found (looked in {looked}); install PostgreSQL or set a database URL")]
    NoBinaries { looked: String },
    #[error("cannot prepare the data directory {path}: {source}")]
    DataDir { path: PathBuf, source: std::io::Error },
    #[error("`{command}` failed: {detail}")]
    Command { command: String, detail: String },
    #[error("running as root, and no unprivileged user (`postgres` or `nobody`) exists to run the server as")]
    NoServerUser,
}

/// A running private cluster. Dropping it stops the server if this process started it.
#[derive(Debug)]
pub struct EmbeddedPostgres {
    cluster_dir: PathBuf,
    bin_dir: PathBuf,
    user: Option<ServerUser>,
    started_here: bool,
}

impl EmbeddedPostgres {
    /// Starts the cluster under `data_dir/postgres` (creating it on first use), or reuses it when it
    /// is already running.
    pub fn start(data_dir: &Path) -> Result<Self, EmbeddedPgError> {
        let bin_dir = find_bin_dir()?;
        let user = ServerUser::for_current_process()?;
        let cluster_dir = data_dir.join("postgres");
        prepare_dir(data_dir, &cluster_dir, user.as_ref())?;
        let mut cluster = EmbeddedPostgres { cluster_dir, bin_dir, user, started_here: false };
        if !cluster.cluster_dir.join("PG_VERSION").exists() {
            cluster.init()?;
        }
        if !cluster.is_running() {
            cluster.start_server()?;
            cluster.started_here = true;
        }
        Ok(cluster)
    }

    /// Leaves the server running after this value is dropped (for `vordering db start`).
    pub fn detach(mut self) {
        self.started_here = false;
    }

    pub fn cluster_dir(&self) -> &Path {
        &self.cluster_dir
    }

    /// Options for a database of this cluster, over its Unix socket.
    pub fn connect_options(&self, database: &str) -> PgConnectOptions {
        PgConnectOptions::new().socket(&self.cluster_dir).port(PORT).username(SUPERUSER).database(database)
    }

    /// The same as a URL, for tools and child processes (`DATABASE_URL`).
    pub fn url(&self, database: &str) -> String {
        format!("postgres://{SUPERUSER}@localhost:{PORT}/{database}?host={}", self.cluster_dir.display())
    }

    fn binary(&self, name: &str) -> PathBuf {
        self.bin_dir.join(name)
    }

    fn init(&self) -> Result<(), EmbeddedPgError> {
        info!(dir = %self.cluster_dir.display(), "creating a private PostgreSQL cluster");
        let dir = self.cluster_dir.display().to_string();
        let args = ["-D", &dir, "-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"];
        run(&self.binary("initdb"), &args, self.user.as_ref())
    }

    fn is_running(&self) -> bool {
        let dir = self.cluster_dir.display().to_string();
        run(&self.binary("pg_ctl"), &["status", "-D", &dir], self.user.as_ref()).is_ok()
    }

    fn start_server(&self) -> Result<(), EmbeddedPgError> {
        let dir = self.cluster_dir.display().to_string();
        let log = self.cluster_dir.join("server.log").display().to_string();
        let buffers = shared_buffers_mib(std::fs::read_to_string("/proc/meminfo").ok().as_deref());
        let options = format!("-c listen_addresses='' -k {dir} -p {PORT} -c shared_buffers={buffers}MB");
        run(
            &self.binary("pg_ctl"),
            &["start", "-w", "-t", "60", "-D", &dir, "-l", &log, "-o", &options],
            self.user.as_ref(),
        )
        .map_err(|error| with_log_tail(error, &self.cluster_dir.join("server.log")))
    }

    /// Stops the server now (fast shutdown: open transactions roll back, nothing committed is lost).
    pub fn stop(mut self) -> Result<(), EmbeddedPgError> {
        self.started_here = false;
        self.stop_server()
    }

    fn stop_server(&self) -> Result<(), EmbeddedPgError> {
        let dir = self.cluster_dir.display().to_string();
        run(&self.binary("pg_ctl"), &["stop", "-w", "-m", "fast", "-D", &dir], self.user.as_ref())
    }
}

/// The usual sizing, a quarter of the memory, within [128 MiB (PostgreSQL's default), 1 GiB]:
/// the dashboard's tables and indexes of a million invoices (their size: docs/perf/RESULTS.md,
/// "Shared buffers") then stay in the server's cache, so a lookup costs the same at a million
/// invoices as at ten thousand.
fn shared_buffers_mib(meminfo: Option<&str>) -> u64 {
    let total_kib = meminfo
        .and_then(|text| text.lines().find_map(|line| line.strip_prefix("MemTotal:")))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .unwrap_or(0);
    (total_kib / 4 / 1024).clamp(128, 1024)
}

impl Drop for EmbeddedPostgres {
    fn drop(&mut self) {
        if self.started_here {
            if let Err(error) = self.stop_server() {
                tracing::warn!(%error, "could not stop the private PostgreSQL cluster");
            }
        }
    }
}

/// Creates the database if it does not exist yet.
pub async fn ensure_database(cluster: &EmbeddedPostgres, database: &str) -> Result<(), sqlx::Error> {
    use sqlx::{ConnectOptions, Connection};
    let mut admin = cluster.connect_options("postgres").connect().await?;
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind(database)
        .fetch_one(&mut admin)
        .await?;
    if !exists {
        let quoted = database.replace('"', "\"\"");
        sqlx::query(&format!("CREATE DATABASE \"{quoted}\"")).execute(&mut admin).await?;
    }
    admin.close().await
}

/// Debian keeps the server binaries in `/usr/lib/postgresql/<version>/bin`, off the PATH; take the newest.
fn find_bin_dir() -> Result<PathBuf, EmbeddedPgError> {
    let root = Path::new("/usr/lib/postgresql");
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir(root)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Ok(bin);
    }
    let on_path =
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()).find(|p| p.join("initdb").exists());
    on_path.ok_or_else(|| EmbeddedPgError::NoBinaries { looked: format!("{}/*/bin and PATH", root.display()) })
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> EmbeddedPgError + '_ {
    move |source| EmbeddedPgError::DataDir { path: path.to_owned(), source }
}

fn prepare_dir(data_dir: &Path, cluster_dir: &Path, user: Option<&ServerUser>) -> Result<(), EmbeddedPgError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(cluster_dir).map_err(io_error(cluster_dir))?;
    if let Some(user) = user {
        // The server user must be able to enter the data directory to reach its cluster.
        std::fs::set_permissions(data_dir, std::fs::Permissions::from_mode(0o755)).map_err(io_error(data_dir))?;
        std::os::unix::fs::chown(cluster_dir, Some(user.uid), Some(user.gid)).map_err(io_error(cluster_dir))?;
    }
    std::fs::set_permissions(cluster_dir, std::fs::Permissions::from_mode(0o700)).map_err(io_error(cluster_dir))
}

fn with_log_tail(error: EmbeddedPgError, log: &Path) -> EmbeddedPgError {
    let tail = std::fs::read_to_string(log).unwrap_or_default();
    let tail: Vec<&str> = tail.lines().rev().take(5).collect();
    match error {
        EmbeddedPgError::Command { command, detail } => EmbeddedPgError::Command {
            command,
            detail: format!("{detail}; server log: {}", tail.into_iter().rev().collect::<Vec<_>>().join(" | ")),
        },
        other => other,
    }
}

/// The embedded default's data directory, from what the caller read of its environment: the
/// server runs as an unprivileged user when we are root, and that user cannot enter `/root`.
pub fn default_data_dir(running_as_root: bool, xdg_data_home: Option<PathBuf>, home: Option<PathBuf>) -> PathBuf {
    if running_as_root {
        return PathBuf::from("/var/lib/vordering");
    }
    match (xdg_data_home, home) {
        (Some(xdg), _) => xdg.join("vordering"),
        (None, Some(home)) => home.join(".local/share/vordering"),
        (None, None) => PathBuf::from(".vordering"),
    }
}

#[cfg(test)]
mod tests {
    use super::shared_buffers_mib;

    #[test]
    fn shared_buffers_are_a_quarter_of_memory_within_bounds() {
        let meminfo = |kib: u64| format!("MemFree:  1 kB\nMemTotal:       {kib} kB\n");
        assert_eq!(shared_buffers_mib(Some(&meminfo(2 * 1024 * 1024))), 512);
        assert_eq!(shared_buffers_mib(Some(&meminfo(24_684_092))), 1024);
        assert_eq!(shared_buffers_mib(Some(&meminfo(256 * 1024))), 128);
        assert_eq!(shared_buffers_mib(None), 128);
    }
}
