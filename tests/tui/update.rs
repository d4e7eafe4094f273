//! `update` driven by key events, on a temporary vault with a fake clipboard and a test clock.

use std::time::Duration;

use crate::support::{Harness, PASSPHRASE};
use crossterm::event::KeyCode;
use csvault::csms::KeyState;
use csvault::csms::{Field, MAX_DESCRIPTION_BYTES, MAX_VALUE_BYTES, rule_text};
use csvault::tui::app::{ListMode, Screen};
use csvault::tui::dialogs::{Confirm, Dialog};
use csvault::tui::screens::form::FormState;
use csvault::tui::screens::unlock::UnlockMode;
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

#[test]
fn creates_a_valid_secret_and_copies_what_it_should() {
    let mut h = Harness::unlocked().unwrap();
    assert!(matches!(
        h.session.app.screen,
        Screen::List(ListMode::Browse)
    ));
    h.create("db-password", "prod database", "s3cr3t\nline two");
    let Screen::Result(result) = &h.session.app.screen else {
        panic!("expected the result screen, got {:?}", h.session.app.screen);
    };
    assert_eq!(result.status_line, "200 Request succeeded");
    let body: serde_json::Value = serde_json::from_str(&result.body).unwrap();
    assert_eq!(body["secret"]["name"], "db-password");
    assert_eq!(body["secret"]["state"], "ENABLED");
    assert_eq!(body["secret"]["description"], "prod database");
    let id = result.id.clone().expect("created: `i` copies the id");
    let json = result.body.clone();
    assert!(!json.contains("s3cr3t"));

    // Result screen: `y` copies the body, `i` the id.
    h.chr('y');
    assert_eq!(h.clipboard.contents().as_deref(), Some(json.as_str()));
    h.chr('i');
    assert_eq!(h.clipboard.contents().as_deref(), Some(id.as_str()));
    let status = h.session.app.status.clone().unwrap().text;
    assert!(status.contains(text::status::WHAT_ID), "{status}");

    // Enter returns to the list with the new secret selected.
    h.press(KeyCode::Enter);
    assert!(matches!(
        h.session.app.screen,
        Screen::List(ListMode::Browse)
    ));
    assert_eq!(selected_name(&h).as_deref(), Some("db-password"));

    // List: `y` copies the Secret record as JSON, `c` the current value (never shown).
    h.chr('y');
    let record: serde_json::Value = serde_json::from_str(&h.clipboard.contents().unwrap()).unwrap();
    assert_eq!(record["id"], id.as_str());
    assert_eq!(record["name"], "db-password");
    h.chr('c');
    assert_eq!(h.clipboard.contents().as_deref(), Some("s3cr3t\nline two"));
    let status = h.session.app.status.clone().unwrap().text;
    assert!(
        !status.contains("s3cr3t"),
        "the status line never echoes a value"
    );
    assert!(!h.frame(100, 30).contains("s3cr3t"));

    // `n` on the result screen opens a fresh form.
    h.create("second", "", "v2");
    h.chr('n');
    assert!(form(&h).name.is_empty());
    h.press(KeyCode::Esc);
    assert_eq!(h.session.app.catalog.total(), 2);
}

#[test]
fn each_invalid_field_shows_its_rule_and_blocks_submit() {
    let mut h = Harness::unlocked().unwrap();
    h.chr('n');
    h.type_str("bad name!");
    let e = form(&h).shown_error(Field::Name).expect("name error shown");
    assert!(e.message.contains("U+0020"), "{}", e.message);
    assert!(h.frame(100, 30).contains(rule_text(Field::Name)));
    h.ctrl('s');
    assert!(
        matches!(h.session.app.screen, Screen::Form(_)),
        "submit refused"
    );
    assert_eq!(
        h.session.app.status.clone().unwrap().text,
        text::form::FIX_FIRST
    );
    // Fix the name.
    for _ in 0.."bad name!".len() {
        h.press(KeyCode::Backspace);
    }
    h.type_str("fine-name");
    assert!(form(&h).shown_error(Field::Name).is_none());

    // Description over 2,048 bytes (a 2-byte character pushes it over).
    h.press(KeyCode::Tab);
    h.press(KeyCode::Tab);
    h.type_str(&"d".repeat(MAX_DESCRIPTION_BYTES - 1));
    assert!(form(&h).shown_error(Field::Description).is_none());
    h.chr('é');
    let e = form(&h)
        .shown_error(Field::Description)
        .expect("description error");
    assert!(e.message.contains("2049 bytes"), "{}", e.message);
    assert!(h.frame(100, 30).contains("2,049/2,048 B"));
    h.ctrl('s');
    assert!(matches!(h.session.app.screen, Screen::Form(_)));
    assert_eq!(
        form(&h).focus,
        csvault::tui::screens::form::Focus::Description
    );
    h.press(KeyCode::Backspace);
    assert!(form(&h).errors().is_empty(), "{:?}", form(&h).errors());

    // Binary (base64) value that is not base64.
    h.press(KeyCode::Tab);
    h.press(KeyCode::Right);
    h.press(KeyCode::Tab);
    h.type_str("not base64!");
    let e = form(&h).shown_error(Field::Value).expect("value error");
    assert!(e.message.contains("base64"), "{}", e.message);
    h.ctrl('s');
    assert!(matches!(h.session.app.screen, Screen::Form(_)));
    for _ in 0.."not base64!".len() {
        h.press(KeyCode::Backspace);
    }
    h.type_str("aGVsbG8=");
    assert!(form(&h).errors().is_empty());

    // Text value over 32 KB.
    h.shift_tab();
    h.press(KeyCode::Left);
    h.press(KeyCode::Tab);
    h.type_str(&"v".repeat(MAX_VALUE_BYTES - 8 + 1));
    let e = form(&h).shown_error(Field::Value).expect("value too long");
    assert!(e.message.contains("32769 bytes"), "{}", e.message);
    h.ctrl('s');
    assert!(matches!(h.session.app.screen, Screen::Form(_)));
    h.press(KeyCode::Backspace);
    h.ctrl('s');
    assert!(
        matches!(h.session.app.screen, Screen::Result(_)),
        "valid now"
    );
}

#[test]
fn duplicate_name_is_caught_before_submit_and_failed_submit_keeps_the_form() {
    let mut h = Harness::unlocked().unwrap();
    h.create("dup", "", "one");
    h.press(KeyCode::Esc);
    h.chr('n');
    h.type_str("dup");
    let e = form(&h).shown_error(Field::Name).expect("duplicate shown");
    assert_eq!(e.message, text::form::NAME_TAKEN);
    assert!(h.frame(100, 30).contains(text::form::NAME_TAKEN));
    h.ctrl('s');
    assert!(matches!(h.session.app.screen, Screen::Form(_)));
    h.chr('2');
    assert!(form(&h).shown_error(Field::Name).is_none());

    // The vault refuses what validation cannot know: another process disabled the key meanwhile.
    h.press(KeyCode::Esc);
    h.chr('y'); // discard
    h.create("refused", "", "x");
    let Screen::Result(_) = &h.session.app.screen else {
        panic!("result")
    };
    h.chr('n');
    h.type_str("refused-2");
    for _ in 0..4 {
        h.press(KeyCode::Tab);
    }
    h.chr('x');
    let other = Vault::open(&h.path, PASSPHRASE.as_bytes()).unwrap();
    other
        .set_key_state("csms/default", KeyState::Disabled)
        .unwrap();
    h.ctrl('s');
    let Screen::Result(result) = &h.session.app.screen else {
        panic!("result")
    };
    assert!(
        result.status_line.starts_with("400 CSMS.0401"),
        "{}",
        result.status_line
    );
    let body: serde_json::Value = serde_json::from_str(&result.body).unwrap();
    assert_eq!(body["error_code"], "CSMS.0401");
    h.press(KeyCode::Esc);
    assert_eq!(
        form(&h).name.as_str(),
        "refused-2",
        "contents kept for correction"
    );
    assert_eq!(form(&h).value.text.as_str(), "x");

    // A new form no longer offers the disabled key, and says why it cannot submit.
    h.press(KeyCode::Esc);
    h.chr('y');
    h.chr('K');
    assert_eq!(
        h.session.app.keys[0].key_state,
        KeyState::Disabled,
        "the keys screen shows the other process's change"
    );
    h.chr('d');
    assert!(h.session.app.overlay.is_none(), "already disabled");
    h.chr('e');
    assert!(matches!(
        h.session.app.overlay,
        Some(Dialog::Confirm(Confirm::KeyState { .. }))
    ));
    h.chr('y');
    assert_eq!(h.session.app.keys[0].key_state, KeyState::Enabled);
    h.chr('d');
    assert!(matches!(
        h.session.app.overlay,
        Some(Dialog::Confirm(Confirm::KeyState { .. }))
    ));
    // The question says how many secrets use the key.
    let key = &h.session.app.keys[0];
    let users = h.session.app.key_usage.as_ref().unwrap()[&key.key_id];
    assert!(users >= 1, "the secrets made above use it");
    let asked = text::confirm::disable_question(&key.key_alias, Some(users));
    assert!(asked.ends_with(" use it.") || asked.ends_with(" uses it."));
    assert!(h.frame(100, 30).contains(&asked), "{}", h.frame(100, 30));
    h.chr('y');
    assert_eq!(h.session.app.keys[0].key_state, KeyState::Disabled);
    h.press(KeyCode::Esc);
    h.chr('n');
    assert!(form(&h).choices.is_empty());
    assert_eq!(form(&h).errors()[1].message, text::form::NO_KEY);
}

#[test]
fn escape_backs_out_everywhere_and_a_dirty_form_asks_first() {
    let mut h = Harness::unlocked().unwrap();
    // Clean form: straight back.
    h.chr('n');
    h.press(KeyCode::Esc);
    assert!(matches!(
        h.session.app.screen,
        Screen::List(ListMode::Browse)
    ));
    // Dirty form: asks; `n` keeps it, `y` discards.
    h.chr('n');
    h.type_str("half");
    h.press(KeyCode::Esc);
    assert!(matches!(
        h.session.app.overlay,
        Some(Dialog::Confirm(Confirm::Discard))
    ));
    h.chr('n');
    assert!(h.session.app.overlay.is_none());
    assert_eq!(form(&h).name.as_str(), "half");
    h.press(KeyCode::Esc);
    h.press(KeyCode::Esc);
    assert!(h.session.app.overlay.is_none(), "Esc answers no");
    h.press(KeyCode::Esc);
    h.chr('y');
    assert!(matches!(
        h.session.app.screen,
        Screen::List(ListMode::Browse)
    ));

    h.create("alpha", "first", "v");
    h.press(KeyCode::Esc);
    // Detail, keys, help, filter.
    h.press(KeyCode::Enter);
    let Screen::Detail(d) = &h.session.app.screen else {
        panic!("detail")
    };
    assert_eq!(
        d.detail.as_ref().unwrap().versions[0]
            .metadata
            .version_stages,
        vec!["SYSCURRENT"]
    );
    h.press(KeyCode::Esc);
    assert!(matches!(h.session.app.screen, Screen::List(_)));
    h.chr('K');
    assert!(matches!(h.session.app.screen, Screen::Keys(_)));
    h.press(KeyCode::Esc);
    h.chr('?');
    assert!(matches!(h.session.app.overlay, Some(Dialog::Help { .. })));
    h.press(KeyCode::Esc);
    assert!(h.session.app.overlay.is_none());
    h.chr('/');
    h.type_str("zzz");
    assert_eq!(h.session.app.catalog.visible_len(), 0);
    h.press(KeyCode::Esc);
    assert_eq!(
        h.session.app.catalog.visible_len(),
        1,
        "Esc clears the filter"
    );
    assert!(!h.session.should_quit());
    h.ctrl('c');
    assert!(h.session.should_quit());
}

#[test]
fn copied_value_is_cleared_after_the_timeout_and_on_quit() {
    let mut h = Harness::unlocked().unwrap();
    h.create("token", "", "tok-123");
    h.press(KeyCode::Esc);
    h.chr('c');
    assert_eq!(h.clipboard.contents().as_deref(), Some("tok-123"));
    h.advance(Duration::from_secs(29));
    assert_eq!(h.clipboard.contents().as_deref(), Some("tok-123"));
    h.advance(Duration::from_secs(1));
    assert_eq!(h.clipboard.contents(), None);
    assert_eq!(
        h.session.app.status.clone().unwrap().text,
        text::status::CLEARED
    );

    // Something else copied meanwhile is left alone.
    h.chr('c');
    h.clipboard.external_copy("mine");
    h.advance(Duration::from_secs(30));
    assert_eq!(h.clipboard.contents().as_deref(), Some("mine"));

    // On quit, a pending copy is cleared at once.
    h.chr('c');
    assert!(h.session.shutdown().is_some());
    assert_eq!(h.clipboard.contents(), None);
}

#[test]
fn unlock_retries_after_a_wrong_passphrase_and_keys_can_be_made() {
    let mut h = Harness::unlocked().unwrap();
    h.chr('K');
    h.chr('n');
    h.type_str("bad alias!");
    assert!(
        h.frame(100, 30).contains("an alias has only"),
        "the alias is checked as typed"
    );
    h.press(KeyCode::Enter);
    assert!(
        matches!(h.session.app.overlay, Some(Dialog::Field(_))),
        "refused: the popup stays"
    );
    for _ in 0..10 {
        h.press(KeyCode::Backspace);
    }
    h.type_str("app/key");
    h.press(KeyCode::Enter);
    assert!(h.session.app.overlay.is_none());
    assert_eq!(h.session.app.keys.len(), 1);
    h.chr('n');
    h.type_str("app/key");
    h.press(KeyCode::Enter);
    let Some(Dialog::Field(popup)) = &h.session.app.overlay else {
        panic!("popup")
    };
    assert!(
        popup
            .error
            .as_deref()
            .is_some_and(|e| e.contains("already in use")),
        "the vault's objection is shown"
    );
    h.press(KeyCode::Esc);
    h.press(KeyCode::Esc);
    h.chr('n');
    assert_eq!(
        form(&h).choices.len(),
        2,
        "csms/default (not yet created) and app/key"
    );

    let path = h.path.clone();
    let clipboard = csvault::clipboard::ClipboardGuard::new(Box::new(h.clipboard.clone()));
    let mut s = csvault::tui::Session::new(&path, clipboard);
    s.start_with(zeroize::Zeroizing::new("wrong".into()), h.now);
    let Screen::Unlock(u) = &s.app.screen else {
        panic!("unlock screen")
    };
    assert_eq!(u.mode, UnlockMode::Unlock);
    assert_eq!(u.error.as_deref(), Some(text::unlock::ENV_WRONG));
    let mut h2 = Harness {
        session: s,
        ..Harness::locked().unwrap()
    };
    h2.type_str("nope");
    h2.press(KeyCode::Enter);
    let Screen::Unlock(u) = &h2.session.app.screen else {
        panic!("still locked")
    };
    assert_eq!(u.error.as_deref(), Some(text::unlock::WRONG));
    assert!(u.pass.is_empty(), "wiped after a failure");
    h2.type_str(PASSPHRASE);
    h2.press(KeyCode::Enter);
    assert!(matches!(h2.session.app.screen, Screen::List(_)));
    assert_eq!(h2.session.app.keys.len(), 1);
}

/// Three wrong passphrases typed and the app gives up: it quits, and why is kept for stderr
/// (said once the terminal is restored). A mismatched repeat when creating asks again.
#[test]
fn the_unlock_screen_gives_up_after_three_wrong_passphrases() {
    let h = Harness::unlocked().unwrap();
    let path = h.path.clone();
    let clipboard = csvault::clipboard::ClipboardGuard::new(Box::new(h.clipboard.clone()));
    let mut h = Harness {
        session: csvault::tui::Session::new(&path, clipboard),
        ..Harness::locked().unwrap()
    };
    for attempt in 1..=3 {
        assert!(!h.session.app.quit, "gave up before try {attempt}");
        h.type_str("not the passphrase");
        h.press(KeyCode::Enter);
    }
    assert!(h.session.app.quit);
    assert_eq!(
        h.session.app.exit_note.as_deref(),
        Some(text::unlock::GAVE_UP)
    );

    // Creating: a repeat that differs is said, and the repeat asked again.
    let mut h = Harness::locked().unwrap();
    h.type_str("long enough phrase");
    h.press(KeyCode::Enter);
    h.type_str("long enuogh phrase");
    h.press(KeyCode::Enter);
    let Screen::Unlock(u) = &h.session.app.screen else {
        panic!("still on the create screen")
    };
    assert_eq!(u.error.as_deref(), Some(text::unlock::MISMATCH));
    assert!(!h.session.app.quit);
}

#[test]
fn on_the_unlock_screen_f1_opens_the_help_and_esc_quits() {
    let mut h = Harness::locked().unwrap();
    h.type_str("typed");
    h.press(KeyCode::F(1));
    assert!(matches!(h.session.app.overlay, Some(Dialog::Help { .. })));
    let frame = h.frame(100, 30);
    assert!(
        frame.contains(&format!(" {} ", text::keys::CTX_HELP)),
        "{frame}"
    );
    assert!(
        frame.contains(text::keys::CTX_UNLOCK),
        "opened at the unlock section: {frame}"
    );
    h.press(KeyCode::Esc);
    assert!(h.session.app.overlay.is_none(), "Esc closes the help first");
    assert!(!h.session.should_quit());
    let Screen::Unlock(u) = &h.session.app.screen else {
        panic!("still at unlock")
    };
    assert_eq!(u.pass.as_str(), "typed", "the help did not touch the input");
    let footer = h.frame(60, 15);
    assert!(footer.contains(" Esc  quit"), "{footer}");
    h.press(KeyCode::Esc);
    assert!(h.session.should_quit());
}

#[test]
fn a_failed_key_usage_count_is_reported_not_shown_as_zero() {
    let mut h = Harness::unlocked().unwrap();
    h.create("one", "", "v");
    h.press(KeyCode::Esc);
    // Another process breaks the table the count reads; the key list itself still reads.
    let conn = rusqlite::Connection::open(&h.path).unwrap();
    conn.execute_batch("ALTER TABLE secrets RENAME TO secrets_elsewhere")
        .unwrap();
    h.chr('K');
    assert!(h.session.app.key_usage.is_none());
    let status = h.session.app.status.as_ref().map(|s| s.text.clone());
    assert!(
        status
            .as_deref()
            .is_some_and(|s| s.starts_with(text::status::USAGE_FAILED)),
        "{status:?}"
    );
    let frame = h.frame(100, 30);
    assert!(frame.contains("csms/default"), "{frame}");
    assert!(
        frame
            .lines()
            .any(|l| l.contains("csms/default") && l.trim_end().ends_with("?│")),
        "the count reads ? rather than 0:\n{frame}"
    );
}
