//! Where the passphrase comes from: `CSVAULT_PASSPHRASE`, `--passphrase-file`, or a no-echo prompt.

use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

use crate::csms::{ApiError, ErrorCode};

pub const PASSPHRASE_ENV: &str = "CSVAULT_PASSPHRASE";

/// The passphrase sources the user gave, in order of precedence.
pub struct PassphraseSource {
    env: Option<Zeroizing<String>>,
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
        Self {
            env: std::env::var(PASSPHRASE_ENV).ok().map(Zeroizing::new),
            file: file.map(Path::to_owned),
        }
    }

    /// The passphrase given without asking (environment or file), if any.
    pub fn non_interactive(&self) -> Result<Option<Zeroizing<String>>, ApiError> {
        if let Some(env) = &self.env {
            return Ok(Some(env.clone()));
        }
        match &self.file {
            Some(path) => read_file(path).map(Some),
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

    /// For a new vault: given, or asked twice. Never empty.
    pub fn for_new_vault(&self) -> Result<Zeroizing<String>, ApiError> {
        let passphrase = if let Some(p) = self.non_interactive()? {
            p
        } else {
            let first = prompt("New vault passphrase: ")?;
            let again = prompt("Repeat the passphrase: ")?;
            if *first != *again {
                return Err(ApiError::new(
                    ErrorCode::NoPassphrase,
                    "The two passphrases differ; nothing was created.",
                ));
            }
            first
        };
        if passphrase.is_empty() {
            return Err(ApiError::new(
                ErrorCode::NoPassphrase,
                "The passphrase is empty; nothing was created.",
            ));
        }
        Ok(passphrase)
    }
}

fn read_file(path: &Path) -> Result<Zeroizing<String>, ApiError> {
    let bytes = Zeroizing::new(std::fs::read(path).map_err(|e| {
        ApiError::new(
            ErrorCode::Io,
            format!("Cannot read the passphrase file {}: {e}", path.display()),
        )
    })?);
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
