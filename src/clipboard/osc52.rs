//! Terminal clipboard backend ([`Osc52Clipboard`]): the OSC 52 escape sequence.
//!
//! `set` writes `ESC ] 52 ; c ; <base64> BEL` to the terminal. The terminal (or tmux) sets the
//! system clipboard, so this works over SSH without X forwarding. Whether it did, the terminal
//! does not say: [`Clipboard::delivery`] reports [`Delivery::Terminal`], or inside tmux what its
//! `set-clipboard` option makes of it (read with `tmux show -gv set-clipboard` at each copy).
//!
//! # Reading back before a clear
//!
//! `get` asks the terminal for its clipboard (the OSC 52 query `ESC ] 52 ; c ; ? BEL`) and reads
//! the answer straight from the tty ([`TerminalReplies`]; [`TtyReplies`] polls `/dev/tty` with a
//! timeout, [`DEFAULT_QUERY_TIMEOUT`]). A terminal that answers lets [`super::ClipboardGuard`]
//! clear only when the clipboard still holds our value; one that does not answer in time (many
//! refuse clipboard reads) gets `None`, and the guard clears without checking.
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
//! - tmux ignores an *empty* OSC 52 payload and keeps the secret in its paste-buffer list, so
//!   [`Clipboard::forget_copies`] deletes the buffers that appeared since the copy and hold our
//!   value (`super::tmux`). When inside tmux, `clear` additionally sends the empty
//!   sequence wrapped in DCS passthrough: if `allow-passthrough` is on it clears the outer
//!   terminal's clipboard, otherwise tmux silently drops it. This is the one place passthrough
//!   earns its keep, because plain OSC 52 provably cannot clear through tmux.
//!
//! Terminals cap the sequence length (often ~100 KB); secrets are far below that.

use super::tmux::{PasteBuffers, TmuxServer, delete_new_copies};
use super::{Clipboard, ClipboardError, Delivery, TmuxClipboard};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use std::io::Write;
use std::time::Duration;
use zeroize::Zeroizing;

const OSC52_PREFIX: &[u8] = b"\x1b]52;c;";
const BEL: &[u8] = b"\x07";
/// Asks the terminal what its clipboard holds.
const OSC52_QUERY: &[u8] = b"\x1b]52;c;?\x07";
/// How long to wait for the terminal's answer to [`OSC52_QUERY`].
pub const DEFAULT_QUERY_TIMEOUT: Duration = Duration::from_millis(200);
/// The longest answer read: a full value (32 KB as text is under 44 K of base64) and change.
const MAX_REPLY: usize = 64 * 1024;

/// Where the terminal's answers are read from: the tty, or a fake terminal in tests.
pub trait TerminalReplies {
    /// Whether an answer can be read unseen now. The tty must be in raw mode: with echo on (the
    /// terminal already restored, on a panic) the answer, our value in base64, would be printed
    /// on the screen, so no query is sent.
    fn can_read(&mut self) -> bool;

    /// What the terminal sends within `timeout`, up to the end of one OSC reply (`BEL` or
    /// `ESC \\`); `None` when no complete reply came in time.
    fn read_reply(&mut self, timeout: Duration) -> Option<Zeroizing<Vec<u8>>>;
}

/// Whether `bytes` hold a complete OSC 52 reply.
fn reply_complete(bytes: &[u8]) -> bool {
    parse_reply(bytes).is_some()
}

/// The base64 payload of the first OSC 52 reply in `bytes` (anything before it, such as a key
/// pressed meanwhile, is skipped), `None` when there is no complete one.
fn parse_reply(bytes: &[u8]) -> Option<&[u8]> {
    let start = bytes.windows(5).position(|w| w == b"\x1b]52;")? + 5;
    let rest = &bytes[start..];
    let semi = rest.iter().position(|&b| b == b';')?;
    let payload = &rest[semi + 1..];
    let end = payload
        .iter()
        .enumerate()
        .find(|&(i, &b)| b == 0x07 || (b == 0x1b && payload.get(i + 1) == Some(&b'\\')))
        .map(|(i, _)| i)?;
    Some(&payload[..end])
}

/// The clipboard text an answer carries: `Some("")` when it is empty or not text (certainly not
/// ours), `None` when it cannot be read as base64 (we cannot tell).
fn reply_text(reply: &[u8]) -> Option<String> {
    let payload = parse_reply(reply)?;
    let decoded = Zeroizing::new(STANDARD.decode(payload).ok()?);
    Some(std::str::from_utf8(&decoded).map_or_else(|_| String::new(), str::to_owned))
}

/// The terminal's answers, read from `/dev/tty` (the same input stdin reads, in the raw mode the
/// app set), waiting with `poll` so a silent terminal costs at most the timeout.
#[cfg(unix)]
#[derive(Debug, Default)]
pub struct TtyReplies;

#[cfg(unix)]
impl TerminalReplies for TtyReplies {
    fn can_read(&mut self) -> bool {
        use rustix::termios::{LocalModes, tcgetattr};
        let Ok(tty) = std::fs::File::open("/dev/tty") else {
            return false;
        };
        tcgetattr(&tty).is_ok_and(|t| {
            !t.local_modes
                .intersects(LocalModes::ECHO | LocalModes::ICANON)
        })
    }

    fn read_reply(&mut self, timeout: Duration) -> Option<Zeroizing<Vec<u8>>> {
        use rustix::event::{PollFd, PollFlags, Timespec, poll};
        use std::io::Read;
        use std::time::Instant;

        let mut tty = std::fs::File::open("/dev/tty").ok()?;
        let deadline = Instant::now().checked_add(timeout)?;
        // One allocation up front: a reply may be our secret, and a growing Vec would leave
        // copies behind.
        let mut got = Zeroizing::new(Vec::with_capacity(MAX_REPLY));
        let mut chunk = Zeroizing::new([0u8; 1024]);
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            let wait = Timespec::try_from(left).ok()?;
            let mut fds = [PollFd::new(&tty, PollFlags::IN)];
            match poll(&mut fds, Some(&wait)) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(rustix::io::Errno::INTR) => continue,
                Err(_) => return None,
            }
            let n = tty.read(&mut chunk[..]).ok()?;
            if n == 0 || got.len() + n > MAX_REPLY {
                return None;
            }
            got.extend_from_slice(&chunk[..n]);
            if reply_complete(&got) {
                return Some(got);
            }
        }
    }
}
/// Empty OSC 52 wrapped for tmux passthrough: `ESC P tmux ; ESC ESC ] 52 ; c ; BEL ESC \`.
const TMUX_PASSTHROUGH_CLEAR: &[u8] = b"\x1bPtmux;\x1b\x1b]52;c;\x07\x1b\\";

/// The names of tmux's paste buffers at one moment.
type BufferNames = Vec<String>;

/// How tmux's `set-clipboard` is found out (a closure, so tests need no tmux).
type TmuxProbe = Box<dyn FnMut() -> TmuxClipboard>;

/// Copies by asking the terminal, via OSC 52 on `W` (normally stdout).
pub struct Osc52Clipboard<W: Write> {
    out: W,
    tmux: Option<TmuxProbe>,
    /// tmux's paste buffers, and their names before the first set since the last
    /// [`Clipboard::forget_copies`] (`None`: every buffer counts as new): the new ones holding our value
    /// are deleted by [`Clipboard::forget_copies`].
    buffers: Option<(Box<dyn PasteBuffers>, Option<BufferNames>)>,
    replies: Option<Box<dyn TerminalReplies>>,
    query_timeout: Duration,
}

impl Osc52Clipboard<std::io::Stdout> {
    /// Write to this process's stdout (the terminal) and read answers from the tty. Detects
    /// tmux from the `TMUX` variable.
    pub fn stdout() -> Self {
        let tmux = std::env::var_os("TMUX").is_some_and(|v| !v.is_empty());
        let clipboard = Self::new(std::io::stdout()).inside_tmux(tmux);
        #[cfg(unix)]
        let clipboard = clipboard.reading_replies(Box::new(TtyReplies));
        clipboard
    }
}

impl<W: Write> Osc52Clipboard<W> {
    /// Write to any writer (tests use a `Vec<u8>`). Assumes no tmux ([`Self::inside_tmux`]) and
    /// reads no answers ([`Self::reading_replies`]): `get` is `None`.
    pub fn new(out: W) -> Self {
        Self {
            out,
            tmux: None,
            buffers: None,
            replies: None,
            query_timeout: DEFAULT_QUERY_TIMEOUT,
        }
    }

    /// Whether we run inside tmux: [`Clipboard::clear`] adds a passthrough clear,
    /// [`Clipboard::delivery`] asks tmux for `set-clipboard` ([`TmuxClipboard::probe`]), and
    /// [`Clipboard::forget_copies`] deletes the paste buffer a copy made ([`TmuxServer`]).
    #[must_use]
    pub fn inside_tmux(self, tmux: bool) -> Self {
        if tmux {
            self.with_tmux_probe(TmuxClipboard::probe)
                .with_paste_buffers(Box::new(TmuxServer))
        } else {
            Self {
                tmux: None,
                buffers: None,
                ..self
            }
        }
    }

    /// tmux's paste buffers, asked before each set and after a clear.
    #[must_use]
    pub fn with_paste_buffers(mut self, buffers: Box<dyn PasteBuffers>) -> Self {
        self.buffers = Some((buffers, None));
        self
    }

    /// Inside tmux, with `probe` telling its `set-clipboard` setting.
    #[must_use]
    pub fn with_tmux_probe(mut self, probe: impl FnMut() -> TmuxClipboard + 'static) -> Self {
        self.tmux = Some(Box::new(probe));
        self
    }

    /// Read the terminal's answers to the clipboard query from `replies`.
    #[must_use]
    pub fn reading_replies(mut self, replies: Box<dyn TerminalReplies>) -> Self {
        self.replies = Some(replies);
        self
    }

    /// How long `get` waits for the terminal's answer.
    #[must_use]
    pub fn with_query_timeout(mut self, timeout: Duration) -> Self {
        self.query_timeout = timeout;
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
            .field("tmux", &self.tmux.is_some())
            .field("reads_replies", &self.replies.is_some())
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
        if let Some((buffers, before @ None)) = &mut self.buffers {
            *before = buffers.names();
        }
        let seq = sequence(text);
        self.emit(&seq)
    }

    /// Asks the terminal (the OSC 52 query) and reads its answer; `None` when there is no
    /// reader, the terminal does not answer within the timeout, or the answer is unreadable.
    fn get(&mut self) -> Option<String> {
        let timeout = self.query_timeout;
        if !self.replies.as_mut()?.can_read() {
            return None;
        }
        self.emit(OSC52_QUERY).ok()?;
        let reply = self.replies.as_mut()?.read_reply(timeout)?;
        reply_text(&reply)
    }

    fn clear(&mut self) -> Result<(), ClipboardError> {
        let mut seq = sequence("");
        if self.tmux.is_some() {
            seq.extend_from_slice(TMUX_PASSTHROUGH_CLEAR);
        }
        self.emit(&seq)
    }

    fn name(&self) -> &'static str {
        "osc52"
    }

    fn delivery(&mut self) -> Delivery {
        match &mut self.tmux {
            Some(probe) => Delivery::Tmux(probe()),
            None => Delivery::Terminal,
        }
    }

    fn forget_copies(&mut self, is_ours: &dyn Fn(&str) -> bool) -> usize {
        match &mut self.buffers {
            Some((buffers, before)) => {
                let deleted = delete_new_copies(
                    buffers.as_mut(),
                    before.as_deref().unwrap_or_default(),
                    is_ours,
                );
                *before = None;
                deleted
            }
            None => 0,
        }
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

    use crate::clipboard::{ClearOutcome, ClipboardGuard};
    use std::cell::RefCell;
    use std::rc::Rc;
    use std::time::Instant;

    /// A terminal that keeps what OSC 52 sets and, when `answers`, replies to the query.
    #[derive(Default)]
    struct Terminal {
        clipboard: Option<String>,
        answers: bool,
        /// Bytes a key pressed meanwhile puts before the reply.
        noise: Vec<u8>,
        use_st: bool,
        /// Cooked mode: an answer would be echoed on the screen.
        echo: bool,
        queried: usize,
        answered: usize,
        written: Vec<u8>,
    }

    #[derive(Clone, Default)]
    struct FakeTerminal(Rc<RefCell<Terminal>>);

    impl Write for FakeTerminal {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            let mut t = self.0.borrow_mut();
            t.written.extend_from_slice(bytes);
            if bytes == OSC52_QUERY {
                t.queried += 1;
            } else if let Some(text) = reply_text(bytes) {
                // A set sequence has the reply's shape: ESC ] 52 ; c ; <base64> BEL.
                t.clipboard = (!text.is_empty()).then_some(text);
            }
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl TerminalReplies for FakeTerminal {
        fn can_read(&mut self) -> bool {
            !self.0.borrow().echo
        }

        fn read_reply(&mut self, _timeout: Duration) -> Option<Zeroizing<Vec<u8>>> {
            let mut t = self.0.borrow_mut();
            if t.answered == t.queried || !t.answers {
                return None;
            }
            t.answered = t.queried;
            let b64 = STANDARD.encode(t.clipboard.clone().unwrap_or_default());
            let end: &[u8] = if t.use_st { b"\x1b\\" } else { BEL };
            let mut reply = t.noise.clone();
            reply.extend_from_slice(b"\x1b]52;c;");
            reply.extend_from_slice(b64.as_bytes());
            reply.extend_from_slice(end);
            Some(Zeroizing::new(reply))
        }
    }

    fn guarded(term: &FakeTerminal) -> ClipboardGuard {
        let cb = Osc52Clipboard::new(term.clone()).reading_replies(Box::new(term.clone()));
        ClipboardGuard::new(Box::new(cb))
    }

    const SECRET: &str = "s3cr3t value";

    #[test]
    fn a_terminal_that_answers_is_cleared_only_while_it_holds_our_value() {
        let term = FakeTerminal::default();
        term.0.borrow_mut().answers = true;
        let mut g = guarded(&term);
        let t0 = Instant::now();
        assert!(g.copy(SECRET, true, t0).is_ok());
        assert_eq!(term.0.borrow().clipboard.as_deref(), Some(SECRET));
        let outcome = g.tick(t0 + Duration::from_secs(30));
        assert!(
            matches!(outcome, Some(ClearOutcome::Cleared)),
            "{outcome:?}"
        );
        assert_eq!(term.0.borrow().clipboard, None);
        assert_eq!(term.0.borrow().queried, 1);

        // The user copied something else meanwhile: asked, and left alone.
        assert!(g.copy(SECRET, true, t0).is_ok());
        term.0.borrow_mut().clipboard = Some("the user's own copy".into());
        let before = term.0.borrow().written.len();
        let outcome = g.tick(t0 + Duration::from_secs(30));
        assert!(
            matches!(outcome, Some(ClearOutcome::LeftAlone)),
            "{outcome:?}"
        );
        let t = term.0.borrow();
        assert_eq!(t.clipboard.as_deref(), Some("the user's own copy"));
        assert_eq!(&t.written[before..], OSC52_QUERY, "only the query was sent");
    }

    #[test]
    fn a_silent_terminal_is_cleared_without_checking() {
        let term = FakeTerminal::default();
        let mut g = guarded(&term);
        let t0 = Instant::now();
        assert!(g.copy(SECRET, true, t0).is_ok());
        let outcome = g.on_quit();
        assert!(
            matches!(outcome, Some(ClearOutcome::ClearedUnverified)),
            "{outcome:?}"
        );
        assert_eq!(term.0.borrow().queried, 1);
        assert_eq!(term.0.borrow().clipboard, None);
    }

    #[test]
    fn no_query_is_sent_while_the_terminal_would_echo_the_answer() {
        let term = FakeTerminal::default();
        {
            let mut t = term.0.borrow_mut();
            t.answers = true;
            t.echo = true;
        }
        let mut g = guarded(&term);
        assert!(g.copy(SECRET, true, Instant::now()).is_ok());
        let outcome = g.on_quit();
        assert!(
            matches!(outcome, Some(ClearOutcome::ClearedUnverified)),
            "{outcome:?}"
        );
        assert_eq!(term.0.borrow().queried, 0);
        assert_eq!(term.0.borrow().clipboard, None);
    }

    #[test]
    fn replies_end_with_bel_or_st_and_may_follow_a_key_press() {
        let term = FakeTerminal::default();
        {
            let mut t = term.0.borrow_mut();
            t.answers = true;
            t.use_st = true;
            t.noise = b"x".to_vec();
            t.clipboard = Some(SECRET.into());
        }
        let mut cb = Osc52Clipboard::new(term.clone()).reading_replies(Box::new(term.clone()));
        assert_eq!(cb.get().as_deref(), Some(SECRET));
        assert_eq!(reply_text(b"\x1b]52;c;\x07").as_deref(), Some(""));
        assert_eq!(reply_text(b"\x1b]52;;aGk=\x07").as_deref(), Some("hi"));
        assert_eq!(
            reply_text(b"\x1b]52;c;/w==\x07").as_deref(),
            Some(""),
            "not text"
        );
        assert_eq!(reply_text(b"\x1b]52;c;!!\x07"), None, "not base64");
        assert_eq!(reply_text(b"\x1b]52;c;aGk="), None, "incomplete");
        assert!(!reply_complete(b"\x1b]52;c;aGk=\x1b"));
    }

    #[test]
    fn delivery_says_terminal_or_what_tmux_makes_of_it() {
        let mut cb = Osc52Clipboard::new(Vec::new());
        assert_eq!(cb.delivery(), Delivery::Terminal);
        let mut cb = Osc52Clipboard::new(Vec::new())
            .with_tmux_probe(|| TmuxClipboard::Ignored("external".into()));
        assert_eq!(
            cb.delivery(),
            Delivery::Tmux(TmuxClipboard::Ignored("external".into()))
        );
        assert!(!format!("{cb:?}").contains("external"));
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
