//! Every user-facing string of the terminal app, in one place.

use std::time::Duration;

use crate::clipboard::{Delivery, TmuxClipboard};

pub const APP: &str = "csvault";
pub const TOO_SMALL: &str = "Terminal too small: csvault needs at least 60×15.";
pub const SECRET: &str = "secret";
pub const SECRETS: &str = "secrets";

pub mod keys {
    //! Help and footer texts of the keymap.
    pub const CTX_UNLOCK: &str = "Unlock / create vault";
    pub const CTX_LIST: &str = "Secrets list";
    pub const CTX_FILTER: &str = "Filtering (name, description; key=value or key: for tags)";
    pub const CTX_DETAIL: &str = "Secret details";
    pub const CTX_FORM: &str = "Create secret form";
    pub const CTX_RESULT: &str = "Result";
    pub const CTX_RESULT_ERROR: &str = "Result of a refused submit";
    pub const CTX_KEYS: &str = "Keys";
    pub const CTX_KEY_ALIAS: &str = "New key";
    pub const CTX_CONFIRM: &str = "Confirmation";
    pub const CTX_HELP: &str = "Help";
    pub const CTX_GLOBAL: &str = "Everywhere";

    pub const BACK: &str = "back";
    pub const QUIT_NOW: &str = "quit from anywhere";
    pub const QUIT: &str = "quit";
    pub const HELP: &str = "help";
    pub const UP: &str = "up";
    pub const DOWN: &str = "down";
    pub const PAGE_UP: &str = "page up";
    pub const PAGE_DOWN: &str = "page down";
    pub const TOP: &str = "top";
    pub const BOTTOM: &str = "bottom";
    pub const CURSOR_LEFT: &str = "cursor left";
    pub const CURSOR_RIGHT: &str = "cursor right";
    pub const LINE_START: &str = "start of line";
    pub const LINE_END: &str = "end of line";
    pub const LINE_UP: &str = "line up";
    pub const LINE_DOWN: &str = "line down";
    pub const DELETE_BACK: &str = "delete before cursor";
    pub const DELETE_FORWARD: &str = "delete at cursor";
    pub const NEWLINE: &str = "new line";
    pub const UNLOCK: &str = "unlock / create";
    pub const NEXT_FIELD: &str = "next field";
    pub const PREV_FIELD: &str = "previous field";
    pub const DETAILS: &str = "details";
    pub const FILTER: &str = "filter";
    pub const FILTER_KEEP: &str = "keep filter";
    pub const CLEAR_FILTER: &str = "clear the filter";
    pub const NEW_SECRET: &str = "new";
    pub const COPY_RECORD: &str = "copy JSON";
    pub const COPY_VALUE: &str = "copy value";
    pub const SORT: &str = "sort";
    pub const KEYS_SCREEN: &str = "keys";
    pub const SUBMIT: &str = "submit";
    pub const REVEAL: &str = "reveal";
    pub const NEXT_CHOICE: &str = "next choice";
    pub const PREV_CHOICE: &str = "previous choice";
    pub const COPY_BODY: &str = "copy body";
    pub const COPY_ID: &str = "copy id";
    pub const RESULT_BACK: &str = "to list";
    pub const ANOTHER: &str = "another";
    pub const TO_FORM: &str = "back to the form";
    pub const NEW_KEY: &str = "new key";
    pub const ENABLE_KEY: &str = "enable";
    pub const DISABLE_KEY: &str = "disable";
    pub const CREATE_KEY: &str = "create";
    pub const YES: &str = "yes";
    pub const NO: &str = "no";
    pub const CLOSE: &str = "close";
    pub const SCROLL_UP: &str = "scroll up";
    pub const SCROLL_DOWN: &str = "scroll down";
    pub const DELETE_TO_START: &str = "delete to start of line";
    pub const DELETE_WORD: &str = "delete word before cursor";
    pub const CTX_FORM_ALL: &str = "Create secret and new version forms: every field";
    pub const CTX_FORM_TEXT: &str = "In a one-line field (name, description, stages, expiry, file)";
    pub const CTX_FORM_VALUE: &str = "In the value (text or base64)";
    pub const CTX_FORM_PICKER: &str = "On a picker (KMS key, value type)";
    pub const CTX_FORM_BUTTON: &str = "On the submit button";
    pub const TOP_OF_HELP: &str = "top";
    pub const BOTTOM_OF_HELP: &str = "bottom";

    // The new-version and edit forms, and the password generator.
    pub const CTX_FORM_GENERATOR: &str = "On the password generator's options";
    pub const CTX_EDIT_ALL: &str = "Edit secret form: every field";
    pub const CTX_EDIT_TEXT: &str = "In the description, the rotation period or the event";
    pub const CTX_EDIT_PICKER: &str = "On KMS key or rotation";
    pub const CTX_RESULT_BACK: &str = "Result of a change to a secret";
    pub const NEW_VERSION: &str = "new version";
    pub const EDIT_SECRET: &str = "edit";
    pub const GENERATE: &str = "generate password";
    pub const REGENERATE: &str = "another password";
    pub const LONGER: &str = "longer";
    pub const SHORTER: &str = "shorter";
    pub const LONGER_8: &str = "8 longer";
    pub const SHORTER_8: &str = "8 shorter";
    pub const TOGGLE_LOWER: &str = "a-z on/off";
    pub const TOGGLE_UPPER: &str = "A-Z on/off";
    pub const TOGGLE_NUMBERS: &str = "0-9 on/off";
    pub const TOGGLE_PUNCTUATION: &str = "punctuation on/off";
    pub const TOGGLE_SPACE: &str = "space on/off";
    pub const SAVE: &str = "save";
    pub const TO_SECRET: &str = "back to the secret";
    // The secret's lifecycle (tui-detail).
    pub const CTX_DIALOG_FIELD: &str = "In a dialog's field";
    pub const CTX_DIALOG_PICK: &str = "In a dialog's choices";
    pub const CTX_RESPONSE: &str = "Response of an action on a secret";
    pub const VERSION_UP: &str = "previous version";
    pub const VERSION_DOWN: &str = "next version";
    pub const RECORD_UP: &str = "scroll the record up";
    pub const RECORD_DOWN: &str = "scroll the record down";
    pub const REVEAL_VERSION: &str = "reveal";
    /// The footer's Ctrl+R while the value is revealed.
    pub const MASK_VERSION: &str = "mask";
    pub const COPY_VERSION: &str = "copy value";
    pub const SET_STAGE: &str = "stage";
    pub const REMOVE_STAGE: &str = "unstage";
    pub const TOGGLE_ENABLED: &str = "disable/enable";
    pub const SCHEDULE_DELETE: &str = "delete later";
    pub const RESTORE: &str = "restore";
    pub const DELETE_NOW: &str = "delete now";
    pub const BACKUP: &str = "backup";
    pub const STATE_FILTER: &str = "states";
    pub const RESTORE_BLOB: &str = "restore backup";
    /// Issue 16: the whole vault copied to a file.
    pub const BACKUP_VAULT: &str = "back up vault";
    pub const CONFIRM_DIALOG: &str = "confirm";
    pub const CHOOSE: &str = "choose";
    // Rotation.
    pub const ROTATE_NOW: &str = "rotate now";
    // Events and notification records (issue 14).
    pub const CTX_EVENTS: &str = "Events";
    pub const CTX_RECORDS: &str = "Notification records";
    pub const CTX_EVENT_FORM_ALL: &str = "New event form: every field";
    pub const CTX_EVENT_FORM_TEXT: &str = "In the name or a target field";
    pub const CTX_EVENT_FORM_CHOICE: &str = "On the event types or the state";
    pub const EVENTS_SCREEN: &str = "events";
    pub const RECORDS_SCREEN: &str = "notifications";
    pub const NEW_EVENT: &str = "new event";
    pub const TOGGLE_EVENT: &str = "enable/disable";
    pub const DELETE_EVENT: &str = "delete";
    pub const TOGGLE_TYPE: &str = "on/off";
    pub const NEXT_TYPE: &str = "next type";
    pub const PREV_TYPE: &str = "previous type";
    pub const CREATE_EVENT: &str = "create";
    // Tags (issue 14).
    pub const CTX_DIALOG_TAG: &str = "In the tag dialog (key and value)";
    pub const SET_TAG: &str = "tag";
    pub const REMOVE_TAG: &str = "untag";
    pub const SAVE_TAG: &str = "save the tag";
}

pub mod unlock {
    //! The unlock and create-vault screen.
    pub const TITLE_UNLOCK: &str = "Unlock vault";
    pub const TITLE_CREATE: &str = "Create a new vault";
    pub const NO_VAULT: &str = "No vault here yet. Choose a passphrase to create one at:";
    pub const VAULT_AT: &str = "Vault:";
    pub const PASSPHRASE: &str = "Passphrase";
    pub const REPEAT: &str = "Repeat";
    pub const MISMATCH: &str = "✗ the passphrases differ";
    pub const MATCH: &str = "✓ the passphrases match";
    pub const EMPTY: &str = "Type a passphrase.";
    pub const WRONG: &str = "Wrong passphrase: try again.";
    /// On stderr after the third wrong passphrase, the app closed.
    pub const GAVE_UP: &str = "csvault: three wrong passphrases; gave up.";
    pub const ENV_WRONG: &str =
        "CSVAULT_PASSPHRASE does not unlock this vault: type the passphrase.";
    pub const UNLOCKING: &str = "Unlocking (Argon2id)…";
    pub const STRENGTH: &str = "Strength:";
    pub const WEAK: &str = "weak";
    pub const MEDIUM: &str = "medium";
    pub const STRONG: &str = "strong";
    pub const HINT: &str = "Long passphrases of several words are best (16+ characters).";
    /// Starts the refusal of a new passphrase; the vault's rule completes it.
    pub const NEW_PASSPHRASE: &str = "The passphrase";
    /// On the unlock screen after the idle lock.
    pub const LOCKED: &str = "Locked after a while without input: type the passphrase.";
}

pub mod list {
    //! The secrets list and detail.
    pub const TITLE: &str = "Secrets";
    pub const NAME: &str = "Name";
    pub const STATE: &str = "State";
    pub const CMK: &str = "CMK";
    pub const DESCRIPTION: &str = "Description";
    pub const CREATED: &str = "Created";
    pub const UPDATED: &str = "Updated";
    pub const EMPTY: &str = "No secrets yet: press n to create one.";
    pub const NO_MATCH: &str = "No secret matches the filter.";
    pub const FILTER_PROMPT: &str = "Filter: ";
    pub const SORT_NAME: &str = "name";
    pub const SORT_CREATED: &str = "created ↓";
    pub const SORT_UPDATED: &str = "updated ↓";
    pub const SORTED_BY: &str = "sort";
    pub const DETAIL_TITLE: &str = "Secret";
    pub const VERSIONS: &str = "Versions";
    pub const VERSION: &str = "Version";
    pub const STAGES: &str = "Stages";
    pub const VALUE: &str = "Value";
    /// The detail's line about the current value (its kind and size, never the value).
    pub const VALUE_FIELD: &str = "current value";
    pub const COPIED_AS_BASE64: &str = " (c copies it as base64)";
    pub const LOADING: &str = "Loading…";
    /// The list's title while a filter's scan runs over a large list (issue 15).
    pub const MATCHING: &str = "matching…";
    // Tags (issue 14).
    /// The list's column of how many tags each secret has.
    pub const TAGS: &str = "Tags";
    /// Shown after the filter's cursor while the filter is empty.
    pub const FILTER_HINT: &str = "fuzzy: name, description, tags; key=value or key: for a tag";
}

pub mod detail {
    //! The Secret record's newer fields on the detail screen (rotation, subscription, project).
    pub const AUTO_EVERY: &str = "on, every";
    pub const AUTO_ON: &str = "on";
    pub const AUTO_OFF: &str = "off";
    pub const PERIOD_KEPT: &str = "period";
    pub const NEVER: &str = "never";
    pub const NOT_SCHEDULED: &str = "— (automatic rotation is off)";
    pub const NO_EVENT: &str = "none";
}

pub mod form {
    //! The create-secret form.
    pub const TITLE: &str = "Create secret";
    pub const NAME: &str = "Name";
    pub const KEY: &str = "KMS key";
    pub const DESCRIPTION: &str = "Description";
    pub const TYPE: &str = "Value type";
    pub const VALUE: &str = "Value";
    pub const FILE: &str = "File path";
    pub const SUBMIT: &str = "[ Create secret ]";
    pub const TYPE_TEXT: &str = "text";
    pub const TYPE_BASE64: &str = "binary (base64)";
    pub const TYPE_FILE: &str = "binary (file)";
    pub const DEFAULT_KEY_NEW: &str = "(default, created on first use)";
    pub const DEFAULT_KEY: &str = "(default)";
    pub const MASKED: &str = "masked · Ctrl+R reveals";
    pub const REVEALED: &str = "REVEALED · Ctrl+R masks";
    pub const NO_KEY: &str = "no enabled key: create or enable one on the keys screen (K)";
    pub const NAME_TAKEN: &str = "a secret of this name already exists";
    pub const FIX_FIRST: &str = "Submit refused: fix the fields marked ✗ first.";
    pub const DISCARD: &str = "Discard this form? What you typed will be wiped.";
    /// `Ctrl+G` over a value typed or pasted.
    pub const REGENERATE: &str = "Replace the value with a generated password?";
    pub const REGENERATE_NOTE: &str = "What you typed or pasted will be wiped.";
    /// A new version's expiry already past: followed by the time and a full stop.
    pub const EXPIRY_PAST: &str = "The expiry is in the past:";
    pub const EXPIRY_PAST_NOTE: &str = "Create the version already expired?";
    pub const FILE_LOADED: &str = "loaded";
    pub const FILE_TOO_BIG: &str = "the file is larger than 24 KiB (32 KB as base64)";
    pub const FILE_UNREADABLE: &str = "cannot read the file";
    pub const FILE_NOT_FOUND: &str = "no such file";
    pub const FILE_IS_DIR: &str = "it is a directory, not a file";
    pub const FILE_NOT_FILE: &str = "it is not a regular file";
    pub const FILE_DENIED: &str = "permission denied";
    pub const FILE_NO_HOME: &str = "~ cannot be expanded: no home directory is known";
    /// Between a broken field's reason and the rule it breaks.
    pub const RULE_SEP: &str = " — rule: ";
    pub const EMPTY_VALUE: &str =
        "⚠ the value is empty: allowed, and the secret will hold an empty text";
}

pub mod password {
    //! The password generator's options line.
    pub const LABEL: &str = "Generator";
    pub const CHARS: &str = "chars";
    pub const LOWER: &str = "a-z";
    pub const UPPER: &str = "A-Z";
    pub const NUMBERS: &str = "0-9";
    pub const PUNCTUATION: &str = "!#$";
    pub const SPACE: &str = "space";
}

pub mod version {
    //! The new-version form.
    pub const TITLE: &str = "New version of";
    pub const STAGES: &str = "Stages";
    pub const EXPIRY: &str = "Expiry";
    pub const SUBMIT: &str = "[ Create version ]";
    pub const EMPTY_VALUE: &str =
        "⚠ the value is empty: allowed, and the version will hold an empty text";
    pub const STAGES_DEFAULT: &str =
        "empty: it becomes SYSCURRENT, the current version SYSPREVIOUS";
    pub const STAGES_WITH_CURRENT: &str = "SYSCURRENT moves here, the current version SYSPREVIOUS";
    pub const STAGES_KEEP_CURRENT: &str = "SYSCURRENT stays on the current version";
    pub const STAGES_RULE: &str =
        "names of 1–64 of a–z A–Z 0–9 _ -, by commas or spaces, at most 12";
    pub const TOO_MANY_STAGES: &str = "stages, more than a secret can hold";
    pub const EXPIRY_RULE: &str = "epoch ms up to 9,999,999,999,999, or YYYY-MM-DD[ HH:MM]";
    pub const EXPIRY_HINT: &str = "optional: epoch ms, or YYYY-MM-DD[ HH:MM] in local time";
    pub const EXPIRY_UNREADABLE: &str = "not a time csvault reads";
    pub const EXPIRY_TOO_EARLY: &str = "before 1970";
    pub const EXPIRY_TOO_LATE: &str = "later than the API allows";
}

pub mod edit {
    //! The edit form.
    pub const TITLE: &str = "Edit";
    pub const NOT_LOADED: &str = "The secret is still loading: try again in a moment.";
    pub const DEFAULT: &str = "default";
    pub const CURRENT: &str = "current";
    pub const KEY_GONE: &str = "not in this vault";
    pub const FIRST_USE: &str = "created on first use";
    pub const KEY_DISABLED: &str = "disabled";
    pub const KEY_APPLIES: &str =
        "applies to versions made from now on; existing ones keep their key";
    pub const CHANGES: &str = "Changes";
    pub const CHANGED_DESCRIPTION: &str = "description";
    pub const CHANGED_KEY: &str = "KMS key";
    pub const NO_CHANGES: &str = "none yet (saving returns the secret as it is)";
    pub const SAVE_HINT: &str = "Ctrl+S saves";
    // The rotation settings.
    pub const ROTATION: &str = "Rotation";
    pub const PERIOD: &str = "Period";
    pub const EVENT: &str = "Event";
    pub const AUTO_ON: &str = "automatic";
    pub const AUTO_OFF: &str = "manual only";
    pub const PERIOD_HINT: &str = "how often it rotates while automatic: 30d, 12h, 360m, 21600s";
    pub const EVENT_HINT: &str = "an event of this vault to notify; empty: none";
    /// An emptied period: the API has no way to clear one.
    pub const PERIOD_KEPT: &str =
        "a period cannot be removed, only changed (rotation manual only keeps it unused)";
    pub const CHANGED_AUTO: &str = "rotation";
    pub const CHANGED_PERIOD: &str = "period";
    pub const CHANGED_EVENT: &str = "event";
}

pub mod result {
    //! The result screen.
    pub const TITLE: &str = "Response";
    pub const OK: &str = "Request succeeded";
}

pub mod keyscreen {
    //! The keys screen.
    pub const TITLE: &str = "Customer master keys";
    pub const ALIAS: &str = "Alias";
    pub const ID: &str = "Key id";
    pub const STATE: &str = "State";
    pub const CREATED: &str = "Created";
    pub const SECRETS: &str = "Secrets";
    pub const NONE: &str = "No keys yet: csms/default is created with the first secret.";
    pub const NEW_TITLE: &str = "New key alias";
    pub const ALIAS_RULE: &str = "1–255 of a–z A–Z 0–9 : / _ -";
    pub const ALREADY: &str = "That key is already in that state.";
    /// In the secrets column when they could not be counted.
    pub const USAGE_UNKNOWN: &str = "?";
}

pub mod status {
    //! Status-line messages. None of them ever contains a secret value.
    pub const CREATED: &str = "Created secret";
    pub const COPIED: &str = "Copied";
    pub const VALUE_OF: &str = "the current value of";
    /// After the name when `c` copied a binary value (which is copied as its base64).
    pub const AS_BASE64: &str = "as base64 (the value is binary)";
    pub const CLEARS_IN: &str = "clears in";
    /// The vault (or the agent) gave an answer of the wrong shape for the request (it never
    /// sends one).
    pub const UNEXPECTED_ANSWER: &str =
        "The vault answered with a shape this screen does not take.";
    pub const CLEARED: &str = "Clipboard cleared.";
    pub const CLEARED_BLIND: &str =
        "Clipboard cleared (unverified: the terminal did not answer the clipboard query).";
    pub const LEFT_ALONE: &str = "Clipboard changed since the copy: left alone.";
    pub const CLEAR_FAILED: &str = "Could not clear the clipboard";
    /// After a clear message when tmux kept the value in a paste buffer of its own.
    pub const BUFFER_DELETED: &str = "Deleted the tmux paste buffer that held the value.";
    /// After the lock, when the app ran through the agent (issue 15).
    pub const AGENT_LOCKED: &str =
        "The agent holding this vault is locked too: the next command asks for the passphrase.";
    pub const AGENT_LOCK_FAILED: &str = "Could not lock the agent holding this vault";
    /// When the agent the app ran through locked on its own (idle, lifetime, `csvault lock`).
    pub const AGENT_WENT_AWAY: &str =
        "The agent holding this vault has locked, so the app locked too: enter the passphrase.";
    pub const COPY_FAILED: &str = "Copy failed";
    pub const KEY_CREATED: &str = "Created key";
    pub const KEY_ENABLED: &str = "Enabled key";
    pub const KEY_DISABLED: &str = "Disabled key";
    pub const NOTHING_SELECTED: &str = "Nothing selected.";
    pub const USAGE_FAILED: &str = "Could not count the secrets using each key";
    pub const NO_VALUE: &str = "The current version of";
    pub const NOTHING_COPIED: &str = "holds no value: nothing copied.";
    pub const VAULT_CREATED: &str = "Vault created.";
    pub const WHAT_RECORD: &str = "the Secret record as JSON";
    pub const WHAT_BODY: &str = "the response body";
    /// `y` on a response without a body (204).
    pub const NO_BODY: &str = "This response has no body (204 No Content): nothing was copied.";
    pub const WHAT_ID: &str = "the secret id";
    pub const PASTE_FIRST_LINE: &str =
        "Pasted the first line only: this field is one line, the rest was dropped.";
    pub const PASTE_NOWHERE: &str = "Nothing to paste into here: move to a text field first.";
    // The new-version and edit forms.
    pub const VERSION_CREATED: &str = "Created version";
    pub const OF: &str = "of";
    pub const SECRET_UPDATED: &str = "Updated secret";
    pub const WHAT_VERSION_ID: &str = "the version id";
}

/// The status line after a successful copy of `what`: where it really went, and when a value
/// copied will be cleared. Never holds the copied text.
pub fn copied(what: &str, delivery: &Delivery, clears_after: Option<Duration>) -> String {
    let clears = clears_after
        .map(|d| format!(" It {} {} s.", status::CLEARS_IN, d.as_secs()))
        .unwrap_or_default();
    match delivery {
        Delivery::Clipboard => format!("{} {what} to the clipboard.{clears}", status::COPIED),
        Delivery::Terminal => format!(
            "Sent {what} to the terminal (OSC 52); it reaches the clipboard if the terminal \
             allows OSC 52.{clears}"
        ),
        Delivery::Tmux(TmuxClipboard::On) => format!(
            "Sent {what} to tmux (OSC 52, set-clipboard on), which passes it to the \
             terminal.{clears}"
        ),
        Delivery::Tmux(TmuxClipboard::Ignored(setting)) => format!(
            "Not copied: tmux drops OSC 52 while set-clipboard is {setting}. \
             Turn it on: tmux set -g set-clipboard on"
        ),
        Delivery::Tmux(TmuxClipboard::Unknown) => format!(
            "Sent {what} to the terminal (OSC 52) inside tmux, which passes it on only with \
             set -g set-clipboard on.{clears}"
        ),
    }
}

pub mod events {
    //! The events screen, the new-event form and the notification records (issue 14).
    pub const TITLE: &str = "Events";
    pub const NAME: &str = "Name";
    pub const STATE: &str = "State";
    pub const TYPES: &str = "Types";
    pub const TARGET: &str = "Target";
    pub const UPDATED: &str = "Updated";
    pub const NONE: &str = "No events yet: press n to create one. A secret subscribes to an event \
        with: csvault secret update NAME --event-subscription EVENT";
    /// Where an event has no notification target.
    pub const NO_TARGET: &str = "—";
    pub const FORM_TITLE: &str = "New event";
    pub const TARGET_TYPE: &str = "Target type";
    pub const TARGET_ID: &str = "Target id";
    pub const TARGET_NAME: &str = "Target name";
    pub const TARGET_NOTE: &str =
        "target: all three or none, stored as given; delivery is local (CSVAULT_NOTIFY_COMMAND)";
    pub const NAME_TAKEN: &str = "an event of this name already exists";
    pub const CREATED: &str = "Created event";
    pub const ENABLED: &str = "Enabled event";
    pub const DISABLED: &str = "Disabled event";
    pub const DELETED: &str = "Deleted event";
    pub const DELETE_TITLE: &str = "Delete event";
    pub const DELETE_QUESTION: &str = "Delete the event";
    pub const DELETE_NOTE: &str = "Refused while a secret subscribes to it.";
    pub const RECORDS_TITLE: &str = "Notification records";
    pub const RECORDS_NONE: &str = "No notification records: they appear when a secret subscribed \
        to an enabled event has a new version, an expired version or is deleted.";
    pub const TIME: &str = "Time";
    pub const EVENT: &str = "Event";
    pub const TYPE: &str = "Type";
    pub const SECRET: &str = "Secret";
    pub const STATUS: &str = "Status";
    /// Marks a record that was unread when the screen was opened.
    pub const NEW_MARK: &str = "●";
    /// After the count in the header and the records' title.
    pub const UNREAD: &str = "unread";
    pub const CONTENT: &str = "Content";
}

pub mod confirm {
    //! Confirmation popups.
    pub const TITLE: &str = "Confirm";
    pub const ENABLE: &str = "Enable key";
    pub const DISABLE: &str = "Disable key";
    pub const DISABLE_NOTE: &str =
        "New secrets cannot use a disabled key, and values under it cannot be read.";

    /// `Disable key app/db? 3 secrets use it.` (the count left out when it is not known).
    pub fn disable_question(alias: &str, users: Option<i64>) -> String {
        match users {
            Some(1) => format!("{DISABLE} {alias}? 1 secret uses it."),
            Some(n) => format!("{DISABLE} {alias}? {n} secrets use it."),
            None => format!("{DISABLE} {alias}?"),
        }
    }
    pub const YES_NO: &str = "y / Enter: yes    n / Esc: no";
}

pub mod lifecycle {
    //! The detail screen as a secret's home, its dialogs, and the list's state filter and
    //! restore from a backup (tui-detail). None of these ever holds a secret value.
    pub const VERSIONS: &str = "Versions";
    pub const ID: &str = "Id";
    pub const CREATED: &str = "Created";
    pub const STAGES: &str = "Stages";
    pub const EXPIRES: &str = "Expires";
    pub const CMK: &str = "CMK";
    pub const NO_EXPIRY: &str = "—";
    pub const NO_VERSIONS: &str = "No versions.";
    pub const MASKED_NOTE: &str = "masked · Ctrl+R reveals";
    pub const REVEALED_NOTE: &str = "REVEALED · Ctrl+R masks";
    pub const VALUE_OF: &str = "Value of";
    pub const AS_BASE64: &str = "as base64";
    pub const NO_VALUE: &str = "(no value)";
    /// The list's column of deletion dates, shown when a row is pending deletion.
    pub const DELETES: &str = "Deletes";
    pub const STATES: &str = "state";
    pub const STATE_ALL: &str = "all";
    pub const STATE_ENABLED: &str = "enabled";
    pub const STATE_DISABLED: &str = "disabled";
    pub const STATE_PENDING: &str = "pending deletion";

    pub const STAGE_TITLE: &str = "Set a stage";
    pub const STAGE_PROMPT: &str = "Stage name for";
    pub const STAGE_MOVES: &str = "moves here from";
    pub const STAGE_ALREADY: &str = "already on this version";
    pub const STAGE_NEW: &str = "a new stage on this version";
    pub const UNSTAGE_TITLE: &str = "Remove a stage";
    pub const UNSTAGE_PROMPT: &str = "Remove which stage from";
    pub const NO_CUSTOM_STAGE: &str =
        "This version has no custom stage to remove (SYSCURRENT and SYSPREVIOUS stay).";
    pub const TOGGLE_TITLE: &str = "Confirm";
    pub const DISABLE: &str = "Disable secret";
    pub const ENABLE: &str = "Enable secret";
    pub const DISABLE_NOTE: &str =
        "Its values cannot be read and it takes no new version until enabled.";
    pub const PENDING_NO_TOGGLE: &str = "Pending deletion: r restores it first.";
    pub const SCHEDULE_TITLE: &str = "Schedule deletion";
    pub const SCHEDULE_PROMPT: &str = "Delete after how many days (7–30)?";
    pub const DAYS_RULE: &str = "a whole number of days from 7 to 30";
    pub const DAYS_OK: &str = "r restores it for";
    pub const DAYS_OK_AFTER: &str = "days; then it is deleted for good";
    pub const DELETE_TITLE: &str = "Delete now";
    pub const DELETE_WARNING: &str = "Deletes every version at once, for good. To confirm, type";
    pub const DELETE_MISMATCH: &str = "type the secret's name exactly to confirm";
    pub const DELETE_MATCH: &str = "Enter deletes it";
    pub const BACKUP_TITLE: &str = "Save a backup blob";
    pub const BACKUP_PROMPT: &str = "File (written 0600; opens only in this vault):";
    pub const UPLOAD_TITLE: &str = "Restore from a backup blob";
    pub const UPLOAD_PROMPT: &str = "Backup blob file:";
    pub const PATH_EMPTY: &str = "type a file path";
    // The whole-vault backup (issue 16).
    pub const VAULT_BACKUP_TITLE: &str = "Back up the whole vault";
    pub const VAULT_BACKUP_PROMPT: &str =
        "New file (0600; a vault under the same passphrase, checked before it is kept):";
    pub const VAULT_BACKED_UP: &str = "Vault backed up to";
    pub const SECRETS_WORD: &str = "secrets";
    pub const BYTES_WORD: &str = "bytes";
    pub const FILTER_TITLE: &str = "Show secrets";
    pub const HINT_FIELD: &str = "Enter: confirm · Esc: cancel";
    pub const HINT_PICK: &str = "↑/↓: choose · Enter: confirm · Esc: cancel";
    pub const YES_NO: &str = "y / Enter: yes    n / Esc: no";
    pub const STILL_LOADING: &str = "The secret is still loading.";
    pub const NOTHING_SELECTED: &str = "No version selected.";

    // Files.
    pub const FILE_SYMLINK: &str =
        "it is a symbolic link: refused (csvault never writes through one)";
    pub const FILE_NOT_REGULAR: &str = "it is not a regular file: refused";
    pub const FILE_LINKED: &str =
        "the file has other hard links: refused (writing would change them too)";
    pub const FILE_IS_DIR: &str = "it is a directory";
    pub const FILE_NOT_FOUND: &str = "no such file";
    pub const FILE_DENIED: &str = "permission denied";
    pub const FILE_NO_HOME: &str = "~ cannot be expanded: no home directory is known";
    /// `directory /x/y does not exist` (or `is not a directory`): where a blob was to be saved.
    pub const DIR: &str = "directory";
    pub const DIR_MISSING: &str = "does not exist";
    pub const DIR_NOT_DIR: &str = "is not a directory";
    pub const FILE_NOT_TEXT: &str = "it is not a backup blob (not text)";
    pub const FILE_EMPTY: &str = "the file is empty";

    // Status lines.
    pub const STAGE_SET: &str = "Set stage";
    pub const STAGE_REMOVED: &str = "Removed stage";
    pub const ENABLED: &str = "Enabled";
    pub const DISABLED: &str = "Disabled";
    pub const SCHEDULED: &str = "Scheduled the deletion of";
    pub const RESTORED: &str = "Restored";
    pub const DELETED: &str = "Deleted";
    pub const SAVED: &str = "Saved the backup of";
    pub const CREATED_FILE: &str = "created";
    pub const REPLACED_FILE: &str = "replaced the file that was there";
    pub const UPLOADED: &str = "Restored from the backup:";
    pub const VALUE_OF_VERSION: &str = "the value of";
    pub const AS_BASE64_NOTE: &str = "as base64 (the value is binary)";
    pub const NO_CONTENT: &str = "No Content";
}

pub mod rotation {
    //! Rotating a secret from the detail screen, and what the app's housekeeping did. None of
    //! these ever holds a secret value.
    pub const TITLE: &str = "Rotate now";
    pub const ROTATE: &str = "Rotate";
    pub const NOTE: &str = "A new version with a generated value becomes SYSCURRENT; the current \
         one becomes SYSPREVIOUS. Recorded as a task.";
    /// Status lines.
    pub const ROTATED: &str = "Rotated";
    pub const IS_CURRENT: &str = "is current";

    /// The status line after housekeeping changed something: how many secrets were rotated on
    /// schedule, failed to rotate, or were deleted for good; `None` when nothing was done.
    pub fn housekept(rotated: usize, failed: usize, purged: usize) -> Option<String> {
        let secrets = |n: usize| if n == 1 { "secret" } else { "secrets" };
        let mut parts = Vec::new();
        if rotated > 0 {
            parts.push(format!(
                "Rotated {rotated} {} on schedule.",
                secrets(rotated)
            ));
        }
        if failed > 0 {
            parts.push(format!(
                "Automatic rotation failed for {failed} {}: csvault tasks --status FAILED says why.",
                secrets(failed)
            ));
        }
        if purged > 0 {
            parts.push(format!(
                "Deleted {purged} {} whose scheduled deletion came.",
                secrets(purged)
            ));
        }
        (!parts.is_empty()).then(|| parts.join(" "))
    }
}

pub mod tags {
    //! Tags on the detail screen, the tag dialog and the tag to remove (issue 14).
    pub const FIELD: &str = "tags";
    pub const NONE: &str = "none (g adds one)";
    pub const TITLE: &str = "Tag";
    pub const KEY: &str = "Key";
    pub const VALUE: &str = "Value";
    pub const NEW: &str = "a new tag";
    pub const OF_MOST: &str = "of at most";
    pub const REPLACES: &str = "replaces the value";
    pub const SAME: &str = "the secret has this tag already";
    pub const FULL: &str = "the secret has 20 tags, the most: G removes one";
    pub const HINT: &str = "Tab: next field · Enter: save · Esc: cancel";
    pub const REMOVE_TITLE: &str = "Remove a tag";
    pub const REMOVE_PROMPT: &str = "Remove which tag from";
    pub const NO_TAGS: &str = "This secret has no tag to remove.";
    pub const PENDING: &str = "Pending deletion: its tags cannot change (r restores it first).";
    pub const SET: &str = "Set tag";
    pub const REMOVED: &str = "Removed tag";
    pub const ON: &str = "on";
    pub const FROM: &str = "from";
}

pub mod checks {
    //! The checks and the health report (issue 14): the forms' weak-value warning, the report
    //! screen, and their keys' help.
    pub const CTX_REPORT: &str = "Health report";
    pub const HEALTH_REPORT: &str = "health report";
    pub const RUN_AGAIN: &str = "run again";
    pub const OPEN_SECRET: &str = "details";
    pub const TOGGLE_STRENGTH: &str = "strength warnings on/off";

    /// The forms' warning under a weak text value, before its score.
    pub const WEAK_VALUE: &str = "⚠ Weak value";

    pub const TITLE: &str = "Health report";
    pub const RUNNING: &str = "Running the health report (every current value is read)…";
    pub const NOT_YET: &str = "Running…";
    pub const FAILED: &str = "The report could not be made:";
    pub const CHECKED: &str = "values read at";
    pub const WARNINGS_ON: &str = "strength warnings on";
    pub const WARNINGS_OFF: &str = "strength warnings off";
    pub const WEAK: &str = "Weak values";
    pub const REUSED: &str = "Reused values";
    pub const GROUP: &str = "group";
    pub const EXPIRED: &str = "Expired versions";
    pub const EXPIRED_AT: &str = "expired";
    pub const EXPIRING: &str = "Expiring within";
    pub const EXPIRES_AT: &str = "expires";
    pub const DAYS: &str = "days";
    pub const OVERDUE: &str = "Rotation overdue";
    pub const DUE_AT: &str = "due";
    pub const UNCHANGED: &str = "Unchanged for";
    pub const OR_MORE: &str = "days or more";
    pub const SINCE: &str = "since";
    pub const NOT_ENABLED: &str = "Skipped, not enabled";
    pub const UNREADABLE: &str = "Skipped, unreadable: CMK missing or disabled";
    pub const NONE: &str = "none";
    pub const NOTHING_TO_OPEN: &str = "No secret selected: the sections shown are empty.";
    pub const CHECKING_ON: &str =
        "Strength warnings are on: the forms and the command line warn about weak text values.";
    pub const CHECKING_OFF: &str = "Strength warnings are off.";

    /// The forms' warning: the score and the estimator's first reason (never the value). The
    /// value can be stored all the same.
    pub fn weak_warning(score: u8, reason: Option<&str>) -> String {
        match reason {
            Some(reason) => format!("{WEAK_VALUE} (score {score} of 4): {reason}"),
            None => format!("{WEAK_VALUE} (score {score} of 4)."),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csms::{MAX_ALIAS_CHARS, MAX_EXPIRE_TIME, MAX_STAGES, RECOVERY_WINDOW_DAYS};

    /// The rules the screens spell out are the vault's: these texts follow its limits.
    #[test]
    fn the_rules_shown_say_the_vaults_limits() {
        let (first, last) = (RECOVERY_WINDOW_DAYS.start(), RECOVERY_WINDOW_DAYS.end());
        assert!(lifecycle::DAYS_RULE.ends_with(&format!("from {first} to {last}")));
        assert!(lifecycle::SCHEDULE_PROMPT.contains(&format!("({first}–{last})")));
        assert!(version::STAGES_RULE.ends_with(&format!("at most {MAX_STAGES}")));
        let grouped = MAX_EXPIRE_TIME
            .to_string()
            .as_bytes()
            .rchunks(3)
            .rev()
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(",");
        assert!(version::EXPIRY_RULE.contains(&grouped));
        assert!(keyscreen::ALIAS_RULE.starts_with(&format!("1–{MAX_ALIAS_CHARS} ")));
        let most = crate::csms::MAX_TAGS_PER_SECRET;
        assert!(tags::FULL.contains(&format!(" {most} ")));
    }
}

pub mod sync {
    //! Sync with CSMS remotes (issue 17): the detail screen's remotes block and the sync
    //! dialog (the remote to pick, the plan, its outcomes).
    use crate::csms::{ApiError, ErrorCode};
    use crate::sync::plan::{Action, Outcome, PlanItem};
    use crate::sync::status::Standing;

    pub const CTX_PLAN: &str = "Sync plan";
    pub const CTX_OUTCOME: &str = "Sync under way or done";
    pub const SYNC_ONE: &str = "sync this secret with a remote";
    pub const SYNC_ALL: &str = "sync all secrets with a remote";
    pub const RUN_PLAN: &str = "run the plan";
    pub const CANCEL: &str = "cancel";
    pub const CLOSE: &str = "close";
    pub const SCROLL_UP: &str = "scroll up";
    pub const SCROLL_DOWN: &str = "scroll down";

    pub const BLOCK_TITLE: &str = "Remotes";
    pub const CHECKING: &str = "checking…";
    pub const CHECKING_REMOTES: &str = "checking remotes…";
    pub const MORE: &str = "more: S to sync";

    pub const PICK_TITLE: &str = "Sync with";
    pub const PICK_PROMPT: &str = "Which remote?";
    pub const READING_REMOTES: &str = "Reading the remotes…";
    pub const PLANNING: &str = "Asking the remote and making the plan… (Esc closes)";
    pub const RUNNING: &str =
        "Running the plan… (Esc closes; it goes on, the status line says how it ended)";
    pub const NO_REMOTES: &str =
        "No remotes: add one with `csvault remote add NAME --endpoint URL --access-key AK`.";
    pub const NOTHING_PLANNED: &str = "Nothing to sync.";
    pub const CONFIRM_HINT: &str = "Enter runs this plan, Esc cancels (nothing is written).";
    pub const DONE_HINT: &str = "Enter or Esc closes.";
    pub const FAILED: &str = "failed";
    pub const DONE: &str = "done";
    pub const NOT_OPEN: &str = "The vault is locked.";
    pub const NO_WORKER: &str = "No worker thread could be started.";
    pub const PLAN_CHANGED: &str = "The vault or the remote changed since the plan was shown: nothing was done. Look at the new plan.";

    /// A standing in a word or two.
    pub fn standing(standing: Standing) -> &'static str {
        standing.as_str()
    }

    /// Why a remote could not be asked, in a word.
    pub fn why(error: &ApiError) -> &'static str {
        match error.code {
            ErrorCode::RemoteUnreachable => "unreachable",
            ErrorCode::RemoteAuth => "wrong key",
            ErrorCode::ClockSkew => "clock skew",
            ErrorCode::RemoteRefused => "refused",
            ErrorCode::RemotePolicy => "endpoint refused by policy",
            ErrorCode::RemoteNotFound => "no such remote",
            _ => "error",
        }
    }

    /// Where an item's writes go (`→ remote`), or where it was deleted (`on local`).
    pub fn direction(action: &Action) -> String {
        match action {
            Action::Create { to } | Action::NewVersion { to } | Action::UpdateMetadata { to } => {
                format!("→ {}", to.as_str())
            }
            Action::Deleted { on } | Action::Delete { on } => format!("on {}", on.as_str()),
            Action::UpToDate | Action::Conflict | Action::Skipped => String::new(),
        }
    }

    /// The plan's title: the remote, how many items, how many conflicts.
    pub fn plan_title(remote: &str, items: &[PlanItem]) -> String {
        let conflicts = items
            .iter()
            .filter(|i| i.action == Action::Conflict)
            .count();
        let title = format!("Sync with {remote}: plan of {}", count(items.len(), "item"));
        if conflicts > 0 {
            format!("{title} · {}", count(conflicts, "conflict"))
        } else {
            title
        }
    }

    /// The outcomes' title: the remote, how many done and failed.
    pub fn outcome_title(remote: &str, outcomes: &[Outcome]) -> String {
        format!("Synced with {remote}: {}", summary(outcomes))
    }

    /// `3 done, 1 conflict, 1 failed` (a part that is none is left out).
    pub fn summary(outcomes: &[Outcome]) -> String {
        let failed = outcomes.iter().filter(|o| o.error.is_some()).count();
        let conflicts = outcomes
            .iter()
            .filter(|o| o.error.is_none() && o.item.action == Action::Conflict)
            .count();
        let done = outcomes.len() - failed - conflicts;
        let mut parts = vec![format!("{done} {DONE}")];
        if conflicts > 0 {
            parts.push(count(conflicts, "conflict"));
        }
        if failed > 0 {
            parts.push(format!("{failed} {FAILED}"));
        }
        parts.join(", ")
    }

    /// The status line after a run whose dialog was closed.
    pub fn ran(remote: &str, outcomes: &[Outcome]) -> String {
        outcome_title(remote, outcomes)
    }

    /// The title of a sync that failed as a whole.
    pub fn failed_title(remote: Option<&str>) -> String {
        match remote {
            Some(remote) => format!("Sync with {remote} failed"),
            None => "Sync failed".to_owned(),
        }
    }

    fn count(n: usize, what: &str) -> String {
        if n == 1 {
            format!("1 {what}")
        } else {
            format!("{n} {what}s")
        }
    }
}
