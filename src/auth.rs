//! Bearer tokens for the HTTP API: random, shown once, stored as their SHA-256 only, and scoped to
//! a list of administrations with read or read-write rights.

use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::domain::AdministrationId;

/// What a token may do: read (and with `can_write`, change) the administrations it names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenScope {
    pub administrations: Vec<AdministrationId>,
    pub can_write: bool,
    /// Who the token stands for; the actor of the commands it issues.
    pub label: String,
}

impl TokenScope {
    pub fn covers(&self, id: &AdministrationId) -> bool {
        self.administrations.contains(id)
    }
}

/// A token as the caller sends it: `vrd_` and 64 hex digits (256 random bits).
pub(crate) fn new_token() -> String {
    let mut bytes = [0_u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("vrd_{}", hex::encode(bytes))
}

/// The stored form of a token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashed_with_sha256() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 4 + 64);
        assert_eq!(token_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
