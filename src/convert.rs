//! Integer conversions that cannot fail on the targets vordering is built for, named so that the
//! reader sees why. A `try_from` with a made-up fallback hides a failure (`tests/tidy.rs` refuses
//! it): a conversion that can fail is an error where it happens; one that cannot is one of these.

// Lengths, counts and indexes are `usize`. On a 64-bit target every one fits `u64`, and, since no
// slice is longer than `isize::MAX`, `i64` (PostgreSQL's `bigint`).
const _: () = assert!(usize::BITS == u64::BITS, "vordering is built for 64-bit targets");

/// A length, count or index as `u64`.
pub fn u64_of(n: usize) -> u64 {
    u64::try_from(n).expect("usize is 64 bits wide (asserted at compile time)")
}

/// A length, count or index as `i64`.
pub fn i64_of(n: usize) -> i64 {
    i64::try_from(n).expect("a length is at most isize::MAX, which is i64::MAX on a 64-bit target")
}

/// A `u64` size or index as `usize`.
pub fn usize_of(n: u64) -> usize {
    usize::try_from(n).expect("usize is 64 bits wide (asserted at compile time)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_widest_values_convert() {
        assert_eq!(u64_of(usize::MAX), u64::MAX);
        assert_eq!(usize_of(u64::MAX), usize::MAX);
        assert_eq!(i64_of(0), 0);
        assert_eq!(i64_of(1_000_000), 1_000_000);
    }
}
