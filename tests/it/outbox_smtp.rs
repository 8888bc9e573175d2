//! A real SMTP server process on loopback (Python's aiosmtpd, `tests/smtp/server.py`) for the
//! outbox tests. The interpreter comes from `$VORDERING_SMTP_PYTHON` (`.ci/run` sets it to its venv);
//! without it the tests fail in CI (`CI` set) and are skipped with a note locally.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// The server process; killed (by its own handle) when dropped.
pub struct SmtpServer {
    child: Child,
    pub port: u16,
    pub dir: tempfile::TempDir,
}

/// One received message: its headers (names lowercased) and the raw text.
#[derive(Debug)]
pub struct Received {
    pub headers: Vec<(String, String)>,
    pub raw: String,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

fn python() -> Option<String> {
    match std::env::var("VORDERING_SMTP_PYTHON") {
        Ok(python) => Some(python),
        Err(_) if std::env::var_os("CI").is_some() => panic!("CI must set VORDERING_SMTP_PYTHON (see .ci/run)"),
        Err(_) => {
            eprintln!(
                "note: VORDERING_SMTP_PYTHON is not set; skipping the SMTP test (set it to a python with aiosmtpd)"
            );
            None
        }
    }
}

impl SmtpServer {
    /// Starts the server, or `None` (a skip) when no interpreter is configured locally.
    pub fn start(reject: Option<&str>) -> Option<SmtpServer> {
        let python = python()?;
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let dir = tempfile::tempdir().unwrap();
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/smtp/server.py");
        let mut command = Command::new(python);
        command.arg(script).arg("--port").arg(port.to_string()).arg("--dir").arg(dir.path());
        if let Some(reply) = reject {
            command.arg("--reject").arg(reply);
        }
        let mut child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().expect("python starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "READY", "the SMTP server did not start");
        Some(SmtpServer { child, port, dir })
    }

    /// The messages accepted so far, in order.
    pub fn received(&self) -> Vec<Received> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        files.sort();
        files.iter().map(|f| parse(&std::fs::read_to_string(f).unwrap())).collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Headers up to the first empty line, with folded lines joined.
fn parse(raw: &str) -> Received {
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in raw.lines() {
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_lowercase(), value.trim().to_owned()));
        }
    }
    Received { headers, raw: raw.to_owned() }
}
