//! The detail screen with versions, each of its dialogs and the list's (state filter, restore
//! from a backup), and the pending-deletion row, drawn into a `TestBackend` at 100×30 and 60×15
//! and compared with insta snapshots (ids and times redacted); and a version's value, masked,
//! never reaches any rendered buffer.
//!
//! New or changed snapshots: `INSTA_UPDATE=always cargo test --test tui detail_snapshots::`.

use std::sync::Arc;
use std::time::Duration;

use crate::support::{Harness, PASSPHRASE, buffer_text, redact, snapshot_settings};
use crossterm::event::KeyCode;
use csvault::csms::{CreateSecretVersionRequest, UpdateVersionRequest};
use csvault::vault::{ManualClock, Vault};
use zeroize::Zeroizing;

const LABEL: &str = "~/.local/share/csvault/vault.db";
const SIZES: [(u16, u16); 2] = [(100, 30), (60, 15)];

fn shoot(h: &Harness, name: &str, shots: &mut Vec<(String, String)>) {
    for (w, hgt) in SIZES {
        let text = redact(&buffer_text(&h.buffer(w, hgt)));
        shots.push((format!("{name}_{w}x{hgt}"), text));
    }
}

fn version(value: &str) -> CreateSecretVersionRequest {
    CreateSecretVersionRequest {
        secret_string: Some(Zeroizing::new(value.to_owned())),
        ..CreateSecretVersionRequest::default()
    }
}

/// A vault with `db-password` (three versions, a custom stage, an expiry) and `old-token`
/// pending deletion; the session on the list.
fn scene() -> Harness {
    let mut h = Harness::unlocked().unwrap();
    h.session.app.vault_label = LABEL.into();
    h.create("db-password", "Production PostgreSQL", "first");
    h.press(KeyCode::Esc);
    h.create("old-token", "Retired", "tok");
    h.press(KeyCode::Esc);
    let other = Vault::open(&h.path, PASSPHRASE.as_bytes()).unwrap();
    other
        .create_version("db-password", &version("second"))
        .unwrap();
    other
        .create_version("db-password", &version("third"))
        .unwrap();
    other.update_stage("db-password", "canary", "v1").unwrap();
    other
        .update_version(
            "db-password",
            "v2",
            &UpdateVersionRequest {
                expire_time: 4_102_444_800_000,
            },
        )
        .unwrap();
    // Scheduled by a fixed clock: its date, half hidden under a popup, is not redacted.
    let fixed = Vault::open_with_clock(
        &h.path,
        PASSPHRASE.as_bytes(),
        Arc::new(ManualClock::at(4_000_000_000_000)),
    )
    .unwrap();
    fixed
        .schedule_delete(
            "old-token",
            &csvault::csms::DeleteSecretForScheduleRequest::default(),
        )
        .unwrap();
    h.advance(Duration::from_millis(10));
    h.press(KeyCode::Char('g'));
    h
}

fn walk() -> Vec<(String, String)> {
    let mut shots = Vec::new();
    let mut h = scene();
    shoot(&h, "list_pending", &mut shots);
    h.chr('X');
    h.press(KeyCode::Down);
    shoot(&h, "dialog_state_filter", &mut shots);
    h.press(KeyCode::Esc);
    h.chr('U');
    shoot(&h, "dialog_restore_blob", &mut shots);
    h.press(KeyCode::Esc);

    h.press(KeyCode::Enter);
    shoot(&h, "detail_versions", &mut shots);
    h.press(KeyCode::Up);
    h.press(KeyCode::Up);
    h.ctrl('r');
    shoot(&h, "detail_revealed", &mut shots);
    h.ctrl('r');
    h.chr('t');
    h.type_str("prod");
    shoot(&h, "dialog_stage", &mut shots);
    h.ctrl('u');
    h.type_str("bad stage");
    shoot(&h, "dialog_stage_invalid", &mut shots);
    h.press(KeyCode::Esc);
    h.chr('T');
    shoot(&h, "dialog_remove_stage", &mut shots);
    h.press(KeyCode::Esc);
    h.chr('x');
    shoot(&h, "dialog_disable", &mut shots);
    h.chr('n');
    h.chr('d');
    shoot(&h, "dialog_schedule", &mut shots);
    h.press(KeyCode::Backspace);
    h.press(KeyCode::Backspace);
    h.chr('5');
    shoot(&h, "dialog_schedule_invalid", &mut shots);
    h.press(KeyCode::Esc);
    h.chr('D');
    h.type_str("db-pass");
    shoot(&h, "dialog_delete_now", &mut shots);
    h.press(KeyCode::Esc);
    h.chr('b');
    shoot(&h, "dialog_backup", &mut shots);
    h.press(KeyCode::Esc);
    h.chr('T');
    h.press(KeyCode::Enter);
    shoot(&h, "response_no_content", &mut shots);
    shots
}

#[test]
fn the_detail_its_dialogs_and_the_pending_row_at_100x30_and_60x15() {
    let shots = walk();
    let settings = snapshot_settings();
    settings.bind(|| {
        for (name, text) in &shots {
            insta::assert_snapshot!(name.clone(), text);
        }
    });
}

#[test]
fn a_masked_value_never_reaches_the_detail_screen() {
    const VALUE: &str = "Zq7-MASKED-VALUE-xK9";
    let mut h = Harness::unlocked().unwrap();
    h.create("masked", "", VALUE);
    h.press(KeyCode::Esc);
    let other = Vault::open(&h.path, PASSPHRASE.as_bytes()).unwrap();
    other.create_version("masked", &version("other")).unwrap();
    h.advance(Duration::from_millis(10));
    let sizes = [(100, 30), (60, 15), (80, 24), (200, 50)];
    let assert_hidden = |h: &Harness, at: &str| {
        for (w, hgt) in sizes {
            let frame = h.frame(w, hgt);
            for part in ["Zq7", "MASKED", "VALUE", "xK9"] {
                assert!(
                    !frame.contains(part),
                    "{part} visible at {at} ({w}×{hgt}):\n{frame}"
                );
            }
        }
    };
    h.press(KeyCode::Enter);
    assert_hidden(&h, "detail");
    h.press(KeyCode::Up);
    assert_hidden(&h, "v1 selected");
    h.chr('c');
    assert_hidden(&h, "after copy");
    h.ctrl('r');
    // The check itself works: revealed, the value shows.
    assert!(h.frame(100, 30).contains(VALUE));
    h.ctrl('r');
    assert_hidden(&h, "masked again");
    h.ctrl('r');
    h.press(KeyCode::Down);
    assert_hidden(&h, "another version selected");
    h.press(KeyCode::Up);
    h.ctrl('r');
    h.chr('t');
    assert_hidden(&h, "a dialog opened");
    h.press(KeyCode::Esc);
    h.ctrl('r');
    h.chr('x');
    h.chr('y');
    assert_hidden(&h, "response");
    h.press(KeyCode::Esc);
    assert_hidden(&h, "back on the detail");
    h.press(KeyCode::Esc);
    assert_hidden(&h, "list");
}
