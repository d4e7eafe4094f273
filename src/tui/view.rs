//! The view: draws the model and nothing else.
//!
//! ```text
//! ┌ header: app name · vault path ───────────────── secrets count ┐
//! │ body: the current screen (list, detail, form, result, keys)   │
//! │       with a popup on top (help, a question, a dialog)        │
//! │ status line                                                   │
//! └ footer: the keys that work here, from the keymap              ┘
//! ```

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Position, Rect, Size};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::app::{App, Loaded, Screen, Tone};
use super::display;
use super::keymap;
use super::screens::detail;
use super::text as t;
use super::theme;
use super::widgets::{footer, thousands};

pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 15;

/// The frame's rows: header, body, status line (`status_rows` high), footer.
fn rows(area: Rect, status_rows: u16) -> [Rect; 4] {
    area.layout(&Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(status_rows),
        Constraint::Length(1),
    ]))
}

/// The most rows a long status message wraps to.
const MAX_STATUS_ROWS: usize = 3;

/// The body of a frame on a terminal of `size`: where screens draw, and so how far they scroll.
pub fn body_area(size: Size) -> Rect {
    rows(Rect::from((Position::ORIGIN, size)), 1)[1]
}

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        Paragraph::new(t::TOO_SMALL)
            .wrap(Wrap { trim: true })
            .style(theme::warning())
            .render(area, buf);
        return;
    }
    let status_lines = status_lines(app, usize::from(area.width));
    let status_rows = u16::try_from(status_lines.len().max(1)).unwrap_or(1);
    let [head, body, status, foot] = rows(area, status_rows);
    header(app, head, buf);
    app.screen.render(&app.ctx(), body, buf);
    overlay(app, body, buf);
    Paragraph::new(status_lines).render(status, buf);
    footer(&footer_items(app), foot, buf);
}

/// The keys of where the keyboard is, as the screen's state offers them (the detail screen's
/// follow the secret's state and whether its value is revealed).
pub fn footer_items(app: &App) -> Vec<keymap::FooterItem> {
    let items = keymap::footer(app.context());
    match (&app.overlay, &app.screen) {
        (None, Screen::Detail(detail)) => detail::footer(detail, items),
        _ => items,
    }
}

fn header(app: &App, area: Rect, buf: &mut Buffer) {
    let right = match app.screen {
        Screen::Unlock(_) => String::new(),
        _ if app.loaded == Loaded::FirstPage => format!("{} ", t::list::LOADING),
        _ => {
            let n = app.catalog.total();
            let noun = if n == 1 { t::SECRET } else { t::SECRETS };
            format!("{}{} {noun} ", unread_note(app), thousands(n))
        }
    };
    let right_width = display::width(&right);
    let room = usize::from(area.width).saturating_sub(right_width + t::APP.len() + 4);
    let mut spans = vec![Span::raw(format!(" {} · ", t::APP))];
    spans.extend(display::line(&app.vault_label, room, theme::header()).spans);
    let used: usize = spans.iter().map(Span::width).sum();
    let pad = usize::from(area.width).saturating_sub(used + right_width);
    spans.push(Span::raw(" ".repeat(pad)));
    spans.push(Span::raw(right));
    Line::from(spans).style(theme::header()).render(area, buf);
}

/// `● 3 unread · ` when notification records are unread (issue 14), else nothing.
fn unread_note(app: &App) -> String {
    if app.unread == 0 {
        String::new()
    } else {
        format!(
            " {} {} {} · ",
            t::events::NEW_MARK,
            thousands(app.unread),
            t::events::UNREAD
        )
    }
}

/// The status line: what is running, or the last message, wrapped (never cut unless it would
/// take more than [`MAX_STATUS_ROWS`] rows).
fn status_lines(app: &App, width: usize) -> Vec<Line<'static>> {
    let (text, style) = match (app.busy, &app.status) {
        (Some(busy), _) => (busy.to_owned(), theme::warning()),
        (None, Some(s)) => {
            let style = match s.tone {
                Tone::Info => theme::label(),
                Tone::Success => theme::success(),
                Tone::Error => theme::danger(),
            };
            (s.text.clone(), style)
        }
        (None, None) => return Vec::new(),
    };
    let lines = display::wrapped_lines(&text, width.saturating_sub(1), MAX_STATUS_ROWS, style);
    lines
        .into_iter()
        .map(|l| {
            let mut spans = vec![Span::raw(" ")];
            spans.extend(l.spans);
            Line::from(spans)
        })
        .collect()
}

fn overlay(app: &App, area: Rect, buf: &mut Buffer) {
    if let Some(dialog) = &app.overlay {
        dialog.render(area, buf);
    }
}
