//! The new-version form, drawing: the value fills the room left by the fields under it.
//!
//! ```text
//! ┌ New version of db-password ─────────────────────────────┐
//! │ Value type   ◀ text ▶                                    │
//! │ Value        masked · Ctrl+R reveals        32/32,768 B  │
//! │ ┌─────────────────────────────────────────────────────┐ │
//! │ │••••••••••••••••••••••••••••••••                     │ │
//! │ └─────────────────────────────────────────────────────┘ │
//! │ Generator    ◀ 32 ▶ chars ✓a-z ✓A-Z ✓0-9 ✓!#$ ✗space   │  (after Ctrl+G)
//! │ Stages       blue, green                          2/12   │
//! │              SYSCURRENT stays on the current version     │
//! │ Expiry       2026-12-31                                  │
//! │              → 2026-12-31 00:00:00 CET (1798671600000)   │
//! │              [ Create version ]                          │
//! └──────────────────────────────────────────────────────────┘
//! ```

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::Ctx;
use super::field_rows::{Rows, button, counter, frame, indented, picker_row, problem, text_row};
use super::version_form::{Focus, Part, VersionFormState, parse_expiry, stage_names};
use crate::csms::{MAX_STAGES, STAGE_CURRENT};
use crate::tui::text::{form as ft, version as t};
use crate::tui::theme;
use crate::tui::timefmt::{self, Zone};

fn problem_lines(
    form: &VersionFormState,
    part: Part,
    zone: &Zone,
    width: u16,
) -> Vec<Line<'static>> {
    form.shown_problem(part, zone)
        .map(|p| problem(&p.message, p.rule, width))
        .unwrap_or_default()
}

/// Everything under the value box: notes on the value, the generator, stages, expiry, button.
fn below_value(form: &VersionFormState, zone: &Zone, width: u16) -> Vec<Line<'static>> {
    let warning = form.empty_value_warning().then_some(t::EMPTY_VALUE);
    let mut out = form.value.notes(
        problem_lines(form, Part::Value, zone, width),
        warning,
        form.focus == Focus::Generator,
        width,
    );

    let stages = stage_names(form.stages.as_str());
    out.push(text_row(
        &form.stages,
        t::STAGES,
        form.focus == Focus::Stages,
        width,
        counter(stages.len(), MAX_STAGES, ""),
    ));
    let stage_problem = problem_lines(form, Part::Stages, zone, width);
    if stage_problem.is_empty() {
        let hint = if stages.is_empty() {
            t::STAGES_DEFAULT
        } else if stages.iter().any(|s| s == STAGE_CURRENT) {
            t::STAGES_WITH_CURRENT
        } else {
            t::STAGES_KEEP_CURRENT
        };
        out.extend(indented(hint, width, theme::dim()));
    }
    out.extend(stage_problem);

    out.push(text_row(
        &form.expiry,
        t::EXPIRY,
        form.focus == Focus::Expiry,
        width,
        Span::raw(""),
    ));
    let expiry_problem = problem_lines(form, Part::Expiry, zone, width);
    if expiry_problem.is_empty() {
        match parse_expiry(form.expiry.as_str(), zone) {
            Ok(Some(ms)) => out.extend(indented(
                &format!("→ {} ({ms})", timefmt::long(ms, zone)),
                width,
                theme::dim(),
            )),
            _ if form.focus == Focus::Expiry => {
                out.extend(indented(t::EXPIRY_HINT, width, theme::dim()));
            }
            _ => {}
        }
    }
    out.extend(expiry_problem);
    out.push(button(t::SUBMIT, form.focus == Focus::Submit));
    out
}

pub fn render(form: &VersionFormState, ctx: &Ctx<'_>, area: Rect, buf: &mut Buffer) {
    let inner = frame(&format!("{} {}", t::TITLE, form.name), area, buf);
    let width = inner.width;
    let mut rows = Rows::new(inner, buf);
    rows.line(picker_row(
        ft::TYPE,
        form.value.kind.label(),
        form.focus == Focus::Type,
        width,
    ));
    let below = below_value(form, ctx.zone, width);
    form.value
        .render(form.focus == Focus::Value, below, &mut rows);
}
