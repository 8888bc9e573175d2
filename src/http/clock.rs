//! The time the scheduler and the imports go by: the system clock, or one a test sets.

use std::fmt::Debug;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

/// Now, in UTC.
pub trait Clock: Send + Sync + Debug {
    /// The current time in UTC: the scheduler's time of day, and the business date of imports and
    /// of the dashboard's default `today`.
    fn now(&self) -> DateTime<Utc>;
}

/// The machine's clock (`Utc::now`); `Api::new` starts with it.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until it is set or advanced.
#[derive(Debug)]
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    /// A clock standing at `now`.
    pub fn new(now: DateTime<Utc>) -> ManualClock {
        ManualClock(Mutex::new(now))
    }

    /// Moves the clock to `now`, forwards or back.
    pub fn set(&self, now: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = now;
    }

    /// Moves the clock forward by `by` (back when `by` is negative).
    pub fn advance(&self, by: Duration) {
        let mut now = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
