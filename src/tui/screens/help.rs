//! Screen 6: every key binding, generated from the keymap tables the app dispatches with. It
//! opens at the section of where it was opened from and scrolls by line, page and end.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::tui::action::Action;
use crate::tui::keymap::{self, ALL, Binding, Context, GLOBAL, Key};
use crate::tui::text::keys as t;
use crate::tui::theme;
use crate::tui::widgets::{popup, popup_inner};

/// One row of the help: the keys, how they are written, what they do.
struct Row {
    keys: &'static [Key],
    label: String,
    what: &'static str,
}

impl Row {
    fn of(bd: &Binding) -> Self {
        Self {
            keys: bd.keys,
            label: keymap::keys_label(bd),
            what: bd.help,
        }
    }

    fn same(&self, other: &Self) -> bool {
        self.keys == other.keys && self.what == other.what
    }
}

/// Rows of `bindings` without repeats.
fn rows_of(bindings: &[Binding]) -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    for row in bindings.iter().map(Row::of) {
        if !rows.iter().any(|r| r.same(&row)) {
            rows.push(row);
        }
    }
    rows
}

/// The help as sections, each a heading and its rows. Contexts of one group (the form's kinds
/// of field) share a first section with the keys they all have; each then lists only its own,
/// under a heading that says which fields it applies to, so no two rows of a section disagree.
fn sections_of() -> Vec<(&'static str, Vec<Row>)> {
    let mut out = vec![(t::CTX_GLOBAL, rows_of(GLOBAL))];
    for &ctx in ALL {
        let mut rows = rows_of(keymap::bindings(ctx));
        if let Some(group) = ctx.group() {
            let members: Vec<Vec<Row>> = ALL
                .iter()
                .filter(|c| c.group() == Some(group))
                .map(|&c| rows_of(keymap::bindings(c)))
                .collect();
            let shared = |row: &Row| members.iter().all(|m| m.iter().any(|r| r.same(row)));
            if out.iter().all(|(title, _)| *title != group) {
                let common: Vec<Row> = rows_of(keymap::bindings(ctx))
                    .into_iter()
                    .filter(|r| shared(r))
                    .collect();
                out.push((group, common));
            }
            rows.retain(|r| !shared(r));
        }
        out.push((ctx.title(), rows));
    }
    out
}

/// The help as sections: a heading and its `(keys, what)` rows.
pub fn sections() -> Vec<(&'static str, Vec<(String, &'static str)>)> {
    sections_of()
        .into_iter()
        .map(|(title, rows)| (title, rows.into_iter().map(|r| (r.label, r.what)).collect()))
        .collect()
}

/// Every line of the help, in order.
pub fn lines() -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for (title, rows) in sections() {
        out.push(Line::styled(title, theme::title()));
        out.extend(rows.into_iter().map(|(keys, what)| {
            Line::from(vec![
                Span::styled(format!("  {keys:<18}"), theme::focused_label()),
                Span::raw(what),
            ])
        }));
        out.push(Line::default());
    }
    out
}

/// The popup's size in the body `area`.
fn size(area: Rect) -> (u16, u16) {
    (
        area.width.saturating_sub(4).min(64),
        area.height.saturating_sub(2),
    )
}

/// How many lines the popup shows at once in the body `area`.
fn page(area: Rect) -> u16 {
    let (width, height) = size(area);
    popup_inner(area, width, height).height.max(1)
}

/// The furthest the help scrolls in the body `area`: its last line at the bottom of the popup.
pub fn max_scroll(area: Rect) -> u16 {
    u16::try_from(lines().len())
        .unwrap_or(u16::MAX)
        .saturating_sub(page(area))
}

/// Where the help opens when opened from `ctx`: at the heading of its screen (for the form,
/// the keys every field shares, followed by each kind of field's own).
pub fn section_scroll(ctx: Context, area: Rect) -> u16 {
    let heading = ctx.group().unwrap_or(ctx.title());
    let mut line = 0usize;
    for (title, rows) in sections() {
        if title == heading {
            break;
        }
        line += rows.len() + 2;
    }
    u16::try_from(line)
        .unwrap_or(u16::MAX)
        .min(max_scroll(area))
}

/// The scroll after a move in the help (`↑/↓` a line, `PgUp/PgDn` a page, `g/G` the ends).
pub fn scrolled(scroll: u16, action: Action, area: Rect) -> u16 {
    let max = max_scroll(area);
    let page = page(area);
    let to = match action {
        Action::Up => scroll.saturating_sub(1),
        Action::Down => scroll.saturating_add(1),
        Action::PageUp => scroll.saturating_sub(page),
        Action::PageDown => scroll.saturating_add(page),
        Action::Top => 0,
        Action::Bottom => max,
        _ => scroll,
    };
    to.min(max)
}

pub fn render(scroll: u16, area: Rect, buf: &mut Buffer) {
    let (width, height) = size(area);
    let inner = popup(area, width, height, t::CTX_HELP, buf);
    Paragraph::new(lines())
        .scroll((scroll.min(max_scroll(area)), 0))
        .render(inner, buf);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_lists_every_binding_of_every_context() {
        let text: Vec<String> = lines().iter().map(ToString::to_string).collect();
        for &ctx in ALL {
            assert!(text.iter().any(|l| l == ctx.title()), "{ctx:?}");
            for bd in keymap::bindings(ctx) {
                let row = format!("  {:<18}{}", keymap::keys_label(bd), bd.help);
                assert!(text.contains(&row), "{row}");
            }
        }
        for bd in GLOBAL {
            let row = format!("  {:<18}{}", keymap::keys_label(bd), bd.help);
            assert!(text.contains(&row), "{row}");
        }
    }

    #[test]
    fn no_key_means_two_things_in_one_section() {
        for (title, rows) in sections_of() {
            let mut seen: Vec<(Key, &str)> = Vec::new();
            for row in &rows {
                for key in row.keys {
                    if let Some((_, what)) = seen.iter().find(|(k, _)| k == key) {
                        assert_eq!(*what, row.what, "{title}: {key:?}");
                    }
                    seen.push((*key, row.what));
                }
            }
        }
    }

    #[test]
    fn opens_at_the_section_of_its_screen_and_scrolls_by_page() {
        let area = Rect::new(0, 0, 100, 26);
        let text: Vec<String> = lines().iter().map(ToString::to_string).collect();
        let keys = section_scroll(Context::Keys, area);
        assert_eq!(text[usize::from(keys)], t::CTX_KEYS);
        let form = section_scroll(Context::FormValue, area);
        assert_eq!(text[usize::from(form)], t::CTX_FORM_ALL);
        assert_eq!(
            section_scroll(Context::Unlock, area),
            max_scroll(area),
            "last: clamped"
        );
        let page = page(area);
        assert_eq!(scrolled(0, Action::PageDown, area), page);
        assert_eq!(scrolled(page, Action::PageUp, area), 0);
        assert_eq!(scrolled(3, Action::Bottom, area), max_scroll(area));
        assert_eq!(
            scrolled(max_scroll(area), Action::Down, area),
            max_scroll(area)
        );
        assert_eq!(scrolled(9, Action::Top, area), 0);
    }
}
