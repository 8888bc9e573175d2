//! Probes behind the read side's goals (`cargo bench --bench perfbench -- read-queries N
//! plans|rows|replay split|cpu|fold`): which plans the dashboard's statements keep, what a page's
//! rows cost with raw sqlx, and where a replay spends its time, so the engine's statements can be
//! chosen by measurement.

use std::time::Duration;

use sqlx::PgPool;

use super::latency;

/// Where a replay of k events spends its time: the fetch (`stream_of`) and the fold and report.
pub async fn replay_split(pool: &PgPool, ids: &[(usize, Vec<String>)]) -> anyhow::Result<()> {
    for (k, accounts) in ids {
        let l_pk = latency::sampled(300, |i| latency::pk_scan(pool, &accounts[(i * 7_919) % accounts.len()])).await?;
        let mut rows_only = Vec::new();
        for i in 0..300 {
            let id = &accounts[(i * 7_919) % accounts.len()];
            let started = std::time::Instant::now();
            read_unfolded(
                pool,
                id,
                vordering::internals::audit::Replay::new(vordering::internals::audit::Until::End, true).metadata_of(),
            )
            .await?;
            rows_only.push(started.elapsed().as_secs_f64() * 1_000.0);
        }
        rows_only.sort_by(f64::total_cmp);
        let mut fetch = Vec::new();
        let mut fold = Vec::new();
        for i in 0..300 {
            let id = &accounts[(i * 7_919) % accounts.len()];
            let started = std::time::Instant::now();
            let events = vordering::internals::store::stream_of(pool, "DebtorAccount", id).await?;
            let fetched = started.elapsed().as_secs_f64() * 1_000.0;
            let report =
                vordering::internals::audit::replay_stream(&events, vordering::internals::audit::Until::End, true)?;
            fold.push(started.elapsed().as_secs_f64() * 1_000.0 - fetched);
            fetch.push(fetched);
            std::hint::black_box(report);
        }
        fetch.sort_by(f64::total_cmp);
        fold.sort_by(f64::total_cmp);
        let events = vordering::internals::store::stream_of(pool, "DebtorAccount", &accounts[0]).await?;
        let started = std::time::Instant::now();
        for _ in 0..50 {
            for e in &events {
                std::hint::black_box(e.decode::<vordering::events::debtor_account::DebtorAccountEvent>()?);
            }
        }
        let decode = started.elapsed().as_secs_f64() * 1_000.0 / 50.0;
        let started = std::time::Instant::now();
        for _ in 0..50 {
            let mut state = vordering::domain::debtor_account::DebtorAccount::default();
            for e in &events {
                state.apply(e.decode::<vordering::events::debtor_account::DebtorAccountEvent>()?);
            }
            std::hint::black_box(state);
        }
        let apply = started.elapsed().as_secs_f64() * 1_000.0 / 50.0;
        println!("probe k{k}: decode {decode:.3} ms, decode+apply {apply:.3} ms");
        println!(
            "probe k{k}: L_pk p50 {:.3} ms; rows_of unfolded p50 {:.3} ms; stream_of p50 {:.3} ms; fold+report p50 {:.3} ms",
            l_pk.p50, rows_only[150], fetch[150], fold[150]
        );
    }
    Ok(())
}

/// One account's rows as a replay reads them, viewed but not folded.
async fn read_unfolded(pool: &PgPool, id: &str, metadata_of: Option<&[&str]>) -> anyhow::Result<()> {
    let mut rows = vordering::internals::store::rows_of(pool, "DebtorAccount", id, metadata_of);
    while let Some(row) = futures::TryStreamExt::try_next(&mut rows).await? {
        std::hint::black_box(row.view()?);
    }
    Ok(())
}

/// `read-queries N replay fold R`: each k's first account read once, then folded and reported
/// `R` times in memory: the replay's own CPU, steady enough to count under callgrind.
pub async fn replay_fold(pool: &PgPool, ids: &[(usize, Vec<String>)], rounds: usize) -> anyhow::Result<()> {
    for (k, accounts) in ids {
        let events = vordering::internals::store::stream_of(pool, "DebtorAccount", &accounts[0]).await?;
        let started = std::time::Instant::now();
        for _ in 0..rounds {
            let report =
                vordering::internals::audit::replay_stream(&events, vordering::internals::audit::Until::End, true)?;
            std::hint::black_box(report);
        }
        let each = started.elapsed().as_secs_f64() * 1_000.0 / rounds as f64;
        println!("probe k{k}: fold and report {each:.3} ms per replay ({rounds} rounds)");
    }
    Ok(())
}

/// This thread's time on a CPU so far (`/proc/thread-self/schedstat`), in ms.
fn thread_cpu_ms() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
    stat.split_whitespace().next().and_then(|ns| ns.parse::<f64>().ok()).unwrap_or(0.0) / 1e6
}

/// `read-queries N replay cpu --current-thread` (or with `PERFBENCH_CURRENT_THREAD=1`): wall and
/// client CPU per replay of k = 1,000, beside the same for `L_pk` and the rows read unfolded.
pub async fn replay_cpu(engine: &vordering::Engine, pool: &PgPool, ids: &[(usize, Vec<String>)]) -> anyhow::Result<()> {
    let Some((_, accounts)) = ids.iter().find(|(k, _)| *k == 1_000) else { return Ok(()) };
    let account = |i: usize| &accounts[(i * 7_919) % accounts.len()];
    for round in 0..3 {
        for what in ["pk", "rows", "replay"] {
            let (wall, cpu) = (std::time::Instant::now(), thread_cpu_ms());
            for i in 0..200 {
                match what {
                    "pk" => latency::pk_scan(pool, account(i)).await?,
                    "rows" => read_unfolded(pool, account(i), Some(&[])).await?,
                    _ => {
                        std::hint::black_box(engine.audit_replay(&super::replay_query(account(i))?).await?);
                    }
                }
            }
            let wall = wall.elapsed().as_secs_f64() * 1_000.0 / 200.0;
            let cpu = (thread_cpu_ms() - cpu) / 200.0;
            println!("cpu round {round} {what:<6}: wall {wall:.3} ms, client cpu {cpu:.3} ms per call");
        }
    }
    Ok(())
}

/// `read-queries N plans`: on one connection, runs every dashboard query 30 times and prints how
/// often PostgreSQL planned each prepared statement afresh (custom) or reused its generic plan.
pub async fn plans(url: &str, debtors: usize) -> anyhow::Result<()> {
    let settings = vordering::internals::store::PoolSettings { max_connections: 1, ..Default::default() };
    let pool = vordering::internals::store::connect(url.parse()?, &settings).await?;
    let engine = vordering::Engine::from_pool(pool.clone()).await?;
    let large = vordering::domain::AdministrationId::new("large")?;
    for name in super::QUERIES {
        for i in 0..30 {
            super::query(&engine, name, &large, debtors, i).await?;
        }
    }
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT left(regexp_replace(statement, '\\s+', ' ', 'g'), 90), generic_plans, custom_plans \
         FROM pg_prepared_statements ORDER BY prepare_time",
    )
    .fetch_all(&pool)
    .await?;
    for (statement, generic, custom) in rows {
        println!("generic {generic:>3} custom {custom:>3}  {statement}");
    }
    Ok(())
}

/// `read-queries N rows`: the bucket page's statement with literal limits 1, 10 and 50 and with
/// fewer columns: where a page's time goes, per row and per column.
pub async fn rows(pool: &PgPool, each: Duration, l_q: f64) -> anyhow::Result<()> {
    let day = super::today();
    let shapes = [
        ("all", "debtor_code, invoice_number, invoice_date, due_date, amount, open_amount, paid, credited, adjusted, phase, steps::text AS steps, prescribes_on, settled_on"),
        ("no steps", "debtor_code, invoice_number, invoice_date, due_date, amount, open_amount, paid, credited, adjusted, phase, prescribes_on, settled_on"),
        ("steps jsonb", "debtor_code, invoice_number, invoice_date, due_date, amount, open_amount, paid, credited, adjusted, phase, steps, prescribes_on, settled_on"),
        ("number", "invoice_number"),
    ];
    for _ in 0..2 {
        for (name, columns) in shapes {
            for limit in [1, 10, 50] {
                let sql = format!(
                    "SELECT {columns} FROM invoice_list WHERE administration = $1 AND open_amount > 0 \
                     AND due_date <= $3 AND (due_date, invoice_number) > ($2, '') ORDER BY due_date, invoice_number LIMIT {limit}"
                );
                let l = latency::closed_loop(each, |_| async {
                    let rows = sqlx::query(&sql)
                        .bind("large")
                        .bind(day.checked_sub_days(chrono::Days::new(60)))
                        .bind(day.checked_sub_days(chrono::Days::new(31)))
                        .fetch_all(pool)
                        .await?;
                    anyhow::ensure!(rows.len() == limit, "{} rows", rows.len());
                    Ok(())
                })
                .await?;
                println!("rows {name:<12} {limit:>3}: p50 {:.3} ms ({:.2} L_q)", l.p50, l.p50 / l_q);
            }
        }
    }
    Ok(())
}
