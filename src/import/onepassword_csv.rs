//! 1Password's CSV export, a row at a time: the header row names the columns (any order, case
//! ignored); the known ones fill the entry, every other column becomes a field.

use std::cell::Cell;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use zeroize::Zeroizing;

use super::entry::{EntryError, EntryField, SourceEntry, SourceItem};
use super::keepass_csv::Bounded;

/// What a known column fills.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Column {
    Title,
    Url,
    Username,
    Password,
    Notes,
    Totp,
    Tags,
    Kind,
    Vault,
    Archived,
    Favorite,
    /// Any other column: a field named as its header.
    Other,
}

/// The column a header names (1Password 8 writes `Title, Url, Username, Password, OTPAuth,
/// Favorite, Archived, Tags, Notes`; older versions `title, website, username, password, notes,
/// type, …`).
fn column(header: &str) -> Column {
    match header.trim().to_ascii_lowercase().as_str() {
        "title" | "name" => Column::Title,
        "url" | "urls" | "website" | "login_url" | "login url" => Column::Url,
        "username" | "login_username" | "login username" => Column::Username,
        "password" | "login_password" | "login password" => Column::Password,
        "notes" | "notesplain" | "note" => Column::Notes,
        "otpauth" | "otp" | "totp" | "one-time password" => Column::Totp,
        "tags" => Column::Tags,
        "type" | "category" => Column::Kind,
        "vault" => Column::Vault,
        "archived" => Column::Archived,
        "favorite" => Column::Favorite,
        _ => Column::Other,
    }
}

/// The rows of the 1Password CSV export at `path`, one at a time.
///
/// # Errors
/// One [`EntryError`] (location = the path) when the file cannot be read or its first row has
/// no `Title` column.
pub fn open(path: &Path) -> Result<Box<dyn Iterator<Item = SourceItem>>, EntryError> {
    let whole = |reason: String| EntryError {
        location: path.display().to_string(),
        reason,
    };
    let file = File::open(path).map_err(|e| whole(format!("cannot be opened: {e}")))?;
    let (bounded, record_start) = Bounded::new(file);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(bounded);
    let headers = reader
        .headers()
        .map_err(|e| whole(format!("not a 1Password CSV export: {}", csv_reason(&e))))?
        .clone();
    let columns: Vec<(Column, String)> = headers
        .iter()
        .map(|h| (column(h), h.trim().to_owned()))
        .collect();
    if !columns.iter().any(|(c, _)| *c == Column::Title) {
        return Err(whole(
            "not a 1Password CSV export: its first row names no Title column".to_owned(),
        ));
    }
    Ok(Box::new(Rows {
        reader,
        columns,
        path: path.to_owned(),
        record: csv::StringRecord::new(),
        record_start,
        done: false,
    }))
}

/// A csv error's reason without any field it quotes.
fn csv_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("it has {len} columns where the header has {expected_len}"),
        csv::ErrorKind::Utf8 { .. } => "it is not UTF-8 text".to_owned(),
        // The reader's own errors (a row over the bound) and the system's: no text of the file.
        csv::ErrorKind::Io(e) => format!("cannot be read: {e}"),
        _ => "it cannot be read as CSV".to_owned(),
    }
}

struct Rows {
    reader: csv::Reader<Bounded>,
    columns: Vec<(Column, String)>,
    path: PathBuf,
    record: csv::StringRecord,
    /// Where the row being read starts (a row over 1 MiB ends the reading).
    record_start: Rc<Cell<u64>>,
    done: bool,
}

impl Rows {
    /// `PATH: row N`, rows counted as a spreadsheet shows them (the header is row 1; a quoted
    /// value over several lines is one row). Lines are not used: the csv crate counts a CRLF
    /// file's lines one short.
    fn location(&self, at: Option<&csv::Position>) -> String {
        let record = at.unwrap_or_else(|| self.reader.position()).record();
        format!("{}: row {}", self.path.display(), record + 1)
    }
}

impl Iterator for Rows {
    type Item = SourceItem;

    fn next(&mut self) -> Option<SourceItem> {
        if self.done {
            return None;
        }
        self.record_start.set(self.reader.position().byte());
        let read = self.reader.read_record(&mut self.record);
        let location = self.location(self.record.position());
        match read {
            Ok(true) => Some(row(&self.columns, &self.record, location)),
            Ok(false) => {
                self.done = true;
                None
            }
            Err(e) => {
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    self.done = true;
                }
                let location = self.location(e.position());
                Some(Err(EntryError {
                    location,
                    reason: csv_reason(&e),
                }))
            }
        }
    }
}

fn row(columns: &[(Column, String)], record: &csv::StringRecord, location: String) -> SourceItem {
    let mut entry = SourceEntry {
        location,
        ..SourceEntry::default()
    };
    let wiped = |v: &str| Zeroizing::new(v.to_owned());
    for ((col, header), value) in columns.iter().zip(record.iter()) {
        if value.is_empty() {
            continue;
        }
        match col {
            Column::Title => value.clone_into(&mut entry.title),
            Column::Url => entry.urls.extend(
                value
                    .split(['\n', ','])
                    .map(str::trim)
                    .filter(|u| !u.is_empty())
                    .map(str::to_owned),
            ),
            Column::Username => entry.username = Some(wiped(value)),
            Column::Password => entry.password = Some(wiped(value)),
            Column::Notes => entry.notes = Some(wiped(value)),
            Column::Totp => entry.totp = Some(wiped(value)),
            Column::Tags => entry.tags.extend(
                value
                    .split([',', ';'])
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned),
            ),
            Column::Kind => {
                entry.kind = Some(value.trim().to_ascii_lowercase().replace([' ', '-'], "_"));
            }
            Column::Vault => entry.folders = vec![value.trim().to_owned()],
            Column::Archived => {
                if value.eq_ignore_ascii_case("true") {
                    entry.tags.push("archived".to_owned());
                }
            }
            Column::Favorite => {}
            Column::Other => entry.fields.push(EntryField {
                name: header.clone(),
                value: wiped(value),
                hidden: false,
            }),
        }
    }
    if entry.title.is_empty() {
        return Err(EntryError {
            location: entry.location,
            reason: "its Title is empty".to_owned(),
        });
    }
    entry.location = format!("{} ({})", entry.location, entry.title);
    Ok(entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_over_1_mib_ends_the_reading_with_an_error_of_its_own() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("export.csv");
        let huge = "n".repeat(3 * 1024 * 1024);
        std::fs::write(
            &path,
            format!("Title,Password,Notes\nfirst,pw,short\nsecond,pw,\"{huge}\"\nthird,pw,x\n"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let items: Vec<SourceItem> = open(&path).unwrap_or_else(|e| panic!("{e:?}")).collect();
        assert_eq!(items.len(), 2, "the rows after the huge one are not read");
        assert_eq!(
            items[0].as_ref().map(|e| e.title.as_str()).ok(),
            Some("first")
        );
        let e = items[1]
            .as_ref()
            .err()
            .unwrap_or_else(|| panic!("read whole"));
        assert!(e.reason.contains("longer than 1 MiB"), "{e:?}");
        assert!(!e.reason.contains("nnnn"), "{e:?}");
    }
}
