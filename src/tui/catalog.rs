//! The secrets list model: compact rows, sort order, the fuzzy filter with its ranking, selection
//! and scroll.
//!
//! Built for 1,000,000 secrets: rows hold only what the table shows and the filter searches
//! ([`rows`]), loaded page by page; the filter ([`filter`]) scans on every core and a query
//! that extends the previous one only looks at the previous matches; the view draws only the
//! visible window and finds the matched characters of those rows alone. Earlier queries'
//! results are kept ([`earlier`]), so Backspace and retyping show them at once.

mod earlier;
mod filter;
mod rows;

use std::cmp::Ordering;
use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::csms::KeyInfo;
use crate::csms::{Secret, SecretState, SecretSummary};

use earlier::Earlier;
pub use filter::{Highlighter, Marks};
use filter::{Query, find_into, narrows, scan, settle};
pub use rows::{DESCRIPTION_KEPT, Row};
use rows::{Rows, Source};

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
    rows: Rows,
    /// (key id, alias) by index; aliases are filled in from the vault's key list.
    keys: Vec<(String, String)>,
    key_index: HashMap<String, u32>,
    /// How many rows are pending deletion.
    pending: usize,
    /// Every row index in sort order.
    order: Vec<u32>,
    /// The rows matching the filter, in sort order (what a narrower query scans).
    matched: Vec<u32>,
    /// The rows shown: the matches best first while a query ranks, else in sort order.
    visible: Vec<u32>,
    query: String,
    parsed: Query,
    /// Earlier queries' results in this filter session: Backspace and retyping show them at
    /// once, and a query typed from one of them scans only its matches. Cleared whenever the
    /// rows, the sort or the state filter change.
    earlier: Earlier,
    sort: SortBy,
    selected: usize,
    offset: usize,
    states: StateFilter,
    /// A scan a keystroke began and has not finished: the list shows the results it had
    /// meanwhile, marked as still matching, and the app goes on with it between frames.
    unfinished: Option<Unfinished>,
}

/// A keystroke's scan, part done.
#[derive(Debug, Default)]
struct Unfinished {
    /// The rows to look at, in the list's order.
    candidates: Vec<u32>,
    /// How many of them were looked at.
    done: usize,
    /// The matches so far, with their scores, in the list's order.
    found: Vec<(u32, u32)>,
    /// The selected row when the scan began (kept when the query does not rank).
    selected: Option<u32>,
}

/// A keystroke scans at most this long before its frame is drawn; the rest of a large scan goes
/// on between frames (issue 15: keystroke → frame under 16 ms at 100,000 secrets and under
/// 100 ms at 1,000,000, on 2 cores).
pub const SCAN_SLICE: Duration = Duration::from_millis(8);
/// Fewer candidates than this are scanned at once, whatever the time (a few ms at most).
const SLICED_FROM: usize = 50_000;
/// Candidates looked at between two looks at the clock: enough that a slice is split over two
/// threads (`filter::PARALLEL_FROM` each).
const SLICE_ROWS: usize = 40_960;

impl Catalog {
    /// A catalog of one page of the vault's secrets (by name) and its keys.
    pub fn new(page: &[SecretSummary], keys: &[KeyInfo]) -> Self {
        let mut cat = Self::default();
        cat.set_keys(keys);
        cat.append(page);
        cat
    }

    /// Adds the next page of secrets (by name, after those held): the order, the filter and
    /// the selection follow.
    pub fn append(&mut self, page: &[SecretSummary]) {
        let Some(first) = page.first() else {
            return;
        };
        let before = u32::try_from(self.rows.len()).unwrap_or(u32::MAX);
        let in_order = self.sort == SortBy::Name
            && self
                .order
                .last()
                .is_none_or(|&last| self.rows.name(last) < first.name.as_str());
        let text: usize = page
            .iter()
            .map(|s| s.name.len() + s.description.len().min(DESCRIPTION_KEPT) + 2)
            .sum();
        self.rows.reserve(page.len(), text / page.len());
        for s in page {
            let key = self.key_of(&s.kms_key_id);
            self.rows.push(&Source::of_summary(s, key));
            if s.state == SecretState::PendingDelete {
                self.pending += 1;
            }
        }
        let added = before..u32::try_from(self.rows.len()).unwrap_or(u32::MAX);
        if !in_order {
            self.resort();
            return;
        }
        self.order.extend(added.clone());
        self.earlier.clear();
        if matches!(self.parsed, Query::Empty) && self.states == StateFilter::All {
            self.matched.extend(added.clone());
            self.visible.extend(added);
        } else {
            let selected = self.selected_index();
            self.refilter();
            self.reselect(selected);
        }
    }

    /// This catalog over a fresh read of the vault (`fresh`, every page of it): sort, filter,
    /// selection (by name; by place when that secret is gone), scroll and the keys' aliases
    /// kept.
    pub fn replace(&mut self, mut fresh: Catalog) {
        let name = self.selected_row().map(|r| r.name.to_owned());
        let selected = self.selected;
        for (id, alias) in &self.keys {
            let i = fresh.key_of(id) as usize;
            if let Some(slot) = fresh.keys.get_mut(i)
                && slot.1.is_empty()
            {
                slot.1.clone_from(alias);
            }
        }
        fresh.sort = self.sort;
        fresh.states = self.states;
        fresh.offset = self.offset;
        fresh.query = std::mem::take(&mut self.query);
        fresh.parsed = std::mem::take(&mut self.parsed);
        *self = fresh;
        self.resort();
        self.selected = selected.min(self.visible.len().saturating_sub(1));
        if let Some(name) = name {
            self.select_name(&name);
        }
    }

    fn key_of(&mut self, key_id: &str) -> u32 {
        if let Some(&i) = self.key_index.get(key_id) {
            return i;
        }
        let i = u32::try_from(self.keys.len()).unwrap_or(u32::MAX);
        self.key_index.insert(key_id.to_owned(), i);
        self.keys.push((key_id.to_owned(), String::new()));
        i
    }

    /// Whether any secret has a tag (the table then shows how many each has).
    pub fn any_tags(&self) -> bool {
        self.rows.any_tagged()
    }

    /// Learns the aliases of the vault's keys.
    pub fn set_keys(&mut self, keys: &[KeyInfo]) {
        for k in keys {
            let i = self.key_of(&k.key_id) as usize;
            if let Some(slot) = self.keys.get_mut(i) {
                slot.1.clone_from(&k.key_alias);
            }
        }
    }

    /// The alias of a row's key (its id when the alias is unknown).
    pub fn alias(&self, row: &Row<'_>) -> &str {
        match self.keys.get(row.key as usize) {
            Some((_, alias)) if !alias.is_empty() => alias,
            Some((id, _)) => id,
            None => "",
        }
    }

    fn cmp(&self, a: u32, b: u32) -> Ordering {
        let by_name = || self.rows.name(a).cmp(self.rows.name(b));
        let ((ca, ua), (cb, ub)) = (self.rows.times(a), self.rows.times(b));
        match self.sort {
            SortBy::Name => by_name(),
            SortBy::Created => cb.cmp(&ca).then_with(by_name),
            SortBy::Updated => ub.cmp(&ua).then_with(by_name),
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
        self.refilter();
        self.reselect(selected);
    }

    /// Filters every row again (nothing earlier kept).
    fn refilter(&mut self) {
        self.earlier.clear();
        self.unfinished = None;
        if matches!(self.parsed, Query::Empty) && self.states == StateFilter::All {
            self.matched.clone_from(&self.order);
            self.visible.clone_from(&self.order);
            return;
        }
        let (matched, visible) = scan(&self.parsed, &self.rows, self.states, &self.order);
        self.matched = matched;
        self.visible = visible;
    }

    /// Sets the filter. A query met earlier in this filter session shows its results again at
    /// once; a query that extends an earlier one scans only that one's matches; while the query
    /// ranks, the best match is selected, else the selection is kept.
    pub fn set_query(&mut self, query: &str) {
        self.set_query_until(query, Instant::now() + SCAN_SLICE);
    }

    /// [`Self::set_query`], scanning until `deadline` at most when the scan is large: the rest
    /// is left to [`Self::work`].
    fn set_query_until(&mut self, query: &str, deadline: Instant) {
        if query == self.query {
            return;
        }
        // A scan still running was for a query typed over: what is shown is older than it.
        let interrupted = self.unfinished.take();
        let selected = match &interrupted {
            Some(unfinished) => unfinished.selected,
            None => self.selected_index(),
        };
        let previous = std::mem::replace(&mut self.query, query.to_owned());
        let matched = std::mem::take(&mut self.matched);
        let shown = std::mem::take(&mut self.visible);
        // Shown while a large scan runs.
        let shown_before = shown.clone();
        // The previous query's matches in the list's order, while it is the narrowest base.
        let mut base = None;
        if !previous.trim().is_empty() && interrupted.is_none() {
            if narrows(query, &previous) {
                base = Some((previous.len(), matched));
            }
            self.earlier.keep(previous, shown);
        }
        self.parsed = Query::parse(query);
        if matches!(self.parsed, Query::Empty) && self.states == StateFilter::All {
            self.matched.clone_from(&self.order);
            self.visible.clone_from(&self.order);
        } else if let Some(shown) = self.earlier.take(query) {
            self.matched = if self.parsed.ranks() {
                self.in_order(&shown)
            } else {
                shown.clone()
            };
            self.visible = shown;
        } else {
            // The narrowest earlier query this one extends.
            let kept = self
                .earlier
                .narrowest(query)
                .filter(|&(len, _)| base.as_ref().is_none_or(|(b, _)| len > *b))
                .map(|(_, shown)| shown);
            let candidates = match (kept, &base) {
                (Some(shown), _) => &self.in_order(shown),
                (None, Some((_, matched))) => matched,
                (None, None) => &self.order,
            };
            if candidates.len() >= SLICED_FROM {
                self.unfinished = Some(Unfinished {
                    candidates: candidates.clone(),
                    selected,
                    ..Unfinished::default()
                });
                self.visible = shown_before;
                self.work(deadline);
                return;
            }
            let (matched, visible) = scan(&self.parsed, &self.rows, self.states, candidates);
            self.matched = matched;
            self.visible = visible;
        }
        self.show_results(selected);
    }

    /// The selection for new results: the best match while the query ranks, else `selected`.
    fn show_results(&mut self, selected: Option<u32>) {
        if self.parsed.ranks() {
            self.selected = 0;
            self.offset = 0;
        } else {
            self.reselect(selected);
        }
    }

    /// Goes on with the scan a keystroke began until `deadline` (a slice of rows past it at
    /// most) or its end, when its results replace those shown. Whether a scan is still unfinished.
    pub fn work(&mut self, deadline: Instant) -> bool {
        let Some(unfinished) = self.unfinished.as_mut() else {
            return false;
        };
        loop {
            let end = (unfinished.done + SLICE_ROWS).min(unfinished.candidates.len());
            find_into(
                &mut unfinished.found,
                &self.parsed,
                &self.rows,
                self.states,
                &unfinished.candidates[unfinished.done..end],
            );
            unfinished.done = end;
            if end == unfinished.candidates.len() {
                break;
            }
            if Instant::now() >= deadline {
                return true;
            }
        }
        let Some(finished) = self.unfinished.take() else {
            return false;
        };
        let (matched, visible) = settle(&self.parsed, &finished.found);
        self.matched = matched;
        self.visible = visible;
        self.show_results(finished.selected);
        false
    }

    /// Finishes a scan still running, so that an action on the list acts on complete results.
    pub fn finish(&mut self) {
        while self.work(Instant::now()) {}
    }

    /// While a keystroke's scan is unfinished: how many of its candidates were looked at, of
    /// how many.
    pub fn matching(&self) -> Option<(usize, usize)> {
        self.unfinished
            .as_ref()
            .map(|u| (u.done, u.candidates.len()))
    }

    pub fn query(&self) -> &str {
        &self.query
    }

    /// `rows` (each a row index, once) in the list's order.
    fn in_order(&self, rows: &[u32]) -> Vec<u32> {
        let mut member = vec![0u64; self.rows.len().div_ceil(64)];
        for &i in rows {
            if let Some(word) = member.get_mut(i as usize / 64) {
                *word |= 1 << (i % 64);
            }
        }
        self.order
            .iter()
            .copied()
            .filter(|&i| {
                member
                    .get(i as usize / 64)
                    .is_some_and(|word| word & (1 << (i % 64)) != 0)
            })
            .collect()
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
    pub fn insert(&mut self, secret: &Secret) {
        let key = self.key_of(&secret.kms_key_id);
        let i = self.rows.push(&Source::of_secret(secret, key));
        if secret.state == SecretState::PendingDelete {
            self.pending += 1;
        }
        let pos = self
            .order
            .partition_point(|&o| self.cmp(o, i) == Ordering::Less);
        self.order.insert(pos, i);
        self.refilter();
        if !self.visible.contains(&i) {
            self.query.clear();
            self.parsed = Query::Empty;
            self.states = StateFilter::All;
            self.refilter();
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
        self.refilter();
        self.reselect(selected);
    }

    /// Whether any row shown is pending deletion (the list then shows a deletion column).
    pub fn any_pending(&self) -> bool {
        self.pending > 0
            && self
                .visible
                .iter()
                .any(|&i| self.rows.state(i) == Some(SecretState::PendingDelete))
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
        if let Some(pos) = self.visible.iter().position(|&i| self.rows.name(i) == name) {
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

    pub fn selected_row(&self) -> Option<Row<'_>> {
        self.selected_index().and_then(|i| self.rows.get(i))
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

    /// The rows of the window starting at `start`, at most `height` of them, with their
    /// indices (for [`Self::marks`]).
    pub fn window(&self, start: usize, height: usize) -> impl Iterator<Item = (u32, Row<'_>)> {
        self.visible
            .iter()
            .skip(start)
            .take(height)
            .filter_map(|&i| self.rows.get(i).map(|r| (i, r)))
    }

    /// What finds the matched characters of the rows drawn (one per frame).
    pub fn highlighter(&self) -> Highlighter<'_> {
        Highlighter::new(&self.parsed)
    }

    /// The characters of row `i` the filter matched.
    pub fn marks(&self, highlighter: &mut Highlighter<'_>, i: u32) -> Marks {
        // While a scan runs the rows shown are the previous query's: none of them is marked
        // for the new one.
        if self.unfinished.is_some() {
            return Marks::default();
        }
        highlighter.marks(&self.rows, i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csms::SecretTag;

    fn secret(name: &str, description: &str, t: i64) -> SecretSummary {
        SecretSummary {
            name: name.into(),
            description: description.into(),
            state: SecretState::Enabled,
            kms_key_id: "k1".into(),
            create_time: t,
            update_time: t,
            scheduled_delete_time: None,
            tags: Vec::new(),
        }
    }

    fn tagged(name: &str, tags: &[(&str, &str)]) -> SecretSummary {
        SecretSummary {
            tags: tags
                .iter()
                .map(|(k, v)| SecretTag {
                    key: (*k).into(),
                    value: (*v).into(),
                })
                .collect(),
            ..secret(name, "", 1)
        }
    }

    fn shown(cat: &Catalog) -> Vec<String> {
        cat.window(0, 100)
            .map(|(_, r)| r.name.to_string())
            .collect()
    }

    fn selected(cat: &Catalog) -> Option<String> {
        cat.selected_row().map(|r| r.name.to_owned())
    }

    #[test]
    fn filters_narrowing_and_widening_sorts_and_inserts() {
        let mut cat = Catalog::new(
            &[
                secret("alpha", "", 3),
                secret("beta", "Database", 1),
                secret("gamma", "", 2),
            ],
            &[],
        );
        cat.set_query("a");
        assert_eq!(cat.visible_len(), 3);
        cat.set_query("ab");
        assert_eq!(shown(&cat), ["beta"], "beta's description Database");
        cat.set_query("a");
        assert_eq!(cat.visible_len(), 3, "widened again on Backspace");
        cat.set_query("ab");
        cat.set_query("b");
        assert_eq!(shown(&cat), ["beta"], "not a narrowing: scanned again");
        cat.set_query("DATAB");
        assert_eq!(selected(&cat).as_deref(), Some("beta"));
        cat.set_query("");
        cat.cycle_sort();
        assert_eq!(selected(&cat).as_deref(), Some("beta"), "selection kept");
        cat.top();
        assert_eq!(selected(&cat).as_deref(), Some("alpha"));
        cat.set_query("zzz");
        assert_eq!(cat.visible_len(), 0, "a filter that matches nothing");
        assert!(cat.selected_row().is_none());
        cat.insert(&Secret {
            id: String::new(),
            name: "delta".into(),
            state: SecretState::Enabled,
            kms_key_id: "k1".into(),
            description: String::new(),
            create_time: 9,
            update_time: 9,
            scheduled_delete_time: None,
            secret_type: "COMMON".into(),
            settings: Box::default(),
        });
        assert_eq!(cat.query(), "", "the filter hiding it is cleared");
        assert_eq!(selected(&cat).as_deref(), Some("delta"));
        assert_eq!(cat.selected(), 0, "newest first when sorted by created");
        assert_eq!(cat.total(), 4);
    }

    #[test]
    fn an_exact_name_prefix_ranks_above_a_scattered_match() {
        let mut cat = Catalog::new(
            &[
                secret("a-pay-ment-s", "", 1),
                secret("billing", "payments are mentioned here", 2),
                secret("my-payments", "", 3),
                secret("payments-db", "", 4),
                secret("zeta", "", 5),
            ],
            &[],
        );
        cat.set_query("payments");
        let ranked = shown(&cat);
        assert_eq!(ranked.len(), 4, "zeta does not match: {ranked:?}");
        assert_eq!(
            ranked[0], "payments-db",
            "the name's prefix first: {ranked:?}"
        );
        let pos = |name: &str| ranked.iter().position(|n| n == name);
        assert!(pos("my-payments") < pos("a-pay-ment-s"), "{ranked:?}");
        assert!(pos("payments-db") < pos("billing"), "{ranked:?}");
        assert_eq!(
            selected(&cat).as_deref(),
            Some("payments-db"),
            "the best match selected"
        );
        cat.set_query("");
        assert_eq!(
            shown(&cat),
            [
                "a-pay-ment-s",
                "billing",
                "my-payments",
                "payments-db",
                "zeta"
            ],
            "by name again once the filter is empty"
        );
    }

    #[test]
    fn the_matched_characters_of_names_and_descriptions_are_found() {
        let mut cat = Catalog::new(&[secret("db-prod", "Database for prod", 1)], &[]);
        cat.set_query("dbprod");
        let mut hl = cat.highlighter();
        let marks = cat.marks(&mut hl, 0);
        assert_eq!(marks.name, [0, 1, 3, 4, 5, 6]);
        assert!(marks.description.is_empty());
        cat.set_query("database");
        let mut hl = cat.highlighter();
        let marks = cat.marks(&mut hl, 0);
        assert_eq!(marks.description, (0..8).collect::<Vec<_>>());
        cat.set_query("env:");
        let mut hl = cat.highlighter();
        assert_eq!(
            cat.marks(&mut hl, 0),
            Marks::default(),
            "a tag form marks nothing"
        );
    }

    #[test]
    fn descriptions_match_and_their_kept_part_is_what_is_searched() {
        let long = format!("{} needle", "x".repeat(DESCRIPTION_KEPT));
        let mut cat = Catalog::new(
            &[
                secret("api", "rotated monthly by the platform team", 1),
                secret("db", &long, 2),
            ],
            &[],
        );
        cat.set_query("monthly");
        assert_eq!(shown(&cat), ["api"]);
        cat.set_query("needle");
        assert!(shown(&cat).is_empty(), "past the kept part");
        assert!(cat.rows.get(1).is_some_and(|r| r.description_cut));
    }

    #[test]
    fn refresh_keeps_sort_filter_and_selection() {
        let mut cat = Catalog::new(&[secret("alpha", "db", 3), secret("beta", "db", 1)], &[]);
        cat.cycle_sort();
        cat.set_state_filter(StateFilter::Enabled);
        cat.set_query("db");
        cat.select_name("beta");
        assert_eq!(selected(&cat).as_deref(), Some("beta"));
        let mut fresh = Catalog::new(&[secret("alpha", "db", 3), secret("beta", "db", 1)], &[]);
        fresh.append(&[secret("delta", "db", 9), secret("omega", "other", 8)]);
        cat.replace(fresh);
        assert_eq!(cat.sort(), SortBy::Created);
        assert_eq!(cat.query(), "db");
        assert_eq!(cat.state_filter(), StateFilter::Enabled);
        assert_eq!((cat.visible_len(), cat.total()), (3, 4));
        assert_eq!(selected(&cat).as_deref(), Some("beta"));
    }

    #[test]
    fn pages_append_in_order_and_join_the_filter() {
        let mut cat = Catalog::new(&[secret("a1", "", 1), secret("a2", "", 2)], &[]);
        cat.bottom();
        cat.append(&[secret("b1", "", 3), secret("b2", "", 4)]);
        assert_eq!(shown(&cat), ["a1", "a2", "b1", "b2"]);
        assert_eq!(selected(&cat).as_deref(), Some("a2"), "selection kept");
        cat.set_query("2");
        cat.append(&[secret("c2", "", 5), secret("c3", "", 6)]);
        assert_eq!(shown(&cat).len(), 3, "a new page is filtered too");
        assert_eq!(cat.total(), 6);
    }

    #[test]
    fn the_state_filter_works_with_the_text_filter() {
        let mut pending = secret("beta", "db", 2);
        pending.state = SecretState::PendingDelete;
        pending.scheduled_delete_time = Some(99);
        let mut cat = Catalog::new(
            &[secret("alpha", "db", 1), pending, secret("gamma", "", 3)],
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
        assert_eq!(selected(&cat).as_deref(), Some("alpha"));
        assert!(!cat.any_pending());
    }

    #[test]
    fn the_filter_matches_tags_as_key_value_and_key_colon() {
        let mut cat = Catalog::new(
            &[
                secret("api", "env=prod in the description", 1),
                tagged("db", &[("Env", "Production"), ("team", "core")]),
                tagged("web", &[("env", "dev")]),
            ],
            &[],
        );
        assert!(cat.any_tags());
        assert_eq!(cat.selected_row().map(|r| r.tag_count), Some(0));
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
        cat.set_query("core");
        assert_eq!(shown(&cat), ["db"], "plain text searches tags too");
        cat.set_query("");
        assert_eq!(shown(&cat).len(), 3);
    }

    #[test]
    fn a_description_cannot_pass_for_a_tag() {
        let mut cat = Catalog::new(&[secret("a", "x\nenv=prod", 1)], &[]);
        cat.set_query("env=prod");
        assert_eq!(cat.visible_len(), 0);
    }

    /// A catalog of `names` (descriptions from each name's length) with `query` set at once.
    fn fresh(names: &[&str], query: &str) -> Catalog {
        let page: Vec<SecretSummary> = names
            .iter()
            .map(|n| secret(n, &format!("{} long", n.len()), 1))
            .collect();
        let mut cat = Catalog::new(&page, &[]);
        cat.set_query(query);
        cat
    }

    fn results(cat: &Catalog) -> (Vec<String>, Vec<String>) {
        let names = |rows: &[u32]| {
            rows.iter()
                .map(|&i| cat.rows.name(i).to_owned())
                .collect::<Vec<_>>()
        };
        (names(&cat.matched), names(&cat.visible))
    }

    const NAMES: [&str; 8] = [
        "api-key",
        "db-secret",
        "secret-0007",
        "secret-0070",
        "sec-ret",
        "service",
        "zz-secret-7",
        "web",
    ];

    #[test]
    fn a_large_scan_goes_on_between_frames_and_ends_as_a_whole_scan_would() {
        let page: Vec<SecretSummary> = (0..SLICED_FROM + 10_000)
            .map(|n| secret(&format!("team{}-secret-{n:06}", n % 7), "", 1))
            .collect();
        let whole = |query: &str| {
            let mut cat = Catalog::new(&page, &[]);
            cat.set_query_until(query, Instant::now() + Duration::from_hours(1));
            assert!(cat.matching().is_none());
            results(&cat)
        };
        let mut cat = Catalog::new(&page, &[]);
        let before = results(&cat).1;
        // A deadline already past: one slice of rows, then the frame.
        let past = Instant::now();
        cat.set_query_until("secret-00", past);
        assert_eq!(cat.matching(), Some((SLICE_ROWS, page.len())));
        assert_eq!(
            results(&cat).1,
            before,
            "the previous results are shown meanwhile"
        );
        // Typed over before it ends: the longer query scans every row again, a slice a frame.
        cat.set_query_until("secret-007", past);
        assert_eq!(cat.matching(), Some((SLICE_ROWS, page.len())));
        let mut frames = 1;
        loop {
            frames += 1;
            if !cat.work(past) {
                break;
            }
        }
        assert_eq!(frames, page.len().div_ceil(SLICE_ROWS));
        assert!(cat.matching().is_none());
        assert_eq!(results(&cat), whole("secret-007"));
        assert_eq!(cat.selected, 0, "the best match is selected");
        // Back to the query that never finished: scanned again, not served half done.
        cat.set_query_until("secret-00", past);
        assert!(cat.matching().is_some());
        // An action on the list finishes it first.
        cat.finish();
        assert!(cat.matching().is_none());
        assert_eq!(results(&cat), whole("secret-00"));
        // A change of rows while a scan runs ends it with a whole scan.
        cat.set_query_until("team3", past);
        assert!(cat.matching().is_some());
        cat.set_state_filter(StateFilter::All);
        assert!(cat.matching().is_none());
        assert_eq!(results(&cat), whole("team3"));
    }

    #[test]
    fn backspace_and_retyping_show_what_a_fresh_scan_shows() {
        let mut cat = fresh(&NAMES, "");
        let typed = ["s", "se", "sec", "secr", "secret-07", "secret-007"];
        for query in typed.iter().chain(typed.iter().rev()).chain(&typed) {
            cat.set_query(query);
            assert_eq!(results(&cat), results(&fresh(&NAMES, query)), "{query:?}");
            assert_eq!(cat.selected(), 0, "the best match selected");
        }
        cat.set_query("env:");
        cat.set_query("sec");
        cat.set_query("env:");
        assert_eq!(results(&cat), results(&fresh(&NAMES, "env:")));
        cat.set_query("");
        assert_eq!(cat.visible_len(), NAMES.len());
    }

    #[test]
    fn earlier_results_are_not_served_once_rows_change() {
        let mut cat = fresh(&NAMES, "sec");
        cat.set_query("secr");
        // A reread in which a secret is gone and another is new.
        let mut reread: Vec<&str> = NAMES
            .iter()
            .copied()
            .filter(|n| *n != "db-secret")
            .chain(["secure"])
            .collect();
        reread.sort_unstable();
        cat.replace(fresh(&reread, ""));
        cat.set_query("sec");
        assert_eq!(results(&cat), results(&fresh(&reread, "sec")));
        cat.set_query("secr");
        cat.append(&[secret("zzz-sec", "", 2)]);
        cat.set_query("sec");
        assert!(
            results(&cat).1.contains(&"zzz-sec".to_owned()),
            "a row paged in after the query was left"
        );
        cat.set_query("secr");
        cat.set_state_filter(StateFilter::Disabled);
        cat.set_query("sec");
        assert_eq!(cat.visible_len(), 0, "the state filter applies");
    }

    #[test]
    fn window_follows_selection() {
        let secrets: Vec<SecretSummary> = (0..50)
            .map(|i| secret(&format!("s{i:02}"), "", i))
            .collect();
        let mut cat = Catalog::new(&secrets, &[]);
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
