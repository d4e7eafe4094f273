//! Terminal clipboard backend ([`Osc52Clipboard`]): the OSC 52 escape sequence.
//!
//! `set` writes `ESC ] 52 ; c ; <base64> BEL` to the terminal. The terminal (or tmux) sets the
//! system clipboard, so this works over SSH without X forwarding. It is write-only: `get`
//! always returns `None`, so [`super::ClipboardGuard`] clears blindly on timeout.
//!
//! # tmux
//!
//! Inside tmux (`TMUX` set) we still emit plain OSC 52, not a DCS passthrough wrapper:
//! with `set -g set-clipboard on` tmux itself understands OSC 52, stores a paste buffer and
//! forwards the sequence to the outer terminal (using its `Ms` capability), so it also works
//! across detach/reattach and nested terminals. Passthrough (`ESC P tmux; ...`) needs
//! `allow-passthrough on` (off by default since tmux 3.3) and only reaches the currently attached
//! client, so it is not a better default.
//!
//! Caveats of that choice:
//! - tmux ignores OSC 52 from applications unless `set-clipboard on` (default is `external`).
//! - tmux ignores an *empty* OSC 52 payload and keeps the secret in its paste-buffer list
//!   (`tmux delete-buffer` removes it). So when inside tmux, `clear` additionally sends the empty
//!   sequence wrapped in DCS passthrough: if `allow-passthrough` is on it clears the outer
//!   terminal's clipboard, otherwise tmux silently drops it. This is the one place passthrough
//!   earns its keep, because plain OSC 52 provably cannot clear through tmux.
//!
//! Terminals cap the sequence length (often ~100 KB); secrets are far below that.

use super::{Clipboard, ClipboardError};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use std::io::Write;
use zeroize::Zeroizing;

const OSC52_PREFIX: &[u8] = b"\x1b]52;c;";
const BEL: &[u8] = b"\x07";
/// Empty OSC 52 wrapped for tmux passthrough: `ESC P tmux ; ESC ESC ] 52 ; c ; BEL ESC \`.
const TMUX_PASSTHROUGH_CLEAR: &[u8] = b"\x1bPtmux;\x1b\x1b]52;c;\x07\x1b\\";

/// Copies by asking the terminal, via OSC 52 on `W` (normally stdout).
pub struct Osc52Clipboard<W: Write> {
    out: W,
    tmux: bool,
}

impl Osc52Clipboard<std::io::Stdout> {
    /// Write to this process's stdout (the terminal). Detects tmux from the `TMUX` variable.
    pub fn stdout() -> Self {
        let tmux = std::env::var_os("TMUX").is_some_and(|v| !v.is_empty());
        Self::new(std::io::stdout()).inside_tmux(tmux)
    }
}

impl<W: Write> Osc52Clipboard<W> {
    /// Write to any writer (tests use a `Vec<u8>`). Assumes no tmux; see [`Self::inside_tmux`].
    pub fn new(out: W) -> Self {
        Self { out, tmux: false }
    }

    /// Whether we run inside tmux; only changes what [`Clipboard::clear`] sends.
    #[must_use]
    pub fn inside_tmux(mut self, tmux: bool) -> Self {
        self.tmux = tmux;
        self
    }

    /// The underlying writer.
    pub fn get_ref(&self) -> &W {
        &self.out
    }

    /// Give back the underlying writer.
    pub fn into_inner(self) -> W {
        self.out
    }

    /// Send one complete sequence with a single `write_all` so it never interleaves with
    /// the TUI's own output, then flush.
    fn emit(&mut self, bytes: &[u8]) -> Result<(), ClipboardError> {
        self.out.write_all(bytes)?;
        self.out.flush()?;
        Ok(())
    }
}

impl<W: Write> std::fmt::Debug for Osc52Clipboard<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Osc52Clipboard")
            .field("tmux", &self.tmux)
            .finish_non_exhaustive()
    }
}

/// The OSC 52 "set clipboard" sequence for `text`. Base64 is as good as plaintext, so the
/// buffer is wiped on drop.
fn sequence(text: &str) -> Zeroizing<Vec<u8>> {
    let encoded = Zeroizing::new(STANDARD.encode(text.as_bytes()));
    let mut seq = Zeroizing::new(Vec::with_capacity(
        OSC52_PREFIX.len() + encoded.len() + BEL.len(),
    ));
    seq.extend_from_slice(OSC52_PREFIX);
    seq.extend_from_slice(encoded.as_bytes());
    seq.extend_from_slice(BEL);
    seq
}

impl<W: Write> Clipboard for Osc52Clipboard<W> {
    fn set(&mut self, text: &str) -> Result<(), ClipboardError> {
        let seq = sequence(text);
        self.emit(&seq)
    }

    /// OSC 52 reads are a query the terminal answers on stdin (and most refuse); not supported.
    fn get(&mut self) -> Option<String> {
        None
    }

    fn clear(&mut self) -> Result<(), ClipboardError> {
        let mut seq = sequence("");
        if self.tmux {
            seq.extend_from_slice(TMUX_PASSTHROUGH_CLEAR);
        }
        self.emit(&seq)
    }

    fn name(&self) -> &'static str {
        "osc52"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_writes_exact_osc52_bytes() {
        let mut cb = Osc52Clipboard::new(Vec::new());
        assert!(cb.set("hello").is_ok());
        // base64("hello") == "aGVsbG8="
        assert_eq!(cb.get_ref().as_slice(), b"\x1b]52;c;aGVsbG8=\x07");
    }

    #[test]
    fn set_encodes_utf8_and_control_chars() {
        let mut cb = Osc52Clipboard::new(Vec::new());
        assert!(cb.set("pä\n\x07").is_ok());
        // Raw BEL/newline must never reach the terminal unencoded.
        assert_eq!(cb.get_ref().as_slice(), b"\x1b]52;c;cMOkCgc=\x07");
    }

    #[test]
    fn clear_sends_empty_payload_and_get_is_none() {
        let mut cb = Osc52Clipboard::new(Vec::new());
        assert!(cb.clear().is_ok());
        assert_eq!(cb.get_ref().as_slice(), b"\x1b]52;c;\x07");
        assert_eq!(cb.get(), None);
        assert_eq!(cb.name(), "osc52");
    }

    #[test]
    fn tmux_set_is_plain_and_clear_adds_passthrough() {
        let mut cb = Osc52Clipboard::new(Vec::new()).inside_tmux(true);
        assert!(cb.set("hello").is_ok());
        assert_eq!(cb.get_ref().as_slice(), b"\x1b]52;c;aGVsbG8=\x07");
        let mut cb = Osc52Clipboard::new(Vec::new()).inside_tmux(true);
        assert!(cb.clear().is_ok());
        assert_eq!(
            cb.into_inner(),
            b"\x1b]52;c;\x07\x1bPtmux;\x1b\x1b]52;c;\x07\x1b\\".to_vec()
        );
    }

    #[test]
    fn write_failure_maps_to_io_error() {
        struct Broken;
        impl Write for Broken {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("terminal gone"))
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let mut cb = Osc52Clipboard::new(Broken);
        assert!(matches!(cb.set("secret"), Err(ClipboardError::Io(_))));
    }
}
