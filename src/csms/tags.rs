//! Tags: the tag operations' request and response shapes, the key and value rules every edge
//! shares (the vault, the command line, the terminal app's tag dialog), and the filters of
//! `ListResourceInstances` (docs/DECISIONS.md "tags", "`ListProjectSecretsTags`",
//! "`ListResourceInstances`", "Tags (issue 14)").

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use super::{Field, FieldError, Secret};

/// The most tags one secret carries (the API's "at most 20 tags per secret"); a 21st is
/// `CSMS.0203`.
pub const MAX_TAGS_PER_SECRET: usize = 20;
/// A tag key has 1–128 characters (the API's `TagItem.key`).
pub const MAX_TAG_KEY_CHARS: usize = 128;
/// A tag value has 0–255 characters (the API's `TagItem.value`).
pub const MAX_TAG_VALUE_CHARS: usize = 255;
/// Keys starting with this are the cloud's system tags; no request may set one.
pub const RESERVED_TAG_PREFIX: &str = "_sys_";
/// `ListResourceInstances`: at most 10 `tags` entries, each with at most 10 `values`, and at
/// most 10 `matches` (the API's limits).
pub const MAX_FILTER_TAGS: usize = 10;
pub const MAX_FILTER_VALUES: usize = 10;
pub const MAX_MATCHES: usize = 10;
/// `ListResourceInstances`' page: `limit` 1–1000, 10 when absent.
pub const DEFAULT_RESOURCE_LIMIT: usize = 10;
pub const MAX_RESOURCE_LIMIT: usize = 1000;
/// The one field `matches` searches.
pub const MATCH_RESOURCE_NAME: &str = "resource_name";

/// Which secret a tag operation is about: by id over HTTP (the API's paths carry the id), by
/// name from the command line and the terminal app. The vault resolves it inside the operation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SecretRef {
    Id(String),
    Name(String),
}

/// A tag as a request carries it (`TagItem`: `key` required, `value` optional). An absent value
/// is set as `""`; in a batch delete it deletes the key whatever its value.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagItem {
    #[serde(default)]
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

impl TagItem {
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            value: Some(value.into()),
        }
    }
}

/// A tag as the API answers it: `{"key", "value"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretTag {
    pub key: String,
    pub value: String,
}

/// `CreateSecretTag`'s body: `{"tag": {"key", "value"}}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct CreateSecretTagRequest {
    #[serde(default)]
    pub tag: TagItem,
}

impl CreateSecretTagRequest {
    /// The key's problems, then the value's.
    pub fn problems(&self) -> Vec<FieldError> {
        let mut out = Vec::new();
        if let Some(m) = tag_key_problem(&self.tag.key) {
            out.push(FieldError::new(Field::TagKey, m));
        }
        if let Some(m) = self.tag.value.as_deref().and_then(tag_value_problem) {
            out.push(FieldError::new(Field::TagValue, m));
        }
        out
    }
}

/// `BatchCreateOrDeleteTags`' action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TagAction {
    Create,
    Delete,
}

impl TagAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Delete => "delete",
        }
    }
}

/// `BatchCreateOrDeleteTags`' body: `{"action": "create"|"delete", "tags": [...], "sequence"}`.
/// `sequence` (the cloud's request serial number) is taken and ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct BatchCreateOrDeleteTagsRequest {
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub tags: Vec<TagItem>,
    #[serde(default)]
    pub sequence: Option<String>,
}

impl BatchCreateOrDeleteTagsRequest {
    pub fn new(action: TagAction, tags: Vec<TagItem>) -> Self {
        Self {
            action: action.as_str().to_owned(),
            tags,
            sequence: None,
        }
    }

    /// The action, if it is one of the two.
    pub fn action(&self) -> Option<TagAction> {
        match self.action.as_str() {
            "create" => Some(TagAction::Create),
            "delete" => Some(TagAction::Delete),
            _ => None,
        }
    }

    /// Every broken rule: the action, the list (1–20 entries, no key twice), then each tag in
    /// order. A create checks each key and value in full; a delete only their lengths (a key
    /// that cannot exist is simply not there).
    pub fn problems(&self) -> Vec<FieldError> {
        let mut out = Vec::new();
        let action = self.action();
        if action.is_none() {
            out.push(FieldError::new(
                Field::TagAction,
                format!(
                    "it must be create or delete, not {:?}",
                    shorten(&self.action, 16)
                ),
            ));
        }
        let n = self.tags.len();
        if n == 0 || n > MAX_TAGS_PER_SECRET {
            out.push(FieldError::new(
                Field::TagList,
                format!("it holds 1–{MAX_TAGS_PER_SECRET} tags; this one holds {n}"),
            ));
        }
        for (i, tag) in self.tags.iter().enumerate() {
            if self.tags[..i].iter().any(|t| t.key == tag.key) {
                out.push(FieldError::new(
                    Field::TagList,
                    format!("tags[{i}] repeats the key {:?}", shorten(&tag.key, 32)),
                ));
            }
        }
        for (i, tag) in self.tags.iter().enumerate() {
            let (key, value) = if action == Some(TagAction::Delete) {
                (
                    tag_key_length_problem(&tag.key),
                    tag.value.as_deref().and_then(tag_value_length_problem),
                )
            } else {
                (
                    tag_key_problem(&tag.key),
                    tag.value.as_deref().and_then(tag_value_problem),
                )
            };
            if let Some(m) = key {
                out.push(FieldError::new(Field::TagKey, format!("in tags[{i}], {m}")));
            }
            if let Some(m) = value {
                out.push(FieldError::new(
                    Field::TagValue,
                    format!("in tags[{i}], {m}"),
                ));
            }
        }
        out
    }
}

/// `ListSecretTags`' answer: `{"tags": [{"key", "value"}], "sys_tags": []}`, tags by key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListSecretTagsResponse {
    pub tags: Vec<SecretTag>,
    /// System tags: none locally.
    pub sys_tags: Vec<SecretTag>,
}

/// One key in use and its distinct values (`ListProjectSecretsTags`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectTag {
    pub key: String,
    pub values: Vec<String>,
}

/// `ListProjectSecretsTags`' answer: every key in use, sorted, each with its values, sorted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListProjectSecretsTagsResponse {
    pub tags: Vec<ProjectTag>,
}

/// A secret's name and tags: what the terminal app's list filters on (a local read).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedTags {
    pub name: String,
    pub tags: Vec<SecretTag>,
}

/// One `ListResourceInstances` filter: the secret has `key` with one of `values` (any value when
/// `values` is empty).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagFilter {
    #[serde(default)]
    pub key: String,
    #[serde(default)]
    pub values: Vec<String>,
}

/// One `ListResourceInstances` search: `key` `resource_name`, `value` a case-insensitive
/// substring of the name (`""` matches nothing).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct TagMatch {
    #[serde(default)]
    pub key: String,
    #[serde(default)]
    pub value: String,
}

/// A count the API writes as a string (`"limit": "10"`); a JSON number is taken too.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum CountText {
    Number(serde_json::Number),
    Text(String),
}

impl CountText {
    /// The count, if it is a whole number 0–2^63.
    pub fn value(&self) -> Option<usize> {
        match self {
            Self::Number(n) => n.as_u64().and_then(|n| usize::try_from(n).ok()),
            Self::Text(t) if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) => {
                t.parse().ok()
            }
            Self::Text(_) => None,
        }
    }

    fn shown(&self) -> String {
        match self {
            Self::Number(n) => n.to_string(),
            Self::Text(t) => format!("{:?}", shorten(t, 16)),
        }
    }
}

/// `ListResourceInstances`' body. `action` `filter` answers a page of matches and their count,
/// `count` the count alone (`limit` and `offset` are then ignored).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct ListResourceInstancesRequest {
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub limit: Option<CountText>,
    #[serde(default)]
    pub offset: Option<CountText>,
    #[serde(default)]
    pub tags: Option<Vec<TagFilter>>,
    #[serde(default)]
    pub matches: Option<Vec<TagMatch>>,
    #[serde(default)]
    pub sequence: Option<String>,
}

impl ListResourceInstancesRequest {
    /// Whether the action is `count` (else `filter`, when valid).
    pub fn counts_only(&self) -> bool {
        self.action == "count"
    }

    /// The page size: `limit` 1–1000, 10 when absent (valid after [`Self::problems`]).
    pub fn page_limit(&self) -> usize {
        self.limit
            .as_ref()
            .and_then(CountText::value)
            .unwrap_or(DEFAULT_RESOURCE_LIMIT)
    }

    /// How many matches the page skips: `offset` ≥ 0, 0 when absent.
    pub fn page_offset(&self) -> usize {
        self.offset.as_ref().and_then(CountText::value).unwrap_or(0)
    }

    /// Every broken rule, in the body's order: action, limit and offset (for `filter`), tags,
    /// matches.
    pub fn problems(&self) -> Vec<FieldError> {
        let mut out = Vec::new();
        if !matches!(self.action.as_str(), "filter" | "count") {
            out.push(FieldError::new(
                Field::TagAction,
                format!(
                    "it must be filter or count, not {:?}",
                    shorten(&self.action, 16)
                ),
            ));
        }
        if !self.counts_only() {
            if let Some(limit) = &self.limit
                && !limit
                    .value()
                    .is_some_and(|n| (1..=MAX_RESOURCE_LIMIT).contains(&n))
            {
                out.push(FieldError::new(
                    Field::ResourceLimit,
                    format!("{}; it must be 1–{MAX_RESOURCE_LIMIT}", limit.shown()),
                ));
            }
            if let Some(offset) = &self.offset
                && offset.value().is_none()
            {
                out.push(FieldError::new(
                    Field::ResourceOffset,
                    format!("{}; it must be a whole number, 0 or more", offset.shown()),
                ));
            }
        }
        out.extend(filter_problems(self.tags.as_deref().unwrap_or_default()));
        let matches = self.matches.as_deref().unwrap_or_default();
        if matches.len() > MAX_MATCHES {
            out.push(FieldError::new(
                Field::ResourceMatches,
                format!(
                    "at most {MAX_MATCHES} entries; this one has {}",
                    matches.len()
                ),
            ));
        }
        for (i, m) in matches.iter().enumerate() {
            if m.key != MATCH_RESOURCE_NAME {
                out.push(FieldError::new(
                    Field::ResourceMatches,
                    format!(
                        "matches[{i}].key must be {MATCH_RESOURCE_NAME}, not {:?}",
                        shorten(&m.key, 32)
                    ),
                ));
            }
            let chars = m.value.chars().count();
            if chars > MAX_TAG_VALUE_CHARS {
                out.push(FieldError::new(
                    Field::ResourceMatches,
                    format!(
                        "matches[{i}].value has at most {MAX_TAG_VALUE_CHARS} characters; this one has {chars}"
                    ),
                ));
            }
        }
        out
    }
}

/// The problems of a list of tag filters (`ListResourceInstances`' `tags`, `secret list --tag`):
/// at most 10 entries; each key 1–128 characters; at most 10 values, each at most 255
/// characters, none twice.
pub fn filter_problems(tags: &[TagFilter]) -> Vec<FieldError> {
    let mut out = Vec::new();
    if tags.len() > MAX_FILTER_TAGS {
        out.push(FieldError::new(
            Field::TagFilters,
            format!(
                "at most {MAX_FILTER_TAGS} entries; this one has {}",
                tags.len()
            ),
        ));
    }
    for (i, t) in tags.iter().enumerate() {
        if let Some(m) = tag_key_length_problem(&t.key) {
            out.push(FieldError::new(
                Field::TagFilters,
                format!("in tags[{i}], {m}"),
            ));
        }
        if t.values.len() > MAX_FILTER_VALUES {
            out.push(FieldError::new(
                Field::TagFilters,
                format!(
                    "tags[{i}] has {} values; at most {MAX_FILTER_VALUES}",
                    t.values.len()
                ),
            ));
        }
        for (j, v) in t.values.iter().enumerate() {
            if let Some(m) = tag_value_length_problem(v) {
                out.push(FieldError::new(
                    Field::TagFilters,
                    format!("in tags[{i}].values[{j}], {m}"),
                ));
            }
            if t.values[..j].contains(v) {
                out.push(FieldError::new(
                    Field::TagFilters,
                    format!("tags[{i}].values[{j}] repeats a value"),
                ));
            }
        }
    }
    out
}

/// One secret found by `ListResourceInstances`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ResourceInstance {
    pub resource_id: String,
    pub resource_name: String,
    /// The whole Secret record.
    pub resource_detail: Secret,
    /// Its tags, by key.
    pub tags: Vec<SecretTag>,
    /// System tags: none locally.
    pub sys_tags: Vec<SecretTag>,
}

/// `ListResourceInstances`' answer: `{"resources": [...], "total_count"}` for `filter`,
/// `{"total_count"}` alone for `count`. `total_count` counts every match, not the page.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ListResourceInstancesResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Vec<ResourceInstance>>,
    pub total_count: usize,
}

/// The characters a key may hold besides letters, digits and spaces (the API's
/// `[\p{L}\p{Z}\p{N}_.:=+\-@]`).
const KEY_PUNCTUATION: &str = "_.:=+-@";
/// The same for values, which may hold `/` too.
const VALUE_PUNCTUATION: &str = "_.:/=+-@";

/// Letters, spaces (separators) and numbers in the Unicode sense of the API's pattern (`\p{L}`,
/// `\p{Z}`, `\p{N}`).
static LETTER_SPACE_NUMBER: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^[\p{L}\p{Z}\p{N}]$").ok());

/// Whether `c` is a letter, a space (separator) or a number.
fn letter_space_number(c: char) -> bool {
    match LETTER_SPACE_NUMBER.as_ref() {
        Some(re) => {
            let mut buf = [0; 4];
            re.is_match(c.encode_utf8(&mut buf))
        }
        // The pattern is a constant that compiles (a test says so); were it not, this stricter
        // reading would still refuse nothing the API takes in ASCII.
        None => c.is_ascii_alphanumeric() || c == ' ',
    }
}

/// How a character is named in a problem: quoted when it is plain ASCII, else by code point (so
/// nothing invisible or misleading reaches a terminal).
fn describe(c: char) -> String {
    if c.is_ascii_graphic() {
        format!("'{c}'")
    } else {
        format!("U+{:04X}", u32::from(c))
    }
}

/// At most `chars` characters of `text`, for a problem's message.
fn shorten(text: &str, chars: usize) -> String {
    let mut out: String = text.chars().take(chars).collect();
    if text.chars().count() > chars {
        out.push('…');
    }
    out
}

/// A key's length rule alone: 1–128 characters (what a delete checks).
pub fn tag_key_length_problem(key: &str) -> Option<String> {
    let chars = key.chars().count();
    if chars == 0 {
        Some(format!(
            "a tag key has 1–{MAX_TAG_KEY_CHARS} characters; this one is empty"
        ))
    } else if chars > MAX_TAG_KEY_CHARS {
        Some(format!(
            "a tag key has 1–{MAX_TAG_KEY_CHARS} characters; this one has {chars}"
        ))
    } else {
        None
    }
}

/// A value's length rule alone: at most 255 characters (what a delete checks).
pub fn tag_value_length_problem(value: &str) -> Option<String> {
    let chars = value.chars().count();
    (chars > MAX_TAG_VALUE_CHARS).then(|| {
        format!("a tag value has at most {MAX_TAG_VALUE_CHARS} characters; this one has {chars}")
    })
}

/// Why a tag key is refused, if it is: 1–128 characters of letters, digits, spaces and
/// `_ . : = + - @` (the API's `^((?!\s)(?!_sys_)[\p{L}\p{Z}\p{N}_.:=+\-@]*)(?<!\s)$`), no space
/// first or last, not starting with `_sys_`.
pub fn tag_key_problem(key: &str) -> Option<String> {
    if let Some(m) = tag_key_length_problem(key) {
        return Some(m);
    }
    if let Some(bad) = key
        .chars()
        .find(|&c| !(letter_space_number(c) || KEY_PUNCTUATION.contains(c)))
    {
        return Some(format!(
            "a tag key has only letters, digits, spaces and _ . : = + - @; it contains {}",
            describe(bad)
        ));
    }
    if key.starts_with(char::is_whitespace) || key.ends_with(char::is_whitespace) {
        return Some("a tag key cannot begin or end with a space".into());
    }
    if key.starts_with(RESERVED_TAG_PREFIX) {
        return Some(format!(
            "a tag key cannot begin with {RESERVED_TAG_PREFIX} (the cloud's system tags)"
        ));
    }
    None
}

/// Why a tag value is refused, if it is: at most 255 characters of letters, digits, spaces and
/// `_ . : / = + - @` (the API's `^([\p{L}\p{Z}\p{N}_.:\/=+\-@]*)$`); `""` is a value.
pub fn tag_value_problem(value: &str) -> Option<String> {
    if let Some(m) = tag_value_length_problem(value) {
        return Some(m);
    }
    value
        .chars()
        .find(|&c| !(letter_space_number(c) || VALUE_PUNCTUATION.contains(c)))
        .map(|bad| {
            format!(
                "a tag value has only letters, digits, spaces and _ . : / = + - @; it contains {}",
                describe(bad)
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_character_class_compiles() {
        assert!(LETTER_SPACE_NUMBER.is_some());
    }

    #[test]
    fn keys_follow_the_api_pattern() {
        for ok in [
            "env",
            "a",
            "Team Name",
            "k:v=x+y-z@w_1.2",
            "环境",
            "Ünïcödé",
            "٣٤",
            "x".repeat(128).as_str(),
            "_sys",
            "_SYS_upper",
        ] {
            assert_eq!(tag_key_problem(ok), None, "{ok:?}");
        }
        for (bad, says) in [
            ("", "empty"),
            (&"x".repeat(129), "has 129"),
            ("a/b", "'/'"),
            ("a#b", "'#'"),
            ("tab\there", "U+0009"),
            (" lead", "begin or end"),
            ("trail ", "begin or end"),
            ("\u{a0}nbsp", "begin or end"),
            ("_sys_x", "_sys_"),
            ("e\u{301}", "U+0301"),
        ] {
            let problem = tag_key_problem(bad).unwrap_or_default();
            assert!(problem.contains(says), "{bad:?}: {problem}");
        }
    }

    #[test]
    fn values_follow_the_api_pattern() {
        for ok in ["", " spaced ", "a/b", "prod", "x".repeat(255).as_str()] {
            assert_eq!(tag_value_problem(ok), None, "{ok:?}");
        }
        assert!(tag_value_problem(&"x".repeat(256)).is_some());
        assert!(tag_value_problem("a#b").is_some());
        assert!(tag_value_problem("line\nbreak").is_some());
    }

    #[test]
    fn counts_are_strings_or_numbers() {
        let body: ListResourceInstancesRequest =
            serde_json::from_str(r#"{"action":"filter","limit":"5","offset":3}"#)
                .unwrap_or_default();
        assert!(body.problems().is_empty());
        assert_eq!((body.page_limit(), body.page_offset()), (5, 3));
        let bad: ListResourceInstancesRequest =
            serde_json::from_str(r#"{"action":"filter","limit":"0","offset":"-1"}"#)
                .unwrap_or_default();
        let fields: Vec<Field> = bad.problems().iter().map(|p| p.field).collect();
        assert_eq!(fields, [Field::ResourceLimit, Field::ResourceOffset]);
        let count: ListResourceInstancesRequest =
            serde_json::from_str(r#"{"action":"count","limit":"0"}"#).unwrap_or_default();
        assert!(count.problems().is_empty(), "count ignores the page");
    }
}
