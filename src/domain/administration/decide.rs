//! The rules of the `Administration` aggregate, checked in a fixed order.

use super::{Administration, AdministrationCommand, AdministrationError, Link};
use crate::events::administration::{AdministrationEvent, PACKAGE_EBOEKHOUDEN};

type Decision = Result<Vec<AdministrationEvent>, AdministrationError>;

/// Decides what a command means for the administration in `state`. Pure: no clock, no I/O.
pub fn decide(state: &Administration, command: AdministrationCommand) -> Decision {
    use AdministrationCommand as C;
    use AdministrationEvent as E;
    if !state.is_registered() && !matches!(command, C::Register { .. }) {
        return Err(AdministrationError::NotRegistered);
    }
    match command {
        C::Register { name, registered_by } => {
            if state.is_registered() {
                return Err(AdministrationError::AlreadyRegistered);
            }
            let name = non_empty(name, "the name")?;
            let registered_by = non_empty(registered_by, "who registers it")?;
            Ok(vec![E::AdministrationRegistered { name, registered_by }])
        }
        C::EstablishLink { username, verified } => {
            let username = non_empty(username, "the username")?;
            if let Some(link) = &state.link {
                return Err(AdministrationError::AlreadyLinked { username: link.username.clone() });
            }
            Ok(vec![E::LinkEstablished {
                package: PACKAGE_EBOEKHOUDEN.to_owned(),
                username,
                credentials_key_id: verified.credentials_key_id,
                verified_at: verified.verified_at,
            }])
        }
        C::RotateCredentials { username, verified } => {
            let link = linked(state)?;
            let given = non_empty(username, "the username")?;
            if given != link.username {
                return Err(AdministrationError::OtherUsername { linked: link.username.clone(), given });
            }
            Ok(vec![E::LinkCredentialsRotated {
                credentials_key_id: verified.credentials_key_id,
                verified_at: verified.verified_at,
            }])
        }
        C::MarkLinkBroken { error_code, detected_at } => {
            let link = linked(state)?;
            // Every later call fails the same way; the first report is the one worth keeping.
            if link.broken.is_some() {
                return Ok(vec![]);
            }
            Ok(vec![E::LinkBroken { error_code: non_empty(error_code, "the error code")?, detected_at }])
        }
        C::RemoveLink { reason } => {
            let reason = non_empty(reason, "the reason")?;
            linked(state)?;
            Ok(vec![E::LinkRemoved { reason }])
        }
        C::EnableAutoImport { daily_at } => {
            linked(state)?;
            if state.auto_import_at == Some(daily_at) {
                return Ok(vec![]);
            }
            Ok(vec![E::AutoImportEnabled { daily_at }])
        }
        C::DisableAutoImport { reason } => {
            let reason = non_empty(reason, "the reason")?;
            if state.auto_import_at.is_none() {
                return Ok(vec![]);
            }
            Ok(vec![E::AutoImportDisabled { reason }])
        }
        C::StartImport { import_id, trigger } => {
            let link = linked(state)?;
            if let Some(error_code) = &link.broken {
                return Err(AdministrationError::LinkBroken { error_code: error_code.clone() });
            }
            // A run that died without finishing is superseded by the next one; the lock that keeps two
            // imports apart is the engine's advisory lock, not this state.
            Ok(vec![E::ImportStarted { import_id, trigger }])
        }
        C::CompleteImport { import_id, counts, issues } => {
            running(state, import_id)?;
            Ok(vec![E::ImportCompleted { import_id, counts, issues }])
        }
        C::FailImport { import_id, error_kind, message } => {
            running(state, import_id)?;
            Ok(vec![E::ImportFailed { import_id, error_kind, message }])
        }
        C::SetDunningPolicy { policy } => set_dunning_policy(state, policy),
    }
}

fn non_empty(value: String, what: &'static str) -> Result<String, AdministrationError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(AdministrationError::Empty(what));
    }
    Ok(trimmed.to_owned())
}

fn linked(state: &Administration) -> Result<&Link, AdministrationError> {
    state.link.as_ref().ok_or(AdministrationError::NotLinked)
}

fn running(state: &Administration, import_id: crate::domain::ImportId) -> Result<(), AdministrationError> {
    if state.running_import != Some(import_id) {
        return Err(AdministrationError::NotTheRunningImport(import_id));
    }
    Ok(())
}

/// A valid policy replaces the previous one; the same policy again records nothing.
fn set_dunning_policy(state: &Administration, policy: crate::domain::dunning::DunningPolicy) -> Decision {
    policy.validate()?;
    if state.dunning_policy.as_ref() == Some(&policy) {
        return Ok(vec![]);
    }
    Ok(vec![AdministrationEvent::DunningPolicySet { policy }])
}
