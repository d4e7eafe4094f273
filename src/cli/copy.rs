//! `csvault secret copy NAME`: reads a version's value and hands it to the clipboard keeper (a
//! detached `csvault __clipboard-keeper`, `crate::clipboard::keeper`) over a socket, waits for
//! its report, prints a confirmation without the value and returns; the keeper clears later.

use clap::Args;
use std::io::{BufRead, BufReader, Write};
use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::process::{Command, ExitCode, Stdio};
use std::time::Duration;
use zeroize::Zeroizing;

use super::output::print_json;
use super::reference::{self, Reference, Selector};
use crate::clipboard::keeper::Report;
use crate::csms::op::Execute;
use crate::csms::{ApiError, ErrorCode, SecretVersion};

/// `CSVAULT_CLIPBOARD_CLEAR_SECS`: seconds until a copied value is cleared (default 30).
pub const CLEAR_SECS_ENV: &str = "CSVAULT_CLIPBOARD_CLEAR_SECS";
/// The default of [`CLEAR_SECS_ENV`].
pub const DEFAULT_CLEAR_SECS: u64 = 30;
/// The longest wait [`CLEAR_SECS_ENV`] may ask for: an hour.
pub const MAX_CLEAR_SECS: u64 = 3600;
/// The hidden subcommand the keeper runs as.
pub const KEEPER: &str = "__clipboard-keeper";
/// How long the command waits for the keeper's report.
const REPORT_TIMEOUT: Duration = Duration::from_secs(10);

#[allow(
    clippy::doc_markdown,
    reason = "these doc comments are --help text, shown as written"
)]
#[derive(Debug, Args)]
pub struct CopyArgs {
    /// The secret's name
    pub name: String,
    /// A version id (v1, v2, …) or `latest` [default: latest]
    #[arg(long, conflicts_with = "version_stage")]
    pub version_id: Option<String>,
    /// The version a stage names (e.g. SYSPREVIOUS)
    #[arg(long, value_name = "STAGE")]
    pub version_stage: Option<String>,
}

/// Seconds from [`CLEAR_SECS_ENV`]: 1–[`MAX_CLEAR_SECS`], else `CSMS.0002`.
pub fn clear_secs() -> Result<u64, ApiError> {
    let Some(raw) = std::env::var_os(CLEAR_SECS_ENV) else {
        return Ok(DEFAULT_CLEAR_SECS);
    };
    raw.to_str()
        .filter(|s| s.len() <= 20)
        .and_then(|s| s.trim().parse::<u64>().ok())
        .filter(|s| (1..=MAX_CLEAR_SECS).contains(s))
        .ok_or_else(|| {
            ApiError::invalid(format!(
                "{CLEAR_SECS_ENV} must be a whole number of seconds from 1 to {MAX_CLEAR_SECS}."
            ))
        })
}

/// Runs `secret copy`.
pub fn run(vault: &dyn Execute, args: &CopyArgs) -> Result<ExitCode, ApiError> {
    let secs = clear_secs()?;
    let version = read_version(vault, args)?;
    let value = match (&version.secret_string, &version.secret_binary) {
        (Some(text), _) => Zeroizing::new(text.as_bytes().to_vec()),
        (None, Some(b64)) => Zeroizing::new(b64.as_bytes().to_vec()),
        (None, None) => {
            return Err(ApiError::new(
                ErrorCode::Internal,
                "The version holds no value: nothing copied.",
            ));
        }
    };
    let report = hand_over(&value, secs)?;
    drop(value);
    if let Some(error) = report.error {
        return Err(ApiError::new(
            ErrorCode::Io,
            format!("Nothing copied: {error}."),
        ));
    }
    warn(&report, version.secret_binary.is_some());
    print_json(&serde_json::json!({
        "copied": &args.name,
        "version_id": version.version_metadata.id,
        "clears_in_secs": report.clears_in_secs,
        "via": report.via,
        // Over OSC 52 the keeper cannot ask the terminal (the shell has it back), so it clears
        // without checking that the clipboard still holds our value.
        "clear_checked": report.via.as_deref() == Some("clipboard"),
    }))?;
    Ok(ExitCode::SUCCESS)
}

/// The version asked for: by id (default [`crate::csms::LATEST`]), or the one a stage names;
/// read as a reference's ([`reference::read_version`]).
fn read_version(vault: &dyn Execute, args: &CopyArgs) -> Result<SecretVersion, ApiError> {
    let selector = match (&args.version_stage, &args.version_id) {
        (Some(stage), _) => Selector::Stage(stage.clone()),
        (None, Some(id)) => Selector::Version(id.clone()),
        (None, None) => Selector::Current,
    };
    reference::read_version(
        vault,
        &Reference {
            name: args.name.clone(),
            selector,
        },
    )
}

/// Starts the keeper (this binary, [`KEEPER`]), gives it the value over a socket and waits for
/// its report. The keeper's stdout is the terminal (`/dev/tty`, for OSC 52) or nothing; nothing
/// of this process's stdout or stderr is kept open by it.
fn hand_over(value: &[u8], secs: u64) -> Result<Report, ApiError> {
    let failed = |what: &str, e: std::io::Error| {
        ApiError::new(
            ErrorCode::Io,
            format!("Nothing copied: cannot {what} the clipboard keeper: {e}"),
        )
    };
    let (mut ours, theirs) = UnixStream::pair().map_err(|e| failed("reach", e))?;
    let exe = std::env::current_exe().map_err(|e| failed("find", e))?;
    let tty = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/tty")
        .map_or_else(|_| Stdio::null(), Stdio::from);
    let mut command = Command::new(exe);
    command
        .args([KEEPER, "--clear-after-secs", &secs.to_string()])
        .stdin(Stdio::from(OwnedFd::from(theirs)))
        .stdout(tty)
        .stderr(Stdio::null());
    for secret in crate::app::OWN_SECRETS {
        command.env_remove(secret);
    }
    // Not waited for: it outlives this process and is reaped by init.
    let _keeper = command.spawn().map_err(|e| failed("start", e))?;
    ours.write_all(value).map_err(|e| failed("reach", e))?;
    ours.shutdown(std::net::Shutdown::Write)
        .map_err(|e| failed("reach", e))?;
    ours.set_read_timeout(Some(REPORT_TIMEOUT))
        .map_err(|e| failed("reach", e))?;
    let mut line = String::new();
    BufReader::new(std::io::Read::take(ours, 4096))
        .read_line(&mut line)
        .map_err(|e| failed("hear from", e))?;
    serde_json::from_str(&line).map_err(|_| {
        ApiError::new(
            ErrorCode::Io,
            "Nothing copied: the clipboard keeper did not report.",
        )
    })
}

/// What the user should know on stderr: tmux that drops or may keep the value, a binary value
/// copied as base64.
fn warn(report: &Report, binary: bool) {
    let mut notes = Vec::new();
    if binary {
        notes.push("The value is binary: its base64 was copied.".to_owned());
    }
    match report.tmux.as_deref() {
        Some(setting @ ("off" | "external")) => notes.push(format!(
            "Inside tmux with set-clipboard {setting}: tmux drops OSC 52, so the copy may not \
             reach the system clipboard. Turn it on: tmux set -g set-clipboard on"
        )),
        Some("unknown") => notes.push(
            "Inside tmux, whose set-clipboard could not be read: the copy reaches the system \
             clipboard only with set -g set-clipboard on."
                .to_owned(),
        ),
        Some(_) => notes.push(
            "Inside tmux: it keeps the value in a paste buffer, which is deleted when the \
             clipboard is cleared."
                .to_owned(),
        ),
        None => {}
    }
    for note in notes {
        eprintln!("csvault: {note}");
    }
}
