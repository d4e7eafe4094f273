//! Small drawing helpers shared by the screens: inputs with a cursor, truncation, popups, footer.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Widget};

use super::keymap::{self, Context};
use super::theme;

/// A one-cell block cursor drawn at the end of an input.
pub fn cursor_span() -> Span<'static> {
    Span::styled(" ", Style::new().add_modifier(Modifier::REVERSED))
}

/// `text` cut to `width` columns with a trailing `…` when it does not fit.
pub fn truncate(text: &str, width: usize) -> String {
    if Line::raw(text).width() <= width {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for ch in text.chars() {
        let w = Span::raw(ch.to_string()).width();
        if used + w + 1 > width {
            break;
        }
        used += w;
        out.push(ch);
    }
    if width > 0 {
        out.push('…');
    }
    out
}

/// One line of an input `width` columns wide, scrolled so the cursor (a char index) stays in view.
/// `chars` is what to draw (the text, or bullets when masked).
pub fn input_line(
    chars: &[char],
    cursor: Option<usize>,
    width: usize,
    style: Style,
) -> Line<'static> {
    let width = width.max(1);
    let start = cursor.map_or(0, |c| (c + 1).saturating_sub(width));
    let mut spans = Vec::new();
    let visible: String = chars.iter().skip(start).take(width).collect();
    match cursor {
        Some(c) => {
            let at = c - start;
            let before: String = visible.chars().take(at).collect();
            let under = visible
                .chars()
                .nth(at)
                .map_or(" ".to_owned(), |ch| ch.to_string());
            let after: String = visible.chars().skip(at + 1).collect();
            spans.push(Span::styled(before, style));
            spans.push(Span::styled(under, style.add_modifier(Modifier::REVERSED)));
            spans.push(Span::styled(after, style));
        }
        None => spans.push(Span::styled(visible, style)),
    }
    let used: usize = spans.iter().map(Span::width).sum();
    if used < width {
        spans.push(Span::styled(" ".repeat(width - used), style));
    }
    Line::from(spans)
}

/// Clears a centred popup area, draws its bordered block, and returns the inside.
pub fn popup(area: Rect, width: u16, height: u16, title: &str, buf: &mut Buffer) -> Rect {
    let rect = area.centered(
        Constraint::Length(width.min(area.width)),
        Constraint::Length(height.min(area.height)),
    );
    Clear.render(rect, buf);
    let block = Block::bordered()
        .title(Span::styled(format!(" {title} "), theme::title()))
        .border_style(theme::focused_border());
    let inner = block.inner(rect);
    block.render(rect, buf);
    inner
}

/// The footer: the keys that work in `ctx`, as many as fit.
pub fn footer(ctx: Context, area: Rect, buf: &mut Buffer) {
    let mut spans = Vec::new();
    let mut used = 0usize;
    for (keys, what) in keymap::footer(ctx) {
        let w = keys.chars().count() + what.chars().count() + 4;
        if used + w > usize::from(area.width) {
            break;
        }
        used += w;
        spans.push(Span::styled(format!(" {keys} "), theme::footer_key()));
        spans.push(Span::styled(format!(" {what} "), theme::footer_text()));
    }
    Line::from(spans).render(area, buf);
}

/// Thousands separators: `100000` → `100,000`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
        assert_eq!(thousands(100_000), "100,000");
        assert_eq!(thousands(999), "999");
        let chars: Vec<char> = "abcdefgh".chars().collect();
        let line = input_line(&chars, Some(8), 4, Style::new());
        assert_eq!(line.to_string(), "fgh ");
    }
}
