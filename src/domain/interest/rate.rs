//! `Rate`: an exact yearly rate or percentage in parts per million, and half-up integer division.
//!
//! Rates are never floats: "0.1115" is stored as 111 500 ppm, so every product with cents stays an
//! exact integer until the single, explicit rounding step.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Parts per million in one whole (100 %).
pub const PPM_PER_UNIT: i128 = 1_000_000;

/// Why a text is not a rate.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RateError {
    /// The text is not a decimal fraction such as `0.1115` (from `parse_decimal`, which also reads
    /// a `Rate` through serde).
    #[error("`{0}` is not a rate (expected a decimal such as 0.1115)")]
    NotADecimal(String),
    /// The text is not a percentage such as `21` or `11.15` (from `parse_percent`).
    #[error("`{0}` is not a percentage (expected a number such as 21 or 11.15)")]
    NotAPercentage(String),
    /// The text has digits below one part per million (0.0001 %) that are not zero.
    #[error("`{0}` is more precise than one part per million")]
    TooPrecise(String),
    /// The rate does not fit a `u32` of parts per million (more than about 429 496 %).
    #[error("`{0}` is larger than any plausible rate")]
    TooLarge(String),
}

/// A non-negative rate, exact to one part per million (0.0001 %).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Rate(u32);

impl Rate {
    /// 0 %: no interest, no surcharge.
    pub const ZERO: Rate = Rate(0);

    /// A rate of `ppm` parts per million: `Rate::from_ppm(111_500)` is 11.15 %.
    pub const fn from_ppm(ppm: u32) -> Self {
        Rate(ppm)
    }

    /// The rate in parts per million (11.15 % is `111_500`).
    pub const fn ppm(self) -> u32 {
        self.0
    }

    /// Parses a fraction of one: `"0.1115"` is 11.15 %.
    pub fn parse_decimal(text: &str) -> Result<Self, RateError> {
        parse_scaled(text, 6).map_err(|kind| kind.into_error(text, RateError::NotADecimal))
    }

    /// Parses a percentage: `"21"` is 21 %, `"11.15"` is 11.15 %.
    pub fn parse_percent(text: &str) -> Result<Self, RateError> {
        parse_scaled(text, 4).map_err(|kind| kind.into_error(text, RateError::NotAPercentage))
    }

    /// `amount × rate`, rounded half-up to the cent (the VAT surcharge).
    pub fn apply(self, cents: i128) -> i128 {
        div_half_up(cents * i128::from(self.0), PPM_PER_UNIT)
    }
}

impl fmt::Display for Rate {
    /// The shortest exact decimal: `0.1115`, `0.08`, `1`, `0`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.0 / 1_000_000;
        let fraction = format!("{:06}", self.0 % 1_000_000);
        let fraction = fraction.trim_end_matches('0');
        if fraction.is_empty() {
            write!(f, "{whole}")
        } else {
            write!(f, "{whole}.{fraction}")
        }
    }
}

impl TryFrom<String> for Rate {
    type Error = RateError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Rate::parse_decimal(&text)
    }
}

impl From<Rate> for String {
    fn from(rate: Rate) -> String {
        rate.to_string()
    }
}

/// What went wrong while scaling a decimal, before the caller names the expected form.
enum ScaleError {
    Malformed,
    TooPrecise,
    TooLarge,
}

impl ScaleError {
    fn into_error(self, text: &str, malformed: fn(String) -> RateError) -> RateError {
        match self {
            ScaleError::Malformed => malformed(text.to_owned()),
            ScaleError::TooPrecise => RateError::TooPrecise(text.to_owned()),
            ScaleError::TooLarge => RateError::TooLarge(text.to_owned()),
        }
    }
}

/// `text × 10^decimals` as parts per million; digits below that must be zeros.
fn parse_scaled(text: &str, decimals: usize) -> Result<Rate, ScaleError> {
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !digits_only(whole) || !digits_only(fraction) {
        return Err(ScaleError::Malformed);
    }
    let significant = fraction.trim_end_matches('0');
    if significant.len() > decimals {
        return Err(ScaleError::TooPrecise);
    }
    // Nine whole digits already exceed any rate a u32 of ppm can hold.
    let whole = whole.trim_start_matches('0');
    if whole.len() > 9 {
        return Err(ScaleError::TooLarge);
    }
    let padded = format!("{whole}{significant:0<decimals$}");
    let scaled: u64 = if padded.is_empty() { 0 } else { padded.parse().map_err(|_| ScaleError::Malformed)? };
    // A fraction scaled by 10^6 and a percentage scaled by 10^4 are both parts per million.
    u32::try_from(scaled).map(Rate).map_err(|_| ScaleError::TooLarge)
}

/// `numerator / denominator` rounded half away from zero (half-up for the amounts we handle).
///
/// The denominator must be positive; every caller passes a constant or a product of constants.
pub fn div_half_up(numerator: i128, denominator: i128) -> i128 {
    debug_assert!(denominator > 0, "div_half_up needs a positive denominator");
    let magnitude = (numerator.abs() * 2 + denominator) / (denominator * 2);
    if numerator < 0 {
        -magnitude
    } else {
        magnitude
    }
}

#[cfg(test)]
mod tests;
