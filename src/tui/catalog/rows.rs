//! The list's rows, compact: one fixed-size entry per secret (state, CMK, times, tag count) and
//! one text arena holding each secret's name, description (its first [`DESCRIPTION_KEPT`]
//! bytes) and tags back to back, which is what the filter searches and the table draws. At
//! 1,000,000 secrets this is about 60 bytes of entry plus the text itself (docs/DECISIONS.md "the
//! list by page").

use crate::csms::{Secret, SecretState, SecretSummary, SecretTag};

/// How much of a description the list keeps (bytes, cut at a character boundary): what the
/// table can show of its first line and what the filter searches.
pub const DESCRIPTION_KEPT: usize = 256;

/// Separates a row's name, description and each of its tags in the arena (never part of a name
/// or a tag; a description's own line breaks stay inside its length).
pub(super) const SEPARATOR: char = '\n';

/// One secret in the arena and what the table shows of it besides its text.
#[derive(Clone, Copy, Debug)]
struct Entry {
    /// Where its text starts in the arena.
    start: u32,
    /// Bytes of the name, the description kept and the tags (each tag `\nkey=value`).
    name_len: u16,
    description_len: u16,
    tags_len: u16,
    tag_count: u8,
    /// Whether the description was longer than what is kept.
    description_cut: bool,
    state: SecretState,
    /// Index into the catalog's key table.
    key: u32,
    create_time: i64,
    update_time: i64,
    scheduled_delete_time: Option<i64>,
}

/// One secret as the table shows it (borrowed from the rows).
#[derive(Clone, Copy, Debug)]
pub struct Row<'a> {
    pub name: &'a str,
    /// The description's first [`DESCRIPTION_KEPT`] bytes.
    pub description: &'a str,
    /// Whether more of the description follows what is kept.
    pub description_cut: bool,
    pub state: SecretState,
    /// Index into the catalog's key table.
    pub key: u32,
    pub create_time: i64,
    pub update_time: i64,
    /// When a secret pending deletion goes for good (epoch ms).
    pub scheduled_delete_time: Option<i64>,
    /// How many tags it has.
    pub tag_count: usize,
}

/// What a row is made from: a page of the list, or a secret just created (no tags yet).
pub struct Source<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub state: SecretState,
    pub key: u32,
    pub create_time: i64,
    pub update_time: i64,
    pub scheduled_delete_time: Option<i64>,
    pub tags: &'a [SecretTag],
}

impl<'a> Source<'a> {
    pub fn of_summary(s: &'a SecretSummary, key: u32) -> Self {
        Self {
            name: &s.name,
            description: &s.description,
            state: s.state,
            key,
            create_time: s.create_time,
            update_time: s.update_time,
            scheduled_delete_time: s.scheduled_delete_time,
            tags: &s.tags,
        }
    }

    pub fn of_secret(s: &'a Secret, key: u32) -> Self {
        Self {
            name: &s.name,
            description: &s.description,
            state: s.state,
            key,
            create_time: s.create_time,
            update_time: s.update_time,
            scheduled_delete_time: s.scheduled_delete_time,
            tags: &[],
        }
    }
}

/// Every row, in the order they were added (by name, as the vault pages them).
#[derive(Debug, Default)]
pub struct Rows {
    entries: Vec<Entry>,
    text: String,
    /// How many rows have a tag.
    tagged: usize,
}

/// `text` cut to at most `max` bytes at a character boundary.
fn prefix(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

fn len16(from: usize, to: usize) -> u16 {
    u16::try_from(to.saturating_sub(from)).unwrap_or(u16::MAX)
}

impl Rows {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether any row has a tag.
    pub fn any_tagged(&self) -> bool {
        self.tagged > 0
    }

    /// Room for `more` rows of about `text` bytes each.
    pub fn reserve(&mut self, more: usize, text: usize) {
        self.entries.reserve(more);
        self.text.reserve(more.saturating_mul(text));
    }

    /// Adds a row; returns its index.
    pub fn push(&mut self, s: &Source<'_>) -> u32 {
        let start = self.text.len();
        // A name never holds a line break (the vault refuses one); kept whole.
        self.text.push_str(s.name);
        let name_end = self.text.len();
        self.text.push(SEPARATOR);
        let kept = prefix(s.description, DESCRIPTION_KEPT);
        self.text.push_str(kept);
        let description_end = self.text.len();
        for tag in s.tags.iter().take(usize::from(u8::MAX)) {
            self.text.push(SEPARATOR);
            self.text.push_str(&tag.key);
            self.text.push('=');
            self.text.push_str(&tag.value);
        }
        let end = self.text.len();
        if !s.tags.is_empty() {
            self.tagged += 1;
        }
        self.entries.push(Entry {
            start: u32::try_from(start).unwrap_or(u32::MAX),
            name_len: len16(start, name_end),
            description_len: len16(name_end + 1, description_end),
            tags_len: len16(description_end, end),
            tag_count: u8::try_from(s.tags.len()).unwrap_or(u8::MAX),
            description_cut: kept.len() < s.description.len(),
            state: s.state,
            key: s.key,
            create_time: s.create_time,
            update_time: s.update_time,
            scheduled_delete_time: s.scheduled_delete_time,
        });
        u32::try_from(self.entries.len() - 1).unwrap_or(u32::MAX)
    }

    fn entry(&self, i: u32) -> Option<&Entry> {
        self.entries.get(i as usize)
    }

    fn slice(&self, from: usize, len: u16) -> &str {
        self.text.get(from..from + usize::from(len)).unwrap_or("")
    }

    /// Row `i` as the table shows it.
    pub fn get(&self, i: u32) -> Option<Row<'_>> {
        let e = self.entry(i)?;
        let start = e.start as usize;
        Some(Row {
            name: self.slice(start, e.name_len),
            description: self.slice(start + usize::from(e.name_len) + 1, e.description_len),
            description_cut: e.description_cut,
            state: e.state,
            key: e.key,
            create_time: e.create_time,
            update_time: e.update_time,
            scheduled_delete_time: e.scheduled_delete_time,
            tag_count: usize::from(e.tag_count),
        })
    }

    /// The name of row `i` (`""` when there is none).
    pub fn name(&self, i: u32) -> &str {
        self.entry(i)
            .map_or("", |e| self.slice(e.start as usize, e.name_len))
    }

    pub fn state(&self, i: u32) -> Option<SecretState> {
        self.entry(i).map(|e| e.state)
    }

    pub fn times(&self, i: u32) -> (i64, i64) {
        self.entry(i)
            .map_or((0, 0), |e| (e.create_time, e.update_time))
    }

    /// What the filter searches in row `i`: `name\ndescription\nkey=value…`, and how many bytes
    /// of it are the name.
    pub fn haystack(&self, i: u32) -> (&str, usize) {
        self.entry(i).map_or(("", 0), |e| {
            let len = usize::from(e.name_len) + 1 + usize::from(e.description_len);
            let all = self
                .text
                .get(e.start as usize..e.start as usize + len + usize::from(e.tags_len))
                .unwrap_or("");
            (all, usize::from(e.name_len))
        })
    }

    /// Row `i`'s tags as `key=value`, by key.
    pub fn tags(&self, i: u32) -> impl Iterator<Item = &str> {
        let section = self.entry(i).map_or("", |e| {
            let from =
                e.start as usize + usize::from(e.name_len) + 1 + usize::from(e.description_len);
            self.slice(from, e.tags_len)
        });
        section.split(SEPARATOR).skip(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(key: &str, value: &str) -> SecretTag {
        SecretTag {
            key: key.into(),
            value: value.into(),
        }
    }

    fn source<'a>(name: &'a str, description: &'a str, tags: &'a [SecretTag]) -> Source<'a> {
        Source {
            name,
            description,
            state: SecretState::Enabled,
            key: 0,
            create_time: 1,
            update_time: 2,
            scheduled_delete_time: None,
            tags,
        }
    }

    #[test]
    fn rows_keep_their_text_apart_and_cut_long_descriptions() {
        let mut rows = Rows::default();
        let long = "é".repeat(200);
        let tags = [tag("env", "prod"), tag("team", "a b")];
        rows.push(&source("db", "line one\nline two", &tags));
        rows.push(&source("web", &long, &[]));
        let db = rows.get(0).map(|r| (r.name, r.description, r.tag_count));
        assert_eq!(db, Some(("db", "line one\nline two", 2)));
        assert_eq!(rows.tags(0).collect::<Vec<_>>(), ["env=prod", "team=a b"]);
        assert_eq!(
            rows.haystack(0),
            ("db\nline one\nline two\nenv=prod\nteam=a b", 2)
        );
        let web = rows
            .get(1)
            .map(|r| (r.description_cut, r.description.to_owned()));
        let Some((cut, kept)) = web else {
            panic!("the second row is there");
        };
        assert!(cut);
        assert_eq!(kept.len(), DESCRIPTION_KEPT, "cut at a character boundary");
        assert!(long.starts_with(&kept));
        assert_eq!(rows.tags(1).count(), 0);
        assert!(rows.any_tagged());
        assert!(rows.get(2).is_none());
    }
}
