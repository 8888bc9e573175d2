//! A tiny deterministic generator (SplitMix64): the same seed, stream and index always give the same
//! draws, so any invoice or debtor can be generated on its own without storing the administration.

/// Streams keep the draws of different document kinds independent.
pub(crate) const DEBTOR: u64 = 1;
pub(crate) const INVOICE: u64 = 2;
pub(crate) const DAY: u64 = 3;

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[derive(Debug, Clone)]
pub(crate) struct Draw(u64);

impl Draw {
    pub(crate) fn new(seed: u64, stream: u64, index: u64) -> Draw {
        Draw(mix(seed ^ mix(stream.wrapping_mul(0x1000_0000_01B3) ^ mix(index))))
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// A draw in `0..n` (`n > 0`; 0 gives 0).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next().checked_rem(n).unwrap_or(0)
    }

    /// A draw in `0..n` as `i64` (`n > 0`; below 1 gives 0).
    pub(crate) fn below_i64(&mut self, n: i64) -> i64 {
        let Ok(n) = u64::try_from(n) else { return 0 };
        i64::try_from(self.below(n)).expect("a draw below an i64 is an i64")
    }

    pub(crate) fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let at = crate::convert::usize_of(self.below(crate::convert::u64_of(items.len())));
        items.get(at).copied().unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_are_deterministic_per_seed_stream_and_index() {
        let a: Vec<u64> = (0..3).map(|_| 0).scan(Draw::new(7, INVOICE, 42), |d, _| Some(d.next())).collect();
        let b: Vec<u64> = (0..3).map(|_| 0).scan(Draw::new(7, INVOICE, 42), |d, _| Some(d.next())).collect();
        let c: Vec<u64> = (0..3).map(|_| 0).scan(Draw::new(8, INVOICE, 42), |d, _| Some(d.next())).collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(Draw::new(1, DAY, 1).below(10) < 10);
    }
}
