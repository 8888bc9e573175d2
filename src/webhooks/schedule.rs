//! When a failed delivery is tried again: after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h and
//! 24 h (about three days in all), each with up to a tenth more as jitter so that a receiver that
//! comes back is not met by every delivery at once; a `Retry-After` longer than the step wins.

use chrono::{DateTime, Duration, Utc};
use rand::Rng;

/// The wait before each retry, in seconds: the first attempt goes at once.
pub const RETRY_SECONDS: [i64; 9] =
    [5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 14 * 3600, 20 * 3600, 24 * 3600];

/// Attempts in all, the first one included.
pub const MAX_ATTEMPTS: u32 = 10;
const _: () = assert!(RETRY_SECONDS.len() + 1 == MAX_ATTEMPTS as usize);

/// The longest `Retry-After` honoured: a receiver cannot park a delivery for longer.
const MAX_RETRY_AFTER_SECONDS: i64 = 24 * 3600;

/// When to try again after `attempts` failed attempts, or `None` when the schedule is spent.
/// `jitter_per_mille` (0–100) lengthens the step by that many thousandths.
pub fn next_attempt(
    attempts: u32,
    now: DateTime<Utc>,
    retry_after_seconds: Option<i64>,
    jitter_per_mille: i64,
) -> Option<DateTime<Utc>> {
    let index = crate::convert::usize_of(u64::from(attempts.checked_sub(1)?));
    let step = *RETRY_SECONDS.get(index)?;
    let jittered = step + step * jitter_per_mille.clamp(0, 100) / 1000;
    let wait = retry_after_seconds.map_or(jittered, |asked| jittered.max(asked.clamp(0, MAX_RETRY_AFTER_SECONDS)));
    Some(now + Duration::seconds(wait))
}

/// A jitter for [`next_attempt`], drawn at random.
pub fn random_jitter() -> i64 {
    rand::thread_rng().gen_range(0..=100)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(seconds, 0).unwrap()
    }

    #[test]
    fn the_schedule_runs_about_three_days_and_then_is_spent() {
        let mut now = at(0);
        let mut attempts = 1;
        while let Some(next) = next_attempt(attempts, now, None, 0) {
            now = next;
            attempts += 1;
        }
        assert_eq!(attempts, MAX_ATTEMPTS);
        assert_eq!(now - at(0), Duration::seconds(RETRY_SECONDS.iter().sum()));
        assert!(now - at(0) > Duration::days(3) && now - at(0) < Duration::days(4), "{}", now - at(0));
        assert_eq!(next_attempt(0, at(0), None, 0), None, "no attempt failed yet");
    }

    #[test]
    fn jitter_lengthens_a_step_by_at_most_a_tenth_and_retry_after_wins_when_longer() {
        assert_eq!(next_attempt(2, at(0), None, 100), Some(at(330)));
        assert_eq!(next_attempt(2, at(0), None, 500), Some(at(330)), "clamped to a tenth");
        assert_eq!(next_attempt(1, at(0), Some(60), 0), Some(at(60)));
        assert_eq!(next_attempt(1, at(0), Some(1), 0), Some(at(5)), "a shorter Retry-After does not hurry it");
        assert_eq!(next_attempt(1, at(0), Some(10 * 86_400), 0), Some(at(86_400)), "capped at a day");
    }
}
