//! The dashboard's lists: top debtors, one debtor, a page of invoices, claims about to prescribe.
//! Each is an index range (`debtor_balance_top`, the invoice key, `invoice_list_phase`,
//! `invoice_list_open_due`, `invoice_list_prescribing`), never a scan.
//!
//! Every `LIMIT` is written into the statement, not bound: with a bound limit the generic plan is
//! costed for a tenth of the range, loses to the custom plan, and PostgreSQL then plans the
//! statement again on every execution, which costs as much as executing it (docs/perf/RESULTS.md,
//! "Literal limits"). With the literal the cached generic plan wins (one prepared statement per
//! distinct limit; callers use a few).

use chrono::{Days, NaiveDate};
use sqlx::postgres::PgRow;
use sqlx::Row;

use super::{
    days_before, BucketRange, Cursor, DebtorDetail, DebtorLine, InvoiceFilter, InvoiceLine, InvoicePage, Phase,
};
use crate::domain::{AccountId, AdministrationId, Cents, DebtorCode};
use crate::engine::{Engine, EngineError};
use crate::projections::{decode_line, ProjectionError, Stage};

fn stage(text: &str) -> Result<Stage, EngineError> {
    Stage::parse(text).ok_or_else(|| EngineError::from(ProjectionError::Corrupt(format!("phase `{text}`"))))
}

/// An invoice from a row whose first column is its stored dashboard line (`invoice_list.line`): one
/// value per invoice, where the typed columns would cost a page 650 values to send and decode.
fn invoice_line(row: &PgRow, today: NaiveDate) -> Result<InvoiceLine, EngineError> {
    let bytes: &[u8] = row.try_get(0)?;
    let line = decode_line(bytes)?;
    Ok(InvoiceLine {
        debtor_code: line.debtor_code.to_owned(),
        invoice_number: line.invoice_number.to_owned(),
        invoice_date: line.invoice_date,
        due_date: line.due_date,
        amount: line.amount,
        open: line.open,
        paid: line.paid,
        credited: line.credited,
        adjusted: line.adjusted,
        phase: Phase::of(line.stage, line.due_date, today),
        days_past_due: (today - line.due_date).num_days(),
        steps: line.steps,
        prescribes_on: line.prescribes_on,
        settled_on: line.settled_on,
    })
}

/// A debtor's line; its phase is read from `phase_column` (`phase`, or `debtor_phase` where the
/// row also holds an invoice's).
fn debtor_line(row: &PgRow, today: NaiveDate, phase_column: &str) -> Result<DebtorLine, EngineError> {
    let oldest_open_due: Option<NaiveDate> = row.try_get("oldest_open_due")?;
    let phase: Option<String> = row.try_get(phase_column)?;
    let phase = match (phase, oldest_open_due) {
        (Some(text), Some(oldest)) => Some(Phase::of(stage(&text)?, oldest, today)),
        _ => None,
    };
    Ok(DebtorLine {
        debtor_code: row.try_get("debtor_code")?,
        name: row.try_get("name")?,
        outstanding: Cents::new(row.try_get("outstanding")?),
        open_invoices: row.try_get("open_count")?,
        oldest_open_due,
        phase,
        unallocated_credit: Cents::new(row.try_get("unallocated_credit")?),
    })
}

const DEBTOR_COLUMNS: &str = "debtor_code, name, outstanding, open_count, oldest_open_due, phase, unallocated_credit";

/// The invoice's line first (`invoice_line` reads it by position).
const DEBTOR_WITH_INVOICES: &str = "SELECT i.line, \
     b.debtor_code, b.name, b.outstanding, b.open_count, b.oldest_open_due, b.phase AS debtor_phase, b.unallocated_credit \
     FROM debtor_balance b LEFT JOIN invoice_list i ON i.aggregate_id = b.aggregate_id \
     WHERE b.aggregate_id = $1 ORDER BY i.due_date, i.invoice_number";

impl Engine {
    /// The `limit` debtors with the most outstanding, largest first.
    pub async fn top_debtors(
        &self,
        administration: &AdministrationId,
        today: NaiveDate,
        limit: i64,
    ) -> Result<Vec<DebtorLine>, EngineError> {
        let sql = format!(
            "SELECT {DEBTOR_COLUMNS} FROM debtor_balance WHERE administration = $1 \
             ORDER BY outstanding DESC, aggregate_id LIMIT {limit}"
        );
        let rows = sqlx::query(&sql).bind(administration.as_str()).fetch_all(self.reads()).await?;
        rows.iter().map(|row| debtor_line(row, today, "phase")).collect()
    }

    /// One debtor's balance, what is overdue today, and all its invoices; `None` for an unknown debtor.
    pub async fn debtor_invoices(
        &self,
        administration: &AdministrationId,
        debtor: &DebtorCode,
        today: NaiveDate,
    ) -> Result<Option<DebtorDetail>, EngineError> {
        let aggregate_id = AccountId::new(administration, debtor).to_string();
        // One round trip: the balance row joined with its invoices (a range of the invoice key).
        let rows = sqlx::query(DEBTOR_WITH_INVOICES).bind(&aggregate_id).fetch_all(self.reads()).await?;
        let Some(first) = rows.first() else { return Ok(None) };
        let line = debtor_line(first, today, "debtor_phase")?;
        let mut invoices = Vec::with_capacity(rows.len());
        for row in &rows {
            // A debtor without invoices comes back as one row whose invoice columns are NULL.
            if row.try_get::<Option<&[u8]>, _>(0)?.is_some() {
                invoices.push(invoice_line(row, today)?);
            }
        }
        let overdue = invoices
            .iter()
            .filter(|i| i.open.is_positive() && i.due_date < today)
            .fold(Cents::ZERO, |sum, i| Cents::new(sum.get() + i.open.get()));
        Ok(Some(DebtorDetail { line, overdue, invoices }))
    }

    /// A page of invoices in one phase or one ageing bucket, in due-date order, after `after`.
    /// Invoice numbers are unique within an administration, so (due date, number) is a cursor.
    pub async fn invoice_page(
        &self,
        administration: &AdministrationId,
        today: NaiveDate,
        filter: InvoiceFilter,
        after: Option<&Cursor>,
        limit: i64,
    ) -> Result<InvoicePage, EngineError> {
        // One lower bound, as a row comparison on the index's (due_date, invoice_number): the later of
        // the filter's first due date and the cursor. A separate `due_date >=` beside the row
        // comparison would let the scan start at the administration's oldest invoice.
        let (condition, low, high) = match filter {
            InvoiceFilter::Phase(Phase::NotDue) => ("phase = 'Open'", Some(today), None),
            InvoiceFilter::Phase(Phase::Overdue) => ("phase = 'Open' AND due_date < $3", None, Some(today)),
            InvoiceFilter::Phase(_) => ("phase = $5", None, None),
            InvoiceFilter::Bucket(range) => {
                let (low, high) = bucket_dates(range, today);
                ("open_amount > 0 AND due_date <= coalesce($3, 'infinity')", low, high)
            }
        };
        let phase = match filter {
            InvoiceFilter::Phase(phase) => phase.stage().as_str(),
            InvoiceFilter::Bucket(_) => "",
        };
        // The empty number sorts before every real one: "from the first invoice due on `low`".
        let from_filter = low.map(|due| (due, ""));
        let from_cursor = after.map(|c| (c.due_date, c.invoice_number.as_str()));
        let (start_due, start_number) = from_filter.max(from_cursor).map_or((None, ""), |(d, n)| (Some(d), n));
        // Unused parameters are harmless: sqlx declares every bound parameter's type.
        let sql = format!(
            "SELECT line FROM invoice_list WHERE administration = $1 AND {condition} \
             AND (due_date, invoice_number) > (coalesce($2, '-infinity'::date), $4) \
             ORDER BY due_date, invoice_number LIMIT {limit}"
        );
        let rows = sqlx::query(&sql)
            .bind(administration.as_str())
            .bind(start_due)
            .bind(high)
            .bind(start_number)
            .bind(phase)
            .fetch_all(self.reads())
            .await?;
        let invoices = rows.iter().map(|row| invoice_line(row, today)).collect::<Result<Vec<_>, _>>()?;
        let full = crate::convert::i64_of(invoices.len()) >= limit;
        let next = invoices
            .last()
            .filter(|_| full)
            .map(|last| Cursor { due_date: last.due_date, invoice_number: last.invoice_number.clone() });
        Ok(InvoicePage { invoices, next })
    }

    /// Open claims that prescribe (art. 3:307, interrupted by the reminders sent) after `today` and at
    /// most `within_days` later, soonest first.
    pub async fn prescribing_soon(
        &self,
        administration: &AdministrationId,
        today: NaiveDate,
        within_days: u32,
        limit: i64,
    ) -> Result<Vec<InvoiceLine>, EngineError> {
        let until = today.checked_add_days(Days::new(u64::from(within_days))).unwrap_or(NaiveDate::MAX);
        let sql = format!(
            "SELECT line FROM invoice_list WHERE administration = $1 AND open_amount > 0 \
             AND prescribes_on > $2 AND prescribes_on <= $3 ORDER BY prescribes_on, invoice_number LIMIT {limit}"
        );
        let rows =
            sqlx::query(&sql).bind(administration.as_str()).bind(today).bind(until).fetch_all(self.reads()).await?;
        rows.iter().map(|row| invoice_line(row, today)).collect()
    }
}

/// The due dates (inclusive; `None` is open-ended) of the invoices in a bucket on `today`.
fn bucket_dates(range: BucketRange, today: NaiveDate) -> (Option<NaiveDate>, Option<NaiveDate>) {
    match range {
        BucketRange::NotDue => (Some(today), None),
        BucketRange::PastDue { from, to } => (to.map(|to| days_before(today, to)), Some(days_before(today, from))),
    }
}
