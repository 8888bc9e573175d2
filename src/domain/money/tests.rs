//! Table and property tests of the money parser and arithmetic.

use proptest::prelude::*;

use super::*;

#[test]
fn parses_plain_amounts() {
    let cases = [
        ("1234.5", 123_450),
        ("1234.56", 123_456),
        ("-0.01", -1),
        ("1E2", 10_000),
        ("1e-2", 1),
        ("+7", 700),
        (".5", 50),
        ("5.", 500),
        ("1.230", 123),
        ("0.000", 0),
        ("  42.00 ", 4_200),
        ("2.5E1", 2_500),
    ];
    for (text, cents) in cases {
        assert_eq!(Cents::parse(text), Ok(Cents::new(cents)), "{text}");
    }
}

#[test]
fn parses_dutch_amounts() {
    let cases =
        [("1.234,56", 123_456), ("-0,01", -1), ("1234,5", 123_450), ("12.345.678,90", 1_234_567_890), ("17", 1_700)];
    for (text, cents) in cases {
        assert_eq!(Cents::parse_with(text, Format::Dutch), Ok(Cents::new(cents)), "{text}");
    }
    for bad in ["1.23,45", "1,234.56", "12.34", ",", "1.2345,00"] {
        assert!(Cents::parse_with(bad, Format::Dutch).is_err(), "{bad}");
    }
}

#[test]
fn rejects_what_is_not_money() {
    assert_eq!(Cents::parse(""), Err(MoneyError::Empty));
    assert_eq!(Cents::parse("   "), Err(MoneyError::Empty));
    for bad in ["NaN", "nan", "inf", "abc", "1.2.3", "--1", "1e", "e5", ".", "-", "1,5", "0x10"] {
        assert_eq!(Cents::parse(bad), Err(MoneyError::NotANumber(bad.to_owned())), "{bad}");
    }
    assert_eq!(Cents::parse("1.234"), Err(MoneyError::SubCent("1.234".to_owned())));
    assert_eq!(Cents::parse("1E-3"), Err(MoneyError::SubCent("1E-3".to_owned())));
    assert_eq!(Cents::parse("1E15"), Err(MoneyError::Absurd("1E15".to_owned())));
    assert_eq!(Cents::parse("99999999999999999999"), Err(MoneyError::Absurd("99999999999999999999".to_owned())));
    assert_eq!(Cents::parse("1E99999"), Err(MoneyError::NotANumber("1E99999".to_owned())));
}

#[test]
fn rounds_soap_double_artefacts_only_near_a_cent() {
    let near = [
        ("50.049999999999997", 5_005),
        ("50.050000000000004", 5_005),
        ("0.1", 10),
        ("-12.340000001", -1_234),
        ("1.00009", 100),
        ("1.99991", 200),
    ];
    for (text, cents) in near {
        assert_eq!(Cents::parse_soap_double(text), Ok(Cents::new(cents)), "{text}");
    }
    for far in ["50.045", "1.0002", "1.9998", "0.005"] {
        assert_eq!(Cents::parse_soap_double(far), Err(MoneyError::NotNearCent(far.to_owned())), "{far}");
    }
}

#[test]
fn displays_in_the_plain_form() {
    assert_eq!(Cents::new(123_456).to_string(), "1234.56");
    assert_eq!(Cents::new(-5).to_string(), "-0.05");
    assert_eq!(Cents::new(0).to_string(), "0.00");
    assert_eq!(Cents::new(i64::MIN).to_string(), "-92233720368547758.08");
}

#[test]
fn arithmetic_is_checked() {
    assert_eq!(Cents::new(i64::MAX).checked_add(Cents::new(1)), Err(MoneyError::Overflow));
    assert_eq!(Cents::new(i64::MIN).checked_neg(), Err(MoneyError::Overflow));
    assert_eq!(Cents::checked_sum([Cents::new(1), Cents::new(2), Cents::new(-4)]), Ok(Cents::new(-1)));
    assert_eq!(Cents::new(250).checked_mul(3), Ok(Cents::new(750)));
}

proptest! {
    #[test]
    fn display_then_parse_round_trips(cents in -Cents::LIMIT.get()..=Cents::LIMIT.get()) {
        let amount = Cents::new(cents);
        prop_assert_eq!(Cents::parse(&amount.to_string()), Ok(amount));
    }

    #[test]
    fn dutch_form_round_trips(cents in -Cents::LIMIT.get()..=Cents::LIMIT.get()) {
        let plain = Cents::new(cents).to_string();
        let (integer, fraction) = plain.split_once('.').unwrap();
        let (sign, digits) = integer.strip_prefix('-').map_or(("", integer), |d| ("-", d));
        let grouped: Vec<String> = digits.as_bytes().rchunks(3).rev().map(|c| String::from_utf8(c.to_vec()).unwrap()).collect();
        let dutch = format!("{sign}{},{fraction}", grouped.join("."));
        prop_assert_eq!(Cents::parse_with(&dutch, Format::Dutch), Ok(Cents::new(cents)));
    }

    #[test]
    fn exponent_form_equals_plain_form(mantissa in -1_000_000i64..1_000_000, exponent in -2i32..6) {
        let text = format!("{mantissa}E{exponent}");
        let expected = i128::from(mantissa) * 10i128.pow(u32::try_from(exponent + 2).unwrap());
        prop_assert_eq!(Cents::parse(&text).map(|c| i128::from(c.get())), Ok(expected));
    }

    #[test]
    fn float_artefacts_round_to_the_intended_cent(cents in -10_000_000_000i64..10_000_000_000) {
        #[allow(clippy::cast_precision_loss, clippy::float_arithmetic)]
        let as_double = cents as f64 / 100.0;
        prop_assert_eq!(Cents::parse_soap_double(&format!("{as_double:.17}")), Ok(Cents::new(cents)));
    }

    #[test]
    fn addition_agrees_with_wide_integers(a in any::<i64>(), b in any::<i64>()) {
        let wide = i128::from(a) + i128::from(b);
        let result = Cents::new(a).checked_add(Cents::new(b));
        match i64::try_from(wide) {
            Ok(sum) => prop_assert_eq!(result, Ok(Cents::new(sum))),
            Err(_) => prop_assert_eq!(result, Err(MoneyError::Overflow)),
        }
    }

    #[test]
    fn parser_never_panics(text in "\\PC{0,30}") {
        let _ = Cents::parse(&text);
        let _ = Cents::parse_with(&text, Format::Dutch);
        let _ = Cents::parse_soap_double(&text);
    }
}
