//! Incremental GetMutaties by `MutatieNr` windows under the row cap and the monthly call budget.
//!
//! The service returns at most 500 rows a call and does not say which 500, so a call that comes back
//! with exactly 500 rows may have lost some. The sync first probes the open-ended tail
//! (`MutatieNrVan = cursor + 1`, `MutatieNrTm = 0`): fewer than 500 rows there is the whole tail, which
//! makes a daily import one call. A saturated probe switches to bounded windows: a window of at most
//! 500 numbers cannot lose rows (numbers are unique); a wider window (widened over sparse numbering)
//! that comes back saturated is split in half and asked again. Every call is counted in the budget.

use chrono::NaiveDate;
use tracing::debug;

use super::budget::CallBudget;
use super::records::Mutatie;
use super::request::MutatieFilter;
use super::{Client, Error};

/// Rows the service returns at most per GetMutaties call.
pub const ROW_CAP: usize = 500;
const CAP_I64: i64 = 500;
/// The widest window asked for, so that sparse numbering does not make windows grow without bound.
const MAX_WIDTH: i64 = 64 * 500;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Ask for everything after the cursor.
    Probe,
    /// Ask for `cursor + 1 ..= cursor + width`.
    Window,
}

/// Reads the mutations after a persisted cursor in batches of at most 500 rows, in number order.
/// Persist [`MutatieSync::cursor`] after each batch has been processed.
#[derive(Debug)]
pub struct MutatieSync<'a> {
    client: &'a Client,
    budget: &'a dyn CallBudget,
    today: NaiveDate,
    datum_van: NaiveDate,
    cursor: i64,
    mode: Mode,
    width: i64,
    finished: bool,
    calls: u32,
}

impl std::fmt::Debug for dyn CallBudget + '_ {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CallBudget")
    }
}

impl<'a> MutatieSync<'a> {
    /// Starts after `cursor` (the highest `MutatieNr` already imported; 0 for none), reading mutations
    /// booked on or after `datum_van`. Calls are counted for the month of `today`.
    pub fn new(
        client: &'a Client,
        budget: &'a dyn CallBudget,
        today: NaiveDate,
        cursor: i64,
        datum_van: NaiveDate,
    ) -> Self {
        MutatieSync {
            client,
            budget,
            today,
            datum_van,
            cursor,
            mode: Mode::Probe,
            width: CAP_I64,
            finished: false,
            calls: 0,
        }
    }

    /// The highest `MutatieNr` handed out so far (or the starting cursor).
    pub fn cursor(&self) -> i64 {
        self.cursor
    }

    /// GetMutaties requests made so far (a retry after a reopened session is counted in the budget only).
    pub fn calls(&self) -> u32 {
        self.calls
    }

    /// The next batch (≤ 500 rows, ascending `MutatieNr`), or `None` when the tail has been read.
    pub async fn next_batch(&mut self) -> Result<Option<Vec<Mutatie>>, Error> {
        while !self.finished {
            let tm = match self.mode {
                Mode::Probe => 0,
                Mode::Window => self.cursor + self.width,
            };
            let rows = self.fetch(self.cursor + 1, tm).await?;
            let saturated = rows.len() >= ROW_CAP;
            match self.mode {
                Mode::Probe if saturated => {
                    debug!(cursor = self.cursor, "the tail holds 500 or more mutations; reading it in windows");
                    self.mode = Mode::Window;
                    self.width = CAP_I64;
                    continue;
                }
                Mode::Probe => self.finished = true,
                Mode::Window if saturated && self.width > CAP_I64 => {
                    self.width = (self.width / 2).max(CAP_I64);
                    debug!(width = self.width, "a saturated window was split");
                    continue;
                }
                Mode::Window => {
                    if rows.len() < ROW_CAP / 4 {
                        self.width = (self.width * 2).min(MAX_WIDTH);
                    }
                    if !saturated {
                        // A window short of the cap may be the end of the data: probe the tail again.
                        self.mode = Mode::Probe;
                    }
                }
            }
            if let Some(last) = rows.last() {
                self.cursor = self.cursor.max(last.mutatie_nr);
                return Ok(Some(rows));
            }
        }
        Ok(None)
    }

    /// One call, its rows sorted by number (a window's rows are at most the row cap, so bounded).
    async fn fetch(&mut self, van: i64, tm: i64) -> Result<Vec<Mutatie>, Error> {
        self.calls += 1;
        let filter = MutatieFilter::numbers(van, tm, self.datum_van);
        let mut records = self.client.get_mutaties(&filter, self.budget, self.today).await?;
        let mut rows = Vec::with_capacity(64);
        while let Some(row) = records.next().await? {
            rows.push(row);
        }
        rows.sort_by_key(|m| m.mutatie_nr);
        Ok(rows)
    }
}
