//! The health report screen (`H` on the list; checks, issue 14): the vault's `HealthReport` in
//! sections with counts, one row per secret named; Enter opens the secret's detail, `r` runs the
//! report again, `s` turns the strength warnings on or off. Names only, never a value.
//!
//! ```text
//! ┌ Health report · 5 values read at 2026-01-01 12:00 ────────────────────────┐
//! │ strength warnings off                                                     │
//! │ Weak values (1)                                                           │
//! │ ▸ legacy                                                                  │
//! │ Reused values (2)                                                         │
//! │   api                                           group 1                   │
//! │   api-copy                                      group 1                   │
//! │ Expired versions (0)                                                      │
//! │   none                                                                    │
//! │ …                                                                         │
//! └───────────────────────────────────────────────────────────────────────────┘
//! ```

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

use super::{Ctx, Cx, Screen};
use crate::csms::op::Request;
use crate::csms::{
    ApiError, HealthReport, ReportWindows, SecretsConfig, UpdateSecretsConfigRequest,
};
use crate::tui::action::{Action, Effect};
use crate::tui::display;
use crate::tui::msg::describe;
use crate::tui::text::checks as t;
use crate::tui::theme;
use crate::tui::timefmt::{self, Zone};

/// The report screen: the last report (or why there is none), the strength-warning setting,
/// the selected secret row and the first row shown.
#[derive(Debug, Default)]
pub struct ReportState {
    /// `None` until the vault answers.
    pub report: Option<Result<HealthReport, ApiError>>,
    /// The vault's `checking_secret_strength`, once read.
    pub checking: Option<bool>,
    /// Which secret row is selected (an index into the rows that name a secret).
    pub selected: usize,
    /// The first row drawn.
    pub top: usize,
}

/// One line of the report.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Row {
    /// A section's title with its count.
    Heading(String),
    /// A secret: its name and what the section says of it.
    Item { name: String, note: String },
    /// A section with nothing in it.
    Empty,
}

/// The report's rows, section by section.
fn rows(report: &HealthReport, zone: &Zone) -> Vec<Row> {
    let mut out = Vec::new();
    let mut section = |title: String, items: Vec<(String, String)>| {
        out.push(Row::Heading(format!("{title} ({})", items.len())));
        if items.is_empty() {
            out.push(Row::Empty);
        }
        out.extend(
            items
                .into_iter()
                .map(|(name, note)| Row::Item { name, note }),
        );
    };
    let plain = |names: &[String]| -> Vec<(String, String)> {
        names.iter().map(|n| (n.clone(), String::new())).collect()
    };
    section(t::WEAK.to_owned(), plain(&report.weak));
    let reused = report
        .reused
        .iter()
        .enumerate()
        .flat_map(|(i, group)| {
            group
                .iter()
                .map(move |n| (n.clone(), format!("{} {}", t::GROUP, i + 1)))
        })
        .collect();
    section(t::REUSED.to_owned(), reused);
    let versions = |list: &[crate::csms::ExpiringVersion], verb: &str| -> Vec<(String, String)> {
        list.iter()
            .map(|v| {
                let when = timefmt::short_labelled(v.expire_time, zone);
                (v.name.clone(), format!("{} · {verb} {when}", v.version_id))
            })
            .collect()
    };
    section(
        t::EXPIRED.to_owned(),
        versions(&report.expired, t::EXPIRED_AT),
    );
    section(
        format!(
            "{} {} {}",
            t::EXPIRING,
            report.settings.expiring_days,
            t::DAYS
        ),
        versions(&report.expiring, t::EXPIRES_AT),
    );
    let overdue = report
        .rotation_overdue
        .iter()
        .map(|r| {
            let when = timefmt::short_labelled(r.next_rotation_time, zone);
            (r.name.clone(), format!("{} {when}", t::DUE_AT))
        })
        .collect();
    section(t::OVERDUE.to_owned(), overdue);
    let unchanged = report
        .unchanged
        .iter()
        .map(|u| {
            let when = timefmt::short_labelled(u.create_time, zone);
            (
                u.name.clone(),
                format!("{} · {} {when}", u.version_id, t::SINCE),
            )
        })
        .collect();
    section(
        format!(
            "{} {} {}",
            t::UNCHANGED,
            report.settings.unchanged_days,
            t::OR_MORE
        ),
        unchanged,
    );
    section(
        t::NOT_ENABLED.to_owned(),
        plain(&report.skipped.not_enabled),
    );
    section(t::UNREADABLE.to_owned(), plain(&report.skipped.unreadable));
    out
}

/// The names of the secret rows, in order (what the selection moves over).
fn names(rows: &[Row]) -> Vec<&str> {
    rows.iter()
        .filter_map(|r| match r {
            Row::Item { name, .. } => Some(name.as_str()),
            _ => None,
        })
        .collect()
}

/// The row index of the `n`th secret row.
fn row_of_item(rows: &[Row], n: usize) -> Option<usize> {
    rows.iter()
        .enumerate()
        .filter(|(_, r)| matches!(r, Row::Item { .. }))
        .nth(n)
        .map(|(i, _)| i)
}

/// The report again (its windows as stored), and the strength-warning setting.
pub fn run() -> Effect {
    Effect::reads([
        Request::ShowSecretsConfig,
        Request::HealthReport(ReportWindows::default()),
    ])
}

/// `H` on the list: the report screen, the report run.
pub fn open(cx: &mut Cx<'_>) -> Effect {
    cx.push(Screen::Report(Box::default()));
    run()
}

impl ReportState {
    /// The vault's answer: the report shown, the selection kept where it still fits.
    pub fn loaded(&mut self, result: &Result<HealthReport, ApiError>) {
        self.report = Some(result.clone());
        let count = self.item_count();
        self.selected = self.selected.min(count.saturating_sub(1));
    }

    /// The vault's strength-warning setting.
    pub fn set_config(&mut self, config: SecretsConfig) {
        self.checking = Some(config.checking_secret_strength);
    }

    fn item_count(&self) -> usize {
        match &self.report {
            Some(Ok(report)) => names(&rows(report, &Zone::utc())).len(),
            _ => 0,
        }
    }

    /// The selected secret's name.
    fn selected_name(&self) -> Option<String> {
        let Some(Ok(report)) = &self.report else {
            return None;
        };
        names(&rows(report, &Zone::utc()))
            .get(self.selected)
            .map(|n| (*n).to_owned())
    }

    /// Keeps the selected row inside the `height` rows shown.
    fn settle(&mut self, height: usize) {
        self.top = match &self.report {
            Some(Ok(report)) => visible_top(&rows(report, &Zone::utc()), self, height),
            _ => 0,
        };
    }
}

/// The first row to draw in `height` rows: the state's, moved as little as needed for the
/// selected row (and its section's heading, when it is the first) to show. Drawing asks again
/// with the height it really has, so a smaller terminal than the last resize still shows it.
fn visible_top(rows: &[Row], state: &ReportState, height: usize) -> usize {
    let Some(at) = row_of_item(rows, state.selected) else {
        return 0;
    };
    let want_top = if at > 0 && matches!(rows[at - 1], Row::Heading(_)) {
        at - 1
    } else {
        at
    };
    let height = height.max(1);
    if want_top < state.top {
        want_top
    } else if at >= state.top + height {
        at + 1 - height
    } else {
        state.top
    }
}

/// Rows of the body the report's rows get: the border and the setting's line taken off.
fn list_height(body: Rect) -> usize {
    usize::from(body.height.saturating_sub(3))
}

/// Moves over the secret rows, opens one, runs the report again, switches the warnings.
pub fn update(state: &mut ReportState, action: Action, cx: &mut Cx<'_>) -> Option<Effect> {
    let count = state.item_count();
    let last = count.saturating_sub(1);
    let page = list_height(cx.body()).max(1);
    match action {
        Action::Back => {
            cx.back();
            return None;
        }
        Action::Up => state.selected = state.selected.saturating_sub(1),
        Action::Down => state.selected = (state.selected + 1).min(last),
        Action::PageUp => state.selected = state.selected.saturating_sub(page),
        Action::PageDown => state.selected = (state.selected + page).min(last),
        Action::Top => state.selected = 0,
        Action::Bottom => state.selected = last,
        Action::HealthReport => {
            state.report = None;
            state.top = 0;
            return Some(run());
        }
        Action::ToggleStrengthCheck => {
            let on = !state.checking.unwrap_or(false);
            return Some(Effect::vault(Request::UpdateSecretsConfig(
                UpdateSecretsConfigRequest {
                    checking_secret_strength: Some(on),
                },
            )));
        }
        Action::Activate => {
            let Some(name) = state.selected_name() else {
                cx.info(t::NOTHING_TO_OPEN);
                return None;
            };
            return Some(super::detail::open(name, cx));
        }
        _ => {}
    }
    state.settle(list_height(cx.body()));
    None
}

/// The title: what was read, and when.
fn title(report: Option<&HealthReport>, zone: &Zone) -> String {
    match report {
        Some(r) => format!(
            " {} · {} {} {} ",
            t::TITLE,
            r.checked,
            t::CHECKED,
            timefmt::short_labelled(r.report_time, zone)
        ),
        None => format!(" {} ", t::TITLE),
    }
}

pub fn render(state: &ReportState, ctx: &Ctx<'_>, area: Rect, buf: &mut Buffer) {
    let report = match &state.report {
        Some(Ok(r)) => Some(r),
        _ => None,
    };
    let width = usize::from(area.width.saturating_sub(2));
    let block = Block::bordered()
        .title(display::line(
            &title(report, ctx.zone),
            width,
            theme::title(),
        ))
        .border_style(theme::border());
    let inner = block.inner(area);
    block.render(area, buf);
    let width = usize::from(inner.width);
    let setting = match state.checking {
        Some(true) => Some(t::WARNINGS_ON),
        Some(false) => Some(t::WARNINGS_OFF),
        None => None,
    };
    let mut lines = vec![Line::from(
        setting
            .map(|s| Span::styled(s, theme::dim()))
            .unwrap_or_default(),
    )];
    match &state.report {
        None => lines.push(Line::styled(t::NOT_YET, theme::dim())),
        Some(Err(e)) => lines.extend(display::wrapped_lines(
            &format!("{} {}", t::FAILED, describe(e)),
            width,
            usize::MAX,
            theme::danger(),
        )),
        Some(Ok(report)) => {
            let rows = rows(report, ctx.zone);
            let height = usize::from(inner.height.saturating_sub(1));
            let selected_row = row_of_item(&rows, state.selected);
            let top = visible_top(&rows, state, height);
            for (i, row) in rows.iter().enumerate().skip(top).take(height) {
                lines.push(row_line(row, Some(i) == selected_row, width));
            }
        }
    }
    Paragraph::new(lines).render(inner, buf);
}

/// One row as drawn: a heading, a secret (its note in a column after the name), or `none`.
fn row_line(row: &Row, selected: bool, width: usize) -> Line<'static> {
    match row {
        Row::Heading(text) => display::line(text, width, theme::table_header()),
        Row::Empty => Line::styled(format!("  {}", t::NONE), theme::dim()),
        Row::Item { name, note } => {
            let note_width = display::width(note);
            let name_room = width.saturating_sub(2).saturating_sub(if note.is_empty() {
                0
            } else {
                note_width + 2
            });
            let shown = display::line(name, name_room, Style::new());
            let shown_width: usize = shown.spans.iter().map(Span::width).sum();
            let marker = if selected { "▸ " } else { "  " };
            let mut spans = vec![Span::raw(marker)];
            spans.extend(shown.spans);
            if !note.is_empty() {
                let pad = name_room.saturating_sub(shown_width) + 2;
                spans.push(Span::raw(" ".repeat(pad)));
                spans.push(Span::styled(note.clone(), theme::dim()));
            }
            if selected {
                // The highlight spans the whole row.
                let used: usize = spans.iter().map(Span::width).sum();
                spans.push(Span::raw(" ".repeat(width.saturating_sub(used))));
                Line::from(spans).style(theme::selected())
            } else {
                Line::from(spans)
            }
        }
    }
}
