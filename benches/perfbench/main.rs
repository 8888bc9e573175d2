//! `perfbench`: every performance goal (G1–G7) as a ratio to a limit measured in the same run on
//! the same machine, so machine speed cancels out. Prints a table and writes JSON.
//!
//! Without `DATABASE_URL` it starts the embedded private cluster, like `vordering demo`.

mod commands;
mod data;
mod denominators;
mod import;
mod machine;
mod parse;
mod read_side;
mod report;

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context as _;
use clap::Parser;
use serde::Serialize;
use sqlx::postgres::{PgConnectOptions, PgPool};
use vordering::embedded_pg::{self, EmbeddedPostgres};
use vordering::events::Metadata;
use vordering::store::{self, PendingAppend, PoolSettings};

use data::{BenchAccount, EVENTS_PER_AGGREGATE};
use report::{Direction, GoalResult};

#[derive(Debug, Parser)]
#[command(about = "Measures the performance goals as ratios to limits measured in the same run")]
struct Args {
    /// Events written by the write measurements (a multiple of 4).
    #[arg(long, default_value_t = 100_000)]
    size: usize,
    /// Invoices of the large administration of the read-side goals (G2–G4 ask for 1,000,000; 0 skips them).
    #[arg(long, default_value_t = 100_000)]
    read_invoices: usize,
    /// Closed-loop seconds per dashboard query (G4 asks for 5).
    #[arg(long, default_value_t = 5.0)]
    query_seconds: f64,
    /// Where the JSON report goes.
    #[arg(long, default_value = "target/perf/report.json")]
    out: PathBuf,
    /// Exit 0 even when a goal is missed by more than 10 % without foreign load.
    #[arg(long)]
    warn_only: bool,
    /// Leave out the parse goals (their 1 GB response takes about 20 s).
    #[arg(long)]
    skip_parse: bool,
    /// Leave out the import goals (G1 end to end, G5 import RSS, G6 import growth).
    #[arg(long)]
    skip_import: bool,
    /// Invoices of the import goals (debtors: a tenth).
    #[arg(long, default_value_t = 100_000)]
    invoices: u64,
    /// A second, larger import size for the growth goal (G6), e.g. 1000000.
    #[arg(long)]
    invoices2: Option<u64>,
    /// Invoices of the large import whose peak RSS is measured (G5-import-rss), against a tenth of it.
    #[arg(long, default_value_t = 200_000)]
    rss_invoices: u64,
    /// Size the RSS import by its GetOpenPosten response instead (G5 asks for 1000000000).
    #[arg(long, conflicts_with = "rss_invoices")]
    rss_bytes: Option<u64>,
    /// The throwaway database the run drops and creates (lowercase letters, digits and `_`).
    #[arg(long, default_value = "vordering_perfbench", value_parser = database_name)]
    database: String,
}

fn database_name(name: &str) -> Result<String, String> {
    let plain = !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    plain.then(|| name.to_owned()).ok_or_else(|| format!("`{name}` is not a plain database name"))
}

/// Runs of each measurement; the median is reported.
pub(crate) const RUNS: usize = 3;
/// Rows for `L_commit`: enough for a stable rate, few enough to take a second.
const COMMIT_ROWS: usize = 2_000;

#[derive(Debug, Serialize)]
struct Report {
    machine: machine::Machine,
    foreign_load: bool,
    foreign_processes: Vec<String>,
    denominators: Vec<(String, f64, String)>,
    results: Vec<GoalResult>,
    /// The import measurements behind the import goals, with the live-rendering figure beside.
    imports: Vec<import::Figures>,
}

fn main() -> anyhow::Result<std::process::ExitCode> {
    let raw: Vec<String> = std::env::args().collect();
    let runtime = tokio::runtime::Runtime::new()?;
    // The memory goals re-invoke this binary as a child that only parses, so its peak RSS is its own.
    if raw.get(1).map(String::as_str) == Some("parse-only") {
        runtime.block_on(parse::parse_only_main(&raw[2..])).map_err(|e| anyhow::anyhow!("{e}"))?;
        return Ok(std::process::ExitCode::SUCCESS);
    }
    if raw.get(1).map(String::as_str) == Some("parse-goals") {
        runtime.block_on(parse::goals_main());
        return Ok(std::process::ExitCode::SUCCESS);
    }
    if raw.get(1).map(String::as_str) == Some("import-only") {
        runtime.block_on(import::import_only_main(&raw[2..]))?;
        return Ok(std::process::ExitCode::SUCCESS);
    }
    if raw.get(1).map(String::as_str) == Some("import-profile") {
        tracing_subscriber::fmt().with_env_filter(std::env::var("VORDERING_LOG").unwrap_or_default()).init();
        runtime.block_on(import::import_profile_main(&raw[2..]))?;
        return Ok(std::process::ExitCode::SUCCESS);
    }
    if raw.get(1).map(String::as_str) == Some("read-queries") {
        // Re-measures G4 and G3 on the data a previous run left in the benchmark database.
        let runtime = if std::env::var_os("PERFBENCH_CURRENT_THREAD").is_some() {
            tokio::runtime::Builder::new_current_thread().enable_all().build()?
        } else {
            runtime
        };
        runtime.block_on(read_side::queries_only(&raw[2..]))?;
        return Ok(std::process::ExitCode::SUCCESS);
    }
    let args = Args::parse();
    let filter = std::env::var("VORDERING_LOG").unwrap_or_else(|_| "warn".to_owned());
    tracing_subscriber::fmt().with_writer(std::io::stderr).with_env_filter(filter).init();
    runtime.block_on(run(args))
}

async fn run(args: Args) -> anyhow::Result<std::process::ExitCode> {
    let (pool, url, _cluster) = connect(&args.database).await?;
    vordering::MIGRATOR.run(&pool).await.context("migrating the benchmark database")?;
    let mut machine = machine::describe(&pool).await;
    let mut foreign = Vec::new();
    let metadata = serde_json::to_string(&Metadata::new("perfbench", "perfbench", chrono::Utc::now()).to_map())?;
    let size = args.size - args.size % EVENTS_PER_AGGREGATE;
    let (rows, _) = data::rows(size, &metadata);

    let l_commit = measure(&mut foreign, || async {
        denominators::reset(&pool).await?;
        denominators::commit(&pool, &rows[..COMMIT_ROWS.min(rows.len())], &metadata).await
    })
    .await?;
    let l_batch = measure(&mut foreign, || async {
        denominators::reset(&pool).await?;
        denominators::batch(&pool, &rows, &metadata).await
    })
    .await?;
    let l_copy = measure(&mut foreign, || async {
        denominators::reset(&pool).await?;
        denominators::copy(&pool, &rows, &metadata).await
    })
    .await?;
    let bulk = measure(&mut foreign, || async {
        denominators::reset(&pool).await?;
        bulk_append(&pool, size).await
    })
    .await?;
    // The log now holds `size` events written by the bulk path: read them back.
    let l_read = measure(&mut foreign, || denominators::read(&pool)).await?;

    commands::prepare(&pool).await?;
    let l_commit8 = measure(&mut foreign, || commands::commit8(&pool)).await?;
    let before = machine::sample();
    let command_goals = commands::goals(&pool, l_commit, l_commit8).await?;
    foreign.extend(machine::foreign_busy(&before, &machine::sample()));

    let mut results =
        vec![GoalResult::new("G1-bulk-append", bulk, "events/s", "L_copy", l_copy, 0.5, Direction::AtLeast)];
    results.extend(command_goals);
    if !args.skip_parse {
        results.extend(parse::run(&parse::ParseOptions::default()).await);
    }
    let mut imports = Vec::new();
    if !args.skip_import {
        let (goals, figures) = import_goals(&mut foreign, &pool, &url, &args, l_copy).await?;
        results.extend(goals);
        imports = figures;
    }
    if args.read_invoices > 0 {
        let each = std::time::Duration::from_secs_f64(args.query_seconds);
        results.extend(read_side::run(&pool, args.read_invoices, l_copy, each).await?);
    }
    machine.loadavg_after = machine::loadavg();
    let report = Report {
        machine,
        foreign_load: !foreign.is_empty(),
        foreign_processes: foreign,
        denominators: vec![
            ("L_commit".to_owned(), l_commit, "tx/s".to_owned()),
            ("L_commit8".to_owned(), l_commit8, "tx/s".to_owned()),
            ("L_batch".to_owned(), l_batch, "rows/s".to_owned()),
            ("L_copy".to_owned(), l_copy, "rows/s".to_owned()),
            ("L_read".to_owned(), l_read, "rows/s".to_owned()),
        ],
        results,
        imports,
    };
    print_table(&report, size);
    if let Some(dir) = args.out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&args.out, serde_json::to_string_pretty(&report)? + "\n")?;
    println!("report written to {}", args.out.display());
    pool.close().await;
    let missed = report.results.iter().any(|r| !r.pass && missed_by_more_than_10_percent(r));
    Ok(if missed && !report.foreign_load && !args.warn_only {
        std::process::ExitCode::FAILURE
    } else {
        std::process::ExitCode::SUCCESS
    })
}

/// G1 end to end, G6 import growth and G5 import RSS (the lead's `import.rs` does the measuring).
async fn import_goals(
    foreign: &mut Vec<String>,
    pool: &PgPool,
    url: &str,
    args: &Args,
    l_copy: f64,
) -> anyhow::Result<(Vec<GoalResult>, Vec<import::Figures>)> {
    let mut results = Vec::new();
    let small = measure_import(foreign, pool, args.invoices).await?;
    let large = match args.invoices2 {
        Some(invoices) => Some(measure_import(foreign, pool, invoices).await?),
        None => None,
    };
    results.extend(import::goals(small, large, l_copy));
    let exe = std::env::current_exe()?;
    let (rss_invoices, label) = match args.rss_bytes {
        Some(bytes) => {
            let per_invoice = parse::open_posten_bytes_per_invoice().await;
            let invoices = bytes.div_ceil(per_invoice);
            println!("G5-import-rss: a {bytes}-byte GetOpenPosten holds {invoices} invoices ({per_invoice} B each)");
            (invoices, format!("{}MB", bytes / 1_000_000))
        }
        None => (args.rss_invoices, args.rss_invoices.to_string()),
    };
    let big = import::median_child_peak_rss(pool, url, &exe, rss_invoices).await?;
    let little = import::median_child_peak_rss(pool, url, &exe, (rss_invoices / 10).max(1)).await?;
    results.push(GoalResult::new(
        &format!("G5-import-rss@{label}"),
        big,
        "MiB",
        "limit 64 MiB",
        64.0,
        1.0,
        Direction::AtMost,
    ));
    results.push(GoalResult::new(
        "G5-import-rss-growth",
        big,
        "MiB",
        &format!("peak at {} invoices", rss_invoices / 10),
        little,
        1.1,
        Direction::AtMost,
    ));
    Ok((results, [Some(small), large].into_iter().flatten().collect()))
}

/// The project's bulk path: `store::append_batch` in batches of the largest allowed size.
async fn bulk_append(pool: &PgPool, size: usize) -> Result<f64, sqlx::Error> {
    let metadata = Metadata::new("perfbench", "import:perfbench", chrono::Utc::now());
    let per_batch = store::MAX_BATCH_EVENTS / EVENTS_PER_AGGREGATE;
    let aggregates = size / EVENTS_PER_AGGREGATE;
    let batches: Vec<Vec<PendingAppend<BenchAccount>>> = (0..aggregates)
        .step_by(per_batch)
        .map(|first| {
            (first..(first + per_batch).min(aggregates))
                .map(|i| PendingAppend {
                    aggregate_id: data::aggregate_id(i),
                    after_sequence: 0,
                    events: data::events(i),
                    metadata: metadata.clone(),
                })
                .collect()
        })
        .collect();
    let started = Instant::now();
    let mut written = 0u64;
    for batch in batches {
        let report = store::append_batch(pool, batch).await.map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
        assert!(report.conflicts.is_empty(), "the benchmark data has no conflicts");
        written += report.events_written;
    }
    Ok(denominators::rate(usize::try_from(written).unwrap_or(0), started))
}

/// One import measurement, with the foreign-load sampling the other measurements get.
async fn measure_import(foreign: &mut Vec<String>, pool: &PgPool, invoices: u64) -> anyhow::Result<import::Figures> {
    let before = machine::sample();
    let figures = import::measure(pool, invoices).await?;
    foreign.extend(machine::foreign_busy(&before, &machine::sample()));
    println!(
        "  import of {invoices} invoices: {} events in {:.2} s ({:.2} s with the simulator rendering live, \
         {} responses rendered during the measured one), re-import {:.2} s",
        figures.events,
        figures.first_seconds,
        figures.live_seconds,
        figures.rendered_during_first,
        figures.reimport_seconds
    );
    Ok(figures)
}

/// The median of `RUNS` runs, noting any process that competed for the CPU meanwhile.
async fn measure<F, Fut>(foreign: &mut Vec<String>, mut run: F) -> anyhow::Result<f64>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<f64, sqlx::Error>>,
{
    let mut values = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let before = machine::sample();
        values.push(run().await?);
        foreign.extend(machine::foreign_busy(&before, &machine::sample()));
    }
    Ok(median(values))
}

/// The middle value of an odd number of runs (the upper middle of an even number).
pub(crate) fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn missed_by_more_than_10_percent(result: &GoalResult) -> bool {
    match result.direction {
        Direction::AtLeast => result.ratio < result.target * 0.9,
        Direction::AtMost => result.ratio > result.target * 1.1,
    }
}

fn print_table(report: &Report, size: usize) {
    println!("perfbench: {size} events; {} cores; load {}", report.machine.nproc, report.machine.loadavg_before);
    for (name, value, unit) in &report.denominators {
        println!("  {name:<10} {value:>12.0} {unit}");
    }
    println!("  {:<24} {:>12} {:<12} {:>8} {:>8}  result", "goal", "value", "over", "ratio", "target");
    for r in &report.results {
        let sign = if r.direction == Direction::AtLeast { ">=" } else { "<=" };
        let verdict = if r.pass { "pass" } else { "MISS" };
        println!(
            "  {:<24} {:>12} {:<12} {:>8.3} {sign}{:>6.2}  {verdict}",
            r.goal,
            figure(r.value),
            r.denominator,
            r.ratio,
            r.target
        );
    }
    if report.foreign_load {
        println!("  foreign load during the run: {}", report.foreign_processes.join(", "));
    }
}

/// A measured value with the precision it needs: milliseconds keep three decimals, rates none.
fn figure(value: f64) -> String {
    if value.abs() < 100.0 {
        format!("{value:.3}")
    } else {
        format!("{value:.0}")
    }
}

/// The configured server (`DATABASE_URL`) or the embedded cluster; a fresh benchmark database
/// either way, and its URL for child processes.
async fn connect(database: &str) -> anyhow::Result<(PgPool, String, Option<EmbeddedPostgres>)> {
    let (server, cluster) = match std::env::var("DATABASE_URL") {
        Ok(url) => (url.parse::<PgConnectOptions>()?, None),
        Err(_) => {
            let root =
                std::env::var("USER").as_deref() == Ok("root") || std::env::var("HOME").as_deref() == Ok("/root");
            let data_dir = std::env::var_os("VORDERING__DATA_DIR").map(PathBuf::from).unwrap_or_else(|| {
                embedded_pg::default_data_dir(
                    root,
                    std::env::var_os("XDG_DATA_HOME").map(PathBuf::from),
                    std::env::var_os("HOME").map(PathBuf::from),
                )
            });
            println!("perfbench: embedded database in {}", data_dir.display());
            let cluster = tokio::task::spawn_blocking(move || EmbeddedPostgres::start(&data_dir)).await??;
            (cluster.connect_options("postgres"), Some(cluster))
        }
    };
    let pool = fresh_database(&server, database).await?;
    let url = match (&cluster, std::env::var("DATABASE_URL")) {
        (Some(cluster), _) => cluster.url(database),
        (None, Ok(url)) => bench_url(&url, database),
        (None, Err(_)) => anyhow::bail!("no database to point the child processes at"),
    };
    Ok((pool, url, cluster))
}

/// Drops `database` on `server` if it is there, creates it empty, and connects to it.
pub(crate) async fn fresh_database(server: &PgConnectOptions, database: &str) -> anyhow::Result<PgPool> {
    let admin = store::connect(server.clone().database("postgres"), &PoolSettings::default()).await?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)")).execute(&admin).await?;
    sqlx::query(&format!("CREATE DATABASE {database}")).execute(&admin).await?;
    admin.close().await;
    Ok(store::connect(server.clone().database(database), &PoolSettings::default()).await?)
}

/// Drops `database` on `server`.
pub(crate) async fn drop_database(server: &PgConnectOptions, database: &str) -> anyhow::Result<()> {
    let admin = store::connect(server.clone().database("postgres"), &PoolSettings::default()).await?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)")).execute(&admin).await?;
    admin.close().await;
    Ok(())
}

/// `DATABASE_URL` with the benchmark database in place of its own.
fn bench_url(url: &str, database: &str) -> String {
    let (before, query) = url.split_once('?').unwrap_or((url, ""));
    let server = before.rsplit_once('/').map_or(before, |(server, _)| server);
    match query {
        "" => format!("{server}/{database}"),
        query => format!("{server}/{database}?{query}"),
    }
}
