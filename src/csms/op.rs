//! Operations as values: one [`Request`] variant per CSMS operation (and per local one), one
//! [`Response`] variant per answer shape. Every edge builds a `Request` and renders a `Response`;
//! `Vault::execute` runs them (docs/ARCHITECTURE.md "Operations are values").

mod import;
mod response;
mod route;

pub use import::{BatchImportError, BatchImportSecretsRequest, ImportEntry, ImportOutcome};
pub use response::{BatchImportSecretsResponse, Response};
pub use route::{Call, decode, page_query, route};

use serde::Deserialize;

use super::{
    BatchGetSecretValueRequest, CreateSecretRequest, CreateSecretVersionRequest,
    DeleteSecretForScheduleRequest, Field, FieldError, GeneratePasswordRequest, KeyState,
    UpdateSecretRequest, UpdateSecretStageRequest, UpdateVersionRequest, UploadSecretBlobRequest,
    alias_problem, create_problems, key_description_problem, stage_name_problems,
};

/// How a request's `kms_key_id` names a CMK. Over HTTP the request carries an id, as the cloud's
/// does; the command line and the terminal app also take an alias, and `csms/default` (created on
/// first use) (docs/DECISIONS.md "Operations as values").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyLookup {
    Id,
    IdOrAlias,
}

/// A new CMK (the local `key create`).
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
pub struct CreateKeyRequest {
    pub key_alias: String,
    #[serde(default)]
    pub key_description: String,
}

impl CreateKeyRequest {
    /// Every broken KMS rule: the alias, then the description.
    pub fn problems(&self) -> Vec<FieldError> {
        let mut out = Vec::new();
        if let Some(m) = alias_problem(&self.key_alias) {
            out.push(FieldError::new(Field::KeyAlias, m));
        }
        if let Some(m) = key_description_problem(&self.key_description) {
            out.push(FieldError::new(Field::KeyDescription, m));
        }
        out
    }
}

/// One operation with everything it needs. Names are secret names as paths carry them; `limit`
/// and `marker` are a list's paging (docs/DECISIONS.md "lists"). `Debug` never shows a value:
/// the request types holding one redact it.
#[derive(Clone, Debug)]
pub enum Request {
    CreateSecret {
        body: CreateSecretRequest,
        keys: KeyLookup,
    },
    ListSecrets {
        limit: Option<usize>,
        marker: Option<String>,
    },
    ShowSecret {
        name: String,
    },
    UpdateSecret {
        name: String,
        body: UpdateSecretRequest,
        keys: KeyLookup,
    },
    DeleteSecret {
        name: String,
    },
    CreateSecretVersion {
        name: String,
        body: CreateSecretVersionRequest,
    },
    ListSecretVersions {
        name: String,
        limit: Option<usize>,
        marker: Option<String>,
    },
    /// `version_id` may be `latest`.
    ShowSecretVersion {
        name: String,
        version_id: String,
    },
    UpdateVersion {
        name: String,
        version_id: String,
        body: UpdateVersionRequest,
    },
    ShowSecretStage {
        name: String,
        stage: String,
    },
    UpdateSecretStage {
        name: String,
        stage: String,
        body: UpdateSecretStageRequest,
    },
    DeleteSecretStage {
        name: String,
        stage: String,
    },
    DeleteSecretForSchedule {
        name: String,
        body: DeleteSecretForScheduleRequest,
    },
    RestoreSecret {
        name: String,
    },
    DownloadSecretBlob {
        name: String,
    },
    UploadSecretBlob(UploadSecretBlobRequest),
    BatchGetSecretValue(BatchGetSecretValueRequest),
    BatchImportSecrets(BatchImportSecretsRequest),
    GenerateRandomPassword(GeneratePasswordRequest),

    // Local operations: no CSMS path, the command line and the terminal app only.
    /// The local enable / disable.
    SetSecretEnabled {
        name: String,
        enabled: bool,
    },
    CreateKey(CreateKeyRequest),
    ListKeys,
    /// `key` is an id or an alias.
    SetKeyState {
        key: String,
        state: KeyState,
    },
    /// A secret with every version's metadata (the terminal app's detail screen).
    ShowSecretDetail {
        name: String,
    },
    /// Every secret, by name.
    ListAllSecrets,
    /// Whether a secret of that name exists (the create form's duplicate-name check).
    SecretNameExists {
        name: String,
    },
    /// How many secrets use each CMK.
    KeyUsage,
    /// The CMKs a new secret or an update may name (the pickers' choices).
    ListKeyChoices,
}

impl Request {
    /// Whether the operation may change the vault (the endpoint runs these on its writer).
    pub fn writes(&self) -> bool {
        matches!(
            self,
            Self::CreateSecret { .. }
                | Self::UpdateSecret { .. }
                | Self::DeleteSecret { .. }
                | Self::CreateSecretVersion { .. }
                | Self::UpdateVersion { .. }
                | Self::UpdateSecretStage { .. }
                | Self::DeleteSecretStage { .. }
                | Self::DeleteSecretForSchedule { .. }
                | Self::RestoreSecret { .. }
                | Self::UploadSecretBlob(_)
                | Self::BatchImportSecrets(_)
                | Self::SetSecretEnabled { .. }
                | Self::CreateKey(_)
                | Self::SetKeyState { .. }
        )
    }

    /// Every broken rule of the request's own fields, in the API's field order: what the vault
    /// answers the first of (`CSMS.0002`) and a form shows all of. Checks that need the vault
    /// (a duplicate name, a missing CMK) are the vault's.
    pub fn problems(&self) -> Vec<FieldError> {
        match self {
            Self::CreateSecret { body, keys } => create_problems(body, *keys),
            Self::UpdateSecret { body, keys, .. } => body.problems(*keys),
            Self::CreateSecretVersion { body, .. } => body.problems(),
            Self::UpdateVersion { body, .. } => body.problems(),
            Self::ShowSecretStage { stage, .. }
            | Self::UpdateSecretStage { stage, .. }
            | Self::DeleteSecretStage { stage, .. } => stage_name_problems(stage),
            Self::DeleteSecretForSchedule { body, .. } => body.problems(),
            Self::GenerateRandomPassword(body) => body.problems(),
            Self::CreateKey(body) => body.problems(),
            _ => Vec::new(),
        }
    }
}
