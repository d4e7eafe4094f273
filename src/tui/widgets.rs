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

/// Where a centred popup of at most `width`×`height` goes in `area`.
fn popup_rect(area: Rect, width: u16, height: u16) -> Rect {
    area.centered(
        Constraint::Length(width.min(area.width)),
        Constraint::Length(height.min(area.height)),
    )
}

/// The inside of the popup [`popup`] would draw, without drawing it.
pub fn popup_inner(area: Rect, width: u16, height: u16) -> Rect {
    Block::bordered().inner(popup_rect(area, width, height))
}

/// Clears a centred popup area, draws its bordered block, and returns the inside.
pub fn popup(area: Rect, width: u16, height: u16, title: &str, buf: &mut Buffer) -> Rect {
    let rect = popup_rect(area, width, height);
    Clear.render(rect, buf);
    let block = Block::bordered()
        .title(Span::styled(format!(" {title} "), theme::title()))
        .border_style(theme::focused_border());
    let inner = block.inner(rect);
    block.render(rect, buf);
    inner
}

/// The footer: the keys that work in `ctx`, as many as fit. Help and Esc are fitted first, so
/// a narrow terminal drops the context's other keys before them.
pub fn footer(ctx: Context, area: Rect, buf: &mut Buffer) {
    let items = keymap::footer(ctx);
    let width =
        |item: &keymap::FooterItem| item.keys.chars().count() + item.what.chars().count() + 4;
    let room = usize::from(area.width);
    let mut keep = vec![false; items.len()];
    let mut used = 0usize;
    for pass_essential in [true, false] {
        for (i, item) in items.iter().enumerate() {
            if item.essential != pass_essential {
                continue;
            }
            let w = width(item);
            if used + w > room {
                if pass_essential {
                    continue;
                }
                break;
            }
            used += w;
            keep[i] = true;
        }
    }
    let mut spans = Vec::new();
    for (item, _) in items.iter().zip(&keep).filter(|(_, k)| **k) {
        spans.push(Span::styled(
            format!(" {} ", item.keys),
            theme::footer_key(),
        ));
        spans.push(Span::styled(
            format!(" {} ", item.what),
            theme::footer_text(),
        ));
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

    #[test]
    fn narrow_footers_keep_help_and_esc() {
        for &ctx in keymap::ALL {
            let area = Rect::new(0, 0, 60, 1);
            let mut buf = Buffer::empty(area);
            footer(ctx, area, &mut buf);
            let drawn: String = buf
                .content()
                .iter()
                .map(ratatui::buffer::Cell::symbol)
                .collect();
            for item in keymap::footer(ctx).iter().filter(|i| i.essential) {
                let shown = format!(" {} ", item.keys);
                assert!(drawn.contains(&shown), "{ctx:?}: {shown} in {drawn:?}");
            }
        }
    }
}
