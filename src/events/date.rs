//! Event dates, read without chrono's general format parser.
//!
//! chrono writes a `NaiveDate` as `YYYY-MM-DD`; reading that through its format machinery was a
//! noticeable part of decoding an imported document's event in an audit replay (the figures:
//! docs/perf/RESULTS.md, "Event dates"). The fast path reads exactly that form; anything else
//! goes to chrono, so what is accepted, and every error message, stays chrono's.

use std::fmt;

use chrono::NaiveDate;
use serde::de::{self, Deserializer, Visitor};

/// `deserialize_with` for an event's `NaiveDate` fields.
pub fn iso<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
    deserializer.deserialize_str(DateVisitor)
}

struct DateVisitor;

impl Visitor<'_> for DateVisitor {
    type Value = NaiveDate;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a date as YYYY-MM-DD")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<NaiveDate, E> {
        match plain_iso_date(text) {
            Some(date) => Ok(date),
            None => text.parse().map_err(E::custom),
        }
    }
}

/// `YYYY-MM-DD` with a four-digit year and a real calendar day; `None` for anything else.
fn plain_iso_date(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let number =
        |digits: &[u8]| digits.iter().try_fold(0u32, |n, &c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')));
    let year = i32::try_from(number(&bytes[..4])?).ok()?;
    NaiveDate::from_ymd_opt(year, number(&bytes[5..7])?, number(&bytes[8..])?)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    struct Dated {
        #[serde(deserialize_with = "iso")]
        on: NaiveDate,
    }

    fn read(text: &str) -> Result<NaiveDate, String> {
        serde_json::from_str::<Dated>(&format!(r#"{{"on":"{text}"}}"#)).map(|d| d.on).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_what_chrono_writes_and_refuses_what_chrono_refuses() {
        for date in ["2024-02-29", "0001-01-01", "9999-12-31", "1970-01-01"] {
            let expected: NaiveDate = date.parse().unwrap();
            assert_eq!(read(&serde_json::to_string(&expected).unwrap()[1..11]), Ok(expected));
        }
        for bad in ["2023-02-29", "2024-13-01", "2024-00-10", "2024/01/01", "2024-01-0x", ""] {
            let chrono = bad.parse::<NaiveDate>().map_err(|e| e.to_string());
            assert!(chrono.is_err(), "{bad}");
            let ours = read(bad).unwrap_err();
            assert!(ours.starts_with(&chrono.unwrap_err()), "{bad}: {ours}");
        }
    }

    #[test]
    fn other_forms_chrono_accepts_still_read() {
        // A signed five-digit year is chrono's own form outside 0000–9999; chrono also takes a
        // one-digit month and a two-digit year.
        for date in ["+12345-01-01", "2024-1-01", "24-01-01"] {
            let expected: NaiveDate = date.parse().unwrap();
            assert_eq!(read(date), Ok(expected));
        }
    }
}
