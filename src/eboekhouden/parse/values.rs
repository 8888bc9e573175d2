//! Lexical parsing of the leaf values: lenient where the service varies (dates with or without time,
//! offset or fraction; doubles in exponent form or with float artefacts), strict where it matters.

use chrono::NaiveDate;

use crate::domain::Cents;

/// A field that could not be read; the record number is added by the caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub reason: String,
}

impl FieldError {
    pub fn missing(field: &'static str) -> FieldError {
        FieldError { field, reason: "the element is missing".to_owned() }
    }
}

/// An amount typed `s:double` or `s:decimal`: float artefacts within 0.0001 euro of a cent are rounded.
pub fn amount(field: &'static str, text: &str) -> Result<Cents, FieldError> {
    Cents::parse_soap_double(text).map_err(|e| FieldError { field, reason: e.to_string() })
}

/// An `s:long`.
pub fn long(field: &'static str, text: &str) -> Result<i64, FieldError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Ok(0);
    }
    trimmed.parse().map_err(|_| FieldError { field, reason: format!("`{trimmed}` is not a whole number") })
}

/// An `s:dateTime` (or a bare date): only the calendar date as written is kept; a time, fractional
/// seconds and an offset are checked and dropped.
pub fn date(field: &'static str, text: &str) -> Result<NaiveDate, FieldError> {
    let trimmed = text.trim();
    let bad = || FieldError { field, reason: format!("`{trimmed}` is not a date") };
    let (date_part, rest) = match trimmed.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None if trimmed.len() >= 10 && trimmed.is_char_boundary(10) => (&trimmed[..10], None),
        None => return Err(bad()),
    };
    let day = calendar_date(date_part).ok_or_else(bad)?;
    match rest {
        Some(time) => {
            let time = strip_offset(time).ok_or_else(bad)?;
            if !clock_time(time) {
                return Err(bad());
            }
        }
        None => {
            let offset = &trimmed[10..];
            if !offset.is_empty() && strip_offset(offset) != Some("") {
                return Err(bad());
            }
        }
    }
    Ok(day)
}

/// ASCII digits as a number; `None` if any byte is not a digit.
fn digits(text: &[u8]) -> Option<u32> {
    text.iter().try_fold(0, |n, &b| b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0')))
}

/// `YYYY-MM-DD`, read by hand: chrono's format parser reads its format string on every call, and a
/// response holds a date or two per record.
fn calendar_date(text: &str) -> Option<NaiveDate> {
    match text.as_bytes() {
        [y @ .., b'-', m1, m2, b'-', d1, d2] if y.len() == 4 => {
            NaiveDate::from_ymd_opt(i32::try_from(digits(y)?).ok()?, digits(&[*m1, *m2])?, digits(&[*d1, *d2])?)
        }
        _ => None,
    }
}

/// `HH:MM:SS`, optionally with a fraction of a second (`.` and digits); 60 seconds for a leap second.
fn clock_time(text: &str) -> bool {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, "0"));
    let in_range = match whole.as_bytes() {
        [h1, h2, b':', m1, m2, b':', s1, s2] => {
            digits(&[*h1, *h2]).is_some_and(|h| h < 24)
                && digits(&[*m1, *m2]).is_some_and(|m| m < 60)
                && digits(&[*s1, *s2]).is_some_and(|s| s <= 60)
        }
        _ => false,
    };
    in_range && !fraction.is_empty() && fraction.bytes().all(|b| b.is_ascii_digit())
}

/// `12:00:00+02:00` → `12:00:00`; `Z` and `±HH:MM` are accepted, anything else after a sign is not.
fn strip_offset(text: &str) -> Option<&str> {
    if let Some(stripped) = text.strip_suffix('Z') {
        return Some(stripped);
    }
    let bytes = text.as_bytes();
    let n = bytes.len();
    if n >= 6 && matches!(bytes[n - 6], b'+' | b'-') {
        let (hh, mm) = (&text[n - 5..n - 3], &text[n - 2..]);
        let valid = bytes[n - 3] == b':'
            && hh.bytes().all(|b| b.is_ascii_digit())
            && mm.bytes().all(|b| b.is_ascii_digit())
            && hh <= "14"
            && mm < "60";
        return valid.then_some(&text[..n - 6]);
    }
    if text.contains(['+', 'Z']) || text.rfind('-').is_some() {
        return None;
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn dates_in_every_shape_give_the_written_calendar_date() {
        for text in [
            "2023-04-01",
            "2023-04-01T00:00:00",
            "2023-04-01T23:59:59+02:00",
            "2023-04-01T00:00:00-05:00",
            "2023-04-01T00:00:00Z",
            "2023-04-01T00:00:00.1234567",
            "2023-04-01T10:11:12.5+01:00",
            "2023-04-01Z",
            "2023-04-01+02:00",
            " 2023-04-01T00:00:00 ",
        ] {
            assert_eq!(date("Datum", text), Ok(d(2023, 4, 1)), "{text}");
        }
    }

    #[test]
    fn dates_that_are_not_dates_are_refused_with_the_field() {
        for text in [
            "",
            "01-04-2023",
            "2023-13-01",
            "2023-02-30",
            "2023-4-01T00:00:00",
            "2023-04-01T25:00:00",
            "2023-04-01T10:60:00",
            "2023-04-01T10:00",
            "2023-04-01T10:00:00.",
            "2023-04-01T00:00:00+2",
            "2023-04-01 junk",
        ] {
            let error = date("MutDatum", text).unwrap_err();
            assert_eq!(error.field, "MutDatum", "{text}");
        }
    }

    #[test]
    fn amounts_accept_exponents_and_artefacts_and_refuse_the_rest() {
        assert_eq!(amount("Bedrag", "1E2"), Ok(Cents::new(10_000)));
        assert_eq!(amount("Bedrag", "1.2345E3"), Ok(Cents::new(123_450)));
        assert_eq!(amount("Bedrag", "50.049999999999997"), Ok(Cents::new(5_005)));
        assert_eq!(amount("Bedrag", "-0.01"), Ok(Cents::new(-1)));
        assert_eq!(amount("Bedrag", "12.1000"), Ok(Cents::new(1_210)));
        assert_eq!(amount("Bedrag", "abc").unwrap_err().reason, "`abc` is not a number");
        assert_eq!(
            amount("Voldaan", "10.005").unwrap_err().reason,
            "`10.005` lies too far from a whole cent to be a rounding artefact"
        );
    }

    #[test]
    fn longs_default_to_zero_when_empty() {
        assert_eq!(long("ID", ""), Ok(0));
        assert_eq!(long("ID", " 42 "), Ok(42));
        assert_eq!(long("ID", "4.2").unwrap_err().reason, "`4.2` is not a whole number");
    }
}
