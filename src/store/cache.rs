//! The states the command bus decided on last, kept in memory so that a command on a warm
//! aggregate skips the load: decide on the cached state, append at the next sequence, and let the
//! primary key say whether the state was current. Any other writer (another process, the import's
//! bulk path) takes that sequence first, the append conflicts, and the bus decides again on a fresh
//! load, so a stale entry can cost a retry but never a wrong event. An entry is *taken* while a
//! command uses it, so two commands of one process never share a state.

use std::num::NonZeroUsize;
use std::sync::Mutex;

use lru::LruCache;

/// Aggregates kept per bus: a few KiB each, so a few MiB at most.
pub const CACHED_AGGREGATES: usize = 4_096;

/// A decided state and the sequence of the last event it has applied.
#[derive(Debug)]
pub(crate) struct Cached<A> {
    pub state: A,
    pub sequence: usize,
}

pub(crate) struct AggregateCache<A> {
    entries: Mutex<LruCache<String, Cached<A>>>,
}

impl<A> AggregateCache<A> {
    pub(crate) fn new(capacity: usize) -> Self {
        let capacity = NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN);
        AggregateCache { entries: Mutex::new(LruCache::new(capacity)) }
    }

    /// Removes and returns the entry of `aggregate_id`; the caller puts back what it committed.
    pub(crate) fn take(&self, aggregate_id: &str) -> Option<Cached<A>> {
        self.lock().pop(aggregate_id)
    }

    pub(crate) fn put(&self, aggregate_id: &str, state: A, sequence: usize) {
        self.lock().put(aggregate_id.to_owned(), Cached { state, sequence });
    }

    /// The sequence the cached state of `aggregate_id` has applied, if one is cached.
    pub(crate) fn sequence(&self, aggregate_id: &str) -> Option<usize> {
        self.lock().peek(aggregate_id).map(|entry| entry.sequence)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LruCache<String, Cached<A>>> {
        // A panic while the lock was held leaves at worst a missing entry: the cache stays usable.
        self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_handed_out_once_and_the_least_recent_goes_first() {
        let cache = AggregateCache::new(2);
        cache.put("a", 'a', 3);
        cache.put("b", 'b', 5);
        assert_eq!(cache.take("a").map(|c| (c.state, c.sequence)), Some(('a', 3)));
        assert!(cache.take("a").is_none(), "a taken entry is gone until it is put back");
        cache.put("a", 'A', 4);
        cache.put("c", 'c', 1);
        assert!(cache.take("b").is_none(), "b was the least recently used");
        assert_eq!(cache.take("a").map(|c| (c.state, c.sequence)), Some(('A', 4)));
        assert_eq!(cache.take("c").map(|c| (c.state, c.sequence)), Some(('c', 1)));
    }
}
