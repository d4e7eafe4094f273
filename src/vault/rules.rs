//! The rules operations check first: a secret's state (docs/DECISIONS.md "not ENABLED") and a
//! list's marker by name (docs/DECISIONS.md "lists").

use crate::csms::{ApiError, SecretState, refusal, validate_name};
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

/// A list's marker when it pages by name: `""` or none asks for the first page (`None`); else it
/// must read as a name (Create Secret's rules), `CSMS.0002` otherwise.
pub(super) fn name_marker(marker: Option<&str>) -> Result<Option<&str>, ApiError> {
    let marker = marker.filter(|m| !m.is_empty());
    if let Some(problem) = marker.and_then(validate_name) {
        return Err(ApiError::invalid(format!("Invalid marker: {problem}.")));
    }
    Ok(marker)
}
