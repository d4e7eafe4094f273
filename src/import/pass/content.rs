//! What one decrypted `pass` file says: the password on the first line, then `key: value`
//! fields, `otpauth://` lines and free text.

use zeroize::Zeroizing;

use crate::import::entry::{EntryField, SourceEntry};

/// The longest text before a `:` read as a field's name; longer, the line is notes.
const MAX_KEY_CHARS: usize = 64;

/// Fills `entry` from the text of its file: the first line is the password; a later line
/// `login:`, `username:` or `user:` is the username (the first such line; later ones stay
/// fields), `url:` (any case) a URL, an `otpauth://` line the TOTP (the first; later ones are
/// fields named `otpauth`), any other `key: value` line a field, everything else the notes, in
/// order, trailing empty lines left out.
pub fn fill(entry: &mut SourceEntry, text: &str) {
    let mut lines = text
        .split('\n')
        .map(|line| line.strip_suffix('\r').unwrap_or(line));
    if let Some(first) = lines.next().filter(|first| !first.is_empty()) {
        entry.password = Some(Zeroizing::new(first.to_owned()));
    }
    let mut notes = Zeroizing::new(String::with_capacity(text.len()));
    for line in lines {
        if line.starts_with("otpauth://") {
            if entry.totp.is_none() {
                entry.totp = Some(Zeroizing::new(line.to_owned()));
            } else {
                entry.fields.push(field("otpauth", line));
            }
        } else if let Some((key, value)) = key_value(line) {
            match key.to_ascii_lowercase().as_str() {
                "login" | "username" | "user" if entry.username.is_none() && !value.is_empty() => {
                    entry.username = Some(Zeroizing::new(value.to_owned()));
                }
                "url" if !value.is_empty() => entry.urls.push(value.to_owned()),
                _ => entry.fields.push(field(key, value)),
            }
        } else {
            notes.push_str(line);
            notes.push('\n');
        }
    }
    let kept = notes.trim_end_matches(['\n', ' ', '\t']).len();
    notes.truncate(kept);
    if !notes.is_empty() {
        entry.notes = Some(notes);
    }
}

/// `key: value` (or `key:` alone): a key of at most 64 characters with no white space at its
/// ends, a value after white space or nothing; `https://…` is not a field.
fn key_value(line: &str) -> Option<(&str, &str)> {
    let (key, value) = line.split_once(':')?;
    let plain_key = !key.is_empty()
        && key.trim() == key
        && key.chars().count() <= MAX_KEY_CHARS
        && !key.chars().any(char::is_control);
    let spaced = value.is_empty() || value.starts_with([' ', '\t']);
    (plain_key && spaced).then(|| (key, value.trim()))
}

fn field(name: &str, value: &str) -> EntryField {
    EntryField {
        name: name.to_owned(),
        value: Zeroizing::new(value.to_owned()),
        hidden: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> SourceEntry {
        let mut entry = SourceEntry::default();
        fill(&mut entry, text);
        entry
    }

    fn fields(entry: &SourceEntry) -> Vec<(&str, &str)> {
        entry
            .fields
            .iter()
            .map(|f| (f.name.as_str(), f.value.as_str()))
            .collect()
    }

    #[test]
    fn a_one_line_file_is_a_password_alone() {
        let entry = read("hunter2\n");
        assert_eq!(
            entry.password.as_deref().map(String::as_str),
            Some("hunter2")
        );
        assert!(entry.username.is_none() && entry.notes.is_none() && entry.fields.is_empty());
    }

    #[test]
    fn every_line_after_the_first_finds_its_place() {
        let entry = read(
            "pw: with colon\r\nlogin: alice\nuser: second\nURL: https://a.example\nurl: https://b.example\n\
             otpauth://totp/a?secret=AAAA\notpauth://totp/b?secret=BBBB\npin:  1234 \nempty:\n\
             https://not-a-field.example\nNote with words: yes\n\nlast words\n\n",
        );
        assert_eq!(
            entry.password.as_deref().map(String::as_str),
            Some("pw: with colon")
        );
        assert_eq!(entry.username.as_deref().map(String::as_str), Some("alice"));
        assert_eq!(entry.urls, ["https://a.example", "https://b.example"]);
        assert_eq!(
            entry.totp.as_deref().map(String::as_str),
            Some("otpauth://totp/a?secret=AAAA")
        );
        assert_eq!(
            fields(&entry),
            [
                ("user", "second"),
                ("otpauth", "otpauth://totp/b?secret=BBBB"),
                ("pin", "1234"),
                ("empty", ""),
                ("Note with words", "yes"),
            ]
        );
        assert_eq!(
            entry.notes.as_deref().map(String::as_str),
            Some("https://not-a-field.example\n\nlast words")
        );
    }

    #[test]
    fn an_empty_first_line_is_no_password() {
        let entry = read("\nsome notes");
        assert!(entry.password.is_none());
        assert_eq!(
            entry.notes.as_deref().map(String::as_str),
            Some("some notes")
        );
    }
}
