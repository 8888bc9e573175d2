//! The GetMutaties call budget kept in `soap_call_budget`, counted atomically across processes.
//!
//! Calls are taken from the month's budget in blocks that double from 1 up to `MAX_BLOCK`: a daily
//! import makes one call and takes one, while a large first import does not commit a budget row
//! for each of its thousands of calls (each such commit a good part of a call's time on loopback:
//! docs/perf/RESULTS.md, "Call budget"). What a run took and did not make it gives back at the end
//! ([`PgCallBudget::give_back_unused`]). A process that dies keeps at most `MAX_BLOCK - 1` calls
//! counted that it never made: the budget errs on the safe side of the service's quota.

use std::sync::Mutex;

use sqlx::PgPool;

use crate::eboekhouden::budget::{BudgetMonth, BudgetStoreError, CallBudget};

/// The most calls taken at once.
const MAX_BLOCK: u32 = 64;
/// The most calls the `calls` column (`integer`) counts: a larger limit is no limit.
const MAX_COUNTED: u32 = i32::MAX.unsigned_abs();

#[derive(Debug)]
pub struct PgCallBudget {
    pool: PgPool,
    administration: String,
    limit: u32,
    reserve: Mutex<Reserve>,
}

/// Calls taken from a month's budget and not made yet, and the size of the next block.
#[derive(Debug, Default)]
struct Reserve {
    month: Option<BudgetMonth>,
    left: u32,
    next_block: u32,
}

impl PgCallBudget {
    pub fn new(pool: PgPool, administration: &str, limit: u32) -> Self {
        PgCallBudget {
            pool,
            administration: administration.to_owned(),
            limit,
            reserve: Mutex::new(Reserve { next_block: 1, ..Reserve::default() }),
        }
    }

    /// Calls made in `month` so far (with those taken and not yet given back).
    pub async fn used(&self, month: BudgetMonth) -> Result<u32, sqlx::Error> {
        let calls: Option<i32> =
            sqlx::query_scalar("SELECT calls FROM soap_call_budget WHERE administration = $1 AND month = $2")
                .bind(&self.administration)
                .bind(month.to_string())
                .fetch_optional(&self.pool)
                .await?;
        // Calls are added in positive blocks and given back with `greatest(…, 0)`.
        Ok(calls.map_or(0, |calls| u32::try_from(calls).expect("the budget never counts below zero")))
    }

    /// Gives the calls taken and not made back to their month.
    pub async fn give_back_unused(&self) -> Result<(), sqlx::Error> {
        let (month, left) = {
            let mut reserve = self.lock();
            (reserve.month, std::mem::take(&mut reserve.left))
        };
        let Some(month) = month.filter(|_| left > 0) else { return Ok(()) };
        sqlx::query(
            "UPDATE soap_call_budget SET calls = greatest(calls - $3, 0) WHERE administration = $1 AND month = $2",
        )
        .bind(&self.administration)
        .bind(month.to_string())
        .bind(i32::try_from(left).expect("a reserve is a few blocks of at most MAX_BLOCK"))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Reserve> {
        self.reserve.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Takes `block` calls of `month` if the budget has them all; returns whether it did. One
    /// statement checks and counts, so two imports cannot both take the last calls.
    async fn take(&self, month: BudgetMonth, block: u32) -> Result<bool, sqlx::Error> {
        let limit = i32::try_from(self.limit.min(MAX_COUNTED)).expect("at most i32::MAX");
        let block = i32::try_from(block).expect("a block is at most MAX_BLOCK");
        let spent: Option<i32> = sqlx::query_scalar(
            "INSERT INTO soap_call_budget (administration, month, calls) VALUES ($1, $2, $3) \
             ON CONFLICT (administration, month) DO UPDATE SET calls = soap_call_budget.calls + $3 \
             WHERE NOT soap_call_budget.exhausted AND soap_call_budget.calls + $3 <= $4 RETURNING calls",
        )
        .bind(&self.administration)
        .bind(month.to_string())
        .bind(block)
        .bind(limit)
        .fetch_optional(&self.pool)
        .await?;
        Ok(spent.is_some_and(|calls| calls <= limit))
    }
}

#[async_trait::async_trait]
impl CallBudget for PgCallBudget {
    async fn try_spend(&self, month: BudgetMonth) -> Result<bool, BudgetStoreError> {
        let block = {
            let mut reserve = self.lock();
            if reserve.month == Some(month) && reserve.left > 0 {
                reserve.left -= 1;
                return Ok(true);
            }
            // A month's first block is one call: a daily import makes one, and the month's row may
            // not exist yet (a first block is inserted whole, even past the limit).
            if reserve.month == Some(month) {
                reserve.next_block
            } else {
                1
            }
        };
        // Near the end of the budget a whole block may not fit; one call may still.
        let taken = if self.take(month, block).await? {
            block
        } else if block > 1 && self.take(month, 1).await? {
            1
        } else {
            return Ok(false);
        };
        // Calls made side by side may each have taken a block: add to what the other left.
        let mut reserve = self.lock();
        let next_block = (block * 2).min(MAX_BLOCK);
        if reserve.month == Some(month) {
            reserve.left += taken - 1;
            reserve.next_block = reserve.next_block.max(next_block);
        } else {
            *reserve = Reserve { month: Some(month), left: taken - 1, next_block };
        }
        Ok(true)
    }

    async fn exhaust(&self, month: BudgetMonth) -> Result<(), BudgetStoreError> {
        self.lock().left = 0;
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

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use sqlx::PgPool;

    use super::PgCallBudget;
    use crate::eboekhouden::budget::{BudgetMonth, CallBudget};

    fn month() -> BudgetMonth {
        BudgetMonth::of(NaiveDate::from_ymd_opt(2026, 11, 25).unwrap())
    }

    async fn spend(budget: &PgCallBudget, calls: usize) -> usize {
        let mut made = 0;
        for _ in 0..calls {
            if budget.try_spend(month()).await.unwrap() {
                made += 1;
            }
        }
        made
    }

    /// Blocks of 1, 2 and 4 cover seven calls; after three the store counts seven until the run
    /// gives the four it did not make back.
    #[sqlx::test(migrator = "crate::MIGRATOR")]
    async fn calls_are_taken_in_growing_blocks_and_the_unused_ones_given_back(pool: PgPool) {
        let budget = PgCallBudget::new(pool.clone(), "adm", 100);
        assert_eq!(spend(&budget, 1).await, 1);
        assert_eq!(budget.used(month()).await.unwrap(), 1, "a daily import takes one call");
        assert_eq!(spend(&budget, 3).await, 3);
        assert_eq!(budget.used(month()).await.unwrap(), 7);
        budget.give_back_unused().await.unwrap();
        assert_eq!(budget.used(month()).await.unwrap(), 4);
        // Given back once: a second time changes nothing.
        budget.give_back_unused().await.unwrap();
        assert_eq!(budget.used(month()).await.unwrap(), 4);
    }

    /// Calls made side by side each take a block when the reserve is empty; what either leaves is
    /// given back.
    #[sqlx::test(migrator = "crate::MIGRATOR")]
    async fn blocks_taken_side_by_side_are_all_given_back_unused(pool: PgPool) {
        let budget = PgCallBudget::new(pool, "adm", 100);
        assert_eq!(spend(&budget, 1).await, 1);
        let (a, b) = tokio::join!(spend(&budget, 1), spend(&budget, 1));
        assert_eq!(a + b, 2);
        assert!(budget.used(month()).await.unwrap() >= 3);
        budget.give_back_unused().await.unwrap();
        assert_eq!(budget.used(month()).await.unwrap(), 3);
    }

    /// A run that goes on into the next month starts that month with a block of one call: a block of
    /// four would have put the new month past its limit of three.
    #[sqlx::test(migrator = "crate::MIGRATOR")]
    async fn a_new_month_starts_with_a_block_of_one(pool: PgPool) {
        let budget = PgCallBudget::new(pool, "adm", 3);
        assert_eq!(spend(&budget, 3).await, 3);
        let december = BudgetMonth::of(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
        assert!(budget.try_spend(december).await.unwrap());
        assert_eq!(budget.used(december).await.unwrap(), 1);
        assert_eq!(budget.used(month()).await.unwrap(), 3);
    }

    /// Two runs side by side, near the end of the budget: a block that does not fit falls back to
    /// one call, and together they never make more calls than the limit.
    #[sqlx::test(migrator = "crate::MIGRATOR")]
    async fn runs_side_by_side_never_make_more_calls_than_the_limit(pool: PgPool) {
        let (first, second) = (PgCallBudget::new(pool.clone(), "adm", 11), PgCallBudget::new(pool.clone(), "adm", 11));
        let (a, b) = tokio::join!(spend(&first, 20), spend(&second, 20));
        assert_eq!(a + b, 11);
        first.give_back_unused().await.unwrap();
        second.give_back_unused().await.unwrap();
        assert_eq!(first.used(month()).await.unwrap(), 11);
        // Another administration's budget is its own.
        assert_eq!(spend(&PgCallBudget::new(pool, "other", 11), 3).await, 3);
    }
}
