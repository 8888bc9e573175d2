//! The dashboard figures, as engine calls with an explicit `today`. Every query reads the
//! projections' small aggregate tables or an index range; none scans the invoices.

mod lists;
mod logs;
mod types;

pub use types::{
    AgeBucket, AgeingBoundaries, BadBoundaries, BucketRange, Cursor, DebtorDetail, DebtorLine, Dso, InvoiceFilter,
    InvoiceLine, InvoicePage, Phase, PhaseTotal, Totals,
};

use chrono::{Datelike, Days, Months, NaiveDate};

use super::{Engine, EngineError};
use crate::domain::{AdministrationId, Cents};
use crate::projections::{ProjectionError, Stage};

/// Most months a DSO report covers (Payt's limit).
pub const MAX_DSO_MONTHS: u32 = 18;

pub(crate) fn days_before(today: NaiveDate, days: u32) -> NaiveDate {
    today.checked_sub_days(Days::new(u64::from(days))).unwrap_or(NaiveDate::MIN)
}

fn first_of_month(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

fn months_back(month: NaiveDate, n: u32) -> NaiveDate {
    month.checked_sub_months(Months::new(n)).unwrap_or(NaiveDate::MIN)
}

fn next_month(month: NaiveDate) -> NaiveDate {
    month.checked_add_months(Months::new(1)).unwrap_or(NaiveDate::MAX)
}

impl Engine {
    /// Outstanding and overdue totals: the open phases' totals, less what is not yet due (a range
    /// of due dates from `today` on).
    pub async fn outstanding(
        &self,
        administration: &AdministrationId,
        today: NaiveDate,
    ) -> Result<Totals, EngineError> {
        let (outstanding, open, not_due, not_due_count): (i64, i64, i64, i64) = sqlx::query_as(
            "SELECT t.open, t.n, d.open, d.n FROM \
             (SELECT coalesce(sum(open_amount), 0)::bigint AS open, coalesce(sum(count), 0)::bigint AS n \
              FROM phase_totals WHERE administration = $1 AND phase NOT IN ('Paid', 'Credited')) t, \
             (SELECT coalesce(sum(open_amount), 0)::bigint AS open, coalesce(sum(count), 0)::bigint AS n \
              FROM open_by_due_date WHERE administration = $1 AND due_date >= $2 AND phase NOT IN ('Paid', 'Credited')) d",
        )
        .bind(administration.as_str())
        .bind(today)
        .fetch_one(self.reads())
        .await
        ?;
        Ok(Totals {
            outstanding: Cents::new(outstanding),
            open_invoices: open,
            overdue: Cents::new(outstanding - not_due),
            overdue_invoices: open - not_due_count,
        })
    }

    /// Open amounts by days past due for `today`, in the order of `boundaries.ranges()`. The buckets
    /// up to the last boundary are range sums over `open_by_due_date`; the open-ended oldest bucket
    /// is the outstanding total less the others.
    pub async fn ageing(
        &self,
        administration: &AdministrationId,
        today: NaiveDate,
        boundaries: &AgeingBoundaries,
    ) -> Result<Vec<AgeBucket>, EngineError> {
        // width_bucket over ascending thresholds [today − b_n, …, today − b_1, today]: bucket k ≥ 1
        // is display position (n + 1 − k); rows older than today − b_n are not read.
        let mut thresholds: Vec<NaiveDate> = boundaries.bounds().iter().rev().map(|b| days_before(today, *b)).collect();
        thresholds.push(today);
        let rows: Vec<(i32, i64, i64)> = sqlx::query_as(
            "SELECT -1, coalesce(sum(open_amount), 0)::bigint, coalesce(sum(count), 0)::bigint FROM phase_totals \
             WHERE administration = $1 AND phase NOT IN ('Paid', 'Credited') \
             UNION ALL SELECT width_bucket(due_date, $2::date[]), sum(open_amount)::bigint, sum(count)::bigint \
             FROM open_by_due_date WHERE administration = $1 AND due_date >= $3 AND phase NOT IN ('Paid', 'Credited') \
             GROUP BY 1",
        )
        .bind(administration.as_str())
        .bind(&thresholds)
        .bind(thresholds[0])
        .fetch_all(self.reads())
        .await?;
        let ranges = boundaries.ranges();
        let last = ranges.len() - 1;
        let mut buckets: Vec<AgeBucket> =
            ranges.into_iter().map(|range| AgeBucket { range, open: Cents::ZERO, count: 0 }).collect();
        let (mut rest_open, mut rest_count) = (0i64, 0i64);
        for (bucket, open, count) in rows {
            match usize::try_from(bucket).ok().and_then(|k| last.checked_sub(k)) {
                Some(index) if bucket > 0 => {
                    buckets[index].open = Cents::new(open);
                    buckets[index].count = count;
                    rest_open -= open;
                    rest_count -= count;
                }
                _ => {
                    rest_open += open;
                    rest_count += count;
                }
            }
        }
        buckets[last].open = Cents::new(rest_open);
        buckets[last].count = rest_count;
        Ok(buckets)
    }

    /// The number of invoices and their open amount in every phase (all phases, zeros included):
    /// `phase_totals`, with the `Open` stage split into not yet due and overdue by `today`.
    pub async fn phase_totals(
        &self,
        administration: &AdministrationId,
        today: NaiveDate,
    ) -> Result<Vec<PhaseTotal>, EngineError> {
        let rows: Vec<(String, i64, i64)> = sqlx::query_as(
            "SELECT phase, open_amount, count FROM phase_totals WHERE administration = $1 \
             UNION ALL SELECT 'NotDue', coalesce(sum(open_amount), 0)::bigint, coalesce(sum(count), 0)::bigint \
             FROM open_by_due_date WHERE administration = $1 AND due_date >= $2 AND phase = 'Open' \
             AND phase NOT IN ('Paid', 'Credited')",
        )
        .bind(administration.as_str())
        .bind(today)
        .fetch_all(self.reads())
        .await?;
        let mut totals: Vec<PhaseTotal> =
            Phase::ALL.into_iter().map(|phase| PhaseTotal { phase, count: 0, open: Cents::ZERO }).collect();
        for (name, open, count) in rows {
            let (phase, sign) = match name.as_str() {
                // What is not yet due moves from the stored `Open` (counted as overdue) to `NotDue`.
                "NotDue" => {
                    totals[0].open = Cents::new(open);
                    totals[0].count = count;
                    (Phase::Overdue, -1)
                }
                stored => match Stage::parse(stored) {
                    Some(Stage::Open) => (Phase::Overdue, 1),
                    Some(stage) => (Phase::of(stage, today, today), 1),
                    None => return Err(ProjectionError::Corrupt(format!("phase `{stored}`")).into()),
                },
            };
            if let Some(total) = totals.iter_mut().find(|t| t.phase == phase) {
                total.count += sign * count;
                total.open = Cents::new(total.open.get() + sign * open);
            }
        }
        Ok(totals)
    }

    /// DSO for the month that holds `today`.
    pub async fn dso(&self, administration: &AdministrationId, today: NaiveDate) -> Result<Dso, EngineError> {
        let mut months = self.dso_by_month(administration, today, 1).await?;
        months.pop().ok_or_else(|| EngineError::from(ProjectionError::Corrupt("no DSO month".to_owned())))
    }

    /// DSO for each of the `months` calendar months up to the one that holds `today` (oldest first,
    /// at most `MAX_DSO_MONTHS`), from `invoiced_by_month`.
    pub async fn dso_by_month(
        &self,
        administration: &AdministrationId,
        today: NaiveDate,
        months: u32,
    ) -> Result<Vec<Dso>, EngineError> {
        let last = first_of_month(today);
        let rows: Vec<(NaiveDate, i64, i64)> = sqlx::query_as(
            "SELECT month, invoiced, settled FROM invoiced_by_month WHERE administration = $1 AND month <= $2 ORDER BY month",
        )
        .bind(administration.as_str())
        .bind(last)
        .fetch_all(self.reads())
        .await
        ?;
        let count = months.clamp(1, MAX_DSO_MONTHS);
        (0..count).rev().map(|back| dso_of(&rows, months_back(last, back))).collect()
    }
}

/// DSO of `month` from the monthly rows (`month`, invoiced, settled), in exact integer arithmetic.
/// Sums past `i64` (no real administration comes near) are a corrupt read model, not a figure.
fn dso_of(rows: &[(NaiveDate, i64, i64)], month: NaiveDate) -> Result<Dso, EngineError> {
    let out_of_range = || EngineError::from(ProjectionError::Corrupt(format!("the DSO sums of {month} overflow")));
    let start = months_back(month, 11);
    let outstanding =
        checked_total(rows.iter().filter(|r| r.0 <= month).map(|r| r.1.checked_sub(r.2))).ok_or_else(out_of_range)?;
    let invoiced = checked_total(rows.iter().filter(|r| r.0 >= start && r.0 <= month).map(|r| Some(r.1)))
        .ok_or_else(out_of_range)?;
    let days = (next_month(month) - start).num_days();
    let dso_hundredths = if invoiced > 0 {
        let numerator = i128::from(outstanding) * i128::from(days) * 200 + i128::from(invoiced);
        let hundredths = numerator.div_euclid(2 * i128::from(invoiced));
        Some(i64::try_from(hundredths).map_err(|_| out_of_range())?)
    } else {
        None
    };
    Ok(Dso {
        month,
        outstanding: Cents::new(outstanding),
        invoiced_12_months: Cents::new(invoiced),
        days_in_12_months: days,
        dso_hundredths,
    })
}

/// The sum of `amounts`, `None` when one of them or the sum does not fit.
fn checked_total(mut amounts: impl Iterator<Item = Option<i64>>) -> Option<i64> {
    amounts.try_fold(0_i64, |sum, amount| sum.checked_add(amount?))
}
