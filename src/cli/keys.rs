//! `csvault key …`: CMKs in the shapes of the KMS API, each command one operation.

use clap::{Args, Subcommand};
use std::process::ExitCode;

use super::output::print_response;
use crate::csms::op::{CreateKeyRequest, Execute, Request};
use crate::csms::{ApiError, KeyState};

#[allow(
    clippy::doc_markdown,
    reason = "these doc comments are --help text, shown as written"
)]
#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Create a CMK (prints {"key_info": {...}})
    Create(KeyCreateArgs),
    /// List CMKs (prints {"key_details": [...]})
    List,
    /// Enable a CMK, by id or alias
    Enable {
        /// The CMK's id or alias
        key: String,
    },
    /// Disable a CMK, by id or alias
    Disable {
        /// The CMK's id or alias
        key: String,
    },
}

#[allow(
    clippy::doc_markdown,
    reason = "these doc comments are --help text, shown as written"
)]
#[derive(Debug, Args)]
pub struct KeyCreateArgs {
    /// The alias: 1–255 of a–z A–Z 0–9 : / _ - (not ending in /default)
    #[arg(long)]
    pub alias: String,
    /// What the key is for: at most 255 characters
    #[arg(long, default_value = "", allow_hyphen_values = true)]
    pub description: String,
}

pub fn run(vault: &dyn Execute, cmd: KeyCommand) -> Result<ExitCode, ApiError> {
    let request = match cmd {
        KeyCommand::Create(args) => Request::CreateKey(CreateKeyRequest {
            key_alias: args.alias,
            key_description: args.description,
        }),
        KeyCommand::List => Request::ListKeys,
        KeyCommand::Enable { key } => Request::SetKeyState {
            key,
            state: KeyState::Enabled,
        },
        KeyCommand::Disable { key } => Request::SetKeyState {
            key,
            state: KeyState::Disabled,
        },
    };
    print_response(&vault.execute(&request)?)?;
    Ok(ExitCode::SUCCESS)
}
