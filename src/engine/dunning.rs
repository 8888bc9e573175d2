//! The dunning run and the commands on one debtor's dunning, as the CLI and the API call them.
//!
//! A run loads the administration's debtor accounts in chunks, decides each with the pure
//! `DunningCommand::Run` (which consults `dunning::due_steps`), and appends the events of a chunk
//! with their outbox rows in one transaction (`store::append_in`), so a decided reminder is never
//! without its row. An account another writer changed meanwhile is reloaded and decided again.

mod deliver;
mod lookup;
mod run;

use chrono::NaiveDate;
use uuid::Uuid;

pub use deliver::{AcceptHook, AfterAccept, DeliveryOptions, DeliveryReport};
pub use run::DunningReport;

use super::{Engine, EngineError};
use crate::domain::debtor_account::{DebtorAccount, DebtorAccountCommand, DunningCommand};
use crate::domain::dunning::{case_id, DunningPolicy};
use crate::domain::{AdministrationId, DebtorCode, InvoiceNumber};
use crate::events::Metadata;

impl Engine {
    /// The administration's dunning policy, or the shipped default when none was set.
    pub async fn dunning_policy(&self, administration: &AdministrationId) -> Result<DunningPolicy, EngineError> {
        let state = self.administration(administration).await?;
        Ok(state.dunning_policy.unwrap_or_else(DunningPolicy::shipped_default))
    }

    /// Runs one dunning command on one debtor's account.
    pub async fn debtor_command(
        &self,
        administration: &AdministrationId,
        debtor: &DebtorCode,
        command: DunningCommand,
        metadata: &Metadata,
    ) -> Result<(), EngineError> {
        let id = DebtorAccount::aggregate_id(administration, debtor);
        self.account_command(&id, DebtorAccountCommand::Dunning(command), metadata).await
    }

    /// Opens a collection case by hand for `invoices` of one debtor, with the same costs, interest
    /// and checks as the automatic start (a consumer only after the 14-day term ran out unpaid);
    /// `collection_preview` shows what it would book.
    pub async fn start_collection(
        &self,
        administration: &AdministrationId,
        debtor: &DebtorCode,
        invoices: Vec<InvoiceNumber>,
        today: NaiveDate,
        metadata: &Metadata,
    ) -> Result<Uuid, EngineError> {
        let id = case_id(administration, debtor, &invoices);
        let command = self.collection_command(administration, debtor, invoices, today).await?;
        self.debtor_command(administration, debtor, command, metadata).await?;
        Ok(id)
    }

    /// One debtor's account as folded now.
    pub async fn debtor_account(
        &self,
        administration: &AdministrationId,
        debtor: &DebtorCode,
    ) -> Result<DebtorAccount, EngineError> {
        self.account(&DebtorAccount::aggregate_id(administration, debtor)).await
    }
}
