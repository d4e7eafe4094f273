//! The mapping every format shares (docs/DECISIONS.md "Issue 16: import mapping"): a
//! [`SourceEntry`] becomes a record of csvault's format (a name, a text or JSON value, tags), and
//! each of its attachments a binary secret of its own.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::ser::{Serialize, SerializeMap, Serializer};
use zeroize::Zeroizing;

use super::entry::{EntryField, SourceEntry};
use super::naming::secret_name;
use crate::csms::op::SecretRecord;
use crate::csms::{
    ApiError, CreateSecretRequest, MAX_TAG_KEY_CHARS, MAX_TAG_VALUE_CHARS, MAX_TAGS_PER_SECRET,
    MAX_VALUE_BYTES, RESERVED_TAG_PREFIX, TagItem, tag_value_problem,
};

/// The most raw bytes an attachment may have to become a binary secret: what 32,768 base64
/// characters hold.
pub const MAX_ATTACHMENT_BYTES: usize = MAX_VALUE_BYTES / 4 * 3;
/// The tag carrying an entry's folder path, joined by `/`.
pub const FOLDER_TAG: &str = "folder";
/// The tag carrying the source's kind of item (`login`, `secure_note`, …).
pub const TYPE_TAG: &str = "type";
/// The tag an attachment's secret carries: the name of its entry's secret.
pub const ATTACHMENT_OF_TAG: &str = "attachment_of";

/// One secret to make from a source: an entry, or one of its attachments.
#[derive(Debug)]
pub struct PlannedSecret {
    /// The name from the entry's folders and title (for an attachment, the entry's name and the
    /// attachment's), before any collision suffix.
    pub name: String,
    /// `Some(file name)` for an attachment.
    pub attachment: Option<String>,
    /// The record, or why this secret cannot be made (never quoting a value).
    pub record: Result<SecretRecord, ApiError>,
    /// What the mapping had to change (a tag made to fit, tags beyond 20 left out).
    pub warnings: Vec<String>,
}

/// The entry's own secret: its name from its folders and title (before any collision
/// suffix), its value and tags.
pub fn plan_entry(entry: &SourceEntry) -> PlannedSecret {
    let name = secret_name(&entry.folders, &entry.title);
    let mut warnings = Vec::new();
    let tags = entry_tags(entry, &mut warnings);
    let record = entry_value(entry).map(|value| {
        let mut record = SecretRecord::plain(CreateSecretRequest {
            name: name.clone(),
            description: Some(source_path(entry)),
            secret_string: Some(value),
            ..CreateSecretRequest::default()
        });
        record.tags = tags;
        record
    });
    PlannedSecret {
        name,
        attachment: None,
        record,
        warnings,
    }
}

/// The entry's folders and title as the source wrote them, joined by `/`: the description of
/// its secret, so what the name had to leave out (characters outside the name's set, the end of
/// a long path) is still there. Cut to the description's 2,048 bytes at a character boundary.
fn source_path(entry: &SourceEntry) -> String {
    let mut path = entry
        .folders
        .iter()
        .map(String::as_str)
        .chain([entry.title.as_str()])
        .collect::<Vec<_>>()
        .join("/");
    if path.len() > crate::csms::MAX_DESCRIPTION_BYTES {
        let mut end = crate::csms::MAX_DESCRIPTION_BYTES;
        while !path.is_char_boundary(end) {
            end -= 1;
        }
        path.truncate(end);
    }
    path
}

/// The secrets of an entry's attachments, named `<entry name>.<attachment name>` (cleaned, cut
/// as names are) after the name the entry's secret got; each tagged as the entry is, plus
/// `attachment_of` = that name. One over [`MAX_ATTACHMENT_BYTES`] fails with its size.
pub fn plan_attachments(entry: &SourceEntry, entry_name: &str) -> Vec<PlannedSecret> {
    entry
        .attachments
        .iter()
        .map(|attachment| {
            let name = secret_name(&[entry_name.to_owned()], &attachment.name);
            let mut warnings = Vec::new();
            let mut tags = entry_tags(entry, &mut warnings);
            push_tag(&mut tags, ATTACHMENT_OF_TAG, entry_name, &mut warnings);
            let record = if attachment.data.len() > MAX_ATTACHMENT_BYTES {
                Err(ApiError::invalid(format!(
                    "The attachment has {} bytes; a binary secret holds at most {MAX_ATTACHMENT_BYTES}. It was not imported: keep it elsewhere.",
                    attachment.data.len()
                )))
            } else {
                let mut b64 = Zeroizing::new(String::with_capacity(
                    base64::encoded_len(attachment.data.len(), true).unwrap_or(0),
                ));
                STANDARD.encode_string(&*attachment.data, &mut b64);
                let mut record = SecretRecord::plain(CreateSecretRequest {
                    name: name.clone(),
                    secret_binary: Some(b64),
                    ..CreateSecretRequest::default()
                });
                record.tags = tags;
                Ok(record)
            };
            PlannedSecret {
                name,
                attachment: Some(attachment.name.clone()),
                record,
                warnings,
            }
        })
        .collect()
}

/// Whether the entry holds a password and nothing else (its kind aside, which is a tag).
fn only_a_password(entry: &SourceEntry) -> bool {
    entry.username.is_none()
        && entry.urls.is_empty()
        && entry.notes.is_none()
        && entry.totp.is_none()
        && entry.fields.is_empty()
}

/// The entry's value: its password alone as text (`""` when it has nothing at all), else a JSON
/// object of what it holds. `CSMS.0002` when that is over 32 KiB.
pub fn entry_value(entry: &SourceEntry) -> Result<Zeroizing<String>, ApiError> {
    let value = if only_a_password(entry) {
        entry
            .password
            .clone()
            .unwrap_or_else(|| Zeroizing::new(String::new()))
    } else if raw_bytes(entry) > MAX_VALUE_BYTES {
        return Err(ApiError::invalid(format!(
            "The entry's value would have more than {MAX_VALUE_BYTES} bytes, the most a secret holds. It was not imported: shorten its notes or fields."
        )));
    } else {
        json_value(entry)?
    };
    if value.len() > MAX_VALUE_BYTES {
        return Err(ApiError::invalid(format!(
            "The entry's value would have {} bytes; a secret holds at most {MAX_VALUE_BYTES}. It was not imported: shorten its notes or fields.",
            value.len()
        )));
    }
    Ok(value)
}

/// The JSON object of an entry, written into a wiped buffer sized once
/// ([`crate::wiped::render_exact`]).
fn json_value(entry: &SourceEntry) -> Result<Zeroizing<String>, ApiError> {
    let shape = ValueJson(entry);
    let mut buf = crate::wiped::render_exact(|out| {
        serde_json::to_writer(out, &shape).map_err(std::io::Error::from)
    })
    .map_err(|_| {
        ApiError::new(
            crate::csms::ErrorCode::Internal,
            "The entry's value could not be written as JSON.",
        )
    })?;
    let bytes = std::mem::take(&mut *buf);
    String::from_utf8(bytes)
        .map(Zeroizing::new)
        .map_err(|_| ApiError::invalid("The entry's value is not UTF-8."))
}

/// The bytes of the entry's text before JSON adds its quotes and escapes: the value is at
/// least this long, so an entry over the limit by this count is refused before it is written.
fn raw_bytes(entry: &SourceEntry) -> usize {
    let text = |v: &Option<Zeroizing<String>>| v.as_ref().map_or(0, |v| v.len());
    text(&entry.username)
        + text(&entry.password)
        + text(&entry.notes)
        + text(&entry.totp)
        + entry.urls.iter().map(String::len).sum::<usize>()
        + entry
            .fields
            .iter()
            .map(|f| f.name.len() + f.value.len())
            .sum::<usize>()
}

/// An entry as its JSON value: `type`, `username`, `password`, `urls`, `notes`, `totp`,
/// `fields`, each only when the entry has it.
struct ValueJson<'a>(&'a SourceEntry);

impl Serialize for ValueJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let e = self.0;
        let mut map = s.serialize_map(None)?;
        if let Some(kind) = &e.kind {
            map.serialize_entry("type", kind)?;
        }
        if let Some(v) = &e.username {
            map.serialize_entry("username", v.as_str())?;
        }
        if let Some(v) = &e.password {
            map.serialize_entry("password", v.as_str())?;
        }
        if !e.urls.is_empty() {
            map.serialize_entry("urls", &e.urls)?;
        }
        if let Some(v) = &e.notes {
            map.serialize_entry("notes", v.as_str())?;
        }
        if let Some(v) = &e.totp {
            map.serialize_entry("totp", v.as_str())?;
        }
        if !e.fields.is_empty() {
            map.serialize_entry("fields", &FieldsJson(&e.fields))?;
        }
        map.end()
    }
}

/// Fields as `{name: value}`, in the source's order; a name given more than once maps to the
/// list of its values, in order.
struct FieldsJson<'a>(&'a [EntryField]);

impl Serialize for FieldsJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Each name once, where it first comes, with its values in order: one pass, one
        // look-up a field.
        let mut at_of: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
        for field in self.0 {
            if let Some(&at) = at_of.get(field.name.as_str()) {
                groups[at].1.push(field.value.as_str());
            } else {
                at_of.insert(field.name.as_str(), groups.len());
                groups.push((field.name.as_str(), vec![field.value.as_str()]));
            }
        }
        let mut map = s.serialize_map(Some(groups.len()))?;
        for (name, values) in &groups {
            if let [one] = values.as_slice() {
                map.serialize_entry(name, one)?;
            } else {
                map.serialize_entry(name, values)?;
            }
        }
        map.end()
    }
}

/// The entry's tags: `folder` = its folder path joined by `/`, `type` = its kind, then each of
/// the source's tags as a key with the value `""`, each made to fit issue 14's rules, no key
/// twice, at most 20 (what did not fit is said in `warnings`).
pub fn entry_tags(entry: &SourceEntry, warnings: &mut Vec<String>) -> Vec<TagItem> {
    let mut tags = Vec::new();
    if !entry.folders.is_empty() {
        push_tag(&mut tags, FOLDER_TAG, &entry.folders.join("/"), warnings);
    }
    if let Some(kind) = &entry.kind {
        push_tag(&mut tags, TYPE_TAG, kind, warnings);
    }
    for tag in &entry.tags {
        let key = fit_key(tag);
        if key.is_empty() {
            warnings.push(format!(
                "the tag {tag:?} has nothing a tag key may hold; left out"
            ));
            continue;
        }
        if key != *tag {
            warnings.push(format!("the tag {tag:?} became the key {key:?}"));
        }
        push_tag(&mut tags, &key, "", warnings);
    }
    tags
}

/// Adds `key = value` (the value made to fit) unless the key is there or 20 tags are.
fn push_tag(tags: &mut Vec<TagItem>, key: &str, value: &str, warnings: &mut Vec<String>) {
    if tags.iter().any(|t| t.key == key) {
        return;
    }
    if tags.len() >= MAX_TAGS_PER_SECRET {
        warnings.push(format!(
            "the tag {key:?} left out: a secret carries at most {MAX_TAGS_PER_SECRET}"
        ));
        return;
    }
    let fitted = fit_value(value);
    if fitted != value {
        warnings.push(format!("the tag {key}'s value became {fitted:?}"));
    }
    tags.push(TagItem::new(key, fitted));
}

/// Whether a tag value may hold `c` (letters, digits, spaces, `_ . : / = + - @`).
fn value_char(c: char) -> bool {
    let mut buf = [0u8; 4];
    tag_value_problem(c.encode_utf8(&mut buf)).is_none()
}

/// A tag value: each character a value may not hold becomes `-`, cut to 255 characters.
fn fit_value(value: &str) -> String {
    value
        .chars()
        .map(|c| if value_char(c) { c } else { '-' })
        .take(MAX_TAG_VALUE_CHARS)
        .collect()
}

/// A tag key: as a value but without `/`, no space at either end, 128 characters, and not
/// starting with `_sys_` (an `x` goes before it). May be empty.
fn fit_key(tag: &str) -> String {
    let mapped: String = tag
        .chars()
        .map(|c| if c != '/' && value_char(c) { c } else { '-' })
        .collect();
    let mut key = mapped.trim().to_owned();
    if key.starts_with(RESERVED_TAG_PREFIX) {
        key.insert(0, 'x');
    }
    let cut: String = key.chars().take(MAX_TAG_KEY_CHARS).collect();
    cut.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_keys_and_values_are_made_to_fit() {
        assert_eq!(fit_value("Work/Team (EU)"), "Work/Team -EU-");
        assert_eq!(
            fit_value(&"v".repeat(300)).chars().count(),
            MAX_TAG_VALUE_CHARS
        );
        assert_eq!(fit_key(" a/b "), "a-b");
        assert_eq!(fit_key("_sys_x"), "x_sys_x");
        assert_eq!(
            fit_key("日本 ok"),
            "日本 ok",
            "letters of any script are kept"
        );
        assert_eq!(fit_key("  "), "");
        assert_eq!(fit_key(&"k".repeat(200)).chars().count(), MAX_TAG_KEY_CHARS);
    }

    #[test]
    fn at_most_20_tags_and_what_is_left_out_is_said() {
        let entry = SourceEntry {
            folders: vec!["a".into()],
            kind: Some("login".into()),
            tags: (0..25).map(|n| format!("t{n}")).collect(),
            ..SourceEntry::default()
        };
        let mut warnings = Vec::new();
        let tags = entry_tags(&entry, &mut warnings);
        assert_eq!(tags.len(), MAX_TAGS_PER_SECRET);
        assert_eq!(tags[0], TagItem::new(FOLDER_TAG, "a"));
        assert_eq!(tags[1], TagItem::new(TYPE_TAG, "login"));
        assert_eq!(warnings.len(), 7, "{warnings:?}");
    }

    #[test]
    fn an_entry_with_only_a_password_is_text_and_one_with_nothing_is_empty() {
        let only = SourceEntry {
            kind: Some("login".into()),
            password: Some(Zeroizing::new("pw".into())),
            ..SourceEntry::default()
        };
        assert_eq!(
            entry_value(&only).ok().as_deref().map(String::as_str),
            Some("pw")
        );
        let nothing = SourceEntry::default();
        assert_eq!(
            entry_value(&nothing).ok().as_deref().map(String::as_str),
            Some("")
        );
    }

    fn field(name: &str, value: &str) -> EntryField {
        EntryField {
            name: name.into(),
            value: Zeroizing::new(value.into()),
            hidden: false,
        }
    }

    #[test]
    fn fields_of_one_name_become_a_list_where_the_name_first_comes() {
        let entry = SourceEntry {
            fields: vec![
                field("pin", "1"),
                field("email", "a@x"),
                field("pin", "2"),
                field("pin", "3"),
            ],
            ..SourceEntry::default()
        };
        let value = entry_value(&entry).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            value.as_str(),
            r#"{"fields":{"pin":["1","2","3"],"email":"a@x"}}"#
        );
    }

    #[test]
    fn an_entry_with_too_many_fields_is_refused_before_it_is_written() {
        let entry = SourceEntry {
            fields: (0..40_000).map(|n| field(&format!("f{n}"), "v")).collect(),
            ..SourceEntry::default()
        };
        let e = entry_value(&entry)
            .err()
            .unwrap_or_else(|| panic!("accepted"));
        assert!(e.error_msg.contains("more than 32768 bytes"), "{e:?}");
    }
}
