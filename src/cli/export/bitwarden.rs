//! `export --format bitwarden`: Bitwarden's unencrypted JSON export (`{"encrypted": false,
//! "folders": [...], "items": [...]}`), written item by item.
//!
//! A secret whose value is a JSON object becomes a login: `password`, `username`, `totp`,
//! `notes` and `uris`/`urls`/`url` go to their places, `fields` (an object or a list of
//! `{"name", "value"}`) and every other key become hidden custom fields. Any other value
//! becomes a secure note holding it (a binary value as base64, said in a field). The `folder`
//! tag is the item's folder; other tags, the description and a DISABLED state become text
//! fields.

use serde::Serialize;
use std::collections::HashMap;
use zeroize::{Zeroize, Zeroizing};

use super::sink::Sink;
use crate::csms::{ApiError, ErrorCode, SecretRecord};

/// The tag whose value names the item's folder.
const FOLDER_TAG: &str = "folder";
const LOGIN: u8 = 1;
const SECURE_NOTE: u8 = 2;
const FIELD_TEXT: u8 = 0;
const FIELD_HIDDEN: u8 = 1;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Item<'a> {
    id: String,
    organization_id: Option<String>,
    folder_id: Option<&'a str>,
    #[serde(rename = "type")]
    kind: u8,
    reprompt: u8,
    name: &'a str,
    notes: Option<Zeroizing<String>>,
    favorite: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    login: Option<Login>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secure_note: Option<SecureNote>,
    fields: Vec<Field>,
    collection_ids: Option<Vec<String>>,
}

#[derive(Default, Serialize)]
struct Login {
    uris: Vec<Uri>,
    username: Option<Zeroizing<String>>,
    password: Option<Zeroizing<String>>,
    totp: Option<Zeroizing<String>>,
}

#[derive(Serialize)]
struct Uri {
    #[serde(rename = "match")]
    match_kind: Option<u8>,
    uri: Zeroizing<String>,
}

#[derive(Serialize)]
struct SecureNote {
    #[serde(rename = "type")]
    kind: u8,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Field {
    name: String,
    value: Zeroizing<String>,
    #[serde(rename = "type")]
    kind: u8,
    linked_id: Option<u32>,
}

#[derive(Serialize)]
struct Folder<'a> {
    id: &'a str,
    name: &'a str,
}

/// The export's state: whether an item was written, and the folders met so far (name → id).
#[derive(Default)]
pub struct Writer {
    items: usize,
    folders: Vec<(String, String)>,
    folder_ids: HashMap<String, usize>,
}

fn internal(e: &serde_json::Error) -> ApiError {
    ApiError::new(ErrorCode::Internal, e.to_string())
}

impl Writer {
    pub fn begin(out: &mut Sink) -> Result<(), ApiError> {
        out.write(b"{\"encrypted\":false,\"items\":[")
    }

    pub fn record(&mut self, out: &mut Sink, record: &SecretRecord) -> Result<(), ApiError> {
        let folder = record
            .tags
            .iter()
            .flatten()
            .find(|t| t.key == FOLDER_TAG)
            .map(|t| self.folder_id(&t.value));
        let item = item_of(record, folder.as_deref());
        let mut buf = Zeroizing::new(Vec::with_capacity(1024));
        if self.items > 0 {
            buf.push(b',');
        }
        serde_json::to_writer(&mut *buf, &item).map_err(|e| internal(&e))?;
        self.items += 1;
        out.write(&buf)
    }

    pub fn end(&mut self, out: &mut Sink) -> Result<(), ApiError> {
        let folders: Vec<Folder<'_>> = self
            .folders
            .iter()
            .map(|(id, name)| Folder { id, name })
            .collect();
        let mut tail = b"],\"folders\":".to_vec();
        serde_json::to_writer(&mut tail, &folders).map_err(|e| internal(&e))?;
        tail.extend_from_slice(b"}\n");
        out.write(&tail)
    }

    fn folder_id(&mut self, name: &str) -> String {
        if let Some(&n) = self.folder_ids.get(name) {
            return self.folders[n].0.clone();
        }
        let id = uuid::Uuid::new_v4().to_string();
        self.folder_ids.insert(name.to_owned(), self.folders.len());
        self.folders.push((id.clone(), name.to_owned()));
        id
    }
}

fn text_field(name: &str, value: &str) -> Field {
    Field {
        name: name.to_owned(),
        value: Zeroizing::new(value.to_owned()),
        kind: FIELD_TEXT,
        linked_id: None,
    }
}

/// A JSON value as a field's text: a string as it is, anything else as its JSON.
fn as_text(value: &serde_json::Value) -> Zeroizing<String> {
    Zeroizing::new(match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

/// Wipes every string a parsed value holds (keys included), before it is dropped.
fn wipe(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(s) => s.zeroize(),
        serde_json::Value::Array(items) => items.iter_mut().for_each(wipe),
        serde_json::Value::Object(map) => {
            let taken = std::mem::take(map);
            for (mut key, mut v) in taken {
                key.zeroize();
                wipe(&mut v);
            }
        }
        _ => {}
    }
}

fn item_of<'a>(record: &'a SecretRecord, folder_id: Option<&'a str>) -> Item<'a> {
    let mut fields = Vec::new();
    if let Some(d) = record.description.as_deref().filter(|d| !d.is_empty()) {
        fields.push(text_field("description", d));
    }
    for tag in record.tags.iter().flatten().filter(|t| t.key != FOLDER_TAG) {
        fields.push(text_field(&format!("tag:{}", tag.key), &tag.value));
    }
    if let Some(state) = &record.state {
        fields.push(text_field("state", state));
    }
    let mut item = Item {
        id: uuid::Uuid::new_v4().to_string(),
        organization_id: None,
        folder_id,
        kind: SECURE_NOTE,
        reprompt: 0,
        name: &record.name,
        notes: None,
        favorite: false,
        login: None,
        secure_note: Some(SecureNote { kind: 0 }),
        fields: Vec::new(),
        collection_ids: None,
    };
    if let Some(binary) = &record.secret_binary {
        item.notes = Some(binary.clone());
        fields.push(text_field("encoding", "base64"));
    } else if let Some(text) = &record.secret_string {
        match serde_json::from_str::<serde_json::Value>(text) {
            Ok(mut value @ serde_json::Value::Object(_)) => {
                item.kind = LOGIN;
                item.secure_note = None;
                let (login, notes) = login_of(&value, &mut fields);
                item.login = Some(login);
                item.notes = notes;
                wipe(&mut value);
            }
            Ok(mut other) => {
                wipe(&mut other);
                item.notes = Some(text.clone());
            }
            Err(_) => item.notes = Some(text.clone()),
        }
    }
    item.fields = fields;
    item
}

/// The login a JSON object value makes, and its notes; every key without a place becomes a
/// hidden field.
fn login_of(
    value: &serde_json::Value,
    fields: &mut Vec<Field>,
) -> (Login, Option<Zeroizing<String>>) {
    let mut login = Login::default();
    let mut notes = None;
    let serde_json::Value::Object(map) = value else {
        return (login, notes);
    };
    for (key, v) in map {
        match key.as_str() {
            "password" => login.password = Some(as_text(v)),
            "username" | "user" | "login" => login.username = Some(as_text(v)),
            "totp" => login.totp = Some(as_text(v)),
            "notes" => notes = Some(as_text(v)),
            "uris" | "urls" | "url" | "uri" => {
                let list: Vec<&serde_json::Value> = match v {
                    serde_json::Value::Array(items) => items.iter().collect(),
                    one => vec![one],
                };
                for u in list {
                    let uri = match u {
                        serde_json::Value::Object(o) => {
                            o.get("uri").map_or_else(|| as_text(u), as_text)
                        }
                        other => as_text(other),
                    };
                    login.uris.push(Uri {
                        match_kind: None,
                        uri,
                    });
                }
            }
            "fields" => custom_fields(v, fields),
            other => fields.push(Field {
                name: other.to_owned(),
                value: as_text(v),
                kind: FIELD_HIDDEN,
                linked_id: None,
            }),
        }
    }
    (login, notes)
}

/// `fields` of a value: `{"name": "value", …}` or `[{"name", "value"}, …]`.
fn custom_fields(v: &serde_json::Value, fields: &mut Vec<Field>) {
    let mut push = |name: &str, value: &serde_json::Value| {
        fields.push(Field {
            name: name.to_owned(),
            value: as_text(value),
            kind: FIELD_HIDDEN,
            linked_id: None,
        });
    };
    match v {
        serde_json::Value::Object(map) => map.iter().for_each(|(k, v)| push(k, v)),
        serde_json::Value::Array(items) => {
            for entry in items {
                let name = entry.get("name").and_then(serde_json::Value::as_str);
                match (name, entry.get("value")) {
                    (Some(name), Some(value)) => push(name, value),
                    _ => push("field", entry),
                }
            }
        }
        other => push("fields", other),
    }
}
