//! Where the passphrase comes from: `CSVAULT_PASSPHRASE`, `--passphrase-file`, or a no-echo prompt.

use std::os::unix::ffi::OsStringExt;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

use crate::csms::{ApiError, ErrorCode};
use crate::input::{ReadError, read_bounded};
use crate::vault::new_passphrase_problem;

pub const PASSPHRASE_ENV: &str = "CSVAULT_PASSPHRASE";
/// Where `change-passphrase` looks first for the new passphrase.
pub const NEW_PASSPHRASE_ENV: &str = "CSVAULT_NEW_PASSPHRASE";
/// No passphrase is longer, in bytes: a file or variable holding more is a mistake, not a key.
pub const MAX_PASSPHRASE_BYTES: u64 = 1024;

/// What `CSVAULT_PASSPHRASE` holds.
enum EnvPassphrase {
    Unset,
    Set(Zeroizing<String>),
    /// Set, but not UTF-8 (our copy already wiped).
    NotUtf8,
}

/// The passphrase sources the user gave, in order of precedence.
pub struct PassphraseSource {
    env_name: &'static str,
    env: EnvPassphrase,
    file: Option<PathBuf>,
}

fn no_passphrase() -> ApiError {
    ApiError::new(
        ErrorCode::NoPassphrase,
        format!(
            "No passphrase: set {PASSPHRASE_ENV}, give --passphrase-file PATH, or run in a terminal to be prompted."
        ),
    )
}

impl PassphraseSource {
    pub fn from_env_and_file(file: Option<&Path>) -> Self {
        Self::named(PASSPHRASE_ENV, file)
    }

    /// The sources of a new passphrase: `CSVAULT_NEW_PASSPHRASE`, `--new-passphrase-file`.
    pub fn for_change(file: Option<&Path>) -> Self {
        Self::named(NEW_PASSPHRASE_ENV, file)
    }

    fn named(env_name: &'static str, file: Option<&Path>) -> Self {
        let env = match std::env::var_os(env_name) {
            None => EnvPassphrase::Unset,
            Some(value) => match value.into_string() {
                Ok(text) => EnvPassphrase::Set(Zeroizing::new(text)),
                Err(raw) => {
                    drop(Zeroizing::new(raw.into_vec()));
                    EnvPassphrase::NotUtf8
                }
            },
        };
        Self {
            env_name,
            env,
            file: file.map(Path::to_owned),
        }
    }

    /// The passphrase given without asking (environment or file), if any. `VAULT.0004` when
    /// `CSVAULT_PASSPHRASE` is not UTF-8 or longer than [`MAX_PASSPHRASE_BYTES`]; `VAULT.0007`
    /// when the file cannot be read.
    pub fn non_interactive(&self) -> Result<Option<Zeroizing<String>>, ApiError> {
        match &self.env {
            EnvPassphrase::Set(env) if env.len() as u64 > MAX_PASSPHRASE_BYTES => {
                return Err(ApiError::new(
                    ErrorCode::NoPassphrase,
                    format!(
                        "{} is longer than {MAX_PASSPHRASE_BYTES} bytes.",
                        self.env_name
                    ),
                ));
            }
            EnvPassphrase::Set(env) if env.is_empty() => {
                return Err(ApiError::new(
                    ErrorCode::NoPassphrase,
                    format!("{} is set but empty.", self.env_name),
                ));
            }
            EnvPassphrase::Set(env) => return Ok(Some(env.clone())),
            EnvPassphrase::NotUtf8 => {
                return Err(ApiError::new(
                    ErrorCode::NoPassphrase,
                    format!("{} is set but is not UTF-8 text.", self.env_name),
                ));
            }
            EnvPassphrase::Unset => {}
        }
        match &self.file {
            Some(path) => {
                let passphrase = read_file(path)?;
                if passphrase.is_empty() {
                    return Err(ApiError::new(
                        ErrorCode::NoPassphrase,
                        format!("The passphrase file {} is empty.", path.display()),
                    ));
                }
                Ok(Some(passphrase))
            }
            None => Ok(None),
        }
    }

    /// For unlocking: given, or asked once.
    pub fn for_existing_vault(&self) -> Result<Zeroizing<String>, ApiError> {
        match self.non_interactive()? {
            Some(p) => Ok(p),
            None => prompt("Vault passphrase: "),
        }
    }

    /// For a new vault: given, or asked twice. At least 8 characters (`VAULT.0004`).
    pub fn for_new_vault(&self) -> Result<Zeroizing<String>, ApiError> {
        self.new_passphrase("New vault passphrase: ", "nothing was created")
    }

    /// For `change-passphrase`: given, or asked twice. At least 8 characters (`VAULT.0004`).
    pub fn for_changed(&self) -> Result<Zeroizing<String>, ApiError> {
        self.new_passphrase("New passphrase: ", "nothing was changed")
    }

    fn new_passphrase(&self, label: &str, outcome: &str) -> Result<Zeroizing<String>, ApiError> {
        let passphrase = if let Some(p) = self.non_interactive()? {
            p
        } else {
            let first = prompt(label)?;
            let again = prompt("Repeat the passphrase: ")?;
            if *first != *again {
                return Err(ApiError::new(
                    ErrorCode::NoPassphrase,
                    format!("The two passphrases differ; {outcome}."),
                ));
            }
            first
        };
        if let Some(problem) = new_passphrase_problem(&passphrase) {
            return Err(ApiError::new(
                ErrorCode::NoPassphrase,
                format!("The passphrase {problem}; {outcome}."),
            ));
        }
        Ok(passphrase)
    }
}

fn read_file(path: &Path) -> Result<Zeroizing<String>, ApiError> {
    let bytes = read_bounded(path, MAX_PASSPHRASE_BYTES + 2).map_err(|e| match e {
        ReadError::Io(e) => ApiError::new(
            ErrorCode::Io,
            format!("Cannot read the passphrase file {}: {e}", path.display()),
        ),
        ReadError::TooLarge(_) => ApiError::new(
            ErrorCode::NoPassphrase,
            format!(
                "The passphrase file {} is longer than {MAX_PASSPHRASE_BYTES} bytes.",
                path.display()
            ),
        ),
    })?;
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        ApiError::new(
            ErrorCode::NoPassphrase,
            "The passphrase file is not UTF-8 text.",
        )
    })?;
    // One trailing newline is how editors and `echo` end a file, not part of the passphrase.
    let text = text.strip_suffix('\n').unwrap_or(text);
    let text = text.strip_suffix('\r').unwrap_or(text);
    Ok(Zeroizing::new(text.to_owned()))
}

fn prompt(label: &str) -> Result<Zeroizing<String>, ApiError> {
    rpassword::prompt_password(label)
        .map(Zeroizing::new)
        .map_err(|_| no_passphrase())
}
