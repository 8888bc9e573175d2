//! `Credentials`: the username and the two security codes. The codes are secrets: `Debug` redacts them
//! and nothing in this crate logs them.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

/// What OpenSession needs. SecurityCode2 also travels with every later call.
#[derive(Clone)]
pub struct Credentials {
    pub username: String,
    pub security_code_1: SecretString,
    pub security_code_2: SecretString,
}

impl Credentials {
    pub fn new(username: impl Into<String>, security_code_1: SecretString, security_code_2: SecretString) -> Self {
        Credentials { username: username.into(), security_code_1, security_code_2 }
    }

    pub(crate) fn code_1(&self) -> &str {
        self.security_code_1.expose_secret()
    }

    pub(crate) fn code_2(&self) -> &str {
        self.security_code_2.expose_secret()
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("security_code_1", &"[REDACTED]")
            .field("security_code_2", &"[REDACTED]")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_both_codes() {
        let credentials = Credentials::new("demo", "code-one-secret".into(), "code-two-secret".into());
        let printed = format!("{credentials:?}");
        assert_eq!(
            printed,
            r#"Credentials { username: "demo", security_code_1: "[REDACTED]", security_code_2: "[REDACTED]" }"#
        );
    }
}
