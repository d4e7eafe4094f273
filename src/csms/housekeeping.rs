//! What the vault's housekeeping did: what had come due by its clock (docs/DECISIONS.md
//! "automatic rotation", "states").

use serde::{Deserialize, Serialize};

/// What one housekeeping run did. Counts only; never a value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Housekeeping {
    /// Versions whose `expire_time` passed, noticed now (`SECRET_VERSION_EXPIRED`).
    pub expired: usize,
    /// Secrets deleted for good, their scheduled deletion come.
    pub purged: usize,
    /// Secrets rotated on schedule (`AUTO_ROTATION`, `SUCCESS`).
    pub rotated: usize,
    /// Secrets whose rotation on schedule failed (`AUTO_ROTATION`, `FAILED`).
    pub rotation_failed: usize,
}

impl Housekeeping {
    /// Whether anything in the vault changed that a screen may show (a noticed expiry only
    /// adds notification records).
    pub fn changed_secrets(&self) -> bool {
        self.purged > 0 || self.rotated > 0 || self.rotation_failed > 0
    }
}
