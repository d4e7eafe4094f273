//! The value field shared by the create and new-version forms: its type (text, base64, a file
//! to load), whether it is drawn, the request fields it makes, and loading a file as base64.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

use crate::tui::action::Effect;
use crate::tui::text::form as t;
use crate::tui::textfield::TextField;

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
pub fn request_value(
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
pub fn file_failure(kind: ValueType, file: &FileLoad) -> Option<&str> {
    match (kind, file) {
        (ValueType::File, FileLoad::Failed(why)) => Some(why),
        _ => None,
    }
}

/// After an edit: forgets a loaded file outside file mode, and asks to load the file named when
/// the path changed (or nothing was loaded for it yet).
pub fn file_after_edit(
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
