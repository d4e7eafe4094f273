//! Screen 3, state and behaviour: the create-secret form with live validation.
//!
//! Every change rebuilds the request and asks it for its problems (`Request::problems`), the
//! same check the vault makes; the duplicate-name check and the key picker's choices are asked
//! of the vault (`set_name_taken`, `set_choices`).

use super::Cx;
pub use super::key_picker::KeyChoice;
use super::key_picker::{self, ordered};
pub use super::value_input::{
    FileLoad, MAX_FILE_BYTES, ValueInput, ValueType, Visibility, expand_path, load_file,
};
use crate::csms::op::{KeyLookup, Request};
use crate::csms::{CreateSecretRequest, Field, FieldError};
use crate::tui::action::{Action, Effect};
use crate::tui::dialogs::{Confirm, Dialog};
use crate::tui::keymap::Context;
use crate::tui::password;
use crate::tui::text::form as t;
use crate::tui::textfield::TextField;

/// The focused part of the form, in the API's field order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    Name,
    Key,
    Description,
    Type,
    Value,
    /// The password generator's options line (shown after `Ctrl+G`).
    Generator,
    Submit,
}

const FOCUS_ORDER: [Focus; 7] = [
    Focus::Name,
    Focus::Key,
    Focus::Description,
    Focus::Type,
    Focus::Value,
    Focus::Generator,
    Focus::Submit,
];

#[derive(Debug)]
pub struct FormState {
    pub focus: Focus,
    pub name: TextField,
    pub description: TextField,
    pub value: ValueInput,
    pub choices: Vec<KeyChoice>,
    pub choice: usize,
    /// The name the vault last said is taken.
    pub taken: Option<String>,
    touched: Vec<Field>,
    submit_tried: bool,
    errors: Vec<FieldError>,
}

impl Default for FormState {
    fn default() -> Self {
        Self::new()
    }
}

impl FormState {
    /// A blank form; its key picker offers what the vault answers to `ListKeyChoices` (see
    /// [`Self::set_choices`]).
    pub fn new() -> Self {
        let mut form = Self {
            focus: Focus::Name,
            name: TextField::single(),
            description: TextField::single(),
            value: ValueInput::new(),
            choices: Vec::new(),
            choice: 0,
            taken: None,
            touched: Vec::new(),
            submit_tried: false,
            errors: Vec::new(),
        };
        form.revalidate();
        form
    }

    /// The vault's key choices (again: another process created, enabled or disabled a key):
    /// the choice kept if it is still there.
    pub fn set_choices(&mut self, choices: &[KeyChoice]) {
        let chosen = self.choices.get(self.choice).map(|c| c.alias.clone());
        self.choices = ordered(choices);
        self.choice = key_picker::position(&self.choices, chosen.as_deref());
        self.revalidate();
    }

    /// The keymap context of the focused field.
    pub fn context(&self) -> Context {
        match self.focus {
            Focus::Name | Focus::Description => Context::FormText,
            Focus::Value => self.value.context(),
            Focus::Key | Focus::Type => Context::FormPicker,
            Focus::Generator => Context::FormGenerator,
            Focus::Submit => Context::FormButton,
        }
    }

    /// Whether leaving would lose anything typed or chosen.
    pub fn is_dirty(&self) -> bool {
        !(self.name.is_empty()
            && self.description.is_empty()
            && self.value.is_blank()
            && self.choice == 0)
    }

    /// The request the form describes now.
    pub fn request(&self) -> CreateSecretRequest {
        let (secret_string, secret_binary) = self.value.request_value();
        CreateSecretRequest {
            name: self.name.as_str().to_owned(),
            kms_key_id: self.choices.get(self.choice).map(|c| c.reference.clone()),
            description: (!self.description.is_empty())
                .then(|| self.description.as_str().to_owned()),
            secret_string,
            secret_binary,
            ..CreateSecretRequest::default()
        }
    }

    /// The Create Secret request the form submits (keys named by id or alias).
    fn call(&self) -> Request {
        Request::CreateSecret {
            body: self.request(),
            keys: KeyLookup::IdOrAlias,
        }
    }

    fn revalidate(&mut self) {
        self.errors = self.call().problems();
        if self.choices.is_empty() {
            self.errors.push(FieldError {
                field: Field::KmsKeyId,
                message: t::NO_KEY.to_owned(),
            });
            self.errors.sort_by_key(|e| e.field);
        }
        if let Some(why) = self.value.file_failure() {
            let message = why.to_owned();
            self.errors.retain(|e| e.field != Field::Value);
            self.errors.push(FieldError {
                field: Field::Value,
                message,
            });
        }
        if self.taken.as_deref() == Some(self.name.as_str()) {
            self.errors.insert(
                0,
                FieldError {
                    field: Field::Name,
                    message: t::NAME_TAKEN.to_owned(),
                },
            );
        }
    }

    /// Every broken rule, whether shown yet or not.
    pub fn errors(&self) -> &[FieldError] {
        &self.errors
    }

    /// The message to show under `field`, if it is broken and the user has been there.
    pub fn shown_error(&self, field: Field) -> Option<&FieldError> {
        let shown = self.submit_tried
            || self.touched.contains(&field)
            || (field == Field::Name && self.taken.is_some());
        self.errors
            .iter()
            .find(|e| e.field == field)
            .filter(|_| shown)
    }

    /// Whether `error` is a broken rule of the API (shown with the rule after the reason), not
    /// one of the form's own findings (a taken name, no key, a file that cannot be read).
    pub fn error_has_rule(&self, error: &FieldError) -> bool {
        let own = match error.field {
            Field::Name => self.taken.as_deref() == Some(self.name.as_str()),
            Field::KmsKeyId => self.choices.is_empty(),
            Field::Value => self.value.file_failure().is_some(),
            _ => false,
        };
        !own
    }

    /// Whether to warn that the text value is empty: the API allows it, but it is rarely meant.
    /// Shown once the value has been visited or a submit was tried.
    pub fn empty_value_warning(&self) -> bool {
        self.value.is_empty_text()
            && (self.submit_tried
                || self.touched.contains(&Field::Value)
                || self.focus == Focus::Submit)
    }

    /// The vault's answer to the duplicate-name check for `name`.
    pub fn set_name_taken(&mut self, name: &str, taken: bool) {
        if taken {
            self.taken = Some(name.to_owned());
        } else if self.taken.as_deref() == Some(name) {
            self.taken = None;
        }
        self.revalidate();
    }

    /// The outcome of loading the file in file mode.
    pub fn set_file(&mut self, path: &str, load: FileLoad) {
        self.value.set_file(path, load);
        self.revalidate();
    }

    fn touch_field(&mut self, field: Field) {
        if !self.touched.contains(&field) {
            self.touched.push(field);
        }
    }

    fn touch(&mut self) {
        let field = match self.focus {
            Focus::Name => Field::Name,
            Focus::Key => Field::KmsKeyId,
            Focus::Description => Field::Description,
            Focus::Value => Field::Value,
            Focus::Type | Focus::Generator | Focus::Submit => return,
        };
        self.touch_field(field);
    }

    fn step_focus(&mut self, forward: bool) {
        self.touch();
        let order: Vec<Focus> = FOCUS_ORDER
            .into_iter()
            .filter(|&f| f != Focus::Generator || self.value.generator.is_some())
            .collect();
        let i = order.iter().position(|&f| f == self.focus).unwrap_or(0);
        self.focus = order[key_picker::step(i, order.len(), forward)];
    }

    fn editing(&mut self) -> Option<&mut TextField> {
        match self.focus {
            Focus::Name => Some(&mut self.name),
            Focus::Description => Some(&mut self.description),
            Focus::Key | Focus::Value | Focus::Type | Focus::Generator | Focus::Submit => None,
        }
    }

    fn cycle(&mut self, forward: bool) -> Option<Effect> {
        match self.focus {
            Focus::Key => {
                self.choice = key_picker::step(self.choice, self.choices.len(), forward);
                None
            }
            Focus::Type => self.value.cycle_kind(forward),
            _ => None,
        }
    }

    fn submit(&mut self) -> Option<Effect> {
        self.submit_tried = true;
        match self.errors.first() {
            None => Some(Effect::vault(self.call())),
            Some(first) => {
                self.focus = match first.field {
                    Field::Name => Focus::Name,
                    Field::KmsKeyId => Focus::Key,
                    Field::Description => Focus::Description,
                    // The form always asks for COMMON; other fields are not Create Secret's.
                    _ => Focus::Value,
                };
                None
            }
        }
    }

    /// `Ctrl+G`: the value becomes text, the options line shows (and takes the focus), and a
    /// password with its options is asked for.
    fn start_generator(&mut self) -> Effect {
        self.focus = Focus::Generator;
        self.touch_field(Field::Value);
        self.value.start_generator()
    }

    /// A generated password (or why none was): into the value, which stays as masked as it was.
    pub fn set_generated(&mut self, result: password::Outcome) {
        if self.value.generator.is_some() {
            self.value.set_generated(result);
            self.revalidate();
        }
    }

    /// Whether the last submit was refused by validation (for the status line).
    pub fn refused(&self) -> bool {
        self.submit_tried && !self.errors.is_empty()
    }
}

/// Handles an action on the form: Back leaves it (asking first when something would be lost);
/// a refused submit says so on the status line. `Help` is the caller's.
pub fn update(form: &mut FormState, action: Action, cx: &mut Cx<'_>) -> Option<Effect> {
    if action == Action::Back {
        if form.is_dirty() {
            cx.open(Dialog::Confirm(Confirm::Discard));
        } else {
            cx.back();
        }
        return None;
    }
    if action == Action::Generate && form.value.holds_typed() {
        cx.open(Dialog::Confirm(Confirm::Regenerate));
        return None;
    }
    let effect = edit(form, action);
    if action == Action::Submit && form.refused() {
        cx.error(t::FIX_FIRST);
    }
    effect
}

/// The form's own reaction to an action: focus, editing, revalidation, and the checks to run.
fn edit(form: &mut FormState, action: Action) -> Option<Effect> {
    let before_name = form.name.as_str().len();
    let load = match action {
        Action::NextField => {
            form.step_focus(true);
            None
        }
        Action::PrevField => {
            form.step_focus(false);
            None
        }
        Action::Submit => return form.submit(),
        Action::Reveal => {
            form.value.toggle_visibility();
            None
        }
        Action::Generate | Action::GenerateOver => return Some(form.start_generator()),
        _ if form.focus == Focus::Generator => return form.value.generator_key(action),
        Action::NextChoice => form.cycle(true),
        Action::PrevChoice => form.cycle(false),
        Action::Newline => {
            form.value.newline();
            None
        }
        _ if form.focus == Focus::Value => {
            let (edited, load) = form.value.edit(action);
            if !edited {
                return None;
            }
            form.touch();
            load
        }
        _ => {
            if !form.editing()?.apply(action) {
                return None;
            }
            form.touch();
            None
        }
    };
    after_edit(form, before_name, load)
}

/// A paste into the focused text field, as one edit (the caller has cut it to one line for a
/// single-line field). `None` when no text field has the focus.
pub fn paste(form: &mut FormState, text: &str) -> Option<Effect> {
    let before_name = form.name.as_str().len();
    let load = if form.focus == Focus::Value {
        form.value.paste(text)
    } else {
        form.editing()?.insert_str(text);
        None
    };
    form.touch();
    after_edit(form, before_name, load)
}

/// Whether the focused field takes line breaks (the value as text or base64).
pub fn multiline_focus(form: &FormState) -> bool {
    form.context() == Context::FormValue
}

/// Revalidates after an edit and asks for the checks it calls for: the name's, else loading
/// the file the value names (`load`).
fn after_edit(form: &mut FormState, before_name: usize, load: Option<Effect>) -> Option<Effect> {
    form.revalidate();
    let name = form.name.as_str();
    if form.focus == Focus::Name
        && name.len() != before_name
        && crate::csms::validate_name(name).is_none()
    {
        return Some(Effect::vault(Request::SecretNameExists {
            name: name.to_owned(),
        }));
    }
    load
}
