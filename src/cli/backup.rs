//! `csvault backup PATH [--force]`: a checked whole-vault copy (issue 16), made by the vault (or
//! the agent holding it), so no passphrase is asked again.

use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

use super::output::print_json;
use crate::csms::op::{Execute, Request, Response};
use crate::csms::{ApiError, BackupRequest, ErrorCode};

/// `csvault backup`'s arguments.
#[allow(
    clippy::doc_markdown,
    reason = "these doc comments are --help text, shown as written"
)]
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Where the copy goes (a new file; a symlink there is refused)
    #[arg(value_name = "PATH")]
    pub path: PathBuf,
    /// Replace a file already at PATH
    #[arg(long)]
    pub force: bool,
}

pub fn run(vault: &dyn Execute, args: &BackupArgs) -> Result<ExitCode, ApiError> {
    // The agent that may run it has a working directory of its own.
    let path = std::path::absolute(&args.path).map_err(|e| {
        ApiError::new(
            ErrorCode::Io,
            format!("Cannot resolve {}: {e}", args.path.display()),
        )
    })?;
    let request = Request::BackupVault(BackupRequest {
        path,
        force: args.force,
    });
    match vault.execute(&request)? {
        Response::Backup(report) => {
            print_json(&report)?;
            Ok(ExitCode::SUCCESS)
        }
        _ => Err(crate::csms::op::another_answer()),
    }
}
