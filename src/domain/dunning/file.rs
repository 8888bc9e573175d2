//! The TOML file form of a `DunningPolicy`: euros and percentages as people write them.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::policy::{Bundling, DunningPolicy, PolicyError, PolicyOverride, PolicyStep};
use crate::domain::interest::Rate;
use crate::domain::{Cents, DebtorCode};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PolicyFile {
    minimum_amount: String,
    #[serde(default = "yes")]
    automatic_collection: bool,
    vat_surcharge_percent: Option<String>,
    bundling: Bundling,
    #[serde(rename = "step")]
    steps: Vec<PolicyStep>,
    #[serde(default)]
    overrides: BTreeMap<String, OverrideFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct OverrideFile {
    minimum_amount: Option<String>,
    automatic_collection: Option<bool>,
    #[serde(rename = "step")]
    steps: Option<Vec<PolicyStep>>,
}

const fn yes() -> bool {
    true
}

fn euros(text: &str) -> Result<Cents, PolicyError> {
    Cents::parse(text).map_err(|_| PolicyError::BadAmount(text.to_owned()))
}

impl OverrideFile {
    pub(super) fn into_override(self) -> Result<PolicyOverride, PolicyError> {
        let minimum_amount = self.minimum_amount.as_deref().map(euros).transpose()?;
        Ok(PolicyOverride { steps: self.steps, minimum_amount, automatic_collection: self.automatic_collection })
    }
}

impl PolicyFile {
    pub(super) fn into_policy(self) -> Result<DunningPolicy, PolicyError> {
        let vat_surcharge = match &self.vat_surcharge_percent {
            Some(text) => Some(Rate::parse_percent(text).map_err(|_| PolicyError::BadPercentage(text.clone()))?),
            None => None,
        };
        let mut overrides = BTreeMap::new();
        for (code, file) in self.overrides {
            let code = DebtorCode::new(&code).map_err(|e| PolicyError::Malformed(format!("override `{code}`: {e}")))?;
            let minimum_amount = file.minimum_amount.as_deref().map(euros).transpose()?;
            let entry =
                PolicyOverride { steps: file.steps, minimum_amount, automatic_collection: file.automatic_collection };
            overrides.insert(code, entry);
        }
        Ok(DunningPolicy {
            steps: self.steps,
            minimum_amount: euros(&self.minimum_amount)?,
            bundling: self.bundling,
            automatic_collection: self.automatic_collection,
            vat_surcharge,
            overrides,
        })
    }
}
