//! Small drawing helpers shared by the screens: inputs with a cursor, truncation, popups, footer.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Widget};

use super::keymap;
use super::{display, theme};

/// A one-cell block cursor drawn at the end of an input.
pub fn cursor_span() -> Span<'static> {
    Span::styled(" ", Style::new().add_modifier(Modifier::REVERSED))
}

/// What an input shows for its text: each character as the terminal draws it (escaped when
/// hidden), or one bullet per character when masked.
fn input_pieces(text: &str, masked: bool) -> Vec<display::Piece> {
    if masked {
        return text
            .chars()
            .map(|_| display::Piece {
                text: "•".to_owned(),
                width: 1,
                escaped: false,
            })
            .collect();
    }
    // One piece per char, so the cursor (a char index) lands on a piece.
    text.chars()
        .map(|c| {
            let mut p = display::pieces(&c.to_string());
            p.pop().unwrap_or(display::Piece {
                text: String::new(),
                width: 0,
                escaped: false,
            })
        })
        .collect()
}

/// One line of an input `width` columns wide (columns, not chars), scrolled so the cursor (a
/// char index; `None` when not focused) stays in view. Text scrolled out of view on either side
/// is marked with `…`; hidden characters show escaped; `masked` draws bullets instead.
pub fn input_line(
    text: &str,
    masked: bool,
    cursor: Option<usize>,
    width: usize,
    style: Style,
) -> Line<'static> {
    let width = width.max(1);
    let pieces = input_pieces(text, masked);
    let widths: Vec<usize> = pieces.iter().map(|p| p.width).collect();
    let total: usize = widths.iter().sum::<usize>() + usize::from(cursor == Some(pieces.len()));
    // The first piece shown: 0 when everything fits, else as far left as the cursor allows
    // (one column on each side kept for a `…`).
    let start = match cursor {
        Some(_) if total <= width => 0,
        Some(c) => {
            let cursor_width = widths.get(c).copied().unwrap_or(1);
            let mut start = c.min(pieces.len());
            let mut used = cursor_width + usize::from(c + 1 < pieces.len());
            while start > 0 {
                let mark = usize::from(start - 1 > 0);
                if used + widths[start - 1] + mark > width {
                    break;
                }
                start -= 1;
                used += widths[start];
            }
            start
        }
        None => 0,
    };
    let mut spans = Vec::new();
    let mut used = 0;
    if start > 0 {
        spans.push(Span::styled(
            display::ELLIPSIS.to_string(),
            style.patch(theme::dim()),
        ));
        used += 1;
    }
    let mut i = start;
    while i < pieces.len() {
        let p = &pieces[i];
        let rest: usize =
            widths[i..].iter().sum::<usize>() + usize::from(cursor == Some(pieces.len()));
        let fits_all = used + rest <= width;
        let room = if fits_all { width } else { width - 1 };
        if used + p.width > room && cursor != Some(i) {
            break;
        }
        let mut piece_style = if p.escaped {
            style.patch(theme::escaped())
        } else {
            style
        };
        if cursor == Some(i) {
            piece_style = piece_style.add_modifier(Modifier::REVERSED);
        }
        spans.push(Span::styled(p.text.clone(), piece_style));
        used += p.width;
        i += 1;
    }
    if i < pieces.len() {
        spans.push(Span::styled(
            display::ELLIPSIS.to_string(),
            style.patch(theme::dim()),
        ));
        used += 1;
    } else if cursor == Some(pieces.len()) && used < width {
        spans.push(Span::styled(" ", style.add_modifier(Modifier::REVERSED)));
        used += 1;
    }
    if used < width {
        spans.push(Span::styled(" ".repeat(width - used), style));
    }
    Line::from(spans)
}

/// The widths a table with `constraints` and `spacing` gives its columns in `width` columns
/// (as `Table` computes them, with no selection symbol), so cells can be cut to fit with `…`
/// instead of being clipped silently.
pub fn column_widths(constraints: &[Constraint], width: u16, spacing: u16) -> Vec<usize> {
    Layout::horizontal(constraints.iter().copied())
        .flex(Flex::Start)
        .spacing(spacing)
        .split(Rect::new(0, 0, width, 1))
        .iter()
        .map(|r| usize::from(r.width))
        .collect()
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

/// A screen's bordered panel titled `title` (spaces around it are added), drawn; its inside.
pub fn panel(title: &str, area: Rect, buf: &mut Buffer) -> Rect {
    let block = Block::bordered()
        .title(Span::styled(format!(" {title} "), theme::title()))
        .border_style(theme::border());
    let inner = block.inner(area);
    block.render(area, buf);
    inner
}

/// A dim note filling `area`, wrapped to it (what an empty screen says).
pub fn note(text: &str, area: Rect, buf: &mut Buffer) {
    ratatui::widgets::Paragraph::new(display::wrapped_lines(
        text,
        usize::from(area.width),
        usize::from(area.height),
        theme::dim(),
    ))
    .render(area, buf);
}

/// The footer: `items` (the keys that work here, as the screen's state offers them), as many as
/// fit. Help and Esc are fitted first, so a narrow terminal drops the other keys before them.
pub fn footer(items: &[keymap::FooterItem], area: Rect, buf: &mut Buffer) {
    let width =
        |item: &keymap::FooterItem| display::width(&item.keys) + display::width(item.what) + 4;
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
        assert_eq!(thousands(100_000), "100,000");
        assert_eq!(thousands(999), "999");
    }

    fn shown(text: &str, cursor: Option<usize>, width: usize) -> String {
        let line = input_line(text, false, cursor, width, Style::new());
        assert_eq!(line.width(), width, "{text:?} at {cursor:?}");
        line.to_string()
    }

    #[test]
    fn inputs_scroll_by_columns_and_mark_what_is_out_of_view() {
        assert_eq!(shown("abc", Some(3), 6), "abc   ");
        assert_eq!(shown("abcdefgh", Some(8), 5), "…fgh ");
        assert_eq!(shown("abcdefgh", Some(0), 5), "abcd…");
        assert_eq!(shown("abcdefgh", None, 5), "abcd…");
        assert_eq!(shown("abcdefgh", Some(4), 5), "…cde…");
        // 45 wide characters in a 20-column input: it stays 20 columns wide.
        let wide = "日".repeat(45);
        assert_eq!(shown(&wide, Some(45), 20), format!("…{} ", "日".repeat(9)));
        assert_eq!(shown(&wide, None, 20), format!("{}… ", "日".repeat(9)));
        assert_eq!(shown("a\u{202e}b", Some(3), 14), "a⟨U+202E⟩b    ");
        let masked = input_line("secret", true, Some(6), 8, Style::new()).to_string();
        assert_eq!(masked, "••••••  ");
    }

    #[test]
    fn narrow_footers_keep_help_and_esc() {
        for &ctx in keymap::ALL {
            let area = Rect::new(0, 0, 60, 1);
            let mut buf = Buffer::empty(area);
            footer(&keymap::footer(ctx), area, &mut buf);
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
