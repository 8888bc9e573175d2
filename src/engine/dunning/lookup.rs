//! Finding the debtor account that holds an invoice or a collection case, for commands that name
//! only the invoice or the case.

use uuid::Uuid;

use crate::domain::{AdministrationId, DebtorCode, InvoiceNumber};
use crate::engine::{Engine, EngineError};
use crate::store::StoreError;

impl Engine {
    /// The debtor whose account imported `invoice`.
    pub async fn debtor_of_invoice(
        &self,
        administration: &AdministrationId,
        invoice: &InvoiceNumber,
    ) -> Result<Option<DebtorCode>, EngineError> {
        self.debtor_where(administration, "InvoiceImported", "invoice_number", invoice.as_str()).await
    }

    /// The debtor whose account holds collection case `case_id`.
    pub async fn debtor_of_case(
        &self,
        administration: &AdministrationId,
        case_id: Uuid,
    ) -> Result<Option<DebtorCode>, EngineError> {
        self.debtor_where(administration, "CollectionStarted", "case_id", &case_id.to_string()).await
    }

    async fn debtor_where(
        &self,
        administration: &AdministrationId,
        event_type: &str,
        field: &str,
        value: &str,
    ) -> Result<Option<DebtorCode>, EngineError> {
        let id: Option<String> = sqlx::query_scalar(
            "SELECT aggregate_id FROM events WHERE aggregate_type = 'DebtorAccount' AND event_type = $2 \
             AND aggregate_id >= $1 || ':' AND aggregate_id < $1 || ';' \
             AND (payload -> $2) ->> $3 = $4 ORDER BY global_position LIMIT 1",
        )
        .bind(administration.as_str())
        .bind(event_type)
        .bind(field)
        .bind(value)
        .fetch_optional(self.pool())
        .await
        .map_err(StoreError::from)?;
        Ok(id.and_then(|id| id.split_once(':').and_then(|(_, code)| DebtorCode::new(code).ok())))
    }
}
