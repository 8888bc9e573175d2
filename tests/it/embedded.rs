//! The embedded default: `vordering demo` (a small one) with nothing configured starts a private
//! cluster, works a second time, and leaves no server running when it exits; as root and as an
//! ordinary user.

use std::path::Path;
use std::process::{Command, Output};

fn demo(data_dir: &Path, as_user: Option<&str>) -> Output {
    let binary = env!("CARGO_BIN_EXE_vordering");
    let mut command = match as_user {
        Some(user) => {
            let mut c = Command::new("runuser");
            c.args(["-u", user, "--", binary]);
            c
        }
        None => Command::new(binary),
    };
    command
        .args(["demo", "--debtors", "5", "--invoices", "20", "--days", "2", "--no-serve"])
        .env_remove("DATABASE_URL")
        .env("VORDERING__DATA_DIR", data_dir)
        .env("HOME", data_dir)
        .output()
        .expect("the binary runs")
}

fn assert_demo_works_twice(data_dir: &Path, as_user: Option<&str>) {
    let first = demo(data_dir, as_user);
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(first.status.success(), "first demo failed: {stdout}\n{}", String::from_utf8_lossy(&first.stderr));
    let first_line = stdout.lines().next().unwrap_or_default();
    assert!(
        first_line.contains(&data_dir.display().to_string()),
        "the first line names the data directory: {first_line}"
    );
    assert!(stdout.contains("registered demo-bv") && stdout.contains("first import"), "{stdout}");
    assert!(!data_dir.join("postgres/postmaster.pid").exists(), "the server stopped when the demo exited");

    let second = demo(data_dir, as_user);
    let stdout = String::from_utf8_lossy(&second.stdout);
    assert!(second.status.success(), "second demo failed: {stdout}\n{}", String::from_utf8_lossy(&second.stderr));
    assert!(stdout.contains("registered demo-bv") && stdout.contains("2 days of daily imports"), "{stdout}");
}

fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(2) == Some("0"))
}

#[test]
fn demo_runs_on_its_own_private_cluster() {
    let dir = tempfile::Builder::new().prefix("vordering-embedded").tempdir_in("/tmp").unwrap();
    assert_demo_works_twice(dir.path(), None);
}

#[test]
fn demo_runs_as_an_ordinary_user_too() {
    if !running_as_root() {
        // We are the ordinary user already; the test above covers this case.
        return;
    }
    let dir = tempfile::Builder::new().prefix("vordering-nobody").tempdir_in("/tmp").unwrap();
    std::os::unix::fs::chown(dir.path(), Some(65534), Some(65534)).unwrap();
    assert_demo_works_twice(dir.path(), Some("nobody"));
}
