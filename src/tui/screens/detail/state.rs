//! The detail screen's state: the secret as read, the selected version, how far the record is
//! scrolled, and the selected version's value while it is revealed (wiped when masked).

use zeroize::Zeroizing;

use crate::csms::{ApiError, ErrorCode, STAGE_CURRENT, STAGE_PREVIOUS, SecretVersion};
use crate::tui::msg::describe;
use crate::vault::{DetailVersion, SecretDetail};

/// A version's value on screen (Ctrl+R). Dropped, and so wiped, when masked, when another
/// version is selected and when the screen is left.
pub struct Revealed {
    pub version_id: String,
    /// The text, or the base64 of a binary value.
    pub value: Zeroizing<String>,
    pub binary: bool,
}

impl std::fmt::Debug for Revealed {
    /// Names the version only: the value is the user's business.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Revealed")
            .field("version_id", &self.version_id)
            .finish_non_exhaustive()
    }
}

#[derive(Debug)]
pub struct DetailState {
    pub name: String,
    pub detail: Option<SecretDetail>,
    pub error: Option<String>,
    /// How far the record (above the versions) is scrolled.
    pub scroll: u16,
    /// The selected version, an index into `detail.versions` (oldest first).
    pub selected: usize,
    pub revealed: Option<Revealed>,
    /// The secret's standing with each remote (issue 17); none without remotes.
    pub remotes: super::remotes::Remotes,
}

impl DetailState {
    pub fn new(name: String) -> Self {
        Self {
            name,
            detail: None,
            error: None,
            scroll: 0,
            selected: usize::MAX,
            revealed: None,
            remotes: super::remotes::Remotes::None,
        }
    }

    /// The secret as read again: the same version stays selected (the newest one the first
    /// time); a revealed value stays only while its version is still selected.
    pub fn loaded(&mut self, detail: SecretDetail) {
        let keep = self
            .selected_version()
            .map(|v| v.metadata.id.clone())
            .and_then(|id| detail.versions.iter().position(|v| v.metadata.id == id));
        self.selected = keep.unwrap_or_else(|| current_or_last(&detail));
        self.detail = Some(detail);
        self.error = None;
        let selected_id = self.selected_version().map(|v| v.metadata.id.clone());
        if self.revealed.as_ref().map(|r| &r.version_id) != selected_id.as_ref() {
            self.mask();
        }
    }

    /// The secret could not be read. One that is gone (another process deleted it) is no longer
    /// shown as if it were there.
    pub fn failed(&mut self, error: &ApiError) {
        if error.code == ErrorCode::SecretNotFound {
            self.detail = None;
        }
        self.error = Some(describe(error));
        self.mask();
    }

    pub fn selected_version(&self) -> Option<&DetailVersion> {
        self.detail.as_ref()?.versions.get(self.selected)
    }

    /// Moves the selection by `delta` versions (clamped) and masks the value.
    pub fn select_by(&mut self, delta: isize) {
        let Some(d) = &self.detail else { return };
        let last = d.versions.len().saturating_sub(1);
        let at = self
            .selected
            .min(last)
            .saturating_add_signed(delta)
            .min(last);
        if at != self.selected {
            self.mask();
        }
        self.selected = at;
    }

    /// Hides the value again (its buffer is wiped on drop).
    pub fn mask(&mut self) {
        self.revealed = None;
    }

    /// Keeps the value read for `version_id`, if that version is still the one selected.
    pub fn reveal(&mut self, version_id: &str, version: SecretVersion) {
        if self.selected_version().map(|v| v.metadata.id.as_str()) != Some(version_id) {
            return;
        }
        let SecretVersion {
            secret_string,
            secret_binary,
            ..
        } = version;
        let (value, binary) = match (secret_string, secret_binary) {
            (Some(text), _) => (text, false),
            (None, Some(b64)) => (b64, true),
            (None, None) => (Zeroizing::new(String::new()), false),
        };
        self.revealed = Some(Revealed {
            version_id: version_id.to_owned(),
            value,
            binary,
        });
    }

    /// The selected version's custom stages (those a user may remove).
    pub fn custom_stages(&self) -> Vec<String> {
        self.selected_version()
            .map(|v| {
                v.metadata
                    .version_stages
                    .iter()
                    .filter(|s| *s != STAGE_CURRENT && *s != STAGE_PREVIOUS)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Every stage and the version holding it.
    pub fn stage_holders(&self) -> Vec<(String, String)> {
        self.detail
            .iter()
            .flat_map(|d| &d.versions)
            .flat_map(|v| {
                v.metadata
                    .version_stages
                    .iter()
                    .map(|s| (s.clone(), v.metadata.id.clone()))
            })
            .collect()
    }
}

/// The version holding `SYSCURRENT`, else the newest.
fn current_or_last(detail: &SecretDetail) -> usize {
    detail
        .versions
        .iter()
        .rposition(|v| v.metadata.version_stages.iter().any(|s| s == STAGE_CURRENT))
        .unwrap_or_else(|| detail.versions.len().saturating_sub(1))
}
