//! Secret names for imported entries: an entry's folder path and title made to fit
//! `^[a-zA-Z0-9._-]{1,64}$` by one deterministic rule, and the suffixes that keep two entries of
//! one import apart (docs/DECISIONS.md "Issue 16: import mapping").

use std::collections::HashMap;
use std::fmt::Write as _;

use sha2::{Digest, Sha256};

pub use crate::csms::MAX_NAME_CHARS;
/// What an entry with nothing usable in its folders and title is called.
pub const EMPTY_NAME: &str = "entry";
/// Hex digits of the hash that ends a name cut to fit.
const HASH_CHARS: usize = 8;

/// One part of a name (a folder, a title): each character outside `A–Z a–z 0–9 . _ -` becomes
/// `-`, runs of `-` become one, and `.` and `-` are trimmed from both ends (so the parts' `.`
/// joints stay unambiguous). May be empty.
pub fn clean_part(part: &str) -> String {
    let mut out = String::with_capacity(part.len());
    for c in part.chars() {
        let c = if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
            c
        } else {
            '-'
        };
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    out.trim_matches(['.', '-']).to_owned()
}

/// The name of an entry at `folders` (outermost first) called `title`: the cleaned parts that
/// are not empty joined by `.`, [`EMPTY_NAME`] when none is left, and a name over 64 characters
/// cut to 55 with `-` and 8 hex digits of the SHA-256 of the whole path (`folders/title` as the
/// source wrote it) after it, so two long names that differ anywhere stay different.
pub fn secret_name(folders: &[String], title: &str) -> String {
    let joined = folders
        .iter()
        .map(String::as_str)
        .chain(std::iter::once(title))
        .map(clean_part)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(".");
    if joined.is_empty() {
        return EMPTY_NAME.to_owned();
    }
    if joined.len() <= MAX_NAME_CHARS {
        return joined;
    }
    let mut whole = folders.join("/");
    whole.push('/');
    whole.push_str(title);
    cut_with_hash(&joined, &whole)
}

/// `name` (already clean) cut to fit with room for `-` and the hash of `whole`.
fn cut_with_hash(name: &str, whole: &str) -> String {
    let digest = Sha256::digest(whole.as_bytes());
    let mut hash = String::with_capacity(2 * digest.len());
    for byte in digest {
        let _ = write!(hash, "{byte:02x}");
    }
    let keep = MAX_NAME_CHARS - HASH_CHARS - 1;
    let head = name[..keep].trim_end_matches(['.', '-']);
    format!("{head}-{}", &hash[..HASH_CHARS])
}

/// `name` with the suffix `-n`, cut first so the whole fits 64 characters.
pub fn with_suffix(name: &str, n: usize) -> String {
    let suffix = format!("-{n}");
    let keep = MAX_NAME_CHARS.saturating_sub(suffix.len()).min(name.len());
    format!("{}{suffix}", name[..keep].trim_end_matches(['.', '-']))
}

/// The name an entry got, and why it is not the one its folders and title give.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assigned {
    pub name: String,
    /// The name it would have had, when another entry of this import took it first.
    pub renamed_from: Option<String>,
}

/// The names this import has given, so a second entry with one gets `-2`, a third `-3`, …
/// (the first free one, in the order entries come: the same source gives the same names).
/// Holds each name and who took it (an index the caller chooses, e.g. its report line).
/// Each wanted name that collided keeps the next suffix to try, so N entries with one name
/// cost N look-ups, not N²/2.
#[derive(Default)]
pub struct Names {
    taken: HashMap<String, usize>,
    /// For a wanted name given once already: the first `N` not yet tried (every `wanted-M`
    /// below it is taken, and taken names stay taken).
    next_suffix: HashMap<String, usize>,
}

impl Names {
    /// Gives `wanted` to the entry `who`, or the first `wanted-N` (N from 2) no entry has. With
    /// the name it took from, the index of the entry that holds `wanted`.
    pub fn assign(&mut self, wanted: &str, who: usize) -> (Assigned, Option<usize>) {
        let Some(&first) = self.taken.get(wanted) else {
            self.taken.insert(wanted.to_owned(), who);
            return (
                Assigned {
                    name: wanted.to_owned(),
                    renamed_from: None,
                },
                None,
            );
        };
        let mut n = self.next_suffix.get(wanted).copied().unwrap_or(2);
        let name = loop {
            let candidate = with_suffix(wanted, n);
            n += 1;
            if !self.taken.contains_key(&candidate) {
                break candidate;
            }
        };
        self.next_suffix.insert(wanted.to_owned(), n);
        self.taken.insert(name.clone(), who);
        (
            Assigned {
                name,
                renamed_from: Some(wanted.to_owned()),
            },
            Some(first),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csms::validate_name;

    fn name(folders: &[&str], title: &str) -> String {
        let folders: Vec<String> = folders.iter().map(|f| (*f).to_owned()).collect();
        let n = secret_name(&folders, title);
        assert!(validate_name(&n).is_none(), "{n:?} is not a valid name");
        n
    }

    #[test]
    fn folders_and_title_are_joined_by_dots() {
        assert_eq!(name(&["Work", "Email"], "gmail"), "Work.Email.gmail");
        assert_eq!(name(&[], "db_password"), "db_password");
    }

    #[test]
    fn other_characters_become_one_dash_and_ends_are_trimmed() {
        assert_eq!(name(&["My Bank"], "login: main!"), "My-Bank.login-main");
        assert_eq!(name(&[" -x- "], "..a..b.."), "x.a..b");
        assert_eq!(name(&["Café"], "clé"), "Caf.cl");
    }

    #[test]
    fn non_ascii_and_empty_parts_are_left_out_and_nothing_is_entry() {
        assert_eq!(name(&["日本"], "パスワード"), "entry");
        assert_eq!(name(&["日本"], "wifi"), "wifi");
        assert_eq!(name(&[], ""), "entry");
        assert_eq!(name(&["", "--"], "  "), "entry");
    }

    #[test]
    fn long_names_are_cut_with_a_hash_of_the_whole() {
        let long_a = format!("{}a", "x".repeat(100));
        let long_b = format!("{}b", "x".repeat(100));
        let a = name(&["folder"], &long_a);
        let b = name(&["folder"], &long_b);
        assert_eq!(a.len(), 64);
        assert_eq!(b.len(), 64);
        assert_ne!(a, b, "names that differ only past the cut stay different");
        assert!(a.starts_with("folder.xxxx"));
        assert_eq!(
            a,
            name(&["folder"], &long_a),
            "the same input, the same name"
        );
        // Exactly 64 is kept whole.
        let exact = "y".repeat(64);
        assert_eq!(name(&[], &exact), exact);
        // The hash is of the path as written: two paths that clean the same stay apart.
        assert_ne!(
            name(&["a b"], &"z".repeat(70)),
            name(&["a-b"], &"z".repeat(70))
        );
    }

    #[test]
    fn collisions_take_the_first_free_suffix() {
        let mut names = Names::default();
        let (first, holder) = names.assign("bank", 0);
        assert_eq!((first.name.as_str(), holder), ("bank", None));
        let (second, holder) = names.assign("bank", 1);
        assert_eq!(second.name, "bank-2");
        assert_eq!(second.renamed_from.as_deref(), Some("bank"));
        assert_eq!(holder, Some(0));
        // An entry called bank-3 of its own, then a third bank: bank-4.
        names.assign("bank-3", 2);
        let (third, holder) = names.assign("bank", 3);
        assert_eq!((third.name.as_str(), holder), ("bank-4", Some(0)));
        // An entry called bank-2 of its own now collides with the renamed one.
        let (fourth, holder) = names.assign("bank-2", 4);
        assert_eq!((fourth.name.as_str(), holder), ("bank-2-2", Some(1)));
    }

    #[test]
    fn a_suffix_still_fits_64() {
        let long = "q".repeat(64);
        let mut names = Names::default();
        names.assign(&long, 0);
        let (renamed, _) = names.assign(&long, 1);
        assert_eq!(renamed.name.len(), 64);
        assert!(renamed.name.ends_with("-2"));
        assert!(validate_name(&renamed.name).is_none());
    }

    #[test]
    fn many_entries_with_one_name_each_take_the_next_suffix() {
        let mut names = Names::default();
        names.assign("x-3", 0);
        let got: Vec<String> = (1..=5).map(|who| names.assign("x", who).0.name).collect();
        assert_eq!(got, ["x", "x-2", "x-4", "x-5", "x-6"]);
        // 20,000 entries called the same finish (the counter, not a walk from -2 each time).
        for who in 0..20_000 {
            names.assign("same", who);
        }
        assert_eq!(names.assign("same", 0).0.name, "same-20001");
    }
}
