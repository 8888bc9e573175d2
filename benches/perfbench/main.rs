//! `perfbench`: every performance goal (G1–G7, G12) as a ratio to a limit measured in the same run on
//! the same machine, so machine speed cancels out. Prints a table and writes JSON.
//!
//! Without `DATABASE_URL` it starts the embedded private cluster, like `vordering demo`.
//!
//! A bench target without the test harness: `cargo bench --bench perfbench -- --help` lists the
//! full run's flags and the other modes, each a subcommand ([`Mode`]).

mod commands;
mod data;
mod denominators;
mod import;
mod machine;
mod parse;
mod read_side;
mod report;
mod webhooks;

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context as _;
use clap::error::ErrorKind;
use clap::parser::ValueSource;
use clap::{CommandFactory as _, FromArgMatches as _, Parser, Subcommand};
use serde::Serialize;
use sqlx::postgres::{PgConnectOptions, PgPool};
use vordering::events::Metadata;
use vordering::internals::embedded_pg::{self, EmbeddedPostgres};
use vordering::internals::store::{self, PendingAppend, PoolSettings};

use data::{BenchAccount, EVENTS_PER_AGGREGATE};
use report::{Direction, GoalResult};

/// Measures the performance goals (G1–G7, G12) as ratios to limits measured in the same run.
///
/// Without a subcommand: the full run. It measures the limits the goals are divided by (`L_commit`,
/// `L_copy`, `L_read`, `L_q`, …) and then every goal against them, prints a table and writes the JSON
/// report; a goal missed by more than 10 % without foreign load makes it exit 1. Without
/// `DATABASE_URL` it starts the embedded private cluster (in `VORDERING__DATA_DIR`), like `vordering
/// demo`. The subcommands measure one part alone, for iterating on it.
#[derive(Debug, Parser)]
#[command(
    name = "perfbench",
    bin_name = "cargo bench --bench perfbench --",
    override_usage = "cargo bench --bench perfbench -- [OPTIONS]\n       cargo bench --bench perfbench -- <COMMAND>",
    max_term_width = 100
)]
struct Cli {
    #[command(flatten)]
    run: Args,
    #[command(subcommand)]
    mode: Option<Mode>,
    /// `cargo bench` passes `--bench` to a bench target without the test harness (last, after the
    /// arguments given after `--`); accepted anywhere. The full run starts only with it, so that
    /// `cargo test --all-targets`, which runs the target without it, does not start a benchmark.
    #[arg(long, global = true, hide = true, overrides_with = "bench")]
    bench: bool,
}

impl Cli {
    /// Parses the command line; the full run's flags are refused beside a subcommand, which would
    /// ignore them. (Clap's `args_conflicts_with_subcommands` would refuse `--bench` there too.)
    fn parse_args() -> Cli {
        let mut command = Cli::command();
        let matches = command.get_matches_mut();
        if matches.subcommand().is_some() {
            let given = command.get_arguments().find(|arg| {
                arg.get_id() != "bench" && matches.value_source(arg.get_id().as_str()) == Some(ValueSource::CommandLine)
            });
            if let Some(flag) = given.and_then(clap::Arg::get_long) {
                let message = format!("`--{flag}` is a flag of the full run and cannot be used with a subcommand");
                command.error(ErrorKind::ArgumentConflict, message).exit();
            }
        }
        Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.format(&mut command).exit())
    }
}

/// The modes besides the full run.
#[derive(Debug, Subcommand)]
enum Mode {
    /// The parse goals alone: G1-parse, then the peak RSS of a child parsing a 10 MB and a 1 GB
    /// GetOpenPosten (G5-parse-rss, G5-parse-rss-growth).
    ///
    /// Needs no database: the simulator runs in this process. Use it when working on the SOAP
    /// client's parser, instead of a full run (whose `--skip-parse` leaves these goals out).
    ParseGoals,
    /// One first import and one re-import of INVOICES invoices from the simulator, with the time and
    /// the records of each phase of the first import.
    ///
    /// Needs `DATABASE_URL`: its database is migrated, and each import runs in a fresh database
    /// beside it (`<name>_import`, dropped afterwards). Use it when working on the import;
    /// `VORDERING_LOG=vordering=info` adds the import's own stage timings. Prints no goals.
    ImportProfile(import::ProfileArgs),
    /// The G4 dashboard queries and the G3 replays, p50 and p99, on the data a previous full run left
    /// in the benchmark database.
    ///
    /// `DATABASE_URL` must point at that database (a full run leaves it there unless given
    /// `--read-invoices 0`). Use it to iterate on the read paths without rebuilding a million
    /// invoices. Prints p50 and p99 per query, then each replay's p50 and ratio; decides no goals.
    ReadQueries(read_side::QueriesArgs),
    /// The webhook goals alone (G12): `L_commit8`, then delivery throughput, the idle latency
    /// from commit to delivery, and the backlog of an import and how long it takes to drain.
    ///
    /// Runs on the configured server (`DATABASE_URL`) or the embedded cluster, in databases of
    /// its own. Use it when working on `src/webhooks/`.
    WebhookGoals(webhooks::WebhookArgs),
    /// Child process of the full run and of parse-goals (not for direct use): streams GetOpenPosten
    /// from the benchmark's simulator at ENDPOINT and prints its record count and peak RSS as JSON.
    #[command(hide = true)]
    ParseOnly(parse::ParseOnlyArgs),
    /// Child process of the full run (not for direct use): one import of an administration the run
    /// linked, then its event count and peak RSS as JSON (G5-import-rss).
    #[command(hide = true)]
    ImportOnly(import::ImportOnlyArgs),
}

/// The full run's flags.
#[derive(Debug, clap::Args)]
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
    /// Leave out the webhook goals (G12).
    #[arg(long)]
    skip_webhooks: bool,
    #[command(flatten)]
    webhooks: webhooks::WebhookArgs,
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
    let cli = Cli::parse_args();
    let runtime = tokio::runtime::Runtime::new;
    match cli.mode {
        // `cargo test --all-targets` runs a bench target too, without `--bench`: not the full run.
        None if !cli.bench => {
            eprintln!("perfbench: the full run starts under `cargo bench --bench perfbench -- …` (or with --bench)");
        }
        None => {
            let filter = std::env::var("VORDERING_LOG").unwrap_or_else(|_| "warn".to_owned());
            tracing_subscriber::fmt().with_writer(std::io::stderr).with_env_filter(filter).init();
            return runtime()?.block_on(run(cli.run));
        }
        // The memory goals re-invoke this binary as a child that only parses, so its peak RSS is its own.
        Some(Mode::ParseOnly(args)) => {
            runtime()?.block_on(parse::parse_only_main(&args)).map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        Some(Mode::ParseGoals) => runtime()?.block_on(parse::goals_main()),
        Some(Mode::ImportOnly(args)) => runtime()?.block_on(import::import_only_main(&args))?,
        Some(Mode::ImportProfile(args)) => {
            tracing_subscriber::fmt().with_env_filter(std::env::var("VORDERING_LOG").unwrap_or_default()).init();
            runtime()?.block_on(import::import_profile_main(&args))?;
        }
        Some(Mode::WebhookGoals(args)) => runtime()?.block_on(webhook_goals(&args))?,
        Some(Mode::ReadQueries(args)) => {
            // Re-measures G4 and G3 on the data a previous run left in the benchmark database.
            let runtime = if args.current_thread() {
                tokio::runtime::Builder::new_current_thread().enable_all().build()?
            } else {
                runtime()?
            };
            runtime.block_on(read_side::queries_only(&args))?;
        }
    }
    Ok(std::process::ExitCode::SUCCESS)
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
    if !args.skip_webhooks {
        results.extend(webhooks::goals(&pool, l_commit8, &args.webhooks).await?);
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

/// `webhook-goals`: G12 against an `L_commit8` of its own, printed as the full run prints goals.
async fn webhook_goals(args: &webhooks::WebhookArgs) -> anyhow::Result<()> {
    let (pool, _, _cluster) = connect("vordering_perfbench_webhooks").await?;
    vordering::MIGRATOR.run(&pool).await.context("migrating the benchmark database")?;
    let l_commit8 = measure(&mut Vec::new(), || commands::commit8(&pool)).await?;
    println!("L_commit8 {l_commit8:.0} tx/s");
    for r in webhooks::goals(&pool, l_commit8, args).await? {
        let verdict = if r.pass { "pass" } else { "MISS" };
        println!("  {:<24} {:>12} {:<14} {:>8.3}  {verdict}", r.goal, figure(r.value), r.denominator, r.ratio);
    }
    pool.close().await;
    Ok(())
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
