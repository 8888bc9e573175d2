//! The import log of the last month and the audit trail, for the dashboard page.

use chrono::{Months, NaiveDate};
use serde::de::DeserializeOwned;

use crate::domain::AdministrationId;
use crate::engine::{Engine, EngineError};
use crate::projections::{AuditRow, ImportRow, ProjectionError};

fn rows<T: DeserializeOwned>(json: &str, what: &str) -> Result<Vec<T>, EngineError> {
    serde_json::from_str(json).map_err(|e| EngineError::from(ProjectionError::Corrupt(format!("{what}: {e}"))))
}

impl Engine {
    /// The imports started in the month up to `today` (inclusive), newest first.
    pub async fn import_log(
        &self,
        administration: &AdministrationId,
        today: NaiveDate,
    ) -> Result<Vec<ImportRow>, EngineError> {
        let since = today.checked_sub_months(Months::new(1)).unwrap_or(today);
        let json: String = sqlx::query_scalar(
            "SELECT coalesce(json_agg(t ORDER BY t.started_at DESC), '[]')::text FROM \
             (SELECT * FROM import_log WHERE administration = $1 AND started_at >= $2::date \
              ORDER BY started_at DESC) t",
        )
        .bind(administration.as_str())
        .bind(since)
        .fetch_one(self.reads())
        .await?;
        rows(&json, "import_log")
    }

    /// The latest `limit` links and unlinks of the administration, newest first.
    pub async fn audit_trail(
        &self,
        administration: &AdministrationId,
        limit: i64,
    ) -> Result<Vec<AuditRow>, EngineError> {
        let json: String = sqlx::query_scalar(
            "SELECT coalesce(json_agg(t ORDER BY t.log_tx DESC, t.global_position DESC), '[]')::text FROM \
             (SELECT * FROM audit_trail WHERE administration = $1 \
              ORDER BY log_tx DESC, global_position DESC LIMIT $2) t",
        )
        .bind(administration.as_str())
        .bind(limit)
        .fetch_one(self.reads())
        .await?;
        rows(&json, "audit_trail")
    }
}
