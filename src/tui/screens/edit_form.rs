//! The edit form (`e` on the detail screen): the secret's description (with its byte counter),
//! its KMS key (the create form's picker: the vault's choices, and the secret's own key) and its
//! rotation settings (automatic rotation, period, event subscription: [`super::edit_rotation`]),
//! checked as typed by the request itself (`Request::problems`, the vault's own check);
//! `Ctrl+S` asks for Update Secret with what changed.
//!
//! ```text
//! ┌ Edit db-password ───────────────────────────────────────┐
//! │ Description  Production PostgreSQL            34/2,048 B  │
//! │ KMS key      ◀ app/db ▶                                   │
//! │              applies to versions made from now on         │
//! │ Rotation     ◀ automatic ▶                                │
//! │ Period       30d                                          │
//! │ Event        rotation-alerts                              │
//! │ Changes      description, KMS key                         │
//! └───────────────────────────────────────────────────────────┘
//! ```

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::detail::DetailState;
use super::edit_rotation::{RotationFields, RotationFocus};
use super::field_rows::{Rows, counter, frame, indented, label, picker_row, problem, text_row};
use super::key_picker::{self, KeyChoice, exists, with_current};
use super::{Ctx, Cx, Screen};
use crate::csms::op::{KeyLookup, Request};
use crate::csms::{
    Field, FieldError, KeyInfo, KeyState, MAX_DESCRIPTION_BYTES, Secret, UpdateSecretRequest,
    rule_text,
};
use crate::tui::action::{Action, Effect};
use crate::tui::dialogs::{Confirm, Dialog};
use crate::tui::keymap::Context;
use crate::tui::text::{edit as t, form as ft};
use crate::tui::textfield::TextField;
use crate::tui::theme;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    Description,
    Key,
    // The rotation settings.
    Auto,
    Period,
    Event,
}

impl Focus {
    /// The field Tab moves to.
    fn next(self) -> Self {
        match self {
            Self::Description => Self::Key,
            Self::Key => Self::Auto,
            Self::Auto => Self::Period,
            Self::Period => Self::Event,
            Self::Event => Self::Description,
        }
    }

    /// The field Shift+Tab moves to.
    fn prev(self) -> Self {
        match self {
            Self::Description => Self::Event,
            Self::Key => Self::Description,
            Self::Auto => Self::Key,
            Self::Period => Self::Auto,
            Self::Event => Self::Period,
        }
    }

    /// The rotation row this is, if it is one.
    fn rotation(self) -> Option<RotationFocus> {
        match self {
            Self::Auto => Some(RotationFocus::Auto),
            Self::Period => Some(RotationFocus::Period),
            Self::Event => Some(RotationFocus::Event),
            Self::Description | Self::Key => None,
        }
    }

    /// Where a broken `field` is fixed.
    fn of(field: Field) -> Self {
        match field {
            Field::KmsKeyId => Self::Key,
            Field::AutoRotation => Self::Auto,
            Field::RotationPeriod => Self::Period,
            Field::EventSubscriptions => Self::Event,
            _ => Self::Description,
        }
    }
}

#[derive(Debug)]
pub struct EditFormState {
    /// The secret being edited.
    pub name: String,
    pub focus: Focus,
    pub description: TextField,
    pub choices: Vec<KeyChoice>,
    pub choice: usize,
    /// Automatic rotation, its period, the event subscription.
    pub rotation: RotationFields,
    original_description: String,
    /// The secret's key id now.
    current_key: String,
    /// What the vault offers (`ListKeyChoices`), and the keys (where the secret's own key
    /// goes among them when it is not offered).
    offered: Vec<KeyChoice>,
    keys: Vec<KeyInfo>,
    touched: bool,
    submit_tried: bool,
}

impl EditFormState {
    /// The form filled with `secret` as it is; its key picker offers the secret's own key and
    /// what the vault answers to `ListKeyChoices` (see [`Self::set_choices`]).
    pub fn new(secret: &Secret, keys: &[KeyInfo]) -> Self {
        let mut description = TextField::single();
        description.set(&secret.description);
        let mut form = Self {
            name: secret.name.clone(),
            focus: Focus::Description,
            description,
            choices: Vec::new(),
            choice: 0,
            rotation: RotationFields::new(&secret.settings),
            original_description: secret.description.clone(),
            current_key: secret.kms_key_id.clone(),
            offered: Vec::new(),
            keys: keys.to_vec(),
            touched: false,
            submit_tried: false,
        };
        form.relist();
        form
    }

    /// The vault's key choices (again): the choice kept if it is still offered.
    pub fn set_choices(&mut self, choices: &[KeyChoice]) {
        self.offered = choices.to_vec();
        self.relist();
    }

    /// The keys read again (where the secret's own key goes when it is not offered).
    pub fn set_keys(&mut self, keys: &[KeyInfo]) {
        self.keys = keys.to_vec();
        self.relist();
    }

    /// The picker's entries again, the choice kept (at first: the secret's own key).
    fn relist(&mut self) {
        let chosen = self
            .choices
            .get(self.choice)
            .map_or_else(|| self.current_key.clone(), |c| c.reference.clone());
        self.choices = with_current(&self.offered, &self.keys, &self.current_key);
        self.choice = self
            .choices
            .iter()
            .position(|c| c.reference == chosen)
            .unwrap_or_else(|| key_picker::position(&self.choices, None));
    }

    fn is_current(&self, choice: &KeyChoice) -> bool {
        choice.reference == self.current_key
    }

    pub fn context(&self) -> Context {
        match self.focus {
            Focus::Description | Focus::Period | Focus::Event => Context::EditText,
            Focus::Key | Focus::Auto => Context::EditPicker,
        }
    }

    fn description_changed(&self) -> bool {
        self.description.as_str() != self.original_description
    }

    /// The key chosen (its id, or `csms/default` before it exists), when it is not the
    /// secret's own.
    fn new_key(&self) -> Option<&str> {
        self.choices
            .get(self.choice)
            .filter(|c| !self.is_current(c))
            .map(|c| c.reference.as_str())
    }

    /// Whether leaving would lose a change.
    pub fn is_dirty(&self) -> bool {
        self.description_changed() || self.new_key().is_some() || self.rotation.is_dirty()
    }

    /// Update Secret with what changed (nothing changed: an empty request, which the API
    /// answers with the record as it is).
    pub fn request(&self) -> UpdateSecretRequest {
        let mut request = UpdateSecretRequest {
            description: self
                .description_changed()
                .then(|| self.description.as_str().to_owned()),
            kms_key_id: self.new_key().map(str::to_owned),
            ..UpdateSecretRequest::default()
        };
        self.rotation.fill(&mut request);
        request
    }

    /// Update Secret for the secret, as the form describes it (keys named by id or alias).
    fn call(&self) -> Request {
        Request::UpdateSecret {
            name: self.name.clone(),
            body: self.request(),
            keys: KeyLookup::IdOrAlias,
        }
    }

    /// Why the description is refused, once the user has been there.
    pub fn shown_problem(&self) -> Option<String> {
        self.shown(Field::Description)
    }

    /// Every broken rule, in field order: the request's own (`Request::problems`, as the vault
    /// checks them), then what only the form sees of the rotation settings.
    fn problems(&self) -> Vec<FieldError> {
        let mut problems = self.call().problems();
        problems.extend(self.rotation.problems(&self.request()));
        problems
    }

    /// Why `field` is refused, once the user has been there.
    fn shown(&self, field: Field) -> Option<String> {
        self.problems()
            .into_iter()
            .find(|p| p.field == field)
            .map(|p| p.message)
            .filter(|_| self.touched || self.submit_tried)
    }
}

/// `e` on the detail screen: the edit form, once the secret is loaded; its key picker's
/// choices are asked of the vault.
pub fn open(detail: &DetailState, cx: &mut Cx<'_>) -> Option<Effect> {
    let Some(d) = &detail.detail else {
        cx.info(t::NOT_LOADED);
        return None;
    };
    cx.push(Screen::EditForm(Box::new(EditFormState::new(
        &d.secret, cx.keys,
    ))));
    Some(Effect::vault(Request::ListKeyChoices))
}

pub fn update(form: &mut EditFormState, action: Action, cx: &mut Cx<'_>) -> Option<Effect> {
    match (action, form.focus) {
        (Action::Back, _) if form.is_dirty() => cx.open(Dialog::Confirm(Confirm::Discard)),
        (Action::Back, _) => cx.back(),
        (Action::Submit, _) => {
            form.submit_tried = true;
            if let Some(first) = form.problems().first() {
                form.focus = Focus::of(first.field);
                cx.error(ft::FIX_FIRST);
                return None;
            }
            return Some(Effect::vault(form.call()));
        }
        (Action::NextField, focus) => {
            form.touched |= focus != Focus::Key;
            form.focus = focus.next();
        }
        (Action::PrevField, focus) => {
            form.touched |= focus != Focus::Key;
            form.focus = focus.prev();
        }
        (Action::NextChoice | Action::PrevChoice, Focus::Key) => {
            let forward = action == Action::NextChoice;
            form.choice = key_picker::step(form.choice, form.choices.len(), forward);
        }
        (action, Focus::Description) => form.touched |= form.description.apply(action),
        (action, focus) => {
            if let Some(row) = focus.rotation() {
                let typed = form.rotation.apply(row, action);
                form.touched |= typed || row == RotationFocus::Auto;
            }
        }
    }
    None
}

/// A paste into the description (the caller cut it to one line).
pub fn paste(form: &mut EditFormState, text: &str) {
    if form.focus == Focus::Description {
        form.description.insert_str(text);
        form.touched = true;
    } else if let Some(row) = form.focus.rotation() {
        form.touched |= form.rotation.paste(row, text);
    }
}

/// How the picker writes an entry: the default key and the secret's own key say so.
fn key_label(form: &EditFormState, keys: &[KeyInfo]) -> String {
    let Some(choice) = form.choices.get(form.choice) else {
        return String::new();
    };
    let mut notes = Vec::new();
    if choice.default_key {
        notes.push(t::DEFAULT);
    }
    if form.is_current(choice) {
        notes.push(t::CURRENT);
    }
    let state = keys
        .iter()
        .find(|k| k.key_id == choice.reference)
        .map(|k| k.key_state);
    match state {
        None if !exists(choice) => notes.push(t::FIRST_USE),
        None => notes.push(t::KEY_GONE),
        Some(KeyState::Disabled) => notes.push(t::KEY_DISABLED),
        Some(KeyState::Enabled) => {}
    }
    if notes.is_empty() {
        choice.alias.clone()
    } else {
        format!("{} ({})", choice.alias, notes.join(", "))
    }
}

pub fn render(form: &EditFormState, ctx: &Ctx<'_>, area: Rect, buf: &mut Buffer) {
    let inner = frame(&format!("{} {}", t::TITLE, form.name), area, buf);
    let width = inner.width;
    let mut rows = Rows::new(inner, buf);
    rows.line(text_row(
        &form.description,
        ft::DESCRIPTION,
        form.focus == Focus::Description,
        width,
        counter(form.description.as_str().len(), MAX_DESCRIPTION_BYTES, " B"),
    ));
    if let Some(why) = form.shown(Field::Description) {
        rows.lines(problem(&why, Some(rule_text(Field::Description)), width));
    }
    rows.line(picker_row(
        ft::KEY,
        &key_label(form, ctx.keys),
        form.focus == Focus::Key,
        width,
    ));
    if let Some(why) = form.shown(Field::KmsKeyId) {
        rows.lines(problem(&why, Some(rule_text(Field::KmsKeyId)), width));
    } else if form.new_key().is_some() {
        rows.lines(indented(t::KEY_APPLIES, width, theme::dim()));
    }
    form.rotation
        .render(form.focus.rotation(), |f| form.shown(f), &mut rows, width);
    rows.line(Line::default());
    let mut changed = Vec::new();
    if form.description_changed() {
        changed.push(t::CHANGED_DESCRIPTION);
    }
    if form.new_key().is_some() {
        changed.push(t::CHANGED_KEY);
    }
    changed.extend(form.rotation.changes());
    let summary = if changed.is_empty() {
        t::NO_CHANGES.to_owned()
    } else {
        format!("{} · {}", changed.join(", "), t::SAVE_HINT)
    };
    // The summary wraps under the inputs, the label on its first line.
    let mut lines = indented(&summary, width, theme::dim());
    if let Some(first) = lines.first_mut()
        && let Some(indent) = first.spans.first_mut()
    {
        *indent = label(t::CHANGES, false);
    }
    rows.lines(lines);
}
