//! Screen 3, drawing: the create-secret form, each field with its rule when broken and its counter;
//! scrolled when it does not fit, the submit button kept in view.
//!
//! ```text
//! ┌ Create secret ──────────────────────────────────────────┐
//! │ Name         my-db-password                     14/64    │
//! │ KMS key      ◀ csms/default (default) ▶                  │
//! │ Description  prod database                   13/2,048 B  │
//! │ Value type   ◀ text ▶                                    │
//! │ Value        masked · Ctrl+R reveals        12/32,768 B  │
//! │ ┌─────────────────────────────────────────────────────┐ │
//! │ │••••••••••••                                         │ │
//! │ └─────────────────────────────────────────────────────┘ │
//! │ Generator    ◀ 32 ▶ chars ✓a-z ✓A-Z ✓0-9 ✓!#$ ✗space   │  (after Ctrl+G)
//! │              [ Create secret ]                           │
//! └──────────────────────────────────────────────────────────┘
//! ```

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::Ctx;
use super::field_rows::{Rows, button, counter, frame, picker_row, problem, text_row};
use super::form::{Focus, FormState};
use super::key_picker;
use super::value_input::ValueType;
use crate::csms::{Field, MAX_DESCRIPTION_BYTES, MAX_NAME_CHARS, rule_text};
use crate::tui::text::form as t;

/// The lines under `field` when it is broken: the specific reason first, then the rule it
/// breaks (when the reason is a rule's), wrapped under the input, never cut.
fn error_lines(form: &FormState, field: Field, width: u16) -> Vec<Line<'static>> {
    let Some(error) = form.shown_error(field) else {
        return Vec::new();
    };
    let rule = form.error_has_rule(error).then(|| rule_text(field));
    problem(&error.message, rule, width)
}

/// Draws the form. When its rows do not all fit (a short terminal, several errors), it scrolls:
/// the submit button stays on the bottom row, and the focused field with its error stays in view.
pub fn render(form: &FormState, _ctx: &Ctx<'_>, area: Rect, buf: &mut Buffer) {
    let inner = frame(t::TITLE, area, buf);
    let needed = rows_needed(form, inner.width);
    if needed <= inner.height || inner.height < 2 {
        draw(form, inner, buf);
        return;
    }
    // Drawn whole (the value box one row high) off screen, then the window shown.
    let whole = Rect::new(inner.x, inner.y, inner.width, needed);
    let mut off = Buffer::empty(whole);
    let focused = draw(form, whole, &mut off);
    let window = inner.height - 1;
    let last_top = needed - 1 - window;
    let top = focused.map_or(last_top, |(start, end)| {
        let start = start - inner.y;
        let end = end - inner.y;
        last_top.min(start).max(end.saturating_sub(window))
    });
    let copy_row = |from: u16, to: u16, buf: &mut Buffer| {
        for x in inner.left()..inner.right() {
            buf[(x, to)] = off[(x, from)].clone();
        }
    };
    for dy in 0..window {
        copy_row(inner.y + top + dy, inner.y + dy, buf);
    }
    copy_row(whole.bottom() - 1, inner.bottom() - 1, buf);
}

/// The rows the form takes with its value box one row high (a file path takes one row).
fn rows_needed(form: &FormState, width: u16) -> u16 {
    let errors = |field| error_lines(form, field, width).len();
    let value_rows = if form.value.kind == ValueType::File {
        1
    } else {
        2
    };
    let below = form
        .value
        .notes(
            error_lines(form, Field::Value, width),
            form.empty_value_warning().then_some(t::EMPTY_VALUE),
            form.focus == Focus::Generator,
            width,
        )
        .len()
        + 1;
    let total = 4
        + errors(Field::Name)
        + errors(Field::KmsKeyId)
        + errors(Field::Description)
        + value_rows
        + below;
    u16::try_from(total).unwrap_or(u16::MAX)
}

/// Draws every row into `inner` (dropping what does not fit); the rows (from, to) of the
/// focused field and its error, unless the button has the focus.
fn draw(form: &FormState, inner: Rect, buf: &mut Buffer) -> Option<(u16, u16)> {
    let width = inner.width;
    let mut rows = Rows::new(inner, buf);
    let mut focused = None;
    let mut mark = |focus: Focus, from: u16, to: u16| {
        if form.focus == focus {
            focused = Some((from, to));
        }
    };

    let from = rows.y;
    let name_chars = form.name.as_str().chars().count();
    rows.line(text_row(
        &form.name,
        t::NAME,
        form.focus == Focus::Name,
        width,
        counter(name_chars, MAX_NAME_CHARS, ""),
    ));
    rows.lines(error_lines(form, Field::Name, width));
    mark(Focus::Name, from, rows.y);
    let from = rows.y;
    rows.line(picker_row(
        t::KEY,
        &key_picker::label(form.choices.get(form.choice)),
        form.focus == Focus::Key,
        width,
    ));
    rows.lines(error_lines(form, Field::KmsKeyId, width));
    mark(Focus::Key, from, rows.y);
    let from = rows.y;
    let desc_bytes = form.description.as_str().len();
    rows.line(text_row(
        &form.description,
        t::DESCRIPTION,
        form.focus == Focus::Description,
        width,
        counter(desc_bytes, MAX_DESCRIPTION_BYTES, " B"),
    ));
    rows.lines(error_lines(form, Field::Description, width));
    mark(Focus::Description, from, rows.y);
    mark(Focus::Type, rows.y, rows.y + 1);
    rows.line(picker_row(
        t::TYPE,
        form.value.kind.label(),
        form.focus == Focus::Type,
        width,
    ));
    let warning = form.empty_value_warning().then_some(t::EMPTY_VALUE);
    let mut below = form.value.notes(
        error_lines(form, Field::Value, width),
        warning,
        form.focus == Focus::Generator,
        width,
    );
    // The value (its heading, box, problem and notes): everything down to the button.
    let heading_rows = if form.value.kind == ValueType::File {
        1
    } else {
        2
    };
    let value_rows = u16::try_from(below.len()).unwrap_or(0) + heading_rows;
    mark(Focus::Value, rows.y, rows.y + value_rows);
    mark(Focus::Generator, rows.y, rows.y + value_rows);
    below.push(button(t::SUBMIT, form.focus == Focus::Submit));
    form.value
        .render(form.focus == Focus::Value, below, &mut rows);
    focused
}
