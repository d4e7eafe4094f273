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
//! │              [ Create secret ]                           │
//! └──────────────────────────────────────────────────────────┘
//! ```

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Widget};

use super::Ctx;
use super::form::{FileLoad, Focus, FormState, ValueType, Visibility};
use crate::csms::{Field, MAX_DESCRIPTION_BYTES, MAX_NAME_CHARS, MAX_VALUE_BYTES, rule_text};
use crate::tui::display;
use crate::tui::text::form as t;
use crate::tui::textfield::TextField;
use crate::tui::theme;
use crate::tui::widgets::{input_line, thousands};

const LABEL_WIDTH: u16 = 13;
const COUNTER_WIDTH: u16 = 14;

/// Draws lines top to bottom inside a rectangle, dropping what does not fit.
struct Rows<'b> {
    area: Rect,
    y: u16,
    buf: &'b mut Buffer,
}

impl Rows<'_> {
    fn left(&self) -> u16 {
        self.area.bottom().saturating_sub(self.y)
    }

    fn line(&mut self, line: Line<'_>) {
        if self.y < self.area.bottom() {
            line.render(Rect::new(self.area.x, self.y, self.area.width, 1), self.buf);
            self.y += 1;
        }
    }
}

fn label(text: &str, focused: bool) -> Span<'static> {
    let style = if focused {
        theme::focused_label()
    } else {
        theme::label()
    };
    Span::styled(format!("{text:<w$}", w = usize::from(LABEL_WIDTH)), style)
}

fn counter(used: usize, max: usize, unit: &str) -> Span<'static> {
    let style = if used > max {
        theme::danger()
    } else {
        theme::dim()
    };
    let text = format!("{}/{}{unit}", thousands(used), thousands(max));
    Span::styled(format!("{text:>w$}", w = usize::from(COUNTER_WIDTH)), style)
}

fn text_row(
    field: &TextField,
    label_text: &str,
    focused: bool,
    width: u16,
    counter_span: Span<'static>,
) -> Line<'static> {
    let input_width = usize::from(width.saturating_sub(LABEL_WIDTH + COUNTER_WIDTH + 1));
    let cursor = focused.then(|| field.as_str()[..field.cursor()].chars().count());
    let mut spans = vec![label(label_text, focused)];
    spans.extend(input_line(field.as_str(), false, cursor, input_width, theme::input()).spans);
    spans.push(Span::raw(" "));
    spans.push(counter_span);
    Line::from(spans)
}

fn picker_row(label_text: &str, choice: &str, focused: bool, width: u16) -> Line<'static> {
    let room = usize::from(width.saturating_sub(LABEL_WIDTH + 4));
    let style = if focused {
        theme::focused_button()
    } else {
        theme::button()
    };
    let mut spans = vec![label(label_text, focused), Span::styled("◀ ", style)];
    spans.extend(display::line(choice, room, style).spans);
    spans.push(Span::styled(" ▶", style));
    Line::from(spans)
}

/// The lines under `field` when it is broken: the specific reason first, then the rule it
/// breaks (when the reason is a rule's), wrapped under the input, never cut.
fn error_lines(form: &FormState, field: Field, width: u16) -> Vec<Line<'static>> {
    let Some(error) = form.shown_error(field) else {
        return Vec::new();
    };
    let text = if form.error_has_rule(error) {
        format!("✗ {}{}{}", error.message, t::RULE_SEP, rule_text(field))
    } else {
        format!("✗ {}", error.message)
    };
    indented(&text, width, theme::danger())
}

/// `text` wrapped under the inputs (after the label column).
fn indented(text: &str, width: u16, style: Style) -> Vec<Line<'static>> {
    let room = usize::from(width.saturating_sub(LABEL_WIDTH));
    display::wrapped_lines(text, room, usize::MAX, style)
        .into_iter()
        .map(|l| {
            let mut spans = vec![Span::raw(" ".repeat(usize::from(LABEL_WIDTH)))];
            spans.extend(l.spans);
            Line::from(spans)
        })
        .collect()
}

fn key_label(form: &FormState) -> String {
    match form.choices.get(form.choice) {
        Some(c) if c.key_id.is_none() && c.exists => format!("{} {}", c.alias, t::DEFAULT_KEY),
        Some(c) if c.key_id.is_none() => format!("{} {}", c.alias, t::DEFAULT_KEY_NEW),
        Some(c) => c.alias.clone(),
        None => String::new(),
    }
}

pub fn render(form: &FormState, _ctx: &Ctx<'_>, area: Rect, buf: &mut Buffer) {
    let block = Block::bordered()
        .title(Span::styled(format!(" {} ", t::TITLE), theme::title()))
        .border_style(theme::border());
    let inner = block.inner(area);
    block.render(area, buf);
    let width = inner.width;
    let mut rows = Rows {
        area: inner,
        y: inner.y,
        buf,
    };

    let name_chars = form.name.as_str().chars().count();
    rows.line(text_row(
        &form.name,
        t::NAME,
        form.focus == Focus::Name,
        width,
        counter(name_chars, MAX_NAME_CHARS, ""),
    ));
    for l in error_lines(form, Field::Name, width) {
        rows.line(l);
    }
    rows.line(picker_row(
        t::KEY,
        &key_label(form),
        form.focus == Focus::Key,
        width,
    ));
    for l in error_lines(form, Field::KmsKeyId, width) {
        rows.line(l);
    }
    let desc_bytes = form.description.as_str().len();
    rows.line(text_row(
        &form.description,
        t::DESCRIPTION,
        form.focus == Focus::Description,
        width,
        counter(desc_bytes, MAX_DESCRIPTION_BYTES, " B"),
    ));
    for l in error_lines(form, Field::Description, width) {
        rows.line(l);
    }
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
    let focused = form.focus == Focus::Value;
    if form.value_type == ValueType::File {
        let loaded = match &form.file {
            FileLoad::Loaded(b64) => counter(b64.len(), MAX_VALUE_BYTES, " ch"),
            _ => Span::raw(""),
        };
        rows.line(text_row(&form.path, t::FILE, focused, width, loaded));
    } else {
        let (used, unit) = if form.value_type == ValueType::Text {
            (form.value.as_str().len(), " B")
        } else {
            (form.value.as_str().len(), " ch")
        };
        let tag = match form.visibility {
            Visibility::Masked => Span::styled(t::MASKED, theme::dim()),
            Visibility::Revealed => Span::styled(t::REVEALED, theme::warning()),
        };
        let pad = usize::from(width.saturating_sub(LABEL_WIDTH + COUNTER_WIDTH))
            .saturating_sub(tag.width());
        rows.line(Line::from(vec![
            label(t::VALUE, focused),
            tag,
            Span::raw(" ".repeat(pad)),
            counter(used, MAX_VALUE_BYTES, unit),
        ]));
        let reserved = 1 + u16::try_from(value_notes.len()).unwrap_or(u16::MAX);
        let box_height = rows.left().saturating_sub(reserved).max(1);
        let area = Rect::new(inner.x, rows.y, width, box_height.min(rows.left()));
        value_box(form, focused, area, rows.buf);
        rows.y += area.height;
    }
    for l in value_notes {
        rows.line(l);
    }
    let button = if form.focus == Focus::Submit {
        theme::focused_button()
    } else {
        theme::button()
    };
    rows.line(Line::from(vec![
        label("", false),
        Span::styled(t::SUBMIT, button),
    ]));
}

/// The value editor: bordered when there is room, masked unless revealed.
fn value_box(form: &FormState, focused: bool, area: Rect, buf: &mut Buffer) {
    let inner = if area.height >= 3 {
        let block = Block::bordered().border_style(if focused {
            theme::focused_border()
        } else {
            theme::border()
        });
        let inner = block.inner(area);
        block.render(area, buf);
        inner
    } else {
        area
    };
    let masked = form.visibility == Visibility::Masked;
    let (cursor_line, cursor_col) = form.value.cursor_line_col();
    let height = usize::from(inner.height.max(1));
    let first = (cursor_line + 1).saturating_sub(height);
    for (i, line) in form
        .value
        .as_str()
        .split('\n')
        .enumerate()
        .skip(first)
        .take(height)
    {
        let cursor = (focused && i == cursor_line).then_some(cursor_col);
        let y = inner.y + u16::try_from(i - first).unwrap_or(0);
        input_line(line, masked, cursor, usize::from(inner.width), Style::new())
            .render(Rect::new(inner.x, y, inner.width, 1), buf);
    }
}
