//! Clipboard layer: the [`Clipboard`] trait, its error type, backend selection and re-exports.
//!
//! Backends:
//! - [`ArboardClipboard`]: the native desktop clipboard (X11, Wayland, macOS, Windows).
//! - [`Osc52Clipboard`]: write-only, asks the terminal to set its clipboard (works over SSH).
//! - [`FakeClipboard`]: in-memory, for tests.
//!
//! [`ClipboardGuard`] wraps any backend and clears sensitive copies after a timeout (and deletes
//! the paste buffers tmux keeps of them: [`tmux`]). [`keeper`] is the background process of
//! `csvault secret copy`, which holds a copy and clears it after the command has returned.
//!
//! Every copy reports where the text went ([`Delivery`]), so the app can say what really
//! happened: on the system clipboard, or only sent to the terminal (OSC 52), or dropped by tmux.
//!
//! Nothing in this module logs, formats or stores copied text in an error: [`ClipboardError`]
//! variants carry no payload that could come from the copied text.

mod fake;
mod guard;
pub mod keeper;
mod native;
mod osc52;
pub mod tmux;

pub use fake::FakeClipboard;
pub use guard::{ClearOutcome, ClipboardGuard, CopyOutcome, DEFAULT_CLEAR_AFTER};
pub use native::ArboardClipboard;
#[cfg(unix)]
pub use osc52::TtyReplies;
pub use osc52::{DEFAULT_QUERY_TIMEOUT, Osc52Clipboard, TerminalReplies};

/// Where a successful [`Clipboard::set`] put the text, as far as csvault can know.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Delivery {
    /// On the system clipboard (it can be read back).
    #[default]
    Clipboard,
    /// Sent to the terminal as OSC 52: it reaches a clipboard only if the terminal allows it,
    /// and the terminal does not say whether it did.
    Terminal,
    /// Sent as OSC 52 inside tmux, whose `set-clipboard` option decides what becomes of it.
    Tmux(TmuxClipboard),
}

impl Delivery {
    /// `false` when the text certainly reached no clipboard (tmux drops OSC 52).
    pub fn may_have_arrived(&self) -> bool {
        !matches!(self, Self::Tmux(TmuxClipboard::Ignored(_)))
    }
}

/// tmux's `set-clipboard` option, which decides what it does with an application's OSC 52.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TmuxClipboard {
    /// `on`: tmux keeps it in a paste buffer and passes it on to the outer terminal.
    On,
    /// `external` (tmux's default) or `off`: tmux drops it; the value is the setting.
    Ignored(String),
    /// The setting could not be read.
    Unknown,
}

impl TmuxClipboard {
    /// From the output of `tmux show -gv set-clipboard`.
    pub fn parse(setting: Option<&str>) -> Self {
        match setting.map(str::trim) {
            Some("on") => Self::On,
            Some(other @ ("external" | "off")) => Self::Ignored(other.to_owned()),
            _ => Self::Unknown,
        }
    }

    /// Asks the tmux server this process runs under, at every level (session, global, server:
    /// [`tmux::probe`]); `off` or `external` at any of them is reported.
    pub fn probe() -> Self {
        tmux::probe()
    }
}

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

    /// Where text set now goes (asked after each successful [`Self::set`]).
    fn delivery(&mut self) -> Delivery;

    /// When a clear came due, or the value was replaced: deletes the copies the sets since the
    /// last call left outside the clipboard that hold text `is_ours` recognises (tmux's paste
    /// buffers); how many. Backends that leave none answer 0.
    fn forget_copies(&mut self, is_ours: &dyn Fn(&str) -> bool) -> usize {
        let _ = is_ours;
        0
    }
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

/// Whether a graphical session is there to hold a native clipboard (`DISPLAY` or
/// `WAYLAND_DISPLAY` set and non-empty; always on macOS and Windows).
pub(crate) fn has_graphical_session() -> bool {
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
    fn tmux_settings_are_read_as_tmux_writes_them() {
        assert_eq!(TmuxClipboard::parse(Some("on\n")), TmuxClipboard::On);
        assert_eq!(
            TmuxClipboard::parse(Some("external\n")),
            TmuxClipboard::Ignored("external".into())
        );
        assert_eq!(
            TmuxClipboard::parse(Some("off")),
            TmuxClipboard::Ignored("off".into())
        );
        assert_eq!(TmuxClipboard::parse(Some("")), TmuxClipboard::Unknown);
        assert_eq!(TmuxClipboard::parse(None), TmuxClipboard::Unknown);
        assert!(!Delivery::Tmux(TmuxClipboard::Ignored("off".into())).may_have_arrived());
        assert!(Delivery::Terminal.may_have_arrived());
    }

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
