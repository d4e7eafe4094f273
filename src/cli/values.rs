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
}

/// `secret_string` and `secret_binary` as a request carries them.
pub type RequestValue = (Option<Zeroizing<String>>, Option<Zeroizing<String>>);

impl ValueArgs {
    /// Reads the files the flags name. Both kinds given (or none) reach the vault as such: it
    /// answers `CSMS.0002` like the API. `CSMS.0002` for a kind given inline and from a file.
    pub fn read(self) -> Result<RequestValue, ApiError> {
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
