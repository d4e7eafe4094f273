//! CMK metadata and its KMS-API JSON shape (`key_info` / `key_details` entries).

use serde_json::{Value, json};

/// A CMK's state. KMS writes them as digits: "2" enabled, "3" disabled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyState {
    Enabled,
    Disabled,
}

impl KeyState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Enabled => "ENABLED",
            Self::Disabled => "DISABLED",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "ENABLED" => Some(Self::Enabled),
            "DISABLED" => Some(Self::Disabled),
            _ => None,
        }
    }

    /// The KMS API's `key_state` code.
    pub fn kms_code(self) -> &'static str {
        match self {
            Self::Enabled => "2",
            Self::Disabled => "3",
        }
    }
}

/// A customer master key as the vault lists it. No key material here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyInfo {
    pub key_id: String,
    pub key_alias: String,
    pub key_description: String,
    pub key_state: KeyState,
    pub creation_date: i64,
    /// The automatic `csms/default` key.
    pub default_key: bool,
}

impl KeyInfo {
    pub const SPEC: &'static str = "AES_256";

    /// The KMS `key_details` entry.
    pub fn to_json(&self) -> Value {
        json!({
            "key_id": self.key_id,
            "key_alias": self.key_alias,
            "key_description": self.key_description,
            "key_state": self.key_state.kms_code(),
            "key_spec": Self::SPEC,
            "key_usage": "ENCRYPT_DECRYPT",
            "key_type": "1",
            "origin": "kms",
            "default_key_flag": if self.default_key { "1" } else { "0" },
            "creation_date": self.creation_date.to_string(),
            "scheduled_deletion_date": "",
        })
    }
}
