//! KeePass databases (KDBX 4 and 3.1 as KeePassXC writes them, and older KDB) read with the
//! `keepass` crate: groups become folders, every field finds a place.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use keepass::db::{EntryId, EntryRef, GroupId, GroupRef, fields};
use keepass::error::{
    DatabaseFormatError, DatabaseKeyError, DatabaseOpenError, Kdbx3OpenError, Kdbx4OpenError,
};
use keepass::{Database, DatabaseKey};
use zeroize::Zeroizing;

use super::entry::{Attachment, EntryError, EntryField, SourceEntry, SourceItem};
use super::source::SourceOptions;

/// The largest database read: 64 MiB. A KDBX file is one encrypted blob, decrypted whole in
/// memory (a few times its size while it is parsed), so it cannot be streamed.
pub const MAX_BYTES: u64 = 64 * 1024 * 1024;

/// Whether `head` (a file's first bytes) starts as a KeePass database: KDBX 2 to 4, or KDB 1.
pub fn is_keepass(head: &[u8]) -> bool {
    const KEEPASS: [u8; 4] = [0x03, 0xd9, 0xa2, 0x9a];
    const KDBX: [u8; 4] = [0x67, 0xfb, 0x4b, 0xb5];
    const KDB: [u8; 4] = [0x65, 0xfb, 0x4b, 0xb5];
    head.len() >= 8 && head[..4] == KEEPASS && (head[4..8] == KDBX || head[4..8] == KDB)
}

/// The entries of the KeePass database at `path`, opened with `options`' password and key file
/// (an empty password counts as none, as in KeePassXC). Groups are the folders (the root group
/// left out), in the file's order; the Recycle Bin and everything in it is skipped; earlier
/// versions of an entry (its history) are not read.
///
/// # Errors
/// One error for the whole file, with no entries: neither password nor key file, a key file
/// that cannot be read, a wrong password or key file, a file over [`MAX_BYTES`], a damaged file.
pub fn open(
    path: &Path,
    options: &SourceOptions,
) -> Result<Box<dyn Iterator<Item = SourceItem>>, EntryError> {
    let whole = |reason: String| EntryError {
        location: path.display().to_string(),
        reason,
    };
    let password = options.password.as_ref().filter(|p| !p.is_empty());
    if password.is_none() && options.key_file.is_none() {
        return Err(whole(
            "a KeePass database needs its password or key file".into(),
        ));
    }
    let mut key = DatabaseKey::new();
    if let Some(password) = password {
        key = key.with_password(password);
    }
    if let Some(key_file) = &options.key_file {
        let mut file = File::open(key_file).map_err(|e| {
            whole(format!(
                "the key file {} cannot be read: {e}",
                key_file.display()
            ))
        })?;
        key = key.with_keyfile(&mut file).map_err(|e| {
            whole(format!(
                "the key file {} cannot be read: {e}",
                key_file.display()
            ))
        })?;
    }
    let file = File::open(path).map_err(|e| whole(format!("cannot be read: {e}")))?;
    let too_large = || {
        whole(format!(
            "is larger than {} MiB, more than a KeePass database is read",
            MAX_BYTES / (1024 * 1024)
        ))
    };
    if file.metadata().is_ok_and(|meta| meta.len() > MAX_BYTES) {
        return Err(too_large());
    }
    let mut data = Vec::new();
    file.take(MAX_BYTES + 1)
        .read_to_end(&mut data)
        .map_err(|e| whole(format!("cannot be read: {e}")))?;
    if data.len() as u64 > MAX_BYTES {
        return Err(too_large());
    }
    let db = Database::parse(&data, key).map_err(|e| whole(open_error(&e)))?;
    let mut order = Vec::new();
    let bin = db.recycle_bin().map(|bin| bin.id());
    walk(&db.root(), &[], bin, &mut order);
    Ok(Box::new(Entries {
        db,
        order: order.into_iter(),
    }))
}

/// Why a database did not open, in words that never quote its decrypted content.
fn open_error(e: &DatabaseOpenError) -> String {
    match e {
        DatabaseOpenError::Key(DatabaseKeyError::IncorrectKey) => {
            "the password or key file is wrong; no entries were read".into()
        }
        // KDBX 3.1 has no key check before its payload: a wrong key shows as bad padding.
        DatabaseOpenError::Cryptography(_) => {
            "the password or key file is wrong, or the file is damaged; no entries were read".into()
        }
        DatabaseOpenError::UnsupportedVersion => "is a KeePass version that cannot be read".into(),
        DatabaseOpenError::Format(
            DatabaseFormatError::Kdbx4(Kdbx4OpenError::Xml(_))
            | DatabaseFormatError::Kdbx3(Kdbx3OpenError::Xml(_)),
        ) => "its decrypted content is not a valid KeePass database (a damaged file?)".into(),
        other => format!("is not a readable KeePass database: {other}"),
    }
}

/// Every entry under `group`, depth first in the file's order, with its folder path.
fn walk(
    group: &GroupRef<'_>,
    folders: &[String],
    bin: Option<GroupId>,
    out: &mut Vec<(Vec<String>, EntryId)>,
) {
    for entry in group.entries() {
        out.push((folders.to_vec(), entry.id()));
    }
    for child in group.groups() {
        if Some(child.id()) == bin {
            continue;
        }
        let mut inner = folders.to_vec();
        inner.push(child.name.clone());
        walk(&child, &inner, bin, out);
    }
}

/// The opened database and the entries still to yield.
struct Entries {
    db: Database,
    order: std::vec::IntoIter<(Vec<String>, EntryId)>,
}

impl Iterator for Entries {
    type Item = SourceItem;

    fn next(&mut self) -> Option<SourceItem> {
        loop {
            let (folders, id) = self.order.next()?;
            if let Some(entry) = self.db.entry(id) {
                return Some(Ok(source_entry(folders, &entry)));
            }
        }
    }
}

/// The fields KeePass itself names, or that have a place of their own.
fn is_placed(name: &str) -> bool {
    fields::KNOWN_FIELDS.contains(&name) || name == fields::OTP || name.starts_with("KP2A_URL")
}

fn source_entry(folders: Vec<String>, entry: &EntryRef<'_>) -> SourceEntry {
    let value = |name: &str| {
        entry
            .fields
            .get(name)
            .map(keepass::db::Value::get)
            .filter(|v| !v.is_empty())
    };
    let wiped = |name: &str| value(name).map(|v| Zeroizing::new(v.clone()));
    let title = value(fields::TITLE).cloned().unwrap_or_default();
    let mut urls: Vec<String> = value(fields::URL).into_iter().cloned().collect();
    let mut more: Vec<&String> = entry
        .fields
        .keys()
        .filter(|k| k.starts_with("KP2A_URL"))
        .collect();
    more.sort_by(|a, b| a.len().cmp(&b.len()).then(a.cmp(b)));
    urls.extend(more.into_iter().filter_map(|k| value(k)).cloned());
    let totp = wiped(fields::OTP).or_else(|| wiped("TOTP Seed"));
    let seed_placed = value(fields::OTP).is_none();
    let mut names: Vec<&String> = entry
        .fields
        .keys()
        .filter(|k| !is_placed(k) && (k.as_str() != "TOTP Seed" || !seed_placed))
        .collect();
    names.sort();
    let custom = names
        .into_iter()
        .filter_map(|name| {
            let v = entry.fields.get(name)?;
            Some(EntryField {
                name: name.clone(),
                value: Zeroizing::new(v.get().clone()),
                hidden: v.is_protected(),
            })
        })
        .collect();
    let mut attachments: Vec<Attachment> = entry
        .attachments_named()
        .map(|(name, file)| Attachment {
            name: name.to_owned(),
            data: Zeroizing::new(file.data.get().clone()),
        })
        .collect();
    attachments.sort_by(|a, b| a.name.cmp(&b.name));
    let location = folders
        .iter()
        .map(String::as_str)
        .chain([title.as_str()])
        .collect::<Vec<_>>()
        .join("/");
    SourceEntry {
        folders,
        title,
        kind: None,
        password: wiped(fields::PASSWORD),
        username: wiped(fields::USERNAME),
        urls,
        notes: wiped(fields::NOTES),
        totp,
        fields: custom,
        tags: entry.tags.clone(),
        attachments,
        attachments_left: Vec::new(),
        location,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_tells_a_keepass_database_from_a_csv() {
        assert!(is_keepass(&[
            0x03, 0xd9, 0xa2, 0x9a, 0x67, 0xfb, 0x4b, 0xb5, 1, 0, 4, 0
        ]));
        assert!(is_keepass(&[
            0x03, 0xd9, 0xa2, 0x9a, 0x65, 0xfb, 0x4b, 0xb5
        ]));
        assert!(!is_keepass(b"\"Group\",\"Title\""));
        assert!(!is_keepass(&[0x03, 0xd9, 0xa2, 0x9a]));
    }
}
