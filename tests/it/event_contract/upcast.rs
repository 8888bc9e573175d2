//! A stored version-1 `InvoiceImported` (its golden file, never rewritten) no longer reads as the
//! current enum, and reads exactly as the version-2 example after the upcaster.

use std::path::PathBuf;

use vordering::events::debtor_account::DebtorAccountEvent;
use vordering::events::upcast::{needs_upcast, upcast, UpcastError};

fn golden(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/events/debtor_account").join(name);
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn version_1_invoice_imported_reads_through_the_upcaster() {
    let v1 = golden("InvoiceImported.v1.0.json");
    assert!(serde_json::from_str::<DebtorAccountEvent>(&v1).is_err(), "v1 lacks payment_term_days");
    assert!(needs_upcast("DebtorAccount", "InvoiceImported", "1.0"));
    // Event types are unique per aggregate type only: another aggregate's `InvoiceImported` is left alone.
    assert!(!needs_upcast("TestAccount", "InvoiceImported", "1.0"));
    assert!(
        !needs_upcast("DebtorAccount", "InvoiceImported", "2.0")
            && !needs_upcast("DebtorAccount", "PaymentLinked", "1.0")
    );
    let (payload, version) =
        upcast("DebtorAccount", "InvoiceImported", "1.0", serde_json::from_str(&v1).unwrap()).unwrap();
    assert_eq!(version, "2.0");
    let v2: DebtorAccountEvent = serde_json::from_str(&golden("InvoiceImported.v2.0.json")).unwrap();
    assert_eq!(serde_json::from_value::<DebtorAccountEvent>(payload).unwrap(), v2);
}

#[test]
fn a_version_1_payload_without_dates_is_an_error_naming_the_field() {
    let broken = serde_json::json!({ "InvoiceImported": { "invoice_date": "2025-01-15" } });
    let error = upcast("DebtorAccount", "InvoiceImported", "1.0", broken).unwrap_err();
    assert_eq!(
        error,
        UpcastError {
            event_type: "InvoiceImported".to_owned(),
            event_version: "1.0".to_owned(),
            detail: "`due_date` is missing".to_owned()
        }
    );
}
