//! The new-event form (`n` on the events screen): the name, the five event types to tick, the
//! state, and an optional notification target, checked as typed by the request itself
//! (`Request::problems`, the vault's own check) and against the names the events screen holds;
//! `Ctrl+S` asks for Create Secret Event.
//!
//! ```text
//! ┌ New event ──────────────────────────────────────────────────────┐
//! │ Name         rotations                                 9/64     │
//! │ Types        [x] VERSION_CREATED   [ ] VERSION_EXPIRED          │
//! │              [x] ROTATED           [ ] ROTATED_FAILED           │
//! │              [ ] DELETED                                        │
//! │ State        ◀ ENABLED ▶                                        │
//! │ Target type                                            0/64     │
//! └─────────────────────────────────────────────────────────────────┘
//! ```

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::field_rows::{Rows, counter, frame, indented, picker_row, problem, spans_row, text_row};
use super::{Ctx, Cx};
use crate::csms::op::Request;
use crate::csms::{
    CreateSecretEventRequest, EVENT_DISABLED, EVENT_ENABLED, EventType, Field, FieldError,
    MAX_TARGET_ID_CHARS, MAX_TARGET_NAME_CHARS, Notification, rule_text,
};
use crate::tui::action::{Action, Effect};
use crate::tui::dialogs::{Confirm, Dialog};
use crate::tui::keymap::Context;
use crate::tui::text::{events as t, form as ft};
use crate::tui::textfield::TextField;
use crate::tui::theme;

/// The longest event name, in characters (docs/DECISIONS.md "events").
const MAX_NAME_CHARS: usize = 64;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    Name,
    Types,
    State,
    TargetType,
    TargetId,
    TargetName,
}

const ORDER: [Focus; 6] = [
    Focus::Name,
    Focus::Types,
    Focus::State,
    Focus::TargetType,
    Focus::TargetId,
    Focus::TargetName,
];

#[derive(Debug)]
pub struct EventFormState {
    pub focus: Focus,
    pub name: TextField,
    /// Ticked, in the order of [`EventType::ALL`].
    pub types: [bool; 5],
    /// The type the cursor is on.
    pub cursor: usize,
    pub enabled: bool,
    pub target_type: TextField,
    pub target_id: TextField,
    pub target_name: TextField,
    /// The names of the events there are (from the events screen, then read again).
    taken: Vec<String>,
    /// The fields left or edited: their problems show.
    visited: Vec<Focus>,
    submit_tried: bool,
}

impl EventFormState {
    pub fn new(taken: Vec<String>) -> Self {
        Self {
            focus: Focus::Name,
            name: TextField::single(),
            types: [false; 5],
            cursor: 0,
            enabled: true,
            target_type: TextField::single(),
            target_id: TextField::single(),
            target_name: TextField::single(),
            taken,
            visited: Vec::new(),
            submit_tried: false,
        }
    }

    /// The events read again: what the name is checked against.
    pub fn set_taken(&mut self, names: Vec<String>) {
        self.taken = names;
    }

    pub fn context(&self) -> Context {
        match self.focus {
            Focus::Types | Focus::State => Context::EventFormChoice,
            _ => Context::EventFormText,
        }
    }

    fn field(&mut self, focus: Focus) -> Option<&mut TextField> {
        match focus {
            Focus::Name => Some(&mut self.name),
            Focus::TargetType => Some(&mut self.target_type),
            Focus::TargetId => Some(&mut self.target_id),
            Focus::TargetName => Some(&mut self.target_name),
            Focus::Types | Focus::State => None,
        }
    }

    /// Whether leaving would lose something typed or ticked.
    pub fn is_dirty(&self) -> bool {
        !self.name.is_empty()
            || self.types.iter().any(|t| *t)
            || !self.enabled
            || !self.target_type.is_empty()
            || !self.target_id.is_empty()
            || !self.target_name.is_empty()
    }

    /// Create Secret Event as the form stands: no target when its three fields are empty.
    pub fn request(&self) -> CreateSecretEventRequest {
        let targets = [&self.target_type, &self.target_id, &self.target_name];
        let notification = (!targets.iter().all(|f| f.is_empty())).then(|| Notification {
            target_type: self.target_type.as_str().to_owned(),
            target_id: self.target_id.as_str().to_owned(),
            target_name: self.target_name.as_str().to_owned(),
        });
        CreateSecretEventRequest {
            name: self.name.as_str().to_owned(),
            event_types: EventType::ALL
                .iter()
                .zip(self.types)
                .filter(|(_, on)| *on)
                .map(|(t, _)| t.as_str().to_owned())
                .collect(),
            state: Some(
                if self.enabled {
                    EVENT_ENABLED
                } else {
                    EVENT_DISABLED
                }
                .to_owned(),
            ),
            notification,
        }
    }

    /// Every problem: the request's own, and a name already taken, in field order.
    pub fn problems(&self) -> Vec<FieldError> {
        let mut problems = Request::CreateSecretEvent(self.request()).problems();
        let name = self.name.as_str();
        if problems.iter().all(|p| p.field != Field::EventName)
            && self.taken.iter().any(|n| n == name)
        {
            problems.insert(0, FieldError::new(Field::EventName, t::NAME_TAKEN));
        }
        problems
    }

    /// Why `field` is refused, once the user has been there (or tried to submit).
    pub fn shown(&self, field: Field) -> Option<String> {
        let seen = self.submit_tried || self.visited.contains(&focus_of(field));
        // A taken name shows at once: it is the vault's answer, not a typing slip.
        self.problems()
            .into_iter()
            .find(|p| p.field == field)
            .filter(|p| seen || p.message == t::NAME_TAKEN)
            .map(|p| p.message)
    }

    fn visit(&mut self, focus: Focus) {
        if !self.visited.contains(&focus) {
            self.visited.push(focus);
        }
    }

    fn step(&mut self, forward: bool) {
        self.visit(self.focus);
        let at = ORDER.iter().position(|f| *f == self.focus).unwrap_or(0);
        let next = if forward {
            (at + 1) % ORDER.len()
        } else {
            (at + ORDER.len() - 1) % ORDER.len()
        };
        self.focus = ORDER[next];
    }
}

fn focus_of(field: Field) -> Focus {
    match field {
        Field::EventName => Focus::Name,
        Field::EventTypes => Focus::Types,
        Field::EventState => Focus::State,
        Field::TargetType => Focus::TargetType,
        Field::TargetId => Focus::TargetId,
        _ => Focus::TargetName,
    }
}

pub fn update(form: &mut EventFormState, action: Action, cx: &mut Cx<'_>) -> Option<Effect> {
    match (action, form.focus) {
        (Action::Back, _) if form.is_dirty() => cx.open(Dialog::Confirm(Confirm::Discard)),
        (Action::Back, _) => cx.back(),
        (Action::Submit, _) => {
            form.submit_tried = true;
            if let Some(first) = form.problems().first() {
                form.focus = focus_of(first.field);
                cx.error(ft::FIX_FIRST);
                return None;
            }
            return Some(Effect::vault(Request::CreateSecretEvent(form.request())));
        }
        (Action::NextField, _) => form.step(true),
        (Action::PrevField, _) => form.step(false),
        (Action::NextChoice | Action::PrevChoice, Focus::Types) => {
            let n = EventType::ALL.len();
            form.cursor = if action == Action::NextChoice {
                (form.cursor + 1) % n
            } else {
                (form.cursor + n - 1) % n
            };
        }
        (Action::ToggleType, Focus::Types) => {
            if let Some(on) = form.types.get_mut(form.cursor) {
                *on = !*on;
            }
            form.visit(Focus::Types);
        }
        (Action::ToggleType | Action::NextChoice | Action::PrevChoice, Focus::State) => {
            form.enabled = !form.enabled;
        }
        (action, focus) => {
            if let Some(field) = form.field(focus) {
                field.apply(action);
            }
        }
    }
    None
}

/// A paste into the focused text field (the caller cut it to one line).
pub fn paste(form: &mut EventFormState, text: &str) {
    let focus = form.focus;
    if let Some(field) = form.field(focus) {
        field.insert_str(text);
    }
}

/// The five types as rows of tick boxes, two to a row, the cursor's highlighted when focused.
fn type_rows(form: &EventFormState, width: u16) -> Vec<Line<'static>> {
    let focused = form.focus == Focus::Types;
    let cell = |i: usize| -> Span<'static> {
        let t = EventType::ALL[i].as_str();
        let short = t.strip_prefix("SECRET_").unwrap_or(t);
        let mark = if form.types[i] { "[x]" } else { "[ ]" };
        let style = if focused && form.cursor == i {
            theme::focused_button()
        } else if form.types[i] {
            theme::input()
        } else {
            theme::dim()
        };
        Span::styled(format!("{mark} {short:<16}"), style)
    };
    (0..EventType::ALL.len())
        .step_by(2)
        .enumerate()
        .map(|(row, i)| {
            let mut spans = vec![cell(i)];
            if i + 1 < EventType::ALL.len() {
                spans.push(Span::raw(" "));
                spans.push(cell(i + 1));
            }
            let label = if row == 0 { t::TYPES } else { "" };
            spans_row(label, focused && row == 0, spans, width)
        })
        .collect()
}

pub fn render(form: &EventFormState, _ctx: &Ctx<'_>, area: Rect, buf: &mut Buffer) {
    let inner = frame(t::FORM_TITLE, area, buf);
    let width = inner.width;
    let (lines, focus_at) = lines(form, width);
    // The focused field and the line under it (its problem) stay in view on a short terminal.
    let height = usize::from(inner.height);
    let start = (focus_at + 2).saturating_sub(height).min(lines.len());
    let mut rows = Rows::new(inner, buf);
    rows.lines(lines.into_iter().skip(start).collect());
}

/// Every line of the form, and the index of the focused field's first line.
fn lines(form: &EventFormState, width: u16) -> (Vec<Line<'static>>, usize) {
    let mut out: Vec<Line<'static>> = Vec::new();
    let mut focus_at = 0;
    let chars = |f: &TextField| f.as_str().chars().count();
    let fields = [
        (
            Focus::Name,
            Field::EventName,
            &form.name,
            t::NAME,
            MAX_NAME_CHARS,
        ),
        (
            Focus::TargetType,
            Field::TargetType,
            &form.target_type,
            t::TARGET_TYPE,
            MAX_TARGET_NAME_CHARS,
        ),
        (
            Focus::TargetId,
            Field::TargetId,
            &form.target_id,
            t::TARGET_ID,
            MAX_TARGET_ID_CHARS,
        ),
        (
            Focus::TargetName,
            Field::TargetName,
            &form.target_name,
            t::TARGET_NAME,
            MAX_TARGET_NAME_CHARS,
        ),
    ];
    for focus in ORDER {
        if focus == form.focus {
            focus_at = out.len();
        }
        match focus {
            Focus::Types => {
                out.extend(type_rows(form, width));
                if let Some(why) = form.shown(Field::EventTypes) {
                    out.extend(problem(&why, Some(rule_text(Field::EventTypes)), width));
                }
            }
            Focus::State => {
                let state = if form.enabled {
                    EVENT_ENABLED
                } else {
                    EVENT_DISABLED
                };
                out.push(picker_row(
                    t::STATE,
                    state,
                    form.focus == Focus::State,
                    width,
                ));
            }
            _ => {
                for (f, field, text, label, max) in &fields {
                    if *f == focus {
                        out.push(text_row(
                            text,
                            label,
                            form.focus == focus,
                            width,
                            counter(chars(text), *max, ""),
                        ));
                        if let Some(why) = form.shown(*field) {
                            out.extend(problem(&why, Some(rule_text(*field)), width));
                        }
                    }
                }
            }
        }
    }
    out.extend(indented(t::TARGET_NOTE, width, theme::dim()));
    (out, focus_at)
}
