//! Screen 2b: one secret in full: the Secret record, its CMK alias, its versions and their stages.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

use super::{Ctx, Cx};
use crate::tui::action::{Action, Effect};
use crate::tui::text::list as t;
use crate::tui::timefmt::Zone;
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
        _ => {}
    }
    None
}

fn field(name: &str, value: impl Into<Span<'static>>) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{name:<23}"), theme::label()),
        value.into(),
    ])
}

fn lines(d: &SecretDetail, wide: bool, zone: &Zone) -> Vec<Line<'static>> {
    let time = |ms: i64| {
        if wide {
            format!("{} ({ms})", timefmt::long(ms, zone))
        } else {
            timefmt::long(ms, zone)
        }
    };
    let s = &d.secret;
    let mut out = vec![
        field("id", s.id.clone()),
        field("name", s.name.clone()),
        field(
            "state",
            Span::styled(s.state.as_str(), theme::secret_state(s.state)),
        ),
        field("kms_key_id", format!("{} ({})", s.kms_key_id, d.key_alias)),
        field("description", s.description.clone()),
        field("secret_type", s.secret_type.clone()),
        field("create_time", time(s.create_time)),
        field("update_time", time(s.update_time)),
        field(
            "scheduled_delete_time",
            s.scheduled_delete_time
                .map_or_else(|| "null".to_owned(), time),
        ),
        Line::default(),
        Line::styled(
            format!("{} ({})", t::VERSIONS, d.versions.len()),
            theme::title(),
        ),
        Line::styled(
            format!("{:<8} {:<24} {}", t::VERSION, t::CREATED, t::STAGES),
            theme::table_header(),
        ),
    ];
    out.extend(d.versions.iter().map(|v| {
        Line::from(format!(
            "{:<8} {:<24} {}",
            v.metadata.id,
            timefmt::short(v.metadata.create_time, zone),
            v.metadata.version_stages.join(", ")
        ))
    }));
    out
}

fn content(state: &DetailState, zone: &Zone, area: Rect) -> Vec<Line<'static>> {
    match (&state.detail, &state.error) {
        (Some(d), _) => lines(d, area.width >= 80, zone),
        (None, Some(e)) => vec![Line::styled(e.clone(), theme::danger())],
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
        .title(Span::styled(
            format!(" {}: {} ", t::DETAIL_TITLE, state.name),
            theme::title(),
        ))
        .border_style(theme::border());
    Paragraph::new(content(state, zone, area))
        .block(block)
        .scroll((state.scroll.min(max_scroll(state, zone, area)), 0))
        .render(area, buf);
}
