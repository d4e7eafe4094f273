//! The keymap's tables: which keys mean which action in each context, and the help texts.

use crate::tui::text::checks as ct;
use crossterm::event::{KeyCode, KeyModifiers};

use super::{Binding, Context, Key};
use crate::csms::PasswordClass;
use crate::tui::action::Action;
use crate::tui::text::keys as t;
use crate::tui::text::sync as st;

const fn k(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::NONE,
    }
}

const fn c(ch: char) -> Key {
    k(KeyCode::Char(ch))
}

const fn ctrl(ch: char) -> Key {
    Key {
        code: KeyCode::Char(ch),
        mods: KeyModifiers::CONTROL,
    }
}

const fn b(keys: &'static [Key], action: Action, help: &'static str, footer: bool) -> Binding {
    Binding {
        keys,
        action,
        help,
        footer,
    }
}

use Action as A;
use KeyCode as K;

/// Bindings that work on every screen.
pub const GLOBAL: &[Binding] = &[
    b(&[k(K::Esc)], A::Back, t::BACK, true),
    b(&[ctrl('c')], A::Quit, t::QUIT_NOW, false),
    b(&[k(K::F(1))], A::Help, t::HELP, false),
];

const MOVE: [Binding; 4] = [
    b(&[k(K::Up), c('k')], A::Up, t::UP, false),
    b(&[k(K::Down), c('j')], A::Down, t::DOWN, false),
    b(&[k(K::PageUp)], A::PageUp, t::PAGE_UP, false),
    b(&[k(K::PageDown)], A::PageDown, t::PAGE_DOWN, false),
];

/// The editing keys of a text field (the index names are used by the tables below).
const EDIT: [Binding; 8] = [
    b(&[k(K::Left)], A::Left, t::CURSOR_LEFT, false),
    b(&[k(K::Right)], A::Right, t::CURSOR_RIGHT, false),
    b(&[k(K::Home), ctrl('a')], A::Home, t::LINE_START, false),
    b(&[k(K::End), ctrl('e')], A::End, t::LINE_END, false),
    b(&[k(K::Backspace)], A::Backspace, t::DELETE_BACK, false),
    b(&[k(K::Delete)], A::Delete, t::DELETE_FORWARD, false),
    b(&[ctrl('u')], A::DeleteToStart, t::DELETE_TO_START, false),
    b(&[ctrl('w')], A::DeleteWordBack, t::DELETE_WORD, false),
];

const UNLOCK: &[Binding] = &[
    b(&[k(K::Enter)], A::Activate, t::UNLOCK, true),
    b(&[k(K::Tab), k(K::Down)], A::NextField, t::NEXT_FIELD, false),
    b(
        &[k(K::BackTab), k(K::Up)],
        A::PrevField,
        t::PREV_FIELD,
        false,
    ),
    EDIT[0],
    EDIT[1],
    EDIT[2],
    EDIT[3],
    EDIT[4],
    EDIT[5],
    EDIT[6],
    EDIT[7],
    // Nothing to go back to: Esc leaves the app.
    b(&[k(K::Esc)], A::Quit, t::QUIT, true),
];

const LIST: &[Binding] = &[
    MOVE[0],
    MOVE[1],
    MOVE[2],
    MOVE[3],
    b(&[c('g'), k(K::Home)], A::Top, t::TOP, false),
    b(&[c('G'), k(K::End)], A::Bottom, t::BOTTOM, false),
    b(&[k(K::Enter)], A::Activate, t::DETAILS, true),
    b(&[c('/')], A::Filter, t::FILTER, true),
    b(&[c('n')], A::NewSecret, t::NEW_SECRET, true),
    // The footer keeps keys in this order while they fit: at 100 columns up to `K`, so `U`
    // (the secret's lifecycle, tui-detail) and `c` come before `y` and `s`.
    b(&[c('U')], A::RestoreBlob, t::RESTORE_BLOB, true),
    // The whole-vault backup (issue 16): in the help, not the footer (which is full).
    b(&[c('B')], A::BackupVault, t::BACKUP_VAULT, false),
    b(&[c('c')], A::CopyValue, t::COPY_VALUE, true),
    b(&[c('K')], A::KeysScreen, t::KEYS_SCREEN, true),
    b(&[c('y')], A::CopyRecord, t::COPY_RECORD, true),
    b(&[c('s')], A::Sort, t::SORT, true),
    // The secret's lifecycle (tui-detail).
    b(&[c('X')], A::StateFilter, t::STATE_FILTER, true),
    // Events and notification records (issue 14).
    b(&[c('E')], A::EventsScreen, t::EVENTS_SCREEN, true),
    b(&[c('N')], A::RecordsScreen, t::RECORDS_SCREEN, true),
    // Checks and the health report (issue 14).
    b(&[c('H')], A::HealthReport, ct::HEALTH_REPORT, true),
    // Sync with CSMS remotes (issue 17): in the help, not the footer (which is full).
    b(&[c('S')], A::Sync, st::SYNC_ALL, false),
    b(&[c('?')], A::Help, t::HELP, true),
    b(&[c('q')], A::Quit, t::QUIT, true),
    // The top screen: nothing to go back to, Esc only drops the filter (and `q` is the way out).
    b(&[k(K::Esc)], A::Back, t::CLEAR_FILTER, false),
];

const FILTER: &[Binding] = &[
    b(&[k(K::Enter)], A::Activate, t::FILTER_KEEP, true),
    b(&[k(K::Up)], A::Up, t::UP, false),
    b(&[k(K::Down)], A::Down, t::DOWN, false),
    MOVE[2],
    MOVE[3],
    EDIT[4],
    EDIT[6],
    EDIT[7],
];

const DETAIL: &[Binding] = &[
    b(&[k(K::Up), c('k')], A::Up, t::VERSION_UP, false),
    b(&[k(K::Down), c('j')], A::Down, t::VERSION_DOWN, false),
    b(&[k(K::PageUp)], A::PageUp, t::RECORD_UP, false),
    b(&[k(K::PageDown)], A::PageDown, t::RECORD_DOWN, false),
    // The secret's lifecycle (tui-detail).
    b(&[ctrl('r')], A::Reveal, t::REVEAL_VERSION, true),
    b(&[c('c')], A::CopyValue, t::COPY_VERSION, true),
    // The new-version and edit forms.
    b(&[c('u')], A::NewVersion, t::NEW_VERSION, true),
    b(&[c('e')], A::EditSecret, t::EDIT_SECRET, true),
    // Rotation.
    b(&[c('R')], A::RotateNow, t::ROTATE_NOW, true),
    b(&[c('t')], A::SetStage, t::SET_STAGE, true),
    b(&[c('T')], A::RemoveStage, t::REMOVE_STAGE, true),
    b(&[c('x')], A::ToggleEnabled, t::TOGGLE_ENABLED, true),
    b(&[c('d')], A::ScheduleDelete, t::SCHEDULE_DELETE, true),
    b(&[c('r')], A::RestoreSecret, t::RESTORE, true),
    b(&[c('D')], A::DeleteNow, t::DELETE_NOW, true),
    b(&[c('b')], A::Backup, t::BACKUP, true),
    b(&[c('y')], A::CopyRecord, t::COPY_RECORD, true),
    // Tags (issue 14).
    b(&[c('g')], A::SetTag, t::SET_TAG, true),
    b(&[c('G')], A::RemoveTag, t::REMOVE_TAG, true),
    // Sync with CSMS remotes (issue 17).
    b(&[c('S')], A::Sync, st::SYNC_ONE, true),
    b(&[c('?')], A::Help, t::HELP, true),
];
/// The sync dialog's plan (issue 17): run it or cancel, scroll it.
const SYNC_PLAN: &[Binding] = &[
    b(&[k(K::Enter), c('y')], A::Yes, st::RUN_PLAN, true),
    b(&[c('n')], A::No, st::CANCEL, false),
    b(&[k(K::Esc)], A::Back, st::CANCEL, true),
    b(&[k(K::Up), c('k')], A::Up, st::SCROLL_UP, false),
    b(&[k(K::Down), c('j')], A::Down, st::SCROLL_DOWN, false),
    b(&[k(K::PageUp)], A::PageUp, t::PAGE_UP, false),
    b(&[k(K::PageDown)], A::PageDown, t::PAGE_DOWN, false),
];
/// The sync dialog while it waits, and its outcomes (issue 17).
const SYNC_OUTCOME: &[Binding] = &[
    b(&[k(K::Esc), k(K::Enter)], A::Back, st::CLOSE, true),
    b(&[k(K::Up), c('k')], A::Up, st::SCROLL_UP, false),
    b(&[k(K::Down), c('j')], A::Down, st::SCROLL_DOWN, false),
    b(&[k(K::PageUp)], A::PageUp, t::PAGE_UP, false),
    b(&[k(K::PageDown)], A::PageDown, t::PAGE_DOWN, false),
];

const FORM_COMMON: [Binding; 4] = [
    b(&[k(K::Tab)], A::NextField, t::NEXT_FIELD, true),
    b(&[k(K::BackTab)], A::PrevField, t::PREV_FIELD, false),
    b(&[ctrl('s')], A::Submit, t::SUBMIT, true),
    b(&[ctrl('r')], A::Reveal, t::REVEAL, true),
];

const FORM_TEXT: &[Binding] = &[
    FORM_COMMON[0],
    FORM_COMMON[1],
    FORM_COMMON[2],
    FORM_COMMON[3],
    b(
        &[k(K::Enter), k(K::Down)],
        A::NextField,
        t::NEXT_FIELD,
        false,
    ),
    b(&[k(K::Up)], A::PrevField, t::PREV_FIELD, false),
    EDIT[0],
    EDIT[1],
    EDIT[2],
    EDIT[3],
    EDIT[4],
    EDIT[5],
    EDIT[6],
    EDIT[7],
];

const FORM_VALUE: &[Binding] = &[
    FORM_COMMON[0],
    FORM_COMMON[1],
    FORM_COMMON[2],
    FORM_COMMON[3],
    b(&[ctrl('g')], A::Generate, t::GENERATE, true),
    b(&[k(K::Enter)], A::Newline, t::NEWLINE, false),
    b(&[k(K::Up)], A::Up, t::LINE_UP, false),
    b(&[k(K::Down)], A::Down, t::LINE_DOWN, false),
    EDIT[0],
    EDIT[1],
    EDIT[2],
    EDIT[3],
    EDIT[4],
    EDIT[5],
    EDIT[6],
    EDIT[7],
];

const FORM_PICKER: &[Binding] = &[
    b(&[k(K::Right), c(' ')], A::NextChoice, t::NEXT_CHOICE, true),
    b(&[k(K::Left)], A::PrevChoice, t::PREV_CHOICE, true),
    FORM_COMMON[0],
    FORM_COMMON[1],
    FORM_COMMON[2],
    FORM_COMMON[3],
    b(
        &[k(K::Enter), k(K::Down)],
        A::NextField,
        t::NEXT_FIELD,
        false,
    ),
    b(&[k(K::Up)], A::PrevField, t::PREV_FIELD, false),
    b(&[c('?')], A::Help, t::HELP, false),
];

const FORM_BUTTON: &[Binding] = &[
    b(&[k(K::Enter)], A::Submit, t::SUBMIT, true),
    FORM_COMMON[0],
    FORM_COMMON[1],
    FORM_COMMON[2],
    FORM_COMMON[3],
    b(&[k(K::Up)], A::PrevField, t::PREV_FIELD, false),
    b(&[c('?')], A::Help, t::HELP, false),
];

const RESULT: &[Binding] = &[
    b(&[c('y')], A::CopyBody, t::COPY_BODY, true),
    b(&[c('i')], A::CopyId, t::COPY_ID, true),
    b(&[k(K::Enter)], A::Back, t::RESULT_BACK, true),
    b(&[c('n')], A::Another, t::ANOTHER, true),
    MOVE[0],
    MOVE[1],
    b(&[c('?')], A::Help, t::HELP, true),
];

const RESULT_ERROR: &[Binding] = &[
    b(&[c('y')], A::CopyBody, t::COPY_BODY, true),
    b(&[k(K::Enter), c('n')], A::Back, t::TO_FORM, true),
    MOVE[0],
    MOVE[1],
    b(&[c('?')], A::Help, t::HELP, true),
];

const KEYS: &[Binding] = &[
    MOVE[0],
    MOVE[1],
    b(&[c('n')], A::NewKey, t::NEW_KEY, true),
    b(&[c('e')], A::EnableKey, t::ENABLE_KEY, true),
    b(&[c('d')], A::DisableKey, t::DISABLE_KEY, true),
    b(&[c('?')], A::Help, t::HELP, true),
];

const KEY_ALIAS: &[Binding] = &[
    b(&[k(K::Enter)], A::Activate, t::CREATE_KEY, true),
    EDIT[0],
    EDIT[1],
    EDIT[2],
    EDIT[3],
    EDIT[4],
    EDIT[5],
    EDIT[6],
    EDIT[7],
];

const CONFIRM: &[Binding] = &[
    b(&[c('y'), k(K::Enter)], A::Yes, t::YES, true),
    b(&[c('n')], A::No, t::NO, true),
];

const HELP: &[Binding] = &[
    b(&[k(K::Up), c('k')], A::Up, t::SCROLL_UP, true),
    b(&[k(K::Down), c('j')], A::Down, t::SCROLL_DOWN, true),
    MOVE[2],
    MOVE[3],
    b(&[c('g'), k(K::Home)], A::Top, t::TOP_OF_HELP, false),
    b(&[c('G'), k(K::End)], A::Bottom, t::BOTTOM_OF_HELP, false),
    b(&[c('?'), c('q')], A::Back, t::CLOSE, true),
];

// The new-version and edit forms, and the password generator.

const FORM_GENERATOR: &[Binding] = &[
    b(&[k(K::Right)], A::NextChoice, t::LONGER, true),
    b(&[k(K::Left)], A::PrevChoice, t::SHORTER, true),
    b(&[k(K::PageUp)], A::PageUp, t::LONGER_8, false),
    b(&[k(K::PageDown)], A::PageDown, t::SHORTER_8, false),
    b(
        &[c('l')],
        A::ToggleClass(PasswordClass::Lowercase),
        t::TOGGLE_LOWER,
        true,
    ),
    b(
        &[c('u')],
        A::ToggleClass(PasswordClass::Uppercase),
        t::TOGGLE_UPPER,
        true,
    ),
    b(
        &[c('n')],
        A::ToggleClass(PasswordClass::Numbers),
        t::TOGGLE_NUMBERS,
        true,
    ),
    b(
        &[c('p')],
        A::ToggleClass(PasswordClass::Punctuation),
        t::TOGGLE_PUNCTUATION,
        true,
    ),
    b(
        &[c('s')],
        A::ToggleClass(PasswordClass::Space),
        t::TOGGLE_SPACE,
        true,
    ),
    b(&[ctrl('g')], A::Generate, t::REGENERATE, true),
    FORM_COMMON[0],
    FORM_COMMON[1],
    FORM_COMMON[2],
    FORM_COMMON[3],
    b(
        &[k(K::Enter), k(K::Down)],
        A::NextField,
        t::NEXT_FIELD,
        false,
    ),
    b(&[k(K::Up)], A::PrevField, t::PREV_FIELD, false),
    b(&[c('?')], A::Help, t::HELP, false),
];

const EDIT_TEXT: &[Binding] = &[
    FORM_COMMON[0],
    FORM_COMMON[1],
    b(&[ctrl('s')], A::Submit, t::SAVE, true),
    b(
        &[k(K::Enter), k(K::Down)],
        A::NextField,
        t::NEXT_FIELD,
        false,
    ),
    b(&[k(K::Up)], A::PrevField, t::PREV_FIELD, false),
    EDIT[0],
    EDIT[1],
    EDIT[2],
    EDIT[3],
    EDIT[4],
    EDIT[5],
    EDIT[6],
    EDIT[7],
];

const EDIT_PICKER: &[Binding] = &[
    b(&[k(K::Right), c(' ')], A::NextChoice, t::NEXT_CHOICE, true),
    b(&[k(K::Left)], A::PrevChoice, t::PREV_CHOICE, true),
    FORM_COMMON[0],
    FORM_COMMON[1],
    b(&[ctrl('s')], A::Submit, t::SAVE, true),
    b(
        &[k(K::Enter), k(K::Down)],
        A::NextField,
        t::NEXT_FIELD,
        false,
    ),
    b(&[k(K::Up)], A::PrevField, t::PREV_FIELD, false),
    b(&[c('?')], A::Help, t::HELP, false),
];

const RESULT_BACK: &[Binding] = &[
    b(&[c('y')], A::CopyBody, t::COPY_BODY, true),
    b(&[c('i')], A::CopyId, t::COPY_ID, true),
    b(&[k(K::Enter), c('n')], A::Back, t::TO_SECRET, true),
    MOVE[0],
    MOVE[1],
    b(&[c('?')], A::Help, t::HELP, true),
];

// The secret's lifecycle (tui-detail): dialogs and the response of an action.

const DIALOG_FIELD: &[Binding] = &[
    b(&[k(K::Enter)], A::Activate, t::CONFIRM_DIALOG, true),
    EDIT[0],
    EDIT[1],
    EDIT[2],
    EDIT[3],
    EDIT[4],
    EDIT[5],
    EDIT[6],
    EDIT[7],
];

const DIALOG_PICK: &[Binding] = &[
    b(&[k(K::Enter)], A::Activate, t::CHOOSE, true),
    b(&[k(K::Up), c('k')], A::Up, t::UP, false),
    b(&[k(K::Down), c('j')], A::Down, t::DOWN, false),
];

const RESPONSE: &[Binding] = &[
    b(&[c('y')], A::CopyBody, t::COPY_BODY, true),
    b(&[k(K::Enter)], A::Back, t::BACK, true),
    MOVE[0],
    MOVE[1],
    b(&[c('?')], A::Help, t::HELP, true),
];

// Events and notification records (issue 14).

const EVENTS: &[Binding] = &[
    MOVE[0],
    MOVE[1],
    b(&[c('n')], A::NewEvent, t::NEW_EVENT, true),
    b(&[c('x')], A::ToggleEvent, t::TOGGLE_EVENT, true),
    b(&[c('D')], A::DeleteEvent, t::DELETE_EVENT, true),
    b(&[c('?')], A::Help, t::HELP, true),
];

const RECORDS: &[Binding] = &[
    MOVE[0],
    MOVE[1],
    MOVE[2],
    MOVE[3],
    b(&[c('g'), k(K::Home)], A::Top, t::TOP, false),
    b(&[c('G'), k(K::End)], A::Bottom, t::BOTTOM, false),
    b(&[c('?')], A::Help, t::HELP, true),
];

const EVENT_FORM_TEXT: &[Binding] = &[
    FORM_COMMON[0],
    FORM_COMMON[1],
    b(&[ctrl('s')], A::Submit, t::CREATE_EVENT, true),
    b(
        &[k(K::Enter), k(K::Down)],
        A::NextField,
        t::NEXT_FIELD,
        false,
    ),
    b(&[k(K::Up)], A::PrevField, t::PREV_FIELD, false),
    EDIT[0],
    EDIT[1],
    EDIT[2],
    EDIT[3],
    EDIT[4],
    EDIT[5],
    EDIT[6],
    EDIT[7],
];

const EVENT_FORM_CHOICE: &[Binding] = &[
    b(&[c(' ')], A::ToggleType, t::TOGGLE_TYPE, true),
    b(&[k(K::Right)], A::NextChoice, t::NEXT_TYPE, true),
    b(&[k(K::Left)], A::PrevChoice, t::PREV_TYPE, false),
    FORM_COMMON[0],
    FORM_COMMON[1],
    b(&[ctrl('s')], A::Submit, t::CREATE_EVENT, true),
    b(
        &[k(K::Enter), k(K::Down)],
        A::NextField,
        t::NEXT_FIELD,
        false,
    ),
    b(&[k(K::Up)], A::PrevField, t::PREV_FIELD, false),
    b(&[c('?')], A::Help, t::HELP, false),
];

// Tags (issue 14).

const DIALOG_TAG: &[Binding] = &[
    b(&[k(K::Enter)], A::Activate, t::SAVE_TAG, true),
    b(&[k(K::Tab), k(K::Down)], A::NextField, t::NEXT_FIELD, true),
    b(
        &[k(K::BackTab), k(K::Up)],
        A::PrevField,
        t::PREV_FIELD,
        false,
    ),
    EDIT[0],
    EDIT[1],
    EDIT[2],
    EDIT[3],
    EDIT[4],
    EDIT[5],
    EDIT[6],
    EDIT[7],
];

// Checks and the health report (issue 14).

const REPORT: &[Binding] = &[
    MOVE[0],
    MOVE[1],
    MOVE[2],
    MOVE[3],
    b(&[c('g'), k(K::Home)], A::Top, t::TOP, false),
    b(&[c('G'), k(K::End)], A::Bottom, t::BOTTOM, false),
    b(&[k(K::Enter)], A::Activate, ct::OPEN_SECRET, true),
    b(&[c('r')], A::HealthReport, ct::RUN_AGAIN, true),
    b(&[c('s')], A::ToggleStrengthCheck, ct::TOGGLE_STRENGTH, true),
    b(&[c('?')], A::Help, t::HELP, true),
];

/// The bindings of a context (without [`GLOBAL`]).
pub fn bindings(ctx: Context) -> &'static [Binding] {
    match ctx {
        Context::Unlock => UNLOCK,
        Context::List => LIST,
        Context::Filter => FILTER,
        Context::Detail => DETAIL,
        Context::FormText => FORM_TEXT,
        Context::FormValue => FORM_VALUE,
        Context::FormPicker => FORM_PICKER,
        Context::FormButton => FORM_BUTTON,
        Context::Result => RESULT,
        Context::ResultError => RESULT_ERROR,
        Context::Keys => KEYS,
        Context::KeyAlias => KEY_ALIAS,
        Context::Confirm => CONFIRM,
        Context::Help => HELP,
        Context::DialogField => DIALOG_FIELD,
        Context::DialogPick => DIALOG_PICK,
        Context::Response => RESPONSE,
        Context::FormGenerator => FORM_GENERATOR,
        Context::EditText => EDIT_TEXT,
        Context::EditPicker => EDIT_PICKER,
        Context::ResultBack => RESULT_BACK,
        Context::DialogTag => DIALOG_TAG,
        Context::Report => REPORT,
        Context::SyncPlan => SYNC_PLAN,
        Context::SyncOutcome => SYNC_OUTCOME,
        Context::Events => EVENTS,
        Context::Records => RECORDS,
        Context::EventFormText => EVENT_FORM_TEXT,
        Context::EventFormChoice => EVENT_FORM_CHOICE,
    }
}
