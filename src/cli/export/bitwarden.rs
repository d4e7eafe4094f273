//! `export --format bitwarden`: Bitwarden's unencrypted JSON export (`{"encrypted": false,
//! "folders": [...], "items": [...]}`), written item by item.
//!
//! A secret whose value is a JSON object becomes a login: `password`, `username`, `totp`,
//! `notes` and `uris`/`urls`/`url` go to their places, `fields` (an object or a list of
//! `{"name", "value"}`) and every other key become hidden custom fields. Any other value
//! becomes a secure note holding it (a binary value as base64, said in a field). The `folder`
//! tag is the item's folder; other tags, the description and a DISABLED state become text
//! fields.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::collections::{BTreeMap, HashMap};
use zeroize::Zeroizing;

use super::sink::Sink;
use crate::csms::{ApiError, ErrorCode, SecretRecord, value_field};
use crate::wiped::render_exact;

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
        let comma: &[u8] = if self.items > 0 { b"," } else { b"" };
        // Exactly its size: a buffer that grew would leave unwiped copies behind.
        let buf = render_exact(|out| {
            std::io::Write::write_all(out, comma)?;
            serde_json::to_writer(&mut *out, &item).map_err(std::io::Error::from)
        })
        .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?;
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

/// A JSON object value's members, each borrowed from the (wiped) value text as it is written:
/// nothing of a value is unescaped outside a wiped buffer (`serde_json::Value` would unescape
/// into scratch buffers it frees unwiped). Keys are names, not values.
type Object<'a> = BTreeMap<String, &'a RawValue>;

/// A JSON string unescaped straight into wiped memory.
#[derive(Deserialize)]
struct Text(#[serde(deserialize_with = "value_field::deserialize")] Option<Zeroizing<String>>);

/// A JSON value as a field's text: a string as it is (unescaped), anything else as its JSON.
fn as_text(raw: &RawValue) -> Zeroizing<String> {
    let json = raw.get();
    if json.starts_with('"')
        && let Ok(Text(Some(text))) = serde_json::from_str::<Text>(json)
    {
        return text;
    }
    Zeroizing::new(json.to_owned())
}

/// The members of `raw` if it is a JSON object.
fn object(raw: &RawValue) -> Option<Object<'_>> {
    serde_json::from_str(raw.get()).ok()
}

/// The items of `raw` if it is a JSON array.
fn array(raw: &RawValue) -> Option<Vec<&RawValue>> {
    serde_json::from_str(raw.get()).ok()
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
        match serde_json::from_str::<Object<'_>>(text) {
            Ok(map) => {
                item.kind = LOGIN;
                item.secure_note = None;
                let (login, notes) = login_of(&map, &mut fields);
                item.login = Some(login);
                item.notes = notes;
            }
            Err(_) => item.notes = Some(text.clone()),
        }
    }
    item.fields = fields;
    item
}

/// The login a JSON object value makes, and its notes; every key without a place becomes a
/// hidden field.
fn login_of(map: &Object<'_>, fields: &mut Vec<Field>) -> (Login, Option<Zeroizing<String>>) {
    let mut login = Login::default();
    let mut notes = None;
    for (key, v) in map {
        match key.as_str() {
            "password" => login.password = Some(as_text(v)),
            "username" | "user" | "login" => login.username = Some(as_text(v)),
            "totp" => login.totp = Some(as_text(v)),
            "notes" => notes = Some(as_text(v)),
            "uris" | "urls" | "url" | "uri" => {
                for u in array(v).unwrap_or_else(|| vec![*v]) {
                    let uri = object(u)
                        .and_then(|o| o.get("uri").map(|inner| as_text(inner)))
                        .unwrap_or_else(|| as_text(u));
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
fn custom_fields(v: &RawValue, fields: &mut Vec<Field>) {
    let mut push = |name: &str, value: &RawValue| {
        fields.push(Field {
            name: name.to_owned(),
            value: as_text(value),
            kind: FIELD_HIDDEN,
            linked_id: None,
        });
    };
    if let Some(map) = object(v) {
        for (k, v) in &map {
            push(k, v);
        }
    } else if let Some(items) = array(v) {
        for entry in items {
            let named = object(entry).and_then(|o| {
                let name = o.get("name").filter(|n| n.get().starts_with('"'))?;
                Some((as_text(name), *o.get("value")?))
            });
            match named {
                Some((name, value)) => push(&name, value),
                None => push("field", entry),
            }
        }
    } else {
        push("fields", v);
    }
}
