//! Bitwarden's unencrypted JSON export, read an item at a time into [`SourceEntry`]s; and the
//! export's shape as serde types ([`Export`], [`Folder`], [`Collection`], [`Item`] …), which
//! `csvault export --format bitwarden` writes with.
//!
//! The document is `{"encrypted": false, "folders": [{id, name}], "items": [...]}` (an
//! organization's export has `collections` instead of `folders`). Bitwarden writes `folders`
//! before `items`, so the items stream in one pass; a file with `items` first is read twice
//! (the first pass skips the items and keeps only the folders), never held whole.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::entry::{EntryError, EntryField, SourceEntry, SourceItem};
use super::json_scan::{ScanError, Scanner};
use crate::csms::value_field;

/// The most bytes one item may take in the file; a larger one is reported and skipped.
pub const MAX_ITEM_BYTES: usize = 16 * 1024 * 1024;
/// The most bytes the `folders` or `collections` list may take.
const MAX_LIST_BYTES: usize = 64 * 1024 * 1024;

/// The whole export, as Bitwarden writes it (for writing; reading streams the items).
#[derive(Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Export {
    pub encrypted: bool,
    /// Written even when empty, as Bitwarden's personal export does.
    #[serde(default)]
    pub folders: Vec<Folder>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub collections: Vec<Collection>,
    pub items: Vec<Item>,
}

/// A folder; a `/` in its name nests it (`Work/Servers`).
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Folder {
    pub id: String,
    pub name: String,
}

/// An organization's collection; a `/` in its name nests it too.
#[derive(Serialize, Deserialize, Clone, Debug)]
#[serde(rename_all = "camelCase")]
pub struct Collection {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
}

/// The item types of the export's `type` field.
pub mod item_type {
    pub const LOGIN: u8 = 1;
    pub const SECURE_NOTE: u8 = 2;
    pub const CARD: u8 = 3;
    pub const IDENTITY: u8 = 4;
    pub const SSH_KEY: u8 = 5;
}

/// The custom field types of a field's `type`.
pub mod field_type {
    pub const TEXT: u8 = 0;
    pub const HIDDEN: u8 = 1;
    pub const BOOLEAN: u8 = 2;
    pub const LINKED: u8 = 3;
}

/// One item (Bitwarden calls it a cipher). Every value is wiped when dropped.
#[derive(Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Item {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    #[serde(default)]
    pub folder_id: Option<String>,
    /// [`item_type`].
    #[serde(rename = "type")]
    pub kind: u8,
    pub name: String,
    #[serde(default, deserialize_with = "value_field::deserialize")]
    pub notes: Option<Zeroizing<String>>,
    #[serde(default)]
    pub favorite: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<Field>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login: Option<Login>,
    /// `{"type": 0}` on a secure note; its text is the item's `notes`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secure_note: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card: Option<Card>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<Identity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssh_key: Option<SshKey>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection_ids: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_history: Option<Vec<PasswordHistory>>,
}

/// A custom field: `name`, `value`, [`field_type`]; a linked field (type 3) has no value of its
/// own but `linkedId`, the item field it shows.
#[derive(Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Field {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "value_field::deserialize")]
    pub value: Option<Zeroizing<String>>,
    #[serde(rename = "type")]
    pub kind: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linked_id: Option<u32>,
}

/// A login's URI.
#[derive(Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Uri {
    #[serde(default)]
    pub uri: Option<String>,
    /// Bitwarden's match detection (0 domain … 5 never), or `null` for the default.
    #[serde(default, rename = "match")]
    pub match_kind: Option<u8>,
}

#[derive(Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Login {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uris: Option<Vec<Uri>>,
    #[serde(default, deserialize_with = "value_field::deserialize")]
    pub username: Option<Zeroizing<String>>,
    #[serde(default, deserialize_with = "value_field::deserialize")]
    pub password: Option<Zeroizing<String>>,
    #[serde(default, deserialize_with = "value_field::deserialize")]
    pub totp: Option<Zeroizing<String>>,
}

#[derive(Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Card {
    #[serde(default, deserialize_with = "value_field::deserialize")]
    pub cardholder_name: Option<Zeroizing<String>>,
    #[serde(default, deserialize_with = "value_field::deserialize")]
    pub brand: Option<Zeroizing<String>>,
    #[serde(default, deserialize_with = "value_field::deserialize")]
    pub number: Option<Zeroizing<String>>,
    #[serde(default, deserialize_with = "value_field::deserialize")]
    pub exp_month: Option<Zeroizing<String>>,
    #[serde(default, deserialize_with = "value_field::deserialize")]
    pub exp_year: Option<Zeroizing<String>>,
    #[serde(default, deserialize_with = "value_field::deserialize")]
    pub code: Option<Zeroizing<String>>,
}

/// An identity; each part optional.
#[derive(Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    #[serde(default, deserialize_with = "value_field::deserialize")]
    pub title: Option<Zeroizing<String>>,
    #[serde(default, deserialize_with = "value_field::deserialize")]
    pub first_name: Option<Zeroizing<String>>,
    #[serde(default, deserialize_with = "value_field::deserialize")]
    pub middle_name: Option<Zeroizing<String>>,
    #[serde(default, deserialize_with = "value_field::deserialize")]
    pub last_name: Option<Zeroizing<String>>,
    #[serde(default, deserialize_with = "value_field::deserialize")]
    pub address1: Option<Zeroizing<String>>,
    #[serde(default, deserialize_with = "value_field::deserialize")]
    pub address2: Option<Zeroizing<String>>,
    #[serde(default, deserialize_with = "value_field::deserialize")]
    pub address3: Option<Zeroizing<String>>,
    #[serde(default, deserialize_with = "value_field::deserialize")]
    pub city: Option<Zeroizing<String>>,
    #[serde(default, deserialize_with = "value_field::deserialize")]
    pub state: Option<Zeroizing<String>>,
    #[serde(default, deserialize_with = "value_field::deserialize")]
    pub postal_code: Option<Zeroizing<String>>,
    #[serde(default, deserialize_with = "value_field::deserialize")]
    pub country: Option<Zeroizing<String>>,
    #[serde(default, deserialize_with = "value_field::deserialize")]
    pub company: Option<Zeroizing<String>>,
    #[serde(default, deserialize_with = "value_field::deserialize")]
    pub email: Option<Zeroizing<String>>,
    #[serde(default, deserialize_with = "value_field::deserialize")]
    pub phone: Option<Zeroizing<String>>,
    #[serde(default, deserialize_with = "value_field::deserialize")]
    pub ssn: Option<Zeroizing<String>>,
    #[serde(default, deserialize_with = "value_field::deserialize")]
    pub username: Option<Zeroizing<String>>,
    #[serde(default, deserialize_with = "value_field::deserialize")]
    pub passport_number: Option<Zeroizing<String>>,
    #[serde(default, deserialize_with = "value_field::deserialize")]
    pub license_number: Option<Zeroizing<String>>,
}

#[derive(Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct SshKey {
    #[serde(default, deserialize_with = "value_field::deserialize")]
    pub private_key: Option<Zeroizing<String>>,
    #[serde(default, deserialize_with = "value_field::deserialize")]
    pub public_key: Option<Zeroizing<String>>,
    #[serde(default, deserialize_with = "value_field::deserialize")]
    pub key_fingerprint: Option<Zeroizing<String>>,
}

/// An earlier password of a login.
#[derive(Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct PasswordHistory {
    #[serde(default)]
    pub last_used_date: Option<String>,
    #[serde(default, deserialize_with = "value_field::deserialize")]
    pub password: Option<Zeroizing<String>>,
}

/// Folder and collection paths by id, each split at `/`.
#[derive(Default)]
struct Paths {
    folders: HashMap<String, Vec<String>>,
    collections: HashMap<String, Vec<String>>,
}

fn split_path(name: &str) -> Vec<String> {
    name.split('/')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The items of the Bitwarden JSON export at `path`, one at a time.
///
/// # Errors
/// One [`EntryError`] (location = the path) when the file cannot be read, is not a Bitwarden
/// JSON export (no top-level object with an `items` list) or is the encrypted export.
pub fn open(path: &Path) -> Result<Box<dyn Iterator<Item = SourceItem>>, EntryError> {
    let whole = |reason: String| EntryError {
        location: path.display().to_string(),
        reason,
    };
    let scan = |e: ScanError| whole(format!("not a Bitwarden JSON export: {}", e.describe()));
    let file = File::open(path).map_err(|e| whole(format!("cannot be opened: {e}")))?;
    let mut sc = Scanner::new(file);
    sc.begin_object().map_err(scan)?;
    let mut paths = Paths::default();
    let mut folders_seen = false;
    let mut items_skipped = false;
    while let Some(key) = sc.next_key().map_err(scan)? {
        match key.as_str() {
            "encrypted" | "passwordProtected" => {
                let flag = sc.capture(16).map_err(scan)?;
                if flag.as_slice() == b"true" {
                    return Err(whole(ENCRYPTED.to_owned()));
                }
            }
            "encKeyValidation_DO_NOT_EDIT" => return Err(whole(ENCRYPTED.to_owned())),
            "folders" => {
                let raw = sc.capture(MAX_LIST_BYTES).map_err(scan)?;
                let list: Option<Vec<Folder>> = serde_json::from_slice(&raw)
                    .map_err(|e| whole(format!("its folders cannot be read: {}", redacted(&e))))?;
                for folder in list.unwrap_or_default() {
                    paths.folders.insert(folder.id, split_path(&folder.name));
                }
                folders_seen = true;
            }
            "collections" => {
                let raw = sc.capture(MAX_LIST_BYTES).map_err(scan)?;
                let list: Option<Vec<Collection>> = serde_json::from_slice(&raw).map_err(|e| {
                    whole(format!("its collections cannot be read: {}", redacted(&e)))
                })?;
                for collection in list.unwrap_or_default() {
                    paths
                        .collections
                        .insert(collection.id, split_path(&collection.name));
                }
            }
            "items" if folders_seen => {
                sc.begin_array().map_err(scan)?;
                return Ok(Box::new(Items::new(sc, paths, path)));
            }
            "items" => {
                sc.skip().map_err(scan)?;
                items_skipped = true;
            }
            _ => sc.skip().map_err(scan)?,
        }
    }
    if !items_skipped {
        return Err(whole(
            "not a Bitwarden JSON export: it has no `items` list".to_owned(),
        ));
    }
    // `items` came before `folders` (or there were none): read the items again, now that every
    // folder is known.
    let file = File::open(path).map_err(|e| whole(format!("cannot be opened: {e}")))?;
    let mut sc = Scanner::new(file);
    sc.begin_object().map_err(scan)?;
    while let Some(key) = sc.next_key().map_err(scan)? {
        if key == "items" {
            sc.begin_array().map_err(scan)?;
            return Ok(Box::new(Items::new(sc, paths, path)));
        }
        sc.skip().map_err(scan)?;
    }
    Err(whole("the file changed while it was read".to_owned()))
}

const ENCRYPTED: &str = "this is Bitwarden's encrypted JSON export, which csvault does not \
    read; export again choosing the format `.json` (unencrypted), import it, then delete it";

/// The stream over the `items` list.
struct Items {
    scanner: Scanner<File>,
    paths: Paths,
    path: PathBuf,
    /// Items handed out so far.
    index: usize,
    done: bool,
}

impl Items {
    fn new(scanner: Scanner<File>, paths: Paths, path: &Path) -> Self {
        Items {
            scanner,
            paths,
            path: path.to_owned(),
            index: 0,
            done: false,
        }
    }

    fn fail(&mut self, location: String, e: &ScanError) -> SourceItem {
        if !e.recoverable {
            self.done = true;
        }
        Err(EntryError {
            location,
            reason: if e.recoverable {
                format!("skipped: {}", e.reason)
            } else {
                format!("the rest of the file cannot be read: {}", e.describe())
            },
        })
    }
}

impl Iterator for Items {
    type Item = SourceItem;

    fn next(&mut self) -> Option<SourceItem> {
        if self.done {
            return None;
        }
        match self.scanner.next_element() {
            Ok(true) => {}
            Ok(false) => {
                self.done = true;
                return None;
            }
            Err(e) => {
                let location = format!("{}: after item {}", self.path.display(), self.index);
                return Some(self.fail(location, &e));
            }
        }
        self.index += 1;
        let location = format!("{}: item {}", self.path.display(), self.index);
        Some(match self.scanner.capture(MAX_ITEM_BYTES) {
            Ok(raw) => read_item(&raw, &self.paths, location),
            Err(e) => self.fail(location, &e),
        })
    }
}

/// One item's text parsed and turned into an entry.
fn read_item(raw: &[u8], paths: &Paths, location: String) -> SourceItem {
    let item: Item = match serde_json::from_slice(raw) {
        Ok(item) => item,
        Err(e) => {
            #[derive(Deserialize)]
            struct Named {
                name: Option<String>,
            }
            let location = match serde_json::from_slice::<Named>(raw) {
                Ok(Named { name: Some(name) }) => format!("{location} ({name})"),
                _ => location,
            };
            return Err(EntryError {
                location,
                reason: format!("not a valid Bitwarden item: {}", redacted(&e)),
            });
        }
    };
    let location = format!("{location} ({})", item.name);
    into_entry(item, paths, location)
}

/// A serde error's message without any value it quotes, and where in the item it is.
pub(super) fn redacted(e: &serde_json::Error) -> String {
    let message = e.to_string();
    // "invalid type: string \"…\", expected u8 at line 3 column 9": keep what was expected.
    let message = match (message.split_once(':'), message.rsplit_once(", expected ")) {
        (Some((what, _)), Some((_, expected)))
            if what.starts_with("invalid type") || what.starts_with("invalid value") =>
        {
            let expected = expected.split(" at line ").next().unwrap_or(expected);
            format!("{what}, expected {expected}")
        }
        _ => message
            .split(" at line ")
            .next()
            .unwrap_or(&message)
            .to_owned(),
    };
    format!(
        "{message} (line {} column {} of the item)",
        e.line(),
        e.column()
    )
}

fn field(name: &str, value: Option<Zeroizing<String>>, hidden: bool) -> Option<EntryField> {
    value.filter(|v| !v.is_empty()).map(|value| EntryField {
        name: name.to_owned(),
        value,
        hidden,
    })
}

fn into_entry(item: Item, paths: &Paths, location: String) -> SourceItem {
    let kind = match item.kind {
        item_type::LOGIN => "login",
        item_type::SECURE_NOTE => "secure_note",
        item_type::CARD => "card",
        item_type::IDENTITY => "identity",
        item_type::SSH_KEY => "ssh_key",
        other => {
            return Err(EntryError {
                location,
                reason: format!(
                    "unknown item type {other} (known: 1 login, 2 secure note, 3 card, 4 identity, 5 SSH key)"
                ),
            });
        }
    };
    let mut collections = item
        .collection_ids
        .iter()
        .flatten()
        .filter_map(|id| paths.collections.get(id));
    let folders = match item.folder_id.as_deref() {
        Some(id) => match paths.folders.get(id) {
            Some(path) => path.clone(),
            None => {
                return Err(EntryError {
                    location,
                    reason: "its folderId names no folder of the export".to_owned(),
                });
            }
        },
        None => collections.next().cloned().unwrap_or_default(),
    };
    let tags = collections.map(|path| path.join("/")).collect();
    let mut entry = SourceEntry {
        folders,
        title: item.name,
        kind: Some(kind.to_owned()),
        notes: item.notes.filter(|n| !n.is_empty()),
        tags,
        location,
        ..SourceEntry::default()
    };
    if let Some(login) = item.login {
        entry.username = login.username.filter(|v| !v.is_empty());
        entry.password = login.password.filter(|v| !v.is_empty());
        entry.totp = login.totp.filter(|v| !v.is_empty());
        entry.urls = login
            .uris
            .into_iter()
            .flatten()
            .filter_map(|u| u.uri.filter(|u| !u.is_empty()))
            .collect();
    }
    type_fields(&mut entry, item.card, item.identity, item.ssh_key);
    custom_fields(&mut entry, item.fields.unwrap_or_default())?;
    for (n, old) in item.password_history.into_iter().flatten().enumerate() {
        if let Some(f) = field(&format!("password_history_{}", n + 1), old.password, true) {
            entry.fields.push(f);
        }
    }
    Ok(entry)
}

/// A card's, an identity's or an SSH key's parts, as fields.
fn type_fields(
    entry: &mut SourceEntry,
    card: Option<Card>,
    identity: Option<Identity>,
    ssh_key: Option<SshKey>,
) {
    if let Some(card) = card {
        entry.fields.extend(
            [
                field("cardholder_name", card.cardholder_name, false),
                field("brand", card.brand, false),
                field("number", card.number, true),
                field("exp_month", card.exp_month, false),
                field("exp_year", card.exp_year, false),
                field("code", card.code, true),
            ]
            .into_iter()
            .flatten(),
        );
    }
    if let Some(id) = identity {
        entry.fields.extend(
            [
                field("title", id.title, false),
                field("first_name", id.first_name, false),
                field("middle_name", id.middle_name, false),
                field("last_name", id.last_name, false),
                field("address1", id.address1, false),
                field("address2", id.address2, false),
                field("address3", id.address3, false),
                field("city", id.city, false),
                field("state", id.state, false),
                field("postal_code", id.postal_code, false),
                field("country", id.country, false),
                field("company", id.company, false),
                field("email", id.email, false),
                field("phone", id.phone, false),
                field("ssn", id.ssn, true),
                field("username", id.username, false),
                field("passport_number", id.passport_number, true),
                field("license_number", id.license_number, true),
            ]
            .into_iter()
            .flatten(),
        );
    }
    if let Some(key) = ssh_key {
        entry.fields.extend(
            [
                field("private_key", key.private_key, true),
                field("public_key", key.public_key, false),
                field("key_fingerprint", key.key_fingerprint, false),
            ]
            .into_iter()
            .flatten(),
        );
    }
}

/// Custom fields, by their names; an unknown field type is the item's error.
fn custom_fields(entry: &mut SourceEntry, fields: Vec<Field>) -> Result<(), EntryError> {
    for (n, custom) in fields.into_iter().enumerate() {
        let name = custom
            .name
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| format!("field_{}", n + 1));
        let (value, hidden) = match custom.kind {
            field_type::TEXT | field_type::BOOLEAN => (custom.value, false),
            field_type::HIDDEN => (custom.value, true),
            field_type::LINKED => (
                Some(Zeroizing::new(match custom.linked_id {
                    Some(id) => format!("linked:{}", linked_name(id)),
                    None => "linked".to_owned(),
                })),
                false,
            ),
            other => {
                return Err(EntryError {
                    location: entry.location.clone(),
                    reason: format!(
                        "custom field {} has an unknown type {other} (known: 0 text, 1 hidden, 2 boolean, 3 linked)",
                        n + 1
                    ),
                });
            }
        };
        entry.fields.push(EntryField {
            name,
            value: value.unwrap_or_default(),
            hidden,
        });
    }
    Ok(())
}

/// The item field a linked custom field shows (Bitwarden's `LinkedIdType`).
fn linked_name(id: u32) -> String {
    let name = match id {
        100 | 413 => "username",
        101 => "password",
        300 => "cardholder_name",
        301 => "exp_month",
        302 => "exp_year",
        303 => "code",
        304 => "brand",
        305 => "number",
        400 => "title",
        401 => "middle_name",
        402 => "address1",
        403 => "address2",
        404 => "address3",
        405 => "city",
        406 => "state",
        407 => "postal_code",
        408 => "country",
        409 => "company",
        410 => "email",
        411 => "phone",
        412 => "ssn",
        414 => "passport_number",
        415 => "license_number",
        416 => "first_name",
        417 => "last_name",
        418 => "full_name",
        other => return other.to_string(),
    };
    name.to_owned()
}
