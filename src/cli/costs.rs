//! `vordering costs …`: the legal calculator for accountants and for checking the engine by hand.
//!
//! Amounts are euros as text (`1752.79`), dates ISO. `--json` prints cents and ISO dates; without it a
//! readable table. Bad input goes to stderr with exit code 2.

use std::path::PathBuf;

use anyhow::{bail, Context};
use chrono::NaiveDate;
use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;

use vordering::domain::allocation::{split_6_44, Components};
use vordering::domain::collection_costs::{for_letter, VatSurcharge};
use vordering::domain::interest::{calculate, InterestCalculation, Rate, RateKind, RateTable};
use vordering::domain::Cents;

#[derive(Debug, Args)]
pub struct CostsArgs {
    #[command(subcommand)]
    command: CostsCommand,
}

#[derive(Debug, Subcommand)]
enum CostsCommand {
    /// Collection costs (WIK) for one letter; several amounts are summed first (art. 6:96 lid 7 BW).
    Wik {
        /// Principal amounts in euros, e.g. 800.00.
        #[arg(required = true, allow_negative_numbers = true, value_parser = parse_amount)]
        amounts: Vec<Cents>,
        /// Declared VAT surcharge in percent (BIK art. 2 lid 3), e.g. 21.
        #[arg(long, value_name = "PERCENT", value_parser = parse_percent)]
        vat_surcharge: Option<Rate>,
    },
    /// Statutory (6:119) or commercial (6:119a) interest, split per rate period, compounded yearly.
    Interest {
        /// Commercial (art. 6:119a BW, between businesses) or statutory (art. 6:119 BW) interest.
        #[arg(long, value_enum)]
        kind: KindArg,
        /// The principal in euros.
        #[arg(long, allow_negative_numbers = true, value_parser = parse_amount)]
        principal: Cents,
        /// The first interest day (YYYY-MM-DD).
        #[arg(long, value_parser = parse_date)]
        from: NaiveDate,
        /// The last interest day, inclusive (YYYY-MM-DD).
        #[arg(long, value_parser = parse_date)]
        to: NaiveDate,
        /// Extra rate rows (TOML, the format of src/domain/interest/rates.toml) added to the shipped table.
        #[arg(long, value_name = "FILE")]
        rates: Option<PathBuf>,
    },
    /// Split a payment over costs, interest and principal (art. 6:44 BW).
    Allocate {
        /// The payment in euros.
        #[arg(long, allow_negative_numbers = true, value_parser = parse_amount)]
        payment: Cents,
        /// The open collection costs in euros.
        #[arg(long, allow_negative_numbers = true, value_parser = parse_amount)]
        costs: Cents,
        /// The open interest in euros.
        #[arg(long, allow_negative_numbers = true, value_parser = parse_amount)]
        interest: Cents,
        /// The open principal in euros.
        #[arg(long, allow_negative_numbers = true, value_parser = parse_amount)]
        principal: Cents,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum KindArg {
    Commercial,
    Statutory,
}

#[derive(Debug, Serialize)]
struct WikOutput {
    principal_cents: i64,
    costs_cents: i64,
    vat_surcharge_cents: i64,
    total_cents: i64,
}

#[derive(Debug, Serialize)]
struct InterestOutput {
    interest_cents: i64,
    rates_verified: bool,
    periods: Vec<PeriodOutput>,
}

#[derive(Debug, Serialize)]
struct PeriodOutput {
    from: NaiveDate,
    to: NaiveDate,
    days: i64,
    rate: String,
    base_cents: i64,
    interest_cents: i64,
}

#[derive(Debug, Serialize)]
struct AllocateOutput {
    costs_cents: i64,
    interest_cents: i64,
    principal_cents: i64,
    principal_left_cents: i64,
}

/// Runs the subcommand; every failure here is bad input, reported with exit code 2.
pub fn run(context: &super::Context, args: CostsArgs) -> super::Outcome {
    let text = execute(args, context.json).map_err(super::Failure::BadInput)?;
    say!("{text}");
    Ok(())
}

fn execute(args: CostsArgs, json: bool) -> anyhow::Result<String> {
    match args.command {
        CostsCommand::Wik { amounts, vat_surcharge } => wik(&amounts, vat_surcharge, json),
        CostsCommand::Interest { kind, principal, from, to, rates } => {
            let table = rate_table(rates)?;
            let kind = match kind {
                KindArg::Commercial => RateKind::Commercial,
                KindArg::Statutory => RateKind::Statutory,
            };
            let result = calculate(&table, kind, principal, from, to)?;
            interest(&result, json)
        }
        CostsCommand::Allocate { payment, costs, interest, principal } => {
            allocate(payment, Components { costs, interest, principal }, json)
        }
    }
}

fn wik(amounts: &[Cents], vat: Option<Rate>, json: bool) -> anyhow::Result<String> {
    let vat = vat.map_or(VatSurcharge::NotDeclared, VatSurcharge::Declared);
    let b = for_letter(amounts, vat)?;
    if json {
        let output = WikOutput {
            principal_cents: b.principal.get(),
            costs_cents: b.costs.get(),
            vat_surcharge_cents: b.vat_surcharge.get(),
            total_cents: b.total.get(),
        };
        return Ok(serde_json::to_string(&output)?);
    }
    Ok([
        format!("{:<40}{:>14}", "Hoofdsom / principal", b.principal),
        format!("{:<40}{:>14}", "Incassokosten / collection costs (WIK)", b.costs),
        format!("{:<40}{:>14}", "BTW-opslag / VAT surcharge", b.vat_surcharge),
        format!("{:<40}{:>14}", "Totaal kosten / total costs", b.total),
    ]
    .join("\n"))
}

fn interest(result: &InterestCalculation, json: bool) -> anyhow::Result<String> {
    if json {
        let periods = result
            .periods
            .iter()
            .map(|p| PeriodOutput {
                from: p.from,
                to: p.to,
                days: p.days,
                rate: p.rate.to_string(),
                base_cents: p.base.get(),
                interest_cents: p.interest.get(),
            })
            .collect();
        let output =
            InterestOutput { interest_cents: result.interest.get(), rates_verified: result.rates_verified, periods };
        return Ok(serde_json::to_string(&output)?);
    }
    let mut lines = vec![format!(
        "{:<12}{:<12}{:>7}{:>10}{:>17}{:>17}",
        "van/from", "t/m/to", "dagen", "rente", "grondslag/base", "rente/interest"
    )];
    for p in &result.periods {
        let flag = if p.verified { "" } else { "  (niet geverifieerd / unverified)" };
        lines.push(format!(
            "{:<12}{:<12}{:>7}{:>10}{:>17}{:>17}{flag}",
            p.from.to_string(),
            p.to.to_string(),
            p.days,
            p.rate.to_string(),
            p.base.to_string(),
            p.interest.to_string()
        ));
    }
    lines.push(format!("{:<58}{:>17}", "Totaal rente / total interest", result.interest));
    if !result.rates_verified {
        lines.push("Let op / warning: a rate used is unverified or carried forward past the rate table.".to_owned());
    }
    Ok(lines.join("\n"))
}

fn allocate(payment: Cents, open: Components, json: bool) -> anyhow::Result<String> {
    let split = split_6_44(payment, open)?;
    if split.unapplied.is_positive() {
        bail!("the payment {payment} exceeds everything open by {}", split.unapplied);
    }
    if json {
        let output = AllocateOutput {
            costs_cents: split.paid.costs.get(),
            interest_cents: split.paid.interest.get(),
            principal_cents: split.paid.principal.get(),
            principal_left_cents: split.left.principal.get(),
        };
        return Ok(serde_json::to_string(&output)?);
    }
    Ok([
        format!("{:<40}{:>14}", "Kosten / costs", split.paid.costs),
        format!("{:<40}{:>14}", "Rente / interest", split.paid.interest),
        format!("{:<40}{:>14}", "Hoofdsom / principal", split.paid.principal),
        format!("{:<40}{:>14}", "Resterende hoofdsom / principal left", split.left.principal),
    ]
    .join("\n"))
}

fn rate_table(extra: Option<PathBuf>) -> anyhow::Result<RateTable> {
    let table = RateTable::shipped();
    let Some(path) = extra else { return Ok(table) };
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let rows = RateTable::from_toml(&text).with_context(|| format!("in {}", path.display()))?.into_entries();
    Ok(table.with_extra(rows)?)
}

fn parse_amount(text: &str) -> Result<Cents, String> {
    let amount = Cents::parse(text).map_err(|e| e.to_string())?;
    if amount.is_negative() {
        return Err(format!("the amount {amount} is negative"));
    }
    Ok(amount)
}

fn parse_percent(text: &str) -> Result<Rate, String> {
    Rate::parse_percent(text).map_err(|e| e.to_string())
}

fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| format!("`{text}` is not a date (expected YYYY-MM-DD)"))
}
