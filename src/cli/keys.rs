//! `csvault key …`: CMKs in the shapes of the KMS API.

use std::process::ExitCode;

use super::KeyCommand;
use super::output::print_json;
use crate::csms::{ApiError, KeyResponse, KeyState, ListKeysResponse};
use crate::vault::Vault;

pub fn run(vault: &Vault, cmd: KeyCommand) -> Result<ExitCode, ApiError> {
    let key_info = match cmd {
        KeyCommand::Create(args) => vault.create_key(&args.alias, &args.description)?,
        KeyCommand::List => {
            print_json(&ListKeysResponse::new(vault.list_keys()?))?;
            return Ok(ExitCode::SUCCESS);
        }
        KeyCommand::Enable { key } => vault.set_key_state(&key, KeyState::Enabled)?,
        KeyCommand::Disable { key } => vault.set_key_state(&key, KeyState::Disabled)?,
    };
    print_json(&KeyResponse { key_info })?;
    Ok(ExitCode::SUCCESS)
}
