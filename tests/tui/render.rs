//! Drawing at sizes the snapshots do not cover, and what scrolls: every screen drawn at odd
//! terminal sizes must not panic; scroll positions stop at the end of their content; the keys
//! table follows its selection.

use crate::support::{Harness, PASSPHRASE};
use crossterm::event::KeyCode;
use csvault::csms::KeyState;
use csvault::tui::app::Screen;
use csvault::tui::dialogs::Dialog;
use csvault::tui::screens::help;
use csvault::tui::view;
use csvault::vault::Vault;
use ratatui::layout::Size;

/// Degenerate, one-dimensional, and either side of the 60×15 minimum.
const ODD_SIZES: [(u16, u16); 6] = [(0, 0), (1, 1), (200, 5), (5, 200), (59, 15), (60, 15)];

/// Draws the current frame at every odd size; a panic fails the test. Returns how many frames.
fn draw_all(h: &Harness, what: &str, drawn: &mut Vec<String>) {
    for (w, hgt) in ODD_SIZES {
        let buffer = h.buffer(w, hgt);
        assert_eq!(
            (buffer.area.width, buffer.area.height),
            (w, hgt),
            "{what} at {w}x{hgt}"
        );
        drawn.push(format!("{what} {w}x{hgt}"));
    }
}

#[test]
fn every_screen_draws_at_odd_sizes_without_panicking() {
    let mut drawn = Vec::new();
    let mut h = Harness::locked().unwrap();
    draw_all(&h, "create vault", &mut drawn);
    h.type_str("hunter2");
    h.press(KeyCode::Tab);
    h.type_str("hunter");
    draw_all(&h, "create vault, mismatch", &mut drawn);
    h.press(KeyCode::F(1));
    draw_all(&h, "help over create vault", &mut drawn);

    let mut h = Harness::unlocked().unwrap();
    draw_all(&h, "empty list", &mut drawn);
    h.chr('n');
    for field in ["name", "key", "description", "type", "value", "button"] {
        draw_all(&h, &format!("form, focus on {field}"), &mut drawn);
        h.press(KeyCode::Tab);
    }
    h.press(KeyCode::Esc);
    for i in 0..3 {
        h.create(
            &format!("secret-{i}"),
            &"a long description ".repeat(40),
            "v",
        );
        h.press(KeyCode::Esc);
    }
    draw_all(&h, "list", &mut drawn);
    h.chr('/');
    h.type_str("secret-1");
    draw_all(&h, "filter", &mut drawn);
    h.press(KeyCode::Esc);
    h.press(KeyCode::Enter);
    draw_all(&h, "detail", &mut drawn);
    h.press(KeyCode::Esc);
    h.chr('n');
    h.type_str("dirty");
    h.press(KeyCode::Esc);
    draw_all(&h, "discard popup", &mut drawn);
    h.chr('y');
    h.create("fresh", &"wrapped words ".repeat(60), "v");
    draw_all(&h, "result", &mut drawn);
    h.press(KeyCode::Esc);
    h.chr('K');
    draw_all(&h, "keys", &mut drawn);
    h.chr('n');
    h.type_str("team/payments");
    draw_all(&h, "new key popup", &mut drawn);
    h.press(KeyCode::Enter);
    h.chr('d');
    draw_all(&h, "confirm popup", &mut drawn);
    h.chr('y');
    h.press(KeyCode::Esc);
    h.chr('?');
    draw_all(&h, "help", &mut drawn);
    h.press(KeyCode::Esc);

    h.chr('n');
    h.type_str("refused");
    let other = Vault::open(&h.path, PASSPHRASE.as_bytes()).unwrap();
    other
        .set_key_state("csms/default", KeyState::Disabled)
        .unwrap();
    h.ctrl('s');
    assert!(matches!(h.session.app.screen, Screen::Result(_)));
    draw_all(&h, "refused result", &mut drawn);
    assert_eq!(drawn.len(), 20 * ODD_SIZES.len());
}

/// Presses `key` `n` times.
fn repeat(h: &mut Harness, key: KeyCode, n: usize) {
    for _ in 0..n {
        h.press(key);
    }
}

#[test]
fn scrolling_stops_at_the_end_of_the_content() {
    let mut h = Harness::unlocked().unwrap();
    h.create("long", &"many words to wrap ".repeat(100), "v");
    assert!(matches!(h.session.app.screen, Screen::Result(_)));

    // Result: far past the end, then one step back moves the view at once. The session scrolls
    // by the terminal size it was told.
    h.session.resize(60, 15);
    repeat(&mut h, KeyCode::Down, 1000);
    let at_end = h.frame(60, 15);
    let Screen::Result(r) = &h.session.app.screen else {
        panic!("result")
    };
    assert!(r.scroll > 0 && r.scroll < 1000, "clamped: {}", r.scroll);
    // 60×15: header, body rows 1–12 (framed: 2–11 inside), status, footer. The closing brace of
    // the body sits on the last row inside the frame: not cut off, not followed by blank rows.
    let last_inside = at_end.lines().nth(11).unwrap_or_default();
    assert!(last_inside.starts_with("│}"), "{at_end}");
    h.press(KeyCode::Up);
    assert_ne!(h.frame(60, 15), at_end, "one Up scrolls back");
    h.press(KeyCode::Esc);

    // Detail: the record scrolls by page (↑/↓ select a version).
    h.press(KeyCode::Enter);
    repeat(&mut h, KeyCode::PageDown, 1000);
    let at_end = h.frame(60, 15);
    let Screen::Detail(d) = &h.session.app.screen else {
        panic!("detail")
    };
    assert!(d.scroll > 0 && d.scroll < 100, "clamped: {}", d.scroll);
    h.press(KeyCode::PageUp);
    assert_ne!(h.frame(60, 15), at_end, "one PgUp scrolls back");
    h.press(KeyCode::Esc);

    // Help: exactly to its last line.
    h.chr('?');
    repeat(&mut h, KeyCode::Down, 1000);
    let Some(Dialog::Help { scroll }) = h.session.app.overlay else {
        panic!("help")
    };
    let max = help::max_scroll(view::body_area(Size::new(60, 15)));
    assert!(max > 0);
    assert_eq!(scroll, max);
    let at_end = h.frame(60, 15);
    h.press(KeyCode::Up);
    assert_ne!(h.frame(60, 15), at_end, "one Up scrolls back");
}

#[test]
fn the_keys_table_keeps_the_selection_in_view() {
    let mut h = Harness::unlocked().unwrap();
    h.chr('K');
    for i in 0..20 {
        h.chr('n');
        h.type_str(&format!("team/key-{i:02}"));
        h.press(KeyCode::Enter);
    }
    assert_eq!(h.session.app.keys.len(), 20);
    h.press(KeyCode::Up); // clears "Created key team/key-19." from the status line
    let top = h.frame(60, 15);
    assert!(top.contains("team/key-00"));
    assert!(!top.contains("team/key-19"), "more keys than rows");
    repeat(&mut h, KeyCode::Down, 19);
    let bottom = h.frame(60, 15);
    assert!(
        bottom.contains("team/key-19"),
        "the selected key is drawn:\n{bottom}"
    );
    assert!(!bottom.contains("team/key-00"));
}
