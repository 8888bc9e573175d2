//! What the run happened on: cores, memory, load, PostgreSQL settings, and CPU used by other processes.

use std::collections::HashMap;

use serde::Serialize;
use sqlx::PgPool;

#[derive(Debug, Serialize)]
pub struct Machine {
    pub nproc: usize,
    pub cpu: String,
    pub memory_kib: u64,
    pub loadavg_before: String,
    pub loadavg_after: String,
    pub postgres: HashMap<String, String>,
}

pub async fn describe(pool: &PgPool) -> Machine {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|s| s.trim_start_matches([' ', '\t', ':']).to_owned());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let memory_kib = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    let mut postgres = HashMap::new();
    for setting in [
        "server_version",
        "shared_buffers",
        "synchronous_commit",
        "fsync",
        "wal_sync_method",
        "max_wal_size",
        "full_page_writes",
    ] {
        let value: Option<String> = sqlx::query_scalar(&format!("SHOW {setting}")).fetch_one(pool).await.ok();
        postgres.insert(setting.to_owned(), value.unwrap_or_default());
    }
    Machine {
        nproc: std::thread::available_parallelism().map_or(1, usize::from),
        cpu: cpu.unwrap_or_default(),
        memory_kib,
        loadavg_before: loadavg(),
        loadavg_after: String::new(),
        postgres,
    }
}

pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim().to_owned()
}

/// CPU ticks per process, to find processes other than this one and PostgreSQL that were busy.
pub struct CpuSample {
    at: std::time::Instant,
    ticks: HashMap<u32, (String, u64)>,
}

pub fn sample() -> CpuSample {
    let mut ticks = HashMap::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
        // The command name is in parentheses and may hold spaces; the counters follow the last `)`.
        let Some((head, tail)) = stat.rsplit_once(')') else { continue };
        let name = head.split_once('(').map_or("", |(_, n)| n).to_owned();
        let fields: Vec<&str> = tail.split_whitespace().collect();
        let used = fields.get(11).and_then(|u| u.parse::<u64>().ok()).unwrap_or(0)
            + fields.get(12).and_then(|s| s.parse::<u64>().ok()).unwrap_or(0);
        ticks.insert(pid, (name, used));
    }
    CpuSample { at: std::time::Instant::now(), ticks }
}

/// Processes (other than us and PostgreSQL) that used more than 20 % of a CPU between the samples.
/// Ours are named `perfbench`, or `perfbench-<hash>` (cut to 15 bytes) as `cargo bench` builds them.
pub fn foreign_busy(before: &CpuSample, after: &CpuSample) -> Vec<String> {
    let own = std::process::id();
    let seconds = after.at.duration_since(before.at).as_secs_f64().max(0.001);
    let ticks_per_second = 100.0;
    after
        .ticks
        .iter()
        .filter(|(pid, (name, _))| **pid != own && name != "postgres" && !is_perfbench(name))
        .filter_map(|(pid, (name, used))| {
            let earlier = before.ticks.get(pid).map_or(0, |(_, t)| *t);
            let share = (used.saturating_sub(earlier)) as f64 / ticks_per_second / seconds;
            (share > 0.2).then(|| format!("{name}[{pid}] {:.0}%", share * 100.0))
        })
        .collect()
}

/// Whether a process's command name is a perfbench executable's.
fn is_perfbench(name: &str) -> bool {
    name == "perfbench" || name.starts_with("perfbench-")
}
