//! A secret value's kind: text or binary.

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

impl<'de> serde::Deserialize<'de> for ValueKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::parse(&String::deserialize(d)?)
            .ok_or_else(|| serde::de::Error::custom("kind must be text or binary"))
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
