//! The stored phase of an invoice. The date-dependent phases (docs/ARCHITECTURE.md §7) (`NotDue` and `Overdue`)
//! are one stored stage, `Open` (no reminder yet), split by the due date against the caller's
//! "today" at query time: a stored row cannot know what day it will be read on.

use serde::{Deserialize, Serialize};

use super::InvoiceView;
use crate::events::debtor_account::PauseScope;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Stage {
    Open,
    Reminder1,
    Reminder2,
    Reminder3,
    FourteenDayLetter,
    Collection,
    Paused,
    Paid,
    Credited,
}

impl Stage {
    pub const ALL: [Stage; 9] = [
        Stage::Open,
        Stage::Reminder1,
        Stage::Reminder2,
        Stage::Reminder3,
        Stage::FourteenDayLetter,
        Stage::Collection,
        Stage::Paused,
        Stage::Paid,
        Stage::Credited,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Stage::Open => "Open",
            Stage::Reminder1 => "Reminder1",
            Stage::Reminder2 => "Reminder2",
            Stage::Reminder3 => "Reminder3",
            Stage::FourteenDayLetter => "FourteenDayLetter",
            Stage::Collection => "Collection",
            Stage::Paused => "Paused",
            Stage::Paid => "Paid",
            Stage::Credited => "Credited",
        }
    }

    pub fn parse(text: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|stage| stage.as_str() == text)
    }

    /// The stage of a dunning step's name; steps this binary does not know are not phases.
    fn of_step(step: &str) -> Option<Stage> {
        Stage::parse(step)
            .filter(|s| matches!(s, Stage::Reminder1 | Stage::Reminder2 | Stage::Reminder3 | Stage::FourteenDayLetter))
    }

    /// How far along the dunning path a stage is; a debtor's phase is its open invoices' worst.
    pub const fn severity(self) -> u8 {
        match self {
            Stage::Paid | Stage::Credited => 0,
            Stage::Paused => 1,
            Stage::Open => 2,
            Stage::Reminder1 => 3,
            Stage::Reminder2 => 4,
            Stage::Reminder3 => 5,
            Stage::FourteenDayLetter => 6,
            Stage::Collection => 7,
        }
    }

    /// Settled first (credited when a credit note took part), then a pause, then collection, then the
    /// latest dunning step sent.
    pub fn of(invoice: &InvoiceView, debtor_pause: Option<PauseScope>) -> Stage {
        if !invoice.open().is_positive() {
            return if invoice.credited.is_positive() { Stage::Credited } else { Stage::Paid };
        }
        if invoice.paused || debtor_pause == Some(PauseScope::All) {
            return Stage::Paused;
        }
        if invoice.case.is_some() {
            return Stage::Collection;
        }
        if debtor_pause == Some(PauseScope::RemindersOnly) {
            return Stage::Paused;
        }
        invoice
            .steps
            .iter()
            .filter_map(|(step, sent_on)| Stage::of_step(step).map(|stage| (*sent_on, stage.severity(), stage)))
            .max()
            .map_or(Stage::Open, |(_, _, stage)| stage)
    }
}
