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
/// A batch's records written as JSON (what the agent's frame carries: values escaped, `\u00XX`
/// six bytes for one) hold at most this many bytes, a quarter of the agent's 64 MiB frame, so the
/// request around them and any growth stay well inside it.
pub const MAX_BATCH_JSON_BYTES: usize = crate::agent::wire::MAX_FRAME / 4;
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
    /// The lines since the last batch was sent, in source order: written once it is done.
    lines: Vec<ReportLine>,
    /// The records of the batch, each with its line in `lines`.
    batch: Vec<(usize, SecretRecord)>,
    /// The batch's records as JSON, in bytes.
    batch_bytes: usize,
    names: Names,
    /// Every name this import gave, by the index [`Names`] keeps: who has it, for the line of a
    /// later item renamed because of it.
    holders: Vec<Collision>,
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
            lines: Vec::new(),
            batch: Vec::new(),
            batch_bytes: 0,
            names: Names::default(),
            holders: Vec::new(),
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
        let (assigned, holder) = self.names.assign(&planned.name, self.holders.len());
        self.holders.push(Collision {
            entry: n,
            location: location.to_owned(),
            name: assigned.name.clone(),
        });
        let mut line = ReportLine::new(Status::Created);
        line.entry = Some(n);
        line.location = Some(location.to_owned());
        line.attachment = planned.attachment;
        line.name = Some(assigned.name.clone());
        line.renamed_from = assigned.renamed_from;
        line.warnings = planned.warnings;
        // The renamed item's line names the one that has the name (whose line may be written
        // already: the report streams batch by batch).
        if let Some(first) = holder.and_then(|h| self.holders.get(h)) {
            line.collides_with.push(first.clone());
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
        // Allocated once at the most `take` lets in, so it never grows (growing would leave
        // the old, unwiped allocation behind).
        let mut buf = Zeroizing::new(Vec::with_capacity(line_capacity()));
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
        let size = json_bytes(&record);
        if !self.batch.is_empty() && self.batch_bytes + size > MAX_BATCH_JSON_BYTES {
            // The batch is sent without it; its line (the last) waits for the next batch.
            let line = self.lines.pop();
            self.flush()?;
            self.lines.extend(line);
            return self.send(0, record);
        }
        self.batch_bytes += size;
        self.batch.push((at, record));
        if self.batch.len() >= BATCH_SIZE {
            self.flush()?;
        }
        Ok(())
    }

    /// Creates the batch in one transaction, sets its lines' outcomes and writes every line since
    /// the last batch.
    ///
    /// # Errors
    /// The vault's failure: the lines before the batch's first record are written, and the error
    /// says from which item on nothing was imported.
    fn flush(&mut self) -> Result<(), ApiError> {
        if !self.batch.is_empty() {
            self.batch_bytes = 0;
            let (at, records): (Vec<usize>, Vec<SecretRecord>) = self.batch.drain(..).unzip();
            let first = at.first().copied().unwrap_or_default();
            let request = Request::ImportRecords(ImportRecordsRequest {
                records,
                // As everywhere on the command line: an id, an alias or csms/default.
                keys: KeyLookup::IdOrAlias,
                dry_run: self.dry_run,
            });
            let outcomes = match self.vault.execute(&request) {
                Ok(Response::RecordsImported(done)) if done.outcomes.len() == at.len() => {
                    done.outcomes
                }
                Ok(_) => return Err(self.stopped(first, lost_outcome())),
                Err(e) => return Err(self.stopped(first, e)),
            };
            for (at, outcome) in at.into_iter().zip(outcomes) {
                let line = self.lines.get_mut(at).ok_or_else(lost_outcome)?;
                self.summary.lines += 1;
                match outcome {
                    ImportOutcome::Created(_) => {
                        self.summary.created += 1;
                        if line.renamed_from.is_some() {
                            // Counted when made: a re-run that skips it renames nothing.
                            self.summary.renamed += 1;
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
        for line in self.lines.drain(..) {
            self.sink.line(&line);
        }
        Ok(())
    }

    /// The batch whose first line is `first` failed as a whole: writes the lines before it
    /// (failures decided without the vault; every earlier batch's lines are written already)
    /// and says in `e` from which item on nothing was imported.
    fn stopped(&mut self, first: usize, mut e: ApiError) -> ApiError {
        let rest = self.lines.split_off(first.min(self.lines.len()));
        for line in self.lines.drain(..) {
            self.sink.line(&line);
        }
        if let Some(line) = rest.first() {
            let from = match (line.line, line.entry, &line.location) {
                (Some(n), _, _) => format!("line {n}"),
                (None, Some(n), Some(location)) => format!("entry {n} ({location})"),
                (None, Some(n), None) => format!("entry {n}"),
                (None, None, _) => "the next item".to_owned(),
            };
            e.error_msg = format!(
                "{} The import stopped: from {from} on nothing was imported (that batch was not written; the rest was not attempted). The report above lists what was done.",
                e.error_msg
            );
        }
        e
    }

    fn finish(mut self) -> Result<Summary, ApiError> {
        self.flush()?;
        Ok(self.summary)
    }
}

/// The line buffer's size: the longest line read and one byte to tell it is longer.
fn line_capacity() -> usize {
    usize::try_from(MAX_LINE_BYTES).map_or(usize::MAX, |n| n.saturating_add(1))
}

/// The bytes of a record written as JSON (what the agent's frame carries), counted without
/// keeping them.
fn json_bytes(record: &SecretRecord) -> usize {
    let mut counter = Counter(0);
    match serde_json::to_writer(&mut counter, record) {
        Ok(()) => counter.0,
        // Not expected (a record is plain data); a record that cannot be counted goes alone.
        Err(_) => MAX_BATCH_JSON_BYTES,
    }
}

/// Counts what is written to it.
struct Counter(usize);

impl std::io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 = self.0.saturating_add(buf.len());
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The vault answered a batch with something else than one outcome per record.
pub fn lost_outcome() -> ApiError {
    ApiError::new(
        ErrorCode::Internal,
        "The vault answered for fewer records than it was given.",
    )
}

fn read_error(e: &std::io::Error) -> ApiError {
    ApiError::new(ErrorCode::Io, format!("Cannot read the input: {e}"))
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;

    /// A vault that says every record exists, remembers each batch's size in records and in
    /// JSON bytes, and fails the batch numbered `fail_at` (from 0) as a whole.
    #[derive(Default)]
    struct Vault {
        batches: RefCell<Vec<(usize, usize)>>,
        fail_at: Option<usize>,
    }

    impl Execute for Vault {
        fn execute(&self, request: &Request) -> Result<Response, ApiError> {
            let Request::ImportRecords(batch) = request else {
                return Err(ApiError::invalid("unexpected request"));
            };
            let mut batches = self.batches.borrow_mut();
            if self.fail_at == Some(batches.len()) {
                return Err(ApiError::new(ErrorCode::Io, "The disk is full."));
            }
            let bytes = serde_json::to_vec(request).map_or(0, |b| b.len());
            batches.push((batch.records.len(), bytes));
            Ok(Response::RecordsImported(
                crate::csms::op::ImportRecordsResponse {
                    outcomes: batch
                        .records
                        .iter()
                        .map(|_| ImportOutcome::AlreadyExists)
                        .collect(),
                },
            ))
        }
    }

    /// The lines as they reached the report, and when: the number of batches sent by then.
    struct Lines<'v> {
        vault: &'v Vault,
        got: Vec<(usize, ReportLine)>,
    }

    impl Sink for Lines<'_> {
        fn line(&mut self, line: &ReportLine) {
            self.got
                .push((self.vault.batches.borrow().len(), line.clone()));
        }
        fn progress(&mut self, _: Option<u64>, _: u64) {}
    }

    fn entry(title: &str) -> SourceEntry {
        SourceEntry {
            title: title.into(),
            location: title.into(),
            password: Some(Zeroizing::new("pw".into())),
            ..SourceEntry::default()
        }
    }

    #[test]
    fn entries_are_reported_batch_by_batch_and_a_renamed_one_names_the_first() {
        let vault = Vault::default();
        let mut sink = Lines {
            vault: &vault,
            got: Vec::new(),
        };
        let mut items: Vec<SourceItem> = (0..BATCH_SIZE)
            .map(|n| Ok(entry(&format!("e{n}"))))
            .collect();
        items.push(Ok(entry("e0")));
        let summary = Pipeline::new(&vault, &mut sink, false)
            .entries(items.into_iter())
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(summary.lines, BATCH_SIZE as u64 + 1);
        let got = &sink.got;
        assert_eq!(got.len(), BATCH_SIZE + 1);
        assert_eq!(got[0].0, 1, "the first batch's lines come once it is done");
        assert_eq!(got[BATCH_SIZE - 1].0, 1, "not at the end of the import");
        let last = &got[BATCH_SIZE].1;
        assert_eq!(last.name.as_deref(), Some("e0-2"));
        assert_eq!(last.renamed_from.as_deref(), Some("e0"));
        assert_eq!(
            last.collides_with,
            [Collision {
                entry: 1,
                location: "e0".into(),
                name: "e0".into()
            }]
        );
    }

    #[test]
    fn a_failing_batch_leaves_the_report_of_what_was_done_and_says_where_it_stopped() {
        let vault = Vault {
            fail_at: Some(1),
            ..Vault::default()
        };
        let mut sink = Lines {
            vault: &vault,
            got: Vec::new(),
        };
        let mut items: Vec<SourceItem> = (0..BATCH_SIZE)
            .map(|n| Ok(entry(&format!("e{n}"))))
            .collect();
        items.push(Err(crate::import::EntryError {
            location: "broken".into(),
            reason: "not an entry".into(),
        }));
        items.push(Ok(entry("after")));
        let e = Pipeline::new(&vault, &mut sink, false)
            .entries(items.into_iter())
            .err()
            .unwrap_or_else(|| panic!("the import went through"));
        assert!(e.error_msg.starts_with("The disk is full."), "{e:?}");
        assert!(
            e.error_msg.contains(&format!(
                "from entry {} (after) on nothing was imported",
                BATCH_SIZE + 2
            )),
            "{e:?}"
        );
        let statuses: Vec<Status> = sink.got.iter().map(|(_, l)| l.status).collect();
        assert_eq!(
            statuses.len(),
            BATCH_SIZE + 1,
            "the first batch and the broken entry"
        );
        assert_eq!(statuses[BATCH_SIZE], Status::Failed);
    }

    #[test]
    fn batches_are_cut_by_their_size_as_json_inside_the_agents_frame() {
        // Values of control characters: each byte is six in JSON (`\u0001`).
        let value = "\u{1}".repeat(30 * 1024);
        let line = format!(
            "{{\"name\":\"n{{}}\",\"secret_string\":{}}}\n",
            serde_json::to_string(&value).unwrap_or_default()
        );
        let text: String = (0..600)
            .map(|n| line.replace("{}", &n.to_string()))
            .collect();
        let vault = Vault::default();
        let mut sink = Lines {
            vault: &vault,
            got: Vec::new(),
        };
        let summary = Pipeline::new(&vault, &mut sink, false)
            .jsonl(text.as_bytes())
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(summary.skipped_existing, 600);
        let batches = vault.batches.borrow();
        assert!(batches.len() > 1, "{batches:?}");
        assert_eq!(batches.iter().map(|b| b.0).sum::<usize>(), 600);
        for (_, bytes) in batches.iter() {
            assert!(
                *bytes <= crate::agent::wire::MAX_FRAME / 2,
                "a batch of {bytes} bytes as JSON"
            );
        }
    }
}
