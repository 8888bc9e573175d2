//! Incremental GetMutaties by `MutatieNr` windows under the row cap and the monthly call budget.
//!
//! The service returns at most 500 rows a call and does not say which 500, so a call that comes back
//! with exactly 500 rows may have lost some. The sync first probes the open-ended tail
//! (`MutatieNrVan = cursor + 1`, `MutatieNrTm = 0`): fewer than 500 rows there is the whole tail, which
//! makes a daily import one call. A saturated probe switches to bounded windows: a window of at most
//! 500 numbers cannot lose rows (numbers are unique); each window is sized by the density of the one
//! before to about 400 rows, so sparse numbering (e.g. a start date that filters rows out) costs fewer
//! calls of the monthly 5,000, and a wide window that comes back saturated is split in half and asked
//! again. An empty window may be the end, so the tail is probed again. Every call is counted in
//! the budget.

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
/// The rows a window aims at: below the cap by enough that the density may vary from one window to
/// the next without saturating it (a saturated wide window costs a second call).
const TARGET_ROWS: i64 = 400;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Ask for everything from `scan` on.
    Probe,
    /// Ask for `scan ..= scan + width - 1`.
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
    /// The next number to ask for in this run.
    scan: i64,
    mode: Mode,
    width: i64,
    finished: bool,
    calls: u32,
    /// Records with a bad field, skipped (they still count towards the row cap of their call).
    spoiled: Vec<Error>,
}

/// The width of the window after one of `width` numbers that held `returned` rows: sized by that
/// density to about `TARGET_ROWS` rows, growing at most twofold a step (the numbering may turn dense
/// again), never below the cap (such a window cannot lose rows) nor above `MAX_WIDTH`.
fn next_width(width: i64, returned: usize) -> i64 {
    let returned = i64::try_from(returned).unwrap_or(i64::MAX);
    let sized = if returned == 0 { width * 2 } else { width * TARGET_ROWS / returned };
    sized.min(width * 2).clamp(CAP_I64, MAX_WIDTH)
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
            scan: cursor + 1,
            mode: Mode::Probe,
            width: CAP_I64,
            finished: false,
            calls: 0,
            spoiled: Vec::new(),
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

    /// The records skipped because of a bad field since the last call of this method.
    pub fn take_spoiled(&mut self) -> Vec<Error> {
        std::mem::take(&mut self.spoiled)
    }

    /// The next batch (≤ 500 rows, ascending `MutatieNr`), or `None` when the tail has been read.
    pub async fn next_batch(&mut self) -> Result<Option<Vec<Mutatie>>, Error> {
        while !self.finished {
            if self.mode == Mode::Probe {
                let (rows, returned) = self.fetch(self.scan, 0).await?;
                if returned >= ROW_CAP {
                    debug!(from = self.scan, "the tail holds 500 or more mutations; reading it in windows");
                    self.mode = Mode::Window;
                    continue;
                }
                self.finished = true;
                return Ok(self.emit(rows));
            }
            let last = self.scan + self.width - 1;
            let (rows, returned) = self.fetch(self.scan, last).await?;
            if returned >= ROW_CAP && self.width > CAP_I64 {
                self.width = (self.width / 2).max(CAP_I64);
                debug!(width = self.width, "a saturated window was split");
                continue;
            }
            // The window is complete: numbers in it that are absent now are gaps. (Only this run skips
            // them; the persisted cursor is the highest number seen, so the next run looks again.)
            self.scan = last + 1;
            self.width = next_width(self.width, returned);
            if rows.is_empty() {
                // Maybe the end, maybe a gap: the open-ended probe tells which.
                self.mode = Mode::Probe;
                continue;
            }
            return Ok(self.emit(rows));
        }
        Ok(None)
    }

    fn emit(&mut self, rows: Vec<Mutatie>) -> Option<Vec<Mutatie>> {
        let last = rows.last()?.mutatie_nr;
        self.cursor = self.cursor.max(last);
        self.scan = self.scan.max(last + 1);
        Some(rows)
    }

    /// One call, its rows sorted by number (a window's rows are at most the row cap, so bounded),
    /// and how many records the service returned (spoiled ones included).
    async fn fetch(&mut self, van: i64, tm: i64) -> Result<(Vec<Mutatie>, usize), Error> {
        self.calls += 1;
        let filter = MutatieFilter::numbers(van, tm, self.datum_van);
        let mut records = self.client.get_mutaties(&filter, self.budget, self.today).await?;
        let mut rows = Vec::with_capacity(64);
        let mut returned = 0;
        loop {
            match records.next().await {
                Ok(Some(row)) => rows.push(row),
                Ok(None) => break,
                Err(error) if error.is_record_error() => self.spoiled.push(error),
                Err(error) => return Err(error),
            }
            returned += 1;
        }
        rows.sort_by_key(|m| m.mutatie_nr);
        Ok((rows, returned))
    }
}

#[cfg(test)]
mod tests {
    use super::next_width;

    #[test]
    fn windows_are_sized_by_density_grow_at_most_twofold_and_never_below_the_cap() {
        // 335 rows in 500 numbers: about 400 in the next 597.
        assert_eq!(next_width(500, 335), 597);
        // Sparse: twice as wide, not 400 times.
        assert_eq!(next_width(1_000, 1), 2_000);
        assert_eq!(next_width(1_000, 0), 2_000);
        // Dense: narrower, but a window of the cap's width cannot lose rows, so never below it.
        assert_eq!(next_width(2_000, 499), 1_603);
        assert_eq!(next_width(500, 499), 500);
        assert_eq!(next_width(30_000, 2), 32_000);
    }
}
