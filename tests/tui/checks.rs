//! The checks and the health report in the terminal app (issue 14): the value forms' live
//! weak-value warning (only while the strength warnings are on, never the value), and the report
//! screen (sections, opening a secret, running again, switching the warnings); snapshots at
//! 100×30 and 60×15.
//!
//! New or changed snapshots: `INSTA_UPDATE=always cargo test --test tui checks::`, then review
//! the `.snap` files.

use std::time::Duration;

use crate::support::{Harness, PASSPHRASE, redact, snapshot_settings};
use crossterm::event::KeyCode;
use csvault::csms::{
    CreateSecretRequest, DAY_MS, ReportWindows, UpdateSecretsConfigRequest, UpdateVersionRequest,
};
use csvault::tui::app::{Screen, Tone};
use csvault::tui::keymap::Context;
use csvault::tui::text::checks as t;
use csvault::vault::Vault;
use zeroize::Zeroizing;

const LABEL: &str = "~/.local/share/csvault/vault.db";
const SIZES: [(u16, u16); 2] = [(100, 30), (60, 15)];
const WEAK: &str = "password1";
const STRONG: &str = "q7#Vf!2pLx@9Rz$wK3m&Tb8^Yh";

fn vault(h: &Harness) -> Vault {
    Vault::open(&h.path, PASSPHRASE.as_bytes()).unwrap()
}

fn set_checking(v: &Vault, on: bool) {
    v.update_secrets_config(&UpdateSecretsConfigRequest {
        checking_secret_strength: Some(on),
    })
    .unwrap();
}

/// Another process's commit, noticed on the next tick.
fn tick(h: &mut Harness) {
    h.advance(Duration::from_millis(10));
}

fn text(name: &str, value: &str) -> CreateSecretRequest {
    CreateSecretRequest {
        name: name.into(),
        secret_string: Some(Zeroizing::new(value.into())),
        ..CreateSecretRequest::default()
    }
}

/// From the list: the create form with the focus on the value.
fn create_form_at_value(h: &mut Harness, name: &str) {
    h.chr('n');
    h.type_str(name);
    for _ in 0..4 {
        h.press(KeyCode::Tab);
    }
    assert_eq!(h.session.app.context(), Context::FormValue);
}

fn shows(h: &Harness, needle: &str) -> bool {
    SIZES
        .iter()
        .all(|&(w, hgt)| h.frame(w, hgt).contains(needle))
}

fn shows_none(h: &Harness, needle: &str) -> bool {
    SIZES
        .iter()
        .all(|&(w, hgt)| !h.frame(w, hgt).contains(needle))
}

#[test]
fn the_create_form_warns_about_a_weak_value_while_the_warnings_are_on() {
    let mut h = Harness::unlocked().unwrap();
    create_form_at_value(&mut h, "db");
    h.type_str(WEAK);
    assert!(shows_none(&h, t::WEAK_VALUE), "off in a new vault");

    // Switched on by another process: the open form follows on the next tick.
    set_checking(&vault(&h), true);
    tick(&mut h);
    assert!(shows(&h, t::WEAK_VALUE));
    assert!(shows_none(&h, WEAK), "the value stays masked");

    // Each keystroke rates the value again: a strong value takes the warning away.
    h.ctrl('u');
    h.type_str(STRONG);
    assert!(shows_none(&h, t::WEAK_VALUE));
    h.ctrl('u');
    h.type_str("qwerty");
    assert!(shows(&h, t::WEAK_VALUE));
    // As base64 the value is not text, and not rated.
    h.shift_tab();
    h.press(KeyCode::Right);
    assert!(shows_none(&h, t::WEAK_VALUE));
    h.press(KeyCode::Left);
    assert!(shows(&h, t::WEAK_VALUE));

    // A warning, not a refusal: the weak value is stored.
    h.ctrl('s');
    assert!(matches!(h.session.app.screen, Screen::Result(_)));
    assert_eq!(
        vault(&h)
            .get_value("db", "latest")
            .unwrap()
            .secret_string
            .unwrap()
            .as_str(),
        "qwerty"
    );
}

#[test]
fn the_new_version_form_warns_too_and_a_generated_password_is_not_weak() {
    let mut h = Harness::unlocked().unwrap();
    set_checking(&vault(&h), true);
    h.create("db", "", STRONG);
    h.press(KeyCode::Esc);
    h.press(KeyCode::Enter);
    h.chr('u');
    assert!(matches!(h.session.app.screen, Screen::VersionForm(_)));
    h.type_str("123456");
    assert!(shows(&h, t::WEAK_VALUE));
    // Over a typed value, Ctrl+G asks first.
    h.ctrl('g');
    h.chr('y');
    assert!(shows_none(&h, t::WEAK_VALUE));
}

/// A vault with something in every section of the report, its list showing.
fn reported() -> Harness {
    let mut h = Harness::unlocked().unwrap();
    h.session.app.vault_label = LABEL.into();
    let v = vault(&h);
    for (name, value) in [
        ("api", STRONG),
        ("api-copy", STRONG),
        ("legacy", WEAK),
        ("off", "Zr4!mQ8@vN2#kT6$wB9^pL3&hX"),
        ("tls", "Yk2@Wq9!Lr5#Tz8$Mv3^Hc6&"),
    ] {
        v.create_secret(&text(name, value)).unwrap();
    }
    v.set_secret_enabled("off", false).unwrap();
    v.update_version(
        "tls",
        "v1",
        &UpdateVersionRequest {
            expire_time: v.now_ms() + 5 * DAY_MS,
        },
    )
    .unwrap();
    drop(v);
    tick(&mut h);
    h
}

fn report_state(h: &Harness) -> &csvault::tui::screens::report::ReportState {
    match &h.session.app.screen {
        Screen::Report(r) => r,
        other => panic!("expected the report, got {other:?}"),
    }
}

#[test]
fn the_report_screen_lists_sections_opens_a_secret_and_switches_the_warnings() {
    let mut h = reported();
    h.chr('H');
    assert_eq!(h.session.app.context(), Context::Report);
    let report = report_state(&h).report.clone().unwrap().unwrap();
    assert_eq!(report.weak, ["legacy"]);
    assert_eq!(report.reused, [vec!["api", "api-copy"]]);
    let frame = h.frame(100, 30);
    for line in [
        "Weak values (1)",
        "Reused values (2)",
        "Expired versions (0)",
        "Expiring within 30 days (1)",
        "Rotation overdue (0)",
        "Unchanged for 365 days or more (0)",
        "Skipped, not enabled (1)",
        t::WARNINGS_OFF,
    ] {
        assert!(frame.contains(line), "{line}:\n{frame}");
    }
    for value in [STRONG, WEAK] {
        assert!(!frame.contains(value));
    }

    // The first secret row is selected; Down moves over the rows that name a secret.
    h.press(KeyCode::Down);
    h.press(KeyCode::Down);
    h.press(KeyCode::Enter);
    let Screen::Detail(detail) = &h.session.app.screen else {
        panic!("expected the detail, got {:?}", h.session.app.screen);
    };
    assert_eq!(detail.name, "api-copy");
    h.press(KeyCode::Esc);
    assert_eq!(h.session.app.context(), Context::Report);

    h.chr('s');
    let status = h.session.app.status.clone().unwrap();
    assert_eq!(
        (status.text.as_str(), status.tone),
        (t::CHECKING_ON, Tone::Success)
    );
    assert!(vault(&h).secrets_config().unwrap().checking_secret_strength);
    assert!(h.frame(100, 30).contains(t::WARNINGS_ON));

    // Fixed elsewhere, then run again: the section empties.
    let v = vault(&h);
    v.set_secret_enabled("legacy", false).unwrap();
    drop(v);
    tick(&mut h);
    h.chr('r');
    let report = report_state(&h).report.clone().unwrap().unwrap();
    assert!(report.weak.is_empty());
    assert_eq!(report.skipped.not_enabled, ["legacy", "off"]);
    assert!(h.frame(100, 30).contains("Weak values (0)"));
}

#[test]
fn the_report_uses_the_windows_stored_in_the_vault() {
    let mut h = reported();
    vault(&h)
        .update_report_settings(&ReportWindows {
            expiring_days: Some(3),
            unchanged_days: None,
        })
        .unwrap();
    tick(&mut h);
    h.chr('H');
    assert!(h.frame(100, 30).contains("Expiring within 3 days (0)"));
}

#[test]
fn snapshots_of_the_warning_and_the_report() {
    let mut shots: Vec<(String, String)> = Vec::new();
    let shoot = |h: &Harness, name: &str, shots: &mut Vec<(String, String)>| {
        for (w, hgt) in SIZES {
            shots.push((format!("{name}_{w}x{hgt}"), redact(&h.frame(w, hgt))));
        }
    };
    let mut h = reported();
    set_checking(&vault(&h), true);
    tick(&mut h);
    create_form_at_value(&mut h, "wifi");
    h.type_str(WEAK);
    shoot(&h, "form_weak_value", &mut shots);
    h.press(KeyCode::Esc);
    h.chr('y');

    h.press(KeyCode::Enter);
    h.chr('u');
    h.type_str("letmein");
    shoot(&h, "version_weak_value", &mut shots);
    h.press(KeyCode::Esc);
    h.chr('y');
    h.press(KeyCode::Esc);

    h.chr('H');
    shoot(&h, "report", &mut shots);
    for _ in 0..5 {
        h.press(KeyCode::Down);
    }
    shoot(&h, "report_scrolled", &mut shots);

    let settings = snapshot_settings();
    settings.bind(|| {
        for (name, text) in &shots {
            insta::assert_snapshot!(name.clone(), text);
        }
    });
}
