//! Golden examples of every `AdministrationEvent` variant.

use std::collections::BTreeMap;

use chrono::NaiveTime;
use uuid::Uuid;
use vordering::domain::dunning::{
    Anchor, Audience, Bundling, Channel, DunningPolicy, DunningStep, PolicyOverride, PolicyStep,
};
use vordering::domain::interest::Rate;
use vordering::domain::{Cents, DebtorCode, ImportId};
use vordering::events::administration::{ImportCounts, ImportIssue, ImportTrigger, IssueSeverity};
use vordering::events::AdministrationEvent;

use super::check_golden;
use crate::support::at;

#[test]
fn administration_events_keep_their_serialized_form() {
    check_golden("administration", &administration_examples(), &[], variant_is_listed);
}

/// The name constants list every variant once, in declaration order, as the stored `event_type`.
#[test]
fn the_name_constants_are_the_stored_event_types_of_every_variant() {
    let stored: Vec<String> = administration_examples().iter().map(cqrs_es::DomainEvent::event_type).collect();
    assert_eq!(stored, AdministrationEvent::NAMES);
    assert_eq!(AdministrationEvent::LINK_BROKEN, "LinkBroken");
}

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
        E::DunningPolicySet { policy: policy() },
    ]
}

fn policy() -> DunningPolicy {
    let step = |step, after, days, channel, template: &str, applies_to| PolicyStep {
        step,
        after,
        days,
        channel,
        template: template.to_owned(),
        applies_to,
    };
    DunningPolicy {
        steps: vec![
            step(DunningStep::Reminder1, Anchor::DueDate, 7, Channel::Email, "reminder-1", Audience::All),
            step(DunningStep::FourteenDayLetter, Anchor::PreviousStep, 14, Channel::Letter, "wik", Audience::Consumer),
            step(DunningStep::Collection, Anchor::PreviousStep, 21, Channel::Letter, "case", Audience::All),
        ],
        minimum_amount: Cents::new(500),
        bundling: Bundling { enabled: true, min_interval_days: 7 },
        automatic_collection: true,
        vat_surcharge: Some(Rate::parse_percent("21").unwrap()),
        overrides: BTreeMap::from([(
            DebtorCode::new("D1042").unwrap(),
            PolicyOverride { steps: None, minimum_amount: None, automatic_collection: Some(false) },
        )]),
    }
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
        | E::ImportFailed { .. }
        | E::DunningPolicySet { .. } => {}
    }
}
