//! The state rules every lifecycle operation checks first (docs/DECISIONS.md "not ENABLED").

use crate::csms::{ApiError, SecretState, refusal};
use crate::store::SecretRow;

/// `CSMS.0109` unless the secret is `ENABLED`; `what` completes "…; it cannot …".
pub(super) fn require_enabled(secret: &SecretRow, what: &str) -> Result<(), ApiError> {
    if secret.state == SecretState::Enabled {
        Ok(())
    } else {
        Err(refusal::not_enabled(&secret.name, secret.state, what))
    }
}

/// `CSMS.0103` when the secret is pending deletion.
pub(super) fn require_not_pending(secret: &SecretRow) -> Result<(), ApiError> {
    if secret.state == SecretState::PendingDelete {
        Err(refusal::pending(&secret.name))
    } else {
        Ok(())
    }
}
