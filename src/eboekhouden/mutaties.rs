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
//! the budget. Two windows are in flight at a time, so one call's round trip overlaps the next
//! one's; the halves of a split window are read before the window after it.

use chrono::NaiveDate;
use futures::future::BoxFuture;
use futures::stream::{FuturesOrdered, StreamExt};
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
    /// Ask for everything from `plan` on, alone.
    Probe,
    /// Ask for `plan ..= plan + width - 1`, keeping `WINDOWS_AHEAD` windows in flight.
    Window,
}

/// Windows asked for before the one being read comes back: a window's round trip (sending, the
/// service, parsing on the parser's thread) overlaps the next one's instead of following it.
const WINDOWS_AHEAD: usize = 2;

/// One call's answer: its window (`tm` 0 for a probe), its rows sorted by number, how many records
/// the service returned (spoiled ones included) and the records with a bad field.
struct Fetched {
    van: i64,
    tm: i64,
    rows: Vec<Mutatie>,
    returned: usize,
    spoiled: Vec<Error>,
}

/// Reads the mutations after a persisted cursor in batches of at most 500 rows, in number order.
/// Persist [`MutatieSync::cursor`] after each batch has been processed.
pub struct MutatieSync<'a> {
    client: &'a Client,
    budget: &'a dyn CallBudget,
    today: NaiveDate,
    datum_van: NaiveDate,
    cursor: i64,
    /// The first number no call has asked for yet.
    plan: i64,
    mode: Mode,
    width: i64,
    finished: bool,
    calls: u32,
    /// The calls made and not yet read, in number order.
    in_flight: FuturesOrdered<BoxFuture<'a, Result<Fetched, Error>>>,
    /// Records with a bad field, skipped (they still count towards the row cap of their call).
    spoiled: Vec<Error>,
}

impl std::fmt::Debug for MutatieSync<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MutatieSync")
            .field("cursor", &self.cursor)
            .field("plan", &self.plan)
            .field("mode", &self.mode)
            .field("width", &self.width)
            .field("in_flight", &self.in_flight.len())
            .field("calls", &self.calls)
            .finish_non_exhaustive()
    }
}

/// The width of the window after one of `width` numbers that held `returned` rows: sized by that
/// density to about `TARGET_ROWS` rows, growing at most twofold a step (the numbering may turn dense
/// again), never below the cap (such a window cannot lose rows) nor above `MAX_WIDTH`.
fn next_width(width: i64, returned: usize) -> i64 {
    let returned = crate::convert::i64_of(returned);
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
            plan: cursor + 1,
            mode: Mode::Probe,
            width: CAP_I64,
            finished: false,
            calls: 0,
            in_flight: FuturesOrdered::new(),
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
        loop {
            self.plan_calls();
            let Some(fetched) = self.in_flight.next().await else { return Ok(None) };
            let Fetched { van, tm, rows, returned, spoiled } = fetched?;
            self.spoiled.extend(spoiled);
            if tm == 0 {
                if returned >= ROW_CAP {
                    debug!(from = van, "the tail holds 500 or more mutations; reading it in windows");
                    self.mode = Mode::Window;
                    continue;
                }
                self.finished = true;
                return Ok(self.emit(rows));
            }
            let width = tm - van + 1;
            if returned >= ROW_CAP && width > CAP_I64 {
                // Asked again in two halves, read before the windows after it.
                let half = (width / 2).max(CAP_I64);
                let (first, second) = (self.call(van, van + half - 1), self.call(van + half, tm));
                self.in_flight.push_front(second);
                self.in_flight.push_front(first);
                self.width = half;
                debug!(width = half, "a saturated window was split");
                continue;
            }
            // The window is complete: numbers in it that are absent now are gaps. (Only this run skips
            // them; the persisted cursor is the highest number seen, so the next run looks again.)
            self.width = next_width(width, returned);
            if rows.is_empty() {
                // Maybe the end, maybe a gap: once the windows in flight are read, the open-ended
                // probe tells which.
                self.mode = Mode::Probe;
                continue;
            }
            return Ok(self.emit(rows));
        }
    }

    /// Waits for the calls in flight and drops their rows, for a caller that stops early: a call
    /// counted in the budget is then a call the service received.
    pub async fn settle(&mut self) {
        while self.in_flight.next().await.is_some() {}
    }

    /// Asks for what comes next: a probe alone, or windows up to `WINDOWS_AHEAD` in flight.
    fn plan_calls(&mut self) {
        match self.mode {
            Mode::Probe if !self.finished && self.in_flight.is_empty() => {
                let probe = self.call(self.plan, 0);
                self.in_flight.push_back(probe);
            }
            Mode::Window => {
                while self.in_flight.len() < WINDOWS_AHEAD {
                    let window = self.call(self.plan, self.plan + self.width - 1);
                    self.in_flight.push_back(window);
                    self.plan += self.width;
                }
            }
            Mode::Probe => {}
        }
    }

    fn emit(&mut self, rows: Vec<Mutatie>) -> Option<Vec<Mutatie>> {
        let last = rows.last()?.mutatie_nr;
        self.cursor = self.cursor.max(last);
        Some(rows)
    }

    /// One call for `van ..= tm` (`tm` 0: open-ended), read to the end when polled.
    fn call(&mut self, van: i64, tm: i64) -> BoxFuture<'a, Result<Fetched, Error>> {
        self.calls += 1;
        let (client, budget, today) = (self.client, self.budget, self.today);
        let filter = MutatieFilter::numbers(van, tm, self.datum_van);
        Box::pin(async move {
            let mut records = client.get_mutaties(&filter, budget, today).await?;
            let (mut rows, mut returned, mut spoiled) = (Vec::with_capacity(64), 0, Vec::new());
            loop {
                match records.next().await {
                    Ok(Some(row)) => rows.push(row),
                    Ok(None) => break,
                    Err(error) if error.is_record_error() => spoiled.push(error),
                    Err(error) => return Err(error),
                }
                returned += 1;
            }
            rows.sort_by_key(|m: &Mutatie| m.mutatie_nr);
            Ok(Fetched { van, tm, rows, returned, spoiled })
        })
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
