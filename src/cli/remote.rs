//! `csvault remote add|list|remove` (issue 17): CSMS remotes to push to, pull from and sync
//! with. What `add` is given (the endpoint policy, the SK, the CA file) is read and checked
//! before the vault is unlocked; the SK never comes from the command line.

use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use zeroize::Zeroizing;

use super::input::read_text_bounded;
use super::output::{print_json, print_listing};
use super::prompt;
use super::table;
use crate::csms::op::{Execute, Request, Response};
use crate::csms::{ApiError, ErrorCode, RemoteInfo, RemoteSpec};
use crate::vault::{
    MAX_CA_PEM_BYTES, MAX_SECRET_KEY_BYTES, check_remote_endpoints, check_remote_name,
    check_remote_spec,
};

/// `CSVAULT_REMOTE_SK`: the secret key `remote add` stores (first of its sources).
pub const REMOTE_SK_ENV: &str = "CSVAULT_REMOTE_SK";

/// The command's texts.
mod text {
    pub const SK_PROMPT: &str = "Secret key (SK) of the remote (hidden): ";
    pub const NO_SK: &str = "No secret key: set CSVAULT_REMOTE_SK, give --secret-key-file PATH, \
                             or run in a terminal to be prompted.";
    pub const SK_ENV_EMPTY: &str = "CSVAULT_REMOTE_SK is set but empty.";
    pub const SK_ENV_NOT_UTF8: &str = "CSVAULT_REMOTE_SK is set but is not UTF-8 text.";
    pub const SK_TYPED_EMPTY: &str = "No secret key was typed; nothing was stored.";
    pub const INTERRUPTED: &str = "Interrupted; nothing was stored.";
}

#[allow(
    clippy::doc_markdown,
    reason = "these doc comments are --help text, shown as written"
)]
#[derive(Debug, Subcommand)]
pub enum RemoteCommand {
    /// Add a CSMS remote (Huawei Cloud, or another csvault's serve) and print it ({"name",
    /// "endpoint", "project_id", "region", "iam_endpoint", "access_key", "has_ca",
    /// "create_time", "last_sync_time"}; never the SK)
    ///
    /// The SK comes from CSVAULT_REMOTE_SK, else --secret-key-file, else a hidden prompt on a
    /// terminal; it is kept sealed in the vault. Off loopback the endpoint must be https (refused
    /// before anything else). Without --project-id, the client looks it up through IAM.
    ///
    /// Example: csvault remote add cloud --endpoint https://csms.cn-north-4.myhuaweicloud.com
    /// --region cn-north-4 --access-key AK --secret-key-file sk.txt
    Add(RemoteAddArgs),
    /// List the remotes (prints {"remotes": [...]}; never an SK)
    List,
    /// Remove a remote and its sync state (prints nothing); nothing changes on the remote
    Remove {
        /// The remote's name
        name: String,
    },
}

#[allow(
    clippy::doc_markdown,
    reason = "these doc comments are --help text, shown as written"
)]
#[derive(Debug, Args)]
pub struct RemoteAddArgs {
    /// The remote's name: 1–64 of a–z A–Z 0–9 . _ -
    pub name: String,
    /// The CSMS endpoint: https://HOST[:PORT] (http:// only on loopback)
    #[arg(long, value_name = "URL")]
    pub endpoint: String,
    /// The project id (else looked up through IAM by region)
    #[arg(long, value_name = "ID")]
    pub project_id: Option<String>,
    /// The region, e.g. cn-north-4
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// IAM's endpoint for the project lookup [default: https://iam.REGION.myhuaweicloud.com]
    #[arg(long, value_name = "URL")]
    pub iam_endpoint: Option<String>,
    /// The access key (AK) requests are signed with
    #[arg(long, value_name = "AK")]
    pub access_key: String,
    /// Read the SK from this file (one trailing newline is dropped), when CSVAULT_REMOTE_SK is
    /// not set
    #[arg(long, value_name = "PATH")]
    pub secret_key_file: Option<PathBuf>,
    /// Trust these CA certificates (PEM) too, besides the system's
    #[arg(long, value_name = "PEM")]
    pub ca_file: Option<PathBuf>,
}

/// A `remote` command with everything it needs read and checked, ready to run on the vault.
pub enum Prepared {
    Add(RemoteSpec),
    List,
    Remove(String),
}

/// Reads and checks what `remote add` is given, before any vault is unlocked: the name and the
/// endpoint policy first (`SYNC.0005`, before the SK is asked for), then the CA file and the SK,
/// then the whole remote (`vault::check_remote_spec`).
pub fn prepare(cmd: RemoteCommand) -> Result<Prepared, ApiError> {
    let args = match cmd {
        RemoteCommand::Add(args) => args,
        RemoteCommand::List => return Ok(Prepared::List),
        RemoteCommand::Remove { name } => return Ok(Prepared::Remove(name)),
    };
    let mut spec = RemoteSpec {
        name: args.name,
        endpoint: args.endpoint,
        project_id: args.project_id,
        region: args.region,
        iam_endpoint: args.iam_endpoint,
        access_key: args.access_key,
        secret_key: Zeroizing::new(String::new()),
        ca_pem: None,
    };
    check_remote_name(&spec.name)?;
    check_remote_endpoints(&spec)?;
    spec.ca_pem = args
        .ca_file
        .as_deref()
        .map(|path| read_text_bounded(path, MAX_CA_PEM_BYTES as u64))
        .transpose()?;
    spec.secret_key = secret_key(args.secret_key_file.as_deref())?;
    check_remote_spec(&spec)?;
    Ok(Prepared::Add(spec))
}

/// The SK: `CSVAULT_REMOTE_SK`, else the file, else asked hidden on a terminal. `VAULT.0004`
/// when none can be had; `CSMS.0002` for a file over the SK's limit or not UTF-8.
fn secret_key(file: Option<&Path>) -> Result<Zeroizing<String>, ApiError> {
    use std::os::unix::ffi::OsStringExt;
    if let Some(value) = std::env::var_os(REMOTE_SK_ENV) {
        let text = value.into_string().map_err(|raw| {
            drop(Zeroizing::new(raw.into_vec()));
            ApiError::new(ErrorCode::NoPassphrase, text::SK_ENV_NOT_UTF8)
        })?;
        let text = Zeroizing::new(text);
        if text.is_empty() {
            return Err(ApiError::new(ErrorCode::NoPassphrase, text::SK_ENV_EMPTY));
        }
        return Ok(text);
    }
    if let Some(path) = file {
        return secret_key_file(path);
    }
    if !prompt::can_ask() {
        return Err(ApiError::new(ErrorCode::NoPassphrase, text::NO_SK));
    }
    let typed = prompt::hidden_once(text::SK_PROMPT, text::INTERRUPTED)?;
    if typed.is_empty() {
        return Err(ApiError::new(ErrorCode::NoPassphrase, text::SK_TYPED_EMPTY));
    }
    Ok(typed)
}

/// The SK in `path`: UTF-8, at most [`MAX_SECRET_KEY_BYTES`] once one trailing newline (`\n` or
/// `\r\n`) is dropped.
fn secret_key_file(path: &Path) -> Result<Zeroizing<String>, ApiError> {
    let limit = MAX_SECRET_KEY_BYTES as u64 + 2;
    let bytes = crate::input::read_bounded(path, limit).map_err(|e| match e {
        crate::input::ReadError::Io(e) => ApiError::new(
            ErrorCode::Io,
            format!("Cannot read {}: {e}", path.display()),
        ),
        crate::input::ReadError::TooLarge(_) => ApiError::invalid(format!(
            "Invalid secret key: {} holds more than {MAX_SECRET_KEY_BYTES} bytes.",
            path.display()
        )),
    })?;
    let mut end = bytes.len();
    if bytes[..end].ends_with(b"\n") {
        end -= 1;
        if bytes[..end].ends_with(b"\r") {
            end -= 1;
        }
    }
    let text = std::str::from_utf8(&bytes[..end]).map_err(|_| {
        ApiError::invalid(format!(
            "Invalid secret key: {} is not UTF-8 text.",
            path.display()
        ))
    })?;
    Ok(Zeroizing::new(text.to_owned()))
}

/// Runs a prepared `remote` command on the vault (or the agent holding it).
pub fn run(vault: &dyn Execute, prepared: Prepared) -> Result<ExitCode, ApiError> {
    match prepared {
        Prepared::Add(spec) => match vault.execute(&Request::AddRemote(spec))? {
            Response::Remote(info) => print_json(&info)?,
            _ => return Err(another_answer()),
        },
        Prepared::List => match vault.execute(&Request::ListRemotes)? {
            Response::Remotes(remotes) => {
                let body = RemoteList { remotes };
                print_listing(&body, |times, max| {
                    table::remotes(&body.remotes, times, max)
                })?;
            }
            _ => return Err(another_answer()),
        },
        Prepared::Remove(name) => {
            vault.execute(&Request::RemoveRemote { name })?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `remote list`'s body.
#[derive(serde::Serialize)]
struct RemoteList {
    remotes: Vec<RemoteInfo>,
}

fn another_answer() -> ApiError {
    crate::csms::op::another_answer()
}
