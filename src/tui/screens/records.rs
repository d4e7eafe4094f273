//! The notification records (`N` on the list): newest first, those unread when the screen was
//! opened marked `●`; under the table, the selected record's event, target and content. Opening
//! the screen marks every record seen (the header's unread count goes to zero).

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, StatefulWidget, Table, TableState, Widget};

use super::{Ctx, Cx, Screen};
use crate::csms::op::Request;
use crate::csms::{MAX_PAGE_LIMIT, NotificationRecord};
use crate::tui::action::{Action, Effect};
use crate::tui::display;
use crate::tui::text::events as t;
use crate::tui::widgets::{column_widths, note, panel};
use crate::tui::{theme, timefmt};

/// Rows under the table: a rule and the selected record's lines.
const DETAIL_ROWS: u16 = 5;

#[derive(Debug, Default)]
pub struct RecordsState {
    /// Newest first (the newest 1,000: one page of the largest size).
    pub records: Vec<NotificationRecord>,
    pub selected: usize,
    pub loaded: bool,
    /// How many were unread when the screen was opened: the newest ones, marked.
    pub unread_at_open: usize,
}

impl RecordsState {
    /// The records read again: the selection stays on the same record when new ones arrive on
    /// top, and the new ones count as unread.
    pub fn set_records(&mut self, records: &[NotificationRecord]) {
        let kept = self.records.get(self.selected).cloned();
        let added = match self.records.first() {
            Some(newest) if self.loaded => records.iter().position(|r| r == newest).unwrap_or(0),
            _ => 0,
        };
        self.records = records.to_vec();
        self.unread_at_open += added;
        self.selected = kept
            .and_then(|k| self.records.iter().position(|r| *r == k))
            .unwrap_or(0);
        self.loaded = true;
    }
}

/// The read that fills the screen: the newest records.
pub fn read() -> Request {
    Request::ListNotificationRecords {
        limit: Some(MAX_PAGE_LIMIT),
        marker: None,
    }
}

/// `N` on the list: the screen, its read, and every record marked seen (`unread`: the count the
/// header showed, whose records get the mark).
pub fn open(cx: &mut Cx<'_>, unread: usize) -> Option<Effect> {
    cx.push(Screen::Records(RecordsState {
        unread_at_open: unread,
        ..RecordsState::default()
    }));
    Some(Effect::reads([read(), Request::MarkNotificationsSeen]))
}

pub fn update(state: &mut RecordsState, action: Action, cx: &mut Cx<'_>) -> Option<Effect> {
    let last = state.records.len().saturating_sub(1);
    let page = usize::from(cx.body().height.saturating_sub(DETAIL_ROWS + 3)).max(1);
    match action {
        Action::Back => cx.back(),
        Action::Up => state.selected = state.selected.saturating_sub(1),
        Action::Down => state.selected = (state.selected + 1).min(last),
        Action::PageUp => state.selected = state.selected.saturating_sub(page),
        Action::PageDown => state.selected = (state.selected + page).min(last),
        Action::Top => state.selected = 0,
        Action::Bottom => state.selected = last,
        _ => {}
    }
    None
}

fn short_type(t: &str) -> &str {
    t.strip_prefix("SECRET_").unwrap_or(t)
}

pub fn render(state: &RecordsState, ctx: &Ctx<'_>, area: Rect, buf: &mut Buffer) {
    let unread = if state.unread_at_open > 0 {
        format!("· {} {} ", state.unread_at_open, t::UNREAD)
    } else {
        String::new()
    };
    let title = format!("{} ({}) {unread}", t::RECORDS_TITLE, state.records.len());
    let inner = panel(title.trim_end(), area, buf);
    if state.records.is_empty() {
        if state.loaded {
            note(t::RECORDS_NONE, inner, buf);
        }
        return;
    }
    let [table_area, detail_area] = inner.layout(&Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(DETAIL_ROWS),
    ]));
    table(state, ctx, table_area, buf);
    if let Some(r) = state.records.get(state.selected) {
        detail(r, detail_area, buf);
    }
}

fn table(state: &RecordsState, ctx: &Ctx<'_>, area: Rect, buf: &mut Buffer) {
    let wide = area.width >= 90;
    let mut widths = vec![Constraint::Length(1), Constraint::Length(16)];
    let mut header = vec!["", t::TIME];
    if wide {
        widths.push(Constraint::Fill(1));
        header.push(t::EVENT);
    }
    widths.extend([
        Constraint::Length(17),
        Constraint::Fill(1),
        Constraint::Length(7),
    ]);
    header.extend([t::TYPE, t::SECRET, t::STATUS]);
    let cols = column_widths(&widths, area.width, 1);
    let col = |i: usize| cols.get(i).copied().unwrap_or(0);
    let rows = state.records.iter().enumerate().map(|(i, r)| {
        let mark = if i < state.unread_at_open {
            Span::styled(t::NEW_MARK, theme::warning())
        } else {
            Span::raw(" ")
        };
        let status_style = match r.notification_status.as_str() {
            "SUCCESS" => theme::success(),
            "FAIL" => theme::danger(),
            _ => theme::warning(),
        };
        let mut cells = vec![
            Cell::from(mark),
            Cell::from(timefmt::short(r.create_time, ctx.zone)),
        ];
        let mut next = 2;
        if wide {
            cells.push(Cell::from(display::line(
                &r.event_name,
                col(next),
                Style::new(),
            )));
            next += 1;
        }
        cells.push(Cell::from(short_type(&r.trigger_event_type).to_owned()));
        cells.push(Cell::from(display::line(
            &r.secret_name,
            col(next + 1),
            Style::new(),
        )));
        cells.push(Cell::from(Span::styled(
            r.notification_status.clone(),
            status_style,
        )));
        Row::new(cells)
    });
    let mut table_state = TableState::default().with_selected(Some(state.selected));
    StatefulWidget::render(
        Table::new(rows, widths)
            .header(
                Row::new(timefmt::columns(header, &[t::TIME], ctx.zone))
                    .style(theme::table_header()),
            )
            .column_spacing(1)
            .row_highlight_style(theme::selected()),
        area,
        buf,
        &mut table_state,
    );
}

/// A record's content as `key=value` pairs, so that it wraps between them (a JSON object's
/// text, else as it is).
fn readable(content: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(content) {
        Ok(serde_json::Value::Object(map)) => map
            .iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => format!("{k}={s}"),
                other => format!("{k}={other}"),
            })
            .collect::<Vec<_>>()
            .join(", "),
        _ => content.to_owned(),
    }
}

/// The selected record: its event and target, then its content (wrapped).
fn detail(r: &NotificationRecord, area: Rect, buf: &mut Buffer) {
    let width = usize::from(area.width);
    let mut lines = vec![Line::styled("─".repeat(width), theme::border())];
    let target = match (&r.notification_target_name, &r.notification_target_id) {
        (Some(name), Some(id)) => format!("{name} ({id})"),
        _ => t::NO_TARGET.to_owned(),
    };
    lines.push(display::line(
        &format!("{} {} · {} {target}", t::EVENT, r.event_name, t::TARGET),
        width,
        theme::label(),
    ));
    lines.extend(display::wrapped_lines(
        &format!("{}: {}", t::CONTENT, readable(&r.notification_content)),
        width,
        usize::from(DETAIL_ROWS).saturating_sub(2),
        Style::new(),
    ));
    Paragraph::new(lines).render(area, buf);
}
