//! Collection cases for people: what a case would claim (the preview), and the open cases of an
//! administration. The preview runs the very `decide` that `start_collection` runs, on a command
//! built by the same function, against the account as folded now: the figures shown are the
//! figures the case books, and a refusal is the refusal the start would give.

use chrono::NaiveDate;
use serde::Serialize;
use sqlx::types::Json;
use uuid::Uuid;

use super::{Engine, EngineError};
use crate::domain::debtor_account::{decide, DebtorAccountCommand, DebtorAccountError, DebtorRef, DunningCommand};
use crate::domain::interest::RateTable;
use crate::domain::{AdministrationId, Cents, DebtorCode, InvoiceNumber};
use crate::events::debtor_account::{DebtorAccountEvent, DebtorKind};

/// What a collection case started today would claim.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CollectionPreview {
    /// The id the case gets, derived from the administration, the debtor and the invoices: the same
    /// invoices give the same id.
    pub case_id: Uuid,
    /// The debtor's code in the books.
    pub debtor_code: String,
    /// The debtor's name as last imported; empty when no master data was imported.
    pub debtor_name: String,
    /// A consumer owes statutory interest (6:119), a business commercial interest (6:119a).
    pub debtor_kind: DebtorKind,
    /// The invoices the case covers, sorted, each once.
    pub invoices: Vec<InvoiceNumber>,
    /// The open principal of those invoices on `started_on`.
    pub principal: Cents,
    /// WIK collection costs (without the VAT surcharge).
    pub costs: Cents,
    /// VAT on `costs` when the administration's policy declares it cannot deduct VAT (BIK art. 2
    /// lid 3); zero otherwise.
    pub vat_surcharge: Cents,
    /// Statutory or commercial interest up to `started_on`, on what is open and on what was paid
    /// late (each part up to its payment day).
    pub interest: Cents,
    /// The first day interest runs: the day after the earliest due date that bears interest;
    /// `started_on` when none does.
    pub interest_from: NaiveDate,
    /// The start date: the `today` of the call.
    pub started_on: NaiveDate,
    /// False when the interest used a rate past the end of the shipped table.
    pub rates_verified: bool,
    /// `principal + costs + vat_surcharge + interest`.
    pub total: Cents,
    /// Credit of the debtor that no invoice uses: the automatic start waits for it to be linked; a
    /// start by hand goes ahead, so the preview says so.
    pub unallocated_credit: Cents,
}

/// One collection case on the dashboard, with what it claimed when it started.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CaseLine {
    /// The case's id, derived from the administration, the debtor and the invoices; the commands
    /// on the case (waive the costs, close it) name it.
    pub case_id: Uuid,
    /// The debtor's code in the books.
    pub debtor_code: String,
    /// The debtor's name from `debtor_balance`; empty when the projection has no row for it.
    pub debtor_name: String,
    /// The numbers of the invoices the case covers.
    pub invoices: Vec<String>,
    /// The open principal of those invoices when the case started.
    pub principal: Cents,
    /// Zero once waived.
    pub costs: Cents,
    /// The VAT surcharge on the costs; zero once the costs are waived.
    pub vat_surcharge: Cents,
    /// The interest the case claimed up to its start date.
    pub interest: Cents,
    /// `principal + costs + vat_surcharge + interest`, with the waived costs as zero.
    pub total: Cents,
    /// Whether the case's costs were waived (`CollectionCostsWaived`).
    pub costs_waived: bool,
    /// The first day interest runs: the day after the earliest due date that bears interest.
    pub interest_from: NaiveDate,
    /// The day the case started.
    pub started_on: NaiveDate,
}

fn sum(amounts: [Cents; 4]) -> Result<Cents, EngineError> {
    Cents::checked_sum(amounts)
        .map_err(|e| EngineError::account_refused(DebtorAccountError::Calculation(e.to_string())))
}

type CaseTuple = (Uuid, String, String, Json<Vec<String>>, i64, i64, i64, i64, bool, NaiveDate, NaiveDate);

impl Engine {
    /// The command that starts a case by hand: the administration's policy (its VAT declaration)
    /// and the shipped rate table. The start and the preview both take it from here.
    pub(super) async fn collection_command(
        &self,
        administration: &AdministrationId,
        debtor: &DebtorCode,
        invoices: Vec<InvoiceNumber>,
        today: NaiveDate,
    ) -> Result<DunningCommand, EngineError> {
        let policy = self.dunning_policy(administration).await?;
        let who = DebtorRef { administration: administration.clone(), debtor: debtor.clone() };
        Ok(DunningCommand::StartCollection { debtor: who, invoices, today, policy, rates: RateTable::shipped() })
    }

    /// What `start_collection` with the same arguments would book now, without booking it; its
    /// refusal (`TermRunning`, `AlreadyInCollection`, …) as [`EngineError::Refused`].
    pub async fn collection_preview(
        &self,
        administration: &AdministrationId,
        debtor: &DebtorCode,
        invoices: Vec<InvoiceNumber>,
        today: NaiveDate,
    ) -> Result<CollectionPreview, EngineError> {
        let command = self.collection_command(administration, debtor, invoices, today).await?;
        let account = self.debtor_account(administration, debtor).await?;
        let events = decide(&account, DebtorAccountCommand::Dunning(command)).map_err(EngineError::account_refused)?;
        let (debtor_name, debtor_kind) =
            account.debtor.as_ref().map_or((String::new(), DebtorKind::Consumer), |d| (d.name.clone(), d.kind));
        let started = events.into_iter().find(|e| matches!(e, DebtorAccountEvent::CollectionStarted { .. }));
        let Some(DebtorAccountEvent::CollectionStarted {
            case_id,
            invoices,
            principal,
            costs,
            vat_surcharge,
            interest,
            interest_from,
            started_on,
            rates_verified,
        }) = started
        else {
            return Err(EngineError::account_refused(DebtorAccountError::NoInvoices));
        };
        Ok(CollectionPreview {
            case_id,
            debtor_code: debtor.to_string(),
            debtor_name,
            debtor_kind,
            invoices,
            principal,
            costs,
            vat_surcharge,
            interest,
            interest_from,
            started_on,
            rates_verified,
            total: sum([principal, costs, vat_surcharge, interest])?,
            unallocated_credit: account.summary(today).unallocated_credit,
        })
    }

    /// The open collection cases of an administration, newest first (at most `limit`), from the
    /// `collection_cases` projection: an index range, no scan of the invoices.
    pub async fn collection_cases(
        &self,
        administration: &AdministrationId,
        limit: i64,
    ) -> Result<Vec<CaseLine>, EngineError> {
        let rows: Vec<CaseTuple> = sqlx::query_as(
            "SELECT c.case_id, c.debtor_code, coalesce(d.name, ''), c.invoices, c.principal, c.costs, \
             c.vat_surcharge, c.interest, c.costs_waived, c.interest_from, c.started_on \
             FROM collection_cases c LEFT JOIN debtor_balance d ON d.aggregate_id = c.aggregate_id \
             WHERE c.administration = $1 AND c.closed_at IS NULL ORDER BY c.started_on DESC, c.case_id LIMIT $2",
        )
        .bind(administration.as_str())
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|(case_id, debtor_code, debtor_name, invoices, principal, costs, vat, interest, waived, from, on)| {
                let (costs, vat) =
                    if waived { (Cents::ZERO, Cents::ZERO) } else { (Cents::new(costs), Cents::new(vat)) };
                let (principal, interest) = (Cents::new(principal), Cents::new(interest));
                Ok(CaseLine {
                    case_id,
                    debtor_code,
                    debtor_name,
                    invoices: invoices.0,
                    principal,
                    costs,
                    vat_surcharge: vat,
                    interest,
                    total: sum([principal, costs, vat, interest])?,
                    costs_waived: waived,
                    interest_from: from,
                    started_on: on,
                })
            })
            .collect()
    }
}
