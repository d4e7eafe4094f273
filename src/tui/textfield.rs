//! A text input whose contents live only in a `Zeroizing` buffer (passphrases, values, names).
//!
//! The buffer is grown by hand: a bigger `Zeroizing<String>` is allocated and the old one is wiped
//! on drop, so no stale copy of a secret is left behind by a reallocation.

use zeroize::{Zeroize, Zeroizing};

/// Initial capacity; values up to this many bytes never move in memory.
const INITIAL_CAPACITY: usize = 256;

/// An editable line (or lines, when `multiline`) with a cursor (a byte offset on a char boundary).
pub struct TextField {
    buf: Zeroizing<String>,
    cursor: usize,
    multiline: bool,
}

impl std::fmt::Debug for TextField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextField")
            .field("bytes", &self.buf.len())
            .finish_non_exhaustive()
    }
}

impl Default for TextField {
    fn default() -> Self {
        Self::single()
    }
}

impl TextField {
    /// Whether `action` is one of a text field's editing or cursor keys: what [`Self::apply`]
    /// acts on.
    pub fn handles(action: crate::tui::Action) -> bool {
        use crate::tui::Action as A;
        matches!(
            action,
            A::Input(_)
                | A::Backspace
                | A::Delete
                | A::DeleteToStart
                | A::DeleteWordBack
                | A::Left
                | A::Right
                | A::Home
                | A::End
                | A::Up
                | A::Down
        )
    }

    /// Applies an editing or cursor action: the one place every text field (forms, dialogs,
    /// popups, the unlock screen, the list's filter) takes its editing keys. Whether the text
    /// changed; other actions do nothing.
    pub fn apply(&mut self, action: crate::tui::Action) -> bool {
        use crate::tui::Action as A;
        match action {
            A::Input(c) => self.insert(c),
            A::Backspace => self.backspace(),
            A::Delete => self.delete(),
            A::DeleteToStart => self.delete_to_start(),
            A::DeleteWordBack => self.delete_word_back(),
            A::Left => self.left(),
            A::Right => self.right(),
            A::Home => self.home(),
            A::End => self.end(),
            A::Up => self.up(),
            A::Down => self.down(),
            _ => {}
        }
        matches!(
            action,
            A::Input(_) | A::Backspace | A::Delete | A::DeleteToStart | A::DeleteWordBack
        )
    }

    /// A one-line field: `'\n'` is refused.
    pub fn single() -> Self {
        Self::new(false)
    }

    /// A multi-line field.
    pub fn multi() -> Self {
        Self::new(true)
    }

    fn new(multiline: bool) -> Self {
        Self {
            buf: Zeroizing::new(String::with_capacity(INITIAL_CAPACITY)),
            cursor: 0,
            multiline,
        }
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.buf
    }

    /// The text copied into a fresh zeroizing buffer.
    pub fn to_zeroizing(&self) -> Zeroizing<String> {
        Zeroizing::new(self.buf.as_str().to_owned())
    }

    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Cursor position as a byte offset.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    fn reserve(&mut self, extra: usize) {
        let needed = self.buf.len().saturating_add(extra);
        if needed > self.buf.capacity() {
            let capacity = needed.max(self.buf.capacity().saturating_mul(2));
            let mut bigger = Zeroizing::new(String::with_capacity(capacity));
            bigger.push_str(&self.buf);
            self.buf = bigger;
        }
    }

    /// Inserts a character at the cursor (newlines only in multi-line fields).
    pub fn insert(&mut self, c: char) {
        if c == '\n' && !self.multiline || (c.is_control() && c != '\n' && c != '\t') {
            return;
        }
        self.reserve(c.len_utf8());
        self.buf.insert(self.cursor, c);
        self.cursor += c.len_utf8();
    }

    /// Inserts `text` at the cursor in one step (a paste): the buffer grows once; characters
    /// [`Self::insert`] refuses are skipped the same way.
    pub fn insert_str(&mut self, text: &str) {
        self.reserve(text.len());
        for c in text.chars() {
            self.insert(c);
        }
    }

    /// Ctrl+U: deletes from the start of the line to the cursor.
    pub fn delete_to_start(&mut self) {
        let start = self.line_start();
        self.buf.replace_range(start..self.cursor, "");
        self.cursor = start;
    }

    /// Ctrl+W: deletes the word before the cursor (and the spaces after it), within the line.
    pub fn delete_word_back(&mut self) {
        let start = self.line_start() + word_start(&self.buf[self.line_start()..self.cursor]);
        self.buf.replace_range(start..self.cursor, "");
        self.cursor = start;
    }

    /// Replaces everything with `text` (cursor at the end). The old contents are wiped first,
    /// spare capacity included, so a rejected passphrase does not stay behind in the buffer.
    pub fn set(&mut self, text: &str) {
        self.buf.zeroize();
        self.cursor = 0;
        for c in text.chars() {
            self.insert(c);
        }
    }

    fn prev_boundary(&self) -> Option<usize> {
        self.buf[..self.cursor]
            .char_indices()
            .next_back()
            .map(|(i, _)| i)
    }

    fn next_boundary(&self) -> Option<usize> {
        self.buf[self.cursor..]
            .chars()
            .next()
            .map(|c| self.cursor + c.len_utf8())
    }

    pub fn backspace(&mut self) {
        if let Some(prev) = self.prev_boundary() {
            self.buf.replace_range(prev..self.cursor, "");
            self.cursor = prev;
        }
    }

    pub fn delete(&mut self) {
        if let Some(next) = self.next_boundary() {
            self.buf.replace_range(self.cursor..next, "");
        }
    }

    pub fn left(&mut self) {
        if let Some(prev) = self.prev_boundary() {
            self.cursor = prev;
        }
    }

    pub fn right(&mut self) {
        if let Some(next) = self.next_boundary() {
            self.cursor = next;
        }
    }

    fn line_start(&self) -> usize {
        self.buf[..self.cursor].rfind('\n').map_or(0, |i| i + 1)
    }

    fn line_end(&self) -> usize {
        self.buf[self.cursor..]
            .find('\n')
            .map_or(self.buf.len(), |i| self.cursor + i)
    }

    pub fn home(&mut self) {
        self.cursor = self.line_start();
    }

    pub fn end(&mut self) {
        self.cursor = self.line_end();
    }

    /// Moves to the same column (in chars) of the previous line.
    pub fn up(&mut self) {
        let start = self.line_start();
        if start == 0 {
            return;
        }
        let column = self.buf[start..self.cursor].chars().count();
        let prev_start = self.buf[..start - 1].rfind('\n').map_or(0, |i| i + 1);
        self.cursor = self.offset_in_line(prev_start, start - 1, column);
    }

    /// Moves to the same column (in chars) of the next line.
    pub fn down(&mut self) {
        let end = self.line_end();
        if end >= self.buf.len() {
            return;
        }
        let column = self.buf[self.line_start()..self.cursor].chars().count();
        let next_start = end + 1;
        let next_end = self.buf[next_start..]
            .find('\n')
            .map_or(self.buf.len(), |i| next_start + i);
        self.cursor = self.offset_in_line(next_start, next_end, column);
    }

    fn offset_in_line(&self, start: usize, end: usize, column: usize) -> usize {
        self.buf[start..end]
            .char_indices()
            .nth(column)
            .map_or(end, |(i, _)| start + i)
    }

    /// (line, column in chars) of the cursor, both from 0.
    pub fn cursor_line_col(&self) -> (usize, usize) {
        let before = &self.buf[..self.cursor];
        let line = before.matches('\n').count();
        let column = before[self.line_start()..].chars().count();
        (line, column)
    }
}

/// Where the last word of `text` starts (a byte offset): trailing whitespace is skipped, then
/// everything back to the previous whitespace. What Ctrl+W deletes.
pub fn word_start(text: &str) -> usize {
    let trimmed = text.trim_end();
    trimmed
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace())
        .map_or(0, |(i, c)| i + c.len_utf8())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ctrl_u_and_ctrl_w_delete_within_the_line() {
        let mut f = TextField::multi();
        f.insert_str("first line\nsecond  wörd  here  ");
        f.delete_word_back();
        assert_eq!(f.as_str(), "first line\nsecond  wörd  ");
        f.delete_word_back();
        assert_eq!(f.as_str(), "first line\nsecond  ");
        f.left();
        f.delete_to_start();
        assert_eq!((f.as_str(), f.cursor()), ("first line\n ", 11));
        f.delete_word_back();
        f.delete_to_start();
        assert_eq!(
            f.as_str(),
            "first line\n ",
            "nothing before the cursor on this line"
        );
        f.up();
        f.end();
        f.delete_word_back();
        assert_eq!(f.as_str(), "first \n ");
        assert_eq!(word_start("a b\t"), 2);
        assert_eq!(word_start("   "), 0);
    }

    #[test]
    fn insert_str_skips_what_insert_refuses() {
        let mut f = TextField::single();
        f.insert_str("ab\ncd\u{1b}e");
        assert_eq!(f.as_str(), "abcde");
    }

    #[test]
    fn edits_across_lines_and_multibyte() {
        let mut f = TextField::multi();
        for c in "ab\ncä".chars() {
            f.insert(c);
        }
        assert_eq!(f.cursor_line_col(), (1, 2));
        f.up();
        assert_eq!(f.cursor_line_col(), (0, 2));
        f.backspace();
        assert_eq!(f.as_str(), "a\ncä");
        f.down();
        f.end();
        f.backspace();
        assert_eq!(f.as_str(), "a\nc");
        f.home();
        f.delete();
        assert_eq!(f.as_str(), "a\n");
    }

    #[test]
    fn single_line_refuses_newlines_and_grows() {
        let mut f = TextField::single();
        f.insert('\n');
        assert!(f.is_empty());
        let long = "x".repeat(1000);
        f.set(&long);
        assert_eq!(f.as_str(), long);
        assert!(!format!("{f:?}").contains("xxx"));
    }

    #[test]
    fn set_wipes_in_place_and_refills() {
        // The spare bytes themselves cannot be read without `unsafe` (forbidden here); what is
        // checked is that the buffer is reused (wiped in place, not swapped for a new one).
        let mut f = TextField::single();
        f.set("wrong passphrase");
        let capacity = f.buf.capacity();
        f.set("");
        assert!(f.is_empty());
        assert_eq!(f.cursor(), 0);
        assert_eq!(f.buf.capacity(), capacity);
        f.set("ok");
        assert_eq!((f.as_str(), f.cursor()), ("ok", 2));
    }
}
