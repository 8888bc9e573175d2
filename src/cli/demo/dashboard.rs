//! The demo's dashboard summary, read from the projections after they have caught up.

use chrono::NaiveDate;
use vordering::domain::AdministrationId;
use vordering::engine::{AgeingBoundaries, Lang};
use vordering::internals::projections::{self, RunnerOptions};
use vordering::Engine;

pub async fn print(engine: &Engine, id: &AdministrationId, today: NaiveDate) -> anyhow::Result<()> {
    let folded = projections::catch_up(engine.pool(), &projections::ALL, &RunnerOptions::default()).await?;
    let totals = engine.outstanding(id, today).await?;
    say!("\ndashboard of {id} on {today} (projections folded {folded} events):");
    say!(
        "  outstanding € {} on {} invoices; overdue € {} on {} invoices",
        totals.outstanding,
        totals.open_invoices,
        totals.overdue,
        totals.overdue_invoices
    );
    let ageing: Vec<String> = engine
        .ageing(id, today, &AgeingBoundaries::default())
        .await?
        .into_iter()
        .map(|bucket| format!("{}: € {} ({})", bucket.range.label(Lang::En), bucket.open, bucket.count))
        .collect();
    say!("  ageing: {}", ageing.join(" | "));
    let dso = engine.dso(id, today).await?;
    match dso.dso_hundredths {
        Some(hundredths) => say!(
            "  DSO {}.{:02} days (Payt's definition, over the 12 months to {})",
            hundredths / 100,
            hundredths % 100,
            dso.month
        ),
        None => say!("  DSO: nothing invoiced in the last 12 months"),
    }
    let phases: Vec<String> = engine
        .phase_totals(id, today)
        .await?
        .into_iter()
        .filter(|p| p.count > 0)
        .map(|p| format!("{} {} (€ {})", p.phase.label(Lang::En), p.count, p.open))
        .collect();
    say!("  phases: {}", phases.join(", "));
    say!("  top debtors:");
    for line in engine.top_debtors(id, today, 5).await? {
        say!(
            "    {:<10} {:<32} € {:>12}  {} open invoices",
            line.debtor_code,
            line.name,
            line.outstanding.to_string(),
            line.open_invoices
        );
    }
    Ok(())
}
