//! `csvault export`: every secret in plaintext, as issue 16's JSON Lines records or Bitwarden's
//! unencrypted JSON, page by page (memory bounded whatever the vault's size), never to a
//! terminal, into a file that is 0600 from its creation and appears only once complete.

mod bitwarden;
mod sink;

use clap::{Args, ValueEnum};
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use super::output::{print_json, print_warning};
use super::prompt::SignalFlags;
use crate::csms::op::{Execute, Request, Response};
use crate::csms::{ApiError, ErrorCode, ExportPage};
use crate::wiped::render_exact;
use std::sync::atomic::Ordering;

/// Secrets per request: each page is one snapshot and one agent frame (at most 64 MiB). A
/// value is at most 32 KiB of text (up to 6 bytes of JSON a byte, escaped): 100 current values,
/// or 10 secrets of 20 versions each, stay well inside a frame.
const PAGE: usize = 100;
const PAGE_ALL_VERSIONS: usize = 10;

/// The CMK every vault makes itself; any other alias an export names must be created in the
/// vault it is imported into first.
const DEFAULT_CMK: &str = "csms/default";

/// What the export is written as.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// csvault's own JSON Lines: one record per secret, what `csvault import` reads
    #[default]
    Jsonl,
    /// Bitwarden's unencrypted JSON export, for Bitwarden's importer
    Bitwarden,
}

/// `csvault export`'s arguments.
#[allow(
    clippy::doc_markdown,
    reason = "these doc comments are --help text, shown as written"
)]
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Every version of each secret, with its stages and expiry (else the SYSCURRENT value)
    #[arg(long)]
    pub all_versions: bool,
    /// Write to this file (0600, made complete or not at all) instead of stdout
    #[arg(
        short = 'o',
        long = "out-file",
        alias = "output-file",
        value_name = "FILE"
    )]
    pub file: Option<PathBuf>,
    /// jsonl (csvault's records) or bitwarden (Bitwarden's unencrypted JSON export)
    #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl, value_name = "FORMAT")]
    pub format: ExportFormat,
    /// Do not ask for confirmation on a terminal
    #[arg(long)]
    pub yes: bool,
    /// Replace FILE if it exists
    #[arg(long, requires = "file")]
    pub force: bool,
    /// The vault's path (set by the caller, not a flag): FILE may never be it or its sidecars.
    #[arg(skip)]
    pub vault: PathBuf,
}

/// What `export` prints once done (stdout with `-o`, else stderr).
#[derive(serde::Serialize)]
struct Summary {
    exported: u64,
    /// Secrets pending deletion, not exported.
    left_out_pending_deletion: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<String>,
    format: &'static str,
}

pub fn run(vault: &dyn Execute, args: &ExportArgs) -> Result<ExitCode, ApiError> {
    if args.file.is_none() && std::io::stdout().is_terminal() {
        return Err(ApiError::invalid(
            "export writes every value in plaintext and never to a terminal: give -o FILE, \
             or redirect stdout to a file.",
        ));
    }
    if args.all_versions && args.format == ExportFormat::Bitwarden {
        return Err(ApiError::invalid(
            "--all-versions is for the jsonl format only: a Bitwarden item holds one value.",
        ));
    }
    let target = match &args.file {
        Some(path) => Some(sink::Target::check(path, args.force, &args.vault)?),
        None => None,
    };
    if !args.yes && std::io::stdin().is_terminal() && !confirm(args)? {
        return Err(ApiError::invalid(
            "Nothing was exported (not confirmed; --yes skips the question).",
        ));
    }
    let mut out = match &target {
        Some(t) => sink::Sink::file(t)?,
        None => sink::Sink::stdout()?,
    };
    let interrupt = Interrupt::new(&out);
    let mut writer = match args.format {
        ExportFormat::Jsonl => Writer::Jsonl,
        ExportFormat::Bitwarden => Writer::Bitwarden(bitwarden::Writer::default()),
    };
    writer.begin(&mut out)?;
    let mut marker: Option<String> = None;
    // The custom CMKs the records name (aliases; by name, for a stable message).
    let mut custom_cmks = std::collections::BTreeSet::new();
    let mut summary = Summary {
        exported: 0,
        left_out_pending_deletion: 0,
        file: target.as_ref().map(|t| t.path().display().to_string()),
        format: match args.format {
            ExportFormat::Jsonl => "jsonl",
            ExportFormat::Bitwarden => "bitwarden",
        },
    };
    loop {
        interrupt.check()?;
        let page = next_page(vault, marker.take(), args.all_versions)?;
        summary.left_out_pending_deletion += page.pending_deletion as u64;
        for record in &page.records {
            if let Some(alias) = record.kms_key_id.as_deref().filter(|a| *a != DEFAULT_CMK)
                && !custom_cmks.contains(alias)
            {
                custom_cmks.insert(alias.to_owned());
            }
            writer.record(&mut out, record)?;
            summary.exported += 1;
            interrupt.check()?;
        }
        match page.next_marker {
            Some(next) => marker = Some(next),
            None => break,
        }
    }
    writer.end(&mut out)?;
    interrupt.check()?;
    out.finish()?;
    drop(interrupt);
    warn(&summary, &custom_cmks);
    if target.is_some() {
        print_json(&summary)?;
    } else {
        let line = serde_json::to_string(&summary)
            .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?;
        eprintln!("{line}");
    }
    Ok(ExitCode::SUCCESS)
}

/// What stderr says once done: secrets left out, and the custom CMKs to create before an
/// import.
fn warn(summary: &Summary, cmks: &std::collections::BTreeSet<String>) {
    if summary.left_out_pending_deletion > 0 {
        print_warning(&serde_json::json!({
            "warning": format!(
                "{} secret(s) pending deletion were left out of the export.",
                summary.left_out_pending_deletion
            ),
        }));
    }
    if !cmks.is_empty() {
        let aliases: Vec<&str> = cmks.iter().map(String::as_str).collect();
        print_warning(&serde_json::json!({
            "warning": format!(
                "The export uses the custom CMK(s) {}: create each in the vault you import into \
                 first (csvault key create --alias ALIAS), or the import fails each secret under \
                 a missing one.",
                aliases.join(", ")
            ),
        }));
    }
}

/// Where the file has a temporary name (no `O_TMPFILE` there), SIGINT, SIGTERM and SIGHUP only
/// note it meanwhile: the export stops and the file is removed, not left half-written.
struct Interrupt(Option<SignalFlags>);

impl Interrupt {
    fn new(out: &sink::Sink) -> Self {
        Self(out.is_named().then(|| {
            SignalFlags::new(&[
                signal_hook::consts::SIGINT,
                signal_hook::consts::SIGTERM,
                signal_hook::consts::SIGHUP,
            ])
        }))
    }

    /// Errors: `VAULT.0007` once one of the signals came.
    fn check(&self) -> Result<(), ApiError> {
        if self
            .0
            .as_ref()
            .is_some_and(|s| s.flag().load(Ordering::Relaxed))
        {
            return Err(ApiError::new(
                ErrorCode::Io,
                "Interrupted; nothing was exported (the unfinished file was removed).",
            ));
        }
        Ok(())
    }
}

fn next_page(
    vault: &dyn Execute,
    marker: Option<String>,
    all_versions: bool,
) -> Result<ExportPage, ApiError> {
    match vault.execute(&Request::ExportSecrets {
        marker,
        limit: Some(if all_versions {
            PAGE_ALL_VERSIONS
        } else {
            PAGE
        }),
        all_versions,
    })? {
        Response::ExportPage(page) => Ok(page),
        _ => Err(crate::csms::op::another_answer()),
    }
}

/// Asks on the terminal (stderr, then a line of stdin) whether to write the plaintext.
fn confirm(args: &ExportArgs) -> Result<bool, ApiError> {
    let whither = args
        .file
        .as_ref()
        .map_or_else(|| "stdout".to_owned(), |f| f.display().to_string());
    eprint!(
        "csvault: export writes every secret's value in plaintext to {whither}. Continue? [y/N] "
    );
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| ApiError::new(ErrorCode::Io, format!("Cannot read the answer: {e}")))?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes"))
}

/// The format's framing around the records.
enum Writer {
    Jsonl,
    Bitwarden(bitwarden::Writer),
}

impl Writer {
    fn begin(&mut self, out: &mut sink::Sink) -> Result<(), ApiError> {
        match self {
            Self::Jsonl => Ok(()),
            Self::Bitwarden(_) => bitwarden::Writer::begin(out),
        }
    }

    fn record(
        &mut self,
        out: &mut sink::Sink,
        record: &crate::csms::SecretRecord,
    ) -> Result<(), ApiError> {
        match self {
            Self::Jsonl => {
                // Exactly its size: a buffer that grew would leave unwiped copies behind.
                let line = render_exact(|buf| {
                    serde_json::to_writer(&mut *buf, record)?;
                    buf.write_all(b"\n")
                })
                .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?;
                out.write(&line)
            }
            Self::Bitwarden(w) => w.record(out, record),
        }
    }

    fn end(&mut self, out: &mut sink::Sink) -> Result<(), ApiError> {
        match self {
            Self::Jsonl => Ok(()),
            Self::Bitwarden(w) => w.end(out),
        }
    }
}
