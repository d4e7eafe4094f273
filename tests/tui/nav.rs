//! The model's shape, driven through `update`: Back returns to the screen a screen was opened
//! from (the navigation stack), the response screen serves any operation, and what effects find
//! enters the model only as messages.

use crate::support::{Harness, PASSPHRASE};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use csvault::csms::op::{Request, Response};
use csvault::csms::{ApiError, ErrorCode, KeyState};
use csvault::csms::{ListKeysResponse, SecretSummary, SummaryPage};
use csvault::tui::action::{Call, Purpose};
use csvault::tui::app::{App, ListMode, Loaded, Screen};
use csvault::tui::dialogs::Dialog;
use csvault::tui::msg::{Answered, Msg};
use csvault::tui::screens::form::FileLoad;
use csvault::tui::screens::result::ResultState;
use csvault::tui::screens::unlock::{UnlockMode, UnlockState};
use csvault::tui::update::update;
use csvault::tui::{Effect, text};
use csvault::vault::Vault;
use zeroize::Zeroizing;

fn selected_name(h: &Harness) -> Option<String> {
    let row = h.session.app.catalog.selected_row();
    row.map(|r| r.name.to_string())
}

/// A session on a vault holding `alpha`, `beta` and `gamma`, `beta` selected.
fn three_secrets() -> Harness {
    let mut h = Harness::unlocked().unwrap();
    for name in ["alpha", "beta", "gamma"] {
        h.create(name, "", "v");
        h.press(KeyCode::Esc);
    }
    h.chr('g');
    h.press(KeyCode::Down);
    assert_eq!(selected_name(&h).as_deref(), Some("beta"));
    h
}

#[test]
fn back_returns_to_the_screen_each_was_opened_from() {
    let mut h = three_secrets();
    assert!(h.session.app.below.is_empty(), "the list is the bottom");

    // Keys, opened from the list: one screen deep, and Back lands on the list as it was.
    h.chr('K');
    assert!(matches!(h.session.app.screen, Screen::Keys(_)));
    assert_eq!(h.session.app.below.len(), 1);
    h.press(KeyCode::Esc);
    assert!(matches!(
        h.session.app.screen,
        Screen::List(ListMode::Browse)
    ));
    assert!(h.session.app.below.is_empty());
    assert_eq!(selected_name(&h).as_deref(), Some("beta"));

    // Help over the detail closes back to the detail; the detail backs out to the list.
    h.press(KeyCode::Enter);
    h.chr('?');
    assert!(matches!(h.session.app.overlay, Some(Dialog::Help { .. })));
    h.press(KeyCode::Esc);
    let Screen::Detail(d) = &h.session.app.screen else {
        panic!(
            "help closes onto the detail, got {:?}",
            h.session.app.screen
        )
    };
    assert_eq!(d.name, "beta");
    h.press(KeyCode::Esc);
    assert!(matches!(h.session.app.screen, Screen::List(_)));
    assert_eq!(selected_name(&h).as_deref(), Some("beta"));
}

#[test]
fn a_refused_submit_is_a_response_over_the_form_and_back_returns_to_it() {
    let mut h = Harness::unlocked().unwrap();
    h.create("first", "", "v"); // makes the default key
    h.press(KeyCode::Esc);
    h.chr('n');
    h.type_str("refused");
    h.press(KeyCode::Tab);
    h.press(KeyCode::Tab);
    h.press(KeyCode::Tab);
    h.press(KeyCode::Tab);
    h.type_str("v");
    let other = Vault::open(&h.path, PASSPHRASE.as_bytes()).unwrap();
    other
        .set_key_state("csms/default", KeyState::Disabled)
        .unwrap();
    h.ctrl('s');
    assert!(matches!(h.session.app.screen, Screen::Result(_)));
    assert!(
        matches!(h.session.app.below.last(), Some(Screen::Form(_))),
        "the form waits under the response"
    );
    h.press(KeyCode::Esc);
    let Screen::Form(form) = &h.session.app.screen else {
        panic!("back to the form")
    };
    assert_eq!(form.name.as_str(), "refused");
    assert_eq!(h.session.app.below.len(), 1, "the list under the form");

    // A created secret's response takes the form's place: Back skips the form.
    other
        .set_key_state("csms/default", KeyState::Enabled)
        .unwrap();
    h.ctrl('s');
    assert!(matches!(h.session.app.screen, Screen::Result(_)));
    assert_eq!(h.session.app.below.len(), 1, "only the list under it");
    h.press(KeyCode::Enter);
    assert!(matches!(h.session.app.screen, Screen::List(_)));
    assert_eq!(selected_name(&h).as_deref(), Some("refused"));
}

/// A response some later operation would show from the detail screen (a version, say).
fn push_response(h: &mut Harness, response: ResultState) {
    let app = &mut h.session.app;
    let under = std::mem::replace(&mut app.screen, Screen::Result(Box::new(response)));
    app.below.push(under);
}

#[test]
fn a_response_for_another_operation_shows_its_body_and_returns_where_it_came_from() {
    let mut h = three_secrets();
    h.press(KeyCode::Enter);
    let body = serde_json::json!({
        "version": {"version_metadata": {"id": "v1", "secret_name": "beta"}}
    });
    push_response(
        &mut h,
        ResultState::ok(&body).with_id("v1", "the version id"),
    );

    let frame = h.frame(100, 30);
    assert!(frame.contains("200 Request succeeded"), "{frame}");
    assert!(frame.contains(r#""secret_name": "beta""#), "{frame}");
    h.chr('y');
    let copied: serde_json::Value = serde_json::from_str(&h.clipboard.contents().unwrap()).unwrap();
    assert_eq!(copied, body);
    h.chr('i');
    assert_eq!(h.clipboard.contents().as_deref(), Some("v1"));
    let status = h.session.app.status.clone().unwrap().text;
    assert!(status.contains("the version id"), "{status}");

    // No `n` operation given: it goes back like Enter does, to the detail it came from.
    h.chr('n');
    let Screen::Detail(d) = &h.session.app.screen else {
        panic!("back to the detail, got {:?}", h.session.app.screen)
    };
    assert_eq!(d.name, "beta");

    // An error response: the status line with the code and message, Back to the detail.
    let error = ApiError::new(ErrorCode::SecretNotEnabled, "The secret is not enabled.");
    push_response(&mut h, ResultState::error(&error));
    let frame = h.frame(100, 30);
    assert!(
        frame.contains("403 CSMS.0109 The secret is not enabled."),
        "{frame}"
    );
    h.press(KeyCode::Enter);
    assert!(matches!(h.session.app.screen, Screen::Detail(_)));
    h.press(KeyCode::Esc);
    assert!(matches!(h.session.app.screen, Screen::List(_)));
}

#[test]
fn what_effects_find_enters_the_model_as_messages_through_update() {
    let h = three_secrets();
    let alpha = Vault::open(&h.path, PASSPHRASE.as_bytes())
        .unwrap()
        .show_secret("alpha")
        .unwrap();

    let mut app = App::new("vault".into(), UnlockState::new(UnlockMode::Unlock));
    let wrong = ApiError::new(ErrorCode::WrongPassphrase, "wrong");
    let no_effect = update(
        &mut app,
        Msg::OpenFailed {
            error: wrong,
            from_env: true,
        },
    );
    assert!(no_effect.is_none());
    let Screen::Unlock(u) = &app.screen else {
        panic!("still locked")
    };
    assert_eq!(u.error.as_deref(), Some(text::unlock::ENV_WRONG));

    let reads = update(&mut app, Msg::Opened { created: true });
    let Some(Effect::Each(reads)) = reads else {
        panic!("the first page is asked for")
    };
    assert_eq!(
        reads.len(),
        3,
        "the keys, the first page and the unread notification count"
    );
    assert!(matches!(app.screen, Screen::List(ListMode::Browse)));
    assert_eq!(app.catalog.total(), 0, "nothing read yet");
    update(
        &mut app,
        answered(
            Request::ListKeys,
            Ok(Response::Keys(ListKeysResponse::new(Vec::new()))),
        ),
    );
    let first_page = SummaryPage {
        summaries: vec![SecretSummary {
            name: alpha.name.clone(),
            description: alpha.description.clone(),
            state: alpha.state,
            kms_key_id: alpha.kms_key_id.clone(),
            create_time: alpha.create_time,
            update_time: alpha.update_time,
            scheduled_delete_time: None,
            tags: Vec::new(),
        }],
        next_marker: Some("alpha".into()),
    };
    update(
        &mut app,
        answered(
            Request::ListSecretSummaries {
                marker: None,
                limit: Some(200),
            },
            Ok(Response::Summaries(first_page)),
        ),
    );
    assert_eq!(app.catalog.total(), 1);
    assert_eq!(app.loaded, Loaded::FirstPage);
    assert_eq!(
        app.status.as_ref().map(|s| s.text.as_str()),
        Some(text::status::VAULT_CREATED)
    );

    // Opening the detail asks for an effect and shows "loading" until its answer arrives; its
    // standing with the remotes is asked off the UI thread (issue 17).
    let effect = update(&mut app, csvault::tui::Action::Activate);
    let Some(Effect::Each(mut effects)) = effect else {
        panic!("the detail's reads")
    };
    assert!(matches!(
        effects.pop(),
        Some(Effect::Remote(csvault::tui::sync::RemoteJob::Standings { secret })) if secret == "alpha"
    ));
    let Some(Effect::Vault(call)) = effects.pop() else {
        panic!("a vault call")
    };
    assert!(effects.is_empty());
    assert!(matches!(&call.request, Request::ShowSecretDetail { name } if name == "alpha"));
    let Screen::Detail(d) = &app.screen else {
        panic!("detail")
    };
    assert!(d.detail.is_none() && d.error.is_none());
    // An answer for another secret is not this screen's.
    let gone = ApiError::new(ErrorCode::SecretNotFound, "gone");
    let detail = |name: &str| Request::ShowSecretDetail { name: name.into() };
    update(&mut app, answered(detail("other"), Err(gone.clone())));
    let Screen::Detail(d) = &app.screen else {
        panic!("detail")
    };
    assert!(d.error.is_none());
    update(&mut app, answered(detail("alpha"), Err(gone)));
    let Screen::Detail(d) = &app.screen else {
        panic!("detail")
    };
    assert_eq!(d.error.as_deref(), Some("CSMS.0106 gone"));
}

/// The vault's answer to `request`, as the runner sends it back.
fn answered(request: Request, result: Result<Response, ApiError>) -> Msg {
    Msg::Answered(Box::new(Answered {
        call: Call {
            request,
            purpose: Purpose::Show,
        },
        result,
    }))
}

#[test]
fn a_key_press_changes_nothing_found_by_its_effect_until_the_answer_comes_back() {
    let mut h = three_secrets();
    let enter = KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE);
    assert!(h.session.handle_key(enter, h.now), "an effect is waiting");
    let Screen::Detail(d) = &h.session.app.screen else {
        panic!("detail")
    };
    assert!(d.detail.is_none(), "nothing read yet");
    h.session.run_pending(h.now);
    let Screen::Detail(d) = &h.session.app.screen else {
        panic!("detail")
    };
    assert_eq!(d.detail.as_ref().unwrap().secret.name, "beta");
}

#[test]
fn messages_name_themselves_only() {
    let msg = Msg::FileLoaded {
        path: "/tmp/key.der".into(),
        load: FileLoad::Loaded(Zeroizing::new("c2VjcmV0LXZhbHVl".into())),
    };
    let shown = format!("{msg:?}");
    assert_eq!(shown, "FileLoaded");
    assert!(!shown.contains("c2VjcmV0"));
}

#[test]
fn paging_goes_by_the_terminal_size_the_session_was_told() {
    let mut h = three_secrets();
    h.chr('g');
    h.session.resize(100, 7); // one table row: header, frame and chrome take the rest
    h.press(KeyCode::PageDown);
    assert_eq!(selected_name(&h).as_deref(), Some("beta"));
    h.chr('g');
    h.session.resize(100, 8);
    h.press(KeyCode::PageDown);
    assert_eq!(selected_name(&h).as_deref(), Some("gamma"));
}
