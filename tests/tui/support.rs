//! What the terminal-app tests share: a session on a temporary vault with a fake clipboard, key
//! presses, rendering into a TestBackend, and redaction of ids and times.

pub mod svg;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use zeroize::Zeroizing;

use csvault::clipboard::{ClipboardGuard, DEFAULT_CLEAR_AFTER, FakeClipboard};
use csvault::tui::Session;
use csvault::tui::session::DEFAULT_LOCK_AFTER;
use csvault::tui::timefmt::Zone;

pub const PASSPHRASE: &str = "correct horse battery staple";

/// A session on a fresh vault (created through the app, one Argon2id run), its fake clipboard,
/// the temporary directory keeping the vault alive, and a test clock.
pub struct Harness {
    pub session: Session,
    pub clipboard: FakeClipboard,
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
    pub now: Instant,
}

impl Harness {
    /// A session at the create-vault screen (nothing unlocked yet).
    pub fn locked() -> std::io::Result<Self> {
        Self::locked_with(DEFAULT_CLEAR_AFTER, DEFAULT_LOCK_AFTER)
    }

    /// Like [`Self::locked`], clearing copied values after `clear_after` and locking after
    /// `lock_after` without input.
    pub fn locked_with(clear_after: Duration, lock_after: Duration) -> std::io::Result<Self> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("vault.db");
        let clipboard = FakeClipboard::new();
        let guard = ClipboardGuard::new(Box::new(clipboard.clone())).with_clear_after(clear_after);
        let mut session = Session::new(&path, guard).with_lock_after(lock_after);
        session.app.zone = Zone::utc();
        Ok(Self {
            session,
            clipboard,
            dir,
            path,
            now: Instant::now(),
        })
    }

    /// A session on a new, empty, unlocked vault.
    pub fn unlocked() -> std::io::Result<Self> {
        Self::unlocked_with(DEFAULT_CLEAR_AFTER, DEFAULT_LOCK_AFTER)
    }

    /// Like [`Self::unlocked`], with [`Self::locked_with`]'s timeouts.
    pub fn unlocked_with(clear_after: Duration, lock_after: Duration) -> std::io::Result<Self> {
        let mut h = Self::locked_with(clear_after, lock_after)?;
        h.session
            .start_with(Zeroizing::new(PASSPHRASE.to_owned()), h.now);
        h.session.finish_loading();
        h.session.resize(100, 30);
        Ok(h)
    }

    pub fn advance(&mut self, by: Duration) {
        self.now += by;
        self.session.tick(self.now);
    }

    pub fn press(&mut self, code: KeyCode) {
        self.session
            .key(KeyEvent::new(code, KeyModifiers::NONE), self.now);
    }

    pub fn ctrl(&mut self, ch: char) {
        self.session.key(
            KeyEvent::new(KeyCode::Char(ch), KeyModifiers::CONTROL),
            self.now,
        );
    }

    pub fn shift_tab(&mut self) {
        self.session.key(
            KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT),
            self.now,
        );
    }

    pub fn chr(&mut self, ch: char) {
        let mods = if ch.is_ascii_uppercase() {
            KeyModifiers::SHIFT
        } else {
            KeyModifiers::NONE
        };
        self.session
            .key(KeyEvent::new(KeyCode::Char(ch), mods), self.now);
    }

    pub fn type_str(&mut self, text: &str) {
        for ch in text.chars() {
            if ch == '\n' {
                self.press(KeyCode::Enter);
            } else {
                self.chr(ch);
            }
        }
    }

    /// From the list: `n`, fill every field, submit. Leaves the result screen up.
    pub fn create(&mut self, name: &str, description: &str, value: &str) {
        self.chr('n');
        self.type_str(name);
        self.press(KeyCode::Tab);
        self.press(KeyCode::Tab);
        self.type_str(description);
        self.press(KeyCode::Tab);
        self.press(KeyCode::Tab);
        self.type_str(value);
        self.ctrl('s');
    }

    /// The current frame at `width`×`height`.
    pub fn frame(&self, width: u16, height: u16) -> String {
        buffer_text(&self.buffer(width, height))
    }

    pub fn buffer(&self, width: u16, height: u16) -> Buffer {
        let backend = TestBackend::new(width, height);
        let mut terminal = match Terminal::new(backend) {
            Ok(t) => t,
            Err(never) => match never {},
        };
        let _ = terminal.draw(|f| {
            let area = f.area();
            self.session.render(area, f.buffer_mut());
        });
        terminal.backend().buffer().clone()
    }
}

/// The symbols of a buffer, one line per row, trailing spaces kept.
pub fn buffer_text(buf: &Buffer) -> String {
    let width = usize::from(buf.area.width).max(1);
    let mut out = String::new();
    for (i, cell) in buf.content().iter().enumerate() {
        if i > 0 && i % width == 0 {
            out.push('\n');
        }
        out.push_str(cell.symbol());
    }
    out.push('\n');
    out
}

/// The characters the list's filter highlighted (drawn in `theme::matched`), marked `^` on a line
/// under each row that has any, after a `matched:` heading; empty when none is.
pub fn matched_marks(buf: &Buffer) -> String {
    let style = csvault::tui::theme::matched();
    let width = usize::from(buf.area.width).max(1);
    let cells = buf.content();
    let mut out = String::new();
    for (y, row) in cells.chunks(width).enumerate() {
        let marks: String = row
            .iter()
            .map(|c| {
                let matched =
                    c.fg == style.fg.unwrap_or_default() && c.modifier.contains(style.add_modifier);
                if matched { '^' } else { ' ' }
            })
            .collect();
        if marks.trim().is_empty() {
            continue;
        }
        if out.is_empty() {
            out.push_str("matched:\n");
        }
        let text: String = row.iter().map(ratatui::buffer::Cell::symbol).collect();
        for part in [
            &format!("{y:2} "),
            text.trim_end(),
            "
   ",
            marks.trim_end(),
            "
",
        ] {
            out.push_str(part);
        }
    }
    out
}

/// Replaces what changes from run to run with same-width placeholders: UUIDs (also cut short)
/// become `x`s, `YYYY-MM-DD hh:mm[:ss]` times become `2026-01-01 12:00[:00]`, runs of 10 or
/// more digits (epoch milliseconds, also cut short) become `1767268800000`.
pub fn redact(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if let Some(n) = uuid_at(&chars, i) {
            out.extend(
                chars[i..i + n]
                    .iter()
                    .map(|&c| if c == '-' || c == '…' { c } else { 'x' }),
            );
            i += n;
        } else if let Some(n) = time_at(&chars, i) {
            out.extend("2026-01-01 12:00:00".chars().take(n));
            i += n;
        } else if digits(&chars, i) >= 10 && (i == 0 || !chars[i - 1].is_ascii_alphanumeric()) {
            let n = digits(&chars, i);
            out.extend(
                "1767268800000"
                    .chars()
                    .chain(std::iter::repeat('0'))
                    .take(n),
            );
            i += n;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

fn digits(chars: &[char], i: usize) -> usize {
    chars[i..].iter().take_while(|c| c.is_ascii_digit()).count()
}

/// Length of a UUID (or its `…`-truncated start, 8 hex + `-` at least) at `i`.
fn uuid_at(chars: &[char], i: usize) -> Option<usize> {
    if i > 0 && chars[i - 1].is_ascii_alphanumeric() {
        return None;
    }
    let hex = |c: &char| c.is_ascii_hexdigit() && !c.is_ascii_uppercase();
    let head = chars[i..].iter().take_while(|c| hex(c)).count();
    if head != 8 || chars.get(i + 8) != Some(&'-') {
        return None;
    }
    let n = chars[i..]
        .iter()
        .take_while(|c| hex(c) || **c == '-')
        .count();
    Some(if chars.get(i + n) == Some(&'…') {
        n + 1
    } else {
        n
    })
}

/// Length of `YYYY-MM-DD hh:mm` or `YYYY-MM-DD hh:mm:ss` at `i`.
fn time_at(chars: &[char], i: usize) -> Option<usize> {
    let pattern = "dddd-dd-dd dd:dd:dd";
    let matches = |n: usize| {
        chars.len() >= i + n
            && pattern
                .chars()
                .take(n)
                .zip(&chars[i..i + n])
                .all(|(p, c)| match p {
                    'd' => c.is_ascii_digit(),
                    other => other == *c,
                })
    };
    if matches(19) {
        Some(19)
    } else if matches(16) {
        Some(16)
    } else {
        None
    }
}

/// Insta settings for whole-screen snapshots: `tests/snapshots/NAME.snap` (the path is relative to
/// the asserting file, `tests/tui/*.rs`), and filters that hide ids and times should anything
/// volatile slip past [`redact`].
pub fn snapshot_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.add_filter(
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
    );
    settings.add_filter(r"\b\d{4}-\d{2}-\d{2} \d{2}:\d{2}", "2026-01-01 12:00");
    settings.set_prepend_module_to_snapshot(false);
    settings
}
