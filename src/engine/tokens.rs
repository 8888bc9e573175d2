//! The API's bearer tokens as engine calls: made, shown once, and looked up by their hash.

use tracing::instrument;

use super::{Engine, EngineError};
use crate::auth::{new_token, token_hash, TokenScope};
use crate::domain::AdministrationId;

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
            .await?;
        Ok(token)
    }

    /// The scope of a presented token, or `None` when no such token exists.
    pub async fn token_scope(&self, token: &str) -> Result<Option<TokenScope>, EngineError> {
        let row: Option<(Vec<String>, bool, String)> =
            sqlx::query_as("SELECT administrations, can_write, label FROM api_token WHERE hash = $1")
                .bind(token_hash(token))
                .fetch_optional(self.pool())
                .await?;
        Ok(row.map(|(administrations, can_write, label)| TokenScope {
            // Ids were validated when the token was made; one that no longer parses grants nothing.
            administrations: administrations.iter().filter_map(|a| AdministrationId::new(a).ok()).collect(),
            can_write,
            label,
        }))
    }
}
