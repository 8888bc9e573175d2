//! Running the server binaries, as an unprivileged user when we are root.

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};

use super::EmbeddedPgError;

/// The unprivileged account the server runs as when this process is root.
#[derive(Clone, Copy, Debug)]
pub(super) struct ServerUser {
    pub uid: u32,
    pub gid: u32,
}

impl ServerUser {
    /// `None` when we are not root: then the server simply runs as us.
    pub fn for_current_process() -> Result<Option<Self>, EmbeddedPgError> {
        let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
        let entries: Vec<(&str, u32, u32)> = passwd
            .lines()
            .filter_map(|line| {
                let fields: Vec<&str> = line.split(':').collect();
                Some((*fields.first()?, fields.get(2)?.parse().ok()?, fields.get(3)?.parse().ok()?))
            })
            .collect();
        if !is_root() {
            return Ok(None);
        }
        ["postgres", "nobody"]
            .iter()
            .find_map(|name| entries.iter().find(|(n, _, _)| n == name))
            .map(|&(_, uid, gid)| Some(ServerUser { uid, gid }))
            .ok_or(EmbeddedPgError::NoServerUser)
    }
}

/// Whether the effective user is root, read from `/proc` so no unsafe `geteuid` call is needed.
fn is_root() -> bool {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1).map(|euid| euid == "0"))
        .unwrap_or(false)
}

/// Runs a server binary to completion; a non-zero exit is an error carrying its output.
pub(super) fn run(binary: &Path, args: &[&str], user: Option<&ServerUser>) -> Result<(), EmbeddedPgError> {
    let mut command = Command::new(binary);
    command.args(args).stdin(Stdio::null()).env("LC_ALL", "C");
    if let Some(user) = user {
        command.uid(user.uid).gid(user.gid).current_dir("/");
    }
    let describe = || format!("{} {}", binary.display(), args.join(" "));
    let output =
        command.output().map_err(|e| EmbeddedPgError::Command { command: describe(), detail: e.to_string() })?;
    if output.status.success() {
        return Ok(());
    }
    let detail = format!(
        "{}: {}{}",
        output.status,
        String::from_utf8_lossy(&output.stderr).trim(),
        String::from_utf8_lossy(&output.stdout).trim()
    );
    Err(EmbeddedPgError::Command { command: describe(), detail })
}
