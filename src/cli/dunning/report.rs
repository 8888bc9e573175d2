//! Printing a dunning run: a line per decision for people, or one JSON document.

use chrono::NaiveDate;
use serde_json::{json, Value};
use vordering::domain::dunning::DunningWarning;
use vordering::engine::DunningReport;
use vordering::events::DebtorAccountEvent as E;

use crate::cli::Context;

pub fn print(context: &Context, date: NaiveDate, dry_run: bool, report: &DunningReport) {
    let mut reminders = Vec::new();
    let mut cases = Vec::new();
    for (debtor, event) in &report.decided {
        match event {
            E::ReminderSent { reminder_id, step, invoices, channel, announced_costs, .. } => reminders.push(json!({
                "debtor": debtor, "reminder_id": reminder_id, "step": step, "channel": channel,
                "invoices": invoices, "announced_costs": announced_costs,
            })),
            E::CollectionStarted {
                case_id,
                invoices,
                principal,
                costs,
                vat_surcharge,
                interest,
                interest_from,
                rates_verified,
                ..
            } => cases.push(json!({
                "debtor": debtor, "case_id": case_id, "invoices": invoices, "principal_cents": principal,
                "costs_cents": costs, "vat_surcharge_cents": vat_surcharge, "interest_cents": interest,
                "interest_from": interest_from, "rates_verified": rates_verified,
            })),
            _ => {}
        }
    }
    let warnings: Vec<Value> = report.warnings.iter().map(|(debtor, w)| warning(debtor.as_str(), w)).collect();
    let skipped: Vec<Value> = report.skipped.iter().map(|(d, why)| json!({ "debtor": d, "reason": why })).collect();
    if context.json {
        let document = json!({
            "date": date, "dry_run": dry_run, "accounts": report.accounts,
            "reminders": reminders, "cases": cases, "warnings": warnings, "skipped": skipped,
        });
        say!("{document}");
        return;
    }
    let verb = if dry_run { "would send" } else { "sent" };
    say!("dunning run for {date}: {} accounts", report.accounts);
    for r in &reminders {
        say!("  {verb} {} to {} ({}) for {}", r["step"], r["debtor"], r["channel"], r["invoices"]);
    }
    for c in &cases {
        say!(
            "  collection case {} for {} on {}: principal {} costs {} VAT {} interest {} (cents)",
            c["case_id"],
            c["debtor"],
            c["invoices"],
            c["principal_cents"],
            c["costs_cents"],
            c["vat_surcharge_cents"],
            c["interest_cents"]
        );
    }
    for w in &warnings {
        say!("  warning: {w}");
    }
    for s in &skipped {
        say!("  skipped: {s}");
    }
}

fn warning(debtor: &str, warning: &DunningWarning) -> Value {
    match warning {
        DunningWarning::PrescribesSoon { invoice, prescribes_on } => {
            json!({ "debtor": debtor, "kind": "prescribes_soon", "invoice": invoice, "prescribes_on": prescribes_on })
        }
        DunningWarning::CollectionHeldByCreditNote { invoices, unallocated } => json!({
            "debtor": debtor, "kind": "collection_held_by_credit_note", "invoices": invoices, "unallocated_credit_cents": unallocated,
        }),
    }
}
