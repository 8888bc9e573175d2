//! Sums by key, for the read models that hold totals: an incremental batch tallies the difference
//! its changed invoices make, a rebuild tallies every invoice, and both write what is not zero.

use std::collections::HashMap;
use std::hash::Hash;

#[derive(Debug)]
pub struct Tally<K, const N: usize> {
    sums: HashMap<K, [i64; N]>,
}

impl<K, const N: usize> Default for Tally<K, N> {
    fn default() -> Self {
        Tally { sums: HashMap::new() }
    }
}

impl<K: Hash + Eq, const N: usize> Tally<K, N> {
    /// Adds `values × sign`. Saturating: amounts are bounded far below `i64::MAX` by the write side.
    pub fn add(&mut self, key: K, values: [i64; N], sign: i64) {
        let sums = self.sums.entry(key).or_insert([0; N]);
        for (sum, value) in sums.iter_mut().zip(values) {
            *sum = sum.saturating_add(value.saturating_mul(sign));
        }
    }

    /// The keys whose sums are not all zero.
    pub fn into_rows(self) -> impl Iterator<Item = (K, [i64; N])> {
        self.sums.into_iter().filter(|(_, sums)| sums.iter().any(|s| *s != 0))
    }
}
