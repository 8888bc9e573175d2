//! The GetMutaties call budget kept in `soap_call_budget`, counted atomically across processes.

use sqlx::PgPool;

use crate::eboekhouden::budget::{BudgetMonth, BudgetStoreError, CallBudget};

#[derive(Debug, Clone)]
pub struct PgCallBudget {
    pool: PgPool,
    administration: String,
    limit: u32,
}

impl PgCallBudget {
    pub fn new(pool: PgPool, administration: &str, limit: u32) -> Self {
        PgCallBudget { pool, administration: administration.to_owned(), limit }
    }

    /// Calls made in `month` so far.
    pub async fn used(&self, month: BudgetMonth) -> Result<u32, sqlx::Error> {
        let calls: Option<i32> =
            sqlx::query_scalar("SELECT calls FROM soap_call_budget WHERE administration = $1 AND month = $2")
                .bind(&self.administration)
                .bind(month.to_string())
                .fetch_optional(&self.pool)
                .await?;
        Ok(calls.and_then(|c| u32::try_from(c).ok()).unwrap_or(0))
    }
}

#[async_trait::async_trait]
impl CallBudget for PgCallBudget {
    async fn try_spend(&self, month: BudgetMonth) -> Result<bool, BudgetStoreError> {
        let limit = i32::try_from(self.limit).unwrap_or(i32::MAX);
        // One statement checks and counts, so two imports cannot both take the last call.
        let spent: Option<i32> = sqlx::query_scalar(
            "INSERT INTO soap_call_budget (administration, month, calls) VALUES ($1, $2, 1) \
             ON CONFLICT (administration, month) DO UPDATE SET calls = soap_call_budget.calls + 1 \
             WHERE NOT soap_call_budget.exhausted AND soap_call_budget.calls < $3 RETURNING calls",
        )
        .bind(&self.administration)
        .bind(month.to_string())
        .bind(limit)
        .fetch_optional(&self.pool)
        .await?;
        Ok(spent.is_some_and(|calls| calls <= limit))
    }

    async fn exhaust(&self, month: BudgetMonth) -> Result<(), BudgetStoreError> {
        sqlx::query(
            "INSERT INTO soap_call_budget (administration, month, exhausted) VALUES ($1, $2, true) \
             ON CONFLICT (administration, month) DO UPDATE SET exhausted = true",
        )
        .bind(&self.administration)
        .bind(month.to_string())
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
