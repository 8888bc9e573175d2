//! Words for people: the ageing bucket and phase labels and amounts in euros, in Dutch and English.
//! The dashboard page and the command line both take them from here, so they say the same thing.

use super::{BucketRange, Phase};
use crate::domain::Cents;

/// The language of a label: `nl` (the default) or `en`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    /// Dutch, the default.
    #[default]
    Nl,
    /// English.
    En,
}

impl Lang {
    /// `en` is English; anything else (or nothing) is Dutch.
    pub fn of(code: Option<&str>) -> Lang {
        if code == Some("en") {
            Lang::En
        } else {
            Lang::Nl
        }
    }

    /// The language's code, `nl` or `en`, as the page's `lang=` parameter carries it.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Nl => "nl",
            Lang::En => "en",
        }
    }

    /// The Dutch or the English text.
    pub fn pick(self, nl: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Nl => nl,
            Lang::En => en,
        }
    }
}

impl BucketRange {
    /// `niet vervallen`, `1–30 dagen`, `> 90 dagen` (or the English).
    pub fn label(self, lang: Lang) -> String {
        let days = lang.pick("dagen", "days");
        match self {
            BucketRange::NotDue => lang.pick("niet vervallen", "not yet due").to_owned(),
            BucketRange::PastDue { from, to: Some(to) } => format!("{from}–{to} {days}"),
            BucketRange::PastDue { from, to: None } => format!("> {} {days}", from.saturating_sub(1)),
        }
    }
}

impl Phase {
    /// The phase's name for people: `1e herinnering`, `Veertiendagenbrief` (or the English).
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Phase::NotDue => lang.pick("Niet vervallen", "Not yet due"),
            Phase::Overdue => lang.pick("Vervallen (geen herinnering)", "Overdue (no reminder)"),
            Phase::Reminder1 => lang.pick("1e herinnering", "1st reminder"),
            Phase::Reminder2 => lang.pick("2e herinnering", "2nd reminder"),
            Phase::Reminder3 => lang.pick("3e herinnering", "3rd reminder"),
            Phase::FourteenDayLetter => lang.pick("Veertiendagenbrief", "14-day letter"),
            Phase::Collection => lang.pick("Incasso", "Collection"),
            Phase::Paused => lang.pick("Gepauzeerd", "Paused"),
            Phase::Paid => lang.pick("Betaald", "Paid"),
            Phase::Credited => lang.pick("Gecrediteerd", "Credited"),
        }
    }
}

/// `€ 1.234,56` in Dutch, `€ 1,234.56` in English; a minus before the sign: `-€ 5,00`. The space
/// after the euro sign is a no-break space, so an amount never wraps.
pub fn euro(amount: Cents, lang: Lang) -> String {
    let (group, decimal) = match lang {
        Lang::Nl => ('.', ','),
        Lang::En => (',', '.'),
    };
    let magnitude = amount.get().unsigned_abs();
    let euros = (magnitude / 100).to_string();
    let mut grouped = String::with_capacity(euros.len() + euros.len() / 3);
    for (i, digit) in euros.chars().enumerate() {
        if i > 0 && (euros.len() - i) % 3 == 0 {
            grouped.push(group);
        }
        grouped.push(digit);
    }
    let sign = if amount.is_negative() { "-" } else { "" };
    format!("{sign}€\u{a0}{grouped}{decimal}{:02}", magnitude % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_in_dutch_and_english() {
        assert_eq!(euro(Cents::new(123_456), Lang::Nl), "€\u{a0}1.234,56");
        assert_eq!(euro(Cents::new(123_456), Lang::En), "€\u{a0}1,234.56");
        assert_eq!(euro(Cents::new(-500), Lang::Nl), "-€\u{a0}5,00");
        assert_eq!(euro(Cents::new(7), Lang::Nl), "€\u{a0}0,07");
        assert_eq!(euro(Cents::new(100_000_000), Lang::Nl), "€\u{a0}1.000.000,00");
        assert_eq!(euro(Cents::new(99_999), Lang::En), "€\u{a0}999.99");
    }

    #[test]
    fn bucket_labels() {
        let ranges = super::super::AgeingBoundaries::default().ranges();
        let nl: Vec<String> = ranges.iter().map(|r| r.label(Lang::Nl)).collect();
        assert_eq!(nl, ["niet vervallen", "1–30 dagen", "31–60 dagen", "61–90 dagen", "> 90 dagen"]);
        assert_eq!(ranges[4].label(Lang::En), "> 90 days");
        assert_eq!(Phase::FourteenDayLetter.label(Lang::En), "14-day letter");
    }
}
