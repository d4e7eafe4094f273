//! In-memory clipboard for tests ([`FakeClipboard`]): records copies, can fail on demand.
//!
//! Clones share state (`Arc<Mutex<..>>`), so a test keeps one handle and gives another
//! (boxed) to the app, then inspects what the app copied.

use super::{Clipboard, ClipboardError, Delivery};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

#[derive(Default)]
struct State {
    contents: Option<String>,
    history: Vec<String>,
    clears: usize,
    failing: bool,
    write_only: bool,
    delivery: Delivery,
    keeps_copies: bool,
    kept: Vec<String>,
}

/// Shared-handle in-memory clipboard.
#[derive(Clone, Default)]
pub struct FakeClipboard {
    state: Arc<Mutex<State>>,
}

impl FakeClipboard {
    /// An empty, working, readable fake.
    pub fn new() -> Self {
        Self::default()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic in another test thread must not hide what was copied.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// What is on the clipboard now (`None` if never set or cleared).
    pub fn contents(&self) -> Option<String> {
        self.state().contents.clone()
    }

    /// Every text successfully set through [`Clipboard::set`], oldest first.
    pub fn history(&self) -> Vec<String> {
        self.state().history.clone()
    }

    /// How many times [`Clipboard::clear`] succeeded.
    pub fn clear_count(&self) -> usize {
        self.state().clears
    }

    /// Make `set` and `clear` fail with [`ClipboardError::Simulated`] (and leave contents alone).
    pub fn set_failing(&self, failing: bool) {
        self.state().failing = failing;
    }

    /// Make `get` return `None`, like the write-only OSC 52 backend.
    pub fn set_write_only(&self, write_only: bool) {
        self.state().write_only = write_only;
    }

    /// What copies report as their [`Delivery`] (default: the system clipboard), to stand in
    /// for the OSC 52 backend, inside tmux or not.
    pub fn set_delivery(&self, delivery: Delivery) {
        self.state().delivery = delivery;
    }

    /// Keep a copy of every text set elsewhere, as tmux keeps paste buffers
    /// ([`Clipboard::forget_copies`] deletes them).
    pub fn set_keeps_copies(&self, keeps: bool) {
        self.state().keeps_copies = keeps;
    }

    /// The copies kept elsewhere ([`Self::set_keeps_copies`]), oldest first.
    pub fn kept_copies(&self) -> Vec<String> {
        self.state().kept.clone()
    }

    /// Simulate the user copying `text` in another program (not recorded in [`Self::history`]).
    pub fn external_copy(&self, text: &str) {
        self.state().contents = Some(text.to_owned());
    }
}

impl std::fmt::Debug for FakeClipboard {
    /// Redacted: contents may be secrets.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.state();
        f.debug_struct("FakeClipboard")
            .field("copies", &s.history.len())
            .field("clears", &s.clears)
            .field("failing", &s.failing)
            .finish_non_exhaustive()
    }
}

impl Clipboard for FakeClipboard {
    fn set(&mut self, text: &str) -> Result<(), ClipboardError> {
        let mut s = self.state();
        if s.failing {
            return Err(ClipboardError::Simulated);
        }
        s.contents = Some(text.to_owned());
        s.history.push(text.to_owned());
        if s.keeps_copies {
            s.kept.push(text.to_owned());
        }
        Ok(())
    }

    fn get(&mut self) -> Option<String> {
        let s = self.state();
        if s.write_only {
            return None;
        }
        Some(s.contents.clone().unwrap_or_default())
    }

    fn clear(&mut self) -> Result<(), ClipboardError> {
        let mut s = self.state();
        if s.failing {
            return Err(ClipboardError::Simulated);
        }
        s.contents = None;
        s.clears += 1;
        Ok(())
    }

    fn name(&self) -> &'static str {
        "fake"
    }

    fn delivery(&mut self) -> Delivery {
        self.state().delivery.clone()
    }

    fn forget_copies(&mut self, is_ours: &dyn Fn(&str) -> bool) -> usize {
        let mut s = self.state();
        let before = s.kept.len();
        s.kept.retain(|t| !is_ours(t));
        before - s.kept.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_copies_through_a_boxed_clone() {
        let handle = FakeClipboard::new();
        let mut boxed: Box<dyn Clipboard> = Box::new(handle.clone());
        assert!(boxed.set("first").is_ok());
        assert!(boxed.set("second").is_ok());
        assert_eq!(handle.contents().as_deref(), Some("second"));
        assert_eq!(
            handle.history(),
            vec!["first".to_owned(), "second".to_owned()]
        );
        assert_eq!(boxed.get().as_deref(), Some("second"));
        assert!(boxed.clear().is_ok());
        assert_eq!(handle.contents(), None);
        assert_eq!(handle.clear_count(), 1);
        assert_eq!(boxed.get().as_deref(), Some(""));
    }

    #[test]
    fn failing_fake_errors_and_keeps_contents() {
        let handle = FakeClipboard::new();
        let mut cb = handle.clone();
        assert!(cb.set("kept").is_ok());
        handle.set_failing(true);
        assert!(matches!(cb.set("lost"), Err(ClipboardError::Simulated)));
        assert!(matches!(cb.clear(), Err(ClipboardError::Simulated)));
        assert_eq!(handle.contents().as_deref(), Some("kept"));
        assert_eq!(handle.history().len(), 1);
    }

    #[test]
    fn write_only_mode_and_debug_redacts() {
        let handle = FakeClipboard::new();
        let mut cb = handle.clone();
        assert!(cb.set("s3cret").is_ok());
        handle.set_write_only(true);
        assert_eq!(cb.get(), None);
        assert!(!format!("{handle:?}").contains("s3cret"));
    }
}
