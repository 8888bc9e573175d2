//! The metadata written with every event: who, why, from where, and which command caused it.

use std::collections::HashMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Who issued a command and in which chain of commands it stands. Stored as the event's `metadata`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    /// The person or system that decided (`alice@example.nl`, `scheduler`).
    pub actor: String,
    /// Unique per command; retries of the same command keep it.
    pub command_id: Uuid,
    /// Shared by every command of one piece of work (an import, a dunning run).
    pub correlation_id: Uuid,
    /// The command or event that caused this one, if any.
    pub causation_id: Option<Uuid>,
    /// Where the command came from: `cli`, `http`, `import:<import_id>`, `dunning:<date>`.
    pub source: String,
    /// Why, when a person gave a reason.
    pub reason: Option<String>,
    /// When the command was issued, in UTC, by the issuer's clock; stored as RFC 3339 to the
    /// microsecond. The event row's own `recorded_at` column is the database's clock instead.
    pub recorded_at: DateTime<Utc>,
}

/// Why a stored metadata map does not read back as [`Metadata`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MetadataError {
    /// A required key is absent (`actor`, `command_id`, `correlation_id`, `source` or
    /// `recorded_at`); the variant holds its name.
    #[error("metadata field `{0}` is missing")]
    Missing(&'static str),
    /// A UUID (`command_id`, `correlation_id`, `causation_id`) or `recorded_at` does not parse.
    #[error("metadata field `{field}` is malformed: `{value}`")]
    Malformed {
        /// The key whose value does not parse.
        field: &'static str,
        /// The stored text of that key.
        value: String,
    },
}

impl Metadata {
    /// A new command that starts its own chain.
    pub fn new(actor: impl Into<String>, source: impl Into<String>, now: DateTime<Utc>) -> Self {
        let command_id = Uuid::now_v7();
        Metadata {
            actor: actor.into(),
            command_id,
            correlation_id: command_id,
            causation_id: None,
            source: source.into(),
            reason: None,
            recorded_at: now,
        }
    }

    /// The same metadata with the reason a person gave for the command.
    pub fn with_reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }

    /// A command caused by this one: same correlation, this command as the cause.
    pub fn caused(&self, now: DateTime<Utc>) -> Self {
        Metadata { command_id: Uuid::now_v7(), causation_id: Some(self.command_id), recorded_at: now, ..self.clone() }
    }

    /// The flat map cqrs-es stores with each event.
    pub fn to_map(&self) -> HashMap<String, String> {
        let mut map = HashMap::from([
            ("actor".to_owned(), self.actor.clone()),
            ("command_id".to_owned(), self.command_id.to_string()),
            ("correlation_id".to_owned(), self.correlation_id.to_string()),
            ("source".to_owned(), self.source.clone()),
            ("recorded_at".to_owned(), self.recorded_at.to_rfc3339_opts(SecondsFormat::Micros, true)),
        ]);
        if let Some(causation_id) = self.causation_id {
            map.insert("causation_id".to_owned(), causation_id.to_string());
        }
        if let Some(reason) = &self.reason {
            map.insert("reason".to_owned(), reason.clone());
        }
        map
    }

    /// Reads back the map [`Metadata::to_map`] wrote; `causation_id` and `reason` may be absent.
    pub fn from_map(map: &HashMap<String, String>) -> Result<Self, MetadataError> {
        let get = |field: &'static str| map.get(field).ok_or(MetadataError::Missing(field));
        let uuid = |field: &'static str, value: &String| {
            Uuid::parse_str(value).map_err(|_| MetadataError::Malformed { field, value: value.clone() })
        };
        let recorded_at = get("recorded_at")?;
        Ok(Metadata {
            actor: get("actor")?.clone(),
            command_id: uuid("command_id", get("command_id")?)?,
            correlation_id: uuid("correlation_id", get("correlation_id")?)?,
            causation_id: map.get("causation_id").map(|v| uuid("causation_id", v)).transpose()?,
            source: get("source")?.clone(),
            reason: map.get("reason").cloned(),
            recorded_at: DateTime::parse_from_rfc3339(recorded_at)
                .map_err(|_| MetadataError::Malformed { field: "recorded_at", value: recorded_at.clone() })?
                .with_timezone(&Utc),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_the_stored_map() {
        let now = DateTime::parse_from_rfc3339("2026-11-24T10:00:00.123456Z").unwrap().with_timezone(&Utc);
        let first = Metadata::new("alice", "cli", now).with_reason("new bookkeeper");
        let second = first.caused(now);
        assert_eq!(second.correlation_id, first.command_id);
        assert_eq!(second.causation_id, Some(first.command_id));
        assert_eq!(Metadata::from_map(&second.to_map()), Ok(second));
    }

    #[test]
    fn names_the_missing_or_malformed_field() {
        let mut map = Metadata::new("a", "cli", Utc::now()).to_map();
        map.insert("command_id".to_owned(), "x".to_owned());
        assert_eq!(
            Metadata::from_map(&map),
            Err(MetadataError::Malformed { field: "command_id", value: "x".to_owned() })
        );
        map.remove("actor");
        assert_eq!(Metadata::from_map(&map), Err(MetadataError::Missing("actor")));
    }
}
