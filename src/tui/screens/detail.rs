//! Screen 2b: one secret in full: the Secret record, its CMK alias, its versions and their stages.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

use super::{Ctx, Cx};
use crate::csms::{STAGE_CURRENT, ValueKind};
use crate::tui::action::{Action, Effect};
use crate::tui::display;
use crate::tui::text::list as t;
use crate::tui::timefmt::Zone;
use crate::tui::widgets::thousands;
use crate::tui::{theme, timefmt};
use crate::vault::SecretDetail;

#[derive(Debug)]
pub struct DetailState {
    pub name: String,
    pub detail: Option<SecretDetail>,
    pub error: Option<String>,
    pub scroll: u16,
}

impl DetailState {
    pub fn new(name: String) -> Self {
        Self {
            name,
            detail: None,
            error: None,
            scroll: 0,
        }
    }
}

/// Scrolling (within what the terminal's body shows), copies, and Back to where it was opened.
pub fn update(state: &mut DetailState, action: Action, cx: &mut Cx<'_>) -> Option<Effect> {
    match action {
        Action::Back => cx.back(),
        Action::Up => state.scroll = state.scroll.saturating_sub(1),
        Action::Down => {
            let max = max_scroll(state, cx.zone, cx.body());
            state.scroll = state.scroll.saturating_add(1).min(max);
        }
        Action::CopyRecord => return Some(Effect::CopyRecord(state.name.clone())),
        Action::CopyValue => return Some(Effect::CopyValue(state.name.clone())),
        Action::NewVersion => return super::version_form::open(state, cx),
        Action::EditSecret => return super::edit_form::open(state, cx),
        _ => {}
    }
    None
}

/// The label column: the longest field name (`scheduled_delete_time`) and a space.
const LABEL_WIDTH: usize = 22;

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

/// What a version's value is, without showing it: `text, 12 B` or `binary, 1,024 B`.
pub fn value_summary(kind: ValueKind, bytes: usize) -> String {
    format!("{}, {} B", kind.as_str(), thousands(bytes))
}

fn lines(d: &SecretDetail, width: usize, zone: &Zone) -> Vec<Line<'static>> {
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
    field(&mut out, "secret_type", &s.secret_type, plain, width);
    let current = d.versions.iter().rev().find(|v| {
        v.metadata
            .version_stages
            .iter()
            .any(|st| st == STAGE_CURRENT)
    });
    if let Some(v) = current {
        let mut summary = value_summary(v.kind, v.value_bytes);
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
        plain,
        width,
    );
    out.push(Line::default());
    out.push(display::line(
        &format!("{} ({})", t::VERSIONS, d.versions.len()),
        width,
        theme::title(),
    ));
    out.push(display::line(
        &format!(
            "{:<8} {:<17} {:<16} {}",
            t::VERSION,
            t::CREATED,
            t::VALUE,
            t::STAGES
        ),
        width,
        theme::table_header(),
    ));
    out.extend(d.versions.iter().map(|v| {
        display::line(
            &format!(
                "{:<8} {:<17} {:<16} {}",
                v.metadata.id,
                timefmt::short(v.metadata.create_time, zone),
                value_summary(v.kind, v.value_bytes),
                v.metadata.version_stages.join(", ")
            ),
            width,
            plain,
        )
    }));
    out
}

fn content(state: &DetailState, zone: &Zone, area: Rect) -> Vec<Line<'static>> {
    let width = usize::from(Block::bordered().inner(area).width);
    match (&state.detail, &state.error) {
        (Some(d), _) => lines(d, width, zone),
        (None, Some(e)) => display::wrapped_lines(e, width, usize::MAX, theme::danger()),
        (None, None) => vec![Line::styled(t::LOADING, theme::dim())],
    }
}

/// The furthest the detail scrolls in the body `area`: its last line at the bottom of the frame.
pub fn max_scroll(state: &DetailState, zone: &Zone, area: Rect) -> u16 {
    let inner = Block::bordered().inner(area);
    u16::try_from(content(state, zone, area).len())
        .unwrap_or(u16::MAX)
        .saturating_sub(inner.height)
}

pub fn render(state: &DetailState, ctx: &Ctx<'_>, area: Rect, buf: &mut Buffer) {
    let zone = ctx.zone;
    let block = Block::bordered()
        .title(display::line(
            &format!(" {}: {} ", t::DETAIL_TITLE, state.name),
            usize::from(area.width.saturating_sub(2)),
            theme::title(),
        ))
        .border_style(theme::border());
    Paragraph::new(content(state, zone, area))
        .block(block)
        .scroll((state.scroll.min(max_scroll(state, zone, area)), 0))
        .render(area, buf);
}
