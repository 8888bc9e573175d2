//! Finding the debtor account that holds an invoice or a collection case, for commands that name
//! only the invoice or the case.

use uuid::Uuid;

use crate::domain::{AccountId, AccountRange, AdministrationId, DebtorCode, InvoiceNumber};
use crate::engine::{Engine, EngineError};
use crate::events::DebtorAccountEvent;

impl Engine {
    /// The debtor whose account imported `invoice`.
    pub async fn debtor_of_invoice(
        &self,
        administration: &AdministrationId,
        invoice: &InvoiceNumber,
    ) -> Result<Option<DebtorCode>, EngineError> {
        self.debtor_where(administration, DebtorAccountEvent::INVOICE_IMPORTED, "invoice_number", invoice.as_str())
            .await
    }

    /// The debtor whose account holds collection case `case_id`.
    pub async fn debtor_of_case(
        &self,
        administration: &AdministrationId,
        case_id: Uuid,
    ) -> Result<Option<DebtorCode>, EngineError> {
        self.debtor_where(administration, DebtorAccountEvent::COLLECTION_STARTED, "case_id", &case_id.to_string()).await
    }

    async fn debtor_where(
        &self,
        administration: &AdministrationId,
        event_type: &str,
        field: &str,
        value: &str,
    ) -> Result<Option<DebtorCode>, EngineError> {
        let range = AccountId::range_of(administration);
        let sql = format!(
            "SELECT aggregate_id FROM events WHERE aggregate_type = 'DebtorAccount' AND event_type = $3 AND {} \
             AND (payload -> $3) ->> $4 = $5 ORDER BY global_position LIMIT 1",
            AccountRange::sql("aggregate_id", 1)
        );
        let id: Option<String> = sqlx::query_scalar(&sql)
            .bind(range.start)
            .bind(range.end)
            .bind(event_type)
            .bind(field)
            .bind(value)
            .fetch_optional(self.pool())
            .await?;
        Ok(id.and_then(|id| id.parse::<AccountId>().ok()).map(|account| account.debtor))
    }
}
