//! Screen 6: every key binding, generated from the keymap tables the app dispatches with.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::tui::keymap::{self, ALL, Binding, GLOBAL};
use crate::tui::text::keys as t;
use crate::tui::theme;
use crate::tui::widgets::{popup, popup_inner};

/// The help as sections: a heading and its `(keys, what)` rows. Contexts sharing a heading
/// (the form's kinds of field) are merged, each row listed once.
pub fn sections() -> Vec<(&'static str, Vec<(String, &'static str)>)> {
    let mut contexts: Vec<(&'static str, &'static [Binding])> = vec![(t::CTX_GLOBAL, GLOBAL)];
    contexts.extend(ALL.iter().map(|&ctx| (ctx.title(), keymap::bindings(ctx))));
    let mut out: Vec<(&'static str, Vec<(String, &'static str)>)> = Vec::new();
    for (title, bindings) in contexts {
        if out.last().is_none_or(|(last, _)| *last != title) {
            out.push((title, Vec::new()));
        }
        if let Some((_, rows)) = out.last_mut() {
            for bd in bindings {
                let row = (keymap::keys_label(bd), bd.help);
                if !rows.contains(&row) {
                    rows.push(row);
                }
            }
        }
    }
    out
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

/// The furthest the help scrolls in the body `area`: its last line at the bottom of the popup.
pub fn max_scroll(area: Rect) -> u16 {
    let (width, height) = size(area);
    let inner = popup_inner(area, width, height);
    u16::try_from(lines().len())
        .unwrap_or(u16::MAX)
        .saturating_sub(inner.height)
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
}
