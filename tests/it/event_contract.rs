//! Golden files pin the serialized form of every event variant: a stored event must stay readable
//! for years, so a change here needs a new event version and an upcaster, not an edited file.
//! `UPDATE_GOLDEN=1` writes the files for a NEW variant; never use it to change an existing one.

use std::path::PathBuf;

use chrono::NaiveTime;
use cqrs_es::DomainEvent;
use uuid::Uuid;
use vordering::domain::ImportId;
use vordering::events::administration::{ImportCounts, ImportIssue, ImportTrigger, IssueSeverity};
use vordering::events::AdministrationEvent;

use crate::support::at;

fn administration_examples() -> Vec<AdministrationEvent> {
    use AdministrationEvent as E;
    let import_id = ImportId::from_uuid(Uuid::from_u128(0x0192_0000_0000_7000_8000_0000_0000_0001));
    vec![
        E::AdministrationRegistered { name: "Acme B.V.".to_owned(), registered_by: "alice".to_owned() },
        E::LinkEstablished {
            package: "e-boekhouden".to_owned(),
            username: "acme".to_owned(),
            credentials_key_id: "key-2026-11".to_owned(),
            verified_at: at("2026-11-24T09:00:00Z"),
        },
        E::LinkCredentialsRotated {
            credentials_key_id: "key-2026-12".to_owned(),
            verified_at: at("2026-12-01T08:30:00Z"),
        },
        E::LinkBroken { error_code: "E001.1".to_owned(), detected_at: at("2026-11-30T06:00:05Z") },
        E::LinkRemoved { reason: "customer left".to_owned() },
        E::AutoImportEnabled { daily_at: NaiveTime::from_hms_opt(6, 0, 0).unwrap() },
        E::AutoImportDisabled { reason: "holiday".to_owned() },
        E::ImportStarted { import_id, trigger: ImportTrigger::Scheduled },
        E::ImportCompleted {
            import_id,
            counts: ImportCounts {
                debtors_added: 2,
                invoices_added: 5,
                payments_added: 3,
                events_written: 12,
                warnings: 1,
                ..Default::default()
            },
            issues: vec![ImportIssue {
                severity: IssueSeverity::Warning,
                document: String::new(),
                message: "open items differ from GetSaldi by 1.00".to_owned(),
            }],
        },
        E::ImportFailed { import_id, error_kind: "credentials_rejected".to_owned(), message: "E001.1".to_owned() },
    ]
}

/// Fails to compile when a variant is added without an example above.
fn variant_is_listed(event: &AdministrationEvent) {
    use AdministrationEvent as E;
    match event {
        E::AdministrationRegistered { .. }
        | E::LinkEstablished { .. }
        | E::LinkCredentialsRotated { .. }
        | E::LinkBroken { .. }
        | E::LinkRemoved { .. }
        | E::AutoImportEnabled { .. }
        | E::AutoImportDisabled { .. }
        | E::ImportStarted { .. }
        | E::ImportCompleted { .. }
        | E::ImportFailed { .. } => {}
    }
}

fn golden_dir(aggregate: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/events").join(aggregate)
}

#[test]
fn administration_events_keep_their_serialized_form() {
    let dir = golden_dir("administration");
    let examples = administration_examples();
    for event in &examples {
        variant_is_listed(event);
        let file = dir.join(format!("{}.v{}.json", event.event_type(), event.event_version()));
        let serialized = serde_json::to_string_pretty(event).unwrap() + "\n";
        if std::env::var_os("UPDATE_GOLDEN").is_some() && !file.exists() {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&file, &serialized).unwrap();
        }
        let golden =
            std::fs::read_to_string(&file).unwrap_or_else(|_| panic!("missing golden file {}", file.display()));
        assert_eq!(serialized, golden, "{} changed its serialized form", event.event_type());
        let read_back: AdministrationEvent = serde_json::from_str(&golden).unwrap();
        assert_eq!(&read_back, event);
    }
    let files = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(files, examples.len(), "every golden file has an example and every example a file");
}
