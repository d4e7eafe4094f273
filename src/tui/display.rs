//! Text as the terminal shows it: widths in terminal columns (`unicode-width`, never char counts),
//! characters that would hide or reorder text shown visibly escaped, and the one way text is cut
//! (always ending in `…`) or wrapped.
//!
//! Escapes look like `⟨U+202E⟩` and are drawn in [`theme::escaped`], so `abc\u{202e}gnp.exe`
//! reads `abc⟨U+202E⟩gnp.exe`, never `abcexe.png`. Every piece of user text that reaches the
//! screen (names, descriptions, aliases, paths, messages, the JSON body) goes through here.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::theme;

/// What a cut ends with.
pub const ELLIPSIS: char = '…';

pub use crate::hidden::is_hidden;

/// How a hidden character is shown: `⟨U+202E⟩`.
pub fn escape(c: char) -> String {
    format!("⟨U+{:04X}⟩", u32::from(c))
}

/// One cell-group of shown text: a character with the zero-width marks that follow it (drawn
/// together, so measured together), or the escape of a hidden character.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Piece {
    pub text: String,
    pub width: usize,
    pub escaped: bool,
}

/// `text` split into what the terminal draws, left to right.
pub fn pieces(text: &str) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::new();
    for c in text.chars() {
        if is_hidden(c) {
            let text = escape(c);
            out.push(Piece {
                width: text.width(),
                text,
                escaped: true,
            });
            continue;
        }
        // A zero-width mark (combining accent, variation selector) belongs to the character
        // before it; measuring them together is how the terminal (and ratatui) draws them.
        if c.width() == Some(0)
            && let Some(last) = out.last_mut().filter(|p| !p.escaped)
        {
            last.text.push(c);
            last.width = last.text.width();
            continue;
        }
        let text = c.to_string();
        out.push(Piece {
            width: text.width(),
            text,
            escaped: false,
        });
    }
    out
}

/// How many columns `text` takes once shown (escapes included).
pub fn width(text: &str) -> usize {
    pieces(text).iter().map(|p| p.width).sum()
}

/// The pieces of `text` that fit in `width` columns; when not all do, as many as fit in one
/// column less, and `true` (the caller ends them with `…`).
fn cut(pieces: Vec<Piece>, width: usize) -> (Vec<Piece>, bool) {
    let total: usize = pieces.iter().map(|p| p.width).sum();
    if total <= width {
        return (pieces, false);
    }
    let room = width.saturating_sub(1);
    let mut used = 0;
    let mut kept = Vec::new();
    for p in pieces {
        if used + p.width > room {
            break;
        }
        used += p.width;
        kept.push(p);
    }
    (kept, true)
}

/// `text` as shown in at most `width` columns: whole when it fits, else cut and ended with `…`.
/// The one truncation of the terminal app.
pub fn fit(text: &str, width: usize) -> String {
    let (kept, cut) = cut(pieces(text), width);
    let mut out: String = kept.into_iter().map(|p| p.text).collect();
    if cut && width > 0 {
        out.push(ELLIPSIS);
    }
    out
}

/// Styled spans of `text` as shown: plain runs in `style`, escapes in `style` with
/// [`theme::escaped`] on top.
pub fn spans(text: &str, style: Style) -> Vec<Span<'static>> {
    spans_of(pieces(text), style)
}

fn spans_of(pieces: Vec<Piece>, style: Style) -> Vec<Span<'static>> {
    let mut out: Vec<Span<'static>> = Vec::new();
    let mut run = String::new();
    for p in pieces {
        if p.escaped {
            if !run.is_empty() {
                out.push(Span::styled(std::mem::take(&mut run), style));
            }
            out.push(Span::styled(p.text, style.patch(theme::escaped())));
        } else {
            run.push_str(&p.text);
        }
    }
    if !run.is_empty() {
        out.push(Span::styled(run, style));
    }
    out
}

/// A line of `text` as shown, in `style`, cut to `width` columns with `…` when it does not fit.
pub fn line(text: &str, width: usize, style: Style) -> Line<'static> {
    let (kept, cut) = cut(pieces(text), width);
    let mut spans = spans_of(kept, style);
    if cut && width > 0 {
        spans.push(Span::styled(ELLIPSIS.to_string(), style));
    }
    Line::from(spans)
}

/// [`line`] with the characters at `marks` (character indices into `text`, ascending) drawn in
/// `marked` on top of `style`: a piece is marked when any of its characters is (the filter's
/// matches, issue 15).
pub fn marked_line(
    text: &str,
    marks: &[usize],
    width: usize,
    style: Style,
    marked: Style,
) -> Line<'static> {
    if marks.is_empty() {
        return line(text, width, style);
    }
    let mut flags = Vec::new();
    let all = pieces(text);
    // Which characters each piece holds, in order: an escape is one character; a piece of
    // shown text holds as many as it has.
    let mut next_char = 0;
    for p in &all {
        let chars = if p.escaped { 1 } else { p.text.chars().count() };
        let range = next_char..next_char + chars;
        flags.push(marks.iter().any(|m| range.contains(m)));
        next_char += chars;
    }
    let (kept, cut) = cut(all, width);
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut run: Vec<Piece> = Vec::new();
    let mut run_marked = false;
    for (p, is_marked) in kept.into_iter().zip(flags) {
        if is_marked != run_marked && !run.is_empty() {
            let s = if run_marked {
                style.patch(marked)
            } else {
                style
            };
            spans.extend(spans_of(std::mem::take(&mut run), s));
        }
        run_marked = is_marked;
        run.push(p);
    }
    if !run.is_empty() {
        let s = if run_marked {
            style.patch(marked)
        } else {
            style
        };
        spans.extend(spans_of(run, s));
    }
    if cut && width > 0 {
        spans.push(Span::styled(ELLIPSIS.to_string(), style));
    }
    Line::from(spans)
}

/// `text` as shown, wrapped into lines of at most `width` columns: at spaces where it can, and
/// through a word longer than a line. Nothing is cut.
pub fn wrap(text: &str, width: usize) -> Vec<Vec<Piece>> {
    let width = width.max(1);
    let mut lines: Vec<Vec<Piece>> = Vec::new();
    let mut current: Vec<Piece> = Vec::new();
    let mut used = 0;
    for word in split_words(pieces(text)) {
        let word_width: usize = word.iter().map(|p| p.width).sum();
        let is_space = word.iter().all(|p| p.text == " ");
        if used + word_width <= width {
            used += word_width;
            current.extend(word);
            continue;
        }
        if is_space {
            // A break goes here: the spaces are dropped.
            push_line(&mut lines, &mut current);
            used = 0;
            continue;
        }
        if word_width <= width && used > 0 {
            push_line(&mut lines, &mut current);
            used = 0;
        }
        for p in word {
            if used + p.width > width && used > 0 {
                push_line(&mut lines, &mut current);
                used = 0;
            }
            used += p.width;
            current.push(p);
        }
    }
    if !current.is_empty() || lines.is_empty() {
        push_line(&mut lines, &mut current);
    }
    lines
}

/// Ends the line being filled, without the spaces it ends with.
fn push_line(lines: &mut Vec<Vec<Piece>>, current: &mut Vec<Piece>) {
    while current.last().is_some_and(|p| p.text == " ") {
        current.pop();
    }
    lines.push(std::mem::take(current));
}

/// Runs of spaces and runs of everything else.
fn split_words(pieces: Vec<Piece>) -> Vec<Vec<Piece>> {
    let mut words: Vec<Vec<Piece>> = Vec::new();
    for p in pieces {
        let space = p.text == " ";
        match words.last_mut() {
            Some(w) if w.first().is_some_and(|q| (q.text == " ") == space) => w.push(p),
            _ => words.push(vec![p]),
        }
    }
    words
}

/// [`wrap`] as styled lines, at most `max_rows` of them (the last ending in `…` when more would
/// follow).
pub fn wrapped_lines(
    text: &str,
    width: usize,
    max_rows: usize,
    style: Style,
) -> Vec<Line<'static>> {
    let mut lines = wrap(text, width);
    if lines.len() > max_rows {
        lines.truncate(max_rows);
        if let Some(last) = lines.last_mut() {
            while !last.is_empty() && last.iter().map(|p| p.width).sum::<usize>() + 1 > width {
                last.pop();
            }
            last.push(Piece {
                text: ELLIPSIS.to_string(),
                width: 1,
                escaped: false,
            });
        }
    }
    lines
        .into_iter()
        .map(|l| Line::from(spans_of(l, style)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `text` as shown, escapes inline, unstyled.
    fn shown(text: &str) -> String {
        pieces(text).into_iter().map(|p| p.text).collect()
    }

    #[test]
    fn widths_are_columns_not_chars() {
        assert_eq!(width("日本"), 4);
        assert_eq!(width("abc"), 3);
        assert_eq!(width("🔑 key"), 6);
        assert_eq!(width("e\u{301}"), 1, "a combining accent takes no column");
        assert_eq!(width(&"日".repeat(45)), 90);
    }

    #[test]
    fn cuts_end_in_an_ellipsis_and_never_split_a_wide_character() {
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("abc", 4), "abc");
        assert_eq!(fit("abcd", 4), "abcd");
        assert_eq!(fit("日本語", 4), "日…");
        assert_eq!(width(&fit("日本語", 4)), 3);
        assert_eq!(fit("日本語", 5), "日本…");
        assert_eq!(fit("abc", 0), "");
        let name = "n".repeat(64);
        let cut = fit(&name, 26);
        assert_eq!(width(&cut), 26);
        assert!(cut.ends_with(ELLIPSIS));
    }

    #[test]
    fn bidi_zero_width_and_controls_are_escaped() {
        assert_eq!(shown("abc\u{202e}gnp.exe"), "abc⟨U+202E⟩gnp.exe");
        assert_eq!(shown("a\u{200b}b"), "a⟨U+200B⟩b");
        assert_eq!(shown("a\u{2066}b\u{2069}"), "a⟨U+2066⟩b⟨U+2069⟩");
        assert_eq!(shown("bell\u{7}"), "bell⟨U+0007⟩");
        assert_eq!(shown("c1\u{9b}"), "c1⟨U+009B⟩");
        assert_eq!(shown("\u{feff}bom"), "⟨U+FEFF⟩bom");
        assert_eq!(shown("tag\u{e0041}"), "tag⟨U+E0041⟩");
        for c in ('\u{202a}'..='\u{202e}').chain('\u{2066}'..='\u{2069}') {
            assert!(is_hidden(c), "{:04X}", u32::from(c));
        }
        assert!(!is_hidden('é') && !is_hidden('日') && !is_hidden(' '));
        // An escape is never cut in half.
        assert_eq!(fit("ab\u{202e}cd", 6), "ab…");
    }

    #[test]
    fn escapes_are_styled() {
        let spans = spans("x\u{202e}y", Style::new());
        assert_eq!(spans.len(), 3);
        assert_eq!(spans[1].content, "⟨U+202E⟩");
        assert_eq!(spans[1].style, theme::escaped());
        assert_eq!(spans[0].style, Style::new());
        let cut = line("abcdef", 4, Style::new());
        assert_eq!(cut.to_string(), "abc…");
    }

    #[test]
    fn wrapping_breaks_at_spaces_and_through_long_words() {
        let text = |lines: Vec<Vec<Piece>>| -> Vec<String> {
            lines
                .into_iter()
                .map(|l| l.into_iter().map(|p| p.text).collect())
                .collect()
        };
        assert_eq!(
            text(wrap("a secret of that name already exists", 12)),
            ["a secret of", "that name", "already", "exists"]
        );
        assert_eq!(text(wrap("abcdefghij", 4)), ["abcd", "efgh", "ij"]);
        assert_eq!(text(wrap("日本語", 3)), ["日", "本", "語"]);
        assert_eq!(text(wrap("", 3)), [""]);
        let capped = wrapped_lines(&"word ".repeat(30), 7, 2, Style::new());
        assert_eq!(capped.len(), 2);
        assert_eq!(capped[1].to_string(), "word…");
        for l in wrap(&"word ".repeat(30), 7) {
            assert!(l.iter().map(|p| p.width).sum::<usize>() <= 7);
        }
    }
}
