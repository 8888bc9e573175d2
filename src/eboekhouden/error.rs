//! The one error type of the e-Boekhouden boundary; each variant is named for what the caller does.

use super::budget::BudgetMonth;
use super::Operation;

/// Why a call to e-Boekhouden failed, grouped by what the caller should do about it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// E001.x: the username or security codes were refused (SecurityCode1 rotates when the user changes
    /// his password). The link is broken: mark it so and ask the user to reconnect; never retry.
    #[error("e-Boekhouden refused the credentials ({code}: {description}); the link must be reconnected")]
    CredentialsRejected { code: String, description: String },
    /// E002.x even after the client reopened the session once: give up this import and try later.
    #[error("the e-Boekhouden session stayed invalid after reopening it ({code}: {description})")]
    SessionExpired { code: String, description: String },
    /// E003.1: the monthly GetMutaties quota is used up; stop GetMutaties until next month.
    #[error("the GetMutaties quota of e-Boekhouden is used up ({code}: {description}); wait for next month")]
    QuotaExceeded { code: String, description: String },
    /// Our own monthly call budget for GetMutaties is spent; stop GetMutaties until next month.
    #[error("the GetMutaties call budget for {month} is spent; wait for next month")]
    BudgetExhausted { month: BudgetMonth },
    /// Any other business error the service reported (validation codes and the like): report it.
    #[error("e-Boekhouden answered {operation} with error {code}: {description}")]
    Service { operation: Operation, code: String, description: String },
    /// A SOAP Fault (protocol or server failure): report it; a later run may succeed.
    #[error("e-Boekhouden answered {operation} with a SOAP fault ({code}): {message}")]
    SoapFault { operation: Operation, code: String, message: String },
    /// A non-200 HTTP status without a SOAP fault in the body: report it; a later run may succeed.
    #[error("e-Boekhouden answered {operation} with HTTP status {status}")]
    HttpStatus { operation: Operation, status: u16 },
    /// A configured timeout elapsed: retry later.
    #[error("{operation} timed out while {phase}")]
    Timeout { operation: Operation, phase: &'static str },
    /// The connection failed or broke off mid-response: retry later.
    #[error("{operation}: the connection failed after {records} records")]
    Transport {
        operation: Operation,
        records: u64,
        #[source]
        source: std::io::Error,
    },
    /// The response is not what the WSDL promises; `record` is 1-based within the response and `field`
    /// names the element. Report it with the record so someone can look at that document.
    #[error("{operation}: malformed response{}{}: {reason}", record.map(|r| format!(" in record {r}")).unwrap_or_default(), field.as_ref().map(|f| format!(", field {f}")).unwrap_or_default())]
    Malformed { operation: Operation, record: Option<u64>, field: Option<String>, reason: String },
    /// The persistent call-budget store failed: the import cannot know its quota, so it stops.
    #[error("the call budget store failed: {0}")]
    BudgetStore(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The client settings are unusable (e.g. an endpoint that is not a URL): fix the configuration.
    #[error("invalid e-Boekhouden client settings: {0}")]
    Settings(String),
}

/// The class of a service error code (`LastErrorCode`), matched without dots: `E002.3` ≡ `E0023`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CodeClass {
    Credentials,
    Session,
    Quota,
    Other,
}

impl CodeClass {
    pub(crate) fn of(code: &str) -> CodeClass {
        let normalized: String = code.trim().chars().filter(|c| *c != '.').collect::<String>().to_ascii_uppercase();
        if normalized.starts_with("E001") {
            CodeClass::Credentials
        } else if normalized.starts_with("E002") {
            CodeClass::Session
        } else if normalized.starts_with("E0031") {
            CodeClass::Quota
        } else {
            CodeClass::Other
        }
    }
}

impl Error {
    /// Maps a service error code to the variant the caller acts on (E002 here means "after the retry").
    pub(crate) fn from_service(operation: Operation, code: String, description: String) -> Error {
        match CodeClass::of(&code) {
            CodeClass::Credentials => Error::CredentialsRejected { code, description },
            CodeClass::Session => Error::SessionExpired { code, description },
            CodeClass::Quota => Error::QuotaExceeded { code, description },
            CodeClass::Other => Error::Service { operation, code, description },
        }
    }

    /// One record had a bad field; it was read to its end and the records after it still come.
    pub fn is_record_error(&self) -> bool {
        matches!(self, Error::Malformed { record: Some(_), field: Some(_), .. })
    }

    pub(crate) fn malformed(operation: Operation, reason: impl Into<String>) -> Error {
        Error::Malformed { operation, record: None, field: None, reason: reason.into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_classified_with_or_without_dots() {
        assert_eq!(CodeClass::of("E001.1"), CodeClass::Credentials);
        assert_eq!(CodeClass::of("E0023"), CodeClass::Session);
        assert_eq!(CodeClass::of("E002.3"), CodeClass::Session);
        assert_eq!(CodeClass::of(" e003.1 "), CodeClass::Quota);
        assert_eq!(CodeClass::of("CMUT018"), CodeClass::Other);
    }

    #[test]
    fn malformed_names_record_and_field() {
        let error = Error::Malformed {
            operation: Operation::GetOpenPosten,
            record: Some(3),
            field: Some("Bedrag".into()),
            reason: "`abc` is not a number".into(),
        };
        assert_eq!(
            error.to_string(),
            "GetOpenPosten: malformed response in record 3, field Bedrag: `abc` is not a number"
        );
    }
}
