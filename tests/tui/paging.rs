//! The list on a vault with more secrets than one page (issue 15): the first frame from the first
//! page, the rest read page by page; the first and last rows, a filter over every page and one
//! that matches nothing, the detail of a row from the last page, and a secret another process
//! adds while the app runs.

use std::time::Duration;

use crossterm::event::KeyCode;
use zeroize::Zeroizing;

use crate::support::{Harness, PASSPHRASE};
use csvault::clipboard::ClipboardGuard;
use csvault::csms::{CreateSecretRequest, DEFAULT_SUMMARY_PAGE};
use csvault::tui::Session;
use csvault::tui::app::{Loaded, Screen};
use csvault::tui::timefmt::Zone;
use csvault::vault::Vault;

/// More than the first page (200) and one full page after it.
const SECRETS: usize = DEFAULT_SUMMARY_PAGE + 301;

fn request(name: String, description: String) -> CreateSecretRequest {
    CreateSecretRequest {
        name,
        description: Some(description),
        secret_string: Some(Zeroizing::new("v".into())),
        ..CreateSecretRequest::default()
    }
}

fn other(h: &Harness) -> Vault {
    Vault::open(&h.path, PASSPHRASE.as_bytes()).unwrap()
}

fn selected_name(h: &Harness) -> Option<String> {
    h.session
        .app
        .catalog
        .selected_row()
        .map(|r| r.name.to_string())
}

/// A vault of [`SECRETS`] secrets `s-0000` … and a new session opened on it, the first page
/// read (the rest not yet).
fn big_vault() -> Harness {
    let mut h = Harness::unlocked().unwrap();
    let reqs: Vec<CreateSecretRequest> = (0..SECRETS)
        .map(|i| request(format!("s-{i:04}"), format!("secret number {i}")))
        .collect();
    other(&h).create_secrets(&reqs).unwrap();
    let guard = ClipboardGuard::new(Box::new(h.clipboard.clone()));
    h.session = Session::new(&h.path, guard);
    h.session.app.zone = Zone::utc();
    h.session.resize(100, 30);
    h.session
        .start_with(Zeroizing::new(PASSPHRASE.to_owned()), h.now);
    h
}

#[test]
fn the_first_frame_comes_from_the_first_page_and_the_rest_follows() {
    let mut h = big_vault();
    assert_eq!(h.session.app.loaded, Loaded::FirstPage);
    assert_eq!(h.session.app.catalog.total(), 200);
    assert!(h.frame(100, 30).contains("200+, Loading…"));
    h.session.finish_loading();
    assert_eq!(h.session.app.loaded, Loaded::All);
    assert_eq!(h.session.app.catalog.total(), SECRETS);
    // The first and the last rows, across the pages.
    h.chr('G');
    assert_eq!(selected_name(&h), Some(format!("s-{:04}", SECRETS - 1)));
    assert!(h.frame(100, 30).contains(&format!("s-{:04}", SECRETS - 1)));
    h.chr('g');
    assert_eq!(selected_name(&h).as_deref(), Some("s-0000"));
    h.press(KeyCode::PageDown);
    assert!(selected_name(&h).is_some_and(|n| n.as_str() > "s-0000"));
}

#[test]
fn a_filter_covers_every_page_and_the_detail_opens_from_the_last() {
    let mut h = big_vault();
    h.session.finish_loading();
    h.chr('/');
    let last = format!("s-{:04}", SECRETS - 1);
    h.type_str(&last);
    assert_eq!(
        selected_name(&h).as_deref(),
        Some(last.as_str()),
        "the exact name ranks first"
    );
    let frame = h.frame(100, 30);
    assert!(
        frame.contains(&format!(" / {})", thousands(SECRETS))),
        "matches / total: {frame}"
    );
    h.press(KeyCode::Enter);
    h.press(KeyCode::Enter);
    let Screen::Detail(detail) = &h.session.app.screen else {
        panic!("the detail opens");
    };
    assert_eq!(detail.name, last);
    assert!(
        h.frame(100, 30)
            .contains(&format!("secret number {}", SECRETS - 1))
    );
    h.press(KeyCode::Esc);
    h.press(KeyCode::Esc);
    assert_eq!(h.session.app.catalog.query(), "", "Esc cleared the filter");
    assert_eq!(
        selected_name(&h),
        Some(last),
        "the row chosen stays selected"
    );

    // A filter that matches nothing, then Backspace back to matches.
    h.chr('/');
    h.type_str("s-0001qqq");
    assert_eq!(h.session.app.catalog.visible_len(), 0);
    assert!(selected_name(&h).is_none());
    assert!(
        h.frame(100, 30)
            .contains(&format!("0 / {}", thousands(SECRETS)))
    );
    for _ in 0..3 {
        h.press(KeyCode::Backspace);
    }
    assert_eq!(selected_name(&h).as_deref(), Some("s-0001"));
}

#[test]
fn a_secret_another_process_adds_joins_the_list_keeping_the_filter() {
    let mut h = big_vault();
    h.session.finish_loading();
    h.chr('/');
    h.type_str("s-23");
    h.press(KeyCode::Enter);
    let before = h.session.app.catalog.visible_len();
    h.advance(Duration::from_secs(1));
    other(&h)
        .create_secret(&request("s-2399-new".into(), "added elsewhere".into()))
        .unwrap();
    h.advance(Duration::from_millis(250));
    let cat = &h.session.app.catalog;
    assert_eq!(cat.total(), SECRETS + 1, "read again, every page");
    assert_eq!(cat.query(), "s-23", "the filter kept");
    assert_eq!(cat.visible_len(), before + 1, "it matches, so it shows");
    assert!(
        h.session.app.incoming.is_none(),
        "the reread took the list's place"
    );
}

/// `n` (1,000–999,999) as the title shows it.
fn thousands(n: usize) -> String {
    format!("{},{:03}", n / 1000, n % 1000)
}
