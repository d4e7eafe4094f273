//! The events screen, the new-event form and the notification records, driven by key events on
//! a temporary vault: create (checked as typed), enable and disable, delete after a yes (and the
//! vault's refusal while a secret subscribes), and the unread count that the records screen
//! clears.

use std::time::Duration;

use crossterm::event::KeyCode;
use zeroize::Zeroizing;

use crate::support::{Harness, PASSPHRASE};
use csvault::csms::{CreateSecretEventRequest, CreateSecretRequest, Field};
use csvault::tui::app::Screen;
use csvault::tui::dialogs::{Confirm, Dialog};
use csvault::tui::screens::event_form::{EventFormState, Focus};
use csvault::tui::screens::events::EventsState;
use csvault::tui::screens::records::RecordsState;
use csvault::tui::text;
use csvault::vault::Vault;

/// The same vault opened by "another process".
fn other(h: &Harness) -> Vault {
    Vault::open(&h.path, PASSPHRASE.as_bytes()).unwrap()
}

fn status(h: &Harness) -> String {
    h.session
        .app
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

fn events(h: &Harness) -> &EventsState {
    match &h.session.app.screen {
        Screen::Events(s) => s,
        other => panic!("expected the events screen, got {other:?}"),
    }
}

fn event_form(h: &Harness) -> &EventFormState {
    match &h.session.app.screen {
        Screen::EventForm(f) => f,
        other => panic!("expected the new-event form, got {other:?}"),
    }
}

fn records(h: &Harness) -> &RecordsState {
    match &h.session.app.screen {
        Screen::Records(s) => s,
        other => panic!("expected the records, got {other:?}"),
    }
}

fn event(name: &str, types: &[&str]) -> CreateSecretEventRequest {
    CreateSecretEventRequest {
        name: name.into(),
        event_types: types.iter().map(|t| (*t).to_owned()).collect(),
        state: None,
        notification: None,
    }
}

/// A secret subscribed to `event`.
fn subscribed(name: &str, event: &str) -> CreateSecretRequest {
    CreateSecretRequest {
        name: name.into(),
        secret_string: Some(Zeroizing::new("v".into())),
        event_subscriptions: Some(vec![event.into()]),
        ..CreateSecretRequest::default()
    }
}

#[test]
fn an_event_is_created_toggled_and_deleted_from_its_screen() {
    let mut h = Harness::unlocked().unwrap();
    h.chr('E');
    assert!(events(&h).events.is_empty());
    assert!(
        h.frame(100, 30)
            .contains(text::events::NONE.split(':').next().unwrap())
    );
    h.chr('n');
    h.type_str("rotations");
    h.press(KeyCode::Tab);
    assert_eq!(event_form(&h).focus, Focus::Types);
    h.press(KeyCode::Char(' '));
    h.press(KeyCode::Right);
    h.press(KeyCode::Char(' '));
    h.press(KeyCode::Tab);
    h.press(KeyCode::Char(' '));
    assert!(!event_form(&h).enabled, "Space switches the state");
    h.press(KeyCode::Char(' '));
    h.ctrl('s');
    assert_eq!(status(&h), format!("{} rotations.", text::events::CREATED));
    assert_eq!(
        events(&h).events.len(),
        1,
        "back on the events screen, read again"
    );
    let made = other(&h).show_event("rotations").unwrap();
    assert_eq!(
        made.event_types,
        ["SECRET_VERSION_CREATED", "SECRET_VERSION_EXPIRED"]
    );
    assert_eq!(made.state, "ENABLED");
    assert_eq!(made.notification, None, "no target typed: none");

    h.chr('x');
    assert_eq!(status(&h), format!("{} rotations.", text::events::DISABLED));
    assert_eq!(other(&h).show_event("rotations").unwrap().state, "DISABLED");
    assert_eq!(events(&h).events[0].state, "DISABLED", "the screen follows");
    h.chr('x');
    assert_eq!(other(&h).show_event("rotations").unwrap().state, "ENABLED");

    h.chr('D');
    assert!(matches!(
        h.session.app.overlay,
        Some(Dialog::Confirm(Confirm::DeleteEvent { .. }))
    ));
    h.chr('n');
    assert!(other(&h).show_event("rotations").is_ok(), "no: kept");
    h.chr('D');
    h.chr('y');
    assert_eq!(status(&h), format!("{} rotations.", text::events::DELETED));
    assert!(events(&h).events.is_empty());
    assert!(other(&h).show_event("rotations").is_err());
    h.press(KeyCode::Esc);
    assert!(matches!(h.session.app.screen, Screen::List(_)));
}

#[test]
fn the_form_checks_as_typed_and_knows_the_names_taken() {
    let mut h = Harness::unlocked().unwrap();
    other(&h)
        .create_event(&event("taken", &["SECRET_DELETED"]))
        .unwrap();
    h.chr('E');
    h.chr('n');
    h.type_str("taken");
    assert_eq!(
        event_form(&h).shown(Field::EventName).as_deref(),
        Some(text::events::NAME_TAKEN),
        "a taken name shows at once"
    );
    h.press(KeyCode::Backspace);
    assert_eq!(event_form(&h).shown(Field::EventName), None);
    h.type_str(" x");
    assert_eq!(
        event_form(&h).shown(Field::EventName),
        None,
        "a typing slip shows once the field is left"
    );
    h.press(KeyCode::Tab);
    assert!(event_form(&h).shown(Field::EventName).is_some());
    // Target fields: one alone is refused, all three empty is no target.
    h.press(KeyCode::Tab);
    h.press(KeyCode::Tab);
    h.type_str("SMN");
    h.ctrl('s');
    assert_eq!(status(&h), text::form::FIX_FIRST);
    let form = event_form(&h);
    assert_eq!(form.focus, Focus::Name, "the first broken field");
    assert!(form.shown(Field::EventTypes).is_some(), "no type ticked");
    assert!(form.shown(Field::TargetId).is_some());
    assert!(other(&h).list_events(None, None).unwrap().events.len() == 1);
    let frame = h.frame(100, 30);
    assert!(frame.contains("✗"), "{frame}");
    // Leaving what was typed asks first.
    h.press(KeyCode::Esc);
    assert!(matches!(
        h.session.app.overlay,
        Some(Dialog::Confirm(Confirm::Discard))
    ));
    h.chr('y');
    assert!(matches!(h.session.app.screen, Screen::Events(_)));
}

#[test]
fn deleting_a_subscribed_event_is_refused_naming_the_secret() {
    let mut h = Harness::unlocked().unwrap();
    let o = other(&h);
    o.create_event(&event("ev", &["SECRET_DELETED"])).unwrap();
    o.create_secret(&subscribed("db-password", "ev")).unwrap();
    h.chr('E');
    h.chr('D');
    h.chr('y');
    let said = status(&h);
    assert!(said.contains("db-password"), "{said}");
    assert_eq!(
        h.session.app.status.as_ref().map(|s| s.tone),
        Some(csvault::tui::app::Tone::Error)
    );
    assert_eq!(events(&h).events.len(), 1);
}

#[test]
fn the_unread_count_shows_in_the_header_until_the_records_are_seen() {
    let mut h = Harness::unlocked().unwrap();
    let o = other(&h);
    o.create_event(&event("gone", &["SECRET_DELETED"])).unwrap();
    for name in ["alpha", "beta"] {
        o.create_secret(&subscribed(name, "gone")).unwrap();
        o.delete_secret(name).unwrap();
    }
    h.advance(Duration::from_millis(250));
    assert_eq!(
        h.session.app.unread, 2,
        "another process's records are noticed"
    );
    let header = h.frame(100, 30).lines().next().unwrap().to_owned();
    assert!(header.contains("● 2 unread"), "{header}");

    h.chr('N');
    let shown = records(&h);
    let names: Vec<&str> = shown
        .records
        .iter()
        .map(|r| r.secret_name.as_str())
        .collect();
    assert_eq!(names, ["beta", "alpha"], "newest first");
    assert_eq!(shown.unread_at_open, 2, "both marked new");
    assert_eq!(h.session.app.unread, 0);
    assert_eq!(o.unread_records().unwrap(), 0, "marked seen in the vault");
    let frame = h.frame(100, 30);
    assert!(!frame.lines().next().unwrap().contains("unread"), "{frame}");
    assert!(frame.contains("SUCCESS"), "{frame}");

    // A record fired while the screen is open joins it, and is seen.
    o.create_secret(&subscribed("gamma", "gone")).unwrap();
    o.delete_secret("gamma").unwrap();
    h.advance(Duration::from_millis(250));
    assert_eq!(records(&h).records.len(), 3);
    assert_eq!(records(&h).records[0].secret_name, "gamma");
    assert_eq!(o.unread_records().unwrap(), 0);
    h.press(KeyCode::Esc);
    assert_eq!(h.session.app.unread, 0);
}
