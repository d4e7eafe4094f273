//! Rotation in the terminal app: the detail screen's newer Secret fields, `R` (rotate now, after
//! a confirmation, its response shown), the edit form's rotation settings checked as typed, and
//! automatic rotation done within a minute while the app is open (on a vault read by a manual
//! clock); the screens drawn at 100×30 and 60×15 and compared with insta snapshots.
//!
//! New or changed snapshots: `INSTA_UPDATE=always cargo test --test tui rotation::`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::support::{Harness, PASSPHRASE, redact, snapshot_settings};
use crossterm::event::KeyCode;
use csvault::clipboard::{ClipboardGuard, FakeClipboard};
use csvault::csms::{CreateSecretRequest, Field, KeyState, rotation_period_problem, rule_text};
use csvault::tui::Session;
use csvault::tui::app::{Screen, Tone};
use csvault::tui::keymap::Context;
use csvault::tui::screens::edit_form::EditFormState;
use csvault::tui::text;
use csvault::tui::timefmt::Zone;
use csvault::vault::{ManualClock, Vault};
use zeroize::Zeroizing;

const LABEL: &str = "~/.local/share/csvault/vault.db";
const SIZES: [(u16, u16); 2] = [(100, 30), (60, 15)];
const HOUR_MS: i64 = 3_600_000;
/// 2026-01-01T00:00:00Z in ms.
const T0: i64 = 1_767_225_600_000;

fn shoot(h: &Harness, name: &str, shots: &mut Vec<(String, String)>) {
    for (w, hgt) in SIZES {
        shots.push((format!("{name}_{w}x{hgt}"), redact(&h.frame(w, hgt))));
    }
}

fn text_secret(name: &str, value: &str) -> CreateSecretRequest {
    CreateSecretRequest {
        name: name.into(),
        secret_string: Some(Zeroizing::new(value.into())),
        ..CreateSecretRequest::default()
    }
}

fn edit_form(h: &Harness) -> &EditFormState {
    match &h.session.app.screen {
        Screen::EditForm(f) => f,
        other => panic!("expected the edit form, got {other:?}"),
    }
}

fn response(h: &Harness) -> (String, serde_json::Value) {
    let Screen::Result(r) = &h.session.app.screen else {
        panic!("expected the response, got {:?}", h.session.app.screen);
    };
    (
        r.status_line.clone(),
        serde_json::from_str(&r.body).unwrap(),
    )
}

fn status(h: &Harness) -> String {
    h.session
        .app
        .status
        .clone()
        .map(|s| s.text)
        .unwrap_or_default()
}

/// An event `rotation-alerts`, written as the event operations store one.
fn add_event(path: &std::path::Path) {
    rusqlite::Connection::open(path)
        .unwrap()
        .execute(
            "INSERT INTO events (name, event_id, event_types, state, create_time, update_time)
             VALUES ('rotation-alerts', 'e1', 'SECRET_ROTATED', 'ENABLED', 0, 0)",
            [],
        )
        .unwrap();
}

/// The detail of `db`, a plain text secret, open.
fn detail_of_db() -> Harness {
    let mut h = Harness::unlocked().unwrap();
    h.session.app.vault_label = LABEL.into();
    h.create("db", "prod database", "one");
    h.press(KeyCode::Esc);
    h.press(KeyCode::Enter);
    h
}

#[test]
fn r_asks_first_then_rotates_and_shows_the_response() {
    let mut h = detail_of_db();
    h.chr('R');
    assert_eq!(h.session.app.context(), Context::Confirm);
    assert!(h.frame(100, 30).contains("Rotate db?"));
    h.chr('n');
    assert_eq!(h.session.app.context(), Context::Detail);
    let other = Vault::open(&h.path, PASSPHRASE.as_bytes()).unwrap();
    assert_eq!(
        other.secret_detail("db").unwrap().versions.len(),
        1,
        "no said no"
    );

    h.chr('R');
    h.chr('y');
    let (status_line, body) = response(&h);
    assert_eq!(status_line, "200 Request succeeded");
    assert_eq!(body["secret_name"], "db");
    assert_eq!(body["version_id"], "v2");
    let task_id = body["rotation_task_id"].as_str().unwrap().to_owned();
    assert_eq!(status(&h), "Rotated db: v2 is current.");
    let tasks = other
        .list_tasks(&csvault::csms::ListSecretTaskQuery::default())
        .unwrap();
    assert_eq!(tasks.tasks[0].task_id, task_id);
    assert_eq!(tasks.tasks[0].operate_type, "MANUAL_ROTATION");

    h.press(KeyCode::Enter);
    assert!(matches!(h.session.app.screen, Screen::Detail(_)));
    let frame = h.frame(100, 30);
    assert!(frame.contains("Versions (2)"), "{frame}");
    let rotated_at = other
        .show_secret("db")
        .unwrap()
        .settings
        .rotation_time
        .unwrap();
    assert!(
        frame.contains(&format!("({rotated_at})")),
        "the last rotation's time shows:\n{frame}"
    );
}

#[test]
fn a_rotation_the_vault_refuses_is_shown_as_its_error() {
    let mut h = detail_of_db();
    h.chr('x');
    h.chr('y');
    h.press(KeyCode::Enter);
    h.chr('R');
    h.chr('y');
    let (status_line, body) = response(&h);
    assert!(status_line.starts_with("403 CSMS.0109"), "{status_line}");
    assert_eq!(body["error_code"], "CSMS.0109");
    let other = Vault::open(&h.path, PASSPHRASE.as_bytes()).unwrap();
    assert_eq!(other.secret_detail("db").unwrap().versions.len(), 1);
}

#[test]
fn the_edit_form_sets_automatic_rotation_checked_as_typed() {
    let mut h = detail_of_db();
    h.chr('e');
    h.press(KeyCode::Tab);
    h.press(KeyCode::Tab);
    assert_eq!(edit_form(&h).context(), Context::EditPicker);
    assert!(h.frame(100, 30).contains("◀ manual only ▶"));
    h.press(KeyCode::Char(' '));
    assert!(h.frame(100, 30).contains("◀ automatic ▶"));
    h.ctrl('s');
    assert_eq!(status(&h), text::form::FIX_FIRST);
    assert!(matches!(h.session.app.screen, Screen::EditForm(_)));
    assert!(
        h.frame(100, 30)
            .contains("automatic rotation needs a rotation_period"),
        "{}",
        h.frame(100, 30)
    );

    h.press(KeyCode::Tab);
    assert_eq!(edit_form(&h).context(), Context::EditText);
    h.type_str("5h");
    let why = rotation_period_problem("5h").unwrap();
    let frame = h.frame(100, 30);
    assert!(frame.contains(&format!("✗ {why}")), "{frame}");
    let rule = rule_text(Field::RotationPeriod);
    assert!(
        frame.contains(&format!("rule: {}", &rule[..20])),
        "the rule follows the reason:\n{frame}"
    );
    h.ctrl('u');
    h.type_str("30d");
    assert!(!h.frame(100, 30).contains('✗'));

    h.press(KeyCode::Tab);
    h.type_str("bad name");
    assert!(h.frame(100, 30).contains("an event name has only"));
    h.ctrl('u');
    h.type_str("no-such-event");
    h.ctrl('s');
    let (status_line, _) = response(&h);
    assert!(status_line.starts_with("400 CSMS.0002"), "{status_line}");
    assert!(status_line.contains("no-such-event"), "{status_line}");
    h.press(KeyCode::Enter);
    add_event(&h.path);
    h.ctrl('u');
    h.type_str("rotation-alerts");
    h.ctrl('s');
    let (status_line, body) = response(&h);
    assert_eq!(status_line, "200 Request succeeded");
    let s = &body["secret"];
    assert_eq!(s["auto_rotation"], true);
    assert_eq!(s["rotation_period"], "30d");
    assert_eq!(
        s["event_subscriptions"],
        serde_json::json!(["rotation-alerts"])
    );
    assert_eq!(
        s["next_rotation_time"].as_i64().unwrap() - s["update_time"].as_i64().unwrap(),
        30 * 24 * HOUR_MS
    );

    h.press(KeyCode::Enter);
    let frame = h.frame(100, 30);
    assert!(frame.contains("on, every 30d"), "{frame}");
    assert!(frame.contains("rotation-alerts"), "{frame}");

    // Off again: the period is kept, the schedule cleared.
    h.chr('e');
    h.press(KeyCode::Tab);
    h.press(KeyCode::Tab);
    h.press(KeyCode::Left);
    h.ctrl('s');
    let (_, body) = response(&h);
    assert_eq!(body["secret"]["auto_rotation"], false);
    assert_eq!(body["secret"]["rotation_period"], "30d");
    assert_eq!(
        body["secret"]["next_rotation_time"],
        serde_json::Value::Null
    );
}

#[test]
fn an_emptied_period_is_refused_in_the_form() {
    let mut h = detail_of_db();
    Vault::open(&h.path, PASSPHRASE.as_bytes())
        .unwrap()
        .update_secret(
            "db",
            &csvault::csms::UpdateSecretRequest {
                rotation_period: Some("12h".into()),
                ..csvault::csms::UpdateSecretRequest::default()
            },
        )
        .unwrap();
    h.advance(Duration::from_millis(10));
    h.chr('e');
    for _ in 0..3 {
        h.press(KeyCode::Tab);
    }
    assert_eq!(edit_form(&h).rotation.period.as_str(), "12h");
    h.ctrl('u');
    assert!(h.frame(100, 30).contains(text::edit::PERIOD_KEPT));
    h.ctrl('s');
    assert_eq!(status(&h), text::form::FIX_FIRST);
}

/// A session on a new vault that reads time from a manual clock at `T0`.
fn on_clock() -> (Harness, Arc<ManualClock>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.db");
    let clock = Arc::new(ManualClock::at(T0));
    let vault = Vault::init(&path, PASSPHRASE.as_bytes())
        .unwrap()
        .with_clock(clock.clone());
    let clipboard = FakeClipboard::new();
    let guard = ClipboardGuard::new(Box::new(clipboard.clone()));
    let mut session = Session::with_vault(vault, guard);
    session.app.zone = Zone::utc();
    session.resize(100, 30);
    let h = Harness {
        session,
        clipboard,
        dir,
        path,
        now: Instant::now(),
    };
    (h, clock)
}

fn rotating(name: &str) -> CreateSecretRequest {
    CreateSecretRequest {
        auto_rotation: Some(true),
        rotation_period: Some("6h".into()),
        ..text_secret(name, "first")
    }
}

#[test]
fn a_due_rotation_happens_within_a_minute_while_the_app_is_open() {
    let (mut h, clock) = on_clock();
    let other = Vault::open_with_clock(&h.path, PASSPHRASE.as_bytes(), clock.clone()).unwrap();
    other.create_secret(&rotating("db")).unwrap();
    h.advance(Duration::from_millis(250));
    h.press(KeyCode::Enter);
    assert!(h.frame(100, 30).contains("Versions (1)"));
    clock.advance(6 * HOUR_MS);
    h.advance(Duration::from_secs(59));
    assert_eq!(
        other.secret_detail("db").unwrap().versions.len(),
        1,
        "not before a minute"
    );
    h.advance(Duration::from_secs(1));
    assert_eq!(other.secret_detail("db").unwrap().versions.len(), 2);
    assert_eq!(status(&h), "Rotated 1 secret on schedule.");
    let frame = h.frame(100, 30);
    assert!(
        frame.contains("Versions (2)"),
        "the detail follows:\n{frame}"
    );
    let tasks = other
        .list_tasks(&csvault::csms::ListSecretTaskQuery::default())
        .unwrap();
    assert_eq!(tasks.tasks.len(), 1);
    assert_eq!(tasks.tasks[0].operate_type, "AUTO_ROTATION");
    // Nothing more is due: the next minute changes nothing.
    h.advance(Duration::from_mins(1));
    assert_eq!(other.secret_detail("db").unwrap().versions.len(), 2);
}

#[test]
fn a_failed_automatic_rotation_is_said_on_the_status_line() {
    let (mut h, clock) = on_clock();
    let other = Vault::open_with_clock(&h.path, PASSPHRASE.as_bytes(), clock.clone()).unwrap();
    other.create_secret(&rotating("db")).unwrap();
    other
        .set_key_state("csms/default", KeyState::Disabled)
        .unwrap();
    h.advance(Duration::from_millis(250));
    clock.advance(6 * HOUR_MS);
    h.advance(Duration::from_mins(1));
    let said = h.session.app.status.clone().unwrap();
    assert_eq!(said.tone, Tone::Error);
    assert!(
        said.text
            .starts_with("Automatic rotation failed for 1 secret"),
        "{}",
        said.text
    );
    let failed = other
        .list_tasks(&csvault::csms::ListSecretTaskQuery::default())
        .unwrap();
    assert_eq!(failed.tasks[0].task_status, "FAILED");
    assert_eq!(
        failed.tasks[0].task_error_code.as_deref(),
        Some("CSMS.0401")
    );
}

/// `db-password` with every newer field set and rotated once by a fixed clock, `api-token`
/// plain; the session on the list.
fn scene() -> Harness {
    let mut h = Harness::unlocked().unwrap();
    h.session.app.vault_label = LABEL.into();
    add_event(&h.path);
    let fixed = Vault::open_with_clock(
        &h.path,
        PASSPHRASE.as_bytes(),
        Arc::new(ManualClock::at(T0)),
    )
    .unwrap();
    fixed
        .create_secret(&CreateSecretRequest {
            description: Some("Production PostgreSQL".into()),
            auto_rotation: Some(true),
            rotation_period: Some("30d".into()),
            rotation_func_urn: Some(
                "urn:fss:cn-north-4:project:function:default:rotate-db:latest".into(),
            ),
            rotation_config: Some("{\"user\":\"app\"}".into()),
            event_subscriptions: Some(vec!["rotation-alerts".into()]),
            ..text_secret("db-password", "first")
        })
        .unwrap();
    fixed.rotate_secret("db-password").unwrap();
    fixed
        .create_secret(&text_secret("api-token", "tok"))
        .unwrap();
    h.advance(Duration::from_millis(10));
    h
}

fn walk() -> Vec<(String, String)> {
    let mut shots = Vec::new();
    let mut h = scene();
    h.press(KeyCode::Down);
    h.press(KeyCode::Enter);
    assert!(matches!(h.session.app.screen, Screen::Detail(_)));
    // At 60×15 the record scrolls to its newer fields; at 100×30 it all fits.
    h.session.resize(60, 15);
    for _ in 0..3 {
        h.press(KeyCode::PageDown);
    }
    shoot(&h, "rotation_detail", &mut shots);
    h.press(KeyCode::PageDown);
    shots.push((
        "rotation_detail_further_60x15".to_owned(),
        redact(&h.frame(60, 15)),
    ));
    h.session.resize(100, 30);
    h.chr('R');
    shoot(&h, "rotation_dialog", &mut shots);
    h.chr('y');
    shoot(&h, "rotation_response", &mut shots);
    h.press(KeyCode::Enter);
    h.chr('e');
    h.press(KeyCode::Tab);
    h.press(KeyCode::Tab);
    h.press(KeyCode::Tab);
    h.ctrl('u');
    h.type_str("5h");
    shoot(&h, "rotation_edit_invalid", &mut shots);
    h.ctrl('u');
    h.type_str("12h");
    h.press(KeyCode::Tab);
    shoot(&h, "rotation_edit_event", &mut shots);
    shots
}

#[test]
fn rotation_screens_at_100x30_and_60x15() {
    let shots = walk();
    let settings = snapshot_settings();
    settings.bind(|| {
        for (name, text) in &shots {
            insta::assert_snapshot!(name.clone(), text);
        }
    });
}

#[test]
fn r_is_on_the_detail_screen_and_in_the_help_with_the_edit_forms_rotation_fields() {
    let h = detail_of_db();
    let frame = h.frame(100, 30);
    assert!(frame.contains("R  rotate now"), "{frame}");
    let sections = csvault::tui::screens::help::sections();
    let detail = sections
        .iter()
        .find(|(title, _)| *title == text::keys::CTX_DETAIL)
        .map(|(_, rows)| rows.clone())
        .unwrap();
    assert!(
        detail
            .iter()
            .any(|(k, w)| k == "R" && *w == text::keys::ROTATE_NOW),
        "{detail:?}"
    );
    let titles: Vec<&str> = sections.iter().map(|(title, _)| *title).collect();
    assert!(titles.contains(&"In the description, the rotation period or the event"));
    assert!(titles.contains(&"On KMS key or rotation"));
}
