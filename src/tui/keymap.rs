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

    // The new-version and edit forms, and the password generator.
    /// The password generator's options line (create and new-version forms).
    FormGenerator,
    /// The edit form's description.
    EditText,
    /// The edit form's key picker.
    EditPicker,
    /// A response whose Back returns to the secret (a new version, an edit).
    ResultBack,
    // The secret's lifecycle (tui-detail).
    /// A dialog's one text field (stage name, days, a name to confirm, a file path).
    DialogField,
    /// A dialog's list of choices (the stage to remove, the states to show).
    DialogPick,
    /// The response of an action on a secret: back to where it was done.
    Response,
    // Events and notification records (issue 14).
    Events,
    Records,
    /// The new-event form's name and target fields.
    EventFormText,
    /// The new-event form's types and state.
    EventFormChoice,
    // Tags (issue 14).
    /// The tag dialog's key and value.
    DialogTag,
    // Checks and the health report (issue 14).
    /// The health report screen.
    Report,
    // Sync with CSMS remotes (issue 17).
    /// The sync dialog's plan, before it runs.
    SyncPlan,
    /// The sync dialog while it waits for the remote, and its outcomes.
    SyncOutcome,
}

impl Context {
    /// Printable keys not bound here are typed into the focused input.
    pub fn accepts_text(self) -> bool {
        matches!(
            self,
            Self::Unlock
                | Self::Filter
                | Self::FormText
                | Self::FormValue
                | Self::KeyAlias
                | Self::EditText
                | Self::DialogField
                | Self::EventFormText
                | Self::DialogTag
        )
    }

    /// Whether the help can be opened here (not from a popup: it would replace it).
    pub fn opens_help(self) -> bool {
        !matches!(
            self,
            Self::KeyAlias
                | Self::Confirm
                | Self::Help
                | Self::DialogField
                | Self::DialogPick
                | Self::DialogTag
                | Self::SyncPlan
                | Self::SyncOutcome
        )
    }

    /// The heading of this context in the help screen.
    pub fn title(self) -> &'static str {
        match self {
            Self::Unlock => t::CTX_UNLOCK,
            Self::List => t::CTX_LIST,
            Self::Filter => t::CTX_FILTER,
            Self::Detail => t::CTX_DETAIL,
            Self::FormText => t::CTX_FORM_TEXT,
            Self::FormValue => t::CTX_FORM_VALUE,
            Self::FormPicker => t::CTX_FORM_PICKER,
            Self::FormButton => t::CTX_FORM_BUTTON,
            Self::Result => t::CTX_RESULT,
            Self::ResultError => t::CTX_RESULT_ERROR,
            Self::Keys => t::CTX_KEYS,
            Self::KeyAlias => t::CTX_KEY_ALIAS,
            Self::Confirm => t::CTX_CONFIRM,
            Self::Help => t::CTX_HELP,
            Self::FormGenerator => t::CTX_FORM_GENERATOR,
            Self::EditText => t::CTX_EDIT_TEXT,
            Self::EditPicker => t::CTX_EDIT_PICKER,
            Self::ResultBack => t::CTX_RESULT_BACK,
            Self::DialogField => t::CTX_DIALOG_FIELD,
            Self::DialogPick => t::CTX_DIALOG_PICK,
            Self::Response => t::CTX_RESPONSE,
            Self::Events => t::CTX_EVENTS,
            Self::Records => t::CTX_RECORDS,
            Self::EventFormText => t::CTX_EVENT_FORM_TEXT,
            Self::EventFormChoice => t::CTX_EVENT_FORM_CHOICE,
            Self::DialogTag => t::CTX_DIALOG_TAG,
            Self::Report => crate::tui::text::checks::CTX_REPORT,
            Self::SyncPlan => crate::tui::text::sync::CTX_PLAN,
            Self::SyncOutcome => crate::tui::text::sync::CTX_OUTCOME,
        }
    }
}

impl Context {
    /// The screen this context is part of, when several contexts make up one (the form's
    /// kinds of field): the help lists the keys they share once, under this heading.
    pub fn group(self) -> Option<&'static str> {
        match self {
            Self::FormText
            | Self::FormValue
            | Self::FormPicker
            | Self::FormGenerator
            | Self::FormButton => Some(t::CTX_FORM_ALL),
            Self::EditText | Self::EditPicker => Some(t::CTX_EDIT_ALL),
            Self::EventFormText | Self::EventFormChoice => Some(t::CTX_EVENT_FORM_ALL),
            _ => None,
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

/// Every context, each once, in the order the help screen lists them (and the help and keymap
/// tests check them all). The test `all_lists_every_context` matches every variant exhaustively:
/// a new variant breaks the test build until it is given its place in this list.
pub const ALL: &[Context] = &[
    Context::List,
    Context::Filter,
    Context::Detail,
    Context::FormText,
    Context::FormValue,
    Context::FormPicker,
    Context::FormGenerator,
    Context::FormButton,
    Context::EditText,
    Context::EditPicker,
    Context::Result,
    Context::ResultBack,
    Context::ResultError,
    Context::Response,
    Context::DialogField,
    Context::DialogPick,
    Context::DialogTag,
    Context::Keys,
    Context::KeyAlias,
    // Events and notification records (issue 14).
    Context::Events,
    Context::EventFormText,
    Context::EventFormChoice,
    Context::Records,
    // Checks and the health report (issue 14).
    Context::Report,
    // Sync with CSMS remotes (issue 17).
    Context::SyncPlan,
    Context::SyncOutcome,
    Context::Confirm,
    Context::Help,
    // The unlock screen's keys come last.
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

/// One entry of the footer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FooterItem {
    pub keys: String,
    /// What the keys do (the screen's state may drop the entry or say it otherwise).
    pub action: Action,
    pub what: &'static str,
    /// How to get help or get out: kept when the footer is too narrow for every entry.
    pub essential: bool,
}

/// The footer's entries for `ctx`: the context's own, then help and the way out (Esc, or `q` on
/// the list), which are the essential ones.
/// A global binding whose key the context rebinds is left out (its own binding is shown), and
/// where the context shows no help key of its own, `F1 help` is shown if help opens there.
/// Where the context has its own key for Back (Enter on a response), Esc joins it: one "back".
pub fn footer(ctx: Context) -> Vec<FooterItem> {
    let own = bindings(ctx);
    let own_back = own.iter().any(|bd| bd.footer && bd.action == Action::Back);
    let shows_help = own.iter().any(|bd| bd.footer && bd.action == Action::Help);
    let shadowed = |bd: &Binding| {
        bd.keys
            .iter()
            .any(|key| own.iter().any(|o| o.keys.contains(key)))
    };
    let esc = Key {
        code: KeyCode::Esc,
        mods: KeyModifiers::NONE,
    };
    let shown = own
        .iter()
        .filter(|bd| bd.footer)
        .chain(GLOBAL.iter().filter(|bd| {
            !(shadowed(bd) || own_back && bd.action == Action::Back)
                && (bd.footer || bd.action == Action::Help && !shows_help && ctx.opens_help())
        }));
    // 0: the context's other keys, 1: help, 2: the way out (Esc, quit); the sort is stable, so
    // each rank keeps the order of the tables.
    let rank = |bd: &Binding| {
        if bd.keys.contains(&esc)
            || bd.action == Action::Quit
            || own_back && bd.action == Action::Back
        {
            2
        } else {
            u8::from(bd.action == Action::Help)
        }
    };
    let mut items: Vec<(u8, FooterItem)> = shown
        .map(|bd| {
            let r = rank(bd);
            let mut keys = keys_label(bd);
            if own_back && bd.action == Action::Back && !bd.keys.contains(&esc) {
                keys.push_str("/Esc");
            }
            let item = FooterItem {
                keys,
                action: bd.action,
                what: bd.help,
                essential: r > 0,
            };
            (r, item)
        })
        .collect();
    items.sort_by_key(|(r, _)| *r);
    items.into_iter().map(|(_, item)| item).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where `ctx` sits in [`ALL`]. The match is exhaustive on purpose: a new variant does not
    /// compile until it gets a place here, which is the reminder to add it to [`ALL`].
    fn place(ctx: Context) -> usize {
        match ctx {
            Context::List => 0,
            Context::Filter => 1,
            Context::Detail => 2,
            Context::FormText => 3,
            Context::FormValue => 4,
            Context::FormPicker => 5,
            Context::FormGenerator => 6,
            Context::FormButton => 7,
            Context::EditText => 8,
            Context::EditPicker => 9,
            Context::Result => 10,
            Context::ResultBack => 11,
            Context::ResultError => 12,
            Context::Response => 13,
            Context::DialogField => 14,
            Context::DialogPick => 15,
            Context::DialogTag => 16,
            Context::Keys => 17,
            Context::KeyAlias => 18,
            Context::Events => 19,
            Context::EventFormText => 20,
            Context::EventFormChoice => 21,
            Context::Records => 22,
            Context::Report => 23,
            Context::SyncPlan => 24,
            Context::SyncOutcome => 25,
            Context::Confirm => 26,
            Context::Help => 27,
            Context::Unlock => 28,
        }
    }

    #[test]
    fn all_lists_every_context() {
        // Every place is taken exactly once, by the context the match gives it.
        let places: Vec<usize> = ALL.iter().map(|&ctx| place(ctx)).collect();
        assert_eq!(places, (0..ALL.len()).collect::<Vec<_>>());
    }

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        for &ctx in ALL {
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
        for &ctx in ALL {
            let esc = KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE);
            // The unlock screen has nothing to go back to: there Esc quits, and says so.
            let leave = if ctx == Context::Unlock {
                Action::Quit
            } else {
                Action::Back
            };
            assert_eq!(dispatch(ctx, &esc), Some(leave), "{ctx:?}");
            // Where the footer shows Esc, it says what Esc does here.
            // Joined to the context's own Back key, it says what that says.
            let own_back = bindings(ctx)
                .iter()
                .find(|bd| bd.footer && bd.action == Action::Back);
            let esc_says = match ctx {
                Context::Unlock => Some(t::QUIT),
                Context::List => None,
                _ => Some(own_back.map_or(t::BACK, |bd| bd.help)),
            };
            let shown = footer(ctx);
            let esc_item = shown
                .iter()
                .find(|item| item.keys.split('/').any(|k| k == "Esc"));
            assert_eq!(esc_item.map(|item| item.what), esc_says, "{ctx:?}");
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

    #[test]
    fn footer_shows_a_help_key_that_works_and_puts_help_and_the_way_out_last() {
        for &ctx in ALL {
            let shown = footer(ctx);
            let help: Vec<&FooterItem> = shown.iter().filter(|i| i.what == t::HELP).collect();
            if ctx.opens_help() {
                assert_eq!(help.len(), 1, "{ctx:?}: one help key in {shown:?}");
                // The key shown opens the help here, typing or not.
                let key = if help[0].keys == "F1" {
                    KeyEvent::new(KeyCode::F(1), KeyModifiers::NONE)
                } else {
                    KeyEvent::new(KeyCode::Char('?'), KeyModifiers::NONE)
                };
                assert_eq!(dispatch(ctx, &key), Some(Action::Help), "{ctx:?}");
            } else {
                assert!(help.is_empty(), "{ctx:?}: {shown:?}");
            }
            if ctx.accepts_text() && ctx.opens_help() {
                assert_eq!(help[0].keys, "F1", "{ctx:?}: ? would be typed");
            }
            let first_essential = shown.iter().position(|i| i.essential);
            if let Some(at) = first_essential {
                assert!(
                    shown[at..].iter().all(|i| i.essential),
                    "{ctx:?}: {shown:?}"
                );
            }
            let leaves =
                |i: &FooterItem| i.keys.split('/').any(|k| k == "Esc") || i.what == t::QUIT;
            let backs = shown.iter().filter(|i| i.action == Action::Back).count();
            assert!(backs <= 1, "{ctx:?}: one back, not two: {shown:?}");
            assert!(shown.last().is_some_and(leaves), "{ctx:?}: {shown:?}");
        }
    }
}
