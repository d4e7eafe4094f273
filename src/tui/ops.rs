//! The secret's lifecycle as the terminal app asks for it: the operations of the detail screen
//! and the list (`Op`), what each answers (`Answer`), and how one fails (`Failure`). None of them
//! holds a secret value.

use crate::csms::{ApiError, Secret, SecretBlobResponse, Stage};
use crate::tui::msg::Listing;
use crate::vault::SecretDetail;

/// One lifecycle operation, named by the secret it acts on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// `UpdateSecretStage`: `stage` onto `version_id` (an existing stage moves).
    SetStage {
        name: String,
        stage: String,
        version_id: String,
    },
    /// `DeleteSecretStage`.
    RemoveStage { name: String, stage: String },
    /// The local enable / disable.
    SetEnabled { name: String, enabled: bool },
    /// `DeleteSecretForSchedule` with a window of `days`.
    ScheduleDelete { name: String, days: i64 },
    /// `RestoreSecret`.
    Restore { name: String },
    /// `DeleteSecret`: at once and for good.
    DeleteNow { name: String },
    /// `DownloadSecretBlob`, saved to the file at `path` (as typed; `~/` is the home directory).
    Backup { name: String, path: String },
    /// `UploadSecretBlob` from the file at `path`.
    UploadBlob { path: String },
}

impl Op {
    /// The secret the operation acts on (`None` for a restore from a blob: the blob names it).
    pub fn secret_name(&self) -> Option<&str> {
        match self {
            Self::SetStage { name, .. }
            | Self::RemoveStage { name, .. }
            | Self::SetEnabled { name, .. }
            | Self::ScheduleDelete { name, .. }
            | Self::Restore { name }
            | Self::DeleteNow { name }
            | Self::Backup { name, .. } => Some(name),
            Self::UploadBlob { .. } => None,
        }
    }

    /// Whether the operation reads or writes a file (its file problems keep the dialog open).
    pub fn uses_file(&self) -> bool {
        matches!(self, Self::Backup { .. } | Self::UploadBlob { .. })
    }
}

/// A backup blob written to a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Saved {
    /// The path as written to (after `~/` expansion).
    pub path: String,
    pub bytes: usize,
    /// Whether a file was there and was replaced (else it was created).
    pub replaced: bool,
}

/// What an operation answered, as the API's response body.
#[derive(Clone, Debug)]
pub enum Answer {
    /// `{"secret": {...}}`.
    Secret(Secret),
    /// `{"stage": {...}}`.
    Stage(Stage),
    /// 204 and no body (the deletes).
    NoContent,
    /// `{"secret_blob": "..."}`, and where it was saved.
    Blob {
        blob: SecretBlobResponse,
        saved: Saved,
    },
}

/// Why an operation did not happen.
#[derive(Clone, Debug)]
pub enum Failure {
    /// The vault refused (the error response the API would send).
    Api(ApiError),
    /// The file could not be written or read: why, in a few words.
    File(String),
}

/// An operation's outcome, with the secret's fresh detail and the list re-read after it.
pub struct Done {
    pub op: Op,
    pub result: Result<Answer, Failure>,
    /// The list again (states, deletion dates and names may have changed).
    pub listing: Option<Result<Listing, ApiError>>,
    /// The secret's detail again, for the detail screen under the response.
    pub detail: Option<Result<SecretDetail, ApiError>>,
}
