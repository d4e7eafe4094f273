//! The event types a secret's subscription can fire (docs/DECISIONS.md "events", "what fires").

use serde::Serialize;

/// One of the API's five basic events.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EventType {
    SecretVersionCreated,
    SecretVersionExpired,
    SecretRotated,
    SecretDeleted,
    SecretRotatedFailed,
}

impl EventType {
    pub const ALL: [Self; 5] = [
        Self::SecretVersionCreated,
        Self::SecretVersionExpired,
        Self::SecretRotated,
        Self::SecretDeleted,
        Self::SecretRotatedFailed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::SecretVersionCreated => "SECRET_VERSION_CREATED",
            Self::SecretVersionExpired => "SECRET_VERSION_EXPIRED",
            Self::SecretRotated => "SECRET_ROTATED",
            Self::SecretDeleted => "SECRET_DELETED",
            Self::SecretRotatedFailed => "SECRET_ROTATED_FAILED",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == text)
    }
}
