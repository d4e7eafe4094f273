//! Screen 3, drawing: the create-secret form, each field with its rule when broken and its counter.
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

pub fn render(form: &FormState, _ctx: &Ctx<'_>, area: Rect, buf: &mut Buffer) {
    let inner = frame(t::TITLE, area, buf);
    let width = inner.width;
    let mut rows = Rows::new(inner, buf);

    let name_chars = form.name.as_str().chars().count();
    rows.line(text_row(
        &form.name,
        t::NAME,
        form.focus == Focus::Name,
        width,
        counter(name_chars, MAX_NAME_CHARS, ""),
    ));
    rows.lines(error_lines(form, Field::Name, width));
    rows.line(picker_row(
        t::KEY,
        &key_picker::label(form.choices.get(form.choice)),
        form.focus == Focus::Key,
        width,
    ));
    rows.lines(error_lines(form, Field::KmsKeyId, width));
    let desc_bytes = form.description.as_str().len();
    rows.line(text_row(
        &form.description,
        t::DESCRIPTION,
        form.focus == Focus::Description,
        width,
        counter(desc_bytes, MAX_DESCRIPTION_BYTES, " B"),
    ));
    rows.lines(error_lines(form, Field::Description, width));
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
    below.push(button(t::SUBMIT, form.focus == Focus::Submit));
    form.value
        .render(form.focus == Focus::Value, below, &mut rows);
}
