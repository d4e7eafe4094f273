//! The KMS key picker shared by the create and edit forms: which keys it offers, how it cycles,
//! and how an entry is written.

use crate::csms::{DEFAULT_KEY_ALIAS, KeyInfo, KeyState};
use crate::tui::text::form as t;

/// One entry of the key picker. `key_id` `None` is the default key (the request omits the id).
#[derive(Clone, Debug)]
pub struct KeyChoice {
    pub key_id: Option<String>,
    pub alias: String,
    pub exists: bool,
}

/// The create form's entries: the default key first (even before it exists, but not once it
/// is disabled), then the other enabled keys, oldest first.
pub fn choices(keys: &[KeyInfo]) -> Vec<KeyChoice> {
    let default = keys.iter().find(|k| k.key_alias == DEFAULT_KEY_ALIAS);
    let mut choices = Vec::new();
    if default.is_none_or(|k| k.key_state == KeyState::Enabled) {
        choices.push(KeyChoice {
            key_id: None,
            alias: DEFAULT_KEY_ALIAS.to_owned(),
            exists: default.is_some(),
        });
    }
    choices.extend(
        keys.iter()
            .filter(|k| k.key_state == KeyState::Enabled && k.key_alias != DEFAULT_KEY_ALIAS)
            .map(|k| KeyChoice {
                key_id: Some(k.key_id.clone()),
                alias: k.key_alias.clone(),
                exists: true,
            }),
    );
    choices
}

/// The edit form's entries: every enabled key by id, the default key first, and the secret's
/// own key `current` even if it is disabled (choosing it changes nothing).
pub fn existing_choices(keys: &[KeyInfo], current: &str) -> Vec<KeyChoice> {
    let mut listed: Vec<&KeyInfo> = keys
        .iter()
        .filter(|k| k.key_state == KeyState::Enabled || k.key_id == current)
        .collect();
    listed.sort_by_key(|k| k.key_alias != DEFAULT_KEY_ALIAS);
    let mut out: Vec<KeyChoice> = listed
        .into_iter()
        .map(|k| KeyChoice {
            key_id: Some(k.key_id.clone()),
            alias: k.key_alias.clone(),
            exists: true,
        })
        .collect();
    if !out.iter().any(|c| c.key_id.as_deref() == Some(current)) {
        // The key is gone from the vault: still the secret's, shown by id.
        out.insert(
            0,
            KeyChoice {
                key_id: Some(current.to_owned()),
                alias: current.to_owned(),
                exists: false,
            },
        );
    }
    out
}

/// Where `alias` is among `choices`, or the first entry.
pub fn position(choices: &[KeyChoice], alias: Option<&str>) -> usize {
    alias
        .and_then(|alias| choices.iter().position(|c| c.alias == alias))
        .unwrap_or(0)
}

/// The entry after (or before) `i` among `n`, wrapping around.
pub fn step(i: usize, n: usize, forward: bool) -> usize {
    let n = n.max(1);
    if forward {
        (i + 1) % n
    } else {
        (i + n - 1) % n
    }
}

/// How the create form's picker writes an entry: the default key says whether it exists yet.
pub fn label(choice: Option<&KeyChoice>) -> String {
    match choice {
        Some(c) if c.key_id.is_none() && c.exists => format!("{} {}", c.alias, t::DEFAULT_KEY),
        Some(c) if c.key_id.is_none() => format!("{} {}", c.alias, t::DEFAULT_KEY_NEW),
        Some(c) => c.alias.clone(),
        None => String::new(),
    }
}
