//! `Response`: every answer shape, rendered as JSON in one place (`Serialize`), with what each
//! edge must know about it (plaintext inside, no body).

use serde::{Serialize, Serializer};
use std::collections::HashMap;

use super::{BatchImportError, ImportOutcome};
use crate::csms::{
    BatchGetSecretValueResponse, KeyChoice, KeyResponse, ListKeysResponse,
    ListSecretVersionsResponse, ListSecretsResponse, PasswordResponse, Secret, SecretBlobResponse,
    SecretDetail, SecretResponse, StageResponse, VersionMetadataResponse, VersionResponse,
};

/// `{"total", "success", "failed", "error_list": [{"name", "error_msg"}]}`, failures in input
/// order; `outcomes` (every entry's, in input order) is for local edges and not serialised.
#[derive(Clone, Debug, Serialize)]
pub struct BatchImportSecretsResponse {
    pub total: usize,
    pub success: usize,
    pub failed: usize,
    pub error_list: Vec<BatchImportError>,
    #[serde(skip)]
    pub outcomes: Vec<ImportOutcome>,
}

/// An operation's answer: the API's response body (or none, for the deletes).
#[derive(Clone, Debug)]
pub enum Response {
    /// `{"secret": {...}}`.
    Secret(SecretResponse),
    Secrets(ListSecretsResponse),
    /// `{"version": {...}}`, with the value.
    Version(VersionResponse),
    VersionMetadata(VersionMetadataResponse),
    VersionMetadatas(ListSecretVersionsResponse),
    Stage(StageResponse),
    SecretBlob(SecretBlobResponse),
    /// Batch Get Secret Value, with the values.
    Values(BatchGetSecretValueResponse),
    Imported(BatchImportSecretsResponse),
    /// A generated password.
    Password(PasswordResponse),
    /// `{"key_info": {...}}`.
    Key(KeyResponse),
    Keys(ListKeysResponse),
    /// 204: the deletes answer with no body.
    NoContent,
    Detail(SecretDetail),
    AllSecrets(Vec<Secret>),
    NameTaken(bool),
    /// Secrets per CMK id.
    KeyUsage(HashMap<String, i64>),
    KeyChoices(Vec<KeyChoice>),
}

impl Response {
    /// Whether the body holds a plaintext value: every edge renders it into wiped memory only.
    pub fn carries_plaintext(&self) -> bool {
        matches!(self, Self::Version(_) | Self::Values(_) | Self::Password(_))
    }

    /// Whether there is a body at all (the deletes answer 204 and print nothing).
    pub fn has_body(&self) -> bool {
        !matches!(self, Self::NoContent)
    }
}

impl Serialize for Response {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Secret(b) => b.serialize(s),
            Self::Secrets(b) => b.serialize(s),
            Self::Version(b) => b.serialize(s),
            Self::VersionMetadata(b) => b.serialize(s),
            Self::VersionMetadatas(b) => b.serialize(s),
            Self::Stage(b) => b.serialize(s),
            Self::SecretBlob(b) => b.serialize(s),
            Self::Values(b) => b.serialize(s),
            Self::Imported(b) => b.serialize(s),
            Self::Password(b) => b.serialize(s),
            Self::Key(b) => b.serialize(s),
            Self::Keys(b) => b.serialize(s),
            Self::NoContent => s.serialize_unit(),
            Self::Detail(b) => b.serialize(s),
            Self::AllSecrets(b) => b.serialize(s),
            Self::NameTaken(b) => b.serialize(s),
            Self::KeyUsage(b) => b.serialize(s),
            Self::KeyChoices(b) => b.serialize(s),
        }
    }
}
