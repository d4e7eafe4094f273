//! The new-version form (`u` on the detail screen), state and behaviour: the value as in the
//! create form (type, masked value, file, `Ctrl+G` generator), stages and expiry, checked on
//! every keystroke by the request itself (`Request::problems`, the vault's own check);
//! `Ctrl+S` asks for Create Secret Version.

use super::Cx;
use super::Screen;
use super::detail::DetailState;
use super::key_picker::step;
use super::value_input::{FileLoad, ValueInput};
use crate::csms::op::Request;
use crate::csms::{CreateSecretVersionRequest, Field, MAX_STAGES, rule_text, stage_problem};
use crate::tui::action::{Action, Effect};
use crate::tui::dialogs::{Confirm, Dialog};
use crate::tui::keymap::Context;
use crate::tui::password;
use crate::tui::text::{form as ft, version as t};
use crate::tui::textfield::TextField;
use crate::tui::timefmt::{self, Zone};

/// The focused part of the form, top to bottom.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    Type,
    Value,
    Generator,
    Stages,
    Expiry,
    Submit,
}

const ORDER: [Focus; 6] = [
    Focus::Type,
    Focus::Value,
    Focus::Generator,
    Focus::Stages,
    Focus::Expiry,
    Focus::Submit,
];

/// A field that can be broken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Value,
    Stages,
    Expiry,
}

/// One broken rule: where, why, and whether the API's rule is shown after the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub part: Part,
    pub message: String,
    pub rule: Option<&'static str>,
}

#[derive(Debug)]
pub struct VersionFormState {
    /// The secret the version is for.
    pub name: String,
    pub focus: Focus,
    pub value: ValueInput,
    /// Stage names, separated by commas or spaces; empty: `SYSCURRENT`.
    pub stages: TextField,
    /// Epoch ms, or `YYYY-MM-DD[ HH:MM]` in the local zone; empty: none.
    pub expiry: TextField,
    touched: Vec<Part>,
    submit_tried: bool,
}

/// The stage names typed, in order, each once.
pub fn stage_names(text: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for name in text.split(|c: char| c == ',' || c.is_whitespace()) {
        if !name.is_empty() && !names.iter().any(|n| n == name) {
            names.push(name.to_owned());
        }
    }
    names
}

/// The expiry typed: `Ok(None)` when empty, epoch ms when it reads, else why not (whether the
/// API takes that time is the request's to say).
pub fn parse_expiry(text: &str, zone: &Zone) -> Result<Option<i64>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let ms = if text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse::<i64>()
            .map_err(|_| t::EXPIRY_TOO_LATE.to_owned())?
    } else {
        timefmt::parse_local(text, zone).ok_or_else(|| t::EXPIRY_UNREADABLE.to_owned())?
    };
    Ok(Some(ms))
}

impl VersionFormState {
    /// A blank form for a new version of `name`, the focus on the value.
    pub fn new(name: String) -> Self {
        Self {
            name,
            focus: Focus::Value,
            value: ValueInput::new(),
            stages: TextField::single(),
            expiry: TextField::single(),
            touched: Vec::new(),
            submit_tried: false,
        }
    }

    /// The keymap context of the focused field.
    pub fn context(&self) -> Context {
        match self.focus {
            Focus::Type => Context::FormPicker,
            Focus::Value => self.value.context(),
            Focus::Generator => Context::FormGenerator,
            Focus::Stages | Focus::Expiry => Context::FormText,
            Focus::Submit => Context::FormButton,
        }
    }

    /// Whether leaving would lose anything typed or chosen.
    pub fn is_dirty(&self) -> bool {
        !(self.value.is_blank() && self.stages.is_empty() && self.expiry.is_empty())
    }

    /// The request the form describes (`None` while the expiry does not read).
    pub fn request(&self, zone: &Zone) -> Option<CreateSecretVersionRequest> {
        Some(self.body(parse_expiry(self.expiry.as_str(), zone).ok()?))
    }

    /// The body with the value and stages typed and `expire_time`.
    fn body(&self, expire_time: Option<i64>) -> CreateSecretVersionRequest {
        let (secret_string, secret_binary) = self.value.request_value();
        let stages = stage_names(self.stages.as_str());
        CreateSecretVersionRequest {
            secret_string,
            secret_binary,
            version_stages: (!stages.is_empty()).then_some(stages),
            expire_time,
        }
    }

    /// Create Secret Version for the secret, as the form describes it.
    fn call(&self, expire_time: Option<i64>) -> Request {
        Request::CreateSecretVersion {
            name: self.name.clone(),
            body: self.body(expire_time),
        }
    }

    /// Every broken rule, in the API's order (value, stages, expiry): the request's problems,
    /// and what the form's own input cannot be (a file that cannot be read, a time that does
    /// not read).
    pub fn problems(&self, zone: &Zone) -> Vec<Problem> {
        let expiry = parse_expiry(self.expiry.as_str(), zone);
        let found = self.call(expiry.clone().ok().flatten()).problems();
        let of = |field: Field| found.iter().find(|p| p.field == field);
        let mut out = Vec::new();
        if let Some(why) = self.value.file_failure() {
            out.push(Problem {
                part: Part::Value,
                message: why.to_owned(),
                rule: None,
            });
        } else if let Some(p) = of(Field::Value) {
            out.push(Problem {
                part: Part::Value,
                message: p.message.clone(),
                rule: Some(rule_text(Field::Value)),
            });
        }
        let names = stage_names(self.stages.as_str());
        let bad_name = of(Field::VersionStages).map(|p| {
            // Which of the names typed it is.
            names
                .iter()
                .find(|s| stage_problem(s).is_some())
                .map_or_else(|| p.message.clone(), |s| format!("{s}: {}", p.message))
        });
        // The form's own finding: more names than any secret can hold (the vault counts the
        // secret's stages too, and answers CSMS.0203).
        let too_many =
            (names.len() > MAX_STAGES).then(|| format!("{} {}", names.len(), t::TOO_MANY_STAGES));
        if let Some(message) = bad_name.or(too_many) {
            out.push(Problem {
                part: Part::Stages,
                message,
                rule: Some(t::STAGES_RULE),
            });
        }
        let expiry_problem = match expiry {
            Err(message) => Some(message),
            Ok(Some(ms)) if of(Field::ExpireTime).is_some() => Some(if ms < 0 {
                t::EXPIRY_TOO_EARLY.to_owned()
            } else {
                t::EXPIRY_TOO_LATE.to_owned()
            }),
            Ok(_) => None,
        };
        if let Some(message) = expiry_problem {
            out.push(Problem {
                part: Part::Expiry,
                message,
                rule: Some(t::EXPIRY_RULE),
            });
        }
        out
    }

    /// The problem to show under `part`, if it is broken and the user has been there.
    pub fn shown_problem(&self, part: Part, zone: &Zone) -> Option<Problem> {
        let shown = self.submit_tried || self.touched.contains(&part);
        self.problems(zone)
            .into_iter()
            .find(|p| p.part == part)
            .filter(|_| shown)
    }

    /// Whether to warn that the text value is empty (allowed, rarely meant).
    pub fn empty_value_warning(&self) -> bool {
        self.value.is_empty_text() && (self.submit_tried || self.touched.contains(&Part::Value))
    }

    /// The outcome of loading the file in file mode.
    pub fn set_file(&mut self, path: &str, load: FileLoad) {
        self.value.set_file(path, load);
    }

    /// A generated password (or why none was): into the value, masked as it was.
    pub fn set_generated(&mut self, result: password::Outcome) {
        self.value.set_generated(result);
    }

    fn part(&self) -> Option<Part> {
        match self.focus {
            Focus::Value => Some(Part::Value),
            Focus::Stages => Some(Part::Stages),
            Focus::Expiry => Some(Part::Expiry),
            Focus::Type | Focus::Generator | Focus::Submit => None,
        }
    }

    fn touch(&mut self) {
        if let Some(part) = self.part()
            && !self.touched.contains(&part)
        {
            self.touched.push(part);
        }
    }

    fn step_focus(&mut self, forward: bool) {
        self.touch();
        let order: Vec<Focus> = ORDER
            .into_iter()
            .filter(|&f| f != Focus::Generator || self.value.generator.is_some())
            .collect();
        let i = order.iter().position(|&f| f == self.focus).unwrap_or(0);
        self.focus = order[step(i, order.len(), forward)];
    }

    fn editing(&mut self) -> Option<&mut TextField> {
        match self.focus {
            Focus::Stages => Some(&mut self.stages),
            Focus::Expiry => Some(&mut self.expiry),
            Focus::Type | Focus::Value | Focus::Generator | Focus::Submit => None,
        }
    }

    fn start_generator(&mut self) -> Effect {
        self.focus = Focus::Generator;
        if !self.touched.contains(&Part::Value) {
            self.touched.push(Part::Value);
        }
        self.value.start_generator()
    }

    /// The expiry typed, as shown, when the form is otherwise ready to submit and it is at or
    /// before `now_ms`: the app asks before creating a version already expired.
    fn past_expiry(&self, zone: &Zone, now_ms: i64) -> Option<String> {
        if !self.problems(zone).is_empty() {
            return None;
        }
        let at = parse_expiry(self.expiry.as_str(), zone).ok()??;
        (at <= now_ms).then(|| timefmt::long(at, zone))
    }

    fn submit(&mut self, zone: &Zone) -> Option<Effect> {
        self.submit_tried = true;
        if let Some(first) = self.problems(zone).first() {
            self.focus = match first.part {
                Part::Value => Focus::Value,
                Part::Stages => Focus::Stages,
                Part::Expiry => Focus::Expiry,
            };
            return None;
        }
        let expire_time = parse_expiry(self.expiry.as_str(), zone).ok()?;
        Some(Effect::vault(self.call(expire_time)))
    }
}

/// `u` on the detail screen: the form for a new version of the secret shown, and the vault's
/// strength-warning setting (checks, issue 14).
pub fn open(detail: &DetailState, cx: &mut Cx<'_>) -> Option<Effect> {
    cx.push(Screen::VersionForm(Box::new(VersionFormState::new(
        detail.name.clone(),
    ))));
    Some(Effect::vault(Request::ShowSecretsConfig))
}

/// Handles an action: Back leaves (asking first when something would be lost); a refused
/// submit says so on the status line.
pub fn update(form: &mut VersionFormState, action: Action, cx: &mut Cx<'_>) -> Option<Effect> {
    match action {
        Action::Back if form.is_dirty() => cx.open(Dialog::Confirm(Confirm::Discard)),
        Action::Generate if form.value.holds_typed() => {
            cx.open(Dialog::Confirm(Confirm::Regenerate));
        }
        Action::Back => cx.back(),
        Action::Submit | Action::SubmitPastExpiry => {
            if action == Action::Submit
                && let Some(at) = form.past_expiry(cx.zone, cx.now_ms)
            {
                cx.open(Dialog::Confirm(Confirm::PastExpiry { at }));
                return None;
            }
            let effect = form.submit(cx.zone);
            if effect.is_none() {
                cx.error(ft::FIX_FIRST);
            }
            return effect;
        }
        Action::NextField => form.step_focus(true),
        Action::PrevField => form.step_focus(false),
        Action::Reveal => form.value.toggle_visibility(),
        Action::Generate | Action::GenerateOver => return Some(form.start_generator()),
        _ if form.focus == Focus::Generator => return form.value.generator_key(action),
        Action::NextChoice | Action::PrevChoice if form.focus == Focus::Type => {
            return form.value.cycle_kind(action == Action::NextChoice);
        }
        Action::Newline if form.context() == Context::FormValue => form.value.newline(),
        _ => return edit(form, action),
    }
    None
}

/// Editing keys in the focused text field; the file to load when the path changed.
fn edit(form: &mut VersionFormState, action: Action) -> Option<Effect> {
    let load = if form.focus == Focus::Value {
        let (edited, load) = form.value.edit(action);
        if !edited {
            return None;
        }
        load
    } else if form.editing()?.apply(action) {
        None
    } else {
        return None;
    };
    form.touch();
    load
}

/// A paste into the focused text field, as one edit. `None` when no text field has the focus.
pub fn paste(form: &mut VersionFormState, text: &str) -> Option<Effect> {
    let load = if form.focus == Focus::Value {
        form.value.paste(text)
    } else {
        form.editing()?.insert_str(text);
        None
    };
    form.touch();
    load
}

/// Whether the focused field takes line breaks (the value as text or base64).
pub fn multiline_focus(form: &VersionFormState) -> bool {
    form.context() == Context::FormValue
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_split_on_commas_and_spaces_each_once() {
        assert_eq!(stage_names(" a, b  c,,a "), vec!["a", "b", "c"]);
        assert!(stage_names(" , ").is_empty());
    }

    #[test]
    fn expiry_reads_ms_or_a_local_date() {
        let utc = Zone::utc();
        assert_eq!(parse_expiry("", &utc), Ok(None));
        assert_eq!(
            parse_expiry("1767268800000", &utc),
            Ok(Some(1_767_268_800_000))
        );
        assert_eq!(
            parse_expiry("2026-01-01 12:00", &utc),
            Ok(Some(1_767_268_800_000))
        );
        assert_eq!(
            parse_expiry("2026-01-01", &utc),
            Ok(Some(1_767_225_600_000))
        );
        assert_eq!(
            parse_expiry("99999999999999", &utc),
            Ok(Some(99_999_999_999_999)),
            "too late: the request's problem"
        );
        assert!(parse_expiry("99999999999999999999", &utc).is_err());
        assert!(parse_expiry("1900-01-01", &utc).is_ok_and(|ms| ms < Some(0)));
        assert!(parse_expiry("next week", &utc).is_err());
    }
}
