//! `csvault secret …`: create, list, show, get-value, import.

use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;
use zeroize::Zeroizing;

use super::SecretCommand;
use super::input::{read_binary_as_base64, read_bounded, read_text};
use super::output::{print_json, print_sensitive_json};
use crate::csms::{
    ApiError, CreateSecretRequest, DEFAULT_KEY_ALIAS, SecretResponse, VersionResponse,
};
use crate::vault::Vault;

#[allow(
    clippy::doc_markdown,
    reason = "these doc comments are --help text, shown as written"
)]
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The API's JSON request body, from FILE or - (stdin); excludes the other options
    #[arg(long, value_name = "FILE", conflicts_with_all = [
        "name", "kms_key_id", "description", "secret_string", "secret_string_file",
        "secret_binary", "secret_binary_file"
    ])]
    pub request: Option<PathBuf>,
    /// Secret name: 1–64 of a–z A–Z 0–9 . _ -
    #[arg(long, required_unless_present = "request")]
    pub name: Option<String>,
    /// CMK id or alias [default: csms/default]
    #[arg(long, value_name = "ID|ALIAS")]
    pub kms_key_id: Option<String>,
    /// At most 2,048 bytes
    #[arg(long, allow_hyphen_values = true)]
    pub description: Option<String>,
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

pub fn run(vault: &Vault, cmd: SecretCommand) -> Result<ExitCode, ApiError> {
    match cmd {
        SecretCommand::Create(args) => {
            let req = build_request(vault, args)?;
            let secret = vault.create_secret(&req)?;
            print_json(&SecretResponse { secret })?;
        }
        SecretCommand::List { limit, marker } => {
            print_json(&vault.list_secrets(Some(limit), marker.as_deref())?)?;
        }
        SecretCommand::Show { name } => {
            print_json(&SecretResponse {
                secret: vault.show_secret(&name)?,
            })?;
        }
        SecretCommand::GetValue { name, version_id } => {
            let version = vault.get_value(&name, &version_id)?;
            let len = version
                .secret_string
                .as_ref()
                .or(version.secret_binary.as_ref())
                .map_or(0, |v| v.len());
            print_sensitive_json(&VersionResponse { version }, len)?;
        }
        SecretCommand::Import { file } => return super::import::run(vault, &file),
    }
    Ok(ExitCode::SUCCESS)
}

fn build_request(vault: &Vault, args: CreateArgs) -> Result<CreateSecretRequest, ApiError> {
    if let Some(path) = &args.request {
        return CreateSecretRequest::from_json(&read_bounded(path)?);
    }
    let stdin_uses = [&args.secret_string_file, &args.secret_binary_file]
        .iter()
        .filter(|p| p.as_deref().is_some_and(|p| p.as_os_str() == "-"))
        .count();
    if stdin_uses > 1 {
        return Err(super::input::stdin_twice());
    }
    // Both value kinds given (or none) reach the vault as such: it answers CSMS.0002 like the API.
    let secret_string = match (args.secret_string, &args.secret_string_file) {
        (Some(_), Some(_)) => return Err(one_source("secret_string")),
        (Some(s), None) => Some(Zeroizing::new(s)),
        (None, Some(path)) => Some(read_text(path)?),
        (None, None) => None,
    };
    let secret_binary = match (args.secret_binary, &args.secret_binary_file) {
        (Some(_), Some(_)) => return Err(one_source("secret_binary")),
        (Some(b), None) => Some(Zeroizing::new(b)),
        (None, Some(path)) => Some(read_binary_as_base64(path)?),
        (None, None) => None,
    };
    // The request carries a key id; an alias is looked up. An unknown value goes through as given
    // so the vault answers CSMS.0401 for it, as the cloud would.
    // The default key's alias means "the default key", which the vault creates on first use.
    let kms_key_id = args
        .kms_key_id
        .map(|given| match vault.find_key(&given) {
            Ok(key) => Ok(Some(key.key_id)),
            Err(_) if given == DEFAULT_KEY_ALIAS => Ok(None),
            // Not an id in form either: an alias this vault does not have.
            Err(e) if given.contains('/') || given.contains(':') => Err(e),
            Err(_) => Ok(Some(given)),
        })
        .transpose()?
        .flatten();
    Ok(CreateSecretRequest {
        name: args.name.unwrap_or_default(),
        kms_key_id,
        description: args.description,
        secret_string,
        secret_binary,
        ..CreateSecretRequest::default()
    })
}

fn one_source(field: &str) -> ApiError {
    ApiError::invalid(format!(
        "Invalid {field}: give it inline or from a file, not both."
    ))
}
