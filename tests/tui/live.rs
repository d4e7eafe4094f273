//! The terminal app as time passes and input arrives in other shapes than single keys, through
//! `Session` with a test clock: the idle lock, other processes' commits, pastes, the editing
//! keys of text fields, the help's sections and the create-vault screen's passphrase rule.

use std::time::Duration;

use crossterm::event::KeyCode;
use zeroize::Zeroizing;

use crate::support::{Harness, PASSPHRASE};
use csvault::csms::{CreateSecretRequest, CreateSecretVersionRequest, KeyState};
use csvault::tui::app::{ListMode, Screen};
use csvault::tui::dialogs::Dialog;
use csvault::tui::screens::form::{FormState, ValueType};
use csvault::tui::text;
use csvault::vault::Vault;

fn form(h: &Harness) -> &FormState {
    match &h.session.app.screen {
        Screen::Form(f) => f,
        other => panic!("expected the form, got {other:?}"),
    }
}

fn selected_name(h: &Harness) -> Option<String> {
    h.session
        .app
        .catalog
        .selected_row()
        .map(|r| r.name.to_string())
}

fn status(h: &Harness) -> String {
    h.session
        .app
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

fn request(name: &str) -> CreateSecretRequest {
    CreateSecretRequest {
        name: name.into(),
        secret_string: Some(Zeroizing::new("v".into())),
        ..CreateSecretRequest::default()
    }
}

/// The same vault opened by "another process": its own connection and keys.
fn other(h: &Harness) -> Vault {
    Vault::open(&h.path, PASSPHRASE.as_bytes()).unwrap()
}

const SECOND: Duration = Duration::from_secs(1);

#[test]
fn idle_lock_drops_the_vault_clears_the_copy_and_asks_for_the_passphrase_again() {
    // Copies stay longer than the lock waits, so it is the lock that clears this one.
    let mut h = Harness::unlocked_with(Duration::from_hours(1), Duration::from_mins(10)).unwrap();
    h.create("db-password", "", "hunter2-value");
    h.press(KeyCode::Esc);
    h.advance(Duration::from_secs(599));
    assert!(h.session.is_unlocked(), "not yet");
    h.chr('c');
    assert_eq!(h.clipboard.contents().as_deref(), Some("hunter2-value"));
    h.advance(Duration::from_secs(599));
    assert!(h.session.is_unlocked(), "a key press restarts the count");
    h.advance(2 * SECOND);

    assert!(!h.session.is_unlocked(), "the vault (and its keys) dropped");
    assert_eq!(h.clipboard.contents(), None, "the copied value cleared");
    let Screen::Unlock(u) = &h.session.app.screen else {
        panic!("the unlock screen, not {:?}", h.session.app.screen)
    };
    assert_eq!(u.error.as_deref(), Some(text::unlock::LOCKED));
    assert!(h.session.app.below.is_empty());
    assert_eq!(h.session.app.catalog.total(), 0, "nothing read stays shown");
    assert_eq!(status(&h), text::status::CLEARED);
    let frame = h.frame(100, 30);
    assert!(!frame.contains("db-password"), "{frame}");

    // The passphrase came from the session's start (as from the environment): asked anyway.
    h.advance(Duration::from_hours(1));
    assert!(matches!(h.session.app.screen, Screen::Unlock(_)));
    h.type_str(PASSPHRASE);
    h.press(KeyCode::Enter);
    assert!(matches!(
        h.session.app.screen,
        Screen::List(ListMode::Browse)
    ));
    assert_eq!(selected_name(&h).as_deref(), Some("db-password"));
    assert!(h.session.is_unlocked());
}

#[test]
fn idle_lock_also_closes_forms_and_popups() {
    let mut h = Harness::unlocked_with(Duration::from_secs(30), Duration::from_secs(5)).unwrap();
    h.chr('n');
    h.type_str("half-typed");
    h.press(KeyCode::F(1));
    h.advance(6 * SECOND);
    assert!(matches!(h.session.app.screen, Screen::Unlock(_)));
    assert!(h.session.app.overlay.is_none());
    assert!(h.session.app.below.is_empty(), "the form is gone");
}

#[test]
fn another_process_commit_appears_keeping_selection_and_filter() {
    let mut h = Harness::unlocked().unwrap();
    for name in ["alpha-1", "alpha-3", "beta"] {
        h.create(name, "", "v");
        h.press(KeyCode::Esc);
    }
    h.chr('/');
    h.type_str("alpha");
    h.press(KeyCode::Enter);
    h.chr('G');
    assert_eq!(selected_name(&h).as_deref(), Some("alpha-3"));
    h.advance(SECOND);

    other(&h).create_secret(&request("alpha-2")).unwrap();
    h.advance(Duration::from_millis(250));
    let cat = &h.session.app.catalog;
    assert_eq!((cat.total(), cat.visible_len()), (4, 3), "appeared");
    assert_eq!(cat.query(), "alpha", "filter kept");
    assert_eq!(
        selected_name(&h).as_deref(),
        Some("alpha-3"),
        "selection kept"
    );
    assert!(h.frame(100, 30).contains("alpha-2"));

    // Nothing changed: nothing re-read (the list stays as it is).
    h.chr('k');
    h.advance(SECOND);
    assert_eq!(selected_name(&h).as_deref(), Some("alpha-2"));
}

#[test]
fn a_screen_below_the_top_follows_another_process_commit() {
    let mut h = Harness::unlocked().unwrap();
    h.create("db", "", "v1");
    h.press(KeyCode::Esc);
    h.press(KeyCode::Enter);
    h.chr('u');
    assert!(matches!(h.session.app.screen, Screen::VersionForm(_)));
    h.advance(SECOND);

    let elsewhere = other(&h);
    let req = CreateSecretVersionRequest {
        secret_string: Some(Zeroizing::new("v2".into())),
        ..CreateSecretVersionRequest::default()
    };
    elsewhere.create_version("db", &req).unwrap();
    h.advance(Duration::from_millis(250));
    let versions_below = h.session.app.below.iter().find_map(|screen| match screen {
        Screen::Detail(state) => state.detail.as_ref().map(|d| d.versions.len()),
        _ => None,
    });
    assert_eq!(
        versions_below,
        Some(2),
        "the detail under the form was refreshed while the form stayed on top"
    );
    assert!(matches!(h.session.app.screen, Screen::VersionForm(_)));
}

#[test]
fn the_form_notices_a_name_taken_and_a_key_disabled_elsewhere() {
    let mut h = Harness::unlocked().unwrap();
    let elsewhere = other(&h);
    elsewhere.create_key("team/a", "").unwrap();
    h.chr('n');
    h.type_str("shared-name");
    h.advance(SECOND);
    let aliases =
        |h: &Harness| -> Vec<String> { form(h).choices.iter().map(|c| c.alias.clone()).collect() };
    assert_eq!(aliases(&h), ["csms/default", "team/a"], "a new key offered");
    h.press(KeyCode::Tab);
    h.press(KeyCode::Right);
    assert_eq!(form(&h).choice, 1);

    elsewhere.create_secret(&request("shared-name")).unwrap();
    elsewhere
        .set_key_state("team/a", KeyState::Disabled)
        .unwrap();
    h.advance(SECOND);
    assert_eq!(aliases(&h), ["csms/default"], "the disabled key is gone");
    assert_eq!(form(&h).choice, 0);
    assert!(
        form(&h)
            .errors()
            .iter()
            .any(|e| e.message == text::form::NAME_TAKEN),
        "the name now taken: {:?}",
        form(&h).errors()
    );
    assert_eq!(h.session.app.catalog.total(), 1, "the list has it too");
}

#[test]
fn the_keys_screen_refreshes_with_its_counts() {
    let mut h = Harness::unlocked().unwrap();
    h.create("s1", "", "v");
    h.press(KeyCode::Esc);
    h.chr('K');
    h.press(KeyCode::Down);
    let elsewhere = other(&h);
    elsewhere.create_key("team/b", "").unwrap();
    h.advance(SECOND);
    let keys = &h.session.app.keys;
    assert_eq!(keys.len(), 2);
    assert!(keys.iter().any(|k| k.key_alias == "team/b"));
    let usage = h.session.app.key_usage.as_ref().unwrap();
    assert_eq!(usage.values().sum::<i64>(), 1);
    assert!(h.frame(100, 30).contains("team/b"));
    elsewhere
        .set_key_state("team/b", KeyState::Disabled)
        .unwrap();
    h.advance(SECOND);
    let b = h
        .session
        .app
        .keys
        .iter()
        .find(|k| k.key_alias == "team/b")
        .unwrap();
    assert_eq!(b.key_state, KeyState::Disabled);
}

#[test]
fn a_paste_is_text_for_the_focused_field_and_never_a_binding() {
    let mut h = Harness::unlocked().unwrap();
    // On the list there is no text field: `n` pasted opens nothing.
    h.session.paste("n", h.now);
    assert!(matches!(h.session.app.screen, Screen::List(_)));
    assert_eq!(status(&h), text::status::PASTE_NOWHERE);

    h.chr('n');
    h.session.paste("my-name\r\nsecond line", h.now);
    assert_eq!(form(&h).name.as_str(), "my-name");
    assert_eq!(status(&h), text::status::PASTE_FIRST_LINE);
    assert_eq!(
        form(&h).context(),
        csvault::tui::keymap::Context::FormText,
        "the line break did not move on"
    );
    h.press(KeyCode::Tab);
    h.press(KeyCode::Tab);
    h.session.paste("first line\nsecond line", h.now);
    assert_eq!(form(&h).description.as_str(), "first line");
    h.press(KeyCode::Tab);
    h.session.paste(" ", h.now);
    assert_eq!(
        form(&h).value.kind,
        ValueType::Text,
        "space did not flip it"
    );
    h.press(KeyCode::Tab);
    let pem = "-----BEGIN KEY-----\r\nAAAA\r\nBBBB\r-----END KEY-----\r\n";
    h.session.paste(pem, h.now);
    assert_eq!(
        form(&h).value.text.as_str(),
        "-----BEGIN KEY-----\nAAAA\nBBBB\n-----END KEY-----\n"
    );
    assert!(
        h.session.app.status.is_none(),
        "nothing dropped, nothing said"
    );
    h.ctrl('s');
    assert!(matches!(h.session.app.screen, Screen::Result(_)));
    let value = other(&h).get_value("my-name", "latest").unwrap();
    assert_eq!(
        value.secret_string.as_deref().map(String::as_str),
        Some("-----BEGIN KEY-----\nAAAA\nBBBB\n-----END KEY-----\n")
    );

    // The filter and the unlock screen take pastes too; the help does not.
    h.press(KeyCode::Esc);
    h.chr('/');
    h.session.paste("my-\nx", h.now);
    assert_eq!(h.session.app.catalog.query(), "my-");
    h.press(KeyCode::F(1));
    h.session.paste("q", h.now);
    assert!(h.session.app.overlay.is_some(), "not closed by a pasted q");
    assert!(!h.session.should_quit());
}

#[test]
fn pasting_a_passphrase_unlocks() {
    let h = Harness::unlocked().unwrap();
    let path = h.path.clone();
    drop(h.session);
    let clipboard = csvault::clipboard::FakeClipboard::new();
    let guard = csvault::clipboard::ClipboardGuard::new(Box::new(clipboard));
    let mut session = csvault::tui::Session::new(&path, guard);
    session.paste(&format!("{PASSPHRASE}\n"), h.now);
    let Screen::Unlock(u) = &session.app.screen else {
        panic!("unlock")
    };
    assert_eq!(u.pass.as_str(), PASSPHRASE, "a trailing line break dropped");
    assert!(
        session.app.status.is_none(),
        "nothing but a line break dropped"
    );
}

#[test]
fn text_fields_have_the_usual_editing_keys() {
    let mut h = Harness::unlocked().unwrap();
    h.chr('n');
    h.type_str("hello big world");
    h.ctrl('w');
    assert_eq!(form(&h).name.as_str(), "hello big ");
    h.ctrl('a');
    h.chr('X');
    h.ctrl('e');
    h.chr('Y');
    assert_eq!(form(&h).name.as_str(), "Xhello big Y");
    h.press(KeyCode::Left);
    h.ctrl('u');
    assert_eq!(form(&h).name.as_str(), "Y");
    h.press(KeyCode::Home);
    h.chr('Z');
    h.press(KeyCode::End);
    assert_eq!(form(&h).name.as_str(), "ZY");
    h.press(KeyCode::Esc);
    h.chr('y');

    // The list's filter: Ctrl+W and Ctrl+U.
    h.chr('/');
    h.type_str("db prod");
    h.ctrl('w');
    assert_eq!(h.session.app.catalog.query(), "db ");
    h.ctrl('u');
    assert_eq!(h.session.app.catalog.query(), "");
    h.press(KeyCode::Esc);

    // The new-key popup.
    h.chr('K');
    h.chr('n');
    h.type_str("team/x y");
    h.ctrl('w');
    h.press(KeyCode::Home);
    h.chr('a');
    let Some(Dialog::Field(popup)) = &h.session.app.overlay else {
        panic!("new key popup")
    };
    assert_eq!(popup.field.as_str(), "ateam/x ");
    h.ctrl('u');
    h.press(KeyCode::End);
    h.ctrl('u');
    let Some(Dialog::Field(popup)) = &h.session.app.overlay else {
        panic!("new key popup")
    };
    assert!(popup.field.is_empty());

    // The help lists them, from the keymap.
    let help: Vec<String> = csvault::tui::screens::help::lines()
        .iter()
        .map(ToString::to_string)
        .collect();
    for key in ["Ctrl+U", "Ctrl+W", "Home/Ctrl+A", "End/Ctrl+E"] {
        assert!(
            help.iter().any(|l| l.trim_start().starts_with(key)),
            "{key}"
        );
    }
}

#[test]
fn help_opens_at_its_screen_and_pages() {
    let mut h = Harness::unlocked().unwrap();
    h.chr('K');
    h.chr('?');
    let top = |h: &Harness| {
        let Some(Dialog::Help { scroll }) = h.session.app.overlay else {
            panic!("help")
        };
        scroll
    };
    let frame = h.frame(100, 30);
    let first_help_line = frame
        .lines()
        .skip_while(|l| !l.contains("┌ Help"))
        .nth(1)
        .unwrap();
    assert!(
        first_help_line.contains(text::keys::CTX_KEYS),
        "opens at the keys: {frame}"
    );
    let at_keys = top(&h);
    h.press(KeyCode::PageDown);
    assert!(top(&h) > at_keys + 1, "a page down");
    h.chr('g');
    assert_eq!(top(&h), 0);
    h.chr('G');
    let bottom = top(&h);
    h.press(KeyCode::Down);
    assert_eq!(top(&h), bottom, "the end");
    h.press(KeyCode::PageUp);
    assert!(top(&h) < bottom);
    h.press(KeyCode::Esc);

    // From the form's value: at the form, whose headings say which field each key is for.
    h.press(KeyCode::Esc);
    h.chr('n');
    for _ in 0..4 {
        h.press(KeyCode::Tab);
    }
    h.press(KeyCode::F(1));
    let frame = h.frame(100, 30);
    for heading in [
        text::keys::CTX_FORM_ALL,
        text::keys::CTX_FORM_TEXT,
        text::keys::CTX_FORM_VALUE,
    ] {
        assert!(frame.contains(heading), "{heading}: {frame}");
    }
}

#[test]
fn the_create_vault_screen_refuses_short_passphrases() {
    let mut h = Harness::locked().unwrap();
    let frame = h.frame(100, 30);
    assert!(
        !frame.contains(text::unlock::STRENGTH),
        "no hint before typing"
    );
    h.type_str("short12");
    assert!(
        h.frame(100, 30)
            .contains("The passphrase has 7 characters; use at least 8."),
        "said as it is typed"
    );
    h.press(KeyCode::Enter);
    let Screen::Unlock(u) = &h.session.app.screen else {
        panic!("unlock")
    };
    assert!(u.error.as_deref().unwrap().contains("use at least 8"));
    h.press(KeyCode::Tab);
    h.type_str("short12");
    h.press(KeyCode::Enter);
    assert!(!h.path.exists(), "no vault made");
    assert!(matches!(h.session.app.screen, Screen::Unlock(_)));
    // Refused: back on the first field, which is wiped only by a failed unlock, not here.
    h.chr('3');
    assert!(h.frame(100, 30).contains(text::unlock::STRENGTH));
    h.press(KeyCode::Tab);
    h.ctrl('u');
    h.type_str("short123");
    h.press(KeyCode::Enter);
    assert!(matches!(h.session.app.screen, Screen::List(_)));
    assert!(h.path.exists());
}
