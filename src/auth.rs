//! Bearer tokens for the HTTP API: random, shown once, stored as their SHA-256 only, and scoped to
//! a list of administrations with read or read-write rights.

use rand::RngCore;
use sha2::{Digest, Sha256};
use tracing::instrument;

use crate::domain::AdministrationId;
use crate::engine::{Engine, EngineError};
use crate::store::StoreError;

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
fn new_token() -> String {
    let mut bytes = [0_u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("vrd_{}", hex::encode(bytes))
}

/// The stored form of a token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl Engine {
    /// Creates a token for `scope` and returns it; only its hash is stored, so this is the one
    /// time it can be shown.
    #[instrument(skip_all, fields(label = %scope.label, write = scope.can_write))]
    pub async fn create_token(&self, scope: &TokenScope) -> Result<String, EngineError> {
        let token = new_token();
        let administrations: Vec<String> = scope.administrations.iter().map(|a| a.as_str().to_owned()).collect();
        sqlx::query("INSERT INTO api_token (hash, administrations, can_write, label) VALUES ($1, $2, $3, $4)")
            .bind(token_hash(&token))
            .bind(&administrations)
            .bind(scope.can_write)
            .bind(&scope.label)
            .execute(self.pool())
            .await
            .map_err(StoreError::from)?;
        Ok(token)
    }

    /// The scope of a presented token, or `None` when no such token exists.
    pub async fn token_scope(&self, token: &str) -> Result<Option<TokenScope>, EngineError> {
        let row: Option<(Vec<String>, bool, String)> =
            sqlx::query_as("SELECT administrations, can_write, label FROM api_token WHERE hash = $1")
                .bind(token_hash(token))
                .fetch_optional(self.pool())
                .await
                .map_err(StoreError::from)?;
        Ok(row.map(|(administrations, can_write, label)| TokenScope {
            // Ids were validated when the token was made; one that no longer parses grants nothing.
            administrations: administrations.iter().filter_map(|a| AdministrationId::new(a).ok()).collect(),
            can_write,
            label,
        }))
    }
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
