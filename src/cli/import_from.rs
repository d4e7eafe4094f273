//! `csvault import [--from FORMAT] PATH`: another tool's export, or csvault's own JSON Lines,
//! through the import pipeline (src/import/pipeline.rs); one report line per item on stderr
//! (JSON Lines, or readable text on a terminal), the summary on stdout.

use std::fmt::Write as _;
use std::io::{IsTerminal, Read};
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use zeroize::Zeroizing;

use super::import::Progress;
use super::output::print_json;
use crate::csms::op::Execute;
use crate::csms::{ApiError, ErrorCode};
use crate::import::pipeline::{Pipeline, ReportLine, Sink, Status};
use crate::import::wiped_read::WipedBufReader;
use crate::import::{Format, SourceItem, SourceOptions};

/// Where a KeePass database's password comes from when `--password-file` is not given.
pub const IMPORT_PASSWORD_ENV: &str = "CSVAULT_IMPORT_PASSWORD";

/// `csvault import`'s arguments.
#[allow(
    clippy::doc_markdown,
    reason = "these doc comments are --help text, shown as written"
)]
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// What PATH is: csvault's JSON Lines (jsonl), a pass store directory (pass), a KeePassXC
    /// database or its CSV export (keepassxc), a Bitwarden JSON export (bitwarden), a
    /// 1Password 1PUX or CSV export (1password), a .env file (dotenv)
    #[arg(
        long = "from",
        value_enum,
        default_value = "jsonl",
        value_name = "FORMAT"
    )]
    pub from: Format,
    /// The file or directory to import (jsonl: - for stdin)
    pub path: PathBuf,
    /// Write nothing: every report line says what would happen
    #[arg(long)]
    pub dry_run: bool,
    /// Read the source's password (a KeePass database's) from this file, else
    /// CSVAULT_IMPORT_PASSWORD, else a hidden prompt
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// A KeePass database's key file
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
}

/// An import whose source is open (before the vault is unlocked: a missing file or a wrong
/// password is said first).
pub struct Prepared {
    input: Input,
    dry_run: bool,
}

enum Input {
    /// The record format, and its size when it is a file.
    Jsonl(Box<dyn Read>, Option<u64>),
    Entries(Box<dyn Iterator<Item = SourceItem>>),
}

/// Opens the source.
///
/// # Errors
/// `VAULT.0007` the path cannot be read or opened as that format (a wrong password too);
/// `CSMS.0002` no password where one is needed and none can be asked for.
pub fn prepare(args: &ImportArgs) -> Result<Prepared, ApiError> {
    let input = match args.from {
        Format::Jsonl => {
            let (reader, size) = open_jsonl(&args.path)?;
            Input::Jsonl(reader, size)
        }
        format => {
            let options = SourceOptions {
                password: source_password(args, format)?,
                key_file: args.key_file.clone(),
            };
            let items = crate::import::source::open(format, &args.path, &options).map_err(|e| {
                ApiError::new(
                    ErrorCode::Io,
                    format!("Cannot import {}: {}", e.location, e.reason),
                )
            })?;
            Input::Entries(items)
        }
    };
    Ok(Prepared {
        input,
        dry_run: args.dry_run,
    })
}

/// Runs the import: exit 1 when any item failed.
///
/// # Errors
/// The input cannot be read, or the vault fails as a whole (busy, storage, the agent gone);
/// the batches done before stay.
pub fn run(vault: &dyn Execute, prepared: Prepared) -> Result<ExitCode, ApiError> {
    let Prepared { input, dry_run } = prepared;
    let size = match &input {
        Input::Jsonl(_, size) => *size,
        Input::Entries(_) => None,
    };
    let mut sink = Report {
        progress: Progress::new(size),
        readable: std::io::stderr().is_terminal(),
        dry_run,
    };
    let pipeline = Pipeline::new(vault, &mut sink, dry_run);
    let summary = match input {
        Input::Jsonl(reader, _) => pipeline.jsonl(WipedBufReader::with_capacity(1 << 16, reader)),
        Input::Entries(items) => pipeline.entries(items),
    };
    sink.progress.finish();
    let summary = summary?;
    print_json(&summary)?;
    Ok(if summary.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn open_jsonl(path: &Path) -> Result<(Box<dyn Read>, Option<u64>), ApiError> {
    if path.as_os_str() == "-" {
        return Ok((Box::new(std::io::stdin().lock()), None));
    }
    let cannot = |e: std::io::Error| {
        ApiError::new(
            ErrorCode::Io,
            format!("Cannot read {}: {e}", path.display()),
        )
    };
    let file = crate::input::open(path).map_err(cannot)?;
    let meta = file.metadata().map_err(cannot)?;
    // A device such as /dev/zero never ends and has no lines.
    if meta.file_type().is_char_device() || meta.file_type().is_block_device() {
        return Err(ApiError::new(
            ErrorCode::Io,
            format!(
                "{} is a device; import reads a file or stdin.",
                path.display()
            ),
        ));
    }
    Ok((Box::new(file), Some(meta.len())))
}

/// The source's password: `--password-file` (one trailing newline dropped), else
/// `CSVAULT_IMPORT_PASSWORD`, else, for a KeePass database, a hidden prompt on a terminal.
fn source_password(
    args: &ImportArgs,
    format: Format,
) -> Result<Option<Zeroizing<String>>, ApiError> {
    if let Some(file) = &args.password_file {
        let mut text = super::input::read_text(file)?;
        for end in ["\n", "\r"] {
            if text.ends_with(end) {
                let kept = text.len() - 1;
                text.truncate(kept);
            }
        }
        return Ok(Some(text));
    }
    if let Some(given) = std::env::var_os(IMPORT_PASSWORD_ENV) {
        let text = given
            .into_string()
            .map_err(|_| ApiError::invalid(format!("{IMPORT_PASSWORD_ENV} is not UTF-8 text.")))?;
        return Ok(Some(Zeroizing::new(text)));
    }
    if !(format == Format::Keepassxc && is_kdbx(&args.path)) {
        return Ok(None);
    }
    if !super::prompt::can_ask() {
        return Err(ApiError::invalid(format!(
            "{} is a KeePass database: give its password with --password-file FILE or {IMPORT_PASSWORD_ENV} (no terminal to ask on).",
            args.path.display()
        )));
    }
    // Ctrl+C at the prompt ends the command once rpassword has put the terminal's echo back.
    let signals = super::prompt::SignalFlags::new(&[signal_hook::consts::SIGINT]);
    let interrupted = signals.flag();
    rpassword::prompt_password(format!("Password of {}: ", args.path.display()))
        .map(|p| Some(Zeroizing::new(p)))
        .map_err(|e| {
            let why = if interrupted.load(std::sync::atomic::Ordering::Relaxed) {
                "Interrupted".to_owned()
            } else {
                format!("Cannot read the password from the terminal: {e}")
            };
            ApiError::new(ErrorCode::Io, format!("{why}; nothing was imported."))
        })
}

/// Whether the file at `path` starts as a KeePass database does (the reader's own test).
fn is_kdbx(path: &Path) -> bool {
    crate::import::source::head(path).is_ok_and(|head| crate::import::keepass::is_keepass(&head))
}

/// The report on stderr: JSON Lines, or on a terminal readable lines under a progress bar.
struct Report {
    progress: Progress,
    readable: bool,
    dry_run: bool,
}

impl Sink for Report {
    fn line(&mut self, line: &ReportLine) {
        let text = if self.readable {
            readable(line, self.dry_run)
        } else {
            serde_json::to_string(line).unwrap_or_default()
        };
        self.progress.line(&text);
    }

    fn progress(&mut self, bytes: Option<u64>, created: u64) {
        self.progress.update(bytes.unwrap_or(0), created);
    }
}

/// A report line for people (hidden characters shown escaped, never sent to the terminal):
/// `created NAME (where)`, `renamed FROM → NAME (where; FROM is
/// entry N (where))`, `skipped NAME (where): already in the vault`, `failed NAME (where): CODE
/// why`; with `--dry-run`, `would create`, ….
pub fn readable(line: &ReportLine, dry_run: bool) -> String {
    let verb = match (line.status, dry_run) {
        (Status::Created, false) => "created",
        (Status::Created, true) => "would create",
        (Status::Renamed, false) => "renamed",
        (Status::Renamed, true) => "would rename",
        (Status::SkippedExisting, false) => "skipped",
        (Status::SkippedExisting, true) => "would skip",
        (Status::Failed, false) => "failed",
        (Status::Failed, true) => "would fail",
    };
    let name = line.name.as_deref().unwrap_or("(no name)");
    let mut place = match (line.line, &line.location) {
        (Some(n), _) => format!("line {n}"),
        (None, Some(location)) => location.clone(),
        (None, None) => String::new(),
    };
    if let Some(file) = &line.attachment {
        let _ = write!(place, ", attachment {file}");
    }
    let mut text = match (&line.renamed_from, line.status) {
        (Some(from), Status::Renamed) => format!("{verb} {from} → {name} ({place}"),
        _ => format!("{verb} {name} ({place}"),
    };
    for other in &line.collides_with {
        if line.renamed_from.is_some() {
            let _ = write!(
                text,
                "; {} is entry {} ({})",
                other.name, other.entry, other.location
            );
        } else {
            let _ = write!(
                text,
                "; entry {} ({}) became {}",
                other.entry, other.location, other.name
            );
        }
    }
    text.push(')');
    match line.status {
        Status::SkippedExisting => text.push_str(": already in the vault"),
        Status::Failed => {
            let _ = write!(
                text,
                ": {} {}",
                line.error_code.unwrap_or(""),
                line.error_msg.as_deref().unwrap_or("")
            );
        }
        Status::Created | Status::Renamed => {}
    }
    for warning in &line.warnings {
        let _ = write!(text, " [{warning}]");
    }
    shown(&text)
}

/// `text` as the terminal app shows it (src/tui/display.rs): every character that could move
/// the cursor, recolour or reorder the terminal written visibly as `⟨U+001B⟩`. A source's
/// titles, paths, attachment names and the reasons its reader gives are the source's text.
fn shown(text: &str) -> String {
    crate::tui::display::pieces(text)
        .into_iter()
        .map(|piece| piece.text)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::pipeline::Collision;

    fn line(status: Status) -> ReportLine {
        ReportLine::for_tests(status)
    }

    #[test]
    fn readable_lines_name_the_entry_the_outcome_and_the_other_entry() {
        let mut renamed = line(Status::Renamed);
        renamed.location = Some("Archive/wifi".into());
        renamed.name = Some("wifi-2".into());
        renamed.renamed_from = Some("wifi".into());
        renamed.collides_with.push(Collision {
            entry: 2,
            location: "wifi".into(),
            name: "wifi".into(),
        });
        assert_eq!(
            readable(&renamed, false),
            "renamed wifi → wifi-2 (Archive/wifi; wifi is entry 2 (wifi))"
        );
        let mut first = line(Status::Created);
        first.location = Some("wifi".into());
        first.name = Some("wifi".into());
        first.collides_with.push(Collision {
            entry: 4,
            location: "Archive/wifi".into(),
            name: "wifi-2".into(),
        });
        assert_eq!(
            readable(&first, true),
            "would create wifi (wifi; entry 4 (Archive/wifi) became wifi-2)"
        );
        let mut failed = line(Status::Failed);
        failed.line = Some(3);
        failed.name = Some("x".into());
        failed.error_code = Some("CSMS.0002");
        failed.error_msg = Some("Invalid tags: bad.".into());
        assert_eq!(
            readable(&failed, false),
            "failed x (line 3): CSMS.0002 Invalid tags: bad."
        );
        let mut skipped = line(Status::SkippedExisting);
        skipped.line = Some(1);
        skipped.name = Some("y".into());
        assert_eq!(
            readable(&skipped, false),
            "skipped y (line 1): already in the vault"
        );
    }

    #[test]
    fn readable_lines_show_the_sources_control_characters_escaped() {
        let mut failed = line(Status::Failed);
        failed.entry = Some(1);
        failed.location = Some("Work/\u{1b}]0;pwned\u{7}title\u{202e}gpj.exe".into());
        failed.attachment = Some("a\u{1b}[2Jb".into());
        failed.error_code = Some("CSMS.0002");
        failed.error_msg = Some("bad\r\nnext".into());
        failed.warnings.push("w\u{9b}31m".into());
        let text = readable(&failed, false);
        assert!(!text.chars().any(crate::hidden::is_hidden), "{text:?}");
        assert_eq!(
            text,
            "failed (no name) (Work/⟨U+001B⟩]0;pwned⟨U+0007⟩title⟨U+202E⟩gpj.exe, attachment a⟨U+001B⟩[2Jb): CSMS.0002 bad⟨U+000D⟩⟨U+000A⟩next [w⟨U+009B⟩31m]"
        );
    }
}
