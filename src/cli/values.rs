//! The value flags shared by `secret create` and `secret create-version`.

use clap::Args;
use std::path::PathBuf;
use zeroize::Zeroizing;

use super::input::{read_binary_as_base64, read_text, stdin_twice};
use crate::csms::ApiError;

#[allow(
    clippy::doc_markdown,
    reason = "these doc comments are --help text, shown as written"
)]
#[allow(
    clippy::struct_field_names,
    reason = "the field names are the flags, which are the API's field names"
)]
#[derive(Debug, Args)]
pub struct ValueArgs {
    /// The value as text (visible to other local users in the process list: prefer a file)
    #[arg(long, value_name = "S", allow_hyphen_values = true)]
    pub secret_string: Option<String>,
    /// Read the text value from PATH (- for stdin), byte for byte
    #[arg(long, value_name = "PATH")]
    pub secret_string_file: Option<PathBuf>,
    /// The value as base64 (visible to other local users in the process list: prefer a file)
    #[arg(long, value_name = "B64", allow_hyphen_values = true)]
    pub secret_binary: Option<String>,
    /// Read raw bytes from PATH (- for stdin); they are base64-encoded into secret_binary
    #[arg(long, value_name = "PATH")]
    pub secret_binary_file: Option<PathBuf>,
    /// Write the text value in $VISUAL, else $EDITOR, else vi, on a private file that is
    /// wiped and removed afterwards (not the editor's own swap, undo or backup files kept
    /// elsewhere: turn those off for it); one trailing newline is removed. Without any value
    /// option on a terminal, the value is asked for hidden, twice
    #[arg(long, conflicts_with_all = [
        "secret_string", "secret_string_file", "secret_binary", "secret_binary_file"
    ])]
    pub edit: bool,
}

/// `secret_string` and `secret_binary` as a request carries them.
pub type RequestValue = (Option<Zeroizing<String>>, Option<Zeroizing<String>>);

impl ValueArgs {
    /// Reads the files the flags name, or the editor's file (`--edit`), or with no value
    /// option on a terminal asks for the value hidden, twice. Both kinds given (or none, off a
    /// terminal) reach the vault as such: it answers `CSMS.0002` like the API. `CSMS.0002` for a
    /// kind given inline and from a file.
    pub fn read(self) -> Result<RequestValue, ApiError> {
        if self.edit {
            return Ok((Some(super::edit::value_from_editor()?), None));
        }
        let none_given = self.secret_string.is_none()
            && self.secret_string_file.is_none()
            && self.secret_binary.is_none()
            && self.secret_binary_file.is_none();
        if none_given && super::prompt::can_ask() {
            return Ok((Some(super::prompt::value_twice()?), None));
        }
        let stdin_uses = [&self.secret_string_file, &self.secret_binary_file]
            .iter()
            .filter(|p| p.as_deref().is_some_and(|p| p.as_os_str() == "-"))
            .count();
        if stdin_uses > 1 {
            return Err(stdin_twice());
        }
        let secret_string = match (self.secret_string, &self.secret_string_file) {
            (Some(_), Some(_)) => return Err(one_source("secret_string")),
            (Some(s), None) => Some(Zeroizing::new(s)),
            (None, Some(path)) => Some(read_text(path)?),
            (None, None) => None,
        };
        let secret_binary = match (self.secret_binary, &self.secret_binary_file) {
            (Some(_), Some(_)) => return Err(one_source("secret_binary")),
            (Some(b), None) => Some(Zeroizing::new(b)),
            (None, Some(path)) => Some(read_binary_as_base64(path)?),
            (None, None) => None,
        };
        Ok((secret_string, secret_binary))
    }
}

fn one_source(field: &str) -> ApiError {
    ApiError::invalid(format!(
        "Invalid {field}: give it inline or from a file, not both."
    ))
}
