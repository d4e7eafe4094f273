//! Screen 1: unlock the vault (masked passphrase), or create one (passphrase twice, strength, match).

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};

use super::{Ctx, Cx};
use crate::csms::{self, Strength};
use crate::tui::action::{Action, Effect};
use crate::tui::text::unlock as t;
use crate::tui::textfield::TextField;
use crate::tui::{theme, widgets};
use crate::vault::new_passphrase_problem;

/// Unlocking an existing vault, or creating a new one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnlockMode {
    Unlock,
    Create,
}

/// Which passphrase input has the cursor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PassFocus {
    First,
    Repeat,
}

#[derive(Debug)]
pub struct UnlockState {
    pub mode: UnlockMode,
    pub pass: TextField,
    pub repeat: TextField,
    pub focus: PassFocus,
    pub error: Option<String>,
    /// Wrong passphrases typed here so far; the app gives up at [`MAX_TRIES`].
    pub wrong: u32,
}

/// How many wrong passphrases the unlock screen takes before the app gives up (as the command
/// line's prompt does).
pub const MAX_TRIES: u32 = 3;

impl UnlockState {
    pub fn new(mode: UnlockMode) -> Self {
        Self {
            mode,
            pass: TextField::single(),
            repeat: TextField::single(),
            focus: PassFocus::First,
            error: None,
            wrong: 0,
        }
    }

    fn field(&mut self) -> &mut TextField {
        match self.focus {
            PassFocus::First => &mut self.pass,
            PassFocus::Repeat => &mut self.repeat,
        }
    }

    /// After a failed unlock: wipe what was typed and say why.
    pub fn failed(&mut self, why: impl Into<String>) {
        self.pass.set("");
        self.repeat.set("");
        self.focus = PassFocus::First;
        self.error = Some(why.into());
    }
}

/// The strength label of a new passphrase: zxcvbn's, on the same levels as `CheckSecrets`
/// (scores 0–2 weak, 3 medium, 4 strong), so the app and the vault's check always agree.
pub fn strength(pass: &str) -> &'static str {
    match csms::strength(pass).strength {
        Strength::Weak => t::WEAK,
        Strength::Medium => t::MEDIUM,
        Strength::Strong => t::STRONG,
    }
}

/// Typing and submitting; the keymap makes Esc quit here, as there is nothing to go back to.
pub fn update(state: &mut UnlockState, action: Action, _cx: &mut Cx<'_>) -> Option<Effect> {
    match action {
        Action::NextField | Action::PrevField if state.mode == UnlockMode::Create => {
            state.focus = match state.focus {
                PassFocus::First => PassFocus::Repeat,
                PassFocus::Repeat => PassFocus::First,
            };
        }
        Action::Activate => return activate(state),
        action => {
            if matches!(action, Action::Input(_)) {
                state.error = None;
            }
            state.field().apply(action);
        }
    }
    None
}

/// A paste into the focused passphrase field (already cut to one line by the caller).
pub fn paste(state: &mut UnlockState, text: &str) {
    state.error = None;
    state.field().insert_str(text);
}

/// Why a new passphrase is refused, as the screen says it.
fn too_weak(pass: &str) -> Option<String> {
    new_passphrase_problem(pass).map(|problem| format!("{} {problem}.", t::NEW_PASSPHRASE))
}

fn activate(state: &mut UnlockState) -> Option<Effect> {
    if state.pass.is_empty() {
        state.error = Some(t::EMPTY.to_owned());
        return None;
    }
    if state.mode == UnlockMode::Create
        && let Some(why) = too_weak(state.pass.as_str())
    {
        state.focus = PassFocus::First;
        state.error = Some(why);
        return None;
    }
    match (state.mode, state.focus) {
        (UnlockMode::Unlock, _) => Some(Effect::Unlock(state.pass.to_zeroizing())),
        (UnlockMode::Create, PassFocus::First) => {
            state.focus = PassFocus::Repeat;
            None
        }
        (UnlockMode::Create, PassFocus::Repeat) => {
            if state.pass.as_str() == state.repeat.as_str() {
                Some(Effect::CreateVault(state.pass.to_zeroizing()))
            } else {
                state.error = Some(t::MISMATCH.to_owned());
                None
            }
        }
    }
}

pub fn render(state: &UnlockState, ctx: &Ctx<'_>, area: Rect, buf: &mut Buffer) {
    let vault_label = ctx.vault_label;
    let create = state.mode == UnlockMode::Create;
    let height = if create { 12 } else { 8 };
    let popup = area.centered(Constraint::Max(70), Constraint::Length(height));
    Clear.render(popup, buf);
    let title = if create {
        t::TITLE_CREATE
    } else {
        t::TITLE_UNLOCK
    };
    let block = Block::bordered()
        .title(Span::styled(format!(" {title} "), theme::title()))
        .border_style(theme::focused_border());
    let inner = block.inner(popup);
    block.render(popup, buf);

    let mut lines = vec![
        if create {
            Line::styled(t::NO_VAULT, theme::label())
        } else {
            Line::from(vec![Span::styled(
                format!("{} ", t::VAULT_AT),
                theme::label(),
            )])
        },
        Line::styled(vault_label.to_owned(), theme::dim()),
        Line::default(),
    ];
    let masked = |text: &str| "•".repeat(text.chars().count());
    let field_line = |label: &str, f: &TextField, focused: bool| {
        let style = if focused {
            theme::focused_label()
        } else {
            theme::label()
        };
        let mut spans = vec![Span::styled(format!("{label:<11}"), style)];
        if focused {
            // The cursor where it is, so Home, ← and Ctrl+U show what they do.
            let (before, after) = f.as_str().split_at(f.cursor());
            let mut after = after.chars();
            spans.push(Span::styled(masked(before), theme::input()));
            if after.next().is_some() {
                spans.push(Span::styled(
                    "•",
                    theme::input().add_modifier(ratatui::style::Modifier::REVERSED),
                ));
                spans.push(Span::styled(masked(after.as_str()), theme::input()));
            } else {
                spans.push(widgets::cursor_span());
            }
        } else {
            spans.push(Span::styled(masked(f.as_str()), theme::input()));
        }
        Line::from(spans)
    };
    lines.push(field_line(
        t::PASSPHRASE,
        &state.pass,
        state.focus == PassFocus::First,
    ));
    if create {
        lines.push(field_line(
            t::REPEAT,
            &state.repeat,
            state.focus == PassFocus::Repeat,
        ));
        lines.push(Line::default());
        // Nothing to judge before anything is typed.
        let pass = state.pass.as_str();
        lines.push(match too_weak(pass) {
            _ if pass.is_empty() => Line::default(),
            Some(why) => Line::styled(format!("✗ {why}"), theme::danger()),
            None => Line::from(vec![
                Span::styled(format!("{} ", t::STRENGTH), theme::label()),
                Span::styled(strength(pass), theme::warning()),
            ]),
        });
        lines.push(Line::styled(t::HINT, theme::dim()));
        if !state.repeat.is_empty() {
            lines.push(if state.pass.as_str() == state.repeat.as_str() {
                Line::styled(t::MATCH, theme::success())
            } else {
                Line::styled(t::MISMATCH, theme::danger())
            });
        }
    } else {
        lines.push(Line::default());
    }
    if let Some(error) = &state.error {
        lines.push(Line::styled(error.clone(), theme::danger()));
    }
    Paragraph::new(lines).render(inner, buf);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strength_is_the_vaults_check() {
        for (pass, label) in [
            ("abc", t::WEAK),
            ("password1", t::WEAK),
            ("Password123!", t::WEAK),
            ("abcdefghijklm", t::WEAK),
            ("correct horse battery staple", t::STRONG),
        ] {
            assert_eq!(strength(pass), label, "{pass}");
        }
        // The app and CheckSecrets agree, whatever the passphrase.
        for pass in [
            "password1",
            "tr0ub4dor&3",
            "Zq7-xK9-mU2",
            "correct horse battery staple",
        ] {
            let level = match csms::strength(pass).strength {
                Strength::Weak => t::WEAK,
                Strength::Medium => t::MEDIUM,
                Strength::Strong => t::STRONG,
            };
            assert_eq!(strength(pass), level, "{pass}");
        }
    }

    #[test]
    fn create_needs_matching_passphrases() {
        let mut catalog = crate::tui::catalog::Catalog::default();
        let zone = crate::tui::timefmt::Zone::utc();
        let mut cx = Cx::new(&mut catalog, &[], &zone, ratatui::layout::Size::new(80, 26));
        let cx = &mut cx;
        let mut update = |s: &mut UnlockState, action| update(s, action, cx);
        let mut s = UnlockState::new(UnlockMode::Create);
        for c in "pass".chars() {
            assert!(update(&mut s, Action::Input(c)).is_none());
        }
        // Shorter than the minimum: refused before the repeat is asked for.
        assert!(update(&mut s, Action::Activate).is_none());
        assert_eq!(s.focus, PassFocus::First);
        assert!(
            s.error
                .as_deref()
                .is_some_and(|e| e.contains("use at least 8"))
        );
        for c in "word".chars() {
            update(&mut s, Action::Input(c));
        }
        assert!(update(&mut s, Action::Activate).is_none());
        assert_eq!(s.focus, PassFocus::Repeat);
        update(&mut s, Action::Input('x'));
        assert!(update(&mut s, Action::Activate).is_none());
        assert_eq!(s.error.as_deref(), Some(t::MISMATCH));
        update(&mut s, Action::DeleteToStart);
        for c in "password".chars() {
            update(&mut s, Action::Input(c));
        }
        assert!(matches!(
            update(&mut s, Action::Activate),
            Some(Effect::CreateVault(_))
        ));
    }
}
