//! The password generator of the value field (`Ctrl+G`): its options (length and character
//! classes), the request they make, how the options line changes them, and how it is drawn.
//! The drawing of the password itself is the vault's (`vault::generate_password`).

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::csms::{
    ApiError, DEFAULT_PASSWORD_LENGTH as DEFAULT_LENGTH, GeneratePasswordRequest,
    MAX_PASSWORD_LENGTH as MAX_LENGTH, PasswordClass, PasswordResponse,
};
use crate::tui::action::Action;
use crate::tui::text::password as t;
use crate::tui::textfield::TextField;
use crate::tui::theme;

/// How much `PgUp`/`PgDn` change the length.
const LENGTH_STEP: u32 = 8;

/// The generator's options; every password has at least one character of each chosen class.
#[allow(
    clippy::struct_excessive_bools,
    reason = "one switch per character class, as the API's request has"
)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Generator {
    pub length: u32,
    pub lowercase: bool,
    pub uppercase: bool,
    pub numbers: bool,
    pub punctuation: bool,
    pub space: bool,
    /// Why the last request was refused (no class left, fewer characters than classes).
    pub error: Option<String>,
}

impl Default for Generator {
    /// 32 characters of every class (space, as in the API, only when asked for).
    fn default() -> Self {
        Self {
            length: DEFAULT_LENGTH,
            lowercase: true,
            uppercase: true,
            numbers: true,
            punctuation: true,
            space: false,
            error: None,
        }
    }
}

impl Generator {
    /// The Generate Random Password request for these options.
    pub fn request(&self) -> GeneratePasswordRequest {
        GeneratePasswordRequest {
            length: Some(i64::from(self.length)),
            exclude_lowercase: !self.lowercase,
            exclude_uppercase: !self.uppercase,
            exclude_numbers: !self.numbers,
            exclude_punctuation: !self.punctuation,
            include_space: self.space,
            require_each_included_type: true,
            ..GeneratePasswordRequest::default()
        }
    }

    /// Applies an action of the options line; whether an option changed (and so a new
    /// password is due).
    pub fn apply(&mut self, action: Action) -> bool {
        let before = self.clone();
        match action {
            Action::NextChoice => self.length = (self.length + 1).min(MAX_LENGTH),
            Action::PrevChoice => self.length = self.length.saturating_sub(1).max(1),
            Action::PageUp => self.length = (self.length + LENGTH_STEP).min(MAX_LENGTH),
            Action::PageDown => self.length = self.length.saturating_sub(LENGTH_STEP).max(1),
            Action::ToggleClass(class) => {
                let on = match class {
                    PasswordClass::Lowercase => &mut self.lowercase,
                    PasswordClass::Uppercase => &mut self.uppercase,
                    PasswordClass::Numbers => &mut self.numbers,
                    PasswordClass::Punctuation => &mut self.punctuation,
                    PasswordClass::Space => &mut self.space,
                };
                *on = !*on;
            }
            _ => {}
        }
        *self != before
    }

    /// The options line after the label: `◀ 32 ▶ chars  ✓a-z ✓A-Z ✓0-9 ✓!#$ ✗space`.
    pub fn spans(&self, focused: bool) -> Vec<Span<'static>> {
        let picker = if focused {
            theme::focused_button()
        } else {
            theme::button()
        };
        let mut spans = vec![
            Span::styled(format!("◀ {} ▶", self.length), picker),
            Span::styled(format!(" {} ", t::CHARS), theme::dim()),
        ];
        let classes = [
            (self.lowercase, t::LOWER),
            (self.uppercase, t::UPPER),
            (self.numbers, t::NUMBERS),
            (self.punctuation, t::PUNCTUATION),
            (self.space, t::SPACE),
        ];
        for (on, name) in classes {
            let (mark, style) = if on {
                ("✓", Style::new())
            } else {
                ("✗", theme::dim())
            };
            spans.push(Span::styled(format!(" {mark}{name}"), style));
        }
        spans
    }

    /// The options line as one line (for tests and narrow drawing).
    pub fn line(&self, focused: bool) -> Line<'static> {
        Line::from(self.spans(focused))
    }
}

/// What the vault's generator answered.
pub type Outcome = Result<PasswordResponse, ApiError>;

/// Puts a generated password in `value` (its old contents wiped), or keeps the value and says
/// why none came.
pub fn fill(options: &mut Generator, value: &mut TextField, outcome: Outcome) {
    match outcome {
        Ok(response) => {
            value.set(&response.password);
            options.error = None;
        }
        Err(e) => options.error = Some(e.error_msg),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_bounds() {
        let mut g = Generator::default();
        let req = g.request();
        assert_eq!(req.length, Some(32));
        assert!(req.require_each_included_type && !req.include_space);
        assert!(!g.apply(Action::Up), "not an option");
        assert!(g.apply(Action::PrevChoice));
        assert_eq!(g.length, 31);
        g.length = 1;
        assert!(!g.apply(Action::PageDown), "at least one character");
        g.length = MAX_LENGTH;
        assert!(!g.apply(Action::NextChoice), "at most 255");
        assert!(g.apply(Action::ToggleClass(PasswordClass::Space)));
        assert!(g.request().include_space);
    }
}
