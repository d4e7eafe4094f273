//! The import pipeline every format goes through (`csvault import`): items read one at a time,
//! mapped to records, created in batches through Import Records (one transaction a batch, each
//! record whole), and one report line per item (docs/DECISIONS.md "Issue 16: import mapping").

use std::collections::HashMap;
use std::io::{BufRead, Read};

use serde::Serialize;
use zeroize::Zeroizing;

use super::entry::{SourceEntry, SourceItem};
use super::naming::Names;
use super::plan::{PlannedSecret, plan_attachments, plan_entry};
use crate::csms::op::{
    Execute, ImportOutcome, ImportRecordsRequest, KeyLookup, Request, Response, SecretRecord,
};
use crate::csms::{ApiError, ErrorCode};

/// Records per transaction: a crash loses at most this many; a re-run skips what exists.
pub const BATCH_SIZE: usize = 2000;
/// A batch is sent once its values hold this many bytes, whatever its count (so a batch of large
/// records stays well inside the agent's 64 MiB frame).
pub const MAX_BATCH_VALUE_BYTES: usize = 16 * 1024 * 1024;
/// The longest line of the record format read: 1 MiB.
pub const MAX_LINE_BYTES: u64 = 1024 * 1024;

/// What became of an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Created,
    /// Created under another name than its own (`renamed_from`): another item of this import
    /// had that name first.
    Renamed,
    /// A secret of that name was already in the vault.
    SkippedExisting,
    Failed,
}

/// Another item of the import that wanted the same name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Collision {
    pub entry: u64,
    pub location: String,
    pub name: String,
}

/// One item's line of the report: where it is, the secret's name, what became of it, and why
/// when it failed. Never a value.
#[derive(Clone, Debug, Serialize)]
pub struct ReportLine {
    /// The line of a `jsonl` file (from 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// The entry's place in the source (from 1; an attachment has its entry's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<u64>,
    /// Where the source keeps it, as its reader says (a path, a group and title, a line).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// The attachment's file name, for an attachment's secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachment: Option<String>,
    /// The secret's name (absent when the item could not be read far enough to have one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub status: Status,
    /// The name it would have had.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    /// The items that wanted the same name: for a renamed item, the one that has it; for that
    /// one, every item renamed because of it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub collides_with: Vec<Collision>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_msg: Option<String>,
    /// What the mapping had to change to make it fit.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl ReportLine {
    fn new(status: Status) -> Self {
        Self {
            line: None,
            entry: None,
            location: None,
            attachment: None,
            name: None,
            status,
            renamed_from: None,
            collides_with: Vec::new(),
            error_code: None,
            error_msg: None,
            warnings: Vec::new(),
        }
    }

    /// An empty line of that status (the other fields set by the test).
    #[cfg(test)]
    pub fn for_tests(status: Status) -> Self {
        Self::new(status)
    }

    fn fail(&mut self, e: &ApiError) {
        self.status = Status::Failed;
        self.error_code = Some(e.error_code());
        self.error_msg = Some(e.error_msg.clone());
    }
}

/// The summary: `lines` = `created` + `skipped_existing` + `failed` + `blank` (a `jsonl` file's
/// lines; for the other formats one per entry and one per attachment). `renamed`: how many of
/// them took another name than their own (counted also where they ended).
#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub lines: u64,
    pub created: u64,
    pub skipped_existing: u64,
    pub failed: u64,
    /// Empty or white-space-only lines of a `jsonl` file.
    pub blank: u64,
    pub renamed: u64,
    /// Nothing was written: every line says what would have happened.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub dry_run: bool,
}

/// Where the report goes: each line once its item's fate is known, and progress.
pub trait Sink {
    fn line(&mut self, line: &ReportLine);
    /// `bytes`: how much of the input is read, when that is known.
    fn progress(&mut self, bytes: Option<u64>, created: u64);
}

/// An import in progress.
pub struct Pipeline<'a> {
    vault: &'a dyn Execute,
    sink: &'a mut dyn Sink,
    dry_run: bool,
    /// Lines are written as each batch is done (`jsonl`, where nothing is renamed), else all at
    /// the end (a renamed item's first holder names it too).
    stream: bool,
    lines: Vec<ReportLine>,
    /// The records of the batch, each with its line in `lines`.
    batch: Vec<(usize, SecretRecord)>,
    /// The bytes of the batch's values.
    batch_bytes: usize,
    names: Names,
    /// `jsonl`: every name sent, with its line (a later line with it fails).
    first_line_of: HashMap<String, u64>,
    bytes: Option<u64>,
    pub summary: Summary,
}

impl<'a> Pipeline<'a> {
    pub fn new(vault: &'a dyn Execute, sink: &'a mut dyn Sink, dry_run: bool) -> Self {
        Self {
            vault,
            sink,
            dry_run,
            stream: true,
            lines: Vec::new(),
            batch: Vec::new(),
            batch_bytes: 0,
            names: Names::default(),
            first_line_of: HashMap::new(),
            bytes: None,
            summary: Summary {
                dry_run,
                ..Summary::default()
            },
        }
    }

    /// Imports every item of a source's stream; the summary once all is done.
    ///
    /// # Errors
    /// The vault's own failure (busy, storage, the agent gone): what earlier batches made stays.
    pub fn entries(mut self, items: impl Iterator<Item = SourceItem>) -> Result<Summary, ApiError> {
        self.stream = false;
        for (n, item) in (1u64..).zip(items) {
            match item {
                Ok(entry) => self.entry(n, &entry)?,
                Err(e) => {
                    let mut line = ReportLine::new(Status::Failed);
                    line.entry = Some(n);
                    line.location = Some(e.location);
                    line.fail(&ApiError::invalid(e.reason));
                    self.push_failed(line);
                }
            }
        }
        self.finish()
    }

    fn entry(&mut self, n: u64, entry: &SourceEntry) -> Result<(), ApiError> {
        let planned = plan_entry(entry);
        let name = self.add(n, &entry.location, planned)?;
        for attachment in plan_attachments(entry, &name) {
            self.add(n, &entry.location, attachment)?;
        }
        // Attachments the reader left in the source (too large, missing from the archive).
        for (file, reason) in &entry.attachments_left {
            let mut line = ReportLine::new(Status::Failed);
            line.entry = Some(n);
            line.location = Some(entry.location.clone());
            line.attachment = Some(file.clone());
            line.fail(&ApiError::invalid(format!(
                "The attachment was not imported: {reason}"
            )));
            self.push_failed(line);
        }
        Ok(())
    }

    /// Names one planned secret (a suffix if another item has its name), adds its line and its
    /// record to the batch. The name it got.
    fn add(&mut self, n: u64, location: &str, planned: PlannedSecret) -> Result<String, ApiError> {
        let at = self.lines.len();
        let (assigned, holder) = self.names.assign(&planned.name, at);
        let mut line = ReportLine::new(Status::Created);
        line.entry = Some(n);
        line.location = Some(location.to_owned());
        line.attachment = planned.attachment;
        line.name = Some(assigned.name.clone());
        line.renamed_from = assigned.renamed_from;
        line.warnings = planned.warnings;
        if let Some(first) = holder.and_then(|h| self.lines.get_mut(h)) {
            first.collides_with.push(Collision {
                entry: n,
                location: location.to_owned(),
                name: assigned.name.clone(),
            });
            line.collides_with.push(Collision {
                entry: first.entry.unwrap_or_default(),
                location: first.location.clone().unwrap_or_default(),
                name: first.name.clone().unwrap_or_default(),
            });
        }
        if line.renamed_from.is_some() {
            self.summary.renamed += 1;
        }
        match planned.record {
            Ok(mut record) => {
                record.create.name.clone_from(&assigned.name);
                self.lines.push(line);
                self.send(at, record)?;
            }
            Err(e) => {
                line.fail(&e);
                self.push_failed(line);
            }
        }
        Ok(assigned.name)
    }

    fn push_failed(&mut self, line: ReportLine) {
        self.summary.lines += 1;
        self.summary.failed += 1;
        self.lines.push(line);
    }

    /// Imports the record format's lines (`jsonl`): a line over 1 MiB, one that is not a
    /// record, or a name an earlier line of the import had, fails alone; blank lines are
    /// counted.
    ///
    /// # Errors
    /// The input cannot be read; the vault's own failure.
    pub fn jsonl(mut self, mut reader: impl BufRead) -> Result<Summary, ApiError> {
        let mut buf = Zeroizing::new(Vec::with_capacity(4096));
        let mut bytes = 0u64;
        let mut number = 0u64;
        loop {
            buf.clear();
            let n = (&mut reader)
                .take(MAX_LINE_BYTES + 1)
                .read_until(b'\n', &mut buf)
                .map_err(|e| read_error(&e))?;
            if n == 0 {
                break;
            }
            bytes += n as u64;
            number += 1;
            let overlong = !buf.ends_with(b"\n") && n as u64 > MAX_LINE_BYTES;
            if overlong {
                bytes += reader.skip_until(b'\n').map_err(|e| read_error(&e))? as u64;
            }
            self.bytes = Some(bytes);
            let body = buf.trim_ascii();
            let body = if number == 1 {
                body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body)
            } else {
                body
            };
            if body.is_empty() && !overlong {
                self.summary.lines += 1;
                self.summary.blank += 1;
                continue;
            }
            let parsed = if overlong {
                Err(ApiError::invalid("The line is longer than 1 MiB."))
            } else {
                SecretRecord::from_json(body)
            };
            self.jsonl_line(number, parsed)?;
        }
        self.finish()
    }

    fn jsonl_line(
        &mut self,
        number: u64,
        parsed: Result<SecretRecord, ApiError>,
    ) -> Result<(), ApiError> {
        let mut line = ReportLine::new(Status::Created);
        line.line = Some(number);
        let record = match parsed {
            Err(e) => {
                line.fail(&e);
                self.push_failed(line);
                return Ok(());
            }
            Ok(record) => record,
        };
        line.name = Some(record.create.name.clone());
        if let Some(first) = self.first_line_of.get(&record.create.name) {
            line.fail(&ApiError::invalid(format!(
                "Invalid name: a secret named {} already exists (line {first} of this import).",
                record.create.name
            )));
            self.push_failed(line);
            return Ok(());
        }
        self.first_line_of
            .insert(record.create.name.clone(), number);
        let at = self.lines.len();
        self.lines.push(line);
        self.send(at, record)
    }

    /// Adds a record (its report line at `at`) to the batch, sent when it is full.
    fn send(&mut self, at: usize, record: SecretRecord) -> Result<(), ApiError> {
        self.batch_bytes += value_bytes(&record);
        self.batch.push((at, record));
        if self.batch.len() >= BATCH_SIZE || self.batch_bytes >= MAX_BATCH_VALUE_BYTES {
            self.flush()?;
        }
        Ok(())
    }

    /// Creates the batch in one transaction and sets its lines' outcomes.
    fn flush(&mut self) -> Result<(), ApiError> {
        if !self.batch.is_empty() {
            self.batch_bytes = 0;
            let (at, records): (Vec<usize>, Vec<SecretRecord>) = self.batch.drain(..).unzip();
            let request = Request::ImportRecords(ImportRecordsRequest {
                records,
                // As everywhere on the command line: an id, an alias or csms/default.
                keys: KeyLookup::IdOrAlias,
                dry_run: self.dry_run,
            });
            let outcomes = match self.vault.execute(&request)? {
                Response::RecordsImported(done) => done.outcomes,
                _ => return Err(lost_outcome()),
            };
            if outcomes.len() != at.len() {
                return Err(lost_outcome());
            }
            for (at, outcome) in at.into_iter().zip(outcomes) {
                let line = self.lines.get_mut(at).ok_or_else(lost_outcome)?;
                self.summary.lines += 1;
                match outcome {
                    ImportOutcome::Created(_) => {
                        self.summary.created += 1;
                        if line.renamed_from.is_some() {
                            line.status = Status::Renamed;
                        }
                    }
                    ImportOutcome::AlreadyExists => {
                        self.summary.skipped_existing += 1;
                        line.status = Status::SkippedExisting;
                    }
                    ImportOutcome::Failed(e) => {
                        self.summary.failed += 1;
                        line.fail(&e);
                    }
                }
            }
        }
        self.sink.progress(self.bytes, self.summary.created);
        if self.stream {
            for line in self.lines.drain(..) {
                self.sink.line(&line);
            }
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Summary, ApiError> {
        self.flush()?;
        for line in self.lines.drain(..) {
            self.sink.line(&line);
        }
        Ok(self.summary)
    }
}

/// The bytes of a record's values.
fn value_bytes(record: &SecretRecord) -> usize {
    let len = |v: &Option<Zeroizing<String>>| v.as_ref().map_or(0, |v| v.len());
    len(&record.create.secret_string)
        + len(&record.create.secret_binary)
        + record
            .versions
            .iter()
            .flatten()
            .map(|v| len(&v.secret_string) + len(&v.secret_binary))
            .sum::<usize>()
}

fn lost_outcome() -> ApiError {
    ApiError::new(
        ErrorCode::Internal,
        "The vault answered for fewer records than it was given.",
    )
}

fn read_error(e: &std::io::Error) -> ApiError {
    ApiError::new(ErrorCode::Io, format!("Cannot read the input: {e}"))
}
