//! Every screen drawn into a `TestBackend` at 100×30 and 60×15 and compared with insta snapshots
//! (ids and times redacted); the README screenshots in `assets/` are produced from the same
//! buffers; and a masked value never reaches any rendered buffer.
//!
//! New or changed snapshots: `INSTA_UPDATE=always cargo test --test tui snapshots` (this module
//! and the other `*_snapshots`), then review the `.snap` files in `tests/snapshots/`. Assets:
//! `CSVAULT_UPDATE_ASSETS=1 cargo test --test tui snapshots`.

use std::path::PathBuf;

use crate::support::{
    Harness, PASSPHRASE, buffer_text, matched_marks, redact, snapshot_settings, svg,
};
use crossterm::event::KeyCode;
use csvault::csms::KeyState;
use csvault::tui::app::Screen;
use csvault::vault::Vault;

const LABEL: &str = "~/.local/share/csvault/vault.db";
const SIZES: [(u16, u16); 2] = [(100, 30), (60, 15)];
/// Screens whose 100×30 frame is kept in `assets/` for the README.
const ASSETS: &[&str] = &["list", "form_errors", "result_ok", "detail", "keys", "help"];

/// One frame of a scene at one size, redacted.
struct Shot {
    name: String,
    text: String,
    svg: String,
}

fn shoot(h: &Harness, name: &str, shots: &mut Vec<Shot>) {
    for (w, hgt) in SIZES {
        let buffer = h.buffer(w, hgt);
        // The filter's highlighted characters, under the frame (none on most screens).
        let text = redact(&(buffer_text(&buffer) + &matched_marks(&buffer)));
        shots.push(Shot {
            name: format!("{name}_{w}x{hgt}"),
            svg: svg::render(&buffer, &text),
            text,
        });
    }
}

/// Walks through every screen, taking a shot of each.
fn walk() -> Vec<Shot> {
    let mut shots = Vec::new();
    let mut h = Harness::locked().unwrap();
    h.session.app.vault_label = LABEL.into();
    h.type_str("hunter2");
    shoot(&h, "create_vault", &mut shots);
    h.press(KeyCode::Tab);
    h.type_str("hunter");
    shoot(&h, "create_vault_mismatch", &mut shots);
    shots.push(Shot {
        name: "too_small_59x14".into(),
        text: h.frame(59, 14),
        svg: String::new(),
    });

    let mut h = Harness::unlocked().unwrap();
    h.session.app.vault_label = LABEL.into();
    shoot(&h, "list_empty", &mut shots);
    h.chr('n');
    shoot(&h, "form_empty", &mut shots);
    h.press(KeyCode::Esc);
    let secrets = [
        (
            "api-token",
            "Token for the payments API (rotated monthly by the platform team)",
            "tok",
        ),
        ("db-password", "Production PostgreSQL, user app_rw", "pw"),
        ("grafana.admin", "", "admin"),
        (
            "ssh_deploy-key",
            "Deploy key for the release pipeline",
            "key",
        ),
    ];
    for (name, description, value) in secrets {
        h.create(name, description, value);
        h.press(KeyCode::Esc);
    }
    h.press(KeyCode::Char('g'));
    h.press(KeyCode::Down);
    shoot(&h, "list", &mut shots);
    h.chr('/');
    h.type_str("de");
    shoot(&h, "list_filter", &mut shots);
    h.press(KeyCode::Esc);
    h.press(KeyCode::Enter);
    shoot(&h, "detail", &mut shots);
    h.press(KeyCode::Esc);

    h.chr('n');
    h.type_str("bad name!");
    h.press(KeyCode::Tab);
    h.press(KeyCode::Tab);
    h.type_str("Staging cache password");
    h.press(KeyCode::Tab);
    h.press(KeyCode::Tab);
    h.type_str("hunter2\nsecond line");
    shoot(&h, "form_errors", &mut shots);
    h.press(KeyCode::Esc);
    shoot(&h, "form_discard", &mut shots);
    h.chr('n');
    h.press(KeyCode::Home);
    for _ in 0.."hunter2".len() {
        h.press(KeyCode::Delete);
    }
    h.ctrl('r');
    shoot(&h, "form_revealed", &mut shots);
    h.shift_tab();
    h.press(KeyCode::Right);
    h.press(KeyCode::Right);
    h.press(KeyCode::Tab);
    h.type_str("/nonexistent/file.bin");
    shoot(&h, "form_file", &mut shots);
    h.press(KeyCode::Esc);
    h.chr('y');

    h.create("redis-cache", "Staging cache", "value");
    shoot(&h, "result_ok", &mut shots);
    h.press(KeyCode::Esc);
    h.chr('K');
    h.chr('n');
    h.type_str("team/payments");
    shoot(&h, "keys_new", &mut shots);
    h.press(KeyCode::Enter);
    h.press(KeyCode::Down);
    shoot(&h, "keys", &mut shots);
    h.chr('d');
    shoot(&h, "keys_confirm", &mut shots);
    h.chr('y');
    h.press(KeyCode::Esc);
    h.chr('?');
    shoot(&h, "help", &mut shots);
    h.press(KeyCode::Esc);

    // A refused submit: another process disables the chosen key while the form is open.
    h.chr('n');
    h.type_str("refused");
    let other = Vault::open(&h.path, PASSPHRASE.as_bytes()).unwrap();
    other
        .set_key_state("csms/default", KeyState::Disabled)
        .unwrap();
    h.ctrl('s');
    assert!(matches!(h.session.app.screen, Screen::Result(_)));
    shoot(&h, "result_error", &mut shots);
    shots
}

#[test]
fn every_screen_at_100x30_and_60x15() {
    let shots = walk();
    let settings = snapshot_settings();
    settings.bind(|| {
        for shot in &shots {
            insta::assert_snapshot!(shot.name.clone(), shot.text);
        }
    });
}

fn assets_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets")
}

#[test]
fn readme_assets_match_the_rendered_screens() {
    let shots = walk();
    let update = std::env::var_os("CSVAULT_UPDATE_ASSETS").is_some();
    let mut stale = Vec::new();
    for name in ASSETS {
        let shot = shots
            .iter()
            .find(|s| s.name == format!("{name}_100x30"))
            .expect("scene exists");
        for (ext, content) in [("txt", &shot.text), ("svg", &shot.svg)] {
            let path = assets_dir().join(format!("{name}.{ext}"));
            if update {
                std::fs::create_dir_all(assets_dir()).unwrap();
                std::fs::write(&path, content).unwrap();
            } else if std::fs::read_to_string(&path).ok().as_deref() != Some(content.as_str()) {
                stale.push(path.display().to_string());
            }
        }
    }
    assert!(
        stale.is_empty(),
        "assets out of date (rerun with CSVAULT_UPDATE_ASSETS=1): {stale:?}"
    );
}

#[test]
fn a_masked_value_never_reaches_the_screen() {
    const VALUE: &str = "Zq7-MASKED-VALUE-xK9";
    let mut h = Harness::unlocked().unwrap();
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
    h.chr('n');
    h.type_str("masked");
    for _ in 0..4 {
        h.press(KeyCode::Tab);
    }
    for ch in VALUE.chars() {
        h.chr(ch);
        assert_hidden(&h, "typing");
    }
    h.press(KeyCode::Enter);
    h.type_str(VALUE);
    assert_hidden(&h, "second line");
    h.press(KeyCode::Left);
    h.press(KeyCode::Up);
    assert_hidden(&h, "moving");
    h.shift_tab();
    h.press(KeyCode::Right);
    assert_hidden(&h, "as base64");
    h.press(KeyCode::Left);
    h.ctrl('s');
    assert_hidden(&h, "result");
    h.press(KeyCode::Esc);
    assert_hidden(&h, "list");
    h.chr('c');
    assert_hidden(&h, "after copy");
    h.press(KeyCode::Enter);
    assert_hidden(&h, "detail");

    // The check itself works: revealed, the value shows.
    h.press(KeyCode::Esc);
    h.chr('n');
    for _ in 0..4 {
        h.press(KeyCode::Tab);
    }
    h.type_str(VALUE);
    h.ctrl('r');
    assert!(h.frame(100, 30).contains(VALUE));
}
