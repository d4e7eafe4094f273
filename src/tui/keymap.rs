//! The keymap as data: one table per context, used to dispatch keys and to draw the help and footer.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;
use super::text::keys as t;

mod tables;

pub use tables::{GLOBAL, bindings};

/// Where the keyboard is: each screen (and each kind of form field) has its own bindings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    Unlock,
    List,
    Filter,
    Detail,
    FormText,
    FormValue,
    FormPicker,
    FormButton,
    Result,
    /// The result of a refused submit: back to the form.
    ResultError,
    Keys,
    KeyAlias,
    Confirm,
    Help,
}

impl Context {
    /// Printable keys not bound here are typed into the focused input.
    pub fn accepts_text(self) -> bool {
        matches!(
            self,
            Self::Unlock | Self::Filter | Self::FormText | Self::FormValue | Self::KeyAlias
        )
    }

    /// The heading of this context in the help screen.
    pub fn title(self) -> &'static str {
        match self {
            Self::Unlock => t::CTX_UNLOCK,
            Self::List => t::CTX_LIST,
            Self::Filter => t::CTX_FILTER,
            Self::Detail => t::CTX_DETAIL,
            Self::FormText | Self::FormValue | Self::FormPicker | Self::FormButton => t::CTX_FORM,
            Self::Result => t::CTX_RESULT,
            Self::ResultError => t::CTX_RESULT_ERROR,
            Self::Keys => t::CTX_KEYS,
            Self::KeyAlias => t::CTX_KEY_ALIAS,
            Self::Confirm => t::CTX_CONFIRM,
            Self::Help => t::CTX_HELP,
        }
    }
}

/// One key with its modifiers. For characters, Shift is part of the character itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    /// The key of an event, normalised: Shift dropped where the code already carries it.
    pub fn from_event(ev: &KeyEvent) -> Self {
        let mut mods =
            ev.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        if matches!(ev.code, KeyCode::Char(_) | KeyCode::BackTab) {
            mods.remove(KeyModifiers::SHIFT);
        }
        Self {
            code: ev.code,
            mods,
        }
    }

    /// How the key is written in the help and footer: `Ctrl+S`, `↑`, `PgDn`, `g`.
    pub fn label(self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_owned(),
            KeyCode::Char(ch) if self.mods.contains(KeyModifiers::CONTROL) => {
                ch.to_ascii_uppercase().to_string()
            }
            KeyCode::Char(ch) => ch.to_string(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift+Tab".into(),
            KeyCode::Backspace => "Bksp".into(),
            KeyCode::Delete => "Del".into(),
            KeyCode::F(n) => format!("F{n}"),
            other => format!("{other:?}"),
        };
        if self.mods.contains(KeyModifiers::CONTROL) {
            format!("Ctrl+{base}")
        } else {
            base
        }
    }
}

/// Keys bound to one action, with what the help says about it.
#[derive(Clone, Copy)]
pub struct Binding {
    pub keys: &'static [Key],
    pub action: Action,
    pub help: &'static str,
    /// Shown in the footer (the help always shows every binding).
    pub footer: bool,
}

/// Every context in the order the help screen lists them.
pub const HELP_ORDER: &[Context] = &[
    Context::List,
    Context::Filter,
    Context::Detail,
    Context::FormText,
    Context::FormValue,
    Context::FormPicker,
    Context::Result,
    Context::ResultError,
    Context::Keys,
    Context::Confirm,
    Context::Unlock,
];

/// The action a key event means in `ctx`: the context's table, then [`GLOBAL`], then typing.
pub fn dispatch(ctx: Context, ev: &KeyEvent) -> Option<Action> {
    let key = Key::from_event(ev);
    let find = |table: &'static [Binding]| {
        table
            .iter()
            .find(|bd| bd.keys.contains(&key))
            .map(|bd| bd.action)
    };
    find(bindings(ctx)).or_else(|| find(GLOBAL)).or_else(|| {
        let typing = !key
            .mods
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        match key.code {
            KeyCode::Char(ch) if typing && ctx.accepts_text() => Some(Action::Input(ch)),
            _ => None,
        }
    })
}

/// `↑/k` for a binding's keys.
pub fn keys_label(bd: &Binding) -> String {
    bd.keys
        .iter()
        .map(|key| key.label())
        .collect::<Vec<_>>()
        .join("/")
}

/// The footer's `(keys, what)` pairs for `ctx`.
pub fn footer(ctx: Context) -> Vec<(String, &'static str)> {
    bindings(ctx)
        .iter()
        .chain(GLOBAL)
        .filter(|bd| bd.footer)
        .map(|bd| (keys_label(bd), bd.help))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Context; 14] = [
        Context::Unlock,
        Context::List,
        Context::Filter,
        Context::Detail,
        Context::FormText,
        Context::FormValue,
        Context::FormPicker,
        Context::FormButton,
        Context::Result,
        Context::ResultError,
        Context::Keys,
        Context::KeyAlias,
        Context::Confirm,
        Context::Help,
    ];

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        for ctx in ALL {
            let mut seen = Vec::new();
            for bd in bindings(ctx) {
                for key in bd.keys {
                    assert!(!seen.contains(key), "{key:?} twice in {ctx:?}");
                    seen.push(*key);
                }
            }
        }
    }

    #[test]
    fn every_context_says_how_to_leave_and_dispatches_what_it_shows() {
        for ctx in ALL {
            let esc = KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE);
            assert_eq!(dispatch(ctx, &esc), Some(Action::Back), "{ctx:?}");
            for bd in bindings(ctx) {
                let key = bd.keys[0];
                let ev = KeyEvent::new(key.code, key.mods);
                assert_eq!(dispatch(ctx, &ev), Some(bd.action), "{ctx:?} {key:?}");
            }
        }
    }

    #[test]
    fn shift_is_part_of_letters_and_typing_falls_through() {
        let shifted_g = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(dispatch(Context::List, &shifted_g), Some(Action::Bottom));
        let back_tab = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(
            dispatch(Context::FormText, &back_tab),
            Some(Action::PrevField)
        );
        let q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(dispatch(Context::List, &q), Some(Action::Quit));
        assert_eq!(dispatch(Context::FormText, &q), Some(Action::Input('q')));
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(dispatch(Context::FormValue, &ctrl_c), Some(Action::Quit));
        assert_eq!(Key::from_event(&ctrl_c).label(), "Ctrl+C");
    }
}
