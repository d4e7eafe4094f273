//! The events screen (`E` on the list): the vault's events (name, state, types, target, last
//! change); a new one (`n`, the new-event form), enable or disable (`x`), delete (`D`, after a
//! yes). The vault refuses to delete an event a secret subscribes to, and says which.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row, StatefulWidget, Table, TableState};

use super::event_form::EventFormState;
use super::{Ctx, Cx, Screen};
use crate::csms::op::Request;
use crate::csms::{EVENT_DISABLED, EVENT_ENABLED, Event, MAX_PAGE_LIMIT, UpdateSecretEventRequest};
use crate::tui::action::{Action, Effect};
use crate::tui::dialogs::{Confirm, Dialog};
use crate::tui::display;
use crate::tui::text::{events as t, status as st};
use crate::tui::widgets::{column_widths, note, panel};
use crate::tui::{theme, timefmt};

#[derive(Debug, Default)]
pub struct EventsState {
    /// By name, as the vault listed them (at most 100, so one page holds them all).
    pub events: Vec<Event>,
    pub selected: usize,
    /// Whether the vault has answered yet.
    pub loaded: bool,
}

impl EventsState {
    /// The events read again: the selection stays on the same name when it is still there.
    pub fn set_events(&mut self, events: &[Event]) {
        let name = self.events.get(self.selected).map(|e| e.name.clone());
        self.events = events.to_vec();
        self.selected = name
            .and_then(|n| self.events.iter().position(|e| e.name == n))
            .unwrap_or(self.selected)
            .min(self.events.len().saturating_sub(1));
        self.loaded = true;
    }

    fn current(&self) -> Option<&Event> {
        self.events.get(self.selected)
    }
}

/// The read that fills the screen: every event (one page of the largest size holds them all).
pub fn read() -> Request {
    Request::ListSecretEvents {
        limit: Some(MAX_PAGE_LIMIT),
        marker: None,
    }
}

/// `E` on the list: the screen, and its read.
pub fn open(cx: &mut Cx<'_>) -> Option<Effect> {
    cx.push(Screen::Events(EventsState::default()));
    Some(Effect::vault(read()))
}

/// Moves, opens the new-event form, toggles the state, asks before deleting.
pub fn update(state: &mut EventsState, action: Action, cx: &mut Cx<'_>) -> Option<Effect> {
    let last = state.events.len().saturating_sub(1);
    match action {
        Action::Back => cx.back(),
        Action::Up => state.selected = state.selected.saturating_sub(1),
        Action::Down => state.selected = (state.selected + 1).min(last),
        Action::NewEvent => {
            let taken = state.events.iter().map(|e| e.name.clone()).collect();
            cx.push(Screen::EventForm(Box::new(EventFormState::new(taken))));
        }
        Action::ToggleEvent => {
            let Some(event) = state.current() else {
                cx.info(st::NOTHING_SELECTED);
                return None;
            };
            let to = if event.enabled() {
                EVENT_DISABLED
            } else {
                EVENT_ENABLED
            };
            return Some(Effect::vault(Request::UpdateSecretEvent {
                name: event.name.clone(),
                body: UpdateSecretEventRequest {
                    state: Some(to.to_owned()),
                    ..UpdateSecretEventRequest::default()
                },
            }));
        }
        Action::DeleteEvent => match state.current() {
            Some(event) => cx.open(Dialog::Confirm(Confirm::DeleteEvent {
                name: event.name.clone(),
            })),
            None => cx.info(st::NOTHING_SELECTED),
        },
        _ => {}
    }
    None
}

/// The types as a short list: without the `SECRET_` every type starts with.
pub fn short_types(types: &[String]) -> String {
    types
        .iter()
        .map(|t| t.strip_prefix("SECRET_").unwrap_or(t))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn render(state: &EventsState, ctx: &Ctx<'_>, area: Rect, buf: &mut Buffer) {
    let inner = panel(&format!("{} ({})", t::TITLE, state.events.len()), area, buf);
    if state.events.is_empty() {
        if state.loaded {
            note(t::NONE, inner, buf);
        }
        return;
    }
    let wide = inner.width >= 90;
    let mut widths = vec![
        Constraint::Min(12),
        Constraint::Length(8),
        Constraint::Fill(2),
    ];
    let mut header = vec![t::NAME, t::STATE, t::TYPES];
    if wide {
        widths.push(Constraint::Fill(1));
        header.push(t::TARGET);
        widths.push(Constraint::Length(16));
        header.push(t::UPDATED);
    }
    let cols = column_widths(&widths, inner.width, 1);
    let col = |i: usize| cols.get(i).copied().unwrap_or(0);
    let rows = state.events.iter().map(|e| {
        let state_style = if e.enabled() {
            theme::success()
        } else {
            theme::dim()
        };
        let mut cells = vec![
            Cell::from(display::line(&e.name, col(0), Style::new())),
            Cell::from(Span::styled(e.state.clone(), state_style)),
            Cell::from(display::line(
                &short_types(&e.event_types),
                col(2),
                Style::new(),
            )),
        ];
        if wide {
            let target = e
                .notification
                .as_ref()
                .map_or(t::NO_TARGET, |n| n.target_name.as_str());
            cells.push(Cell::from(display::line(target, col(3), Style::new())));
            cells.push(Cell::from(timefmt::short(e.update_time, ctx.zone)));
        }
        Row::new(cells)
    });
    let mut table_state = TableState::default().with_selected(Some(state.selected));
    StatefulWidget::render(
        Table::new(rows, widths)
            .header(
                Row::new(timefmt::columns(header, &[t::UPDATED], ctx.zone))
                    .style(theme::table_header()),
            )
            .column_spacing(1)
            .row_highlight_style(theme::selected()),
        inner,
        buf,
        &mut table_state,
    );
}
