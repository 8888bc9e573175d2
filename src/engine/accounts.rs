//! Linking payments and credit notes to invoices by hand (and unlinking them), each decision with
//! its actor and reason, so that the audit replay can show it years later.

use uuid::Uuid;

use super::{Engine, EngineError, NotFound};
use crate::domain::debtor_account::{DebtorAccount, DebtorAccountCommand};
use crate::domain::{AccountId, AccountRange, AdministrationId, Cents, InvoiceNumber, LinkId, PaymentRef};
use crate::events::DebtorAccountEvent;
use crate::events::Metadata;

impl Engine {
    /// Links (part of) a payment to an invoice of the same debtor.
    pub async fn link_payment(
        &self,
        administration: &AdministrationId,
        payment: &PaymentRef,
        invoice: &InvoiceNumber,
        amount: Option<Cents>,
        metadata: &Metadata,
    ) -> Result<LinkId, EngineError> {
        let aggregate = self
            .owner_of(administration, "payment", payment.as_str())
            .await?
            .ok_or_else(|| NotFound::Payment(payment.to_string()))?;
        let link = |link_id, reason, expected_version| DebtorAccountCommand::LinkPayment {
            link_id,
            payment_ref: payment.clone(),
            invoice_number: invoice.clone(),
            amount,
            reason,
            expected_version,
        };
        self.new_link(&aggregate, link, metadata).await
    }

    /// Links (part of) a credit note to an invoice of the same debtor.
    pub async fn link_credit_note(
        &self,
        administration: &AdministrationId,
        credit_note: &InvoiceNumber,
        invoice: &InvoiceNumber,
        amount: Option<Cents>,
        metadata: &Metadata,
    ) -> Result<LinkId, EngineError> {
        let aggregate = self
            .owner_of(administration, "invoice", credit_note.as_str())
            .await?
            .ok_or_else(|| NotFound::Invoice(credit_note.to_string()))?;
        let link = |link_id, reason, expected_version| DebtorAccountCommand::LinkCreditNote {
            link_id,
            credit_note: credit_note.clone(),
            invoice_number: invoice.clone(),
            amount,
            reason,
            expected_version,
        };
        self.new_link(&aggregate, link, metadata).await
    }

    /// Runs a link command under a new link id, with the reason the metadata carries.
    async fn new_link(
        &self,
        aggregate: &str,
        command: impl FnOnce(LinkId, String, Option<u64>) -> DebtorAccountCommand,
        metadata: &Metadata,
    ) -> Result<LinkId, EngineError> {
        let link_id = LinkId::from_uuid(Uuid::now_v7());
        let reason = metadata.reason.clone().unwrap_or_default();
        self.account_command(aggregate, command(link_id, reason, None), metadata).await?;
        Ok(link_id)
    }

    /// Undoes a link of a payment or a credit note.
    pub async fn unlink_document(
        &self,
        administration: &AdministrationId,
        link: LinkId,
        metadata: &Metadata,
    ) -> Result<(), EngineError> {
        let range = AccountId::range_of(administration);
        let sql = format!(
            "SELECT aggregate_id, event_type FROM events WHERE aggregate_type = 'DebtorAccount' AND {} \
             AND event_type IN ('PaymentLinked', 'CreditNoteLinked') AND (payload -> event_type ->> 'link_id') = $3 LIMIT 1",
            AccountRange::sql("aggregate_id", 1)
        );
        let found: Option<(String, String)> = sqlx::query_as(&sql)
            .bind(range.start)
            .bind(range.end)
            .bind(link.to_string())
            .fetch_optional(self.pool())
            .await?;
        let (aggregate, kind) = found.ok_or(NotFound::Link(link))?;
        let reason = metadata.reason.clone().unwrap_or_default();
        let command = if kind == DebtorAccountEvent::PAYMENT_LINKED {
            DebtorAccountCommand::UnlinkPayment { link_id: link, reason, expected_version: None }
        } else {
            DebtorAccountCommand::UnlinkCreditNote { link_id: link, reason, expected_version: None }
        };
        self.account_command(&aggregate, command, metadata).await
    }

    pub(super) async fn account_command(
        &self,
        aggregate: &str,
        command: DebtorAccountCommand,
        metadata: &Metadata,
    ) -> Result<(), EngineError> {
        Ok(self.accounts.execute(aggregate, command, metadata).await?)
    }

    /// The debtor account an imported document of `kind` belongs to (the event store holds each
    /// imported document once).
    async fn owner_of(
        &self,
        administration: &AdministrationId,
        kind: &str,
        id: &str,
    ) -> Result<Option<String>, EngineError> {
        let key = format!("{administration}|e-boekhouden|{kind}|{id}");
        let owner = sqlx::query_scalar("SELECT aggregate_id FROM events WHERE document_key = $1")
            .bind(key)
            .fetch_optional(self.pool())
            .await?;
        Ok(owner)
    }

    /// The folded state of one debtor account.
    pub async fn account(&self, aggregate_id: &str) -> Result<DebtorAccount, EngineError> {
        let mut loaded = crate::store::load_many::<DebtorAccount>(self.pool(), &[aggregate_id.to_owned()]).await?;
        Ok(loaded.remove(aggregate_id).map(|l| l.state).unwrap_or_default())
    }
}
