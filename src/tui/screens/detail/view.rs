//! Drawing the detail screen: the Secret record (scrolls with PgUp/PgDn) over the versions.
//!
//! ```text
//! ┌ Secret: NAME ───────────────────────────┐
//! │ id, name, state, CMK, description, …     │  record (PgUp/PgDn)
//! └──────────────────────────────────────────┘
//! ┌ Remotes ─────────────────────────────────┐
//! │ home   in step                           │  only with remotes (issue 17)
//! └──────────────────────────────────────────┘
//! ┌ Versions (N) ────────────────────────────┐
//! │ Id  Created  Stages  Expires  CMK        │  ↑/↓ select
//! │ Value of vN (text, 12 B) · masked        │  Ctrl+R reveals
//! └──────────────────────────────────────────┘
//! ```

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

use super::state::DetailState;
use super::{remotes, settings, versions};
use crate::csms::{STAGE_CURRENT, ValueKind};
use crate::tui::display;
use crate::tui::screens::Ctx;
use crate::tui::text::list as t;
use crate::tui::text::tags as tt;
use crate::tui::theme;
use crate::tui::timefmt::{self, Zone};
use crate::vault::SecretDetail;

/// The label column: the longest field name (`scheduled_delete_time`) and a space.
const LABEL_WIDTH: usize = 22;
/// The fewest rows the record keeps (its border and one line).
const MIN_RECORD_ROWS: u16 = 3;

/// A field: its label, then its value as shown, wrapped under itself (never cut).
fn field(out: &mut Vec<Line<'static>>, name: &str, value: &str, style: Style, width: usize) {
    let room = width.saturating_sub(LABEL_WIDTH).max(1);
    for (i, line) in display::wrapped_lines(value, room, usize::MAX, style)
        .into_iter()
        .enumerate()
    {
        let label = if i == 0 { name } else { "" };
        let mut spans = vec![Span::styled(
            format!("{label:<LABEL_WIDTH$}"),
            theme::label(),
        )];
        spans.extend(line.spans);
        out.push(Line::from(spans));
    }
}

fn record_lines(d: &SecretDetail, width: usize, zone: &Zone) -> Vec<Line<'static>> {
    let time = |ms: i64| {
        if width >= 78 {
            format!("{} ({ms})", timefmt::long(ms, zone))
        } else {
            timefmt::long(ms, zone)
        }
    };
    let s = &d.secret;
    let plain = Style::new();
    let mut out = Vec::new();
    field(&mut out, "id", &s.id, plain, width);
    field(&mut out, "name", &s.name, plain, width);
    field(
        &mut out,
        "state",
        s.state.as_str(),
        theme::secret_state(s.state),
        width,
    );
    field(
        &mut out,
        "kms_key_id",
        &format!("{} ({})", s.kms_key_id, d.key_alias),
        plain,
        width,
    );
    field(&mut out, "description", &s.description, plain, width);
    tags_field(&mut out, d, width);
    field(&mut out, "secret_type", &s.secret_type, plain, width);
    let current = d.versions.iter().rev().find(|v| {
        v.metadata
            .version_stages
            .iter()
            .any(|st| st == STAGE_CURRENT)
    });
    if let Some(v) = current {
        let mut summary = format!("{} ({})", versions::value_summary(v), v.metadata.id);
        if v.kind == ValueKind::Binary {
            summary.push_str(t::COPIED_AS_BASE64);
        }
        field(&mut out, t::VALUE_FIELD, &summary, plain, width);
    }
    field(&mut out, "create_time", &time(s.create_time), plain, width);
    field(&mut out, "update_time", &time(s.update_time), plain, width);
    field(
        &mut out,
        "scheduled_delete_time",
        &s.scheduled_delete_time
            .map_or_else(|| "null".to_owned(), time),
        s.scheduled_delete_time.map_or(plain, |_| theme::warning()),
        width,
    );
    for (name, value, style) in settings::fields(s, time) {
        field(&mut out, name, &value, style, width);
    }
    out
}

/// The secret's tags (issue 14): `key=value` by key, comma-separated, wrapped; or how to add one.
fn tags_field(out: &mut Vec<Line<'static>>, d: &SecretDetail, width: usize) {
    if d.tags.is_empty() {
        field(out, tt::FIELD, tt::NONE, theme::dim(), width);
        return;
    }
    let shown = d
        .tags
        .iter()
        .map(|tag| format!("{}={}", tag.key, tag.value))
        .collect::<Vec<_>>()
        .join(", ");
    field(out, tt::FIELD, &shown, Style::new(), width);
}

fn content(state: &DetailState, zone: &Zone, width: usize) -> Vec<Line<'static>> {
    match (&state.detail, &state.error) {
        (Some(d), _) => record_lines(d, width, zone),
        (None, Some(e)) => display::wrapped_lines(e, width, usize::MAX, theme::danger()),
        (None, None) => vec![Line::styled(t::LOADING, theme::dim())],
    }
}

/// The record's and the versions' areas in the body `area` (the versions get what they need,
/// up to three fifths of it; no versions block until the secret is read), and the remotes
/// block's between them (none without remotes, or when the record would keep too little).
pub fn areas(state: &DetailState, area: Rect) -> (Rect, Rect) {
    let (record, _, list) = all_areas(state, area);
    (record, list)
}

fn all_areas(state: &DetailState, area: Rect) -> (Rect, Rect, Rect) {
    let (record, list) = record_and_versions(state, area);
    let wanted = state.remotes.height();
    if wanted == 0 || record.height < wanted.saturating_add(MIN_RECORD_ROWS) {
        return (
            record,
            Rect {
                height: 0,
                ..record
            },
            list,
        );
    }
    let [record, remotes] = record.layout(&Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(wanted),
    ]));
    (record, remotes, list)
}

fn record_and_versions(state: &DetailState, area: Rect) -> (Rect, Rect) {
    if state.detail.is_none() {
        return (area, Rect { height: 0, ..area });
    }
    let most = (area.height.saturating_mul(3) / 5).max(6);
    let room = area.height.saturating_sub(MIN_RECORD_ROWS);
    let versions = versions::wanted_height(state, area.width)
        .min(most)
        .min(room);
    let [record, list] = area.layout(&Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(versions),
    ]));
    (record, list)
}

/// The furthest the record scrolls in the body `area`: its last line at the bottom of its box.
pub fn max_scroll(state: &DetailState, zone: &Zone, area: Rect) -> u16 {
    let (record, _) = areas(state, area);
    let inner = Block::bordered().inner(record);
    u16::try_from(content(state, zone, usize::from(inner.width)).len())
        .unwrap_or(u16::MAX)
        .saturating_sub(inner.height)
}

/// How many lines PgUp/PgDn scroll the record by: its height less one.
pub fn page(state: &DetailState, area: Rect) -> u16 {
    let (record, _) = areas(state, area);
    Block::bordered()
        .inner(record)
        .height
        .saturating_sub(1)
        .max(1)
}

pub fn render(state: &DetailState, ctx: &Ctx<'_>, area: Rect, buf: &mut Buffer) {
    let zone = ctx.zone;
    let (record, remotes_area, list) = all_areas(state, area);
    let block = Block::bordered()
        .title(display::line(
            &format!(" {}: {} ", t::DETAIL_TITLE, state.name),
            usize::from(area.width.saturating_sub(2)),
            theme::title(),
        ))
        .border_style(theme::border());
    let width = usize::from(block.inner(record).width);
    Paragraph::new(content(state, zone, width))
        .block(block)
        .scroll((state.scroll.min(max_scroll(state, zone, area)), 0))
        .render(record, buf);
    if remotes_area.height > 0 {
        remotes::render(&state.remotes, remotes_area, buf);
    }
    if let Some(d) = &state.detail
        && list.height > 0
    {
        versions::render(state, d, ctx.keys, zone, list, buf);
    }
}
