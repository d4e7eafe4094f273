//! The edit form's rotation settings: automatic rotation on or off, its period, and the event
//! the secret subscribes to; what of them an Update Secret carries, and the rules only the form
//! can see (automatic rotation switched on with no period, a period emptied). The fields' own
//! forms are checked by the request itself (`csms::SettingsChange::problems`, which asks
//! `csms::rotation_period_problem`), as the vault checks them; whether the event exists is the
//! vault's to say.
//!
//! ```text
//! │ Rotation     ◀ automatic ▶                               │
//! │ Period       30d                                          │
//! │ Event        rotation-alerts                              │
//! ```

use ratatui::text::Span;

use super::field_rows::{Rows, indented, picker_row, problem, text_row};
use crate::csms::{Field, FieldError, SecretSettings, UpdateSecretRequest, rule_text};
use crate::tui::text::edit as t;
use crate::tui::textfield::TextField;
use crate::tui::theme;

/// Which of the rotation rows has the focus, if one does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RotationFocus {
    Auto,
    Period,
    Event,
}

#[derive(Debug)]
pub struct RotationFields {
    /// Automatic rotation on.
    pub auto: bool,
    pub period: TextField,
    /// The subscribed event's name; empty: none.
    pub event: TextField,
    original_auto: bool,
    original_period: String,
    original_event: String,
}

impl RotationFields {
    /// The fields filled with the secret's settings as they are.
    pub fn new(settings: &SecretSettings) -> Self {
        let original_period = settings.rotation_period.clone().unwrap_or_default();
        let original_event = settings
            .event_subscriptions
            .first()
            .cloned()
            .unwrap_or_default();
        let mut period = TextField::single();
        period.set(&original_period);
        let mut event = TextField::single();
        event.set(&original_event);
        Self {
            auto: settings.auto_rotation,
            period,
            event,
            original_auto: settings.auto_rotation,
            original_period,
            original_event,
        }
    }

    fn auto_changed(&self) -> bool {
        self.auto != self.original_auto
    }

    fn period_changed(&self) -> bool {
        self.period.as_str() != self.original_period
    }

    fn event_changed(&self) -> bool {
        self.event.as_str() != self.original_event
    }

    /// Whether leaving would lose a change.
    pub fn is_dirty(&self) -> bool {
        self.auto_changed() || self.period_changed() || self.event_changed()
    }

    /// Sets the request's rotation fields to what changed: `auto_rotation`, a new
    /// `rotation_period` (an emptied one is not sent: the API cannot clear it), and
    /// `event_subscriptions` (`[]` when the event was emptied).
    pub fn fill(&self, request: &mut UpdateSecretRequest) {
        request.auto_rotation = self.auto_changed().then_some(self.auto);
        request.rotation_period = (self.period_changed() && !self.period.is_empty())
            .then(|| self.period.as_str().to_owned());
        request.event_subscriptions = self.event_changed().then(|| {
            let event = self.event.as_str();
            if event.is_empty() {
                Vec::new()
            } else {
                vec![event.to_owned()]
            }
        });
    }

    /// The broken rules only the form sees: automatic rotation on without a period (the
    /// request's and the secret's, as the vault words it), and a period emptied.
    pub fn problems(&self, request: &UpdateSecretRequest) -> Vec<FieldError> {
        let stored = (!self.original_period.is_empty()).then_some(self.original_period.as_str());
        let mut out: Vec<FieldError> = request
            .settings()
            .missing_period(stored)
            .into_iter()
            .collect();
        if self.period.is_empty() && stored.is_some() {
            out.push(FieldError::new(Field::RotationPeriod, t::PERIOD_KEPT));
        }
        out
    }

    /// What changed, as the form's summary names it.
    pub fn changes(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.auto_changed() {
            out.push(t::CHANGED_AUTO);
        }
        if self.period_changed() {
            out.push(t::CHANGED_PERIOD);
        }
        if self.event_changed() {
            out.push(t::CHANGED_EVENT);
        }
        out
    }

    /// A key in the field that has the focus (the toggle flips on any choice key); whether the
    /// text changed.
    pub fn apply(&mut self, focus: RotationFocus, action: crate::tui::action::Action) -> bool {
        use crate::tui::action::Action as A;
        match (focus, action) {
            (RotationFocus::Auto, A::NextChoice | A::PrevChoice) => {
                self.auto = !self.auto;
                false
            }
            (RotationFocus::Period, action) => self.period.apply(action),
            (RotationFocus::Event, action) => self.event.apply(action),
            (RotationFocus::Auto, _) => false,
        }
    }

    /// Pasted text, into the period or the event.
    pub fn paste(&mut self, focus: RotationFocus, text: &str) -> bool {
        match focus {
            RotationFocus::Period => self.period.insert_str(text),
            RotationFocus::Event => self.event.insert_str(text),
            RotationFocus::Auto => return false,
        }
        true
    }

    /// The three rows, each with its problem (`shown`: the field's, once the user has been
    /// there) or, on the focused row, a hint.
    pub fn render(
        &self,
        focus: Option<RotationFocus>,
        shown: impl Fn(Field) -> Option<String>,
        rows: &mut Rows<'_>,
        width: u16,
    ) {
        let choice = if self.auto { t::AUTO_ON } else { t::AUTO_OFF };
        rows.line(picker_row(
            t::ROTATION,
            choice,
            focus == Some(RotationFocus::Auto),
            width,
        ));
        if let Some(why) = shown(Field::AutoRotation) {
            rows.lines(problem(&why, Some(rule_text(Field::AutoRotation)), width));
        }
        let none = Span::raw("");
        rows.line(text_row(
            &self.period,
            t::PERIOD,
            focus == Some(RotationFocus::Period),
            width,
            none.clone(),
        ));
        if let Some(why) = shown(Field::RotationPeriod) {
            rows.lines(problem(&why, Some(rule_text(Field::RotationPeriod)), width));
        } else if focus == Some(RotationFocus::Period) {
            rows.lines(indented(t::PERIOD_HINT, width, theme::dim()));
        }
        rows.line(text_row(
            &self.event,
            t::EVENT,
            focus == Some(RotationFocus::Event),
            width,
            none,
        ));
        if let Some(why) = shown(Field::EventSubscriptions) {
            rows.lines(problem(
                &why,
                Some(rule_text(Field::EventSubscriptions)),
                width,
            ));
        } else if focus == Some(RotationFocus::Event) {
            rows.lines(indented(t::EVENT_HINT, width, theme::dim()));
        }
    }
}
