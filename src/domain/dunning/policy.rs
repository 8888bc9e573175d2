//! `DunningPolicy`: the per-administration reminder schedule (docs/ARCHITECTURE.md §7) and its TOML file form.
//!
//! The serde form of these types is part of the event contract (`DunningPolicySet`,
//! `DebtorPolicyOverridden`): amounts in cents, rates as decimal strings. The TOML file that people
//! write (`src/domain/dunning/default_policy.toml`) uses euros and percentages and is read by `from_toml`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::collection_costs::VatSurcharge;
use crate::domain::interest::Rate;
use crate::domain::{Cents, DebtorCode};

/// One step of the schedule, in the order they are taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum DunningStep {
    /// The first payment reminder (herinnering), without costs.
    Reminder1,
    /// The second reminder, without costs.
    Reminder2,
    /// A third reminder, without costs; the shipped default policy leaves it out.
    Reminder3,
    /// The statutory letter of art. 6:96 lid 6 BW (consumers) before any collection costs.
    FourteenDayLetter,
    /// A collection case is opened: `CollectionStarted`, not a message.
    Collection,
}

impl DunningStep {
    /// The variant's name as events and policy files write it (`"FourteenDayLetter"`); reminder ids
    /// are derived from it, so it never changes.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Reminder1 => "Reminder1",
            Self::Reminder2 => "Reminder2",
            Self::Reminder3 => "Reminder3",
            Self::FourteenDayLetter => "FourteenDayLetter",
            Self::Collection => "Collection",
        }
    }
}

impl std::fmt::Display for DunningStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// How a reminder travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// E-mail over SMTP; received the day it is delivered.
    Email,
    /// A PDF letter for the post; received on the presumed day (`calendar::presumed_receipt`).
    Letter,
}

/// What a step's days count from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Anchor {
    /// The invoice's due date (vervaldatum).
    DueDate,
    /// The day the invoice's previous step was taken (the due date when none was).
    PreviousStep,
}

/// Which debtors a step is for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Every debtor; the default when a step names no audience.
    #[default]
    All,
    /// Consumers only (`DebtorKind::Consumer`), as for the 14-day letter of art. 6:96 lid 6 BW.
    Consumer,
    /// Businesses only (`DebtorKind::Business`).
    Business,
}

/// One step of a policy: which step, on which day it is due, how it travels and for whom.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyStep {
    /// The step this entry schedules; each step appears at most once in a policy.
    pub step: DunningStep,
    /// What `days` count from; the first step of a policy counts from the due date.
    pub after: Anchor,
    /// Days after the anchor on which the step is due, at most `MAX_STEP_DAYS`.
    pub days: u32,
    /// How the step's message travels.
    pub channel: Channel,
    /// The name of the step's message template (for example `reminder-1`); every step but
    /// `Collection` needs one.
    pub template: String,
    /// Which debtors the step is for; `All` when the file says nothing.
    #[serde(default)]
    pub applies_to: Audience,
}

/// Reminders to one debtor go out together, and not more often than every `min_interval_days`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bundling {
    /// When on, one reminder per step covers all of a debtor's invoices due for it; when off, each
    /// invoice gets its own (the 14-day letter stays one for all, art. 6:96 lid 7 BW).
    pub enabled: bool,
    /// With bundling on, no reminder goes out until this many days after the debtor's last one.
    pub min_interval_days: u32,
}

/// What one debtor gets instead of the administration's defaults; `None` keeps the default.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyOverride {
    /// The debtor's own schedule, replacing the policy's steps as a whole.
    pub steps: Option<Vec<PolicyStep>>,
    /// The debtor's own minimum open amount, in cents.
    pub minimum_amount: Option<Cents>,
    /// Whether collection cases open automatically for this debtor.
    pub automatic_collection: Option<bool>,
}

/// The dunning policy (aanmaanbeleid) of one administration: the reminder schedule, the minimum
/// amount, bundling, automatic collection, the VAT surcharge and per-debtor overrides.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DunningPolicy {
    /// The steps in schedule order, each at most once; the first counts from the due date.
    pub steps: Vec<PolicyStep>,
    /// Invoices with less open than this get no reminders and no collection (tolerance).
    pub minimum_amount: Cents,
    /// Whether, and how often, reminders to one debtor go out together.
    pub bundling: Bundling,
    /// Open collection cases without a person (Payt: never while a credit note is unallocated).
    pub automatic_collection: bool,
    /// The creditor cannot deduct VAT on collection and declares so (BIK art. 2 lid 3): the rate.
    pub vat_surcharge: Option<Rate>,
    /// Exceptions by debtor code, from the policy file's `[overrides.CODE]` tables; an account's own
    /// override (`DebtorPolicyOverridden`) wins over them.
    pub overrides: BTreeMap<DebtorCode, PolicyOverride>,
}

/// Why a policy is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// The TOML does not parse or has another shape (an unknown key, a bad debtor code under
    /// `[overrides]`); the text says where. Fix the file.
    #[error("the policy file is not valid: {0}")]
    Malformed(String),
    /// The schedule, or a debtor's own schedule, lists no step; add at least one.
    #[error("the policy has no steps")]
    NoSteps,
    /// Steps are listed out of schedule order, or one step twice; list each once, in the order of
    /// `DunningStep`.
    #[error("step {later} comes after {earlier} in the file but before it in the schedule (or twice)")]
    OutOfOrder {
        /// The step listed first.
        earlier: DunningStep,
        /// The step listed right after it, which the schedule puts before it or which is the same.
        later: DunningStep,
    },
    /// The first step counts from a previous step, and there is none; count it from the due date.
    #[error("the first step cannot count from a previous step")]
    FirstStepAfterPrevious,
    /// A step other than `Collection` has an empty template; name its template.
    #[error("step {0} needs a template")]
    NoTemplate(DunningStep),
    /// A step waits more than `MAX_STEP_DAYS`; shorten its term.
    #[error("step {step}: {days} days is more than the {max} allowed")]
    TooManyDays {
        /// The step that waits too long.
        step: DunningStep,
        /// The days it waits.
        days: u32,
        /// The most days a step may wait (`MAX_STEP_DAYS`).
        max: u32,
    },
    /// The minimum amount is below zero; use zero or more.
    #[error("the minimum amount {0} is negative")]
    NegativeMinimum(Cents),
    /// An amount in the file is not written as euros (`"5.00"`); the text is what the file says.
    #[error("amount `{0}` is not an amount in euros")]
    BadAmount(String),
    /// `vat_surcharge_percent` is not a percentage (`"21"`); the text is what the file says.
    #[error("VAT surcharge `{0}` is not a percentage")]
    BadPercentage(String),
}

/// No step waits longer than ten years: beyond that the claim has long prescribed.
pub const MAX_STEP_DAYS: u32 = 3_650;

impl DunningPolicy {
    /// The policy that ships with the crate (`src/domain/dunning/default_policy.toml`).
    pub fn shipped_default() -> DunningPolicy {
        // The shipped file is part of the source and `the_shipped_default_policy_is_valid` keeps it
        // valid, so a failure here is a build defect, not an input error.
        DunningPolicy::from_toml(DEFAULT_POLICY)
            .expect("src/domain/dunning/default_policy.toml is valid (checked by a unit test)")
    }

    /// Checks the schedule: steps in order, each once, templates present, terms bounded.
    pub fn validate(&self) -> Result<(), PolicyError> {
        if self.minimum_amount.is_negative() {
            return Err(PolicyError::NegativeMinimum(self.minimum_amount));
        }
        validate_steps(&self.steps)?;
        for policy_override in self.overrides.values() {
            if let Some(steps) = &policy_override.steps {
                validate_steps(steps)?;
            }
        }
        Ok(())
    }

    /// This policy with the debtor's overrides: the account's own (from `DebtorPolicyOverridden`)
    /// wins over the one in the administration's policy file.
    pub fn for_debtor(&self, debtor: Option<&DebtorCode>, account: Option<&PolicyOverride>) -> DunningPolicy {
        let mut policy = self.clone();
        let from_file = debtor.and_then(|code| self.overrides.get(code));
        for layer in [from_file, account].into_iter().flatten() {
            if let Some(steps) = &layer.steps {
                policy.steps = steps.clone();
            }
            if let Some(minimum) = layer.minimum_amount {
                policy.minimum_amount = minimum;
            }
            if let Some(automatic) = layer.automatic_collection {
                policy.automatic_collection = automatic;
            }
        }
        policy
    }

    /// The VAT surcharge on collection costs: `Declared` at `vat_surcharge` when it is set, else
    /// `NotDeclared`.
    pub fn vat(&self) -> VatSurcharge {
        self.vat_surcharge.map_or(VatSurcharge::NotDeclared, VatSurcharge::Declared)
    }

    /// Reads the TOML form people write; see `src/domain/dunning/default_policy.toml`.
    pub fn from_toml(text: &str) -> Result<DunningPolicy, PolicyError> {
        let file: super::file::PolicyFile = toml::from_str(text).map_err(|e| PolicyError::Malformed(e.to_string()))?;
        let policy = file.into_policy()?;
        policy.validate()?;
        Ok(policy)
    }
}

impl PolicyOverride {
    /// Reads one debtor's exceptions: the `[overrides.CODE]` table of a policy file, on its own.
    pub fn from_toml(text: &str) -> Result<PolicyOverride, PolicyError> {
        let file: super::file::OverrideFile =
            toml::from_str(text).map_err(|e| PolicyError::Malformed(e.to_string()))?;
        let policy_override = file.into_override()?;
        if let Some(steps) = &policy_override.steps {
            validate_steps(steps)?;
        }
        Ok(policy_override)
    }
}

fn validate_steps(steps: &[PolicyStep]) -> Result<(), PolicyError> {
    let first = steps.first().ok_or(PolicyError::NoSteps)?;
    if first.after == Anchor::PreviousStep {
        return Err(PolicyError::FirstStepAfterPrevious);
    }
    for pair in steps.windows(2) {
        if pair[0].step >= pair[1].step {
            return Err(PolicyError::OutOfOrder { earlier: pair[0].step, later: pair[1].step });
        }
    }
    for step in steps {
        if step.days > MAX_STEP_DAYS {
            return Err(PolicyError::TooManyDays { step: step.step, days: step.days, max: MAX_STEP_DAYS });
        }
        if step.step != DunningStep::Collection && step.template.trim().is_empty() {
            return Err(PolicyError::NoTemplate(step.step));
        }
    }
    Ok(())
}

const DEFAULT_POLICY: &str = include_str!("default_policy.toml");
