//! Webhook secrets and signatures, by the Standard Webhooks specification: a secret is `whsec_`
//! and the base64 of its key; a signature is `v1,` and the base64 HMAC-SHA256 of `id.timestamp.body`
//! with the decoded key; during a rotation several signatures are sent, separated by spaces.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretSlice};
use sha2::Sha256;

/// What every secret's text starts with.
pub const PREFIX: &str = "whsec_";
/// The bytes of a secret this engine makes.
const KEY_BYTES: usize = 32;
/// A receiver refuses a message whose timestamp is further than this from its clock (replay).
pub const TOLERANCE_SECONDS: i64 = 5 * 60;

type HmacSha256 = Hmac<Sha256>;

/// A signing secret. Its key is never printed: `Debug` shows nothing of it, and only
/// [`WebhookSecret::reveal`] gives the text, once, to the person who made the subscription.
pub struct WebhookSecret(SecretSlice<u8>);

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(…)")
    }
}

/// Why a text is not a webhook secret.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SecretError {
    #[error("a webhook secret is `whsec_` and base64")]
    NotBase64,
    #[error("a webhook secret holds at least 24 bytes")]
    TooShort,
}

impl WebhookSecret {
    /// A new secret of 32 random bytes.
    pub fn generate() -> Self {
        let mut key = vec![0_u8; KEY_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut key);
        WebhookSecret(SecretSlice::from(key))
    }

    /// The secret of `text`, with or without the `whsec_` prefix.
    pub fn parse(text: &str) -> Result<Self, SecretError> {
        let encoded = text.trim();
        let encoded = encoded.strip_prefix(PREFIX).unwrap_or(encoded);
        let key = STANDARD.decode(encoded).map_err(|_| SecretError::NotBase64)?;
        if key.len() < 24 {
            return Err(SecretError::TooShort);
        }
        Ok(WebhookSecret(SecretSlice::from(key)))
    }

    /// The key, for sealing it in the database.
    pub(crate) fn key(&self) -> &[u8] {
        self.0.expose_secret()
    }

    /// The secret from its sealed key.
    pub(crate) fn from_key(key: Vec<u8>) -> Self {
        WebhookSecret(SecretSlice::from(key))
    }

    /// The text a receiver configures: shown once, when the subscription is made or rotated.
    pub fn reveal(&self) -> String {
        format!("{PREFIX}{}", STANDARD.encode(self.key()))
    }

    /// `v1,` and the signature of one message.
    pub fn sign(&self, id: &str, timestamp: i64, body: &str) -> String {
        format!("v1,{}", STANDARD.encode(self.mac(id, timestamp, body).finalize().into_bytes()))
    }

    fn mac(&self, id: &str, timestamp: i64, body: &str) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(self.key()).expect("HMAC takes a key of any length");
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body.as_bytes());
        mac
    }

    /// Whether one of the space-separated `v1` signatures of `header` is this secret's for the
    /// message, compared in constant time.
    pub fn verifies(&self, header: &str, id: &str, timestamp: i64, body: &str) -> bool {
        header
            .split(' ')
            .filter_map(|s| s.strip_prefix("v1,"))
            .filter_map(|s| STANDARD.decode(s).ok())
            .any(|signature| self.mac(id, timestamp, body).verify_slice(&signature).is_ok())
    }
}

/// The `webhook-signature` header of a message signed by every secret in `secrets`.
pub fn signature_header(secrets: &[&WebhookSecret], id: &str, timestamp: i64, body: &str) -> String {
    secrets.iter().map(|secret| secret.sign(id, timestamp, body)).collect::<Vec<_>>().join(" ")
}

/// Why a received message is not to be trusted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Unverified {
    #[error("the message has no {0} header")]
    MissingHeader(&'static str),
    #[error("the webhook-timestamp is not a number of seconds")]
    BadTimestamp,
    #[error("the webhook-timestamp is more than five minutes from now (a replay, or a clock that is off)")]
    OutOfTolerance,
    #[error("no signature of the message is the secret's")]
    BadSignature,
}

/// Checks a received message as a consumer does: the headers are present, the timestamp is within
/// [`TOLERANCE_SECONDS`] of `now` (Unix seconds), and one signature is `secret`'s.
pub fn verify(
    secret: &WebhookSecret,
    id: Option<&str>,
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &str,
    now: i64,
) -> Result<(), Unverified> {
    let id = id.ok_or(Unverified::MissingHeader("webhook-id"))?;
    let timestamp = timestamp.ok_or(Unverified::MissingHeader("webhook-timestamp"))?;
    let signature = signature.ok_or(Unverified::MissingHeader("webhook-signature"))?;
    let timestamp: i64 = timestamp.trim().parse().map_err(|_| Unverified::BadTimestamp)?;
    if (now - timestamp).abs() > TOLERANCE_SECONDS {
        return Err(Unverified::OutOfTolerance);
    }
    secret.verifies(signature, id, timestamp, body).then_some(()).ok_or(Unverified::BadSignature)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The specification's own test vector (the Standard Webhooks reference libraries).
    const SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    const ID: &str = "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk";
    const TIMESTAMP: i64 = 1_649_367_553;
    const BODY: &str = r#"{"email":"test@example.com","username":"test_user"}"#;
    const SIGNATURE: &str = "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=";

    #[test]
    fn the_specifications_test_vector_signs_and_verifies() {
        let secret = WebhookSecret::parse(SECRET).unwrap();
        assert_eq!(secret.sign(ID, TIMESTAMP, BODY), SIGNATURE);
        assert_eq!(secret.reveal(), SECRET);
        assert_eq!(verify(&secret, Some(ID), Some("1649367553"), Some(SIGNATURE), BODY, TIMESTAMP + 10), Ok(()));
    }

    #[test]
    fn a_changed_body_an_old_timestamp_or_another_secret_does_not_verify() {
        let secret = WebhookSecret::parse(SECRET).unwrap();
        let now = TIMESTAMP;
        let check =
            |body: &str, ts: &str, signature: &str| verify(&secret, Some(ID), Some(ts), Some(signature), body, now);
        assert_eq!(check("{}", "1649367553", SIGNATURE), Err(Unverified::BadSignature));
        let late = (TIMESTAMP - TOLERANCE_SECONDS - 1).to_string();
        assert_eq!(check(BODY, &late, SIGNATURE), Err(Unverified::OutOfTolerance));
        let other = WebhookSecret::generate().sign(ID, TIMESTAMP, BODY);
        assert_eq!(check(BODY, "1649367553", &other), Err(Unverified::BadSignature));
        assert_eq!(
            verify(&secret, None, Some("1"), Some(SIGNATURE), BODY, now),
            Err(Unverified::MissingHeader("webhook-id"))
        );
    }

    #[test]
    fn during_a_rotation_both_secrets_sign_and_either_verifies() {
        let (old, new) = (WebhookSecret::generate(), WebhookSecret::generate());
        let header = signature_header(&[&new, &old], ID, TIMESTAMP, BODY);
        assert_eq!(header.split(' ').count(), 2);
        assert!(old.verifies(&header, ID, TIMESTAMP, BODY) && new.verifies(&header, ID, TIMESTAMP, BODY));
        assert!(!WebhookSecret::generate().verifies(&header, ID, TIMESTAMP, BODY));
    }

    #[test]
    fn a_secret_is_whsec_and_32_random_bytes_and_debug_shows_none_of_it() {
        let secret = WebhookSecret::generate();
        let text = secret.reveal();
        assert!(text.starts_with(PREFIX));
        assert_eq!(STANDARD.decode(&text[PREFIX.len()..]).unwrap().len(), 32);
        assert_eq!(format!("{secret:?}"), "WebhookSecret(…)");
        assert!(matches!(WebhookSecret::parse("whsec_!!"), Err(SecretError::NotBase64)));
        assert!(matches!(WebhookSecret::parse("whsec_AAAA"), Err(SecretError::TooShort)));
    }
}
