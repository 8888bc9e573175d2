//! The monthly GetMutaties call budget. The service allows 5,000 calls a month (E003.1 beyond); we
//! stay well below so that re-scans and manual imports never hit the hard stop. The budget is a trait
//! so the importer can back it by the `soap_call_budget` table; `InMemoryCallBudget` is the plain form.

use std::fmt;
use std::sync::Mutex;

use chrono::{Datelike, NaiveDate};

/// Our default monthly limit: about 100 calls a day, well below the service's 5,000.
pub const DEFAULT_MONTHLY_LIMIT: u32 = 3_000;

/// A calendar month, the unit the quota counts in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct BudgetMonth {
    pub year: i32,
    pub month: u32,
}

impl BudgetMonth {
    pub fn of(date: NaiveDate) -> Self {
        BudgetMonth { year: date.year(), month: date.month() }
    }
}

impl fmt::Display for BudgetMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// The error a budget store reports (e.g. a database failure).
pub type BudgetStoreError = Box<dyn std::error::Error + Send + Sync>;

/// Counts GetMutaties calls per month. Implementations must make `try_spend` atomic (a check and an
/// increment in one statement), because two imports may run at once.
#[async_trait::async_trait]
pub trait CallBudget: Send + Sync {
    /// Counts one call in `month` and returns true, or returns false when the month's budget is spent.
    async fn try_spend(&self, month: BudgetMonth) -> Result<bool, BudgetStoreError>;
    /// The service itself said the quota is used up: refuse further calls this month.
    async fn exhaust(&self, month: BudgetMonth) -> Result<(), BudgetStoreError>;
}

/// The budget in memory: one month's counter that starts again at zero when the month changes.
#[derive(Debug)]
pub struct InMemoryCallBudget {
    limit: u32,
    state: Mutex<(Option<BudgetMonth>, u32)>,
}

impl InMemoryCallBudget {
    pub fn new(limit: u32) -> Self {
        InMemoryCallBudget { limit, state: Mutex::new((None, 0)) }
    }

    /// Resumes a persisted count (`used` calls already made in `month`).
    pub fn resume(limit: u32, month: BudgetMonth, used: u32) -> Self {
        InMemoryCallBudget { limit, state: Mutex::new((Some(month), used)) }
    }

    /// Calls counted in `month`.
    pub fn used(&self, month: BudgetMonth) -> u32 {
        let state = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if state.0 == Some(month) {
            state.1
        } else {
            0
        }
    }

    pub fn limit(&self) -> u32 {
        self.limit
    }
}

impl Default for InMemoryCallBudget {
    fn default() -> Self {
        InMemoryCallBudget::new(DEFAULT_MONTHLY_LIMIT)
    }
}

#[async_trait::async_trait]
impl CallBudget for InMemoryCallBudget {
    async fn try_spend(&self, month: BudgetMonth) -> Result<bool, BudgetStoreError> {
        let mut state = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if state.0 != Some(month) {
            *state = (Some(month), 0);
        }
        if state.1 >= self.limit {
            return Ok(false);
        }
        state.1 += 1;
        Ok(true)
    }

    async fn exhaust(&self, month: BudgetMonth) -> Result<(), BudgetStoreError> {
        let mut state = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *state = (Some(month), self.limit.max(state.1));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(m: u32) -> BudgetMonth {
        BudgetMonth { year: 2025, month: m }
    }

    #[tokio::test]
    async fn spends_up_to_the_limit_and_starts_again_next_month() {
        let budget = InMemoryCallBudget::new(2);
        assert!(budget.try_spend(month(3)).await.unwrap());
        assert!(budget.try_spend(month(3)).await.unwrap());
        assert!(!budget.try_spend(month(3)).await.unwrap());
        assert_eq!(budget.used(month(3)), 2);
        assert!(budget.try_spend(month(4)).await.unwrap());
        assert_eq!(budget.used(month(4)), 1);
    }

    #[tokio::test]
    async fn exhaust_refuses_the_rest_of_the_month() {
        let budget = InMemoryCallBudget::resume(10, month(5), 3);
        budget.exhaust(month(5)).await.unwrap();
        assert!(!budget.try_spend(month(5)).await.unwrap());
        assert_eq!(month(5).to_string(), "2025-05");
    }
}
