//! The events screen, the new-event form (empty, filled, refused), the delete question, the
//! notification records and the header's unread count, drawn into a `TestBackend` at 100×30 and
//! 60×15 and compared with insta snapshots (ids and times redacted).
//!
//! New or changed snapshots: `INSTA_UPDATE=always cargo test --test tui events_snapshots::`.

use std::time::Duration;

use crate::support::{Harness, PASSPHRASE, buffer_text, redact, snapshot_settings};
use crossterm::event::KeyCode;
use csvault::csms::{CreateSecretEventRequest, CreateSecretRequest, Notification};
use csvault::vault::Vault;
use zeroize::Zeroizing;

const LABEL: &str = "~/.local/share/csvault/vault.db";
const SIZES: [(u16, u16); 2] = [(100, 30), (60, 15)];

fn shoot(h: &Harness, name: &str, shots: &mut Vec<(String, String)>) {
    for (w, hgt) in SIZES {
        let text = redact(&buffer_text(&h.buffer(w, hgt)));
        shots.push((format!("{name}_{w}x{hgt}"), text));
    }
}

fn subscribed(name: &str, event: &str) -> CreateSecretRequest {
    CreateSecretRequest {
        name: name.into(),
        secret_string: Some(Zeroizing::new("v".into())),
        event_subscriptions: Some(vec![event.into()]),
        ..CreateSecretRequest::default()
    }
}

/// Walks through the events and records screens, taking a shot of each.
fn walk() -> Vec<(String, String)> {
    let mut shots = Vec::new();
    let mut h = Harness::unlocked().unwrap();
    h.session.app.vault_label = LABEL.into();
    h.chr('E');
    shoot(&h, "events_empty", &mut shots);
    h.chr('n');
    shoot(&h, "event_form_empty", &mut shots);
    h.type_str("bad name");
    h.press(KeyCode::Tab);
    h.press(KeyCode::Tab);
    h.press(KeyCode::Tab);
    h.type_str("SMN");
    h.ctrl('s');
    shoot(&h, "event_form_errors", &mut shots);
    for _ in 0..5 {
        h.press(KeyCode::Tab);
    }
    // On a short terminal the form scrolls to the focused field (the target's name).
    shoot(&h, "event_form_scrolled", &mut shots);
    h.press(KeyCode::Esc);
    h.chr('y');
    h.chr('n');
    h.type_str("rotations");
    h.press(KeyCode::Tab);
    h.press(KeyCode::Right);
    h.press(KeyCode::Right);
    h.press(KeyCode::Char(' '));
    h.press(KeyCode::Right);
    h.press(KeyCode::Char(' '));
    shoot(&h, "event_form_filled", &mut shots);
    h.ctrl('s');

    let other = Vault::open(&h.path, PASSPHRASE.as_bytes()).unwrap();
    other
        .create_event(&CreateSecretEventRequest {
            name: "lifecycle".into(),
            event_types: vec![
                "SECRET_VERSION_CREATED".into(),
                "SECRET_VERSION_EXPIRED".into(),
                "SECRET_DELETED".into(),
            ],
            state: Some("DISABLED".into()),
            notification: Some(Notification {
                target_type: "SMN".into(),
                target_id: "urn:smn:cn-north-4:project:ops-alerts".into(),
                target_name: "ops-alerts".into(),
            }),
        })
        .unwrap();
    other
        .create_event(&CreateSecretEventRequest {
            name: "deletions".into(),
            event_types: vec!["SECRET_DELETED".into()],
            state: None,
            notification: None,
        })
        .unwrap();
    h.advance(Duration::from_millis(250));
    shoot(&h, "events", &mut shots);
    h.chr('D');
    shoot(&h, "event_delete", &mut shots);
    h.chr('n');
    h.press(KeyCode::Esc);

    h.chr('N');
    shoot(&h, "records_empty", &mut shots);
    h.press(KeyCode::Esc);
    for name in ["api-token", "db-password", "ssh-deploy-key"] {
        other.create_secret(&subscribed(name, "deletions")).unwrap();
        other.delete_secret(name).unwrap();
    }
    h.advance(Duration::from_millis(250));
    shoot(&h, "list_unread", &mut shots);
    h.chr('N');
    h.press(KeyCode::Down);
    shoot(&h, "records", &mut shots);
    shots
}

#[test]
fn events_and_records_at_100x30_and_60x15() {
    let shots = walk();
    let settings = snapshot_settings();
    settings.bind(|| {
        for (name, text) in &shots {
            insta::assert_snapshot!(name.clone(), text);
        }
    });
}
