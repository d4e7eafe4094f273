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
use ratatui::text::{Line, Span};

use super::Ctx;
use super::field_rows::{
    Rows, button, counter, frame, indented, picker_row, problem, spans_row, text_row, value_box,
    value_heading,
};
use super::form::{Focus, FormState};
use super::key_picker;
use super::value_input::{FileLoad, ValueType};
use crate::csms::{Field, MAX_DESCRIPTION_BYTES, MAX_NAME_CHARS, MAX_VALUE_BYTES, rule_text};
use crate::tui::password::Generator;
use crate::tui::text::{form as t, password as pt};
use crate::tui::theme;

/// The lines under `field` when it is broken: the specific reason first, then the rule it
/// breaks (when the reason is a rule's), wrapped under the input, never cut.
fn error_lines(form: &FormState, field: Field, width: u16) -> Vec<Line<'static>> {
    let Some(error) = form.shown_error(field) else {
        return Vec::new();
    };
    let rule = form.error_has_rule(error).then(|| rule_text(field));
    problem(&error.message, rule, width)
}

/// The generator's options line and, when its last request was refused, why.
pub fn generator_lines(options: &Generator, focused: bool, width: u16) -> Vec<Line<'static>> {
    let mut out = vec![spans_row(pt::LABEL, focused, options.spans(focused), width)];
    if let Some(why) = &options.error {
        out.extend(problem(why, None, width));
    }
    out
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
        form.value_type.label(),
        form.focus == Focus::Type,
        width,
    ));

    let mut value_notes = error_lines(form, Field::Value, width);
    if form.empty_value_warning() {
        value_notes.extend(indented(t::EMPTY_VALUE, width, theme::warning()));
    }
    if let Some(options) = &form.generator {
        value_notes.extend(generator_lines(
            options,
            form.focus == Focus::Generator,
            width,
        ));
    }
    let focused = form.focus == Focus::Value;
    if form.value_type == ValueType::File {
        let loaded = match &form.file {
            FileLoad::Loaded(b64) => counter(b64.len(), MAX_VALUE_BYTES, " ch"),
            _ => Span::raw(""),
        };
        rows.line(text_row(&form.path, t::FILE, focused, width, loaded));
    } else {
        let unit = if form.value_type == ValueType::Text {
            " B"
        } else {
            " ch"
        };
        let used = counter(form.value.as_str().len(), MAX_VALUE_BYTES, unit);
        rows.line(value_heading(form.visibility, focused, used, width));
        let reserved = 1 + u16::try_from(value_notes.len()).unwrap_or(u16::MAX);
        let box_height = rows.left().saturating_sub(reserved).max(1);
        let area = Rect::new(inner.x, rows.y, width, box_height.min(rows.left()));
        value_box(&form.value, form.visibility, focused, area, rows.buf);
        rows.y += area.height;
    }
    rows.lines(value_notes);
    rows.line(button(t::SUBMIT, form.focus == Focus::Submit));
}
