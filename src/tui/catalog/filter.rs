//! The list's filter: the typed query parsed once (fuzzy text, or one of issue 14's tag forms),
//! matched against rows on every core, the matches ranked best first; and which characters of a
//! shown row matched (for highlighting).
//!
//! Fuzzy text is `nucleo`'s (helix's matcher, fzf's scoring): every word of the query must match,
//! its letters in order, in the secret's name or else in its description and tags; `'word` asks
//! for it exactly, `^word` at the start, `word$` at the end, `!word` for its absence; case is
//! ignored. A word found in the name scores more, and matches near the start a little more, so
//! a name that starts with the query ranks above one where it is scattered. `key=value` (the key exactly,
//! the value from its start) and `key:` (the key, any value) match tags only, as in issue 14.

use nucleo_matcher::pattern::{Atom, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use super::StateFilter;
use super::rows::Rows;

/// Below this many rows a scan stays on the calling thread.
const PARALLEL_FROM: usize = 20_000;
/// At most this many threads scan (the machine's cores, if fewer).
const MAX_THREADS: usize = 4;

/// A query, parsed.
#[derive(Debug, Default)]
pub enum Query {
    /// Nothing typed: every row, in the list's order.
    #[default]
    Empty,
    /// Fuzzy over name, description and tags, ranked.
    Fuzzy(Pattern),
    /// `key=value` or `key:` (as `key=`), lowercased: a tag that starts with it.
    Tag(String),
}

impl Query {
    pub fn parse(text: &str) -> Self {
        if text.trim().is_empty() {
            return Self::Empty;
        }
        let lowered = text.to_lowercase();
        if let Some((key, value)) = lowered.split_once('=') {
            Self::Tag(format!("{key}={value}"))
        } else if let Some(key) = lowered.strip_suffix(':').filter(|k| !k.is_empty()) {
            Self::Tag(format!("{key}="))
        } else {
            Self::Fuzzy(Pattern::parse(
                text,
                CaseMatching::Ignore,
                Normalization::Smart,
            ))
        }
    }

    /// Whether matches are ranked by score (else they keep the list's order).
    pub fn ranks(&self) -> bool {
        matches!(self, Self::Fuzzy(_))
    }
}

/// Whether every row `new` matches, `old` matched too (so `new` needs to look only at `old`'s
/// matches): text typed at the end of a query, except where the pattern syntax could widen it
/// (`!`, `$`, `\`).
pub fn narrows(new: &str, old: &str) -> bool {
    if old.trim().is_empty() {
        return true;
    }
    if !new.starts_with(old) {
        return false;
    }
    match (Query::parse(new), Query::parse(old)) {
        (Query::Tag(a), Query::Tag(b)) => a.starts_with(&b),
        (Query::Fuzzy(_), Query::Fuzzy(_)) => !new.contains(['!', '$', '\\']),
        _ => false,
    }
}

/// The matcher every scan and highlight uses: nucleo's defaults, with the small bonus for
/// matches near the start (the name).
fn matcher() -> Matcher {
    let mut config = Config::DEFAULT;
    config.prefer_prefix = true;
    Matcher::new(config)
}

/// `text` as the matcher takes it (`buf` holds the characters of non-ASCII text).
fn utf32<'a>(text: &'a str, buf: &'a mut Vec<char>) -> Utf32Str<'a> {
    if text.is_ascii() {
        Utf32Str::Ascii(text.as_bytes())
    } else {
        buf.clear();
        buf.extend(text.chars());
        Utf32Str::Unicode(buf)
    }
}

/// Whether `text` starts with `lowered` (already lowercase), ignoring case.
fn starts_with_ignoring_case(text: &str, lowered: &str) -> bool {
    if text.is_ascii() {
        text.len() >= lowered.len()
            && text.as_bytes()[..lowered.len()].eq_ignore_ascii_case(lowered.as_bytes())
    } else {
        text.to_lowercase().starts_with(lowered)
    }
}

/// Whether `needle`'s bytes occur in `haystack` in order, ignoring ASCII case.
fn in_order_ignoring_case(haystack: &[u8], needle: &[u8]) -> bool {
    // A letter `c` (lowercase) is `b | 0x20 == c`: `b` is `c` or its capital, nothing else.
    let fold = |c: u8| {
        let c = c.to_ascii_lowercase();
        (c, if c.is_ascii_lowercase() { 0x20 } else { 0 })
    };
    let mut wanted = needle.iter().map(|&c| fold(c));
    let Some((mut next, mut case)) = wanted.next() else {
        return true;
    };
    for &b in haystack {
        if b | case == next {
            match wanted.next() {
                Some(c) => (next, case) = c,
                None => return true,
            }
        }
    }
    false
}

/// `atom`'s score in `haystack`, or `None` when it is not found there. ASCII text the
/// atom's letters do not occur in, in order, is passed over without asking the matcher (a
/// byte loop, several times cheaper than the matcher's own first pass on short text): every
/// kind of atom needs at least that.
fn atom_score(atom: &Atom, haystack: Utf32Str<'_>, matcher: &mut Matcher) -> Option<u16> {
    if let (Utf32Str::Ascii(text), Utf32Str::Ascii(needle)) = (haystack, atom.needle_text())
        && !atom.negative
        && !in_order_ignoring_case(text, needle)
    {
        return None;
    }
    atom.score(haystack, matcher)
}

/// Extra score for a word found in the name rather than in the description or tags.
const NAME_BONUS: u32 = 32;

/// Buffers for the characters of non-ASCII text (the name's and the rest's).
#[derive(Default)]
struct Buffers {
    name: Vec<char>,
    rest: Vec<char>,
}

/// Row `i`'s name and the rest of its text (description, tags), as the matcher takes them.
fn fields<'a>(rows: &'a Rows, i: u32, bufs: &'a mut Buffers) -> (Utf32Str<'a>, Utf32Str<'a>) {
    let (haystack, name_len) = rows.haystack(i);
    let name = haystack.get(..name_len).unwrap_or("");
    let rest = haystack.get(name_len + 1..).unwrap_or("");
    (utf32(name, &mut bufs.name), utf32(rest, &mut bufs.rest))
}

/// Row `i`'s score for `query`, or `None` when it does not match. Each word of a fuzzy query is
/// looked for in the name first (scoring [`NAME_BONUS`] more there), else in the description and
/// tags; a `!word` must be in neither.
fn score(
    query: &Query,
    rows: &Rows,
    i: u32,
    matcher: &mut Matcher,
    bufs: &mut Buffers,
) -> Option<u32> {
    match query {
        Query::Empty => Some(0),
        Query::Fuzzy(pattern) => {
            let (text, name_len) = rows.haystack(i);
            let name = utf32(text.get(..name_len).unwrap_or(""), &mut bufs.name);
            // The description and tags, taken as the matcher takes them only when a word is
            // not in the name.
            let rest_text = text.get(name_len + 1..).unwrap_or("");
            let mut rest_buf = Some(&mut bufs.rest);
            let mut rest = None;
            let mut rest = || {
                *rest.get_or_insert_with(|| {
                    rest_buf
                        .take()
                        .map_or(Utf32Str::Ascii(b""), |buf| utf32(rest_text, buf))
                })
            };
            let mut total = 0u32;
            for atom in &pattern.atoms {
                if atom.negative {
                    atom.score(name, matcher)?;
                    atom.score(rest(), matcher)?;
                    continue;
                }
                let word = match atom_score(atom, name, matcher) {
                    Some(s) => u32::from(s) + NAME_BONUS,
                    None => u32::from(atom_score(atom, rest(), matcher)?),
                };
                total = total.saturating_add(word);
            }
            Some(total)
        }
        Query::Tag(tag) => rows
            .tags(i)
            .any(|t| starts_with_ignoring_case(t, tag))
            .then_some(0),
    }
}

/// The candidates (in the list's order) that `query` and `states` keep, still in that order,
/// with their scores.
fn scan_part(query: &Query, rows: &Rows, states: StateFilter, part: &[u32]) -> Vec<(u32, u32)> {
    let mut matcher = matcher();
    let mut bufs = Buffers::default();
    // Room for every candidate at once: no copying as it grows (pages never written are
    // never resident).
    let mut found = Vec::with_capacity(part.len());
    found.extend(
        part.iter()
            .filter(|&&i| rows.state(i).is_some_and(|s| states.admits(s)))
            .filter_map(|&i| score(query, rows, i, &mut matcher, &mut bufs).map(|s| (i, s))),
    );
    found
}

/// The rows among `candidates` (in the list's order) that match: in that order (what a
/// narrower query scans next), and ranked (best first, the list's order among equals) when the
/// query ranks.
pub fn scan(
    query: &Query,
    rows: &Rows,
    states: StateFilter,
    candidates: &[u32],
) -> (Vec<u32>, Vec<u32>) {
    let mut found = Vec::new();
    find_into(&mut found, query, rows, states, candidates);
    settle(query, &found)
}

/// Appends the candidates (in the list's order) that match to `found`, with their scores, in
/// that order; on every core when there are many.
pub fn find_into(
    found: &mut Vec<(u32, u32)>,
    query: &Query,
    rows: &Rows,
    states: StateFilter,
    candidates: &[u32],
) {
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(MAX_THREADS);
    if candidates.len() < PARALLEL_FROM || threads < 2 {
        found.extend(scan_part(query, rows, states, candidates));
        return;
    }
    let chunk = candidates.len().div_ceil(threads);
    let parts: Vec<Vec<(u32, u32)>> = std::thread::scope(|s| {
        let parts: Vec<_> = candidates
            .chunks(chunk)
            .map(|part| s.spawn(move || scan_part(query, rows, states, part)))
            .collect();
        parts
            .into_iter()
            // A scan cannot panic short of a bug; its rows are then left out.
            .map(|part| part.join().unwrap_or_default())
            .collect()
    });
    found.reserve(parts.iter().map(Vec::len).sum());
    for part in parts {
        found.extend(part);
    }
}

/// What [`find_into`] found, as the list takes it: the matches in the list's order, and
/// ranked when the query ranks (else the same order).
pub fn settle(query: &Query, found: &[(u32, u32)]) -> (Vec<u32>, Vec<u32>) {
    let matched: Vec<u32> = found.iter().map(|&(i, _)| i).collect();
    if !query.ranks() {
        return (matched.clone(), matched);
    }
    let ranked = rank(found.iter().copied(), matched.len());
    (matched, ranked)
}

/// The matches best first, the list's order among equals: a stable radix sort on the score,
/// 16 bits a pass (a comparison sort of a million matches takes several times as long).
fn rank(found: impl Iterator<Item = (u32, u32)>, count: usize) -> Vec<u32> {
    const BUCKETS: usize = 1 << 16;
    // Descending by score: sorted ascending by what is missing to the best possible.
    let mut items: Vec<(u32, u32)> = Vec::with_capacity(count);
    items.extend(found.map(|(i, s)| (u32::MAX - s, i)));
    // Allocated at the first pass that is needed (none when every score is the same).
    let mut spare = Vec::new();
    for shift in [0, 16] {
        let digit = |key: u32| ((key >> shift) & 0xFFFF) as usize;
        let first = items.first().map_or(0, |&(k, _)| digit(k));
        if items.iter().all(|&(k, _)| digit(k) == first) {
            continue;
        }
        let mut starts = vec![0usize; BUCKETS];
        for &(k, _) in &items {
            starts[digit(k)] += 1;
        }
        let mut total = 0;
        for slot in &mut starts {
            let count = *slot;
            *slot = total;
            total += count;
        }
        spare.resize(items.len(), (0, 0));
        for &item in &items {
            let d = digit(item.0);
            spare[starts[d]] = item;
            starts[d] += 1;
        }
        std::mem::swap(&mut items, &mut spare);
    }
    // A new vector of exactly the matches (collecting `items` in place would keep twice the
    // room, and the result may be kept for Backspace).
    let mut ranked = Vec::with_capacity(items.len());
    ranked.extend(items.iter().map(|&(_, i)| i));
    ranked
}

/// Which characters of a row's name and description matched (character indices, ascending).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Marks {
    pub name: Vec<usize>,
    pub description: Vec<usize>,
}

/// Finds the matched characters of the rows shown (a few dozen a frame).
pub struct Highlighter<'q> {
    query: &'q Query,
    matcher: Matcher,
    bufs: Buffers,
    indices: Vec<u32>,
}

impl<'q> Highlighter<'q> {
    pub fn new(query: &'q Query) -> Self {
        Self {
            query,
            matcher: matcher(),
            bufs: Buffers::default(),
            indices: Vec::new(),
        }
    }

    /// The characters of row `i` that the query matched, each word where [`score`] found it
    /// (none for a tag form).
    pub fn marks(&mut self, rows: &Rows, i: u32) -> Marks {
        let Query::Fuzzy(pattern) = self.query else {
            return Marks::default();
        };
        let (name, rest) = fields(rows, i, &mut self.bufs);
        let mut marks = Marks::default();
        for atom in pattern.atoms.iter().filter(|a| !a.negative) {
            self.indices.clear();
            let into = if atom
                .indices(name, &mut self.matcher, &mut self.indices)
                .is_some()
            {
                &mut marks.name
            } else {
                self.indices.clear();
                if atom
                    .indices(rest, &mut self.matcher, &mut self.indices)
                    .is_none()
                {
                    continue;
                }
                &mut marks.description
            };
            into.extend(self.indices.iter().map(|&i| i as usize));
        }
        for list in [&mut marks.name, &mut marks.description] {
            list.sort_unstable();
            list.dedup();
        }
        marks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_parse_into_tag_forms_or_fuzzy_text() {
        assert!(matches!(Query::parse(""), Query::Empty));
        assert!(matches!(Query::parse("  "), Query::Empty));
        assert!(matches!(Query::parse("Env=Prod"), Query::Tag(t) if t == "env=prod"));
        assert!(matches!(Query::parse("env:"), Query::Tag(t) if t == "env="));
        assert!(matches!(Query::parse(":"), Query::Fuzzy(_)));
        assert!(matches!(Query::parse("db pass"), Query::Fuzzy(_)));
    }

    #[test]
    fn ranking_is_best_first_and_keeps_the_list_order_among_equals() {
        let found = [
            (7, 5),
            (3, 70_000),
            (9, 5),
            (1, 200),
            (4, 70_000),
            (2, 65_541),
        ];
        assert_eq!(rank(found.into_iter(), found.len()), [3, 4, 2, 1, 7, 9]);
        assert!(rank(std::iter::empty(), 0).is_empty());
    }

    #[test]
    fn the_byte_pass_agrees_with_the_matcher() {
        let mut matcher = matcher();
        let texts = [
            "payments-secret-0000007",
            "PAYMENTS-Secret-0000070",
            "db",
            "",
            "a-b c_d/e.f",
            "Credential 7 of the payments team",
        ];
        let queries = [
            "secret-0007",
            "SEC07",
            "'secret",
            "^pay",
            "team$",
            "db",
            "b c",
            "x",
            "e.f",
            "!pay",
        ];
        for query in queries {
            let pattern = Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart);
            for text in texts {
                for atom in &pattern.atoms {
                    let haystack = Utf32Str::Ascii(text.as_bytes());
                    assert_eq!(
                        atom_score(atom, haystack, &mut matcher),
                        atom.score(haystack, &mut matcher),
                        "{query:?} in {text:?}"
                    );
                }
            }
        }
        assert!(in_order_ignoring_case(b"Payments", b"pys"));
        assert!(!in_order_ignoring_case(b"Payments", b"spy"));
        assert!(in_order_ignoring_case(b"", b""));
    }

    #[test]
    fn what_narrows() {
        assert!(narrows("a", ""));
        assert!(narrows("ab", "a"));
        assert!(narrows("ab c", "ab"));
        assert!(narrows("env=pr", "env="));
        assert!(!narrows("env=pr", "env:"), "not typed at the end");
        assert!(!narrows("b", "a"));
        assert!(!narrows("a!b", "a"), "a negation widens");
        assert!(!narrows("env=", "env"), "text, then a tag form");
    }
}
