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
use sqlx::Row;

use super::{Engine, EngineError};
use crate::domain::{AdministrationId, Cents};
use crate::projections::{ProjectionError, Stage};

/// Most months a DSO report covers (Payt's limit).
pub const MAX_DSO_MONTHS: u32 = 18;

pub(crate) fn days_before(today: NaiveDate, days: u32) -> NaiveDate {
    today.checked_sub_days(Days::new(u64::from(days))).unwrap_or(NaiveDate::MIN)
}

fn db(error: sqlx::Error) -> EngineError {
    EngineError::Projection(ProjectionError::Database(error))
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
    /// Outstanding and overdue totals (a sum over `open_by_due_date`).
    pub async fn outstanding(
        &self,
        administration: &AdministrationId,
        today: NaiveDate,
    ) -> Result<Totals, EngineError> {
        let row = sqlx::query(
            "SELECT coalesce(sum(open_amount), 0)::bigint AS outstanding, coalesce(sum(count), 0)::bigint AS open, \
             coalesce(sum(open_amount) FILTER (WHERE due_date < $2), 0)::bigint AS overdue, \
             coalesce(sum(count) FILTER (WHERE due_date < $2), 0)::bigint AS overdue_count \
             FROM open_by_due_date WHERE administration = $1 AND phase NOT IN ('Paid', 'Credited')",
        )
        .bind(administration.as_str())
        .bind(today)
        .fetch_one(self.pool())
        .await
        .map_err(db)?;
        Ok(Totals {
            outstanding: Cents::new(row.try_get("outstanding").map_err(db)?),
            open_invoices: row.try_get("open").map_err(db)?,
            overdue: Cents::new(row.try_get("overdue").map_err(db)?),
            overdue_invoices: row.try_get("overdue_count").map_err(db)?,
        })
    }

    /// Open amounts by days past due for `today`, in the order of `boundaries.ranges()`.
    pub async fn ageing(
        &self,
        administration: &AdministrationId,
        today: NaiveDate,
        boundaries: &AgeingBoundaries,
    ) -> Result<Vec<AgeBucket>, EngineError> {
        // width_bucket over ascending thresholds [today − b_n, …, today − b_1, today]: bucket 0 is
        // the oldest (> b_n days), bucket n + 1 is not yet due.
        let mut thresholds: Vec<NaiveDate> = boundaries.bounds().iter().rev().map(|b| days_before(today, *b)).collect();
        thresholds.push(today);
        let rows: Vec<(i32, i64, i64)> = sqlx::query_as(
            "SELECT width_bucket(due_date, $2::date[]) AS bucket, sum(open_amount)::bigint, sum(count)::bigint \
             FROM open_by_due_date WHERE administration = $1 AND phase NOT IN ('Paid', 'Credited') GROUP BY 1",
        )
        .bind(administration.as_str())
        .bind(&thresholds)
        .fetch_all(self.pool())
        .await
        .map_err(db)?;
        let ranges = boundaries.ranges();
        let last = ranges.len() - 1;
        let mut buckets: Vec<AgeBucket> =
            ranges.into_iter().map(|range| AgeBucket { range, open: Cents::ZERO, count: 0 }).collect();
        for (bucket, open, count) in rows {
            // Bucket k of width_bucket is display position (last − k): not-due first, oldest last.
            let index = usize::try_from(bucket).ok().and_then(|k| last.checked_sub(k)).unwrap_or(last);
            buckets[index].open = Cents::new(open);
            buckets[index].count = count;
        }
        Ok(buckets)
    }

    /// The number of invoices and their open amount in every phase (all phases, zeros included).
    pub async fn phase_totals(
        &self,
        administration: &AdministrationId,
        today: NaiveDate,
    ) -> Result<Vec<PhaseTotal>, EngineError> {
        let rows: Vec<(String, bool, i64, i64)> = sqlx::query_as(
            "SELECT phase, due_date < $2 AS past_due, sum(open_amount)::bigint, sum(count)::bigint \
             FROM open_by_due_date WHERE administration = $1 GROUP BY 1, 2",
        )
        .bind(administration.as_str())
        .bind(today)
        .fetch_all(self.pool())
        .await
        .map_err(db)?;
        let mut totals: Vec<PhaseTotal> =
            Phase::ALL.into_iter().map(|phase| PhaseTotal { phase, count: 0, open: Cents::ZERO }).collect();
        for (stage, past_due, open, count) in rows {
            let stage = Stage::parse(&stage).ok_or_else(|| ProjectionError::Corrupt(format!("phase `{stage}`")))?;
            let phase = match stage {
                Stage::Open if past_due => Phase::Overdue,
                Stage::Open => Phase::NotDue,
                other => Phase::of(other, today, today),
            };
            if let Some(total) = totals.iter_mut().find(|t| t.phase == phase) {
                total.count += count;
                total.open = Cents::new(total.open.get() + open);
            }
        }
        Ok(totals)
    }

    /// DSO for the month that holds `today`.
    pub async fn dso(&self, administration: &AdministrationId, today: NaiveDate) -> Result<Dso, EngineError> {
        let mut months = self.dso_by_month(administration, today, 1).await?;
        months.pop().ok_or_else(|| EngineError::Projection(ProjectionError::Corrupt("no DSO month".to_owned())))
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
        .fetch_all(self.pool())
        .await
        .map_err(db)?;
        let count = months.clamp(1, MAX_DSO_MONTHS);
        Ok((0..count).rev().map(|back| dso_of(&rows, months_back(last, back))).collect())
    }
}

/// DSO of `month` from the monthly rows (`month`, invoiced, settled), in exact integer arithmetic.
fn dso_of(rows: &[(NaiveDate, i64, i64)], month: NaiveDate) -> Dso {
    let start = months_back(month, 11);
    let outstanding: i64 = rows.iter().filter(|r| r.0 <= month).map(|r| r.1 - r.2).sum();
    let invoiced: i64 = rows.iter().filter(|r| r.0 >= start && r.0 <= month).map(|r| r.1).sum();
    let days = (next_month(month) - start).num_days();
    let dso_hundredths = (invoiced > 0).then(|| {
        let numerator = i128::from(outstanding) * i128::from(days) * 200 + i128::from(invoiced);
        let hundredths = numerator.div_euclid(2 * i128::from(invoiced));
        i64::try_from(hundredths).unwrap_or(i64::MAX)
    });
    Dso {
        month,
        outstanding: Cents::new(outstanding),
        invoiced_12_months: Cents::new(invoiced),
        days_in_12_months: days,
        dso_hundredths,
    }
}
