//! Batch Import Secrets (`POST …/secrets/batch-import`): many Create Secret bodies in one
//! transaction, each succeeding or failing alone.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::KeyLookup;
use crate::csms::{ApiError, CreateSecretRequest, Secret, json_object, malformed_body};

/// One entry of a batch: a Create Secret body, or one that could not be read as one.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum ImportEntry {
    Parsed(Box<CreateSecretRequest>),
    /// Not a Create Secret body; `name` is its `name` if it has a string one (else `""`).
    Unreadable {
        name: String,
        error: ApiError,
    },
}

/// The entries in input order, with how their `kms_key_id`s name CMKs.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BatchImportSecretsRequest {
    pub secrets: Vec<ImportEntry>,
    pub keys: KeyLookup,
}

impl BatchImportSecretsRequest {
    /// Parses `{"secrets": [create bodies]}`: the body itself must be well-formed (`CSMS.0004`);
    /// an entry that is not a Create Secret body fails alone. Keys are ids, as over HTTP.
    pub fn from_json(body: &[u8]) -> Result<Self, ApiError> {
        #[derive(Deserialize)]
        struct Raw<'a> {
            #[serde(borrow)]
            secrets: Vec<&'a RawValue>,
        }
        let raw: Raw<'_> =
            serde_json::from_slice(json_object(body)?).map_err(|e| malformed_body(&e))?;
        let secrets = raw
            .secrets
            .iter()
            .map(
                |entry| match CreateSecretRequest::from_json(entry.get().as_bytes()) {
                    Ok(create) => ImportEntry::Parsed(Box::new(create)),
                    Err(error) => ImportEntry::Unreadable {
                        name: name_of(entry),
                        error,
                    },
                },
            )
            .collect();
        Ok(Self {
            secrets,
            keys: KeyLookup::Id,
        })
    }
}

/// The `name` of an entry that did not parse as a create body, if it has a string one.
fn name_of(raw: &RawValue) -> String {
    #[derive(Deserialize)]
    struct Named {
        name: String,
    }
    serde_json::from_str::<Named>(raw.get()).map_or_else(|_| String::new(), |n| n.name)
}

/// What became of one entry.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum ImportOutcome {
    Created(Secret),
    /// A secret of that name was already in the vault (an earlier run of the same import, or
    /// another process). Over HTTP this fails as Create Secret's duplicate name does.
    AlreadyExists,
    Failed(ApiError),
}

/// One failed entry of the response's `error_list`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BatchImportError {
    pub name: String,
    pub error_msg: String,
}

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
