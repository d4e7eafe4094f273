//! The new-version form, the edit form and the password generator's options line drawn into a
//! `TestBackend` at 100×30 and 60×15 and compared with insta snapshots (ids and times
//! redacted); and a masked value, typed or generated, never reaches any rendered buffer there.
//!
//! New or changed snapshots: `INSTA_UPDATE=always cargo test --test tui forms_snapshots::`, then
//! review the `.snap` files.

use crate::support::{Harness, PASSPHRASE, redact, snapshot_settings};
use crossterm::event::KeyCode;
use csvault::tui::app::Screen;
use csvault::vault::Vault;

const LABEL: &str = "~/.local/share/csvault/vault.db";
const SIZES: [(u16, u16); 2] = [(100, 30), (60, 15)];

fn shoot(h: &Harness, name: &str, shots: &mut Vec<(String, String)>) {
    for (w, hgt) in SIZES {
        shots.push((format!("{name}_{w}x{hgt}"), redact(&h.frame(w, hgt))));
    }
}

/// The detail of `db-password`, a second key in the vault.
fn detail() -> Harness {
    let mut h = Harness::unlocked().unwrap();
    h.session.app.vault_label = LABEL.into();
    h.create("db-password", "Production PostgreSQL", "one");
    h.press(KeyCode::Esc);
    Vault::open(&h.path, PASSPHRASE.as_bytes())
        .unwrap()
        .create_key("app/db", "")
        .unwrap();
    h.advance(std::time::Duration::from_millis(10));
    h.press(KeyCode::Enter);
    h
}

fn walk() -> Vec<(String, String)> {
    let mut shots = Vec::new();
    let mut h = detail();
    h.chr('u');
    shoot(&h, "version_empty", &mut shots);
    h.type_str("hunter2");
    h.press(KeyCode::Tab);
    h.type_str("blue, bad.stage");
    h.press(KeyCode::Tab);
    h.type_str("2030-01-02");
    h.press(KeyCode::Tab);
    shoot(&h, "version_filled", &mut shots);
    h.ctrl('s');
    shoot(&h, "version_refused", &mut shots);
    h.press(KeyCode::Esc);
    h.chr('y');

    h.chr('u');
    h.ctrl('g');
    h.chr('s');
    h.press(KeyCode::Left);
    shoot(&h, "version_generator", &mut shots);
    h.ctrl('s');
    shoot(&h, "version_result", &mut shots);
    h.press(KeyCode::Enter);

    h.chr('e');
    shoot(&h, "edit_empty", &mut shots);
    h.ctrl('u');
    h.type_str("Staging PostgreSQL");
    h.press(KeyCode::Tab);
    h.press(KeyCode::Right);
    shoot(&h, "edit_changed", &mut shots);
    h.shift_tab();
    h.press(KeyCode::End);
    h.type_str(&"é".repeat(1020));
    shoot(&h, "edit_too_long", &mut shots);
    h.ctrl('u');
    h.type_str("Staging PostgreSQL");
    h.ctrl('s');
    shoot(&h, "edit_result", &mut shots);

    // The generator's options line in the create form.
    h.press(KeyCode::Enter);
    h.press(KeyCode::Esc);
    h.press(KeyCode::Esc);
    h.chr('n');
    h.type_str("generated");
    for _ in 0..4 {
        h.press(KeyCode::Tab);
    }
    h.ctrl('g');
    h.chr('p');
    shoot(&h, "form_generator", &mut shots);

    // Only the space left: refused, and said on the options line.
    for class in ['l', 'u', 'n', 's'] {
        h.chr(class);
    }
    shoot(&h, "form_generator_spaces_only", &mut shots);

    // Ctrl+G over a typed value asks first.
    h.press(KeyCode::Esc);
    h.chr('y');
    h.chr('n');
    h.type_str("typed");
    for _ in 0..4 {
        h.press(KeyCode::Tab);
    }
    h.type_str("hunter2");
    h.ctrl('g');
    shoot(&h, "form_generate_over_typed", &mut shots);
    shots
}

#[test]
fn new_version_and_edit_forms_at_100x30_and_60x15() {
    let shots = walk();
    let settings = snapshot_settings();
    settings.bind(|| {
        for (name, text) in &shots {
            insta::assert_snapshot!(name.clone(), text);
        }
    });
}

/// A new version whose expiry is already past: the question before it is created.
#[test]
fn the_past_expiry_question_at_100x30_and_60x15() {
    let mut h = detail();
    h.chr('u');
    h.type_str("two");
    h.press(KeyCode::Tab);
    h.press(KeyCode::Tab);
    h.type_str("2020-01-01");
    h.ctrl('s');
    let mut shots = Vec::new();
    shoot(&h, "version_past_expiry", &mut shots);
    snapshot_settings().bind(|| {
        for (name, text) in &shots {
            insta::assert_snapshot!(name.clone(), text);
        }
    });
}

/// A create form with more rows than a 60×15 terminal has: it scrolls, keeping the submit
/// button on screen and the focused field with its error in view.
#[test]
fn a_crowded_create_form_scrolls_and_keeps_its_button() {
    let mut h = Harness::unlocked().unwrap();
    h.session.app.vault_label = LABEL.into();
    h.chr('n');
    h.type_str("bad name!");
    h.press(KeyCode::Tab);
    h.press(KeyCode::Tab);
    h.type_str(&"é".repeat(1030));
    h.press(KeyCode::Tab);
    h.press(KeyCode::Tab);
    h.ctrl('g');
    h.ctrl('s');
    let mut shots = Vec::new();
    shoot(&h, "form_crowded_name", &mut shots);
    let small = h.frame(60, 15);
    assert!(small.contains("[ Create secret ]"), "{small}");
    assert!(small.contains("✗ the name contains U+0020"), "{small}");
    h.press(KeyCode::Tab);
    h.press(KeyCode::Tab);
    shoot(&h, "form_crowded_description", &mut shots);
    let small = h.frame(60, 15);
    assert!(small.contains("[ Create secret ]"), "{small}");
    assert!(small.contains("Description"), "{small}");
    assert!(small.contains("2,048"), "its error: {small}");
    h.press(KeyCode::Tab);
    h.press(KeyCode::Tab);
    h.press(KeyCode::Tab);
    shoot(&h, "form_crowded_generator", &mut shots);
    let small = h.frame(60, 15);
    assert!(small.contains("[ Create secret ]"), "{small}");
    assert!(small.contains("chars"), "the options line: {small}");
    snapshot_settings().bind(|| {
        for (name, text) in &shots {
            insta::assert_snapshot!(name.clone(), text);
        }
    });
}

#[test]
fn a_masked_value_typed_or_generated_never_reaches_the_new_screens() {
    const VALUE: &str = "Zq7-MASKED-VALUE-xK9";
    let sizes = [(100, 30), (60, 15), (80, 24), (200, 50)];
    let assert_hidden = |h: &Harness, parts: &[&str], at: &str| {
        for (w, hgt) in sizes {
            let frame = h.frame(w, hgt);
            for part in parts {
                assert!(
                    !frame.contains(part),
                    "{part} visible at {at} ({w}×{hgt}):\n{frame}"
                );
            }
        }
    };
    let typed = ["Zq7", "MASKED", "VALUE", "xK9"];
    let mut h = detail();
    h.chr('u');
    for ch in VALUE.chars() {
        h.chr(ch);
        assert_hidden(&h, &typed, "typing a new version");
    }
    h.press(KeyCode::Enter);
    h.type_str(VALUE);
    h.press(KeyCode::Tab);
    h.type_str("blue");
    assert_hidden(&h, &typed, "stages");
    h.shift_tab();
    h.shift_tab();
    h.press(KeyCode::Right);
    assert_hidden(&h, &typed, "as base64");
    h.press(KeyCode::Left);
    h.ctrl('s');
    assert_hidden(&h, &typed, "result");
    h.press(KeyCode::Enter);
    assert_hidden(&h, &typed, "detail");

    // Generated: no 8 characters in a row of the password show, in either form.
    h.chr('u');
    h.ctrl('g');
    let windows = |h: &Harness| -> Vec<String> {
        let value = match &h.session.app.screen {
            Screen::VersionForm(f) => f.value.text.as_str().to_owned(),
            Screen::Form(f) => f.value.text.as_str().to_owned(),
            other => panic!("a form, got {other:?}"),
        };
        let chars: Vec<char> = value.chars().collect();
        chars.windows(8).map(|w| w.iter().collect()).collect()
    };
    for step in [KeyCode::Right, KeyCode::PageUp, KeyCode::Left] {
        let parts = windows(&h);
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        assert_hidden(&h, &parts, "generated in the new version form");
        h.press(step);
    }
    h.ctrl('s');
    h.press(KeyCode::Enter);
    h.press(KeyCode::Esc);
    h.chr('n');
    for _ in 0..4 {
        h.press(KeyCode::Tab);
    }
    h.ctrl('g');
    let parts = windows(&h);
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    assert_hidden(&h, &parts, "generated in the create form");

    // The check itself works: revealed, the value shows.
    h.ctrl('r');
    let value = parts.first().copied().unwrap().to_owned();
    assert!(h.frame(100, 30).contains(&value));
}
