//! CMKs as the KMS API shows them (`key_info`, `key_details`), and the KMS alias rules.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// At most this many characters in an alias (KMS: `^[a-zA-Z0-9:/_-]{1,255}$`).
pub const MAX_ALIAS_CHARS: usize = 255;
/// At most this many characters in a CMK description (KMS).
pub const MAX_KEY_DESCRIPTION_CHARS: usize = 255;
/// Alias of the CMK used when a request names none (created on first use).
pub const DEFAULT_KEY_ALIAS: &str = "csms/default";

/// A CMK's state. KMS writes them as digits: "2" enabled, "3" disabled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyState {
    Enabled,
    Disabled,
}

impl KeyState {
    /// The state as the store keeps it.
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

impl Serialize for KeyState {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.kms_code())
    }
}

impl<'de> Deserialize<'de> for KeyState {
    /// The KMS code, as [`Serialize`] writes it (the agent's wire).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        [Self::Enabled, Self::Disabled]
            .into_iter()
            .find(|s| s.kms_code() == code)
            .ok_or_else(|| serde::de::Error::custom("key_state must be \"2\" or \"3\""))
    }
}

/// A customer master key as the vault lists it. No key material here. `creation_date` is epoch ms.
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
    /// Every CMK of a vault is a 256-bit AES key.
    pub const SPEC: &'static str = "AES_256";
}

/// The KMS `key_details` entry, its fields in the order KMS clients print them (alphabetical).
/// Strings where KMS writes strings: `creation_date` is epoch ms as text, flags are `"0"`/`"1"`.
#[derive(Serialize)]
struct KmsKey<'a> {
    creation_date: String,
    default_key_flag: &'static str,
    key_alias: &'a str,
    key_description: &'a str,
    key_id: &'a str,
    key_spec: &'static str,
    key_state: KeyState,
    key_type: &'static str,
    key_usage: &'static str,
    origin: &'static str,
    scheduled_deletion_date: &'static str,
}

impl Serialize for KeyInfo {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        KmsKey {
            creation_date: self.creation_date.to_string(),
            default_key_flag: if self.default_key { "1" } else { "0" },
            key_alias: &self.key_alias,
            key_description: &self.key_description,
            key_id: &self.key_id,
            key_spec: Self::SPEC,
            key_state: self.key_state,
            key_type: "1",
            key_usage: "ENCRYPT_DECRYPT",
            origin: "kms",
            scheduled_deletion_date: "",
        }
        .serialize(s)
    }
}

/// The KMS form read back (the agent's wire): the fields [`KmsKey`] writes that vary.
#[derive(Deserialize)]
struct KmsKeyIn {
    creation_date: String,
    default_key_flag: String,
    key_alias: String,
    key_description: String,
    key_id: String,
    key_state: KeyState,
}

impl<'de> Deserialize<'de> for KeyInfo {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let k = KmsKeyIn::deserialize(d)?;
        Ok(Self {
            creation_date: k
                .creation_date
                .parse()
                .map_err(|_| serde::de::Error::custom("creation_date must be epoch ms"))?,
            default_key: k.default_key_flag == "1",
            key_alias: k.key_alias,
            key_description: k.key_description,
            key_id: k.key_id,
            key_state: k.key_state,
        })
    }
}

/// `{"key_info": {...}}`: the body of create, enable and disable.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct KeyResponse {
    pub key_info: KeyInfo,
}

/// `{"key_details": [...], "next_marker": "", "total": N, "truncated": "false"}`: every CMK in
/// one page, as KMS's list-keys answers.
#[derive(Clone, Debug, Serialize)]
pub struct ListKeysResponse {
    pub key_details: Vec<KeyInfo>,
    pub next_marker: &'static str,
    pub total: usize,
    pub truncated: &'static str,
}

impl<'de> Deserialize<'de> for ListKeysResponse {
    /// Read back (the agent's wire): the keys; the rest follows from them.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Keys {
            key_details: Vec<KeyInfo>,
        }
        Ok(Self::new(Keys::deserialize(d)?.key_details))
    }
}

impl ListKeysResponse {
    pub fn new(key_details: Vec<KeyInfo>) -> Self {
        Self {
            total: key_details.len(),
            key_details,
            next_marker: "",
            truncated: "false",
        }
    }
}

/// A CMK a new secret or an update may name: what the terminal app's key pickers offer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyChoice {
    /// What a request's `kms_key_id` carries to name it: the key's id, or `csms/default` for the
    /// default key before it exists (the vault makes it on first use).
    pub reference: String,
    pub alias: String,
    /// The automatic `csms/default` key.
    pub default_key: bool,
}

/// How a request's `kms_key_id` names a CMK. Over HTTP the request carries an id, as the cloud's
/// does; the command line and the terminal app also take an alias, and `csms/default` (created on
/// first use) (docs/DECISIONS.md "Operations as values").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyLookup {
    Id,
    IdOrAlias,
}

/// Why a text is not an alias in form, if it is not: the KMS rule `^[a-zA-Z0-9:/_-]{1,255}$`.
pub fn alias_form_problem(alias: &str) -> Option<String> {
    let chars = alias.chars().count();
    if chars == 0 || chars > MAX_ALIAS_CHARS {
        return Some("an alias has 1–255 characters".into());
    }
    if !alias
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '/' | '_' | '-'))
    {
        return Some("an alias has only a–z A–Z 0–9 : / _ -".into());
    }
    None
}

/// Why a new alias is refused, if it is: [`alias_form_problem`], and no `/default` ending (those
/// belong to the service-created default keys; README "Local choices").
pub fn alias_problem(alias: &str) -> Option<String> {
    if let Some(problem) = alias_form_problem(alias) {
        return Some(problem);
    }
    if alias.ends_with("/default") {
        return Some("aliases ending in /default are reserved for default keys".into());
    }
    None
}

/// Why a CMK description is refused, if it is: at most 255 characters (KMS).
pub fn key_description_problem(description: &str) -> Option<&'static str> {
    (description.chars().count() > MAX_KEY_DESCRIPTION_CHARS).then_some("at most 255 characters")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_json_is_the_kms_shape() {
        let key = KeyInfo {
            key_id: "k1".into(),
            key_alias: "app/db".into(),
            key_description: "d".into(),
            key_state: KeyState::Disabled,
            creation_date: 1_700_000_000_123,
            default_key: false,
        };
        let json = serde_json::to_value(&key).unwrap_or_default();
        assert_eq!(json["key_state"], "3");
        assert_eq!(json["creation_date"], "1700000000123");
        assert_eq!(json["default_key_flag"], "0");
        assert_eq!(json["key_spec"], "AES_256");
        let list = serde_json::to_value(ListKeysResponse::new(vec![key])).unwrap_or_default();
        assert_eq!(list["total"], 1);
        assert_eq!(list["truncated"], "false");
    }

    #[test]
    fn alias_rules() {
        assert_eq!(alias_problem("app/db:prod_1-x"), None);
        assert!(alias_problem("").is_some());
        assert!(alias_problem(&"a".repeat(256)).is_some());
        assert!(alias_problem("a b").is_some());
        assert!(alias_problem("team/default").is_some());
    }
}
