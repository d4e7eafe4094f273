//! `update` driven by key events for the new-version form (`u`), the edit form (`e`) and the
//! password generator (`Ctrl+G`), on a temporary vault with a fake clipboard and a test clock.

use std::time::Duration;

use crate::support::{Harness, PASSPHRASE};
use crossterm::event::KeyCode;
use csvault::csms::{DeleteSecretForScheduleRequest, LATEST, STAGE_CURRENT};
use csvault::tui::app::Screen;
use csvault::tui::keymap::Context;
use csvault::tui::screens::edit_form::EditFormState;
use csvault::tui::screens::form::{self, FormState};
use csvault::tui::screens::value_input::{ValueType, Visibility};
use csvault::tui::screens::version_form::{self, Part, VersionFormState};
use csvault::tui::text;
use csvault::tui::timefmt::Zone;
use csvault::vault::Vault;

const STAGE_PREVIOUS: &str = "SYSPREVIOUS";

fn vault(h: &Harness) -> Vault {
    Vault::open(&h.path, PASSPHRASE.as_bytes()).unwrap()
}

fn version_form(h: &Harness) -> &VersionFormState {
    match &h.session.app.screen {
        Screen::VersionForm(f) => f,
        other => panic!("expected the new-version form, got {other:?}"),
    }
}

fn edit_form(h: &Harness) -> &EditFormState {
    match &h.session.app.screen {
        Screen::EditForm(f) => f,
        other => panic!("expected the edit form, got {other:?}"),
    }
}

fn create_form(h: &Harness) -> &FormState {
    match &h.session.app.screen {
        Screen::Form(f) => f,
        other => panic!("expected the create form, got {other:?}"),
    }
}

/// The response on screen: its status line and its body as JSON.
fn response(h: &Harness) -> (String, serde_json::Value) {
    let Screen::Result(r) = &h.session.app.screen else {
        panic!("expected the response, got {:?}", h.session.app.screen);
    };
    (
        r.status_line.clone(),
        serde_json::from_str(&r.body).unwrap(),
    )
}

/// A vault with the secret `db` (value `one`), its detail screen open.
fn detail_of_db() -> Harness {
    let mut h = Harness::unlocked().unwrap();
    h.create("db", "prod database", "one");
    h.press(KeyCode::Esc);
    h.press(KeyCode::Enter);
    assert!(matches!(h.session.app.screen, Screen::Detail(_)));
    h
}

/// The id of the version of `db` holding `stage`.
fn staged(v: &Vault, stage: &str) -> String {
    let detail = v.secret_detail("db").unwrap();
    let version = detail
        .versions
        .iter()
        .find(|v| v.metadata.version_stages.iter().any(|s| s == stage))
        .expect("a version holds the stage");
    version.metadata.id.clone()
}

fn detail_versions(h: &Harness) -> Vec<(String, Vec<String>)> {
    let Screen::Detail(d) = &h.session.app.screen else {
        panic!("expected the detail, got {:?}", h.session.app.screen);
    };
    d.detail
        .as_ref()
        .expect("loaded")
        .versions
        .iter()
        .map(|v| (v.metadata.id.clone(), v.metadata.version_stages.clone()))
        .collect()
}

#[test]
fn a_new_version_without_stages_takes_syscurrent_and_back_shows_the_detail_refreshed() {
    let mut h = detail_of_db();
    h.chr('u');
    assert_eq!(version_form(&h).name, "db");
    assert_eq!(version_form(&h).context(), Context::FormValue);
    h.type_str("two");
    assert!(h.frame(100, 30).contains("3/32,768 B"));
    h.ctrl('s');
    let (status, body) = response(&h);
    assert_eq!(status, "200 Request succeeded");
    let meta = &body["version_metadata"];
    assert_eq!(meta["id"], "v2");
    assert_eq!(meta["secret_name"], "db");
    assert_eq!(meta["version_stages"], serde_json::json!([STAGE_CURRENT]));
    assert!(meta["expire_time"].is_null());
    assert!(!h.frame(100, 30).contains("two\""), "no value in the body");
    let status = h.session.app.status.clone().unwrap().text;
    assert_eq!(status, "Created version v2 of db.");

    // `i` copies the version id.
    h.chr('i');
    assert_eq!(h.clipboard.contents().as_deref(), Some("v2"));

    // SYSCURRENT moved; the old current is SYSPREVIOUS.
    let v = vault(&h);
    assert_eq!(
        v.get_value("db", LATEST)
            .unwrap()
            .secret_string
            .unwrap()
            .as_str(),
        "two"
    );
    assert_eq!(
        v.get_value("db", "v1")
            .unwrap()
            .version_metadata
            .version_stages,
        vec![STAGE_PREVIOUS]
    );

    // Back: the detail screen, already showing the new version.
    h.press(KeyCode::Enter);
    assert_eq!(
        detail_versions(&h),
        vec![
            ("v1".to_owned(), vec![STAGE_PREVIOUS.to_owned()]),
            ("v2".to_owned(), vec![STAGE_CURRENT.to_owned()]),
        ]
    );
    h.press(KeyCode::Esc);
    assert!(matches!(h.session.app.screen, Screen::List(_)));
}

#[test]
fn explicit_stages_leave_syscurrent_where_it_was_and_expiry_reads_dates_and_ms() {
    let mut h = detail_of_db();
    h.chr('u');
    h.type_str("blue value");
    h.press(KeyCode::Tab);
    assert_eq!(version_form(&h).context(), Context::FormText);
    h.type_str("blue, green blue");
    assert!(
        h.frame(100, 30)
            .contains(text::version::STAGES_KEEP_CURRENT)
    );
    assert!(h.frame(100, 30).contains("2/12"), "each stage once");
    h.press(KeyCode::Tab);
    h.type_str("2030-01-02 03:04");
    // The harness pins UTC: the date is read in the local zone and shown resolved.
    let expect = 1_893_553_440_000_i64;
    assert!(h.frame(100, 30).contains(&format!("({expect})")));
    h.ctrl('s');
    let (_, body) = response(&h);
    let meta = &body["version_metadata"];
    assert_eq!(meta["version_stages"], serde_json::json!(["blue", "green"]));
    assert_eq!(meta["expire_time"], expect);
    let v = vault(&h);
    assert_eq!(
        v.get_value("db", LATEST)
            .unwrap()
            .secret_string
            .unwrap()
            .as_str(),
        "one"
    );
    assert_eq!(staged(&v, "blue"), "v2");

    // Epoch ms as typed, and a date alone is midnight.
    h.press(KeyCode::Enter);
    h.chr('u');
    h.type_str("three");
    h.press(KeyCode::Tab);
    h.press(KeyCode::Tab);
    h.type_str("4102488000000");
    h.ctrl('s');
    assert_eq!(
        response(&h).1["version_metadata"]["expire_time"],
        4_102_488_000_000_i64
    );
    let utc = Zone::utc();
    assert_eq!(
        version_form::parse_expiry("2026-01-01", &utc),
        Ok(Some(1_767_225_600_000))
    );
}

#[test]
fn stages_and_expiry_are_checked_as_typed_and_submit_waits_for_them() {
    let mut h = detail_of_db();
    let utc = Zone::utc();
    h.chr('u');
    h.type_str("v");
    h.press(KeyCode::Tab);
    h.type_str("ok bad.name");
    let p = version_form(&h)
        .shown_problem(Part::Stages, &utc)
        .expect("shown");
    assert!(p.message.starts_with("bad.name:"), "{}", p.message);
    assert!(
        h.frame(100, 30)
            .contains("✗ bad.name: a stage name has only")
    );
    h.press(KeyCode::Tab);
    h.type_str("next tuesday");
    let p = version_form(&h)
        .shown_problem(Part::Expiry, &utc)
        .expect("shown");
    assert_eq!(p.message, text::version::EXPIRY_UNREADABLE);

    // Refused while broken: the focus goes to the first broken field, the status says why.
    h.ctrl('s');
    assert_eq!(version_form(&h).focus, version_form::Focus::Stages);
    assert_eq!(
        h.session.app.status.clone().unwrap().text,
        text::form::FIX_FIRST
    );
    h.press(KeyCode::End);
    for _ in 0.."bad.name".len() {
        h.press(KeyCode::Backspace);
    }
    assert!(version_form(&h).shown_problem(Part::Stages, &utc).is_none());
    // Thirteen stages are more than a secret holds.
    h.type_str("a b c d e f g h i j k l");
    assert!(h.frame(100, 30).contains("13/12"));
    assert!(version_form(&h).shown_problem(Part::Stages, &utc).is_some());
    for _ in 0.."a b c d e f g h i j k l".len() {
        h.press(KeyCode::Backspace);
    }
    h.press(KeyCode::Tab);
    h.ctrl('u');
    h.type_str("99999999999999");
    let p = version_form(&h)
        .shown_problem(Part::Expiry, &utc)
        .expect("too late");
    assert_eq!(p.message, text::version::EXPIRY_TOO_LATE);
    h.ctrl('u');

    // The value: base64 that is not.
    h.press(KeyCode::Tab);
    h.press(KeyCode::Tab);
    assert_eq!(version_form(&h).focus, version_form::Focus::Type);
    h.press(KeyCode::Right);
    assert_eq!(version_form(&h).value.kind, ValueType::Base64);
    h.ctrl('s');
    let p = version_form(&h)
        .shown_problem(Part::Value, &utc)
        .expect("not base64");
    assert!(p.message.contains("base64"), "{}", p.message);
    assert_eq!(version_form(&h).focus, version_form::Focus::Value);
    h.press(KeyCode::Backspace);
    h.type_str("aGk=");
    h.ctrl('s');
    let (_, body) = response(&h);
    assert_eq!(
        body["version_metadata"]["version_stages"],
        serde_json::json!(["ok"])
    );
    let v = vault(&h);
    let id = staged(&v, "ok");
    assert_eq!(
        v.get_value("db", &id)
            .unwrap()
            .secret_binary
            .unwrap()
            .as_str(),
        "aGk="
    );
}

#[test]
fn a_refused_new_version_ends_on_the_error_response_with_the_form_kept() {
    let mut h = detail_of_db();
    vault(&h).set_secret_enabled("db", false).unwrap();
    h.chr('u');
    h.type_str("kept");
    h.press(KeyCode::Tab);
    h.type_str("green");
    h.ctrl('s');
    let (status, body) = response(&h);
    assert!(status.starts_with("403 CSMS.0109"), "{status}");
    assert_eq!(body["error_code"], "CSMS.0109");
    assert!(h.frame(100, 30).contains("back to the form"));
    h.press(KeyCode::Enter);
    assert_eq!(version_form(&h).value.text.as_str(), "kept");
    assert_eq!(version_form(&h).stages.as_str(), "green");

    // Enabled again, the same form goes through.
    vault(&h).set_secret_enabled("db", true).unwrap();
    h.ctrl('s');
    assert_eq!(response(&h).0, "200 Request succeeded");
}

#[test]
fn leaving_a_filled_new_version_form_asks_first() {
    let mut h = detail_of_db();
    h.chr('u');
    h.press(KeyCode::Esc);
    assert!(
        matches!(h.session.app.screen, Screen::Detail(_)),
        "empty: leaves"
    );
    h.chr('u');
    h.session.paste("pasted\nvalue", h.now);
    assert_eq!(version_form(&h).value.text.as_str(), "pasted\nvalue");
    h.press(KeyCode::Esc);
    assert!(h.session.app.overlay.is_some());
    h.chr('y');
    assert!(matches!(h.session.app.screen, Screen::Detail(_)));
}

#[test]
fn the_edit_form_changes_the_description_and_the_key() {
    let mut h = detail_of_db();
    let key = vault(&h).create_key("app/db", "").unwrap();
    h.advance(Duration::from_millis(10)); // the open app notices the new key
    h.chr('e');
    assert_eq!(edit_form(&h).description.as_str(), "prod database");
    assert!(h.frame(100, 30).contains("13/2,048 B"));
    assert!(h.frame(100, 30).contains(text::edit::NO_CHANGES));
    h.ctrl('u');
    h.type_str("staging database");
    assert!(h.frame(100, 30).contains("16/2,048 B"));
    h.press(KeyCode::Tab);
    assert_eq!(edit_form(&h).context(), Context::EditPicker);
    assert!(h.frame(100, 30).contains("csms/default (default, current)"));
    h.press(KeyCode::Right);
    assert!(h.frame(100, 30).contains("◀ app/db ▶"));
    assert!(h.frame(100, 30).contains(text::edit::KEY_APPLIES));
    h.ctrl('s');
    let (status, body) = response(&h);
    assert_eq!(status, "200 Request succeeded");
    assert_eq!(body["secret"]["description"], "staging database");
    assert_eq!(body["secret"]["kms_key_id"], key.key_id.as_str());
    assert_eq!(
        h.session.app.status.clone().unwrap().text,
        "Updated secret db."
    );

    // Back: the detail shows the record re-read; the list row follows.
    h.press(KeyCode::Enter);
    let frame = h.frame(100, 30);
    assert!(frame.contains("staging database"), "{frame}");
    assert!(frame.contains("app/db"), "{frame}");
    h.press(KeyCode::Esc);
    assert!(h.frame(100, 30).contains("staging database"));

    // A description over 2,048 bytes is refused before the vault is asked.
    h.press(KeyCode::Enter);
    h.chr('e');
    h.press(KeyCode::End);
    h.type_str(&"d".repeat(2048));
    assert!(edit_form(&h).shown_problem().is_some());
    h.ctrl('s');
    assert!(matches!(h.session.app.screen, Screen::EditForm(_)));
    assert_eq!(
        h.session.app.status.clone().unwrap().text,
        text::form::FIX_FIRST
    );
}

#[test]
fn the_key_pickers_offer_what_the_vault_offers_the_default_key_before_it_exists() {
    let mut h = Harness::unlocked().unwrap();
    let key = vault(&h).create_key("app/db", "").unwrap();
    // A secret under app/db: the default key is not made.
    h.chr('n');
    let aliases = |h: &Harness| -> Vec<String> {
        create_form(h)
            .choices
            .iter()
            .map(|c| c.alias.clone())
            .collect()
    };
    assert_eq!(aliases(&h), ["csms/default", "app/db"]);
    h.type_str("db");
    h.press(KeyCode::Tab);
    assert!(h.frame(100, 30).contains(text::form::DEFAULT_KEY_NEW));
    h.press(KeyCode::Right);
    h.press(KeyCode::Tab);
    h.press(KeyCode::Tab);
    h.press(KeyCode::Tab);
    h.type_str("one");
    h.ctrl('s');
    assert_eq!(response(&h).1["secret"]["kms_key_id"], key.key_id.as_str());
    assert_eq!(h.session.app.keys.len(), 1, "no default key yet");

    // The edit form offers it too, and saving with it makes it.
    h.press(KeyCode::Esc);
    h.press(KeyCode::Enter);
    h.chr('e');
    h.press(KeyCode::Tab);
    assert!(h.frame(100, 30).contains("◀ app/db (current) ▶"));
    let choices: Vec<String> = edit_form(&h)
        .choices
        .iter()
        .map(|c| c.alias.clone())
        .collect();
    assert_eq!(choices, ["csms/default", "app/db"]);
    h.press(KeyCode::Left);
    assert!(
        h.frame(100, 30)
            .contains("◀ csms/default (default, created on first use) ▶")
    );
    h.ctrl('s');
    let (status, body) = response(&h);
    assert_eq!(status, "200 Request succeeded");
    let default = vault(&h)
        .list_keys()
        .unwrap()
        .into_iter()
        .find(|k| k.key_alias == "csms/default")
        .expect("made on first use");
    assert_eq!(body["secret"]["kms_key_id"], default.key_id.as_str());
    assert_eq!(h.session.app.keys.len(), 2, "the app knows it");
}

#[test]
fn a_refused_edit_ends_on_the_error_response_with_the_form_kept() {
    let mut h = detail_of_db();
    h.chr('e');
    h.type_str(" (old)");
    vault(&h)
        .schedule_delete("db", &DeleteSecretForScheduleRequest::default())
        .unwrap();
    h.ctrl('s');
    let (status, body) = response(&h);
    assert!(status.starts_with("400 CSMS.0103"), "{status}");
    assert_eq!(body["error_code"], "CSMS.0103");
    h.press(KeyCode::Enter);
    assert_eq!(edit_form(&h).description.as_str(), "prod database (old)");
    // Nothing changed, the form leaves without asking.
    h.ctrl('u');
    h.type_str("prod database");
    h.press(KeyCode::Esc);
    assert!(matches!(h.session.app.screen, Screen::Detail(_)));
}

fn classes_in(password: &str) -> [bool; 4] {
    [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| c.is_ascii_punctuation()),
    ]
}

#[test]
fn ctrl_g_fills_a_masked_password_and_the_options_line_regenerates_it() {
    let mut h = Harness::unlocked().unwrap();
    h.chr('n');
    h.type_str("generated");
    for _ in 0..4 {
        h.press(KeyCode::Tab);
    }
    h.ctrl('g');
    let f = create_form(&h);
    let first = f.value.text.as_str().to_owned();
    assert_eq!(first.chars().count(), 32);
    assert_eq!(classes_in(&first), [true; 4], "every class");
    assert_eq!(f.value.visibility, Visibility::Masked);
    assert_eq!(f.focus, form::Focus::Generator);
    assert_eq!(h.session.app.context(), Context::FormGenerator);
    let frame = h.frame(100, 30);
    assert!(
        frame.contains("◀ 32 ▶ chars  ✓a-z ✓A-Z ✓0-9 ✓!#$ ✗space"),
        "{frame}"
    );
    assert!(frame.contains("32/32,768 B"));
    assert!(!frame.contains(&first));

    // Longer: a new password of 33; without punctuation: none in it.
    h.press(KeyCode::Right);
    let second = create_form(&h).value.text.as_str().to_owned();
    assert_eq!(second.chars().count(), 33);
    assert_ne!(second, first);
    h.chr('p');
    let third = create_form(&h).value.text.as_str().to_owned();
    assert!(
        !third.chars().any(|c| c.is_ascii_punctuation()),
        "{}",
        third.len()
    );
    assert!(h.frame(100, 30).contains("✗!#$"));
    h.press(KeyCode::PageDown);
    assert_eq!(create_form(&h).value.text.as_str().chars().count(), 25);
    let generator = create_form(&h).value.generator.clone().unwrap();
    assert!(!generator.punctuation && generator.length == 25);

    // Nothing left to draw from: the value is kept and the line says why.
    for class in ['l', 'u', 'n'] {
        h.chr(class);
    }
    let kept = create_form(&h).value.text.as_str().to_owned();
    assert_eq!(kept.chars().count(), 25);
    assert!(
        create_form(&h)
            .value
            .generator
            .as_ref()
            .unwrap()
            .error
            .is_some()
    );
    assert!(h.frame(100, 30).contains("✗ Invalid password options"));
    h.chr('n');
    assert!(
        create_form(&h)
            .value
            .text
            .as_str()
            .chars()
            .all(|c| c.is_ascii_digit())
    );

    // The password is the value: submit stores it.
    let value = create_form(&h).value.text.as_str().to_owned();
    h.ctrl('s');
    assert_eq!(response(&h).0, "200 Request succeeded");
    assert_eq!(
        vault(&h)
            .get_value("generated", LATEST)
            .unwrap()
            .secret_string
            .unwrap()
            .as_str(),
        value
    );
}

/// `Ctrl+G` over a value typed or pasted asks first: no keeps it, yes replaces it; over the
/// generator's own password it asks nothing.
#[test]
fn ctrl_g_over_a_typed_or_pasted_value_asks_first() {
    let mut h = Harness::unlocked().unwrap();
    h.chr('n');
    h.type_str("asks");
    for _ in 0..4 {
        h.press(KeyCode::Tab);
    }
    h.type_str("hunter2");
    h.ctrl('g');
    assert_eq!(h.session.app.context(), Context::Confirm);
    assert!(h.frame(100, 30).contains(text::form::REGENERATE));
    h.chr('n');
    assert_eq!(create_form(&h).value.text.as_str(), "hunter2", "kept");
    assert!(create_form(&h).value.generator.is_none());

    h.ctrl('g');
    h.chr('y');
    let generated = create_form(&h).value.text.as_str().to_owned();
    assert_eq!(generated.chars().count(), 32, "replaced");
    // Its own password is replaced without asking, from the value or the options line.
    h.ctrl('g');
    assert!(h.session.app.overlay.is_none());
    assert_ne!(create_form(&h).value.text.as_str(), generated);

    // A paste makes it a typed value again; so does an edit.
    h.press(KeyCode::Esc); // the discard question
    h.chr('n');
    h.shift_tab();
    assert_eq!(create_form(&h).focus, form::Focus::Value);
    h.session.paste("pasted-secret", h.now);
    h.ctrl('g');
    assert_eq!(h.session.app.context(), Context::Confirm);
    h.press(KeyCode::Esc);
    assert!(
        create_form(&h)
            .value
            .text
            .as_str()
            .ends_with("pasted-secret")
    );

    // The new-version form asks too.
    let mut h = detail_of_db();
    h.chr('u');
    h.type_str("typed");
    h.ctrl('g');
    assert_eq!(h.session.app.context(), Context::Confirm);
    h.chr('y');
    assert_eq!(version_form(&h).value.text.as_str().chars().count(), 32);
}

/// An expiry already past is asked about before the version is made: no returns to the form,
/// yes creates it; a future one is not asked about.
#[test]
fn a_past_expiry_in_the_new_version_form_is_confirmed() {
    let mut h = detail_of_db();
    h.chr('u');
    h.type_str("two");
    h.press(KeyCode::Tab);
    h.press(KeyCode::Tab);
    assert_eq!(version_form(&h).focus, version_form::Focus::Expiry);
    h.type_str("2020-01-01 08:30");
    h.ctrl('s');
    assert_eq!(h.session.app.context(), Context::Confirm);
    let frame = h.frame(100, 30);
    assert!(
        frame.contains("The expiry is in the past: 2020-01-01 08:30:00 UTC."),
        "{frame}"
    );
    h.chr('n');
    assert!(matches!(h.session.app.screen, Screen::VersionForm(_)));
    assert_eq!(vault(&h).secret_detail("db").unwrap().versions.len(), 1);
    h.ctrl('s');
    h.chr('y');
    assert_eq!(response(&h).0, "200 Request succeeded");
    let made = vault(&h).secret_detail("db").unwrap();
    let v2 = made
        .versions
        .iter()
        .find(|v| v.metadata.id == "v2")
        .unwrap();
    assert_eq!(v2.metadata.expire_time, Some(1_577_867_400_000));

    // A future expiry: no question.
    h.press(KeyCode::Enter);
    h.chr('u');
    h.type_str("three");
    h.press(KeyCode::Tab);
    h.press(KeyCode::Tab);
    h.type_str("2100-01-01");
    h.ctrl('s');
    assert_eq!(response(&h).0, "200 Request succeeded");
}

#[test]
fn ctrl_g_in_the_new_version_form_and_a_binary_type_drops_the_generator() {
    let mut h = detail_of_db();
    h.chr('u');
    h.ctrl('g');
    let f = version_form(&h);
    assert_eq!(f.value.text.as_str().chars().count(), 32);
    assert_eq!(classes_in(f.value.text.as_str()), [true; 4]);
    assert_eq!(f.value.visibility, Visibility::Masked);
    assert_eq!(f.focus, version_form::Focus::Generator);
    // Tab order: the options line sits between the value and the stages.
    h.press(KeyCode::Tab);
    assert_eq!(version_form(&h).focus, version_form::Focus::Stages);
    h.shift_tab();
    h.chr('s');
    assert!(version_form(&h).value.text.as_str().len() == 32);
    assert!(version_form(&h).value.generator.as_ref().unwrap().space);
    let value = version_form(&h).value.text.as_str().to_owned();
    h.ctrl('s');
    assert_eq!(response(&h).0, "200 Request succeeded");
    assert_eq!(
        vault(&h)
            .get_value("db", LATEST)
            .unwrap()
            .secret_string
            .unwrap()
            .as_str(),
        value
    );

    // Binary: a password is text, so the options line goes.
    h.press(KeyCode::Enter);
    h.chr('u');
    h.ctrl('g');
    h.shift_tab();
    h.shift_tab();
    assert_eq!(version_form(&h).focus, version_form::Focus::Type);
    h.press(KeyCode::Right);
    assert!(version_form(&h).value.generator.is_none());
    // Ctrl+G in the value brings it back and the type to text.
    h.press(KeyCode::Tab);
    h.ctrl('g');
    assert_eq!(version_form(&h).value.kind, ValueType::Text);
    assert!(version_form(&h).value.generator.is_some());
}

#[test]
fn u_and_e_are_listed_on_the_detail_screen_and_in_the_help() {
    let h = detail_of_db();
    let frame = h.frame(100, 30);
    assert!(frame.contains("u  new version"), "{frame}");
    assert!(frame.contains("e  edit"), "{frame}");
    let sections = csvault::tui::screens::help::sections();
    let rows: Vec<(String, &str)> = sections.into_iter().flat_map(|(_, rows)| rows).collect();
    for (keys, what) in [
        ("u", text::keys::NEW_VERSION),
        ("e", text::keys::EDIT_SECRET),
        ("Ctrl+G", text::keys::GENERATE),
        ("l", text::keys::TOGGLE_LOWER),
        ("→", text::keys::LONGER),
    ] {
        assert!(
            rows.iter().any(|(k, w)| k == keys && *w == what),
            "{keys} {what}"
        );
    }
}
