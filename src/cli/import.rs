//! `csvault secret import`: JSON Lines of create-secret bodies, created in batches, with progress.

use serde::Serialize;
use std::collections::HashMap;
use std::io::{BufRead, IsTerminal, Read, Write};
use std::os::unix::fs::FileTypeExt;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use super::output::print_json;
use crate::csms::op::{
    BatchImportSecretsRequest, Execute, ImportEntry, ImportOutcome, KeyLookup, Request, Response,
};
use crate::csms::{ApiError, CreateSecretRequest, ErrorCode};
use crate::import::pipeline::lost_outcome;

/// Requests per transaction: a crash loses at most this many, already-created names are skipped on
/// a re-run.
pub const BATCH_SIZE: usize = 2000;
const MAX_LINE_BYTES: u64 = super::input::MAX_INPUT_BYTES;
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// The summary printed at the end: `lines` = `created` + `skipped_existing` + `failed` + `blank`.
#[derive(Debug, Default, Serialize)]
pub struct ImportSummary {
    pub lines: u64,
    pub created: u64,
    /// Names already in the vault: from an earlier run, or made meanwhile by another process.
    pub skipped_existing: u64,
    pub failed: u64,
    /// Empty or white-space-only lines.
    pub blank: u64,
}

/// One line's error, on stderr as it happens.
#[derive(Serialize)]
struct LineError<'a> {
    line: u64,
    error_code: &'static str,
    error_msg: &'a str,
}

pub fn run(vault: &dyn Execute, path: &Path) -> Result<ExitCode, ApiError> {
    let (reader, total_bytes): (Box<dyn Read>, Option<u64>) = if path.as_os_str() == "-" {
        (Box::new(std::io::stdin().lock()), None)
    } else {
        let file = crate::input::open(path).map_err(|e| {
            ApiError::new(
                ErrorCode::Io,
                format!("Cannot read {}: {e}", path.display()),
            )
        })?;
        let meta = file.metadata().map_err(|e| {
            ApiError::new(
                ErrorCode::Io,
                format!("Cannot read {}: {e}", path.display()),
            )
        })?;
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
        (Box::new(file), Some(meta.len()))
    };
    let mut progress = Progress::new(total_bytes);
    let summary = import(
        vault,
        crate::import::wiped_read::WipedBufReader::with_capacity(1 << 16, reader),
        &mut progress,
    )?;
    progress.finish();
    print_json(&summary)?;
    Ok(if summary.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Reads every line, creating secrets batch by batch; per-line errors go to stderr in line order.
pub fn import(
    vault: &dyn Execute,
    mut reader: impl BufRead,
    progress: &mut Progress,
) -> Result<ImportSummary, ApiError> {
    let mut summary = ImportSummary::default();
    let mut batch = Batch::default();
    // Sized once at the most `take` lets in: it never grows and leaves no unwiped copy.
    let mut line = zeroize::Zeroizing::new(Vec::with_capacity(
        usize::try_from(MAX_LINE_BYTES).map_or(usize::MAX, |n| n.saturating_add(1)),
    ));
    let mut bytes_read = 0u64;
    loop {
        line.clear();
        let n = (&mut reader)
            .take(MAX_LINE_BYTES + 1)
            .read_until(b'\n', &mut line)
            .map_err(|e| read_error(&e))?;
        if n == 0 {
            break;
        }
        bytes_read += n as u64;
        summary.lines += 1;
        let overlong = !line.ends_with(b"\n") && n as u64 > MAX_LINE_BYTES;
        if overlong {
            // Drop the rest of the line so it is not read as lines of its own.
            bytes_read += reader.skip_until(b'\n').map_err(|e| read_error(&e))? as u64;
        }
        let body = line.trim_ascii();
        // A byte-order mark opens the first line of files saved by some editors.
        let body = if summary.lines == 1 {
            body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body)
        } else {
            body
        };
        if body.is_empty() && !overlong {
            summary.blank += 1;
            continue;
        }
        let parsed = if overlong {
            Err(ApiError::invalid("The line is longer than 1 MiB."))
        } else {
            CreateSecretRequest::from_json(body)
        };
        batch.push(summary.lines, parsed);
        if batch.is_full() {
            batch.flush(vault, &mut summary, progress)?;
            progress.update(bytes_read, summary.created);
        }
    }
    batch.flush(vault, &mut summary, progress)?;
    progress.last_draw = None; // the final state is always drawn
    progress.update(bytes_read, summary.created);
    Ok(summary)
}

/// Lines read but not yet created, in line order; and every name this import has sent, with the
/// line it was first on (a later line with the same name fails, whatever became of the first).
#[derive(Default)]
struct Batch {
    lines: Vec<(u64, Entry)>,
    /// The requests of the `Entry::Send` lines, in the same order.
    requests: Vec<CreateSecretRequest>,
    first_line_of: HashMap<String, u64>,
}

/// What a line of the batch is.
enum Entry {
    /// Its request is in `Batch::requests`; the vault decides.
    Send,
    /// It failed before reaching the vault (JSON, too long, a repeated name).
    Refused(ApiError),
}

impl Batch {
    fn push(&mut self, line: u64, parsed: Result<CreateSecretRequest, ApiError>) {
        let entry = match parsed {
            Ok(req) => {
                if let Some(first) = self.first_line_of.get(&req.name) {
                    Entry::Refused(ApiError::invalid(format!(
                        "Invalid name: a secret named {} already exists (line {first} of this import).",
                        req.name
                    )))
                } else {
                    self.first_line_of.insert(req.name.clone(), line);
                    self.requests.push(req);
                    Entry::Send
                }
            }
            Err(e) => Entry::Refused(e),
        };
        self.lines.push((line, entry));
    }

    fn is_full(&self) -> bool {
        self.requests.len() >= BATCH_SIZE
    }

    /// Creates the batch's requests in one transaction, then counts and reports every line in
    /// order.
    fn flush(
        &mut self,
        vault: &dyn Execute,
        summary: &mut ImportSummary,
        progress: &mut Progress,
    ) -> Result<(), ApiError> {
        let mut outcomes = if self.requests.is_empty() {
            Vec::new()
        } else {
            let secrets = self
                .requests
                .drain(..)
                .map(|r| ImportEntry::Parsed(Box::new(r)))
                .collect();
            let request = Request::BatchImportSecrets(BatchImportSecretsRequest {
                secrets,
                // As everywhere on the command line: an id, an alias or csms/default.
                keys: KeyLookup::IdOrAlias,
            });
            match vault.execute(&request)? {
                Response::Imported(imported) => imported.outcomes,
                _ => return Err(lost_outcome()),
            }
        }
        .into_iter();
        for (line, entry) in self.lines.drain(..) {
            let outcome = match entry {
                Entry::Refused(e) => ImportOutcome::Failed(e),
                Entry::Send => outcomes.next().ok_or_else(lost_outcome)?,
            };
            match outcome {
                ImportOutcome::Created(_) => summary.created += 1,
                ImportOutcome::AlreadyExists => summary.skipped_existing += 1,
                ImportOutcome::Failed(e) => summary.fail(line, &e, progress),
            }
        }
        Ok(())
    }
}

fn read_error(e: &std::io::Error) -> ApiError {
    ApiError::new(ErrorCode::Io, format!("Cannot read the input: {e}"))
}

impl ImportSummary {
    /// Counts a failed line and reports it on stderr at once (on a line of its own, never
    /// sharing one with the progress bar).
    fn fail(&mut self, line: u64, e: &ApiError, progress: &mut Progress) {
        self.failed += 1;
        let error = LineError {
            line,
            error_code: e.error_code(),
            error_msg: &e.error_msg,
        };
        progress.line_error(&error);
    }
}

/// Moves to the start of the line and erases it (the bar drawn there).
const CLEAR_LINE: &str = "\r\x1b[2K";

/// Stderr: the per-line errors, and a one-line progress bar drawn only when stderr is a
/// terminal. An error is never written after the bar on its line: the bar's line is cleared,
/// the error written on it, and the bar drawn again under it.
pub struct Progress {
    out: Box<dyn Write>,
    enabled: bool,
    total_bytes: Option<u64>,
    last_draw: Option<Instant>,
    /// What the bar on the current line shows (bytes read, secrets created), while one is there.
    shown: Option<(u64, u64)>,
}

impl Progress {
    pub fn new(total_bytes: Option<u64>) -> Self {
        let enabled = std::io::stderr().is_terminal();
        Self::to(Box::new(std::io::stderr()), enabled, total_bytes)
    }

    /// No bar at all (per-line errors still go to stderr): for tests and benchmarks.
    pub fn hidden() -> Self {
        Self::to(Box::new(std::io::stderr()), false, None)
    }

    /// Errors, and the bar when `enabled`, to `out`; `total_bytes`: the input's size, if known
    /// (the bar then shows a percentage).
    pub fn to(out: Box<dyn Write>, enabled: bool, total_bytes: Option<u64>) -> Self {
        Self {
            out,
            enabled,
            total_bytes,
            last_draw: None,
            shown: None,
        }
    }

    /// Redraws the bar (at most every 100 ms) with `bytes` read and `created` secrets.
    pub(super) fn update(&mut self, bytes: u64, created: u64) {
        if !self.enabled || self.last_draw.is_some_and(|t| t.elapsed() < PROGRESS_EVERY) {
            return;
        }
        self.last_draw = Some(Instant::now());
        self.draw(bytes, created);
    }

    fn draw(&mut self, bytes: u64, created: u64) {
        let _ = write!(self.out, "{CLEAR_LINE}");
        match self.total_bytes.filter(|t| *t > 0) {
            Some(total) => {
                let done = usize::try_from(bytes.min(total) * 30 / total).unwrap_or(30);
                let _ = write!(
                    self.out,
                    "[{}{}] {:>3}%  {created} created",
                    "#".repeat(done),
                    " ".repeat(30 - done),
                    bytes.min(total) * 100 / total
                );
            }
            None => {
                let _ = write!(self.out, "{created} created");
            }
        }
        self.shown = Some((bytes, created));
        let _ = self.out.flush();
    }

    /// One line's error as a JSON line; the bar, if drawn, is cleared first and drawn again after.
    fn line_error(&mut self, error: &LineError<'_>) {
        let text = serde_json::to_string(error).unwrap_or_default();
        self.line(&text);
    }

    /// One line of text (no newline in it); the bar, if drawn, is cleared first and drawn
    /// again after.
    pub(super) fn line(&mut self, text: &str) {
        let shown = self.shown.take();
        if shown.is_some() {
            let _ = write!(self.out, "{CLEAR_LINE}");
        }
        let _ = writeln!(self.out, "{text}");
        match shown {
            Some((bytes, created)) => self.draw(bytes, created),
            None => {
                let _ = self.out.flush();
            }
        }
    }

    /// Ends the bar's line, if one is drawn.
    pub(super) fn finish(&mut self) {
        if self.shown.take().is_some() {
            let _ = writeln!(self.out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::rc::Rc;

    /// What was written to the progress's stderr.
    #[derive(Clone, Default)]
    struct Captured(Rc<RefCell<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// The lines as a terminal shows them: each `\r` or erase-line starts the line over.
    fn screen(bytes: &[u8]) -> Vec<String> {
        let text = String::from_utf8_lossy(bytes).replace(CLEAR_LINE, "\r");
        text.split('\n')
            .map(|line| line.rsplit('\r').next().unwrap_or("").to_owned())
            .collect()
    }

    #[test]
    fn an_error_never_shares_a_line_with_the_bar() {
        let out = Captured::default();
        let mut progress = Progress::to(Box::new(out.clone()), true, Some(100));
        progress.update(50, 7);
        let e = ApiError::invalid("Invalid name: the name is empty.");
        let mut summary = ImportSummary::default();
        summary.fail(12, &e, &mut progress);
        summary.fail(13, &e, &mut progress);
        progress.finish();
        let lines = screen(&out.0.borrow());
        assert_eq!(lines.len(), 4, "{lines:?}");
        for (at, line) in [(0, 12), (1, 13)] {
            assert!(
                lines[at].starts_with(&format!("{{\"line\":{line},")),
                "{lines:?}"
            );
            assert!(!lines[at].contains("created"), "{lines:?}");
        }
        assert!(
            lines[2].starts_with("[###############"),
            "redrawn: {lines:?}"
        );
        assert!(lines[2].ends_with(" 50%  7 created"), "{lines:?}");
        assert_eq!(lines[3], "", "the bar's line is ended");
        assert_eq!(summary.failed, 2);
    }

    #[test]
    fn without_a_terminal_only_the_errors_are_written() {
        let out = Captured::default();
        let mut progress = Progress::to(Box::new(out.clone()), false, Some(100));
        progress.update(50, 7);
        let mut summary = ImportSummary::default();
        summary.fail(3, &ApiError::invalid("bad"), &mut progress);
        progress.finish();
        let text = String::from_utf8_lossy(&out.0.borrow()).into_owned();
        assert_eq!(
            text,
            "{\"line\":3,\"error_code\":\"CSMS.0002\",\"error_msg\":\"bad\"}\n"
        );
    }
}
