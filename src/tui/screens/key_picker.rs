//! The KMS key picker shared by the create and edit forms: the choices the vault offers
//! (`ListKeyChoices`: `csms/default` even before it exists, then the enabled keys), the default
//! key first; how the picker cycles, and how an entry is written.

pub use crate::csms::KeyChoice;
use crate::csms::{DEFAULT_KEY_ALIAS, KeyInfo};
use crate::tui::text::form as t;

/// The vault's choices as the pickers list them: the default key first.
pub fn ordered(choices: &[KeyChoice]) -> Vec<KeyChoice> {
    let mut out = choices.to_vec();
    out.sort_by_key(|c| !c.default_key);
    out
}

/// Whether the key behind a choice exists yet (the default key is made on first use).
pub fn exists(choice: &KeyChoice) -> bool {
    !(choice.default_key && choice.reference == DEFAULT_KEY_ALIAS)
}

/// The edit form's entries: the vault's choices, and the secret's own key (`current`, an id)
/// where it would be were it offered, when it is not (disabled, or gone from the vault: then
/// first, by its id). Choosing it changes nothing.
pub fn with_current(choices: &[KeyChoice], keys: &[KeyInfo], current: &str) -> Vec<KeyChoice> {
    let mut out = ordered(choices);
    if out.iter().any(|c| c.reference == current) {
        return out;
    }
    let order = |id: &str| keys.iter().position(|k| k.key_id == id);
    let Some(key) = keys.iter().find(|k| k.key_id == current) else {
        out.insert(
            0,
            KeyChoice {
                reference: current.to_owned(),
                alias: current.to_owned(),
                default_key: false,
            },
        );
        return out;
    };
    let entry = KeyChoice {
        reference: key.key_id.clone(),
        alias: key.key_alias.clone(),
        default_key: key.default_key,
    };
    let at = if entry.default_key {
        0
    } else {
        out.iter()
            .position(|c| !c.default_key && order(&c.reference) > order(current))
            .unwrap_or(out.len())
    };
    out.insert(at, entry);
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
        Some(c) if c.default_key && exists(c) => format!("{} {}", c.alias, t::DEFAULT_KEY),
        Some(c) if c.default_key => format!("{} {}", c.alias, t::DEFAULT_KEY_NEW),
        Some(c) => c.alias.clone(),
        None => String::new(),
    }
}
