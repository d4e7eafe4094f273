//! Clipboard layer: the [`Clipboard`] trait, its error type, backend selection and re-exports.
//!
//! Backends:
//! - [`ArboardClipboard`]: the native desktop clipboard (X11, Wayland, macOS, Windows).
//! - [`Osc52Clipboard`]: write-only, asks the terminal to set its clipboard (works over SSH).
//! - [`FakeClipboard`]: in-memory, for tests.
//!
//! [`ClipboardGuard`] wraps any backend and clears sensitive copies after a timeout.
//!
//! Nothing in this module logs, formats or stores copied text in an error: [`ClipboardError`]
//! variants carry no payload that could come from the copied text.

mod fake;
mod guard;
mod native;
mod osc52;

pub use fake::FakeClipboard;
pub use guard::{ClearOutcome, ClipboardGuard, DEFAULT_CLEAR_AFTER};
pub use native::ArboardClipboard;
pub use osc52::Osc52Clipboard;

/// A place text can be copied to.
pub trait Clipboard {
    /// Replace the clipboard contents with `text`.
    fn set(&mut self, text: &str) -> Result<(), ClipboardError>;

    /// Read the current text contents back.
    ///
    /// `None` means the backend cannot tell (OSC 52 is write-only, or reading failed).
    /// Backends that can read return `Some(String::new())` when the clipboard holds no text.
    fn get(&mut self) -> Option<String>;

    /// Empty the clipboard.
    fn clear(&mut self) -> Result<(), ClipboardError>;

    /// Short backend name for status lines, e.g. `"arboard"` or `"osc52"`.
    fn name(&self) -> &'static str;
}

/// Why a clipboard operation failed. Never contains the copied text.
#[derive(Debug, thiserror::Error)]
pub enum ClipboardError {
    /// The native clipboard could not be opened (no display, no compositor support, ...).
    #[error("clipboard unavailable: {0}")]
    Unavailable(String),
    /// Another party holds the native clipboard right now.
    #[error("clipboard is busy (held by another program)")]
    Occupied,
    /// The native clipboard backend reported an error. The reason is the backend's own
    /// diagnostic, never the text being copied.
    #[error("clipboard error: {0}")]
    Backend(String),
    /// Writing the OSC 52 sequence to the terminal failed.
    #[error("could not write to the terminal: {0}")]
    Io(#[from] std::io::Error),
    /// A [`FakeClipboard`] told to fail.
    #[error("simulated clipboard failure")]
    Simulated,
}

/// The best clipboard for this session.
///
/// Uses [`ArboardClipboard`] when a graphical session is present (`DISPLAY` or `WAYLAND_DISPLAY`
/// set and non-empty; always tried on macOS and Windows) and it initialises; otherwise falls back
/// to [`Osc52Clipboard::stdout`], which also covers SSH sessions without X forwarding.
///
/// Keep the returned box alive for the whole program: on X11 the clipboard contents are served
/// by this process and vanish when the owner is dropped.
pub fn system_clipboard() -> Box<dyn Clipboard> {
    if has_graphical_session()
        && let Ok(native) = ArboardClipboard::new()
    {
        return Box::new(native);
    }
    Box::new(Osc52Clipboard::stdout())
}

fn has_graphical_session() -> bool {
    if cfg!(any(target_os = "macos", windows)) {
        return true;
    }
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|var| std::env::var_os(var).is_some_and(|v| !v.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_display_never_contains_text() {
        let secret = "hunter2-very-secret";
        let mut fake = FakeClipboard::new();
        fake.set_failing(true);
        let Err(err) = fake.set(secret) else {
            panic!("a failing fake must fail")
        };
        assert!(!err.to_string().contains(secret));
        assert!(!format!("{err:?}").contains(secret));

        let errors = [
            ClipboardError::Unavailable("no display".into()),
            ClipboardError::Occupied,
            ClipboardError::Backend("x11 timeout".into()),
            ClipboardError::Io(std::io::Error::other("broken pipe")),
            ClipboardError::Simulated,
        ];
        for e in errors {
            assert!(!e.to_string().contains(secret), "{e}");
        }
    }
}
