//! The value editor of the create and new-version forms, one component: its type (text, base64,
//! a file to load), the value (masked until `Ctrl+R`), the file path and what was read from it,
//! the password generator (`Ctrl+G`), the request fields it makes, and how it is drawn.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use zeroize::Zeroizing;

use super::field_rows::{
    Rows, counter, indented, problem, spans_row, text_row, value_box, value_heading,
};
use crate::csms::MAX_VALUE_BYTES;
use crate::csms::op::Request;
use crate::csms::{Strength, StrengthData, strength};
use crate::tui::action::{Action, Effect};
use crate::tui::keymap::Context;
use crate::tui::password::{self, Generator};
use crate::tui::text::checks as ct;
use crate::tui::text::{form as t, password as pt};
use crate::tui::textfield::TextField;
use crate::tui::theme;

/// The value editor: what the value is, as typed or loaded, and how it is given and shown.
#[derive(Debug)]
pub struct ValueInput {
    pub kind: ValueType,
    pub visibility: Visibility,
    /// The value as text or base64 (multi-line).
    pub text: TextField,
    /// The file to load, in file mode.
    pub path: TextField,
    pub file: FileLoad,
    /// The password generator, once `Ctrl+G` was pressed.
    pub generator: Option<Generator>,
    /// Whether the text value is the generator's last password, untouched since (`Ctrl+G` then
    /// replaces it without asking).
    generated: bool,
    // Checks (issue 14): the live weak-value warning.
    /// Whether the vault's strength warnings are on (`checking_secret_strength`).
    pub checking: bool,
    /// The text value's strength, rated once per change while checking is on (never the value).
    pub strength: Option<StrengthData>,
}

impl Default for ValueInput {
    fn default() -> Self {
        Self::new()
    }
}

impl ValueInput {
    /// An empty text value, masked.
    pub fn new() -> Self {
        Self {
            kind: ValueType::Text,
            visibility: Visibility::Masked,
            text: TextField::multi(),
            path: TextField::single(),
            file: FileLoad::NotYet,
            generator: None,
            generated: false,
            checking: false,
            strength: None,
        }
    }

    /// The vault's strength-warning setting (checks, issue 14): the value is rated from now on.
    pub fn set_checking(&mut self, on: bool) {
        self.checking = on;
        self.rate();
    }

    /// Rates the text value once, after it changed (the estimator reads its first 100
    /// characters, so a keystroke costs the same at any length); nothing while checking is
    /// off, for an empty text (the empty-value warning says more) or a value that is not text.
    fn rate(&mut self) {
        self.strength = (self.checking && self.kind == ValueType::Text && !self.text.is_empty())
            .then(|| strength(self.text.as_str()));
    }

    /// The weak-value warning to show under the value, if the value is weak.
    pub fn weak_warning(&self) -> Option<String> {
        self.strength
            .as_ref()
            .filter(|s| s.strength == Strength::Weak)
            .map(|s| ct::weak_warning(s.score, s.warnings.first().map(String::as_str)))
    }

    /// Whether `Ctrl+G` would replace a value typed or pasted (not one it generated): the
    /// forms ask first.
    pub fn holds_typed(&self) -> bool {
        !self.text.is_empty() && !self.generated
    }

    /// Whether nothing was typed or chosen.
    pub fn is_blank(&self) -> bool {
        self.text.is_empty() && self.path.is_empty() && self.kind == ValueType::Text
    }

    /// Whether the value is an empty text (allowed by the API, rarely meant: the forms warn).
    pub fn is_empty_text(&self) -> bool {
        self.kind == ValueType::Text && self.text.is_empty()
    }

    /// The keymap context of the value itself: a file path is a line of text, a value takes
    /// line breaks.
    pub fn context(&self) -> Context {
        if self.kind == ValueType::File {
            Context::FormText
        } else {
            Context::FormValue
        }
    }

    /// The text field typed into: the path in file mode, else the value.
    pub fn editing(&mut self) -> &mut TextField {
        if self.kind == ValueType::File {
            &mut self.path
        } else {
            &mut self.text
        }
    }

    /// The request's `(secret_string, secret_binary)`.
    pub fn request_value(&self) -> (Option<Zeroizing<String>>, Option<Zeroizing<String>>) {
        request_value(self.kind, &self.text, &self.file)
    }

    /// Why the file named in file mode cannot be used, if that is the value's problem.
    pub fn file_failure(&self) -> Option<&str> {
        file_failure(self.kind, &self.file)
    }

    /// `Ctrl+R`: masked becomes revealed and back.
    pub fn toggle_visibility(&mut self) {
        self.visibility = self.visibility.toggled();
    }

    /// The type picker's next (or previous) choice; a password is text, so the generator goes
    /// with the text type. The file to load, when file mode names one.
    pub fn cycle_kind(&mut self, forward: bool) -> Option<Effect> {
        self.kind = self.kind.cycled(forward);
        if self.kind != ValueType::Text {
            self.generator = None;
        }
        self.rate();
        self.after_edit(usize::MAX)
    }

    /// Typing into the value (or the path): whether it changed, and the file to load when the
    /// path did.
    pub fn edit(&mut self, action: Action) -> (bool, Option<Effect>) {
        let before_path = self.path.as_str().len();
        let edited = self.editing().apply(action);
        if edited && self.kind != ValueType::File {
            self.generated = false;
        }
        let load = if edited {
            self.rate();
            self.after_edit(before_path)
        } else {
            None
        };
        (edited, load)
    }

    /// Enter in the value: a line break.
    pub fn newline(&mut self) {
        self.text.insert('\n');
        self.generated = false;
        self.rate();
    }

    /// A paste into the value (or the path), as one edit; the file to load when the path
    /// changed.
    pub fn paste(&mut self, text: &str) -> Option<Effect> {
        let before_path = self.path.as_str().len();
        if self.kind != ValueType::File {
            self.generated = false;
        }
        self.editing().insert_str(text);
        self.rate();
        self.after_edit(before_path)
    }

    /// After an edit: forgets a loaded file outside file mode, and asks to load the file named
    /// when the path changed (`before_path`: its length before) or nothing was loaded for it yet.
    fn after_edit(&mut self, before_path: usize) -> Option<Effect> {
        file_after_edit(self.kind, &self.path, before_path, &mut self.file)
    }

    /// The outcome of loading the file in file mode (ignored if the path changed meanwhile).
    pub fn set_file(&mut self, path: &str, load: FileLoad) {
        if self.path.as_str() == path {
            self.file = load;
        }
    }

    /// `Ctrl+G`: the value becomes text and the generator's options show; a password with
    /// them is asked for.
    pub fn start_generator(&mut self) -> Effect {
        self.kind = ValueType::Text;
        self.file = FileLoad::NotYet;
        self.rate();
        let options = self.generator.get_or_insert_with(Generator::default);
        Effect::vault(Request::GenerateRandomPassword(options.request()))
    }

    /// A key on the generator's options line: another password when an option changed.
    pub fn generator_key(&mut self, action: Action) -> Option<Effect> {
        let options = self.generator.as_mut()?;
        options
            .apply(action)
            .then(|| Effect::vault(Request::GenerateRandomPassword(options.request())))
    }

    /// A generated password (or why none was): into the value, as masked as it was.
    pub fn set_generated(&mut self, result: password::Outcome) {
        if let Some(options) = &mut self.generator {
            self.generated |= result.is_ok();
            password::fill(options, &mut self.text, result);
        }
        self.rate();
    }

    /// The notes under the value: its problem, the empty-value `warning` when due, the
    /// generator's options (and why its last request was refused).
    pub fn notes(
        &self,
        mut problem_lines: Vec<Line<'static>>,
        warning: Option<&str>,
        generator_focused: bool,
        width: u16,
    ) -> Vec<Line<'static>> {
        if let Some(warning) = warning {
            problem_lines.extend(indented(warning, width, theme::warning()));
        }
        if let Some(weak) = self.weak_warning() {
            problem_lines.extend(indented(&weak, width, theme::warning()));
        }
        if let Some(options) = &self.generator {
            problem_lines.push(spans_row(
                pt::LABEL,
                generator_focused,
                options.spans(generator_focused),
                width,
            ));
            if let Some(why) = &options.error {
                problem_lines.extend(problem(why, None, width));
            }
        }
        problem_lines
    }

    /// Draws the value (the file row in file mode, else the heading over the value box), the
    /// box taking the room `below` leaves, then `below`.
    pub fn render(&self, focused: bool, below: Vec<Line<'static>>, rows: &mut Rows<'_>) {
        let width = rows.area.width;
        if self.kind == ValueType::File {
            let loaded = match &self.file {
                FileLoad::Loaded(b64) => counter(b64.len(), MAX_VALUE_BYTES, " ch"),
                _ => Span::raw(""),
            };
            rows.line(text_row(&self.path, t::FILE, focused, width, loaded));
        } else {
            let unit = if self.kind == ValueType::Text {
                " B"
            } else {
                " ch"
            };
            let used = counter(self.text.as_str().len(), MAX_VALUE_BYTES, unit);
            rows.line(value_heading(self.visibility, focused, used, width));
            let reserved = u16::try_from(below.len()).unwrap_or(u16::MAX);
            let box_height = rows.left().saturating_sub(reserved).max(1);
            let area = Rect::new(rows.area.x, rows.y, width, box_height.min(rows.left()));
            value_box(&self.text, self.visibility, focused, area, rows.buf);
            rows.y += area.height;
        }
        rows.lines(below);
    }
}

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

impl ValueType {
    /// The next (or previous) way of giving the value, as the type picker cycles.
    #[must_use]
    pub fn cycled(self, forward: bool) -> Self {
        match (self, forward) {
            (Self::Text, true) | (Self::File, false) => Self::Base64,
            (Self::Base64, true) | (Self::Text, false) => Self::File,
            (Self::File, true) | (Self::Base64, false) => Self::Text,
        }
    }
}

impl Visibility {
    /// `Ctrl+R`: masked becomes revealed and back.
    #[must_use]
    pub fn toggled(self) -> Self {
        match self {
            Self::Masked => Self::Revealed,
            Self::Revealed => Self::Masked,
        }
    }
}

/// The request's `(secret_string, secret_binary)` for the value as given: text, base64 typed,
/// or the file's base64 once loaded (neither until then).
fn request_value(
    kind: ValueType,
    value: &TextField,
    file: &FileLoad,
) -> (Option<Zeroizing<String>>, Option<Zeroizing<String>>) {
    match (kind, file) {
        (ValueType::Text, _) => (Some(value.to_zeroizing()), None),
        (ValueType::Base64, _) => (None, Some(value.to_zeroizing())),
        (ValueType::File, FileLoad::Loaded(b64)) => (None, Some(b64.clone())),
        (ValueType::File, _) => (None, None),
    }
}

/// Why the file named in file mode cannot be used, if that is the value's problem.
fn file_failure(kind: ValueType, file: &FileLoad) -> Option<&str> {
    match (kind, file) {
        (ValueType::File, FileLoad::Failed(why)) => Some(why),
        _ => None,
    }
}

/// After an edit: forgets a loaded file outside file mode, and asks to load the file named when
/// the path changed (or nothing was loaded for it yet).
fn file_after_edit(
    kind: ValueType,
    path: &TextField,
    before_path: usize,
    file: &mut FileLoad,
) -> Option<Effect> {
    if kind != ValueType::File {
        *file = FileLoad::NotYet;
        return None;
    }
    ((path.as_str().len() != before_path || matches!(file, FileLoad::NotYet)) && !path.is_empty())
        .then(|| Effect::LoadFile(path.as_str().to_owned()))
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
