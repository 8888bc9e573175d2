//! `Cents`: money as a whole number of euro cents, parsed from text and never through a float.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An amount of money in euro cents. Negative amounts are allowed (credit notes, refunds).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Cents(i64);

/// Why a text is not an amount. Each variant names what the caller should tell the user.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MoneyError {
    /// The text is empty or only whitespace; ask for an amount.
    #[error("the amount is empty")]
    Empty,
    /// The text is not a decimal number in the expected `Format`.
    #[error("`{0}` is not a number")]
    NotANumber(String),
    /// The text has digits below the cent that are not zero (`1.005`); amounts are whole cents.
    #[error("`{0}` has more than two decimals that are not zero")]
    SubCent(String),
    /// An `s:double` value lies more than 0.0001 euro from a whole cent, so it is no float
    /// artefact to round away (`parse_soap_double` only).
    #[error("`{0}` lies too far from a whole cent to be a rounding artefact")]
    NotNearCent(String),
    /// The magnitude is above `Cents::LIMIT` (one trillion euros) or has absurdly many digits; the
    /// input is wrong.
    #[error("`{0}` is larger than any plausible amount (the limit is 1,000,000,000,000.00)")]
    Absurd(String),
    /// A sum, difference, product or negation left the range of `i64` cents.
    #[error("the amount overflows")]
    Overflow,
}

/// How the decimal separator is written in the text being parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `1234.56`, `-0.01`, `1E2`: the XML and machine form.
    Plain,
    /// `1.234,56`: the Dutch form, dots group thousands and a comma separates the cents.
    Dutch,
}

/// What to do with digits below the cent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SubCent {
    /// They must be zeros.
    Reject,
    /// `s:double` float artefacts (`50.049999999999997`) are rounded to the nearest cent when they
    /// lie within 0.0001 euro of it; anything further away is an error.
    RoundArtefact,
}

impl Cents {
    /// No money: € 0.00, the start of every sum.
    pub const ZERO: Cents = Cents(0);
    /// The largest magnitude any parsed amount may have: one trillion euros.
    pub const LIMIT: Cents = Cents(100_000_000_000_000);

    /// An amount of `cents` euro cents: `Cents::new(4_000)` is € 40.00.
    pub const fn new(cents: i64) -> Self {
        Cents(cents)
    }

    /// The amount in euro cents.
    pub const fn get(self) -> i64 {
        self.0
    }

    /// Parses a machine amount (`1234.5`, `-0.01`, `1E2`); three decimals must be zeros.
    pub fn parse(text: &str) -> Result<Self, MoneyError> {
        Self::parse_with(text, Format::Plain)
    }

    /// Parses an amount written in `format`; digits below the cent must be zeros (`SubCent`).
    pub fn parse_with(text: &str, format: Format) -> Result<Self, MoneyError> {
        parse(text, format, SubCent::Reject)
    }

    /// Parses a value the WSDL types as `s:double`, rounding float artefacts to the nearest cent.
    pub fn parse_soap_double(text: &str) -> Result<Self, MoneyError> {
        parse(text, Format::Plain, SubCent::RoundArtefact)
    }

    /// `self + other`, or `Overflow` instead of wrapping.
    pub fn checked_add(self, other: Cents) -> Result<Cents, MoneyError> {
        self.0.checked_add(other.0).map(Cents).ok_or(MoneyError::Overflow)
    }

    /// `self − other`, or `Overflow` instead of wrapping.
    pub fn checked_sub(self, other: Cents) -> Result<Cents, MoneyError> {
        self.0.checked_sub(other.0).map(Cents).ok_or(MoneyError::Overflow)
    }

    /// The amount times a whole `factor`, or `Overflow` instead of wrapping.
    pub fn checked_mul(self, factor: i64) -> Result<Cents, MoneyError> {
        self.0.checked_mul(factor).map(Cents).ok_or(MoneyError::Overflow)
    }

    /// The amount with its sign reversed, or `Overflow` (only for `i64::MIN` cents).
    pub fn checked_neg(self) -> Result<Cents, MoneyError> {
        self.0.checked_neg().map(Cents).ok_or(MoneyError::Overflow)
    }

    /// Sums amounts, failing on overflow instead of wrapping.
    pub fn checked_sum<I: IntoIterator<Item = Cents>>(amounts: I) -> Result<Cents, MoneyError> {
        amounts.into_iter().try_fold(Cents::ZERO, Cents::checked_add)
    }

    /// Below zero: a credit or a refund.
    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// Above zero; zero is neither positive nor negative.
    pub const fn is_positive(self) -> bool {
        self.0 > 0
    }

    /// Exactly € 0.00.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }
}

impl fmt::Display for Cents {
    /// `1234.56`, `-0.05`: the plain form, so that `parse(display(x)) == x`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let magnitude = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", magnitude / 100, magnitude % 100)
    }
}

impl FromStr for Cents {
    type Err = MoneyError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Cents::parse(text)
    }
}

/// The most digits a mantissa may carry once leading zeros are gone; more is absurd for money.
const MAX_MANTISSA_DIGITS: usize = 40;
/// Bounds the exponent so that `1E999999999` is refused without building huge numbers.
const MAX_EXPONENT: i64 = 400;

fn parse(text: &str, format: Format, sub_cent: SubCent) -> Result<Cents, MoneyError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(MoneyError::Empty);
    }
    let not_a_number = || MoneyError::NotANumber(trimmed.to_owned());
    let normalized = match format {
        Format::Plain => trimmed.to_owned(),
        Format::Dutch => dutch_to_plain(trimmed).ok_or_else(not_a_number)?,
    };
    let decimal = Decimal::parse(&normalized).ok_or_else(not_a_number)?;
    decimal.to_cents(trimmed, sub_cent)
}

/// `1.234,56` → `1234.56`; dots must group exactly three digits.
fn dutch_to_plain(text: &str) -> Option<String> {
    let (integer, fraction) = match text.split_once(',') {
        Some((i, f)) => (i, Some(f)),
        None => (text, None),
    };
    let unsigned = integer.trim_start_matches(['-', '+']);
    let mut groups = unsigned.split('.');
    let first = groups.next()?;
    if first.is_empty() || first.len() > 3 && unsigned.contains('.') {
        return None;
    }
    if groups.any(|g| g.len() != 3) {
        return None;
    }
    let mut plain = integer.replace('.', "");
    if let Some(fraction) = fraction {
        plain.push('.');
        plain.push_str(fraction);
    }
    Some(plain)
}

/// A decimal number as its digits and the power of ten that scales them.
struct Decimal {
    negative: bool,
    /// Significant digits, no leading zeros (may be empty for zero).
    digits: Vec<u8>,
    /// The value is `digits × 10^exponent`.
    exponent: i64,
}

impl Decimal {
    fn parse(text: &str) -> Option<Decimal> {
        let (negative, rest) = match text.as_bytes().first()? {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        let (mantissa, exponent) = match rest.find(['e', 'E']) {
            Some(at) => (&rest[..at], parse_exponent(&rest[at + 1..])?),
            None => (rest, 0),
        };
        let (integer, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if integer.is_empty() && fraction.is_empty() {
            return None;
        }
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(integer) || !all_digits(fraction) {
            return None;
        }
        let digits: Vec<u8> =
            integer.bytes().chain(fraction.bytes()).map(|b| b - b'0').skip_while(|&d| d == 0).collect();
        let fraction_len = i64::try_from(fraction.len()).ok()?;
        Some(Decimal { negative, digits, exponent: exponent - fraction_len })
    }

    fn to_cents(&self, original: &str, sub_cent: SubCent) -> Result<Cents, MoneyError> {
        if self.digits.len() > MAX_MANTISSA_DIGITS {
            return Err(MoneyError::Absurd(original.to_owned()));
        }
        // Shift so that the value is `digits × 10^shift` cents.
        let shift = self.exponent + 2;
        // The decimal places below the cent; the exponent is bounded (`parse_exponent`).
        let places_below = crate::convert::usize_of(shift.min(0).unsigned_abs());
        let (whole, below): (&[u8], &[u8]) = self.digits.split_at(self.digits.len().saturating_sub(places_below));
        let leading_zeros_below = places_below.saturating_sub(self.digits.len());
        let mut cents = digits_to_i128(whole, shift.max(0)).ok_or_else(|| MoneyError::Absurd(original.to_owned()))?;
        if below.iter().any(|&d| d != 0) {
            match sub_cent {
                SubCent::Reject => return Err(MoneyError::SubCent(original.to_owned())),
                SubCent::RoundArtefact => {
                    cents += round_artefact(below, leading_zeros_below)
                        .ok_or_else(|| MoneyError::NotNearCent(original.to_owned()))?;
                }
            }
        }
        let signed = if self.negative { -cents } else { cents };
        if signed.abs() > i128::from(Cents::LIMIT.0) {
            return Err(MoneyError::Absurd(original.to_owned()));
        }
        i64::try_from(signed).map(Cents).map_err(|_| MoneyError::Overflow)
    }
}

fn parse_exponent(text: &str) -> Option<i64> {
    let value: i64 = text.parse().ok()?;
    (value.abs() <= MAX_EXPONENT).then_some(value)
}

/// The integer `digits × 10^shift`, or `None` when it does not fit comfortably.
fn digits_to_i128(digits: &[u8], shift: i64) -> Option<i128> {
    if digits.is_empty() {
        return Some(0);
    }
    if i64::try_from(digits.len()).ok()? + shift > 30 {
        return None;
    }
    let mut value: i128 = 0;
    for &d in digits {
        value = value * 10 + i128::from(d);
    }
    for _ in 0..shift {
        value *= 10;
    }
    Some(value)
}

/// The sub-cent part is `0.{zeros}{below}` of a cent. Within 0.01 cent (0.0001 euro) of a whole cent
/// it rounds to 0 or 1; anything else is no float artefact.
fn round_artefact(below: &[u8], leading_zeros: usize) -> Option<i128> {
    let first_two: Vec<u8> = std::iter::repeat_n(0, leading_zeros).chain(below.iter().copied()).take(2).collect();
    match first_two.as_slice() {
        [0, 0] | [0] => Some(0),
        [9, 9] => Some(1),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
