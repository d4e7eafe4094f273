//! A secret value: its kind (text or binary) and its plaintext, wiped on drop.

use std::fmt;
use zeroize::Zeroizing;

/// Whether a version holds `secret_string` (text) or `secret_binary` (bytes, base64 on the wire).
/// Part of every value's associated data, so a value cannot be reinterpreted as the other kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValueKind {
    Text,
    Binary,
}

impl serde::Serialize for ValueKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl ValueKind {
    /// The kind as stored and as bound into associated data: `"text"` or `"binary"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Binary => "binary",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "text" => Some(Self::Text),
            "binary" => Some(Self::Binary),
            _ => None,
        }
    }
}

/// A secret value in plaintext, as stored in one version. Zeroized on drop; `Debug` redacts it.
#[derive(Clone, PartialEq, Eq)]
pub enum SecretValue {
    Text(Zeroizing<String>),
    Binary(Zeroizing<Vec<u8>>),
}

impl fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Text(_) => f.write_str("Text(<redacted>)"),
            Self::Binary(_) => f.write_str("Binary(<redacted>)"),
        }
    }
}

impl SecretValue {
    pub fn kind(&self) -> ValueKind {
        match self {
            Self::Text(_) => ValueKind::Text,
            Self::Binary(_) => ValueKind::Binary,
        }
    }

    /// The bytes to seal.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Self::Text(s) => s.as_bytes(),
            Self::Binary(b) => b,
        }
    }
}
