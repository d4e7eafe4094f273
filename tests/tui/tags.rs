//! Tags in the terminal app (issue 14): the list's tag column and its filter in the `key=value`
//! and `key:` forms, the detail's tags, the tag dialog checked as you type, removing a tag, and
//! another process's tags showing up; drawn at 100×30 and 60×15 and compared with insta
//! snapshots.
//!
//! New or changed snapshots: `INSTA_UPDATE=always cargo test --test tui tags::`.

use std::time::Duration;

use crossterm::event::KeyCode;

use crate::support::{Harness, PASSPHRASE, buffer_text, matched_marks, redact, snapshot_settings};
use csvault::clipboard::ClipboardGuard;
use csvault::csms::{CreateSecretTagRequest, DeleteSecretForScheduleRequest, SecretRef, TagItem};
use csvault::tui::Session;
use csvault::tui::app::Screen;
use csvault::tui::dialogs::Dialog;
use csvault::tui::timefmt::Zone;
use csvault::vault::Vault;
use zeroize::Zeroizing;

const LABEL: &str = "~/.local/share/csvault/vault.db";
const SIZES: [(u16, u16); 2] = [(100, 30), (60, 15)];
const SECOND: Duration = Duration::from_secs(1);

fn shoot(h: &Harness, name: &str, shots: &mut Vec<(String, String)>) {
    for (w, hgt) in SIZES {
        let buffer = h.buffer(w, hgt);
        let text = redact(&(buffer_text(&buffer) + &matched_marks(&buffer)));
        shots.push((format!("{name}_{w}x{hgt}"), text));
    }
}

/// The same vault opened by "another process".
fn other(h: &Harness) -> Vault {
    Vault::open(&h.path, PASSPHRASE.as_bytes()).unwrap()
}

fn tag(v: &Vault, name: &str, key: &str, value: &str) {
    v.create_tag(
        &SecretRef::Name(name.into()),
        &CreateSecretTagRequest {
            tag: TagItem::new(key, value),
        },
    )
    .unwrap();
}

fn visible(h: &Harness) -> Vec<String> {
    h.session
        .app
        .catalog
        .window(0, 100)
        .map(|(_, r)| r.name.to_string())
        .collect()
}

fn status(h: &Harness) -> String {
    h.session
        .app
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

/// The tags the vault holds for `name`, as `key=value`.
fn stored(h: &Harness, name: &str) -> Vec<String> {
    other(h)
        .list_tags(&SecretRef::Name(name.into()))
        .unwrap()
        .tags
        .into_iter()
        .map(|t| format!("{}={}", t.key, t.value))
        .collect()
}

/// Three secrets, two tagged by another process; the session on the list, the tags read.
fn scene() -> Harness {
    let mut h = Harness::unlocked().unwrap();
    h.session.app.vault_label = LABEL.into();
    for (name, description) in [
        ("api-key", "Payments API"),
        ("db-password", "Production PostgreSQL"),
        ("web-cert", "TLS for the site"),
    ] {
        h.create(name, description, "v");
        h.press(KeyCode::Esc);
    }
    let v = other(&h);
    tag(&v, "db-password", "env", "prod");
    tag(&v, "db-password", "team", "data");
    tag(&v, "api-key", "env", "staging");
    h.advance(SECOND);
    h.chr('g');
    h
}

fn walk() -> Vec<(String, String)> {
    let mut shots = Vec::new();
    let mut h = scene();
    shoot(&h, "tags_list", &mut shots);
    h.chr('/');
    shoot(&h, "tags_filter_hint", &mut shots);
    h.type_str("env=prod");
    shoot(&h, "tags_filter_key_value", &mut shots);
    h.press(KeyCode::Esc);
    h.chr('/');
    h.type_str("env:");
    h.press(KeyCode::Enter);
    h.chr('G');
    h.press(KeyCode::Enter);
    shoot(&h, "tags_detail", &mut shots);
    h.chr('g');
    shoot(&h, "tags_dialog_empty", &mut shots);
    h.type_str("owner");
    h.press(KeyCode::Tab);
    h.type_str("alice@example.com");
    shoot(&h, "tags_dialog_new", &mut shots);
    h.shift_tab();
    h.ctrl('u');
    h.type_str("_sys_x");
    shoot(&h, "tags_dialog_invalid", &mut shots);
    h.ctrl('u');
    h.type_str("owner");
    h.press(KeyCode::Enter);
    shoot(&h, "tags_detail_after_set", &mut shots);
    h.chr('G');
    shoot(&h, "tags_dialog_remove", &mut shots);
    h.press(KeyCode::Esc);
    shots
}

#[test]
fn tags_on_the_list_the_detail_and_their_dialogs_at_100x30_and_60x15() {
    let shots = walk();
    let settings = snapshot_settings();
    settings.bind(|| {
        for (name, text) in &shots {
            insta::assert_snapshot!(name.clone(), text);
        }
    });
}

#[test]
fn the_list_filters_by_tag_and_follows_another_process() {
    let mut h = scene();
    h.chr('/');
    h.type_str("env=prod");
    assert_eq!(visible(&h), ["db-password"]);
    h.press(KeyCode::Esc);
    h.chr('/');
    h.type_str("ENV:");
    assert_eq!(
        visible(&h),
        ["api-key", "db-password"],
        "any value, case ignored"
    );
    h.press(KeyCode::Enter);
    // Another process tags the third secret: it joins the filtered list.
    tag(&other(&h), "web-cert", "env", "prod");
    h.advance(SECOND);
    assert_eq!(visible(&h), ["api-key", "db-password", "web-cert"]);
    assert_eq!(h.session.app.catalog.query(), "ENV:", "the filter kept");
    h.press(KeyCode::Esc);
    h.chr('/');
    h.type_str("team=d");
    assert_eq!(visible(&h), ["db-password"], "a value from its start");
    h.press(KeyCode::Esc);
    h.chr('/');
    h.type_str("postgres");
    assert_eq!(
        visible(&h),
        ["db-password"],
        "plain text: names and descriptions"
    );
    h.press(KeyCode::Esc);
    h.chr('/');
    h.type_str("data");
    assert_eq!(
        visible(&h),
        ["db-password"],
        "plain text searches tags too (fuzzy, issue 15)"
    );
}

#[test]
fn a_small_vault_reads_its_tags_on_unlock() {
    let mut h = scene();
    // A new session on the same vault, as when the app starts again.
    let guard = ClipboardGuard::new(Box::new(h.clipboard.clone()));
    h.session = Session::new(&h.path, guard);
    h.session.app.zone = Zone::utc();
    h.session
        .start_with(Zeroizing::new(PASSPHRASE.to_owned()), h.now);
    h.session.finish_loading();
    h.chr('/');
    h.type_str("team:");
    assert_eq!(visible(&h), ["db-password"]);
}

#[test]
fn the_dialog_sets_and_changes_a_tag_and_the_pick_removes_one() {
    let mut h = scene();
    h.chr('G');
    h.chr('k');
    h.press(KeyCode::Enter);
    assert!(matches!(h.session.app.screen, Screen::Detail(_)));
    h.chr('g');
    // Enter on an empty key does nothing and says why.
    h.press(KeyCode::Enter);
    assert!(matches!(h.session.app.overlay, Some(Dialog::Tag(_))));
    assert!(h.frame(100, 30).contains("this one is empty"));
    h.type_str("env");
    h.press(KeyCode::Tab);
    h.type_str("prod-eu");
    assert!(h.frame(100, 30).contains("replaces the value prod"));
    h.press(KeyCode::Enter);
    assert!(h.session.app.overlay.is_none());
    assert_eq!(status(&h), "Set tag env=prod-eu on db-password.");
    assert_eq!(stored(&h, "db-password"), ["env=prod-eu", "team=data"]);
    assert!(h.frame(100, 30).contains("env=prod-eu, team=data"));
    assert!(
        matches!(h.session.app.screen, Screen::Detail(_)),
        "the detail stays"
    );

    h.chr('G');
    h.press(KeyCode::Down);
    h.press(KeyCode::Enter);
    assert_eq!(status(&h), "Removed tag team from db-password.");
    assert_eq!(stored(&h, "db-password"), ["env=prod-eu"]);
    h.press(KeyCode::Esc);
    h.chr('/');
    h.type_str("team:");
    assert!(visible(&h).is_empty(), "the list follows");
}

#[test]
fn a_refusal_is_said_in_the_dialog_and_a_pending_secret_keeps_its_tags() {
    let mut h = scene();
    h.chr('G');
    h.chr('k');
    h.press(KeyCode::Enter);
    h.chr('g');
    h.type_str("owner");
    // Meanwhile another process schedules the secret's deletion: the vault refuses.
    other(&h)
        .schedule_delete("db-password", &DeleteSecretForScheduleRequest::default())
        .unwrap();
    h.press(KeyCode::Enter);
    assert!(
        matches!(h.session.app.overlay, Some(Dialog::Tag(_))),
        "the dialog stays"
    );
    assert!(h.frame(100, 30).contains("pending deletion"));
    assert_eq!(stored(&h, "db-password"), ["env=prod", "team=data"]);
    h.press(KeyCode::Esc);
    h.advance(SECOND);
    h.chr('g');
    assert!(h.session.app.overlay.is_none());
    assert!(status(&h).starts_with("Pending deletion"), "{}", status(&h));
    h.chr('G');
    assert!(h.session.app.overlay.is_none());
}
