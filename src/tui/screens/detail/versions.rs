//! The detail's versions table (id, created, stages, expiry, CMK; the selected row highlighted
//! and kept in view) and, under it, the selected version's value: masked, or revealed.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, StatefulWidget, Table, TableState, Widget};

use super::state::DetailState;
use crate::csms::KeyInfo;
use crate::tui::display;
use crate::tui::text::lifecycle as t;
use crate::tui::theme;
use crate::tui::timefmt::{self, Zone};
use crate::tui::widgets::{column_widths, thousands};
use crate::vault::{DetailVersion, SecretDetail};

/// The most rows a revealed value takes; a longer one is cut with `…`.
pub const MAX_VALUE_ROWS: usize = 6;

/// What a version's value is, without showing it: `text, 12 B` or `binary, 1,024 B`.
pub fn value_summary(v: &DetailVersion) -> String {
    format!("{}, {} B", v.kind.as_str(), thousands(v.value_bytes))
}

/// The lines under the table: the selected version's value, masked unless revealed.
pub fn value_lines(state: &DetailState, width: usize) -> Vec<Line<'static>> {
    let Some(v) = state.selected_version() else {
        return Vec::new();
    };
    let revealed = state
        .revealed
        .as_ref()
        .filter(|r| r.version_id == v.metadata.id);
    let mut head = format!("{} {} ({}", t::VALUE_OF, v.metadata.id, value_summary(v));
    if revealed.is_some_and(|r| r.binary) {
        head.push_str(", ");
        head.push_str(t::AS_BASE64);
    }
    head.push_str(") · ");
    let Some(r) = revealed else {
        head.push_str(t::MASKED_NOTE);
        return vec![display::line(&head, width, theme::label())];
    };
    head.push_str(t::REVEALED_NOTE);
    let mut out = vec![display::line(&head, width, theme::warning())];
    if r.value.is_empty() {
        out.push(Line::styled(t::NO_VALUE, theme::dim()));
        return out;
    }
    // Each line of the value wrapped on its own; a line break is not shown as a character.
    let mut rows: Vec<Line<'static>> = Vec::new();
    for part in r.value.split('\n') {
        rows.extend(display::wrapped_lines(
            part,
            width,
            usize::MAX,
            theme::input(),
        ));
        if rows.len() > MAX_VALUE_ROWS {
            break;
        }
    }
    if rows.len() > MAX_VALUE_ROWS {
        rows.truncate(MAX_VALUE_ROWS);
        if let Some(last) = rows.last_mut() {
            let text: String = last.spans.iter().map(|s| s.content.as_ref()).collect();
            *last = display::line(
                &format!(
                    "{}{}",
                    display::fit(&text, width.saturating_sub(1)),
                    display::ELLIPSIS
                ),
                width,
                theme::input(),
            );
        }
    }
    out.extend(rows);
    out
}

/// How many rows the versions block wants in `width` columns: its border, header, a row per
/// version and the value lines.
pub fn wanted_height(state: &DetailState, width: u16) -> u16 {
    let inner = usize::from(width.saturating_sub(2));
    let rows = state.detail.as_ref().map_or(1, |d| d.versions.len().max(1));
    u16::try_from(3 + rows + value_lines(state, inner).len()).unwrap_or(u16::MAX)
}

fn alias_of<'a>(keys: &'a [KeyInfo], key_id: &'a str) -> &'a str {
    keys.iter()
        .find(|k| k.key_id == key_id)
        .map_or(key_id, |k| k.key_alias.as_str())
}

/// Draws the versions block into `area`.
pub fn render(
    state: &DetailState,
    d: &SecretDetail,
    keys: &[KeyInfo],
    zone: &Zone,
    area: Rect,
    buf: &mut Buffer,
) {
    let block = Block::bordered()
        .title(Span::styled(
            format!(" {} ({}) ", t::VERSIONS, d.versions.len()),
            theme::title(),
        ))
        .border_style(theme::border());
    let inner = block.inner(area);
    block.render(area, buf);
    let width = usize::from(inner.width);
    let value = value_lines(state, width);
    let value_rows = u16::try_from(value.len())
        .unwrap_or(u16::MAX)
        .min(inner.height.saturating_sub(2));
    let table_area = Rect {
        height: inner.height.saturating_sub(value_rows),
        ..inner
    };
    let value_area = Rect {
        y: table_area.bottom(),
        height: value_rows,
        ..inner
    };
    if d.versions.is_empty() {
        Paragraph::new(Line::styled(t::NO_VERSIONS, theme::dim())).render(table_area, buf);
        return;
    }
    let any_expiry = d.versions.iter().any(|v| v.metadata.expire_time.is_some());
    let id_width = d
        .versions
        .iter()
        .map(|v| display::width(&v.metadata.id))
        .chain([display::width(t::ID)])
        .max()
        .unwrap_or(2);
    let expiry_width: u16 = if any_expiry { 16 } else { 7 };
    let mut widths = vec![
        Constraint::Length(u16::try_from(id_width).unwrap_or(4)),
        Constraint::Length(16),
        Constraint::Fill(1),
        Constraint::Length(expiry_width),
    ];
    let mut header = vec![t::ID, t::CREATED, t::STAGES, t::EXPIRES];
    // The time columns labelled (UTC) when they show UTC; a narrow expiry column (no version
    // expires) has no time to label.
    let timed: &[&str] = if any_expiry {
        &[t::CREATED, t::EXPIRES]
    } else {
        &[t::CREATED]
    };
    // The CMK column when it leaves the stages 12 columns or more.
    let fixed = id_width + 16 + usize::from(expiry_width) + 14 + 4;
    let with_cmk = width >= fixed + 12;
    if with_cmk {
        widths.push(Constraint::Length(14));
        header.push(t::CMK);
    }
    let cols = column_widths(&widths, inner.width, 1);
    let col = |i: usize| cols.get(i).copied().unwrap_or(0);
    let rows = d.versions.iter().map(|v| {
        let m = &v.metadata;
        let expiry = m
            .expire_time
            .map_or_else(|| t::NO_EXPIRY.to_owned(), |ms| timefmt::short(ms, zone));
        let mut cells = vec![
            Cell::from(display::line(&m.id, col(0), Style::new())),
            Cell::from(timefmt::short(m.create_time, zone)),
            Cell::from(display::line(
                &m.version_stages.join(", "),
                col(2),
                theme::label(),
            )),
            Cell::from(display::line(&expiry, col(3), Style::new())),
        ];
        if with_cmk {
            cells.push(Cell::from(display::line(
                alias_of(keys, &m.kms_key_id),
                col(4),
                Style::new(),
            )));
        }
        Row::new(cells)
    });
    let mut table_state = TableState::default().with_selected(Some(state.selected));
    StatefulWidget::render(
        Table::new(rows, widths)
            .header(Row::new(timefmt::columns(header, timed, zone)).style(theme::table_header()))
            .column_spacing(1)
            .row_highlight_style(theme::selected()),
        table_area,
        buf,
        &mut table_state,
    );
    Paragraph::new(value).render(value_area, buf);
}
