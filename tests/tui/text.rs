//! Text on screen and honest copies (issue 7, §2, §4, §9), end to end through `update` and the
//! view: column widths, visible cuts, hidden characters escaped, reasons first, where a copy went.

use crate::support::Harness;
use crossterm::event::KeyCode;
use csvault::clipboard::{Delivery, TmuxClipboard};
use csvault::csms::{Field, rule_text};
use csvault::tui::app::{Screen, Tone};
use csvault::tui::text;
use ratatui::buffer::Buffer;

/// The row of `buf` as drawn, one string per cell (the cell after a wide character is empty).
fn row_cells(buf: &Buffer, y: u16) -> Vec<String> {
    (0..buf.area.width)
        .map(|x| {
            buf.cell((x, y))
                .map_or(String::new(), |c| c.symbol().to_owned())
        })
        .collect()
}

fn row_text(buf: &Buffer, y: u16) -> String {
    row_cells(buf, y).concat()
}

/// The first row holding `needle`.
fn row_with(buf: &Buffer, needle: &str) -> u16 {
    (0..buf.area.height)
        .find(|&y| row_text(buf, y).contains(needle))
        .unwrap_or_else(|| panic!("no row with {needle:?}"))
}

/// The column where `needle` starts in row `y` (in cells, not chars).
fn column_of(buf: &Buffer, y: u16, needle: &str) -> usize {
    let cells = row_cells(buf, y);
    let first = needle.chars().next().map(String::from).unwrap_or_default();
    (0..cells.len())
        .find(|&x| cells[x] == first && cells[x..].concat().starts_with(needle))
        .unwrap_or_else(|| panic!("{needle:?} not in row {y}: {:?}", cells.concat()))
}

fn status(h: &Harness) -> (String, Tone) {
    let s = h.session.app.status.clone().expect("a status line");
    (s.text, s.tone)
}

#[test]
fn wide_characters_keep_the_description_counter_in_place() {
    let mut h = Harness::unlocked().unwrap();
    h.chr('n');
    h.type_str("wide");
    h.press(KeyCode::Tab);
    h.press(KeyCode::Tab);
    h.type_str(&"日".repeat(45));
    for (w, hgt) in [(100, 30), (60, 15)] {
        let buf = h.buffer(w, hgt);
        let name = row_with(&buf, text::form::NAME);
        let desc = row_with(&buf, "135/2,048 B");
        // Both counters end at the same column: right before the border.
        let name_row = row_cells(&buf, name);
        let desc_row = row_cells(&buf, desc);
        assert_eq!(name_row[usize::from(w) - 2], "4", "{}", name_row.concat());
        assert_eq!(desc_row[usize::from(w) - 2], "B", "{}", desc_row.concat());
        assert_eq!(desc_row[usize::from(w) - 1], "│");
        assert!(desc_row.concat().contains('…'), "scrolled text is marked");
    }
}

#[test]
fn an_emoji_or_wide_text_in_a_list_cell_does_not_shift_the_row() {
    let mut h = Harness::unlocked().unwrap();
    h.create(
        "emoji",
        "🔑 deploy ✅ 日本語のテキスト、とても長い説明",
        "v",
    );
    h.press(KeyCode::Esc);
    h.create("plain", "an ordinary description", "v");
    h.press(KeyCode::Esc);
    let buf = h.buffer(120, 20);
    let header = row_with(&buf, text::list::CREATED);
    let created = column_of(&buf, header, text::list::CREATED);
    for name in ["emoji", "plain"] {
        let y = row_with(&buf, name);
        let cells = row_cells(&buf, y);
        assert!(
            cells[created].chars().all(|c| c.is_ascii_digit()) && !cells[created].is_empty(),
            "{name}: the Created column starts at {created}: {}",
            cells.concat()
        );
        assert_eq!(cells[cells.len() - 1], "│", "{name}: {}", cells.concat());
    }
    let emoji_row = row_text(&buf, row_with(&buf, "emoji"));
    assert!(
        emoji_row.contains('…'),
        "a cut description shows …: {emoji_row}"
    );
}

#[test]
fn long_names_are_cut_visibly_and_ids_are_whole_at_60_columns() {
    let mut h = Harness::unlocked().unwrap();
    let name = format!("n{}", "x".repeat(62) + "z");
    assert_eq!(name.len(), 64);
    h.create(&name, "", "v");
    let Screen::Result(result) = &h.session.app.screen else {
        panic!("expected the result screen");
    };
    let id = result.id.clone().unwrap();
    h.press(KeyCode::Esc);
    for (w, hgt) in [(100, 30), (60, 15)] {
        let buf = h.buffer(w, hgt);
        let row = row_text(&buf, row_with(&buf, "nxxxx"));
        assert!(row.contains("x…"), "{w}: the cut shows: {row}");
        assert!(!row.contains('z'), "{w}: {row}");
    }
    h.press(KeyCode::Enter);
    let frame = h.frame(60, 15);
    assert!(frame.contains(&id), "the whole id at 60 columns:\n{frame}");
    assert!(
        frame.contains('…'),
        "the title's name is cut visibly:\n{frame}"
    );
}

#[test]
fn hidden_characters_are_shown_escaped_everywhere() {
    let mut h = Harness::unlocked().unwrap();
    // (C0/C1 controls never get into a field by typing: the unit tests of the display cover them.)
    let sneaky = "abc\u{202e}gnp.exe \u{200b}\u{2066}x\u{2069} \u{feff}!";
    h.create("sneaky", sneaky, "v");
    let screens = [("result", h.frame(200, 30))];
    h.press(KeyCode::Esc);
    let list = h.frame(200, 30);
    h.press(KeyCode::Enter);
    let detail = h.frame(200, 30);
    h.press(KeyCode::Esc);
    // A name typed with a bidi override: the input and the error show it escaped.
    h.chr('n');
    h.type_str("evil\u{202e}txt");
    let form = h.frame(100, 30);
    for (what, frame) in
        screens
            .into_iter()
            .chain([("list", list), ("detail", detail), ("form", form)])
    {
        for c in ['\u{202e}', '\u{200b}', '\u{2066}', '\u{2069}', '\u{feff}'] {
            assert!(
                !frame.contains(c),
                "{what}: U+{:04X} reached the screen",
                u32::from(c)
            );
        }
        let expected = if what == "form" {
            "evil⟨U+202E⟩txt"
        } else {
            "abc⟨U+202E⟩gnp.exe ⟨U+200B⟩⟨U+2066⟩x⟨U+2069⟩ ⟨U+FEFF⟩!"
        };
        assert!(frame.contains(expected), "{what}:\n{frame}");
    }
    // Escapes are styled apart from the text.
    let buf = h.buffer(100, 30);
    let y = row_with(&buf, "evil");
    let x = column_of(&buf, y, "⟨U+202E⟩");
    let escape = buf.cell((u16::try_from(x).unwrap(), y)).unwrap();
    assert_eq!(escape.style().fg, csvault::tui::theme::escaped().fg);
}

#[test]
fn errors_give_the_specific_reason_first_and_wrap() {
    let mut h = Harness::unlocked().unwrap();
    h.create("dup", "", "one");
    h.press(KeyCode::Esc);
    h.chr('n');
    h.type_str("dup");
    let buf = h.buffer(60, 15);
    let row = row_text(&buf, row_with(&buf, "✗"));
    assert!(
        row.contains(&format!("✗ {}", text::form::NAME_TAKEN)),
        "the reason first: {row}"
    );
    let frame = h.frame(60, 15);
    assert!(!frame.contains(rule_text(Field::Name)), "{frame}");

    // A broken rule: the reason, then the rule, wrapped whole at 60 columns.
    for _ in 0..3 {
        h.press(KeyCode::Backspace);
    }
    h.type_str("bad name!");
    let frame = h.frame(60, 15);
    let at = frame.find("✗ the name contains U+0020").expect(&frame);
    let after: String = frame[at..]
        .lines()
        .take(2)
        .map(|l| l.trim_matches(|c| c == '│' || c == ' '))
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        after.contains(rule_text(Field::Name)),
        "the rule follows, wrapped: {after}"
    );
}

#[test]
fn an_empty_text_value_is_allowed_with_a_warning() {
    let mut h = Harness::unlocked().unwrap();
    h.chr('n');
    h.type_str("empty");
    assert!(!h.frame(100, 30).contains(text::form::EMPTY_VALUE));
    for _ in 0..4 {
        h.press(KeyCode::Tab);
    }
    h.press(KeyCode::Tab); // past the value: now it was visited
    assert!(h.frame(100, 30).contains(text::form::EMPTY_VALUE));
    h.ctrl('s');
    assert!(
        matches!(h.session.app.screen, Screen::Result(_)),
        "the warning does not block the submit"
    );
}

#[test]
fn the_detail_shows_kind_and_size_and_c_on_binary_says_base64() {
    let mut h = Harness::unlocked().unwrap();
    h.create("tok", "", "tok-123");
    h.press(KeyCode::Esc);
    // A binary secret: type base64.
    h.chr('n');
    h.type_str("bin");
    h.press(KeyCode::Tab);
    h.press(KeyCode::Tab);
    h.press(KeyCode::Tab);
    h.press(KeyCode::Right);
    h.press(KeyCode::Tab);
    h.type_str("aGVsbG8=");
    h.ctrl('s');
    assert!(matches!(h.session.app.screen, Screen::Result(_)));
    h.press(KeyCode::Esc);

    h.press(KeyCode::Char('g'));
    h.press(KeyCode::Enter);
    let detail = h.frame(100, 30);
    assert!(detail.contains("binary, 5 B"), "{detail}");
    assert!(detail.contains(text::list::COPIED_AS_BASE64), "{detail}");
    h.chr('c');
    assert_eq!(h.clipboard.contents().as_deref(), Some("aGVsbG8="));
    let (said, tone) = status(&h);
    assert!(said.contains(text::status::AS_BASE64), "{said}");
    assert!(said.contains("bin"), "{said}");
    assert_eq!(tone, Tone::Success);
    h.press(KeyCode::Esc);

    h.press(KeyCode::Down);
    h.press(KeyCode::Enter);
    let detail = h.frame(100, 30);
    assert!(detail.contains("text, 7 B"), "{detail}");
    h.chr('c');
    assert!(!status(&h).0.contains(text::status::AS_BASE64));
}

#[test]
fn copies_say_where_they_really_went() {
    let mut h = Harness::unlocked().unwrap();
    h.create("tok", "", "tok-123");

    h.chr('i');
    let (said, _) = status(&h);
    assert!(
        said.starts_with("Copied the secret id to the clipboard"),
        "{said}"
    );

    h.clipboard.set_delivery(Delivery::Terminal);
    h.chr('i');
    let (said, tone) = status(&h);
    assert!(
        said.contains("Sent the secret id to the terminal (OSC 52)"),
        "{said}"
    );
    assert!(!said.contains(text::status::COPIED), "{said}");
    assert_eq!(tone, Tone::Success);

    h.clipboard
        .set_delivery(Delivery::Tmux(TmuxClipboard::Ignored("external".into())));
    h.chr('y');
    let (said, tone) = status(&h);
    assert!(said.contains("set-clipboard is external"), "{said}");
    assert!(said.contains("tmux set -g set-clipboard on"), "{said}");
    assert_eq!(tone, Tone::Error);

    h.clipboard.set_delivery(Delivery::Tmux(TmuxClipboard::On));
    h.press(KeyCode::Esc);
    h.chr('c');
    let (said, _) = status(&h);
    assert!(
        said.contains("Sent the current value of tok to tmux"),
        "{said}"
    );
    assert!(said.contains("clears in 30 s"), "{said}");
    assert!(!said.contains("tok-123"), "never the value: {said}");
    // Even the longest message is drawn whole at 60 columns (wrapped, not cut).
    h.clipboard
        .set_delivery(Delivery::Tmux(TmuxClipboard::Ignored("external".into())));
    h.chr('c');
    let frame = h.frame(60, 15);
    assert!(frame.contains("set-clipboard on"), "{frame}");
}
