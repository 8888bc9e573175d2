//! Table and property tests of `rate`.

use super::*;

#[test]
fn rates_parse_and_print_exactly() {
    assert_eq!(Rate::parse_decimal("0.1115").map(|r| (r.ppm(), r.to_string())), Ok((111_500, "0.1115".to_owned())));
    assert_eq!(Rate::parse_decimal("0.08").map(|r| r.to_string()), Ok("0.08".to_owned()));
    assert_eq!(Rate::parse_percent("21").map(|r| (r.ppm(), r.to_string())), Ok((210_000, "0.21".to_owned())));
    assert_eq!(Rate::parse_percent("11.15").map(Rate::ppm), Ok(111_500));
    assert_eq!(Rate::parse_decimal("1").map(|r| r.to_string()), Ok("1".to_owned()));
    assert_eq!(Rate::parse_decimal("0.1234567"), Err(RateError::TooPrecise("0.1234567".to_owned())));
    assert_eq!(Rate::parse_percent("-21"), Err(RateError::NotAPercentage("-21".to_owned())));
    assert_eq!(Rate::parse_decimal("abc"), Err(RateError::NotADecimal("abc".to_owned())));
    assert_eq!(Rate::parse_percent("1e9"), Err(RateError::NotAPercentage("1e9".to_owned())));
    assert_eq!(Rate::parse_percent("100000000"), Err(RateError::TooLarge("100000000".to_owned())));
}

#[test]
fn half_up_division_rounds_ties_away_from_zero() {
    let cases = [(5, 10, 1), (4, 10, 0), (15, 10, 2), (-5, 10, -1), (-4, 10, 0), (0, 7, 0), (40_005, 1_000, 40)];
    for (n, den, expected) in cases {
        assert_eq!(div_half_up(n, den), expected, "{n}/{den}");
    }
}
