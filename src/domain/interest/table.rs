//! The versioned rate table: which statutory rate applied on which day, where it came from, and
//! whether it is verified. Shipped as `rates.toml` beside this file, extendable by configuration.

use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::rate::Rate;
use super::InterestError;

/// The two statutory rates of Dutch law.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RateKind {
    /// Wettelijke rente, art. 6:119 BW.
    Statutory,
    /// Wettelijke handelsrente, art. 6:119a/6:119b BW.
    Commercial,
}

impl std::fmt::Display for RateKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RateKind::Statutory => "statutory (art. 6:119 BW)",
            RateKind::Commercial => "commercial (art. 6:119a BW)",
        })
    }
}

/// One row of the table: `rate` applies to `kind` from `effective` until the next row of that kind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateEntry {
    /// Which of the two statutory rates the row sets.
    pub kind: RateKind,
    /// The first day the rate applies (an ISO date in the file).
    pub effective: NaiveDate,
    /// The yearly rate as an exact decimal fraction (`0.1115` is 11.15 %).
    pub rate: Rate,
    /// Where the value comes from (the Staatsblad or the publication), so that a reader can check it.
    pub source: String,
    /// True when no source marks the value uncertain and it agrees with the statutory method
    /// (art. 6:120 BW); a calculation that uses a row marked false reports `rates_verified: false`.
    pub verified: bool,
}

/// Why a rate table cannot be loaded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RateTableError {
    /// The text is not TOML of `[[rate]]` rows (`kind`, `effective`, `rate`, `source`,
    /// `verified`); the message says what is wrong. Fix the file.
    #[error("the rate table is not valid TOML of the expected shape: {0}")]
    Malformed(String),
    /// Two rows set the same kind from the same day; remove one (`with_extra` replaces a row
    /// instead).
    #[error("the rate table has two {kind} rates effective {effective}")]
    Duplicate {
        /// The kind of both rows.
        kind: RateKind,
        /// The day both rows take effect.
        effective: NaiveDate,
    },
}

/// A stretch of days at one rate, as the calculation consumes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateSegment {
    /// The stretch's first day (inclusive).
    pub from: NaiveDate,
    /// The stretch's last day (inclusive).
    pub to: NaiveDate,
    /// The yearly rate throughout the stretch.
    pub rate: Rate,
    /// False when any row used is unverified or the stretch runs past the table's known data.
    pub verified: bool,
}

/// All rate rows, sorted by kind and effective date, without duplicates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateTable {
    entries: Vec<RateEntry>,
}

#[derive(Deserialize)]
struct TableFile {
    #[serde(default)]
    rate: Vec<RateEntry>,
}

const SHIPPED: &str = include_str!("rates.toml");

impl RateTable {
    /// The table shipped with the crate (parsed once per process).
    pub fn shipped() -> RateTable {
        static TABLE: OnceLock<RateTable> = OnceLock::new();
        TABLE
            .get_or_init(|| {
                // The shipped file is part of the source; `shipped_table_parses_and_extra_rows_replace`
                // keeps it valid, so a failure here is a build defect, not an input error.
                RateTable::from_toml(SHIPPED).expect("the shipped rates.toml is valid (checked by a unit test)")
            })
            .clone()
    }

    /// Parses a table (or a set of extra rows) in the shipped file's format.
    pub fn from_toml(text: &str) -> Result<RateTable, RateTableError> {
        RateTable::new(parse_entries(text)?)
    }

    /// A table of `entries` in any order; two rows of one kind on one day are a `Duplicate`.
    pub fn new(mut entries: Vec<RateEntry>) -> Result<RateTable, RateTableError> {
        entries.sort_by_key(|e| (e.kind, e.effective));
        if let Some(pair) = entries.windows(2).find(|w| (w[0].kind, w[0].effective) == (w[1].kind, w[1].effective)) {
            return Err(RateTableError::Duplicate { kind: pair[1].kind, effective: pair[1].effective });
        }
        Ok(RateTable { entries })
    }

    /// This table plus configured rows; a row with the same kind and date replaces the existing one.
    pub fn with_extra(self, extra: Vec<RateEntry>) -> Result<RateTable, RateTableError> {
        let mut entries = self.entries;
        entries.retain(|e| !extra.iter().any(|x| (x.kind, x.effective) == (e.kind, e.effective)));
        entries.extend(extra);
        RateTable::new(entries)
    }

    /// All rows, by kind and date (e.g. to pass configured rows to `with_extra`).
    pub fn into_entries(self) -> Vec<RateEntry> {
        self.entries
    }

    /// The rows of one kind, oldest first.
    pub fn entries(&self, kind: RateKind) -> impl Iterator<Item = &RateEntry> {
        self.entries.iter().filter(move |e| e.kind == kind)
    }

    /// Splits `from..=to` where the rate changes; equal consecutive rates form one segment.
    pub fn segments(&self, kind: RateKind, from: NaiveDate, to: NaiveDate) -> Result<Vec<RateSegment>, InterestError> {
        let rows: Vec<&RateEntry> = self.entries(kind).collect();
        let first = rows.first().ok_or(InterestError::NoRates { kind })?;
        let start = rows.iter().rposition(|e| e.effective <= from).ok_or(InterestError::BeforeFirstRate {
            kind,
            date: from,
            first: first.effective,
        })?;
        let mut segments: Vec<RateSegment> = Vec::new();
        for (index, row) in rows.iter().enumerate().skip(start) {
            if row.effective > to {
                break;
            }
            let next = rows.get(index + 1).map(|n| n.effective);
            let seg_from = from.max(row.effective);
            let seg_to = next.and_then(|n| n.pred_opt()).map_or(to, |last| last.min(to));
            // Past the last row's half year the rate is only carried forward, never known.
            let known = next.is_some() || seg_to < half_year_after(row.effective);
            let verified = row.verified && known;
            match segments.last_mut() {
                Some(prev) if prev.rate == row.rate => {
                    prev.to = seg_to;
                    prev.verified &= verified;
                }
                _ => segments.push(RateSegment { from: seg_from, to: seg_to, rate: row.rate, verified }),
            }
        }
        Ok(segments)
    }
}

fn parse_entries(text: &str) -> Result<Vec<RateEntry>, RateTableError> {
    let file: TableFile = toml::from_str(text).map_err(|e| RateTableError::Malformed(e.message().to_owned()))?;
    Ok(file.rate)
}

/// The first 1 January or 1 July after `date`: statutory rates are set per half year (art. 6:120).
fn half_year_after(date: NaiveDate) -> NaiveDate {
    let (year, month) = if date.month() < 7 { (date.year(), 7) } else { (date.year() + 1, 1) };
    NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(NaiveDate::MAX)
}
