//! `Engine::run_dunning`: decide every debtor account of an administration and append the
//! reminders and cases with their outbox rows, chunk by chunk, in one transaction per chunk.

use std::collections::HashSet;

use chrono::NaiveDate;
use tracing::{info, instrument, warn};

use crate::domain::debtor_account::{decide, DebtorAccount, DebtorAccountCommand, DebtorRef, DunningCommand};
use crate::domain::dunning::{due_steps, DunningPolicy, DunningWarning};
use crate::domain::interest::RateTable;
use crate::domain::{AccountId, AccountRange, AdministrationId, DebtorCode};
use crate::engine::{Engine, EngineError, NotFound};
use crate::events::{DebtorAccountEvent, Metadata};
use crate::outbox::{insert_rows, OutboxMessage};
use crate::store::{append_in, load_many, PendingAppend};

/// Accounts decided and written per transaction.
const CHUNK: usize = 500;
/// How often accounts that another writer changed are reloaded and decided again.
const MAX_ROUNDS: usize = 5;

/// What a run decided (and, unless it was a dry run, wrote).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DunningReport {
    /// How many debtor accounts of the administration the run looked at.
    pub accounts: usize,
    /// `ReminderSent` and `CollectionStarted` events, by debtor.
    pub decided: Vec<(DebtorCode, DebtorAccountEvent)>,
    /// What needs a person's attention, by debtor: claims that prescribe soon, collection held
    /// back by unlinked credit. Reported in a dry run too.
    pub warnings: Vec<(DebtorCode, DunningWarning)>,
    /// Accounts whose decision was refused or that kept changing, with why; the rest went on.
    pub skipped: Vec<(DebtorCode, String)>,
}

impl Engine {
    /// Takes every dunning step due on `today` for every debtor of `administration`. A second run
    /// on the same day appends nothing. With `dry_run` nothing is written.
    #[instrument(skip_all, fields(%administration, %today, dry_run))]
    pub async fn run_dunning(
        &self,
        administration: &AdministrationId,
        today: NaiveDate,
        dry_run: bool,
        metadata: &Metadata,
    ) -> Result<DunningReport, EngineError> {
        let state = self.administration(administration).await?;
        if !state.is_registered() {
            return Err(NotFound::Administration(administration.clone()).into());
        }
        let policy = state.dunning_policy.unwrap_or_else(DunningPolicy::shipped_default);
        let ids = account_ids(self, administration).await?;
        let mut report = DunningReport { accounts: ids.len(), ..DunningReport::default() };
        let run = Run { engine: self, administration, today, policy: &policy, rates: RateTable::shipped(), metadata };
        for chunk in ids.chunks(CHUNK) {
            run.chunk(chunk, dry_run, &mut report).await?;
        }
        info!(decided = report.decided.len(), warnings = report.warnings.len(), "dunning run done");
        Ok(report)
    }
}

struct Run<'a> {
    engine: &'a Engine,
    administration: &'a AdministrationId,
    today: NaiveDate,
    policy: &'a DunningPolicy,
    rates: RateTable,
    metadata: &'a Metadata,
}

/// One account's decision: its new events, the outbox rows they need, and what to warn about.
struct Decided {
    id: String,
    code: DebtorCode,
    after_sequence: u64,
    events: Vec<DebtorAccountEvent>,
    messages: Vec<OutboxMessage>,
}

impl Run<'_> {
    async fn chunk(&self, ids: &[String], dry_run: bool, report: &mut DunningReport) -> Result<(), EngineError> {
        let mut pending: Vec<String> = ids.to_vec();
        for round in 0..MAX_ROUNDS {
            let loaded = load_many::<DebtorAccount>(self.engine.pool(), &pending).await?;
            let mut decided = Vec::new();
            for id in &pending {
                let Some((loaded, code)) = loaded.get(id).zip(debtor_code(id)) else { continue };
                if round == 0 {
                    let warnings = due_steps(&loaded.state, self.policy, self.today).warnings;
                    report.warnings.extend(warnings.into_iter().map(|w| (code.clone(), w)));
                }
                match self.decide(id, code.clone(), &loaded.state, loaded.last_sequence) {
                    Ok(Some(one)) => decided.push(one),
                    Ok(None) => {}
                    Err(reason) => report.skipped.push((code, reason)),
                }
            }
            if dry_run {
                record(report, decided);
                return Ok(());
            }
            pending = self.write(decided, report).await?;
            if pending.is_empty() {
                return Ok(());
            }
        }
        for id in pending {
            warn!(account = id, "kept changing during the dunning run");
            let code = debtor_code(&id).unwrap_or_else(|| DebtorCode::new("?").expect("`?` is a valid debtor code"));
            report.skipped.push((code, "the account kept changing; run again".to_owned()));
        }
        Ok(())
    }

    fn decide(&self, id: &str, code: DebtorCode, state: &DebtorAccount, last: u64) -> Result<Option<Decided>, String> {
        let debtor = DebtorRef { administration: self.administration.clone(), debtor: code.clone() };
        let command =
            DunningCommand::Run { debtor, today: self.today, policy: self.policy.clone(), rates: self.rates.clone() };
        let events = decide(state, DebtorAccountCommand::Dunning(command)).map_err(|e| e.to_string())?;
        if events.is_empty() {
            return Ok(None);
        }
        let mut after = state.clone();
        for event in &events {
            after.apply(event.clone());
        }
        let messages = events
            .iter()
            .filter_map(|event| match event {
                DebtorAccountEvent::ReminderSent { reminder_id, .. } => {
                    OutboxMessage::from_account(self.administration, id, &after, *reminder_id)
                }
                _ => None,
            })
            .collect();
        Ok(Some(Decided { id: id.to_owned(), code, after_sequence: last, events, messages }))
    }

    /// Appends the events and outbox rows of the accounts no one else changed, in one transaction;
    /// returns the ids of those that must be decided again.
    async fn write(&self, decided: Vec<Decided>, report: &mut DunningReport) -> Result<Vec<String>, EngineError> {
        if decided.is_empty() {
            return Ok(Vec::new());
        }
        let appends: Vec<PendingAppend<DebtorAccount>> = decided
            .iter()
            .map(|d| PendingAppend {
                aggregate_id: d.id.clone(),
                after_sequence: d.after_sequence,
                events: d.events.clone(),
                metadata: self.metadata.clone(),
            })
            .collect();
        let mut tx = self.engine.pool().begin().await?;
        let written = append_in(&mut tx, &appends).await?;
        let conflicted: HashSet<String> = written.conflicts.into_iter().map(|c| c.aggregate_id).collect();
        let (retry, done): (Vec<Decided>, Vec<Decided>) = decided.into_iter().partition(|d| conflicted.contains(&d.id));
        let messages: Vec<OutboxMessage> = done.iter().flat_map(|d| d.messages.iter().cloned()).collect();
        insert_rows(&mut tx, &messages).await?;
        tx.commit().await?;
        record(report, done);
        Ok(retry.into_iter().map(|d| d.id).collect())
    }
}

fn record(report: &mut DunningReport, decided: Vec<Decided>) {
    for one in decided {
        report.decided.extend(one.events.into_iter().map(|e| (one.code.clone(), e)));
    }
}

fn debtor_code(aggregate_id: &str) -> Option<DebtorCode> {
    aggregate_id.parse::<AccountId>().ok().map(|account| account.debtor)
}

/// The ids of the administration's debtor accounts: a range scan of the events' primary key.
async fn account_ids(engine: &Engine, administration: &AdministrationId) -> Result<Vec<String>, sqlx::Error> {
    let range = AccountId::range_of(administration);
    let sql = format!(
        "SELECT DISTINCT aggregate_id FROM events WHERE aggregate_type = 'DebtorAccount' AND {} \
         ORDER BY aggregate_id",
        AccountRange::sql("aggregate_id", 1)
    );
    sqlx::query_scalar(&sql).bind(range.start).bind(range.end).fetch_all(engine.pool()).await
}
