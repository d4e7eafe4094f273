//! The detail screen as a secret's home and the list's lifecycle keys, driven by key events on a
//! temporary vault with a fake clipboard: each action through its dialog to the response screen
//! (status line and JSON body), Back to the detail refreshed, and what the vault then holds.

use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use crate::support::{Harness, PASSPHRASE};
use crossterm::event::KeyCode;
use csvault::csms::{CreateSecretVersionRequest, DAY_MS, SecretState, UpdateVersionRequest};
use csvault::tui::app::{ListMode, Screen};
use csvault::tui::catalog::StateFilter;
use csvault::tui::dialogs::{Confirm, Dialog};
use csvault::tui::keymap::Context;
use csvault::tui::screens::detail::DetailState;
use csvault::tui::screens::result::ResultState;
use csvault::tui::text::lifecycle as t;
use csvault::vault::Vault;
use zeroize::Zeroizing;

fn detail(h: &Harness) -> &DetailState {
    match &h.session.app.screen {
        Screen::Detail(d) => d,
        other => panic!("expected the detail, got {other:?}"),
    }
}

fn response(h: &Harness) -> &ResultState {
    match &h.session.app.screen {
        Screen::Result(r) => r,
        other => panic!("expected a response, got {other:?}"),
    }
}

fn body(h: &Harness) -> serde_json::Value {
    serde_json::from_str(&response(h).body).unwrap()
}

fn status(h: &Harness) -> String {
    h.session
        .app
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

fn dialog(h: &Harness) -> &Dialog {
    match &h.session.app.overlay {
        Some(d @ (Dialog::Field(_) | Dialog::Pick(_) | Dialog::Confirm(_))) => d,
        other => panic!("expected a dialog, got {other:?}"),
    }
}

fn stages_of(h: &Harness, version: &str) -> Vec<String> {
    detail(h)
        .detail
        .as_ref()
        .unwrap()
        .versions
        .iter()
        .find(|v| v.metadata.id == version)
        .map(|v| v.metadata.version_stages.clone())
        .unwrap_or_default()
}

fn selected_version(h: &Harness) -> String {
    detail(h).selected_version().unwrap().metadata.id.clone()
}

/// Another handle on the session's vault (as another process would have).
fn other(h: &Harness) -> Vault {
    Vault::open(&h.path, PASSPHRASE.as_bytes()).unwrap()
}

fn text_version(value: &str) -> CreateSecretVersionRequest {
    CreateSecretVersionRequest {
        secret_string: Some(Zeroizing::new(value.to_owned())),
        ..CreateSecretVersionRequest::default()
    }
}

/// A session on the list with secret `name` (value `one`) and, when `more`, versions v2 (`two`)
/// and v3 (binary 00 01 02 ff, `SYSCURRENT`), then its detail open.
fn on_detail(name: &str, more: bool) -> Harness {
    let mut h = Harness::unlocked().unwrap();
    h.create(name, "for the tests", "one");
    h.press(KeyCode::Esc);
    if more {
        let vault = other(&h);
        vault.create_version(name, &text_version("two")).unwrap();
        let binary = CreateSecretVersionRequest {
            secret_binary: Some(Zeroizing::new("AAEC/w==".to_owned())),
            ..CreateSecretVersionRequest::default()
        };
        vault.create_version(name, &binary).unwrap();
        h.advance(Duration::from_millis(10));
    }
    h.press(KeyCode::Enter);
    assert!(detail(&h).detail.is_some());
    h
}

#[test]
fn a_secret_another_process_deletes_is_no_longer_shown_as_there() {
    let mut h = on_detail("short-lived", false);
    other(&h).delete_secret("short-lived").unwrap();
    h.advance(Duration::from_millis(300));
    assert!(detail(&h).detail.is_none());
    let frame = h.frame(100, 30);
    assert!(frame.contains("short-lived"), "{frame}");
    assert!(!frame.contains("ENABLED"), "{frame}");
    assert!(
        frame.contains("CSMS.0106") || frame.contains("No secret"),
        "{frame}"
    );
}

fn clear_field(h: &mut Harness) {
    h.ctrl('u');
}

#[test]
fn versions_are_selected_revealed_masked_and_copied() {
    let mut h = on_detail("api-token", true);
    // The current version is selected first; its value is masked.
    assert_eq!(selected_version(&h), "v3");
    let frame = h.frame(100, 30);
    assert!(frame.contains("Versions (3)"), "{frame}");
    assert!(frame.contains(t::MASKED_NOTE));
    assert!(!frame.contains("AAEC/w=="));

    // Ctrl+R: binary as base64 with its size; Ctrl+R again masks and wipes it.
    h.ctrl('r');
    let revealed = detail(&h).revealed.as_ref().expect("revealed");
    assert!(revealed.binary);
    let frame = h.frame(100, 30);
    assert!(frame.contains("AAEC/w=="), "{frame}");
    assert!(frame.contains("binary, 4 B, as base64"), "{frame}");
    let debug = format!("{:?}", h.session.app);
    assert!(!debug.contains("AAEC/w=="), "Debug never shows a value");
    h.ctrl('r');
    assert!(detail(&h).revealed.is_none());
    assert!(!h.frame(100, 30).contains("AAEC/w=="));

    // ↑ selects v2; a value revealed is masked when the selection moves.
    h.press(KeyCode::Up);
    assert_eq!(selected_version(&h), "v2");
    h.ctrl('r');
    assert!(h.frame(60, 15).contains("two"));
    h.press(KeyCode::Up);
    assert_eq!(selected_version(&h), "v1");
    assert!(detail(&h).revealed.is_none());
    h.press(KeyCode::Up);
    assert_eq!(selected_version(&h), "v1", "clamped at the oldest");

    // `c` copies the selected version's value, cleared after the delay; never in the status.
    h.press(KeyCode::Down);
    h.chr('c');
    assert_eq!(h.clipboard.contents().as_deref(), Some("two"));
    let said = status(&h);
    assert!(said.contains("api-token v2"), "{said}");
    assert!(!said.contains("two"), "{said}");
    h.press(KeyCode::Down);
    h.chr('c');
    assert_eq!(h.clipboard.contents().as_deref(), Some("AAEC/w=="));
    assert!(status(&h).contains("base64"));
    h.advance(Duration::from_secs(31));
    assert_eq!(h.clipboard.contents(), None, "cleared after the delay");

    // Leaving the screen drops a revealed value with it.
    h.ctrl('r');
    assert!(detail(&h).revealed.is_some());
    h.press(KeyCode::Esc);
    assert!(matches!(h.session.app.screen, Screen::List(_)));
    assert!(!h.frame(100, 30).contains("AAEC/w=="));
}

/// Whatever covers the detail screen (a form, the help, a dialog, a response) wipes a revealed
/// value: it is masked, not shown again, when the detail is back on top.
#[test]
fn a_revealed_value_is_wiped_when_anything_covers_the_detail() {
    let mut h = on_detail("api-token", true);
    h.press(KeyCode::Up); // v2, "two"
    let cover = |h: &mut Harness, keys: &dyn Fn(&mut Harness), what: &str| {
        h.ctrl('r');
        assert!(h.frame(100, 30).contains("two"), "revealed before {what}");
        keys(h);
        let covered = h.frame(100, 30);
        assert!(
            !covered.contains("two"),
            "{what} shows the value:\n{covered}"
        );
        let wiped = h
            .session
            .app
            .below
            .iter()
            .chain([&h.session.app.screen])
            .all(|s| match s {
                Screen::Detail(d) => d.revealed.is_none(),
                _ => true,
            });
        assert!(wiped, "{what}: the value is still held");
        h.press(KeyCode::Esc);
        assert!(
            matches!(h.session.app.screen, Screen::Detail(_)),
            "{what}: back"
        );
        assert!(detail(h).revealed.is_none(), "{what}: masked on return");
        let frame = h.frame(100, 30);
        assert!(!frame.contains("two"), "{what}: shown again:\n{frame}");
        assert!(frame.contains(t::MASKED_NOTE), "{frame}");
    };
    cover(&mut h, &|h| h.chr('u'), "the new-version form");
    cover(&mut h, &|h| h.chr('e'), "the edit form");
    cover(&mut h, &|h| h.chr('?'), "the help");
    cover(&mut h, &|h| h.chr('R'), "the rotate dialog");
    cover(
        &mut h,
        &|h| {
            h.chr('x');
            h.chr('y');
            assert!(matches!(h.session.app.screen, Screen::Result(_)));
        },
        "a response",
    );
}

#[test]
fn stages_are_set_with_live_validation_moved_and_removed() {
    let mut h = on_detail("db", true);
    h.press(KeyCode::Up); // v2
    h.chr('t');
    assert_eq!(h.session.app.context(), Context::DialogField);
    h.type_str("bad name!");
    assert!(h.frame(100, 30).contains("a stage name has only"));
    h.press(KeyCode::Enter);
    assert!(
        matches!(h.session.app.overlay, Some(Dialog::Field(_))),
        "refused: the dialog stays"
    );
    clear_field(&mut h);
    h.type_str("prod");
    assert!(h.frame(100, 30).contains(t::STAGE_NEW));
    h.press(KeyCode::Enter);
    assert_eq!(response(&h).status_line, "200 Request succeeded");
    assert_eq!(h.session.app.context(), Context::Response);
    let b = body(&h);
    assert_eq!(b["stage"]["name"], "prod");
    assert_eq!(b["stage"]["version_id"], "v2");
    h.chr('y');
    assert_eq!(
        h.clipboard.contents().as_deref(),
        Some(response(&h).body.as_str())
    );
    // Back: the detail, refreshed, the same version selected.
    h.press(KeyCode::Enter);
    assert_eq!(selected_version(&h), "v2");
    assert_eq!(stages_of(&h, "v2"), vec!["SYSPREVIOUS", "prod"]);

    // An existing stage moves: prod onto v1 (the dialog says where from).
    h.press(KeyCode::Up);
    h.chr('t');
    h.type_str("prod");
    assert!(h.frame(100, 30).contains(&format!("{} v2", t::STAGE_MOVES)));
    h.press(KeyCode::Enter);
    h.press(KeyCode::Esc);
    assert_eq!(stages_of(&h, "v1"), vec!["prod"]);
    assert_eq!(stages_of(&h, "v2"), vec!["SYSPREVIOUS"]);

    // T with several custom stages: pick which.
    h.chr('t');
    h.type_str("canary");
    h.press(KeyCode::Enter);
    h.press(KeyCode::Esc);
    h.chr('T');
    assert_eq!(h.session.app.context(), Context::DialogPick);
    h.press(KeyCode::Down);
    h.press(KeyCode::Enter);
    assert_eq!(response(&h).status_line, "204 No Content");
    assert_eq!(response(&h).body, "");
    assert!(h.frame(100, 30).contains("204 No Content"));
    h.press(KeyCode::Esc);
    assert_eq!(
        stages_of(&h, "v1"),
        vec!["canary"],
        "listed by name: the second one, prod, went"
    );

    // A version with only system stages has nothing to remove.
    h.press(KeyCode::Down);
    h.chr('T');
    assert!(h.session.app.overlay.is_none());
    assert_eq!(status(&h), t::NO_CUSTOM_STAGE);
    // Esc in a dialog cancels it.
    h.chr('t');
    h.press(KeyCode::Esc);
    assert!(h.session.app.overlay.is_none());
    assert!(matches!(h.session.app.screen, Screen::Detail(_)));
}

#[test]
fn disable_and_enable_ask_first() {
    let mut h = on_detail("svc", false);
    h.chr('x');
    assert_eq!(h.session.app.context(), Context::Confirm);
    assert!(matches!(
        dialog(&h),
        Dialog::Confirm(Confirm::Toggle { enable: false, .. })
    ));
    h.chr('n');
    assert!(h.session.app.overlay.is_none());
    assert_eq!(
        detail(&h).detail.as_ref().unwrap().secret.state,
        SecretState::Enabled
    );
    h.chr('x');
    h.chr('y');
    assert_eq!(body(&h)["secret"]["state"], "DISABLED");
    assert!(status(&h).contains("Disabled svc"));
    h.press(KeyCode::Esc);
    assert_eq!(
        detail(&h).detail.as_ref().unwrap().secret.state,
        SecretState::Disabled
    );
    // A disabled secret's value cannot be read: the API's 403 is said, nothing revealed.
    h.ctrl('r');
    assert!(detail(&h).revealed.is_none());
    assert!(status(&h).contains("CSMS.0109"), "{}", status(&h));
    h.chr('x');
    assert!(matches!(
        dialog(&h),
        Dialog::Confirm(Confirm::Toggle { enable: true, .. })
    ));
    h.press(KeyCode::Enter);
    assert_eq!(body(&h)["secret"]["state"], "ENABLED");
    h.press(KeyCode::Esc);
    h.press(KeyCode::Esc);
    assert_eq!(
        h.session.app.catalog.selected_row().unwrap().state,
        SecretState::Enabled
    );
}

#[test]
fn deletion_is_scheduled_with_a_validated_window_and_restored() {
    let mut h = on_detail("old-key", false);
    h.chr('d');
    let Dialog::Field(field) = dialog(&h) else {
        panic!("a field")
    };
    assert_eq!(field.field.as_str(), "30", "the default window");
    h.press(KeyCode::Backspace);
    h.press(KeyCode::Backspace);
    h.chr('5');
    assert!(h.frame(100, 30).contains(t::DAYS_RULE));
    h.press(KeyCode::Enter);
    assert!(h.session.app.overlay.is_some(), "5 days is refused");
    clear_field(&mut h);
    h.type_str("31");
    h.press(KeyCode::Enter);
    assert!(h.session.app.overlay.is_some(), "31 days is refused");
    clear_field(&mut h);
    h.type_str("7");
    h.press(KeyCode::Enter);
    let b = body(&h);
    assert_eq!(b["secret"]["state"], "PENDING_DELETE");
    let window = b["secret"]["scheduled_delete_time"].as_i64().unwrap()
        - b["secret"]["update_time"].as_i64().unwrap();
    assert_eq!(window, 7 * DAY_MS);
    h.press(KeyCode::Esc);
    assert_eq!(
        detail(&h).detail.as_ref().unwrap().secret.state,
        SecretState::PendingDelete
    );
    // Pending: no enable/disable; scheduling again is the API's CSMS.0107.
    h.chr('x');
    assert_eq!(status(&h), t::PENDING_NO_TOGGLE);
    h.chr('d');
    h.press(KeyCode::Enter);
    assert!(response(&h).status_line.contains("CSMS.0107"));
    assert_eq!(h.session.app.context(), Context::Response);
    h.press(KeyCode::Enter);
    // The list shows the row's deletion date.
    h.press(KeyCode::Esc);
    assert!(h.frame(100, 30).contains(t::DELETES));
    h.press(KeyCode::Enter);

    // r restores; restoring again is CSMS.0108.
    h.chr('r');
    assert_eq!(body(&h)["secret"]["state"], "ENABLED");
    assert!(body(&h)["secret"]["scheduled_delete_time"].is_null());
    h.press(KeyCode::Esc);
    h.chr('r');
    assert!(response(&h).status_line.contains("CSMS.0108"));
    h.press(KeyCode::Esc);

    // Enter on the default: 30 days.
    h.chr('d');
    h.press(KeyCode::Enter);
    let b = body(&h);
    let window = b["secret"]["scheduled_delete_time"].as_i64().unwrap()
        - b["secret"]["update_time"].as_i64().unwrap();
    assert_eq!(window, 30 * DAY_MS);
}

#[test]
fn delete_now_needs_the_name_typed_and_lands_on_the_list() {
    let mut h = on_detail("doomed", false);
    h.chr('D');
    h.type_str("doome");
    h.press(KeyCode::Enter);
    assert!(h.session.app.overlay.is_some(), "not the name yet");
    assert!(h.frame(100, 30).contains(t::DELETE_MISMATCH));
    h.chr('d');
    assert!(h.frame(100, 30).contains(t::DELETE_MATCH));
    h.press(KeyCode::Enter);
    assert_eq!(response(&h).status_line, "204 No Content");
    assert!(status(&h).contains("Deleted doomed"));
    h.press(KeyCode::Esc);
    assert!(matches!(
        h.session.app.screen,
        Screen::List(ListMode::Browse)
    ));
    assert_eq!(h.session.app.catalog.total(), 0);
    assert!(!other(&h).name_exists("doomed").unwrap());
}

#[test]
fn a_backup_is_written_0600_never_through_a_link_and_restored_from_the_list() {
    let mut h = on_detail("tls-key", true);
    h.chr('b');
    let Dialog::Field(field) = dialog(&h) else {
        panic!("a field")
    };
    assert_eq!(field.field.as_str(), "./tls-key.blob", "the default path");
    let path = h.dir.path().join("tls-key.blob");
    clear_field(&mut h);
    h.type_str(&path.display().to_string());
    h.press(KeyCode::Enter);
    let blob = body(&h)["secret_blob"].as_str().unwrap().to_owned();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), format!("{blob}\n"));
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    assert!(status(&h).contains(t::CREATED_FILE), "{}", status(&h));
    assert!(!blob.contains("two") && !blob.contains("AAEC"));
    h.press(KeyCode::Esc);

    // Again onto the same path, made readable by others meanwhile: replaced, private again.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    h.chr('b');
    clear_field(&mut h);
    h.type_str(&path.display().to_string());
    h.press(KeyCode::Enter);
    assert!(status(&h).contains(t::REPLACED_FILE), "{}", status(&h));
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    h.press(KeyCode::Esc);

    // A symbolic link (even dangling) or a hard-linked file is refused; the dialog says why.
    let target = h.dir.path().join("precious");
    std::fs::write(&target, "keep").unwrap();
    let link = h.dir.path().join("link.blob");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let dangling = h.dir.path().join("dangling.blob");
    std::os::unix::fs::symlink(h.dir.path().join("nowhere"), &dangling).unwrap();
    let hard = h.dir.path().join("hard.blob");
    std::fs::hard_link(&target, &hard).unwrap();
    for (at, why) in [
        (&link, t::FILE_SYMLINK),
        (&dangling, t::FILE_SYMLINK),
        (&hard, t::FILE_LINKED),
    ] {
        h.chr('b');
        clear_field(&mut h);
        h.type_str(&at.display().to_string());
        h.press(KeyCode::Enter);
        let Dialog::Field(field) = dialog(&h) else {
            panic!("the dialog stays")
        };
        assert_eq!(field.error.as_deref(), Some(why));
        assert!(h.frame(100, 30).contains("refused"));
        h.press(KeyCode::Esc);
    }
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
    assert!(!h.dir.path().join("nowhere").exists());

    // Deleted, then restored from the blob on the list with `U`.
    h.chr('D');
    h.type_str("tls-key");
    h.press(KeyCode::Enter);
    h.press(KeyCode::Esc);
    h.chr('U');
    h.type_str(&h.dir.path().join("missing.blob").display().to_string());
    h.press(KeyCode::Enter);
    let Dialog::Field(field) = dialog(&h) else {
        panic!("the dialog stays")
    };
    assert_eq!(field.error.as_deref(), Some(t::FILE_NOT_FOUND));
    clear_field(&mut h);
    h.type_str(&path.display().to_string());
    h.press(KeyCode::Enter);
    assert_eq!(body(&h)["secret"]["name"], "tls-key");
    assert!(status(&h).contains(t::UPLOADED));
    h.press(KeyCode::Esc);
    assert_eq!(
        h.session
            .app
            .catalog
            .selected_row()
            .map(|r| r.name.to_string())
            .as_deref(),
        Some("tls-key")
    );
    let vault = other(&h);
    let value = vault.get_value("tls-key", "v2").unwrap();
    assert_eq!(
        value.secret_string.as_deref().map(String::as_str),
        Some("two")
    );

    // The same blob again: the name is taken, the API's error on the response screen.
    h.chr('U');
    h.type_str(&path.display().to_string());
    h.press(KeyCode::Enter);
    assert!(response(&h).status_line.starts_with("400"));
    h.press(KeyCode::Esc);
    assert!(matches!(h.session.app.screen, Screen::List(_)));
}

#[test]
fn the_state_filter_keeps_the_text_filter_and_pending_rows_show_their_date() {
    let mut h = Harness::unlocked().unwrap();
    for name in ["alpha", "beta", "gamma"] {
        h.create(name, "", "v");
        h.press(KeyCode::Esc);
    }
    let vault = other(&h);
    vault
        .schedule_delete(
            "beta",
            &csvault::csms::DeleteSecretForScheduleRequest::default(),
        )
        .unwrap();
    vault.set_secret_enabled("gamma", false).unwrap();
    vault
        .update_version(
            "alpha",
            "v1",
            &UpdateVersionRequest {
                expire_time: 4_102_444_800_000,
            },
        )
        .unwrap();
    h.advance(Duration::from_millis(10));
    let frame = h.frame(60, 15);
    assert!(frame.contains(t::DELETES), "{frame}");

    h.chr('X');
    assert_eq!(h.session.app.context(), Context::DialogPick);
    for _ in 0..3 {
        h.press(KeyCode::Down);
    }
    h.press(KeyCode::Enter);
    assert_eq!(
        h.session.app.catalog.state_filter(),
        StateFilter::PendingDelete
    );
    assert_eq!(h.session.app.catalog.visible_len(), 1);
    assert!(h.frame(100, 30).contains(t::STATE_PENDING));
    // With a text filter too; the state filter stays when the text filter is cleared.
    h.chr('/');
    h.type_str("a");
    h.press(KeyCode::Enter);
    assert_eq!(h.session.app.catalog.visible_len(), 1);
    h.press(KeyCode::Esc);
    assert_eq!(h.session.app.catalog.visible_len(), 1);
    h.chr('X');
    h.press(KeyCode::Up);
    h.press(KeyCode::Enter);
    assert_eq!(h.session.app.catalog.state_filter(), StateFilter::Disabled);
    assert_eq!(
        h.session
            .app
            .catalog
            .selected_row()
            .map(|r| r.name.to_string())
            .as_deref(),
        Some("gamma")
    );
    h.chr('X');
    h.press(KeyCode::Esc);
    assert_eq!(
        h.session.app.catalog.state_filter(),
        StateFilter::Disabled,
        "Esc cancels"
    );
    h.chr('X');
    h.press(KeyCode::Up);
    h.press(KeyCode::Up);
    h.press(KeyCode::Enter);
    assert_eq!(h.session.app.catalog.visible_len(), 3);

    // The expiry shows in the versions table.
    h.chr('g');
    h.press(KeyCode::Enter);
    assert!(
        h.frame(100, 30).contains("2100-01-01"),
        "{}",
        h.frame(100, 30)
    );
}

#[test]
fn a_pasted_line_goes_into_the_dialog_field() {
    let mut h = on_detail("paste-me", false);
    h.chr('t');
    h.session.paste("from-clipboard\nsecond", h.now);
    let Dialog::Field(field) = dialog(&h) else {
        panic!("a field")
    };
    assert_eq!(field.field.as_str(), "from-clipboard");
    h.press(KeyCode::Enter);
    assert_eq!(body(&h)["stage"]["name"], "from-clipboard");
}

/// The footer's last row at 100×30.
fn footer(h: &Harness) -> String {
    h.frame(100, 30)
        .lines()
        .last()
        .unwrap_or_default()
        .to_owned()
}

/// The footer follows the state: Ctrl+R says what it will do; a secret pending deletion offers
/// `r` and not `u e t x`, another no `r`; a deleted secret offers nothing; a response has one
/// "back"; `y` on a 204 says there is no body.
#[test]
fn the_footer_follows_the_secrets_state() {
    let mut h = on_detail("api-token", false);
    let shown = footer(&h);
    assert!(shown.contains("Ctrl+R  reveal"), "{shown}");
    assert!(!shown.contains(" r  restore"), "{shown}");
    h.ctrl('r');
    let shown = footer(&h);
    assert!(shown.contains("Ctrl+R  mask"), "{shown}");
    h.ctrl('r');
    assert!(footer(&h).contains("Ctrl+R  reveal"));

    // A response: one way back, Enter and Esc together.
    h.chr('x');
    h.chr('y');
    let shown = footer(&h);
    assert_eq!(shown.matches("back").count(), 1, "{shown}");
    assert!(shown.contains("Enter/Esc  back"), "{shown}");
    h.press(KeyCode::Esc);
    h.chr('x');
    h.chr('y');
    h.press(KeyCode::Esc);

    other(&h)
        .schedule_delete(
            "api-token",
            &csvault::csms::DeleteSecretForScheduleRequest::default(),
        )
        .unwrap();
    h.advance(Duration::from_millis(300));
    assert_eq!(
        detail(&h).detail.as_ref().unwrap().secret.state,
        SecretState::PendingDelete
    );
    let shown = footer(&h);
    assert!(shown.contains("r  restore"), "{shown}");
    for refused in [" u  ", " e  ", " t  ", " x  "] {
        assert!(!shown.contains(refused), "{refused} in {shown}");
    }

    // Deleted by another process: nothing to do here but leave.
    other(&h).delete_secret("api-token").unwrap();
    h.advance(Duration::from_millis(300));
    let shown = footer(&h);
    assert_eq!(shown.trim(), "?  help  Esc  back", "{shown}");

    // `y` on a 204: said, nothing copied.
    let mut h = on_detail("doomed", false);
    h.chr('D');
    h.type_str("doomed");
    h.press(KeyCode::Enter);
    assert_eq!(response(&h).status_line, "204 No Content");
    h.chr('y');
    assert_eq!(status(&h), csvault::tui::text::status::NO_BODY);
    assert_eq!(h.clipboard.contents(), None);
}

/// `U` (restore from a backup) is on the list's footer at 100 columns.
#[test]
fn the_lists_footer_offers_restore_from_a_backup() {
    let mut h = Harness::unlocked().unwrap();
    h.create("one", "", "v");
    h.press(KeyCode::Esc);
    let shown = footer(&h);
    assert!(shown.contains("U  restore backup"), "{shown}");
}

/// A backup into a directory that is not there names the directory (the dialog stays).
#[test]
fn a_backup_into_a_missing_directory_says_so() {
    let mut h = on_detail("tls-key", false);
    let missing = h.dir.path().join("no-such-dir");
    h.chr('b');
    clear_field(&mut h);
    h.type_str(&missing.join("tls.blob").display().to_string());
    h.press(KeyCode::Enter);
    let Dialog::Field(field) = dialog(&h) else {
        panic!("the dialog stays")
    };
    let said = format!("directory {} does not exist", missing.display());
    assert_eq!(field.error.as_deref(), Some(said.as_str()));
    assert!(h.frame(100, 30).contains("does not exist"));
    assert!(!missing.exists(), "nothing created");
}

#[test]
fn b_on_the_list_backs_up_the_whole_vault_into_a_checked_copy() {
    let mut h = Harness::unlocked().unwrap();
    h.create("db", "", "hunter2");
    h.press(KeyCode::Esc);
    h.chr('B');
    let Dialog::Field(field) = dialog(&h) else {
        panic!("the path dialog")
    };
    let default = field.field.as_str().to_owned();
    let dir = h.dir.path().display().to_string();
    assert!(
        default.starts_with(&format!("{dir}/vault-backup-"))
            && std::path::Path::new(&default).extension() == Some("db".as_ref()),
        "beside the vault, with a time stamp: {default}"
    );
    assert!(h.frame(100, 30).contains(t::VAULT_BACKUP_TITLE));
    // A file already there: refused in the dialog, for another try.
    let taken = h.dir.path().join("taken.db");
    std::fs::write(&taken, "keep").unwrap();
    clear_field(&mut h);
    h.type_str(&taken.display().to_string());
    h.press(KeyCode::Enter);
    let Dialog::Field(field) = dialog(&h) else {
        panic!("the dialog stays")
    };
    assert!(
        field
            .error
            .as_deref()
            .is_some_and(|e| e.contains("already exists"))
    );
    assert_eq!(std::fs::read_to_string(&taken).unwrap(), "keep");
    clear_field(&mut h);
    let copy = h.dir.path().join("copy.db");
    h.type_str(&copy.display().to_string());
    h.press(KeyCode::Enter);
    assert!(h.session.app.overlay.is_none(), "done: the dialog closes");
    assert!(status(&h).contains(t::VAULT_BACKED_UP), "{}", status(&h));
    assert!(status(&h).contains("(1 secrets"), "{}", status(&h));
    assert_eq!(
        std::fs::metadata(&copy).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let opened = Vault::open(&copy, PASSPHRASE.as_bytes()).unwrap();
    let value = opened.get_value("db", "latest").unwrap();
    assert_eq!(
        value.secret_string.as_deref().map(String::as_str),
        Some("hunter2")
    );
}
