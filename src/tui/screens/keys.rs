//! Screen 5: the vault's CMKs (alias, id, state, created, secrets using it); create, enable, disable
//! (each through a popup).

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, StatefulWidget, Table, TableState, Widget};

use super::{Ctx, Cx};
use crate::csms::KeyState;
use crate::tui::action::{Action, Effect};
use crate::tui::dialogs::{Confirm, Dialog, FieldDialog, FieldKind};
use crate::tui::display;
use crate::tui::text::{keyscreen as t, status as st};
use crate::tui::widgets::column_widths;
use crate::tui::{theme, timefmt};

#[derive(Debug, Default)]
pub struct KeysState {
    pub selected: usize,
}

/// Moves, opens the new-key and enable/disable popups, and goes Back to where it was opened.
pub fn update(state: &mut KeysState, action: Action, cx: &mut Cx<'_>) -> Option<Effect> {
    let keys = cx.keys;
    let last = keys.len().saturating_sub(1);
    match action {
        Action::Back => cx.back(),
        Action::Up => state.selected = state.selected.saturating_sub(1),
        Action::Down => state.selected = (state.selected + 1).min(last),
        Action::NewKey => cx.open(Dialog::Field(FieldDialog::new(FieldKind::NewKey))),
        Action::EnableKey | Action::DisableKey => {
            let to = if action == Action::EnableKey {
                KeyState::Enabled
            } else {
                KeyState::Disabled
            };
            match keys.get(state.selected) {
                Some(k) if k.key_state == to => cx.info(t::ALREADY),
                Some(k) => {
                    let users = cx
                        .key_usage
                        .map(|usage| usage.get(&k.key_id).copied().unwrap_or(0));
                    cx.open(Dialog::Confirm(Confirm::KeyState {
                        key_id: k.key_id.clone(),
                        alias: k.key_alias.clone(),
                        to,
                        users,
                    }));
                }
                None => cx.info(st::NOTHING_SELECTED),
            }
        }
        _ => {}
    }
    None
}

pub fn render(state: &KeysState, ctx: &Ctx<'_>, area: Rect, buf: &mut Buffer) {
    let selected = state.selected;
    let block = Block::bordered()
        .title(Span::styled(
            format!(" {} ({}) ", t::TITLE, ctx.keys.len()),
            theme::title(),
        ))
        .border_style(theme::border());
    let inner = block.inner(area);
    block.render(area, buf);
    if ctx.keys.is_empty() {
        Paragraph::new(Line::styled(t::NONE, theme::dim())).render(inner, buf);
        return;
    }
    let wide = inner.width >= 90;
    let id_width: u16 = if wide { 36 } else { 13 };
    let mut widths = vec![
        Constraint::Fill(1),
        Constraint::Length(id_width),
        Constraint::Length(8),
    ];
    let mut header = vec![t::ALIAS, t::ID, t::STATE];
    if wide {
        widths.push(Constraint::Length(16));
        header.push(t::CREATED);
    }
    widths.push(Constraint::Length(7));
    header.push(t::SECRETS);
    let cols = column_widths(&widths, inner.width, 1);
    let col = |i: usize| cols.get(i).copied().unwrap_or(0);
    let rows = ctx.keys.iter().map(|k| {
        let used = ctx.key_usage.map_or_else(
            || t::USAGE_UNKNOWN.to_owned(),
            |usage| usage.get(&k.key_id).copied().unwrap_or(0).to_string(),
        );
        let mut cells = vec![
            Cell::from(display::line(&k.key_alias, col(0), Style::new())),
            Cell::from(display::line(&k.key_id, col(1), Style::new())),
            Cell::from(Span::styled(
                k.key_state.as_str(),
                theme::key_state(k.key_state),
            )),
        ];
        if wide {
            cells.push(Cell::from(timefmt::short(k.creation_date, ctx.zone)));
        }
        cells.push(Cell::from(format!("{used:>7}")));
        Row::new(cells)
    });
    // The state scrolls the table so the selected key stays in view.
    let mut state = TableState::default().with_selected(Some(selected));
    StatefulWidget::render(
        Table::new(rows, widths)
            .header(
                Row::new(timefmt::columns(header, &[t::CREATED], ctx.zone))
                    .style(theme::table_header()),
            )
            .column_spacing(1)
            .row_highlight_style(theme::selected()),
        inner,
        buf,
        &mut state,
    );
}
