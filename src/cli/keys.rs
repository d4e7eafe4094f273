//! `csvault key …`: CMKs in the shapes of the KMS API.

use serde_json::json;
use std::process::ExitCode;

use super::KeyCommand;
use super::output::print_json;
use crate::csms::ApiError;
use crate::kms::KeyState;
use crate::vault::Vault;

pub fn run(vault: &mut Vault, cmd: KeyCommand) -> Result<ExitCode, ApiError> {
    let body = match cmd {
        KeyCommand::Create(args) => {
            json!({ "key_info": vault.create_key(&args.alias, &args.description)?.to_json() })
        }
        KeyCommand::List => {
            let keys = vault.list_keys()?;
            json!({
                "key_details": keys.iter().map(|k| k.to_json()).collect::<Vec<_>>(),
                "next_marker": "",
                "truncated": "false",
                "total": keys.len(),
            })
        }
        KeyCommand::Enable { key } => {
            json!({ "key_info": vault.set_key_state(&key, KeyState::Enabled)?.to_json() })
        }
        KeyCommand::Disable { key } => {
            json!({ "key_info": vault.set_key_state(&key, KeyState::Disabled)?.to_json() })
        }
    };
    print_json(&body);
    Ok(ExitCode::SUCCESS)
}
