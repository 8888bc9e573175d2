//! Golden files pin the serialized form of every event variant: a stored event must stay readable
//! for years, so a change here needs a new event version and an upcaster, not an edited file.
//! `UPDATE_GOLDEN=1` writes the file of a NEW variant or version; it never rewrites an existing one.

mod administration;
mod debtor_account;
mod debtor_account_dunning;
mod upcast;

use std::fmt::Debug;
use std::path::PathBuf;

use cqrs_es::DomainEvent;
use serde::de::DeserializeOwned;

/// Each example equals its golden file byte for byte and reads back to itself, and every file in
/// the aggregate's folder has an example, except the `superseded` versions an upcaster reads.
fn check_golden<E: DomainEvent + DeserializeOwned + Debug>(
    aggregate: &str,
    examples: &[E],
    superseded: &[&str],
    listed: fn(&E),
) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/events").join(aggregate);
    for event in examples {
        listed(event);
        let file = dir.join(format!("{}.v{}.json", event.event_type(), event.event_version()));
        let serialized = serde_json::to_string_pretty(event).unwrap() + "\n";
        if std::env::var_os("UPDATE_GOLDEN").is_some() && !file.exists() {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&file, &serialized).unwrap();
        }
        let golden =
            std::fs::read_to_string(&file).unwrap_or_else(|_| panic!("missing golden file {}", file.display()));
        assert_eq!(serialized, golden, "{} changed its serialized form", event.event_type());
        let read_back: E = serde_json::from_str(&golden).unwrap();
        assert_eq!(&read_back, event);
    }
    let files = std::fs::read_dir(&dir).unwrap().count() - superseded.len();
    assert_eq!(files, examples.len(), "every golden file in {aggregate} has an example and every example a file");
}
