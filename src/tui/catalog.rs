//! The secrets list model: lightweight rows, sort order, incremental filter, selection and scroll.
//!
//! Built for 100,000 secrets: rows hold only what the table shows (no ids, no values), the filter
//! narrows the current matches when the query grows, and the view draws only the visible window.
//! The filter matches names and descriptions, or tags in the forms `key=value` (the key exactly,
//! the value from its start) and `key:` (the key, any value); case is ignored.

use std::cmp::Ordering;
use std::collections::HashMap;

use crate::csms::KeyInfo;
use crate::csms::{NamedTags, Secret, SecretState};

/// One secret as the table shows it.
#[derive(Clone, Debug)]
pub struct Row {
    pub name: Box<str>,
    pub description: Box<str>,
    pub state: SecretState,
    /// Index into the catalog's key table.
    pub key: u32,
    pub create_time: i64,
    pub update_time: i64,
    /// When a secret pending deletion goes for good (epoch ms).
    pub scheduled_delete_time: Option<i64>,
    /// Its tags as (key, value), by key (issue 14).
    pub tags: Tags,
}

/// A row's tags as (key, value), by key.
pub type Tags = Box<[(Box<str>, Box<str>)]>;

/// Which states the list shows (`X`); kept with the text filter.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StateFilter {
    #[default]
    All,
    Enabled,
    Disabled,
    PendingDelete,
}

impl StateFilter {
    /// Every choice, in the order the picker lists them.
    pub const ALL: [Self; 4] = [
        Self::All,
        Self::Enabled,
        Self::Disabled,
        Self::PendingDelete,
    ];

    /// Whether a row in `state` passes.
    pub fn admits(self, state: SecretState) -> bool {
        match self {
            Self::All => true,
            Self::Enabled => state == SecretState::Enabled,
            Self::Disabled => state == SecretState::Disabled,
            Self::PendingDelete => state == SecretState::PendingDelete,
        }
    }
}

/// The list's sort order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortBy {
    #[default]
    Name,
    Created,
    Updated,
}

impl SortBy {
    #[must_use]
    pub fn next(self) -> Self {
        match self {
            Self::Name => Self::Created,
            Self::Created => Self::Updated,
            Self::Updated => Self::Name,
        }
    }
}

/// Every secret of the vault, sorted and filtered.
#[derive(Debug, Default)]
pub struct Catalog {
    rows: Vec<Row>,
    /// (key id, alias) by index; aliases are filled in from the vault's key list.
    keys: Vec<(String, String)>,
    /// Every row's `name \u{1} description` then `\u{2}key=value` for each tag, lowercased, back
    /// to back: what the filter searches.
    search: String,
    /// Where each row's text starts in `search` (plus the end), by row index.
    spans: Vec<u32>,
    key_index: HashMap<String, u32>,
    /// Every row index in sort order.
    order: Vec<u32>,
    /// The rows matching the filter, in sort order.
    visible: Vec<u32>,
    query: String,
    /// Earlier (query, matches) while the query grew, so Backspace restores instead of rescanning.
    narrowed: Vec<(String, Vec<u32>)>,
    sort: SortBy,
    selected: usize,
    offset: usize,
    states: StateFilter,
}

impl Catalog {
    /// Builds the catalog from the vault's secrets (already by name) and keys.
    pub fn new(secrets: Vec<Secret>, keys: &[KeyInfo]) -> Self {
        let mut cat = Self::default();
        cat.set_keys(keys);
        cat.rows.reserve_exact(secrets.len());
        cat.spans.reserve_exact(secrets.len() + 1);
        for s in secrets {
            let row = cat.row_of(s);
            cat.rows.push(row);
        }
        cat.resort();
        cat
    }

    /// The same catalog over a fresh read of the vault: sort, filter, selection (by name; by
    /// place when that secret is gone) and scroll kept.
    pub fn refresh(&mut self, secrets: Vec<Secret>, keys: &[KeyInfo]) {
        let name = self.selected_row().map(|r| r.name.to_string());
        let (selected, offset, sort) = (self.selected, self.offset, self.sort);
        let query = std::mem::take(&mut self.query);
        let states = self.states;
        // Tags come in their own read, after this one: kept meanwhile, by name.
        let mut tags: HashMap<Box<str>, Tags> = self
            .rows
            .iter_mut()
            .filter(|r| !r.tags.is_empty())
            .map(|r| (r.name.clone(), std::mem::take(&mut r.tags)))
            .collect();
        *self = Self::new(secrets, keys);
        if !tags.is_empty() {
            for row in &mut self.rows {
                row.tags = tags.remove(&row.name).unwrap_or_default();
            }
            self.rebuild_search();
        }
        self.states = states;
        if sort != SortBy::Name {
            self.sort = sort;
            self.resort();
        }
        self.set_query(&query);
        self.selected = selected.min(self.visible.len().saturating_sub(1));
        self.offset = offset;
        if let Some(name) = name {
            self.select_name(&name);
        }
    }

    fn key_of(&mut self, key_id: String) -> u32 {
        if let Some(&i) = self.key_index.get(&key_id) {
            return i;
        }
        let i = u32::try_from(self.keys.len()).unwrap_or(u32::MAX);
        self.key_index.insert(key_id.clone(), i);
        self.keys.push((key_id, String::new()));
        i
    }

    fn row_of(&mut self, s: Secret) -> Row {
        let row = Row {
            key: self.key_of(s.kms_key_id),
            name: s.name.into_boxed_str(),
            description: s.description.into_boxed_str(),
            state: s.state,
            create_time: s.create_time,
            update_time: s.update_time,
            scheduled_delete_time: s.scheduled_delete_time,
            tags: Box::default(),
        };
        self.index_text(&row);
        row
    }

    /// Appends a row's searched text to `search` and its end to `spans`.
    fn index_text(&mut self, row: &Row) {
        if self.spans.is_empty() {
            self.spans.push(0);
        }
        let push = |search: &mut String, part: &str| {
            if part.is_ascii() {
                search.extend(part.chars().map(|c| c.to_ascii_lowercase()));
            } else {
                search.push_str(&part.to_lowercase());
            }
        };
        push(&mut self.search, &row.name);
        self.search.push(NAME_END);
        // The markers stay markers: a description cannot fake a tag.
        push(
            &mut self.search,
            &row.description.replace([NAME_END, TAG_START], " "),
        );
        for (key, value) in &row.tags {
            self.search.push(TAG_START);
            push(&mut self.search, key);
            self.search.push('=');
            push(&mut self.search, value);
        }
        self.spans
            .push(u32::try_from(self.search.len()).unwrap_or(u32::MAX));
    }

    /// The rows' tags from a fresh read (every secret's, by name): the filter and the table
    /// follow; selection kept.
    pub fn set_tags(&mut self, all: Vec<NamedTags>) {
        let mut by_name: HashMap<String, Tags> = all
            .into_iter()
            .map(|n| {
                let tags = n
                    .tags
                    .into_iter()
                    .map(|t| (t.key.into_boxed_str(), t.value.into_boxed_str()))
                    .collect();
                (n.name, tags)
            })
            .collect();
        for row in &mut self.rows {
            row.tags = by_name.remove(&*row.name).unwrap_or_default();
        }
        self.reindex();
    }

    /// Rebuilds the searched text of every row.
    fn rebuild_search(&mut self) {
        let rows = std::mem::take(&mut self.rows);
        self.search.clear();
        self.spans.clear();
        for row in &rows {
            self.index_text(row);
        }
        self.rows = rows;
    }

    /// Rebuilds the searched text of every row and filters again (selection kept).
    fn reindex(&mut self) {
        self.rebuild_search();
        let selected = self.selected_index();
        self.refilter_from_order();
        self.reselect(selected);
    }

    /// Whether any secret has a tag (the table then shows how many each has).
    pub fn any_tags(&self) -> bool {
        self.rows.iter().any(|r| !r.tags.is_empty())
    }

    /// Learns the aliases of the vault's keys.
    pub fn set_keys(&mut self, keys: &[KeyInfo]) {
        for k in keys {
            let i = self.key_of(k.key_id.clone()) as usize;
            if let Some(slot) = self.keys.get_mut(i) {
                slot.1.clone_from(&k.key_alias);
            }
        }
    }

    /// The alias of a row's key (its id when the alias is unknown).
    pub fn alias(&self, row: &Row) -> &str {
        match self.keys.get(row.key as usize) {
            Some((_, alias)) if !alias.is_empty() => alias,
            Some((id, _)) => id,
            None => "",
        }
    }

    fn cmp(&self, a: u32, b: u32) -> Ordering {
        let (ra, rb) = (&self.rows[a as usize], &self.rows[b as usize]);
        let by_name = ra.name.cmp(&rb.name);
        match self.sort {
            SortBy::Name => by_name,
            SortBy::Created => rb.create_time.cmp(&ra.create_time).then(by_name),
            SortBy::Updated => rb.update_time.cmp(&ra.update_time).then(by_name),
        }
    }

    fn resort(&mut self) {
        let selected = self.selected_index();
        let mut order: Vec<u32> = (0..u32::try_from(self.rows.len()).unwrap_or(u32::MAX)).collect();
        // The vault lists by name already: skip the sort when it is a no-op.
        if !order.is_sorted_by(|&a, &b| self.cmp(a, b) != Ordering::Greater) {
            order.sort_unstable_by(|&a, &b| self.cmp(a, b));
        }
        self.order = order;
        self.narrowed.clear();
        self.visible.clear();
        self.refilter_from_order();
        self.reselect(selected);
    }

    fn matches(&self, i: u32, needle: &Needle) -> bool {
        let i = i as usize;
        if !self
            .rows
            .get(i)
            .is_some_and(|row| self.states.admits(row.state))
        {
            return false;
        }
        let (Some(&start), Some(&end)) = (self.spans.get(i), self.spans.get(i + 1)) else {
            return false;
        };
        needle.found_in(self.search.get(start as usize..end as usize).unwrap_or(""))
    }

    fn refilter_from_order(&mut self) {
        self.narrowed.clear();
        if self.query.is_empty() && self.states == StateFilter::All {
            self.visible.clone_from(&self.order);
            return;
        }
        let needle = Needle::new(&self.query);
        self.visible = self
            .order
            .iter()
            .copied()
            .filter(|&i| self.matches(i, &needle))
            .collect();
    }

    /// Sets the filter; a query that extends the previous one only narrows the current matches.
    pub fn set_query(&mut self, query: &str) {
        let selected = self.selected_index();
        let earlier = self.narrowed.iter().rposition(|(q, _)| q == query);
        if let Some((q, visible)) = earlier.and_then(|pos| {
            self.narrowed.truncate(pos + 1);
            self.narrowed.pop()
        }) {
            self.query = q;
            self.visible = visible;
        } else if Needle::new(query).narrows(&Needle::new(&self.query)) {
            let mut visible = self.visible.clone();
            let previous = std::mem::replace(&mut self.query, query.to_owned());
            let needle = Needle::new(&self.query);
            visible.retain(|&i| self.matches(i, &needle));
            self.narrowed
                .push((previous, std::mem::replace(&mut self.visible, visible)));
        } else {
            query.clone_into(&mut self.query);
            self.refilter_from_order();
        }
        self.reselect(selected);
    }

    pub fn query(&self) -> &str {
        &self.query
    }

    pub fn sort(&self) -> SortBy {
        self.sort
    }

    /// Cycles name → created → updated.
    pub fn cycle_sort(&mut self) {
        self.sort = self.sort.next();
        self.resort();
    }

    /// Adds a newly created secret in its place and selects it (clearing a filter that hides it).
    pub fn insert(&mut self, secret: Secret) {
        let row = self.row_of(secret);
        let i = u32::try_from(self.rows.len()).unwrap_or(u32::MAX);
        self.rows.push(row);
        self.narrowed.clear();
        let pos = self
            .order
            .partition_point(|&o| self.cmp(o, i) == Ordering::Less);
        self.order.insert(pos, i);
        if self.matches(i, &Needle::new(&self.query)) {
            let pos = self
                .visible
                .partition_point(|&o| self.cmp(o, i) == Ordering::Less);
            self.visible.insert(pos, i);
        } else {
            self.query.clear();
            self.states = StateFilter::All;
            self.refilter_from_order();
        }
        self.reselect(Some(i));
    }

    /// Which states are shown.
    pub fn state_filter(&self) -> StateFilter {
        self.states
    }

    /// Shows only the secrets in `states` (with the text filter still applied).
    pub fn set_state_filter(&mut self, states: StateFilter) {
        let selected = self.selected_index();
        self.states = states;
        self.refilter_from_order();
        self.reselect(selected);
    }

    /// Whether any row shown is pending deletion (the list then shows a deletion column).
    pub fn any_pending(&self) -> bool {
        self.visible
            .iter()
            .any(|&i| self.rows[i as usize].state == SecretState::PendingDelete)
    }

    fn selected_index(&self) -> Option<u32> {
        self.visible.get(self.selected).copied()
    }

    fn reselect(&mut self, row: Option<u32>) {
        self.selected = row
            .and_then(|r| self.visible.iter().position(|&v| v == r))
            .unwrap_or(0);
    }

    /// Selects the secret named `name`, if it is visible.
    pub fn select_name(&mut self, name: &str) {
        if let Some(pos) = self
            .visible
            .iter()
            .position(|&i| &*self.rows[i as usize].name == name)
        {
            self.selected = pos;
        }
    }

    pub fn total(&self) -> usize {
        self.rows.len()
    }

    pub fn visible_len(&self) -> usize {
        self.visible.len()
    }

    pub fn selected(&self) -> usize {
        self.selected
    }

    pub fn selected_row(&self) -> Option<&Row> {
        self.selected_index().map(|i| &self.rows[i as usize])
    }

    /// Moves the selection by `delta` rows, clamped.
    pub fn move_by(&mut self, delta: isize) {
        let last = self.visible.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    pub fn top(&mut self) {
        self.selected = 0;
    }

    pub fn bottom(&mut self) {
        self.selected = self.visible.len().saturating_sub(1);
    }

    /// The first row to draw in a window of `height` rows, keeping the selection in view.
    pub fn window_start(&self, height: usize) -> usize {
        let height = height.max(1);
        let start = self.offset.min(self.selected);
        if self.selected >= start + height {
            self.selected + 1 - height
        } else {
            start
        }
    }

    /// Remembers where the window is, so scrolling does not jump.
    pub fn settle(&mut self, height: usize) {
        self.offset = self.window_start(height);
    }

    /// The rows of the window starting at `start`, at most `height` of them.
    pub fn window(&self, start: usize, height: usize) -> impl Iterator<Item = &Row> {
        self.visible
            .iter()
            .skip(start)
            .take(height)
            .map(|&i| &self.rows[i as usize])
    }
}

/// Ends a row's name in the searched text (its description follows).
const NAME_END: char = '\u{1}';
/// Starts each tag of a row in the searched text, as `\u{2}key=value`.
const TAG_START: char = '\u{2}';

/// A case-insensitive substring search over the lowercased `search` text (`str::contains` has a
/// vectorised fast path, which the per-keystroke scan of 100,000 rows needs): of the name and
/// description, or, for `key=value` and `key:`, of `\u{2}key=value…` among the tags.
enum Needle {
    Text(String),
    Tag(String),
}

impl Needle {
    fn new(query: &str) -> Self {
        let lowered = query.to_lowercase();
        if let Some((key, value)) = lowered.split_once('=') {
            Self::Tag(format!("{TAG_START}{key}={value}"))
        } else if let Some(key) = lowered.strip_suffix(':').filter(|k| !k.is_empty()) {
            Self::Tag(format!("{TAG_START}{key}="))
        } else {
            Self::Text(lowered)
        }
    }

    fn found_in(&self, lowered: &str) -> bool {
        match self {
            Self::Text(text) => {
                let own = lowered
                    .find(TAG_START)
                    .map_or(lowered, |end| &lowered[..end]);
                own.contains(text.as_str())
            }
            Self::Tag(tag) => lowered.contains(tag.as_str()),
        }
    }

    /// Whether everything this finds, `earlier` found too (so the filter narrows its matches
    /// instead of scanning every row).
    fn narrows(&self, earlier: &Self) -> bool {
        match (self, earlier) {
            (_, Self::Text(e)) if e.is_empty() => true,
            (Self::Text(a), Self::Text(b)) | (Self::Tag(a), Self::Tag(b)) => a.contains(b.as_str()),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(name: &str, description: &str, t: i64) -> Secret {
        Secret {
            id: String::new(),
            name: name.into(),
            state: SecretState::Enabled,
            kms_key_id: "k1".into(),
            description: description.into(),
            create_time: t,
            update_time: t,
            scheduled_delete_time: None,
            secret_type: "COMMON".into(),
            settings: Box::default(),
        }
    }

    #[test]
    fn filters_incrementally_sorts_and_inserts() {
        let mut cat = Catalog::new(
            vec![
                secret("alpha", "", 3),
                secret("beta", "Database", 1),
                secret("gamma", "", 2),
            ],
            &[],
        );
        cat.set_query("a");
        assert_eq!(cat.visible_len(), 3);
        cat.set_query("ab");
        assert_eq!(cat.visible_len(), 1, "beta's description Database");
        cat.set_query("a");
        assert_eq!(cat.visible_len(), 3, "restored on Backspace");
        cat.set_query("ab");
        cat.set_query("b");
        assert_eq!(cat.visible_len(), 1, "not a narrowing: rescanned");
        cat.set_query("DATAB");
        assert_eq!(cat.selected_row().map(|r| &*r.name), Some("beta"));
        cat.set_query("");
        cat.cycle_sort();
        assert_eq!(
            cat.selected_row().map(|r| &*r.name),
            Some("beta"),
            "selection kept"
        );
        cat.top();
        assert_eq!(cat.selected_row().map(|r| &*r.name), Some("alpha"));
        cat.set_query("zzz");
        cat.insert(secret("delta", "", 9));
        assert_eq!(cat.query(), "");
        assert_eq!(cat.selected_row().map(|r| &*r.name), Some("delta"));
        assert_eq!(cat.selected(), 0, "newest first when sorted by created");
        assert_eq!(cat.total(), 4);
    }

    #[test]
    fn refresh_keeps_sort_filter_and_selection() {
        let mut cat = Catalog::new(vec![secret("alpha", "db", 3), secret("beta", "db", 1)], &[]);
        cat.cycle_sort();
        cat.set_query("db");
        cat.bottom();
        assert_eq!(cat.selected_row().map(|r| &*r.name), Some("beta"));
        cat.refresh(
            vec![
                secret("alpha", "db", 3),
                secret("beta", "db", 1),
                secret("delta", "db", 9),
                secret("omega", "other", 8),
            ],
            &[],
        );
        assert_eq!(cat.sort(), SortBy::Created);
        assert_eq!(cat.query(), "db");
        assert_eq!((cat.visible_len(), cat.total()), (3, 4));
        assert_eq!(cat.selected_row().map(|r| &*r.name), Some("beta"));
        assert_eq!(cat.selected(), 2, "delta is newest, first");
    }

    #[test]
    fn the_state_filter_works_with_the_text_filter_and_survives_a_refresh() {
        let mut pending = secret("beta", "db", 2);
        pending.state = SecretState::PendingDelete;
        pending.scheduled_delete_time = Some(99);
        let mut cat = Catalog::new(
            vec![
                secret("alpha", "db", 1),
                pending.clone(),
                secret("gamma", "", 3),
            ],
            &[],
        );
        assert!(cat.any_pending());
        cat.set_state_filter(StateFilter::PendingDelete);
        assert_eq!(cat.visible_len(), 1);
        assert_eq!(
            cat.selected_row().map(|r| r.scheduled_delete_time),
            Some(Some(99))
        );
        cat.set_state_filter(StateFilter::Enabled);
        cat.set_query("db");
        assert_eq!(cat.selected_row().map(|r| &*r.name), Some("alpha"));
        assert!(!cat.any_pending());
        cat.refresh(vec![secret("alpha", "db", 1), pending], &[]);
        assert_eq!(cat.state_filter(), StateFilter::Enabled);
        assert_eq!((cat.visible_len(), cat.query()), (1, "db"));
    }

    fn tagged(name: &str, tags: &[(&str, &str)]) -> NamedTags {
        NamedTags {
            name: name.into(),
            tags: tags
                .iter()
                .map(|(k, v)| crate::csms::SecretTag {
                    key: (*k).into(),
                    value: (*v).into(),
                })
                .collect(),
        }
    }

    fn shown(cat: &Catalog) -> Vec<String> {
        cat.window(0, 100).map(|r| r.name.to_string()).collect()
    }

    #[test]
    fn the_filter_matches_tags_as_key_value_and_key_colon() {
        let mut cat = Catalog::new(
            vec![
                secret("api", "env=prod in the description", 1),
                secret("db", "", 2),
                secret("web", "", 3),
            ],
            &[],
        );
        cat.set_tags(vec![
            tagged("db", &[("Env", "Production"), ("team", "core")]),
            tagged("web", &[("env", "dev")]),
        ]);
        assert!(cat.any_tags());
        assert_eq!(cat.selected_row().map(|r| r.tags.len()), Some(0));
        cat.set_query("env=p");
        assert_eq!(
            shown(&cat),
            ["db"],
            "key exactly, value from its start, any case"
        );
        cat.set_query("env=pro");
        assert_eq!(shown(&cat), ["db"]);
        cat.set_query("env=production");
        assert_eq!(shown(&cat), ["db"]);
        cat.set_query("env=");
        assert_eq!(shown(&cat), ["db", "web"]);
        cat.set_query("env:");
        assert_eq!(shown(&cat), ["db", "web"]);
        cat.set_query("nv:");
        assert!(shown(&cat).is_empty(), "a key is matched from its start");
        cat.set_query("team:");
        assert_eq!(shown(&cat), ["db"]);
        cat.set_query("env");
        assert_eq!(
            shown(&cat),
            ["api"],
            "plain text: names and descriptions only"
        );
        cat.set_query("core");
        assert!(shown(&cat).is_empty());
        cat.set_query("prod");
        assert_eq!(shown(&cat), ["api"]);
        cat.set_query("");
        assert_eq!(shown(&cat).len(), 3);
    }

    #[test]
    fn tags_survive_a_refresh_until_the_next_read_of_them() {
        let mut cat = Catalog::new(vec![secret("a", "", 1), secret("b", "", 2)], &[]);
        cat.set_tags(vec![tagged("b", &[("env", "prod")])]);
        cat.set_query("env:");
        cat.refresh(
            vec![secret("a", "", 1), secret("b", "", 2), secret("c", "", 3)],
            &[],
        );
        assert_eq!(shown(&cat), ["b"]);
        cat.set_tags(vec![tagged("c", &[("env", "dev")])]);
        assert_eq!(shown(&cat), ["c"], "the new read replaces them");
    }

    #[test]
    fn a_description_cannot_pass_for_a_tag() {
        let mut cat = Catalog::new(vec![secret("a", "x\u{2}env=prod", 1)], &[]);
        cat.set_tags(Vec::new());
        cat.set_query("env=prod");
        assert_eq!(cat.visible_len(), 0);
    }

    #[test]
    fn window_follows_selection() {
        let secrets = (0..50)
            .map(|i| secret(&format!("s{i:02}"), "", i))
            .collect();
        let mut cat = Catalog::new(secrets, &[]);
        cat.move_by(20);
        assert_eq!(cat.window_start(10), 11);
        cat.settle(10);
        cat.move_by(-5);
        assert_eq!(cat.window_start(10), 11);
        cat.bottom();
        assert_eq!(cat.window_start(10), 40);
        assert_eq!(cat.window(40, 10).count(), 10);
    }
}
