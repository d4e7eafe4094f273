//! 1Password's exports: the 1PUX archive (a ZIP holding `export.data`, JSON of accounts →
//! vaults → items, and `files/` with documents and attachments), read an item at a time; the CSV
//! export is `onepassword_csv`. `--from 1password` tells them apart by the ZIP signature.
//!
//! `export.data` is walked by a thread of its own (the ZIP reader borrows its archive, so it
//! cannot live in the iterator); items come over a channel of [`QUEUE`] entries, so at most that
//! many are held at once. Dropping the stream stops the thread at its next item.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use serde::Deserialize;
use serde_json::value::RawValue;
use zeroize::Zeroizing;

use super::bitwarden::redacted;
use super::entry::{Attachment, EntryError, EntryField, SourceEntry, SourceItem};
use super::json_scan::{ScanError, Scanner};
use super::onepassword_csv;
use crate::csms::value_field;

/// Entries read ahead of the consumer at most.
pub const QUEUE: usize = 32;
/// The most bytes one item may take in `export.data`; a larger one is reported and skipped.
pub const MAX_ITEM_BYTES: usize = 16 * 1024 * 1024;
/// The largest attachment loaded (bytes); a larger one is left in the archive and listed in
/// [`SourceEntry::attachments_left`] with its size.
pub const MAX_ATTACHMENT_BYTES: u64 = 1024 * 1024;

/// The entries of the 1Password export at `path`: a 1PUX archive when the file starts with
/// the ZIP signature, else the CSV export.
///
/// # Errors
/// One [`EntryError`] (location = the path) when the file cannot be read, or is a ZIP archive
/// without `export.data`, or a CSV without a header row.
pub fn open(path: &Path) -> Result<Box<dyn Iterator<Item = SourceItem>>, EntryError> {
    let head = super::source::head(path)?;
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        open_1pux(path)
    } else {
        onepassword_csv::open(path)
    }
}

/// The files of `files/` by document id (`files/<documentId>__<fileName>`).
type FileIndex = HashMap<String, String>;

fn open_1pux(path: &Path) -> Result<Box<dyn Iterator<Item = SourceItem>>, EntryError> {
    let whole = |reason: String| EntryError {
        location: path.display().to_string(),
        reason,
    };
    let archive = || -> Result<zip::ZipArchive<File>, EntryError> {
        let file = File::open(path).map_err(|e| whole(format!("cannot be opened: {e}")))?;
        zip::ZipArchive::new(file)
            .map_err(|e| whole(format!("not a readable 1PUX (ZIP) archive: {e}")))
    };
    let mut data = archive()?;
    let mut files = FileIndex::new();
    for name in data.file_names().flatten() {
        if let Some((id, _)) = name.strip_prefix("files/").and_then(|n| n.split_once("__")) {
            files.insert(id.to_owned(), name.to_string());
        }
    }
    if data.by_name("export.data").is_err() {
        return Err(whole(
            "not a 1PUX export: the archive has no export.data".to_owned(),
        ));
    }
    let attachments = archive()?;
    let (tx, rx) = sync_channel(QUEUE);
    let location = path.display().to_string();
    std::thread::Builder::new()
        .name("1pux-reader".to_owned())
        .spawn(move || {
            let mut walk = Walk {
                tx,
                attachments,
                files,
                location,
                index: 0,
            };
            if let Ok(reader) = data.by_name("export.data") {
                let mut sc = Scanner::new(reader);
                if let Err(Stop::Scan(e)) = walk.document(&mut sc) {
                    let _ = walk.tx.send(Err(EntryError {
                        location: format!(
                            "{}: export.data after item {}",
                            walk.location, walk.index
                        ),
                        reason: format!("the rest cannot be read: {}", e.describe()),
                    }));
                }
            }
        })
        .map_err(|e| whole(format!("cannot start its reader: {e}")))?;
    Ok(Box::new(Stream(rx)))
}

struct Stream(Receiver<SourceItem>);

impl Iterator for Stream {
    type Item = SourceItem;

    fn next(&mut self) -> Option<SourceItem> {
        self.0.recv().ok()
    }
}

/// Why the walk stopped early: the document is broken, or nobody reads the stream any more.
enum Stop {
    Scan(ScanError),
    Gone,
}

impl From<ScanError> for Stop {
    fn from(e: ScanError) -> Self {
        Stop::Scan(e)
    }
}

struct Walk {
    tx: SyncSender<SourceItem>,
    attachments: zip::ZipArchive<File>,
    files: FileIndex,
    location: String,
    index: usize,
}

#[derive(Deserialize)]
struct VaultAttrs {
    #[serde(default)]
    name: Option<String>,
}

impl Walk {
    fn send(&self, item: SourceItem) -> Result<(), Stop> {
        self.tx.send(item).map_err(|_| Stop::Gone)
    }

    /// `{"accounts": [{"attrs": …, "vaults": [{"attrs": {"name": …}, "items": […]}]}]}`.
    fn document(&mut self, sc: &mut Scanner<zip::read::ZipFile<'_, File>>) -> Result<(), Stop> {
        sc.begin_object()?;
        while let Some(key) = sc.next_key()? {
            if key != "accounts" {
                sc.skip()?;
                continue;
            }
            sc.begin_array()?;
            while sc.next_element()? {
                sc.begin_object()?;
                while let Some(key) = sc.next_key()? {
                    if key == "vaults" {
                        self.vaults(sc)?;
                    } else {
                        sc.skip()?;
                    }
                }
            }
        }
        Ok(())
    }

    fn vaults(&mut self, sc: &mut Scanner<zip::read::ZipFile<'_, File>>) -> Result<(), Stop> {
        sc.begin_array()?;
        let mut number = 0;
        while sc.next_element()? {
            number += 1;
            let mut name = None;
            sc.begin_object()?;
            while let Some(key) = sc.next_key()? {
                match key.as_str() {
                    "attrs" => {
                        let raw = sc.capture(MAX_ITEM_BYTES)?;
                        name = serde_json::from_slice::<VaultAttrs>(&raw)
                            .ok()
                            .and_then(|a| a.name)
                            .filter(|n| !n.is_empty());
                    }
                    "items" => {
                        // 1Password writes a vault's attrs before its items; without them
                        // the vault is named by its place.
                        let vault = name.clone().unwrap_or_else(|| format!("vault {number}"));
                        self.items(sc, &vault)?;
                    }
                    _ => sc.skip()?,
                }
            }
        }
        Ok(())
    }

    fn items(
        &mut self,
        sc: &mut Scanner<zip::read::ZipFile<'_, File>>,
        vault: &str,
    ) -> Result<(), Stop> {
        sc.begin_array()?;
        while sc.next_element()? {
            self.index += 1;
            let location = format!("{}: item {}", self.location, self.index);
            let item = match sc.capture(MAX_ITEM_BYTES) {
                Ok(raw) => self.read_item(&raw, vault, location),
                Err(e) if e.recoverable => Err(EntryError {
                    location,
                    reason: format!("skipped: {}", e.reason),
                }),
                Err(e) => return Err(Stop::Scan(e)),
            };
            self.send(item)?;
        }
        Ok(())
    }

    fn read_item(&mut self, raw: &[u8], vault: &str, location: String) -> SourceItem {
        let item: Item = match serde_json::from_slice(raw) {
            Ok(item) => item,
            Err(e) => {
                return Err(EntryError {
                    location,
                    reason: format!("not a valid 1PUX item: {}", redacted(&e)),
                });
            }
        };
        let location = format!("{location} ({})", item.overview.title);
        let (mut entry, files) = into_entry(item, vault, location)?;
        for file in files {
            self.attach(&mut entry, &file.document_id, file.file_name);
        }
        Ok(entry)
    }

    /// Loads the file of document `id` into `entry` (or lists it as left behind).
    fn attach(&mut self, entry: &mut SourceEntry, id: &str, name: String) {
        let Some(zip_name) = self.files.get(id) else {
            entry
                .attachments_left
                .push((name, "not in the archive".to_owned()));
            return;
        };
        let Ok(mut file) = self.attachments.by_name(zip_name) else {
            entry
                .attachments_left
                .push((name, "cannot be read".to_owned()));
            return;
        };
        let size = file.size();
        if size > MAX_ATTACHMENT_BYTES {
            entry.attachments_left.push((
                name,
                format!("{size} bytes, over the {MAX_ATTACHMENT_BYTES}-byte limit"),
            ));
            return;
        }
        let mut data = Zeroizing::new(Vec::with_capacity(usize::try_from(size).unwrap_or(0)));
        let mut bounded = (&mut file).take(MAX_ATTACHMENT_BYTES);
        let mut chunk = Zeroizing::new([0u8; 8192]);
        loop {
            match bounded.read(&mut *chunk) {
                Ok(0) => break,
                Ok(n) if data.len() + n <= data.capacity() => data.extend_from_slice(&chunk[..n]),
                Ok(_) => {
                    entry
                        .attachments_left
                        .push((name, "larger than its archive entry says".to_owned()));
                    return;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    entry
                        .attachments_left
                        .push((name, format!("cannot be read: {}", e.kind())));
                    return;
                }
            }
        }
        entry.attachments.push(Attachment { name, data });
    }
}

/// One 1PUX item, as far as csvault reads it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Item<'a> {
    #[serde(default)]
    category_uuid: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default, borrow)]
    details: Details<'a>,
    overview: Overview,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Details<'a> {
    #[serde(default)]
    login_fields: Vec<LoginField>,
    #[serde(default, deserialize_with = "value_field::deserialize")]
    notes_plain: Option<Zeroizing<String>>,
    #[serde(default, borrow)]
    sections: Vec<Section<'a>>,
    #[serde(default, deserialize_with = "value_field::deserialize")]
    password: Option<Zeroizing<String>>,
    #[serde(default)]
    password_history: Vec<OldPassword>,
    #[serde(default)]
    document_attributes: Option<FileRef>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LoginField {
    #[serde(default, deserialize_with = "value_field::deserialize")]
    value: Option<Zeroizing<String>>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    field_type: Option<String>,
    #[serde(default)]
    designation: Option<String>,
}

#[derive(Deserialize)]
struct OldPassword {
    #[serde(default, deserialize_with = "value_field::deserialize")]
    value: Option<Zeroizing<String>>,
}

#[derive(Deserialize)]
struct Section<'a> {
    #[serde(default)]
    title: Option<String>,
    #[serde(default, borrow)]
    fields: Vec<SectionField<'a>>,
}

#[derive(Deserialize)]
struct SectionField<'a> {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    id: Option<String>,
    /// One key naming the kind (`string`, `concealed`, `totp`, `email`, `address`, `file`, …).
    #[serde(borrow)]
    value: Option<&'a RawValue>,
}

/// A document's file or a file field: `files/<documentId>__<fileName>` in the archive.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FileRef {
    file_name: String,
    document_id: String,
}

#[derive(Deserialize)]
struct Overview {
    #[serde(default)]
    title: String,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    urls: Vec<OverviewUrl>,
    #[serde(default)]
    tags: Vec<String>,
}

#[derive(Deserialize)]
struct OverviewUrl {
    #[serde(default)]
    url: Option<String>,
}

/// The kinds of the categories 1Password documents by uuid.
fn kind_of(category: &str) -> Option<&'static str> {
    Some(match category {
        "001" => "login",
        "002" => "credit_card",
        "003" => "secure_note",
        "004" => "identity",
        "005" => "password",
        "006" => "document",
        "100" => "software_license",
        "101" => "bank_account",
        "102" => "database",
        "103" => "driver_license",
        "104" => "outdoor_license",
        "105" => "membership",
        "106" => "passport",
        "107" => "reward_program",
        "108" => "social_security_number",
        "109" => "wireless_router",
        "110" => "server",
        "111" => "email_account",
        "112" => "api_credential",
        "113" => "medical_record",
        "114" => "ssh_key",
        _ => return None,
    })
}

/// The entry of `item` and the files it refers to (loaded by the walk).
fn into_entry(
    item: Item<'_>,
    vault: &str,
    location: String,
) -> Result<(SourceEntry, Vec<FileRef>), EntryError> {
    let Item {
        category_uuid,
        state,
        details,
        overview,
    } = item;
    let kind = category_uuid
        .as_deref()
        .map(|uuid| kind_of(uuid).map_or_else(|| format!("category_{uuid}"), str::to_owned));
    let mut urls: Vec<String> = overview.url.into_iter().filter(|u| !u.is_empty()).collect();
    for url in overview.urls.into_iter().filter_map(|u| u.url) {
        if !url.is_empty() && !urls.contains(&url) {
            urls.push(url);
        }
    }
    let mut tags = overview.tags;
    if state.as_deref() == Some("archived") {
        tags.push("archived".to_owned());
    }
    let mut files = Vec::new();
    let mut entry = SourceEntry {
        folders: vec![vault.to_owned()],
        title: overview.title,
        kind,
        urls,
        tags,
        notes: details.notes_plain.filter(|n| !n.is_empty()),
        location,
        ..SourceEntry::default()
    };
    for field in details.login_fields {
        let Some(value) = field.value.filter(|v| !v.is_empty()) else {
            continue;
        };
        match field.designation.as_deref() {
            Some("username") if entry.username.is_none() => entry.username = Some(value),
            Some("password") if entry.password.is_none() => entry.password = Some(value),
            _ => entry.fields.push(EntryField {
                name: field
                    .name
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| "field".to_owned()),
                hidden: field.field_type.as_deref() == Some("P"),
                value,
            }),
        }
    }
    if let Some(password) = details.password.filter(|p| !p.is_empty()) {
        if entry.password.is_none() {
            entry.password = Some(password);
        } else {
            entry.fields.push(EntryField {
                name: "password".to_owned(),
                value: password,
                hidden: true,
            });
        }
    }
    for section in details.sections {
        let prefix = section.title.filter(|t| !t.is_empty());
        for field in section.fields {
            let title = field
                .title
                .filter(|t| !t.is_empty())
                .or(field.id)
                .unwrap_or_else(|| "field".to_owned());
            let name = match &prefix {
                Some(section) => format!("{section}.{title}"),
                None => title,
            };
            let Some(raw) = field.value else { continue };
            if let Err(reason) = section_value(&mut entry, &mut files, &name, raw) {
                return Err(EntryError {
                    location: entry.location,
                    reason,
                });
            }
        }
    }
    for (n, old) in details.password_history.into_iter().enumerate() {
        if let Some(value) = old.value.filter(|v| !v.is_empty()) {
            entry.fields.push(EntryField {
                name: format!("password_history_{}", n + 1),
                value,
                hidden: true,
            });
        }
    }
    files.extend(details.document_attributes);
    Ok((entry, files))
}

/// A section field's value into `entry`: most kinds become a field, `totp` the TOTP (the
/// first; more become hidden fields), `file` an attachment to load.
fn section_value(
    entry: &mut SourceEntry,
    files: &mut Vec<FileRef>,
    name: &str,
    raw: &RawValue,
) -> Result<(), String> {
    // By kind, in one order: the same export gives the same entry (which `totp` is the TOTP).
    let map: std::collections::BTreeMap<&str, &RawValue> = serde_json::from_str(raw.get())
        .map_err(|_| format!("field {name}: its value is not an object of one kind"))?;
    for (kind, value) in map {
        section_kind(entry, files, name, kind, value)?;
    }
    Ok(())
}

/// A JSON string (or `null`) unescaped into wiped memory; empty is `None`.
fn text_of(name: &str, raw: &RawValue) -> Result<Option<Zeroizing<String>>, String> {
    value_field::deserialize(&mut serde_json::Deserializer::from_str(raw.get()))
        .map(|v| v.filter(|v| !v.is_empty()))
        .map_err(|_| format!("field {name}: its value is not text"))
}

fn parse<'a, T: Deserialize<'a>>(name: &str, raw: &'a RawValue) -> Result<T, String> {
    serde_json::from_str(raw.get()).map_err(|e| format!("field {name}: {}", redacted(&e)))
}

fn push(entry: &mut SourceEntry, name: &str, value: Option<Zeroizing<String>>, hidden: bool) {
    if let Some(value) = value.filter(|v| !v.is_empty()) {
        entry.fields.push(EntryField {
            name: name.to_owned(),
            value,
            hidden,
        });
    }
}

#[derive(Deserialize)]
struct Email {
    #[serde(default, deserialize_with = "value_field::deserialize")]
    email_address: Option<Zeroizing<String>>,
}

#[derive(Deserialize)]
struct Address {
    #[serde(default, deserialize_with = "value_field::deserialize")]
    street: Option<Zeroizing<String>>,
    #[serde(default, deserialize_with = "value_field::deserialize")]
    city: Option<Zeroizing<String>>,
    #[serde(default, deserialize_with = "value_field::deserialize")]
    state: Option<Zeroizing<String>>,
    #[serde(default, deserialize_with = "value_field::deserialize")]
    zip: Option<Zeroizing<String>>,
    #[serde(default, deserialize_with = "value_field::deserialize")]
    country: Option<Zeroizing<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SshKeyValue {
    #[serde(default, deserialize_with = "value_field::deserialize")]
    private_key: Option<Zeroizing<String>>,
}

/// One kind of a section field's value (`string`, `concealed`, `totp`, `email`, …).
fn section_kind(
    entry: &mut SourceEntry,
    files: &mut Vec<FileRef>,
    name: &str,
    kind: &str,
    value: &RawValue,
) -> Result<(), String> {
    match kind {
        "concealed" | "creditCardNumber" => push(entry, name, text_of(name, value)?, true),
        "string" | "url" | "phone" | "menu" | "gender" | "creditCardType" | "reference" => {
            push(entry, name, text_of(name, value)?, false);
        }
        "totp" => {
            let totp = text_of(name, value)?;
            if entry.totp.is_none() {
                entry.totp = totp;
            } else {
                push(entry, name, totp, true);
            }
        }
        "email" if value.get().starts_with('{') => {
            push(
                entry,
                name,
                parse::<Email>(name, value)?.email_address,
                false,
            );
        }
        "email" => push(entry, name, text_of(name, value)?, false),
        "date" | "monthYear" => {
            let n: Option<i64> = serde_json::from_str(value.get())
                .map_err(|_| format!("field {name}: its {kind} is not a number"))?;
            let shown = n.map(|n| {
                Zeroizing::new(if kind == "date" {
                    jiff::Timestamp::from_second(n)
                        .map_or_else(|_| n.to_string(), |t| t.strftime("%Y-%m-%d").to_string())
                } else {
                    format!("{:04}-{:02}", n / 100, n % 100)
                })
            });
            push(entry, name, shown, false);
        }
        "address" => {
            if let Some(a) = parse::<Option<Address>>(name, value)? {
                for (part, v) in [
                    ("street", a.street),
                    ("city", a.city),
                    ("state", a.state),
                    ("zip", a.zip),
                    ("country", a.country),
                ] {
                    push(entry, &format!("{name}.{part}"), v, false);
                }
            }
        }
        "sshKey" => {
            let key = parse::<Option<SshKeyValue>>(name, value)?;
            push(entry, name, key.and_then(|k| k.private_key), true);
        }
        "file" => files.push(parse(name, value)?),
        // A kind not documented: kept (hidden) when it is text, refused otherwise.
        other => match text_of(name, value) {
            Ok(v) => push(entry, name, v, true),
            Err(_) => return Err(format!("field {name}: unknown value kind {other}")),
        },
    }
    Ok(())
}
