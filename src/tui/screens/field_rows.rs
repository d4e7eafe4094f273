//! The rows the forms are drawn from: a label column, inputs with counters, pickers, the rule a
//! broken field breaks, the masked value box and the submit button. Shared by the create,
//! new-version and edit forms, so they look and read alike.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Widget};

use super::value_input::Visibility;
use crate::tui::display;
use crate::tui::text::form as t;
use crate::tui::textfield::TextField;
use crate::tui::theme;
use crate::tui::widgets::{input_line, thousands};

pub const LABEL_WIDTH: u16 = 13;
pub const COUNTER_WIDTH: u16 = 14;

/// Draws lines top to bottom inside a rectangle, dropping what does not fit.
pub struct Rows<'b> {
    pub area: Rect,
    pub y: u16,
    pub buf: &'b mut Buffer,
}

impl<'b> Rows<'b> {
    pub fn new(area: Rect, buf: &'b mut Buffer) -> Self {
        Self {
            area,
            y: area.y,
            buf,
        }
    }

    /// Rows left below the last one drawn.
    pub fn left(&self) -> u16 {
        self.area.bottom().saturating_sub(self.y)
    }

    pub fn line(&mut self, line: Line<'_>) {
        if self.y < self.area.bottom() {
            line.render(Rect::new(self.area.x, self.y, self.area.width, 1), self.buf);
            self.y += 1;
        }
    }

    pub fn lines(&mut self, lines: Vec<Line<'_>>) {
        for l in lines {
            self.line(l);
        }
    }
}

/// A form's border and title; the area inside it.
pub fn frame(title: &str, area: Rect, buf: &mut Buffer) -> Rect {
    let block = Block::bordered()
        .title(display::line(
            &format!(" {title} "),
            usize::from(area.width.saturating_sub(2)),
            theme::title(),
        ))
        .border_style(theme::border());
    let inner = block.inner(area);
    block.render(area, buf);
    inner
}

pub fn label(text: &str, focused: bool) -> Span<'static> {
    let style = if focused {
        theme::focused_label()
    } else {
        theme::label()
    };
    Span::styled(format!("{text:<w$}", w = usize::from(LABEL_WIDTH)), style)
}

/// `used/max unit`, right-aligned, in the danger colour past `max`.
pub fn counter(used: usize, max: usize, unit: &str) -> Span<'static> {
    let style = if used > max {
        theme::danger()
    } else {
        theme::dim()
    };
    Span::styled(
        format!(
            "{:>w$}",
            counter_text(used, max, unit),
            w = usize::from(COUNTER_WIDTH)
        ),
        style,
    )
}

/// `1,234/32,768 B` in at most [`COUNTER_WIDTH`] columns, the unit always kept: without the
/// thousands separators when they do not fit (`12345/32768 B`), then without the limit.
fn counter_text(used: usize, max: usize, unit: &str) -> String {
    let fits = |text: &String| display::width(text) <= usize::from(COUNTER_WIDTH);
    [
        format!("{}/{}{unit}", thousands(used), thousands(max)),
        format!("{used}/{max}{unit}"),
    ]
    .into_iter()
    .find(fits)
    .unwrap_or_else(|| format!("{used}{unit}"))
}

/// A one-line input: label, text (cut to fit, hidden characters escaped), counter.
pub fn text_row(
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

/// A picker: `◀ choice ▶` after the label.
pub fn picker_row(label_text: &str, choice: &str, focused: bool, width: u16) -> Line<'static> {
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

/// A row of spans after the label, cut with `…` when wider than the form.
pub fn spans_row(
    label_text: &str,
    focused: bool,
    spans: Vec<Span<'static>>,
    width: u16,
) -> Line<'static> {
    let room = usize::from(width.saturating_sub(LABEL_WIDTH));
    let mut out = vec![label(label_text, focused)];
    let mut used = 0;
    for span in spans {
        let w = span.width();
        if used + w <= room {
            used += w;
            out.push(span);
        } else {
            let cut = display::fit(&span.content, room.saturating_sub(used));
            out.push(Span::styled(cut, span.style));
            break;
        }
    }
    Line::from(out)
}

/// `text` wrapped under the inputs (after the label column).
pub fn indented(text: &str, width: u16, style: Style) -> Vec<Line<'static>> {
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

/// A broken field's lines: the specific reason first, then the rule it breaks (if any).
pub fn problem(reason: &str, rule: Option<&str>, width: u16) -> Vec<Line<'static>> {
    let text = match rule {
        Some(rule) => format!("✗ {reason}{}{rule}", t::RULE_SEP),
        None => format!("✗ {reason}"),
    };
    indented(&text, width, theme::danger())
}

/// The value's heading: label, masked/revealed, counter.
pub fn value_heading(
    visibility: Visibility,
    focused: bool,
    counter_span: Span<'static>,
    width: u16,
) -> Line<'static> {
    let tag = match visibility {
        Visibility::Masked => Span::styled(t::MASKED, theme::dim()),
        Visibility::Revealed => Span::styled(t::REVEALED, theme::warning()),
    };
    let pad =
        usize::from(width.saturating_sub(LABEL_WIDTH + COUNTER_WIDTH)).saturating_sub(tag.width());
    Line::from(vec![
        label(t::VALUE, focused),
        tag,
        Span::raw(" ".repeat(pad)),
        counter_span,
    ])
}

/// The value editor: bordered when there is room, masked unless revealed.
pub fn value_box(
    value: &TextField,
    visibility: Visibility,
    focused: bool,
    area: Rect,
    buf: &mut Buffer,
) {
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
    let masked = visibility == Visibility::Masked;
    let (cursor_line, cursor_col) = value.cursor_line_col();
    let height = usize::from(inner.height.max(1));
    let first = (cursor_line + 1).saturating_sub(height);
    for (i, line) in value
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

/// The submit button under the inputs.
pub fn button(text: &str, focused: bool) -> Line<'static> {
    let style = if focused {
        theme::focused_button()
    } else {
        theme::button()
    };
    Line::from(vec![label("", false), Span::styled(text.to_owned(), style)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_counter_keeps_its_unit_at_every_size() {
        for (used, shown) in [
            (12, "12/32,768 B"),
            (1_234, "1,234/32,768 B"),
            (12_345, "12345/32768 B"),
            (32_768, "32768/32768 B"),
            (1_234_567, "1234567 B"),
        ] {
            let text = counter_text(used, 32_768, " B");
            assert_eq!(text, shown);
            assert!(
                display::width(&text) <= usize::from(COUNTER_WIDTH),
                "{text}"
            );
        }
        assert_eq!(counter_text(9, 64, ""), "9/64");
    }
}
