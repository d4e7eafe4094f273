//! Screen 3, state and behaviour: the create-secret form with live validation.
//!
//! Every change rebuilds the request and runs `csms::validate_create` on it, the same check the
//! vault makes; the duplicate-name check is an effect answered by the vault (`set_name_taken`).

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

use super::Cx;
use crate::csms::{CreateSecretRequest, DEFAULT_KEY_ALIAS, Field, FieldError, validate_create};
use crate::csms::{KeyInfo, KeyState};
use crate::tui::action::{Action, Effect};
use crate::tui::app::Overlay;
use crate::tui::keymap::Context;
use crate::tui::text::form as t;
use crate::tui::textfield::TextField;

/// The focused part of the form, in the API's field order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    Name,
    Key,
    Description,
    Type,
    Value,
    Submit,
}

const FOCUS_ORDER: [Focus; 6] = [
    Focus::Name,
    Focus::Key,
    Focus::Description,
    Focus::Type,
    Focus::Value,
    Focus::Submit,
];

/// How the value is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueType {
    Text,
    Base64,
    File,
}

impl ValueType {
    pub fn label(self) -> &'static str {
        match self {
            Self::Text => t::TYPE_TEXT,
            Self::Base64 => t::TYPE_BASE64,
            Self::File => t::TYPE_FILE,
        }
    }
}

/// Whether the value is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Visibility {
    Masked,
    Revealed,
}

/// One entry of the key picker. `key_id` `None` is the default key (the request omits the id).
#[derive(Clone, Debug)]
pub struct KeyChoice {
    pub key_id: Option<String>,
    pub alias: String,
    pub exists: bool,
}

/// What became of the file named in file mode.
pub enum FileLoad {
    NotYet,
    Loaded(Zeroizing<String>),
    /// Why the file could not be used (never anything read from it).
    Failed(String),
}

impl std::fmt::Debug for FileLoad {
    /// Redacted: the loaded base64 is the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotYet => f.write_str("NotYet"),
            Self::Loaded(b64) => write!(f, "Loaded({} chars)", b64.len()),
            Self::Failed(why) => write!(f, "Failed({why})"),
        }
    }
}

/// Largest file whose base64 fits in `MAX_VALUE_BYTES`.
pub const MAX_FILE_BYTES: u64 = (crate::csms::MAX_VALUE_BYTES as u64 / 4) * 3;

/// The path typed in file mode as the file system sees it: a leading `~/` (or a lone `~`) is the
/// home directory. `None` when there is a `~` to expand and no home directory.
pub fn expand_path(typed: &str, home: Option<&Path>) -> Option<PathBuf> {
    match typed.strip_prefix('~') {
        Some("") => home.map(Path::to_path_buf),
        Some(rest) if rest.starts_with('/') => home.map(|h| h.join(rest.trim_start_matches('/'))),
        _ => Some(PathBuf::from(typed)),
    }
}

/// Why a file cannot be read, in a few words (the path is on screen already).
fn unreadable(why: &str) -> FileLoad {
    FileLoad::Failed(format!("{}: {why}", t::FILE_UNREADABLE))
}

fn io_reason(e: &std::io::Error) -> FileLoad {
    match e.kind() {
        ErrorKind::NotFound => unreadable(t::FILE_NOT_FOUND),
        ErrorKind::PermissionDenied => unreadable(t::FILE_DENIED),
        ErrorKind::IsADirectory => unreadable(t::FILE_IS_DIR),
        _ => unreadable(&e.to_string()),
    }
}

/// Reads the file named in file mode (`~/` expanded) into base64, or says why it cannot.
pub fn load_file(typed: &str) -> FileLoad {
    let home = dirs::home_dir();
    let Some(path) = expand_path(typed, home.as_deref()) else {
        return unreadable(t::FILE_NO_HOME);
    };
    match std::fs::metadata(&path) {
        Ok(m) if m.is_dir() => unreadable(t::FILE_IS_DIR),
        Ok(m) if !m.is_file() => unreadable(t::FILE_NOT_FILE),
        Ok(m) if m.len() > MAX_FILE_BYTES => FileLoad::Failed(t::FILE_TOO_BIG.to_owned()),
        Ok(_) => match std::fs::read(&path) {
            Ok(bytes) => {
                let bytes = Zeroizing::new(bytes);
                FileLoad::Loaded(Zeroizing::new(STANDARD.encode(&*bytes)))
            }
            Err(e) => io_reason(&e),
        },
        Err(e) => io_reason(&e),
    }
}

#[derive(Debug)]
pub struct FormState {
    pub focus: Focus,
    pub name: TextField,
    pub description: TextField,
    pub value: TextField,
    pub path: TextField,
    pub choices: Vec<KeyChoice>,
    pub choice: usize,
    pub value_type: ValueType,
    pub visibility: Visibility,
    /// The name the vault last said is taken.
    pub taken: Option<String>,
    pub file: FileLoad,
    touched: Vec<Field>,
    submit_tried: bool,
    errors: Vec<FieldError>,
}

impl FormState {
    /// A blank form offering the enabled keys (see [`choices`]).
    pub fn new(keys: &[KeyInfo]) -> Self {
        let mut form = Self {
            focus: Focus::Name,
            name: TextField::single(),
            description: TextField::single(),
            value: TextField::multi(),
            path: TextField::single(),
            choices: choices(keys),
            choice: 0,
            value_type: ValueType::Text,
            visibility: Visibility::Masked,
            taken: None,
            file: FileLoad::NotYet,
            touched: Vec::new(),
            submit_tried: false,
            errors: Vec::new(),
        };
        form.revalidate();
        form
    }

    /// The keys re-read (another process created, enabled or disabled one): the picker offers
    /// the enabled ones, the choice kept if it is still there.
    pub fn set_keys(&mut self, keys: &[KeyInfo]) {
        let chosen = self.choices.get(self.choice).map(|c| c.alias.clone());
        self.choices = choices(keys);
        self.choice = chosen
            .and_then(|alias| self.choices.iter().position(|c| c.alias == alias))
            .unwrap_or(0);
        self.revalidate();
    }

    /// The keymap context of the focused field.
    pub fn context(&self) -> Context {
        match self.focus {
            Focus::Name | Focus::Description => Context::FormText,
            Focus::Value if self.value_type == ValueType::File => Context::FormText,
            Focus::Value => Context::FormValue,
            Focus::Key | Focus::Type => Context::FormPicker,
            Focus::Submit => Context::FormButton,
        }
    }

    /// Whether leaving would lose anything typed or chosen.
    pub fn is_dirty(&self) -> bool {
        !(self.name.is_empty()
            && self.description.is_empty()
            && self.value.is_empty()
            && self.path.is_empty()
            && self.choice == 0
            && self.value_type == ValueType::Text)
    }

    /// The request the form describes now.
    pub fn request(&self) -> CreateSecretRequest {
        let (secret_string, secret_binary) = match (self.value_type, &self.file) {
            (ValueType::Text, _) => (Some(self.value.to_zeroizing()), None),
            (ValueType::Base64, _) => (None, Some(self.value.to_zeroizing())),
            (ValueType::File, FileLoad::Loaded(b64)) => (None, Some(b64.clone())),
            (ValueType::File, _) => (None, None),
        };
        CreateSecretRequest {
            name: self.name.as_str().to_owned(),
            kms_key_id: self.choices.get(self.choice).and_then(|c| c.key_id.clone()),
            description: (!self.description.is_empty())
                .then(|| self.description.as_str().to_owned()),
            secret_string,
            secret_binary,
            ..CreateSecretRequest::default()
        }
    }

    fn revalidate(&mut self) {
        self.errors = validate_create(&self.request());
        if self.choices.is_empty() {
            self.errors.push(FieldError {
                field: Field::KmsKeyId,
                message: t::NO_KEY.to_owned(),
            });
            self.errors.sort_by_key(|e| e.field);
        }
        if self.value_type == ValueType::File
            && let FileLoad::Failed(why) = &self.file
        {
            self.errors.retain(|e| e.field != Field::Value);
            self.errors.push(FieldError {
                field: Field::Value,
                message: why.clone(),
            });
        }
        if self.taken.as_deref() == Some(self.name.as_str()) {
            self.errors.insert(
                0,
                FieldError {
                    field: Field::Name,
                    message: t::NAME_TAKEN.to_owned(),
                },
            );
        }
    }

    /// Every broken rule, whether shown yet or not.
    pub fn errors(&self) -> &[FieldError] {
        &self.errors
    }

    /// The message to show under `field`, if it is broken and the user has been there.
    pub fn shown_error(&self, field: Field) -> Option<&FieldError> {
        let shown = self.submit_tried
            || self.touched.contains(&field)
            || (field == Field::Name && self.taken.is_some());
        self.errors
            .iter()
            .find(|e| e.field == field)
            .filter(|_| shown)
    }

    /// Whether `error` is a broken rule of the API (shown with the rule after the reason), not
    /// one of the form's own findings (a taken name, no key, a file that cannot be read).
    pub fn error_has_rule(&self, error: &FieldError) -> bool {
        let own = match error.field {
            Field::Name => self.taken.as_deref() == Some(self.name.as_str()),
            Field::KmsKeyId => self.choices.is_empty(),
            Field::Value => {
                self.value_type == ValueType::File && matches!(self.file, FileLoad::Failed(_))
            }
            Field::Description | Field::SecretType => false,
        };
        !own
    }

    /// Whether to warn that the text value is empty: the API allows it, but it is rarely meant.
    /// Shown once the value has been visited or a submit was tried.
    pub fn empty_value_warning(&self) -> bool {
        self.value_type == ValueType::Text
            && self.value.is_empty()
            && (self.submit_tried
                || self.touched.contains(&Field::Value)
                || self.focus == Focus::Submit)
    }

    /// The vault's answer to the duplicate-name check for `name`.
    pub fn set_name_taken(&mut self, name: &str, taken: bool) {
        if taken {
            self.taken = Some(name.to_owned());
        } else if self.taken.as_deref() == Some(name) {
            self.taken = None;
        }
        self.revalidate();
    }

    /// The outcome of loading the file in file mode.
    pub fn set_file(&mut self, path: &str, load: FileLoad) {
        if self.path.as_str() == path {
            self.file = load;
            self.revalidate();
        }
    }

    fn touch(&mut self) {
        let field = match self.focus {
            Focus::Name => Field::Name,
            Focus::Key => Field::KmsKeyId,
            Focus::Description => Field::Description,
            Focus::Value => Field::Value,
            Focus::Type | Focus::Submit => return,
        };
        if !self.touched.contains(&field) {
            self.touched.push(field);
        }
    }

    fn step_focus(&mut self, forward: bool) {
        self.touch();
        let i = FOCUS_ORDER
            .iter()
            .position(|&f| f == self.focus)
            .unwrap_or(0);
        let n = FOCUS_ORDER.len();
        self.focus = FOCUS_ORDER[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }];
    }

    fn editing(&mut self) -> Option<&mut TextField> {
        match self.focus {
            Focus::Name => Some(&mut self.name),
            Focus::Description => Some(&mut self.description),
            Focus::Value if self.value_type == ValueType::File => Some(&mut self.path),
            Focus::Value => Some(&mut self.value),
            Focus::Key | Focus::Type | Focus::Submit => None,
        }
    }

    fn cycle(&mut self, forward: bool) {
        match self.focus {
            Focus::Key => {
                let n = self.choices.len().max(1);
                self.choice = if forward {
                    (self.choice + 1) % n
                } else {
                    (self.choice + n - 1) % n
                };
            }
            Focus::Type => {
                self.value_type = match (self.value_type, forward) {
                    (ValueType::Text, true) | (ValueType::File, false) => ValueType::Base64,
                    (ValueType::Base64, true) | (ValueType::Text, false) => ValueType::File,
                    (ValueType::File, true) | (ValueType::Base64, false) => ValueType::Text,
                };
            }
            _ => {}
        }
    }

    fn submit(&mut self) -> Option<Effect> {
        self.submit_tried = true;
        match self.errors.first() {
            None => Some(Effect::Submit(Box::new(self.request()))),
            Some(first) => {
                self.focus = match first.field {
                    Field::Name => Focus::Name,
                    Field::KmsKeyId => Focus::Key,
                    Field::Description => Focus::Description,
                    // The form always asks for COMMON.
                    Field::Value | Field::SecretType => Focus::Value,
                };
                None
            }
        }
    }

    /// Whether the last submit was refused by validation (for the status line).
    pub fn refused(&self) -> bool {
        self.submit_tried && !self.errors.is_empty()
    }
}

/// The key picker's entries: the default key first (even before it exists, but not once it is
/// disabled), then the other enabled keys, oldest first.
fn choices(keys: &[KeyInfo]) -> Vec<KeyChoice> {
    let enabled: Vec<&KeyInfo> = keys
        .iter()
        .filter(|k| k.key_state == KeyState::Enabled)
        .collect();
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
        enabled
            .iter()
            .filter(|k| k.key_alias != DEFAULT_KEY_ALIAS)
            .map(|k| KeyChoice {
                key_id: Some(k.key_id.clone()),
                alias: k.key_alias.clone(),
                exists: true,
            }),
    );
    choices
}

/// Handles an action on the form: Back leaves it (asking first when something would be lost);
/// a refused submit says so on the status line. `Help` is the caller's.
pub fn update(form: &mut FormState, action: Action, cx: &mut Cx<'_>) -> Option<Effect> {
    if action == Action::Back {
        if form.is_dirty() {
            cx.open(Overlay::Discard);
        } else {
            cx.back();
        }
        return None;
    }
    let effect = edit(form, action);
    if action == Action::Submit && form.refused() {
        cx.error(t::FIX_FIRST);
    }
    effect
}

/// The form's own reaction to an action: focus, editing, revalidation, and the checks to run.
fn edit(form: &mut FormState, action: Action) -> Option<Effect> {
    let before_name = form.name.as_str().len();
    let before_path = form.path.as_str().len();
    let mut edited = true;
    match action {
        Action::NextField => form.step_focus(true),
        Action::PrevField => form.step_focus(false),
        Action::Submit => return form.submit(),
        Action::Reveal => {
            form.visibility = match form.visibility {
                Visibility::Masked => Visibility::Revealed,
                Visibility::Revealed => Visibility::Masked,
            };
        }
        Action::NextChoice => form.cycle(true),
        Action::PrevChoice => form.cycle(false),
        Action::Newline => form.value.insert('\n'),
        _ => {
            let field = form.editing()?;
            match action {
                Action::Input(c) => field.insert(c),
                Action::Backspace => field.backspace(),
                Action::Delete => field.delete(),
                Action::DeleteToStart => field.delete_to_start(),
                Action::DeleteWordBack => field.delete_word_back(),
                Action::Left => field.left(),
                Action::Right => field.right(),
                Action::Home => field.home(),
                Action::End => field.end(),
                Action::Up => field.up(),
                Action::Down => field.down(),
                _ => {}
            }
            edited = matches!(
                action,
                Action::Input(_)
                    | Action::Backspace
                    | Action::Delete
                    | Action::DeleteToStart
                    | Action::DeleteWordBack
            );
            if edited {
                form.touch();
            }
        }
    }
    if !edited {
        return None;
    }
    after_edit(form, before_name, before_path)
}

/// A paste into the focused text field, as one edit (the caller has cut it to one line for a
/// single-line field). `None` when no text field has the focus.
pub fn paste(form: &mut FormState, text: &str) -> Option<Effect> {
    let before_name = form.name.as_str().len();
    let before_path = form.path.as_str().len();
    form.editing()?.insert_str(text);
    form.touch();
    after_edit(form, before_name, before_path)
}

/// Whether the focused field takes line breaks (the value as text or base64).
pub fn multiline_focus(form: &FormState) -> bool {
    form.context() == Context::FormValue
}

/// Revalidates after an edit and asks for the checks it calls for.
fn after_edit(form: &mut FormState, before_name: usize, before_path: usize) -> Option<Effect> {
    if form.value_type != ValueType::File {
        form.file = FileLoad::NotYet;
    }
    form.revalidate();
    let name = form.name.as_str();
    if form.focus == Focus::Name
        && name.len() != before_name
        && crate::csms::validate_name(name).is_none()
    {
        return Some(Effect::CheckName(name.to_owned()));
    }
    if form.value_type == ValueType::File
        && (form.path.as_str().len() != before_path || matches!(form.file, FileLoad::NotYet))
        && !form.path.is_empty()
    {
        return Some(Effect::LoadFile(form.path.as_str().to_owned()));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(load: &FileLoad) -> &str {
        match load {
            FileLoad::Failed(why) => why,
            other => panic!("expected a failure, got {other:?}"),
        }
    }

    #[test]
    fn a_leading_tilde_is_the_home_directory() {
        let home = Path::new("/home/ada");
        assert_eq!(
            expand_path("~/keys/tls.der", Some(home)),
            Some(PathBuf::from("/home/ada/keys/tls.der"))
        );
        assert_eq!(
            expand_path("~", Some(home)),
            Some(PathBuf::from("/home/ada"))
        );
        assert_eq!(
            expand_path("~other/x", Some(home)),
            Some(PathBuf::from("~other/x")),
            "another user's home is not guessed"
        );
        assert_eq!(
            expand_path("a/~/b", Some(home)),
            Some(PathBuf::from("a/~/b"))
        );
        assert_eq!(expand_path("~/x", None), None);
        assert_eq!(expand_path("/abs", None), Some(PathBuf::from("/abs")));
    }

    #[test]
    fn an_unreadable_file_says_why() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let missing = dir.path().join("missing.der");
        let why = load_file(&missing.display().to_string());
        assert_eq!(
            failure(&why),
            format!("{}: {}", t::FILE_UNREADABLE, t::FILE_NOT_FOUND)
        );
        let why = load_file(&dir.path().display().to_string());
        assert_eq!(
            failure(&why),
            format!("{}: {}", t::FILE_UNREADABLE, t::FILE_IS_DIR)
        );
        let big = dir.path().join("big.bin");
        std::fs::write(&big, vec![0u8; 25 * 1024]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            failure(&load_file(&big.display().to_string())),
            t::FILE_TOO_BIG
        );

        let locked = dir.path().join("locked.der");
        std::fs::write(&locked, b"x").unwrap_or_else(|e| panic!("{e}"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000))
                .unwrap_or_else(|e| panic!("{e}"));
            // root reads it anyway: the reason is only checkable for others.
            if !rustix::process::geteuid().is_root() {
                let why = load_file(&locked.display().to_string());
                assert_eq!(
                    failure(&why),
                    format!("{}: {}", t::FILE_UNREADABLE, t::FILE_DENIED)
                );
            }
        }
        std::fs::write(dir.path().join("ok.bin"), b"hello").unwrap_or_else(|e| panic!("{e}"));
        match load_file(&dir.path().join("ok.bin").display().to_string()) {
            FileLoad::Loaded(b64) => assert_eq!(b64.as_str(), "aGVsbG8="),
            other => panic!("expected the file, got {other:?}"),
        }
    }
}
