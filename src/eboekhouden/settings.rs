//! `ClientSettings`: where the service lives and how long to wait for it. Embedded by the app's
//! `Settings` as `eboekhouden` (env `VORDERING__EBOEKHOUDEN__ENDPOINT`, …).

use std::time::Duration;

use serde::Deserialize;

/// The real service, over https although the WSDL declares plain http.
pub const DEFAULT_ENDPOINT: &str = "https://soap.e-boekhouden.nl/soap.asmx";

/// How the client reaches e-Boekhouden. Every field has a default, so an empty table deserializes.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct ClientSettings {
    /// The SOAP endpoint (the simulator's URL in tests and demos).
    pub endpoint: String,
    /// The `Source` sent with OpenSession (≤ 15 characters): identifies this integration to the service.
    pub source: String,
    /// Time allowed to establish the TCP + TLS connection.
    #[serde(with = "millis")]
    pub connect_timeout: Duration,
    /// Time allowed from sending a request until the response headers arrive.
    #[serde(with = "millis")]
    pub request_timeout: Duration,
    /// Longest silence allowed between two chunks of a streamed response body. A 1 GB body may take
    /// minutes in total, so only the gap between chunks is bounded.
    #[serde(with = "millis")]
    pub read_timeout: Duration,
}

impl Default for ClientSettings {
    fn default() -> Self {
        ClientSettings {
            endpoint: DEFAULT_ENDPOINT.to_owned(),
            source: "vordering".to_owned(),
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            read_timeout: Duration::from_secs(60),
        }
    }
}

impl ClientSettings {
    /// Settings for another endpoint with the default timeouts.
    pub fn with_endpoint(endpoint: impl Into<String>) -> Self {
        ClientSettings { endpoint: endpoint.into(), ..ClientSettings::default() }
    }
}

/// Durations are written as whole milliseconds in configuration files and the environment.
mod millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
        u64::deserialize(deserializer).map(Duration::from_millis)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_table_gives_the_real_https_endpoint() {
        let settings: ClientSettings = serde_json::from_str("{}").unwrap();
        assert_eq!(settings, ClientSettings::default());
        assert_eq!(settings.endpoint, "https://soap.e-boekhouden.nl/soap.asmx");
    }

    #[test]
    fn fields_override_defaults() {
        let settings: ClientSettings =
            serde_json::from_str(r#"{"endpoint": "http://127.0.0.1:9/soap.asmx", "request_timeout": 1500}"#).unwrap();
        assert_eq!(settings.endpoint, "http://127.0.0.1:9/soap.asmx");
        assert_eq!(settings.request_timeout, Duration::from_millis(1500));
        assert_eq!(settings.connect_timeout, Duration::from_secs(10));
    }
}
