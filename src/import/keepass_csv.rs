//! The CSV `keepassxc-cli export --format csv` writes, read a record at a time.

use std::cell::Cell;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::rc::Rc;

use zeroize::Zeroizing;

use super::entry::{EntryError, EntryField, SourceEntry, SourceItem};

/// The longest record read: 1 MiB. A longer one ends the reading there, with an error (a
/// huge quoted field would otherwise be held whole).
pub const MAX_RECORD: u64 = 1024 * 1024;

/// Columns that say nothing secret and are left out: the icon number and the two times.
const SKIPPED: [&str; 3] = ["icon", "last modified", "created"];

/// The entries of the CSV at `path`, one a record, read as the stream is read. Columns are
/// found by their header names (any case, a byte order mark ignored): `Group` (its first part, the root group, left
/// out: `Root/Work/X` is the folders `Work`, `X`), `Title`, `Username`, `Password`, `URL`,
/// `Notes`, `TOTP`, `Tags` (split at `,` and `;`) if present; `Icon`, `Last Modified` and
/// `Created` are left out; any other column is a field.
///
/// # Errors
/// When the file cannot be read or its header has no `Title` or no `Password` column. A record
/// with the wrong number of columns or text that is not UTF-8 is an error of that entry; a
/// record over [`MAX_RECORD`] or a read error ends the stream with an error.
pub fn open(path: &Path) -> Result<Box<dyn Iterator<Item = SourceItem>>, EntryError> {
    let whole = |reason: String| EntryError {
        location: path.display().to_string(),
        reason,
    };
    let file = File::open(path).map_err(|e| whole(format!("cannot be read: {e}")))?;
    let (bounded, record_start) = Bounded::new(file);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(bounded);
    let header = reader
        .byte_headers()
        .map_err(|e| whole(format!("its header cannot be read: {e}")))?;
    let columns: Vec<Column> = header
        .iter()
        .map(|name| Column::of(&String::from_utf8_lossy(name)))
        .collect();
    for needed in [Column::Title, Column::Password] {
        if !columns.contains(&needed) {
            return Err(whole(
                "is not a KeePassXC CSV export: its header has no Title or no Password column"
                    .into(),
            ));
        }
    }
    Ok(Box::new(Records {
        reader,
        columns,
        record: csv::ByteRecord::new(),
        record_start,
        done: false,
    }))
}

/// What a column holds, by its header name.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Column {
    Group,
    Title,
    Username,
    Password,
    Url,
    Notes,
    Totp,
    Tags,
    Skipped,
    Field(String),
}

impl Column {
    fn of(name: &str) -> Column {
        match name
            .trim_start_matches('\u{feff}')
            .trim()
            .to_lowercase()
            .as_str()
        {
            "group" => Column::Group,
            "title" => Column::Title,
            "username" => Column::Username,
            "password" => Column::Password,
            "url" => Column::Url,
            "notes" => Column::Notes,
            "totp" => Column::Totp,
            "tags" => Column::Tags,
            other if SKIPPED.contains(&other) => Column::Skipped,
            _ => Column::Field(name.to_owned()),
        }
    }
}

/// The file, counting what the CSV reader takes, so one record cannot grow without bound:
/// once the record being read passes [`MAX_RECORD`] bytes, reading fails (an `io::Error`
/// naming the limit, never the text). Shared by the CSV readers (KeePassXC's, 1Password's).
pub(super) struct Bounded {
    inner: File,
    read: u64,
    /// Where the record being read starts, set before each record.
    record_start: Rc<Cell<u64>>,
}

impl Bounded {
    /// The reader, and the cell the caller sets to the byte offset of each record before
    /// reading it (`csv::Reader::position().byte()`).
    pub(super) fn new(inner: File) -> (Self, Rc<Cell<u64>>) {
        let record_start = Rc::new(Cell::new(0));
        let bounded = Self {
            inner,
            read: 0,
            record_start: Rc::clone(&record_start),
        };
        (bounded, record_start)
    }
}

impl Read for Bounded {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.read.saturating_sub(self.record_start.get()) > MAX_RECORD {
            return Err(io::Error::other(format!(
                "an entry longer than {} MiB; reading stopped here",
                MAX_RECORD / (1024 * 1024)
            )));
        }
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

struct Records {
    reader: csv::Reader<Bounded>,
    columns: Vec<Column>,
    record: csv::ByteRecord,
    record_start: Rc<Cell<u64>>,
    done: bool,
}

impl Iterator for Records {
    type Item = SourceItem;

    fn next(&mut self) -> Option<SourceItem> {
        if self.done {
            return None;
        }
        let start = self.reader.position().clone();
        self.record_start.set(start.byte());
        match self.reader.read_byte_record(&mut self.record) {
            Ok(false) => None,
            Ok(true) => Some(self.entry()),
            Err(e) => {
                let line = e.position().map_or(start.line(), csv::Position::line);
                let reason = match e.kind() {
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => format!("has {len} columns where the header has {expected_len}"),
                    csv::ErrorKind::Io(e) => {
                        self.done = true;
                        e.to_string()
                    }
                    _ => {
                        self.done = true;
                        "is not CSV".into()
                    }
                };
                Some(Err(EntryError {
                    location: format!("line {line}"),
                    reason,
                }))
            }
        }
    }
}

impl Records {
    fn entry(&self) -> SourceItem {
        let line = self.record.position().map_or(0, csv::Position::line);
        let location = format!("line {line}");
        let mut entry = SourceEntry {
            location: location.clone(),
            ..SourceEntry::default()
        };
        for (column, raw) in self.columns.iter().zip(self.record.iter()) {
            let Ok(text) = std::str::from_utf8(raw) else {
                return Err(EntryError {
                    location,
                    reason: "holds text that is not UTF-8".into(),
                });
            };
            let wiped = || (!text.is_empty()).then(|| Zeroizing::new(text.to_owned()));
            match column {
                Column::Group => {
                    entry.folders = text
                        .split('/')
                        .skip(1)
                        .filter(|part| !part.is_empty())
                        .map(str::to_owned)
                        .collect();
                }
                Column::Title => text.clone_into(&mut entry.title),
                Column::Username => entry.username = wiped(),
                Column::Password => entry.password = wiped(),
                Column::Url if !text.is_empty() => entry.urls.push(text.to_owned()),
                Column::Notes => entry.notes = wiped(),
                Column::Totp => entry.totp = wiped(),
                Column::Tags => {
                    entry.tags = text
                        .split([',', ';'])
                        .map(str::trim)
                        .filter(|tag| !tag.is_empty())
                        .map(str::to_owned)
                        .collect();
                }
                Column::Field(name) if !text.is_empty() => entry.fields.push(EntryField {
                    name: name.clone(),
                    value: Zeroizing::new(text.to_owned()),
                    hidden: false,
                }),
                Column::Url | Column::Field(_) | Column::Skipped => {}
            }
        }
        Ok(entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_find_their_columns_in_any_case() {
        assert_eq!(Column::of("Group"), Column::Group);
        assert_eq!(
            Column::of("\u{feff}Group"),
            Column::Group,
            "a byte order mark is not a name"
        );
        assert_eq!(Column::of("TOTP"), Column::Totp);
        assert_eq!(Column::of("Last Modified"), Column::Skipped);
        assert_eq!(Column::of("Pin"), Column::Field("Pin".into()));
    }
}
