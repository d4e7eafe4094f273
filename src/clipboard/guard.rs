//! Clear-after-timeout for sensitive copies ([`ClipboardGuard`]).
//!
//! The guard owns the app's one clipboard backend. After a sensitive copy it remembers a
//! *keyed hash* of the text (SipHash with a per-process random key, `std::hash::RandomState`),
//! never the text itself, plus a deadline. The app calls [`ClipboardGuard::tick`] from its event
//! loop with the current time and [`ClipboardGuard::on_quit`] before exiting; time is always
//! passed in, so tests need no sleeping.
//!
//! Clearing rules:
//! - Only clear when the clipboard still holds our secret (hash of `get()` matches). If the user
//!   copied something else meanwhile, leave it alone.
//! - If the backend cannot read back (`get()` is `None`: an OSC 52 terminal that does not answer
//!   the clipboard query in time) we cannot know, so we clear anyway: wiping a later copy of the
//!   user's is the lesser harm than leaving a secret behind.
//! - A sensitive copy that certainly reached no clipboard (tmux dropping OSC 52) schedules no
//!   clear: there is nothing of ours to clear.
//! - A non-sensitive copy through the guard (JSON record, id) replaces the clipboard contents, so
//!   once it *succeeded* our secret is no longer there and the pending clear is cancelled (this
//!   also stops a blind OSC 52 clear from wiping the record the user just copied). If it failed,
//!   the secret may still be there and the pending clear stays. If it happens to be the very same
//!   text as the secret, the clipboard still holds the secret, so the pending clear stays too.
//! - A failed sensitive copy leaves any earlier pending clear untouched.
//! - Copies the backend left elsewhere (tmux's paste buffers, [`Clipboard::forget_copies`]) are
//!   deleted when the clear comes due, and at once when another successful copy replaces a
//!   pending value: that value is no longer on the clipboard, but its buffer would stay.
//! - A failed clear is reported once ([`ClearOutcome::Failed`]) and not retried.
//!
//! Dropping the guard with a clear still pending (a panic unwinding past the app, an early
//! return) resolves it as [`ClipboardGuard::on_quit`] would: a secret never outlives the app on
//! the clipboard just because the normal exit path was skipped.

use super::{Clipboard, ClipboardError, Delivery};
use std::hash::{BuildHasher, RandomState};
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

/// How long a sensitive copy stays on the clipboard unless configured otherwise.
pub const DEFAULT_CLEAR_AFTER: Duration = Duration::from_secs(30);

/// What a successful copy did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CopyOutcome {
    /// Where the text went.
    pub delivery: Delivery,
    /// For a sensitive copy: when it will be cleared (`None`: not scheduled, as nothing of ours
    /// reached a clipboard, or the timeout is too long to count).
    pub clears_after: Option<Duration>,
}

/// What happened when a pending clear came due.
#[derive(Debug)]
pub enum ClearOutcome {
    /// The clipboard still held our secret and was cleared.
    Cleared,
    /// The backend could not read back (an OSC 52 terminal that did not answer), so it was
    /// cleared without checking.
    ClearedUnverified,
    /// Something else is on the clipboard now; it was left untouched.
    LeftAlone,
    /// Clearing was attempted and failed; the secret may still be on the clipboard.
    Failed(ClipboardError),
}

struct Pending {
    fingerprint: u64,
    /// `None` when `now + clear_after` overflows: then only `on_quit` clears.
    deadline: Option<Instant>,
}

/// Owns the clipboard backend and clears sensitive copies after a timeout.
pub struct ClipboardGuard {
    clipboard: Box<dyn Clipboard>,
    clear_after: Duration,
    key: RandomState,
    pending: Option<Pending>,
    buffers_deleted: usize,
}

impl ClipboardGuard {
    /// Guard `clipboard`, clearing sensitive copies after [`DEFAULT_CLEAR_AFTER`].
    pub fn new(clipboard: Box<dyn Clipboard>) -> Self {
        Self {
            clipboard,
            clear_after: DEFAULT_CLEAR_AFTER,
            key: RandomState::new(),
            pending: None,
            buffers_deleted: 0,
        }
    }

    /// Use a different timeout for sensitive copies made from now on.
    #[must_use]
    pub fn with_clear_after(mut self, clear_after: Duration) -> Self {
        self.clear_after = clear_after;
        self
    }

    /// The configured timeout.
    pub fn clear_after(&self) -> Duration {
        self.clear_after
    }

    /// The backend's name, for status lines.
    pub fn backend_name(&self) -> &'static str {
        self.clipboard.name()
    }

    /// When the pending clear is due, if one is pending (for "clears in 12s" hints).
    pub fn pending_deadline(&self) -> Option<Instant> {
        self.pending.as_ref().and_then(|p| p.deadline)
    }

    /// Whether a sensitive copy is waiting to be cleared.
    pub fn has_pending(&self) -> bool {
        self.pending.is_some()
    }

    fn fingerprint(&self, text: &str) -> u64 {
        self.key.hash_one(text)
    }

    /// Copy `text`. When `sensitive`, schedule a clear at `now + clear_after`.
    /// See the module docs for how non-sensitive copies interact with a pending clear.
    pub fn copy(
        &mut self,
        text: &str,
        sensitive: bool,
        now: Instant,
    ) -> Result<CopyOutcome, ClipboardError> {
        self.clipboard.set(text)?;
        let delivery = self.clipboard.delivery();
        let fingerprint = self.fingerprint(text);
        let mut clears_after = None;
        if !delivery.may_have_arrived() {
            // Nothing changed on any clipboard: a pending clear stays as it was.
        } else if sensitive {
            self.supersede(fingerprint);
            let deadline = now.checked_add(self.clear_after);
            clears_after = deadline.map(|_| self.clear_after);
            self.pending = Some(Pending {
                fingerprint,
                deadline,
            });
        } else {
            self.supersede(fingerprint);
        }
        Ok(CopyOutcome {
            delivery,
            clears_after,
        })
    }

    /// Call regularly (e.g. every event-loop iteration). Returns `Some` once, when a pending
    /// clear came due and was handled.
    pub fn tick(&mut self, now: Instant) -> Option<ClearOutcome> {
        let deadline = self.pending.as_ref()?.deadline?;
        if now < deadline {
            return None;
        }
        self.resolve_pending()
    }

    /// Call before exiting: handles a pending clear immediately, deadline or not.
    pub fn on_quit(&mut self) -> Option<ClearOutcome> {
        self.resolve_pending()
    }

    /// How many tmux paste buffers holding the value the last resolved clear deleted
    /// ([`Clipboard::forget_copies`]), whatever its [`ClearOutcome`]: a buffer is a copy of the
    /// value even when the clipboard itself moved on.
    pub fn buffers_deleted(&self) -> usize {
        self.buffers_deleted
    }

    /// `text` (of `fingerprint`) replaced the clipboard's contents: a pending value that differs
    /// is no longer there, so its clear is cancelled and the paste buffers holding it are deleted
    /// now (they would outlive it otherwise).
    fn supersede(&mut self, fingerprint: u64) {
        if let Some(old) = self.pending.take_if(|p| p.fingerprint != fingerprint) {
            self.buffers_deleted = self.forget(old.fingerprint);
        }
    }

    fn forget(&mut self, fingerprint: u64) -> usize {
        let key = &self.key;
        self.clipboard
            .forget_copies(&|text| key.hash_one(text) == fingerprint)
    }

    fn resolve_pending(&mut self) -> Option<ClearOutcome> {
        let pending = self.pending.take()?;
        let outcome = self.clear_if_ours(pending.fingerprint);
        self.buffers_deleted = self.forget(pending.fingerprint);
        Some(outcome)
    }

    fn clear_if_ours(&mut self, fingerprint: u64) -> ClearOutcome {
        // What we read back may be the secret itself: wipe it after hashing.
        let current = self.clipboard.get().map(Zeroizing::new);
        let verified = match current {
            Some(text) if self.fingerprint(text.as_str()) != fingerprint => {
                return ClearOutcome::LeftAlone;
            }
            Some(_) => true,
            None => false,
        };
        match self.clipboard.clear() {
            Ok(()) if verified => ClearOutcome::Cleared,
            Ok(()) => ClearOutcome::ClearedUnverified,
            Err(e) => ClearOutcome::Failed(e),
        }
    }
}

impl std::fmt::Debug for ClipboardGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClipboardGuard")
            .field("backend", &self.clipboard.name())
            .field("clear_after", &self.clear_after)
            .field("pending_deadline", &self.pending_deadline())
            .finish_non_exhaustive()
    }
}

impl Drop for ClipboardGuard {
    fn drop(&mut self) {
        let _ = self.resolve_pending();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clipboard::FakeClipboard;

    const SECRET: &str = "correct horse battery staple";

    fn guard() -> (FakeClipboard, ClipboardGuard) {
        let fake = FakeClipboard::new();
        let guard = ClipboardGuard::new(Box::new(fake.clone()));
        (fake, guard)
    }

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[test]
    fn clears_after_deadline_and_not_before() {
        let (fake, mut g) = guard();
        let t0 = Instant::now();
        assert!(g.copy(SECRET, true, t0).is_ok());
        assert_eq!(g.pending_deadline(), Some(t0 + DEFAULT_CLEAR_AFTER));
        assert!(g.tick(t0).is_none());
        assert!(g.tick(t0 + secs(29)).is_none());
        assert_eq!(fake.contents().as_deref(), Some(SECRET));
        assert!(matches!(g.tick(t0 + secs(30)), Some(ClearOutcome::Cleared)));
        assert_eq!(fake.contents(), None);
        assert_eq!(fake.clear_count(), 1);
        assert!(g.tick(t0 + secs(31)).is_none(), "only reported once");
    }

    #[test]
    fn configurable_timeout() {
        let fake = FakeClipboard::new();
        let mut g = ClipboardGuard::new(Box::new(fake.clone())).with_clear_after(secs(5));
        let t0 = Instant::now();
        assert!(g.copy(SECRET, true, t0).is_ok());
        assert!(g.tick(t0 + secs(4)).is_none());
        assert!(matches!(g.tick(t0 + secs(5)), Some(ClearOutcome::Cleared)));
    }

    #[test]
    fn leaves_other_content_alone() {
        let (fake, mut g) = guard();
        let t0 = Instant::now();
        assert!(g.copy(SECRET, true, t0).is_ok());
        fake.external_copy("something the user copied");
        assert!(matches!(
            g.tick(t0 + secs(60)),
            Some(ClearOutcome::LeftAlone)
        ));
        assert_eq!(
            fake.contents().as_deref(),
            Some("something the user copied")
        );
        assert_eq!(fake.clear_count(), 0);
    }

    #[test]
    fn write_only_backend_clears_blindly() {
        let (fake, mut g) = guard();
        fake.set_write_only(true);
        let t0 = Instant::now();
        assert!(g.copy(SECRET, true, t0).is_ok());
        fake.external_copy("unknowable");
        assert!(matches!(
            g.tick(t0 + secs(30)),
            Some(ClearOutcome::ClearedUnverified)
        ));
        assert_eq!(fake.contents(), None);
    }

    #[test]
    fn on_quit_clears_immediately() {
        let (fake, mut g) = guard();
        assert!(g.on_quit().is_none(), "nothing pending");
        let t0 = Instant::now();
        assert!(g.copy(SECRET, true, t0).is_ok());
        assert!(matches!(g.on_quit(), Some(ClearOutcome::Cleared)));
        assert_eq!(fake.contents(), None);
        assert!(g.on_quit().is_none());
    }

    #[test]
    fn dropping_the_guard_clears_a_pending_secret() {
        let (fake, mut g) = guard();
        assert!(g.copy(SECRET, true, Instant::now()).is_ok());
        drop(g);
        assert_eq!(fake.contents(), None);

        let (fake, mut g) = guard();
        assert!(g.copy("not secret", false, Instant::now()).is_ok());
        drop(g);
        assert_eq!(fake.contents().as_deref(), Some("not secret"));
    }

    #[test]
    fn on_quit_respects_foreign_content() {
        let (fake, mut g) = guard();
        assert!(g.copy(SECRET, true, Instant::now()).is_ok());
        fake.external_copy("mine");
        assert!(matches!(g.on_quit(), Some(ClearOutcome::LeftAlone)));
        assert_eq!(fake.contents().as_deref(), Some("mine"));
    }

    #[test]
    fn non_sensitive_copy_cancels_pending_clear() {
        let (fake, mut g) = guard();
        fake.set_write_only(true); // worst case: a blind clear would wipe the record
        let t0 = Instant::now();
        assert!(g.copy(SECRET, true, t0).is_ok());
        assert!(g.copy("{\"id\":1}", false, t0 + secs(1)).is_ok());
        assert!(!g.has_pending());
        assert!(g.tick(t0 + secs(60)).is_none());
        assert_eq!(fake.contents().as_deref(), Some("{\"id\":1}"));
    }

    #[test]
    fn non_sensitive_copy_alone_schedules_nothing() {
        let (fake, mut g) = guard();
        let t0 = Instant::now();
        assert!(g.copy("record-id", false, t0).is_ok());
        assert!(g.tick(t0 + secs(3600)).is_none());
        assert!(g.on_quit().is_none());
        assert_eq!(fake.contents().as_deref(), Some("record-id"));
    }

    #[test]
    fn failed_or_identical_non_sensitive_copy_keeps_pending_clear() {
        let (fake, mut g) = guard();
        let t0 = Instant::now();
        assert!(g.copy(SECRET, true, t0).is_ok());
        fake.set_failing(true);
        assert!(g.copy("{}", false, t0).is_err());
        fake.set_failing(false);
        assert!(g.copy(SECRET, false, t0).is_ok());
        assert!(matches!(g.tick(t0 + secs(30)), Some(ClearOutcome::Cleared)));
        assert_eq!(fake.contents(), None);
    }

    #[test]
    fn new_sensitive_copy_restarts_deadline() {
        let (fake, mut g) = guard();
        let t0 = Instant::now();
        assert!(g.copy("old secret", true, t0).is_ok());
        assert!(g.copy(SECRET, true, t0 + secs(20)).is_ok());
        assert!(g.tick(t0 + secs(30)).is_none());
        assert!(matches!(g.tick(t0 + secs(50)), Some(ClearOutcome::Cleared)));
        assert_eq!(
            fake.history(),
            vec!["old secret".to_owned(), SECRET.to_owned()]
        );
    }

    #[test]
    fn failed_clear_is_reported() {
        let (fake, mut g) = guard();
        let t0 = Instant::now();
        assert!(g.copy(SECRET, true, t0).is_ok());
        fake.set_failing(true);
        match g.tick(t0 + secs(30)) {
            Some(ClearOutcome::Failed(e)) => assert!(!e.to_string().contains(SECRET)),
            other => panic!("expected Failed, got {other:?}"),
        }
        assert!(!format!("{g:?}").contains(SECRET));
    }

    #[test]
    fn copies_report_where_they_went() {
        let (fake, mut g) = guard();
        let t0 = Instant::now();
        let Ok(outcome) = g.copy(SECRET, true, t0) else {
            panic!("copy failed")
        };
        assert_eq!(outcome.delivery, Delivery::Clipboard);
        assert_eq!(outcome.clears_after, Some(DEFAULT_CLEAR_AFTER));
        fake.set_delivery(Delivery::Terminal);
        assert_eq!(
            g.copy("id", false, t0).ok().map(|o| o.delivery),
            Some(Delivery::Terminal)
        );
    }

    #[test]
    fn a_copy_tmux_dropped_schedules_no_clear_and_cancels_none() {
        let (fake, mut g) = guard();
        let t0 = Instant::now();
        assert!(g.copy("earlier secret", true, t0).is_ok());
        fake.set_delivery(Delivery::Tmux(crate::clipboard::TmuxClipboard::Ignored(
            "external".into(),
        )));
        let Ok(outcome) = g.copy(SECRET, true, t0 + secs(10)) else {
            panic!("copy failed")
        };
        assert_eq!(outcome.clears_after, None);
        assert!(g.copy("{}", false, t0 + secs(11)).is_ok());
        // The earlier pending clear is still due at t0 + 30 s.
        assert_eq!(g.pending_deadline(), Some(t0 + DEFAULT_CLEAR_AFTER));
    }

    #[test]
    fn copies_kept_elsewhere_go_with_the_clear_or_when_the_value_is_replaced() {
        let (fake, mut g) = guard();
        fake.set_keeps_copies(true);
        let t0 = Instant::now();
        // Replaced by a record: the value's kept copy is deleted at once, the record's stays.
        assert!(g.copy(SECRET, true, t0).is_ok());
        assert!(g.copy("{\"id\":1}", false, t0 + secs(1)).is_ok());
        assert_eq!(fake.kept_copies(), ["{\"id\":1}"]);
        assert_eq!(g.buffers_deleted(), 1);
        // Replaced by another value, then cleared: both kept copies gone.
        assert!(g.copy("old secret", true, t0).is_ok());
        assert!(g.copy(SECRET, true, t0 + secs(1)).is_ok());
        assert_eq!(fake.kept_copies(), ["{\"id\":1}", SECRET]);
        fake.external_copy("the user's");
        assert!(matches!(
            g.tick(t0 + secs(31)),
            Some(ClearOutcome::LeftAlone)
        ));
        assert_eq!(
            g.buffers_deleted(),
            1,
            "deleted though the clipboard moved on"
        );
        assert_eq!(fake.kept_copies(), ["{\"id\":1}"]);
    }

    #[test]
    fn huge_timeout_does_not_panic() {
        let (fake, mut g) = guard();
        g = g.with_clear_after(Duration::MAX);
        let t0 = Instant::now();
        assert!(g.copy(SECRET, true, t0).is_ok());
        assert!(g.tick(t0 + secs(3600)).is_none());
        assert!(matches!(g.on_quit(), Some(ClearOutcome::Cleared)));
        assert_eq!(fake.contents(), None);
    }
}
