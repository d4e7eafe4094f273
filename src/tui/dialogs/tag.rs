//! The tag dialog (`g` on the detail screen): a key and a value, each checked on every keystroke
//! by the request's own rules (`Request::problems`, the vault's `tag_key_problem` and
//! `tag_value_problem`), and what Enter will do: a new tag, a new value for a key the secret has,
//! or nothing at 20 tags (the vault's `CSMS.0203`). Enter sends `CreateSecretTag`; the dialog
//! stays until the vault answers, and says there why it refused.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::Step;
use crate::csms::op::Request;
use crate::csms::{
    CreateSecretTagRequest, Field, MAX_TAGS_PER_SECRET, SecretRef, TagItem, rule_text,
};
use crate::tui::action::{Action, Effect};
use crate::tui::text::tags as t;
use crate::tui::textfield::TextField;
use crate::tui::widgets::{input_line, popup};
use crate::tui::{display, theme};

/// Which of the two fields has the keyboard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TagFocus {
    Key,
    Value,
}

#[derive(Debug)]
pub struct TagDialog {
    /// The secret's name.
    pub name: String,
    /// Its tags as read, (key, value) by key.
    pub tags: Vec<(String, String)>,
    pub key: TextField,
    pub value: TextField,
    pub focus: TagFocus,
    /// The vault's refusal of the last try, until a field changes.
    pub error: Option<String>,
    /// Whether the key was edited or Enter tried (an empty key is said from then on).
    touched: bool,
}

impl TagDialog {
    pub fn new(name: String, tags: Vec<(String, String)>) -> Self {
        Self {
            name,
            tags,
            key: TextField::single(),
            value: TextField::single(),
            focus: TagFocus::Key,
            error: None,
            touched: false,
        }
    }

    /// The request Enter sends, as the fields stand.
    pub fn request(&self) -> Request {
        Request::CreateSecretTag {
            secret: SecretRef::Name(self.name.clone()),
            body: CreateSecretTagRequest {
                tag: TagItem::new(self.key.as_str(), self.value.as_str()),
            },
        }
    }

    /// Each field's first problem, by the request's own rules.
    fn problems(&self) -> (Option<String>, Option<String>) {
        let problems = self.request().problems();
        let of = |field: Field| {
            problems
                .iter()
                .find(|p| p.field == field)
                .map(|p| p.message.clone())
        };
        (of(Field::TagKey), of(Field::TagValue))
    }

    /// `Ok` with what Enter will do, or `Err` with why it cannot.
    pub fn verdict(&self) -> Result<String, String> {
        let (key_problem, value_problem) = self.problems();
        if let Some(p) = key_problem.or(value_problem) {
            return Err(p);
        }
        let key = self.key.as_str();
        match self.tags.iter().find(|(k, _)| k == key) {
            Some((_, v)) if v == self.value.as_str() => Err(t::SAME.to_owned()),
            Some((_, v)) => Ok(format!("{} {}", t::REPLACES, display::fit(v, 40))),
            None if self.tags.len() >= MAX_TAGS_PER_SECRET => Err(t::FULL.to_owned()),
            None => Ok(format!(
                "{} ({} {} {MAX_TAGS_PER_SECRET})",
                t::NEW,
                self.tags.len() + 1,
                t::OF_MOST
            )),
        }
    }

    fn field(&mut self) -> &mut TextField {
        match self.focus {
            TagFocus::Key => &mut self.key,
            TagFocus::Value => &mut self.value,
        }
    }

    pub fn update(&mut self, action: Action) -> Step {
        match action {
            Action::Back => return Step::Close,
            Action::NextField | Action::PrevField => {
                self.focus = match self.focus {
                    TagFocus::Key => TagFocus::Value,
                    TagFocus::Value => TagFocus::Key,
                };
                return Step::Stay;
            }
            Action::Activate => {
                self.touched = true;
                if self.verdict().is_err() {
                    return Step::Stay;
                }
                return Step::Run {
                    effect: Effect::vault(self.request()),
                    keep: true,
                };
            }
            action if TextField::handles(action) => {
                self.field().apply(action);
            }
            _ => return Step::Stay,
        }
        self.error = None;
        self.touched |= self.focus == TagFocus::Key;
        Step::Stay
    }

    /// Pasted text (its first line), into the field with the keyboard.
    pub fn paste(&mut self, text: &str) {
        self.field().insert_str(text);
        self.error = None;
        self.touched |= self.focus == TagFocus::Key;
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer) {
        let title = format!("{} · {}", t::TITLE, self.name);
        let inner = popup(area, 64, 10, &title, buf);
        let width = usize::from(inner.width);
        let (key_problem, value_problem) = self.problems();
        // A field's problem is said under it; the last line says what else stops Enter.
        let field_problem = key_problem.is_some() || value_problem.is_some();
        let mut lines = Vec::new();
        let label_width = display::width(t::KEY).max(display::width(t::VALUE)) + 2;
        let room = width.saturating_sub(label_width).max(1);
        for (label, field, focus, problem, rule) in [
            (
                t::KEY,
                &self.key,
                TagFocus::Key,
                key_problem.filter(|_| self.touched),
                rule_text(Field::TagKey),
            ),
            (
                t::VALUE,
                &self.value,
                TagFocus::Value,
                value_problem,
                rule_text(Field::TagValue),
            ),
        ] {
            let focused = self.focus == focus;
            let cursor = focused.then(|| field.as_str()[..field.cursor()].chars().count());
            let label_style = if focused {
                theme::focused_label()
            } else {
                theme::label()
            };
            let mut spans = vec![Span::styled(format!("{label:<label_width$}"), label_style)];
            spans.extend(input_line(field.as_str(), false, cursor, room, theme::input()).spans);
            lines.push(Line::from(spans));
            let (text, style) = match problem {
                Some(p) => (format!("✗ {p}"), theme::danger()),
                None => (rule.to_owned(), theme::dim()),
            };
            // Under the field, each line of it indented as far as the input.
            for line in display::wrapped_lines(&text, room, 2, style) {
                let mut spans = vec![Span::raw(" ".repeat(label_width))];
                spans.extend(line.spans);
                lines.push(Line::from(spans));
            }
        }
        let (mark, text, style) = match (&self.error, self.verdict()) {
            (Some(why), _) => ("✗ ", why.clone(), theme::danger()),
            (None, Err(_)) if field_problem => ("", String::new(), Style::new()),
            (None, Err(why)) => ("✗ ", why, theme::danger()),
            (None, Ok(note)) => ("✓ ", note, theme::success()),
        };
        lines.extend(display::wrapped_lines(
            &format!("{mark}{text}"),
            width,
            2,
            style,
        ));
        lines.push(Line::styled(t::HINT, theme::dim()));
        Paragraph::new(lines).render(inner, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(dialog: &mut TagDialog, text: &str) {
        for c in text.chars() {
            dialog.update(Action::Input(c));
        }
    }

    #[test]
    fn the_verdict_follows_the_vaults_rules_as_you_type() {
        let mut d = TagDialog::new("db".into(), vec![("env".into(), "prod".into())]);
        assert!(d.verdict().is_err(), "no key yet");
        typed(&mut d, "team");
        assert_eq!(d.verdict(), Ok("a new tag (2 of at most 20)".to_owned()));
        d.update(Action::NextField);
        typed(&mut d, "a#b");
        assert!(d.verdict().is_err_and(|e| e.contains("'#'")));
        assert!(matches!(d.update(Action::Activate), Step::Stay));
        for _ in 0..3 {
            d.update(Action::Backspace);
        }
        d.update(Action::PrevField);
        for _ in 0..4 {
            d.update(Action::Backspace);
        }
        typed(&mut d, "env");
        d.update(Action::NextField);
        typed(&mut d, "prod");
        assert_eq!(d.verdict(), Err(t::SAME.to_owned()));
        d.update(Action::Backspace);
        assert_eq!(d.verdict(), Ok(format!("{} prod", t::REPLACES)));
        assert!(matches!(
            d.update(Action::Activate),
            Step::Run { keep: true, .. }
        ));
    }

    #[test]
    fn at_twenty_tags_only_a_key_it_has_can_change() {
        let tags = (0..20)
            .map(|i| (format!("k{i:02}"), "v".to_owned()))
            .collect();
        let mut d = TagDialog::new("db".into(), tags);
        typed(&mut d, "k20");
        assert_eq!(d.verdict(), Err(t::FULL.to_owned()));
        d.update(Action::Backspace);
        d.update(Action::Backspace);
        typed(&mut d, "05");
        assert!(d.verdict().is_ok());
    }
}
