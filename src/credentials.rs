//! The accounting package's security codes: held as `SecretString` (redacted in `Debug`), stored
//! only encrypted (ChaCha20-Poly1305, the administration id bound as associated data) in
//! `link_credentials`, and erased on unlink. They never appear in an event or a log line.

use std::path::Path;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::PgExecutor;

use crate::domain::AdministrationId;

/// A username's two security codes ("Beveiligingscode 1 en 2").
#[derive(Clone, Debug)]
pub struct SecurityCodes {
    pub code1: SecretString,
    pub code2: SecretString,
}

/// The sealed form, as the codes are kept at rest (serialized inside the ciphertext only).
#[derive(Serialize, Deserialize)]
struct Plain<'a> {
    username: &'a str,
    code1: &'a str,
    code2: &'a str,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialsError {
    #[error("the credentials key must be 64 hexadecimal characters (32 bytes)")]
    BadKey,
    #[error("no credentials key is configured; set VORDERING__SECRETS__KEY to 64 hexadecimal characters")]
    MissingKey,
    #[error("cannot read or create the key file {path}: {detail}")]
    KeyFile { path: String, detail: String },
    #[error("the stored codes of {0} were sealed with another key (key id {1}); link again to store them anew")]
    WrongKey(String, String),
    #[error("the stored codes of {0} cannot be decrypted; link again to store them anew")]
    Undecryptable(String),
    #[error("{0} has no stored codes; link it first")]
    NotStored(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// A secret as the database keeps it: sealed with the vault's key `key_id`.
#[derive(Clone, PartialEq, Eq)]
pub struct Sealed {
    pub key_id: String,
    pub nonce: Vec<u8>,
    pub ciphertext: Vec<u8>,
}

impl std::fmt::Debug for Sealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealed").field("key_id", &self.key_id).finish_non_exhaustive()
    }
}

/// Encrypts and decrypts codes with one key; its id (a hash prefix) says which key sealed a row.
#[derive(Clone)]
pub struct Vault {
    cipher: ChaCha20Poly1305,
    key_id: String,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault").field("key_id", &self.key_id).finish_non_exhaustive()
    }
}

impl Vault {
    pub fn from_hex(key: &SecretString) -> Result<Vault, CredentialsError> {
        let bytes = hex::decode(key.expose_secret().trim()).map_err(|_| CredentialsError::BadKey)?;
        if bytes.len() != 32 {
            return Err(CredentialsError::BadKey);
        }
        let key_id = hex::encode(&Sha256::digest(&bytes)[..6]);
        Ok(Vault { cipher: ChaCha20Poly1305::new(Key::from_slice(&bytes)), key_id })
    }

    /// The embedded default's key: generated once into `path` (mode 0600) and read from there after.
    pub fn from_key_file(path: &Path) -> Result<Vault, CredentialsError> {
        use std::os::unix::fs::OpenOptionsExt;
        let failed =
            |e: std::io::Error| CredentialsError::KeyFile { path: path.display().to_string(), detail: e.to_string() };
        if !path.exists() {
            let mut key = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut key);
            let mut file =
                std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path).map_err(failed)?;
            std::io::Write::write_all(&mut file, hex::encode(key).as_bytes()).map_err(failed)?;
        }
        let text = std::fs::read_to_string(path).map_err(failed)?;
        Vault::from_hex(&SecretString::from(text))
    }

    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// Encrypts `plain` with a fresh nonce, bound to `context` (the associated data: a row sealed
    /// for one owner does not open as another's).
    pub fn seal(&self, plain: &[u8], context: &str) -> Result<Sealed, CredentialsError> {
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let payload = Payload { msg: plain, aad: context.as_bytes() };
        let ciphertext = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), payload)
            .map_err(|_| CredentialsError::Undecryptable(context.to_owned()))?;
        Ok(Sealed { key_id: self.key_id.clone(), nonce: nonce.to_vec(), ciphertext })
    }

    /// Decrypts what [`Vault::seal`] sealed for `context`.
    pub fn open(&self, sealed: &Sealed, context: &str) -> Result<Vec<u8>, CredentialsError> {
        if sealed.key_id != self.key_id {
            return Err(CredentialsError::WrongKey(context.to_owned(), sealed.key_id.clone()));
        }
        let undecryptable = || CredentialsError::Undecryptable(context.to_owned());
        if sealed.nonce.len() != 12 {
            return Err(undecryptable());
        }
        let payload = Payload { msg: &sealed.ciphertext, aad: context.as_bytes() };
        self.cipher.decrypt(Nonce::from_slice(&sealed.nonce), payload).map_err(|_| undecryptable())
    }

    /// Encrypts and stores the codes, replacing any earlier ones.
    pub async fn store<'c>(
        &self,
        db: impl PgExecutor<'c>,
        administration: &AdministrationId,
        username: &str,
        codes: &SecurityCodes,
    ) -> Result<(), CredentialsError> {
        let plain = serde_json::to_vec(&Plain {
            username,
            code1: codes.code1.expose_secret(),
            code2: codes.code2.expose_secret(),
        })
        .map_err(|_| CredentialsError::Undecryptable(administration.to_string()))?;
        let sealed = self.seal(&plain, administration.as_str())?;
        sqlx::query(
            "INSERT INTO link_credentials (administration, key_id, nonce, ciphertext) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (administration) DO UPDATE SET key_id = $2, nonce = $3, ciphertext = $4, stored_at = now()",
        )
        .bind(administration.as_str())
        .bind(&sealed.key_id)
        .bind(&sealed.nonce)
        .bind(&sealed.ciphertext)
        .execute(db)
        .await?;
        Ok(())
    }

    /// The stored username and codes of an administration.
    pub async fn load<'c>(
        &self,
        db: impl PgExecutor<'c>,
        administration: &AdministrationId,
    ) -> Result<(String, SecurityCodes), CredentialsError> {
        let row: Option<(String, Vec<u8>, Vec<u8>)> =
            sqlx::query_as("SELECT key_id, nonce, ciphertext FROM link_credentials WHERE administration = $1")
                .bind(administration.as_str())
                .fetch_optional(db)
                .await?;
        let (key_id, nonce, ciphertext) = row.ok_or_else(|| CredentialsError::NotStored(administration.to_string()))?;
        let plain = self.open(&Sealed { key_id, nonce, ciphertext }, administration.as_str())?;
        let undecryptable = || CredentialsError::Undecryptable(administration.to_string());
        let plain: Plain<'_> = serde_json::from_slice(&plain).map_err(|_| undecryptable())?;
        let codes = SecurityCodes { code1: SecretString::from(plain.code1), code2: SecretString::from(plain.code2) };
        Ok((plain.username.to_owned(), codes))
    }

    pub async fn erase<'c>(db: impl PgExecutor<'c>, administration: &AdministrationId) -> Result<(), CredentialsError> {
        sqlx::query("DELETE FROM link_credentials WHERE administration = $1")
            .bind(administration.as_str())
            .execute(db)
            .await?;
        Ok(())
    }
}
