//! Audit replay and verification as engine calls.

use futures::TryStreamExt;
use tracing::instrument;

use super::{Engine, EngineError};
use crate::audit::{self, ReplayReport, Until, VerifyReport};
use crate::domain::debtor_account::DebtorAccount;
use crate::domain::{AdministrationId, DebtorCode};
use crate::store;

/// What to replay: one debtor account, or the administration with all its debtor accounts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplayQuery {
    /// The administration whose events are replayed.
    pub administration: AdministrationId,
    /// The one debtor account to replay; `None` replays the administration's own stream and all its
    /// debtor accounts, in global order.
    pub debtor: Option<DebtorCode>,
    /// Where the replay stops: the end, a recording time, or a global position.
    pub until: Until,
    /// Report only links and unlinks (everything is still folded).
    pub only_links: bool,
}

impl Engine {
    /// Folds the stream(s) with the write side's `apply` and reports each decision with the
    /// affected invoices' figures before and after.
    #[instrument(skip_all, fields(administration = %query.administration))]
    pub async fn audit_replay(&self, query: &ReplayQuery) -> Result<ReplayReport, EngineError> {
        let Some(debtor) = &query.debtor else {
            let events = store::administration_log(self.pool(), &query.administration).await?;
            return Ok(audit::replay_stream(&events, query.until, query.only_links)?);
        };
        // One account: fold each row as it arrives, while the server sends the next ones.
        let id = DebtorAccount::aggregate_id(&query.administration, debtor);
        let mut replay = audit::Replay::new(query.until, query.only_links);
        let mut rows = store::rows_of(self.pool(), "DebtorAccount", &id, replay.metadata_of());
        while let Some(row) = rows.try_next().await? {
            replay.push(&row.view()?)?;
        }
        Ok(replay.finish())
    }

    /// Recomputes every balance from the events and compares it with the dashboard projection.
    pub async fn audit_verify(&self, administration: &AdministrationId) -> Result<VerifyReport, EngineError> {
        Ok(audit::verify(self.pool(), administration).await?)
    }
}
