//! The local whole-vault backup (issue 16): what `csvault backup` and the terminal app ask for,
//! and what they are told once the copy is in place.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Back up the vault into `path` (absolute: the agent that may run it has its own working
/// directory), replacing a file there only when `force`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupRequest {
    pub path: PathBuf,
    #[serde(default)]
    pub force: bool,
}

/// `{"path", "bytes", "secrets", "time"}`: where the checked copy is, its size in bytes, the
/// secrets it holds (every state), and when it was made (ms since the epoch: the moment the
/// copied snapshot was taken).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupReport {
    pub path: String,
    pub bytes: u64,
    pub secrets: u64,
    pub time: i64,
}
