//! Native desktop clipboard backend ([`ArboardClipboard`]) on top of the `arboard` crate.
//!
//! One long-lived `arboard::Clipboard` is kept for the lifetime of this value: on X11 (and
//! Wayland data-control) the owning process serves the contents, so they vanish once the owner
//! is dropped. When the last `arboard::Clipboard` of the process is dropped on X11, arboard hands
//! the contents to a running clipboard manager, so clear sensitive text first
//! ([`super::ClipboardGuard::on_quit`]).

use super::{Clipboard, ClipboardError};

/// The operating system clipboard.
pub struct ArboardClipboard {
    inner: arboard::Clipboard,
}

impl ArboardClipboard {
    /// Connect to the system clipboard (X server, Wayland compositor, macOS pasteboard, Windows).
    pub fn new() -> Result<Self, ClipboardError> {
        let inner = arboard::Clipboard::new().map_err(|e| match e {
            arboard::Error::ClipboardOccupied => ClipboardError::Occupied,
            other => ClipboardError::Unavailable(other.to_string()),
        })?;
        Ok(Self { inner })
    }
}

impl std::fmt::Debug for ArboardClipboard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ArboardClipboard")
    }
}

fn map_err(e: arboard::Error) -> ClipboardError {
    match e {
        arboard::Error::ClipboardOccupied => ClipboardError::Occupied,
        other => ClipboardError::Backend(other.to_string()),
    }
}

impl Clipboard for ArboardClipboard {
    /// Sets the text, asking clipboard managers not to record it in their history
    /// (`x-kde-passwordManagerHint` on Linux, nspasteboard.org types on macOS, history, cloud
    /// and monitoring exclusion on Windows).
    fn set(&mut self, text: &str) -> Result<(), ClipboardError> {
        let set = self.inner.set();
        #[cfg(all(
            unix,
            not(any(target_os = "macos", target_os = "android", target_os = "emscripten"))
        ))]
        let set = {
            use arboard::SetExtLinux;
            set.exclude_from_history()
        };
        #[cfg(target_os = "macos")]
        let set = {
            use arboard::SetExtApple;
            set.exclude_from_history()
        };
        #[cfg(windows)]
        let set = {
            use arboard::SetExtWindows;
            set.exclude_from_monitoring()
        };
        set.text(text).map_err(map_err)
    }

    /// `Some(String::new())` when the clipboard holds no text (empty, or an image the user
    /// copied): that is definitely not ours. `None` for other read failures.
    fn get(&mut self) -> Option<String> {
        match self.inner.get_text() {
            Ok(text) => Some(text),
            Err(arboard::Error::ContentNotAvailable) => Some(String::new()),
            Err(_) => None,
        }
    }

    fn clear(&mut self) -> Result<(), ClipboardError> {
        // Overwrite with an empty string first: arboard keeps the served bytes in memory (X11
        // owner thread) until replaced, and plain `clear` only gives up ownership. Then
        // relinquish ownership so the clipboard is truly empty.
        let overwrite = self.set("");
        let cleared = self.inner.clear().map_err(map_err);
        overwrite.and(cleared)
    }

    fn name(&self) -> &'static str {
        "arboard"
    }

    fn delivery(&mut self) -> super::Delivery {
        super::Delivery::Clipboard
    }
}
