//! `Session`: the model plus what effects act on. Key events in, effects run, their answers back
//! through `update`, frames out; the terminal loop and the tests drive the app through this type.

use std::path::Path;
use std::time::Instant;

use crossterm::event::{KeyEvent, KeyEventKind};
use ratatui::buffer::Buffer;
use ratatui::layout::{Rect, Size};
use zeroize::Zeroizing;

use super::action::Effect;
use super::app::{App, Loaded, Status, Tone};
use super::effects::{self, Env};
use super::keymap;
use super::msg::Msg;
use super::screens::unlock::{UnlockMode, UnlockState};
use super::text::{status as st, unlock as ut};
use super::update::update;
use super::view;
use crate::clipboard::{ClearOutcome, ClipboardGuard};
use crate::vault::Vault;

pub struct Session {
    pub app: App,
    env: Env,
    pending: Option<Effect>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("app", &self.app)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// A session on the vault at `path`: the unlock screen, or the create screen if there is none.
    pub fn new(path: &Path, clipboard: ClipboardGuard) -> Self {
        let mode = if Vault::exists(path) {
            UnlockMode::Unlock
        } else {
            UnlockMode::Create
        };
        Self {
            app: App::new(path.display().to_string(), UnlockState::new(mode)),
            env: Env {
                path: path.to_owned(),
                vault: None,
                clipboard,
            },
            pending: None,
        }
    }

    /// A session on a vault the caller already unlocked: straight to the list (its first page;
    /// [`Self::finish_loading`] reads the rest).
    pub fn with_vault(vault: Vault, clipboard: ClipboardGuard) -> Self {
        let path = vault.path();
        let mut session = Self::new(&path, clipboard);
        let msg = effects::opened(&mut session.env, Ok(vault), false);
        session.send(msg);
        session
    }

    /// Applies a message through `update`; an effect it asks for waits for [`Self::run_pending`].
    pub fn send(&mut self, msg: impl Into<Msg>) {
        self.pending = update(&mut self.app, msg);
    }

    /// Says that something slow is about to run (the terminal loop draws this before
    /// [`Self::start_with`]).
    pub fn announce_start(&mut self) {
        self.send(Msg::Busy(ut::UNLOCKING));
    }

    /// Unlocks (or creates) the vault with a passphrase given up front, skipping the screen.
    /// A passphrase that does not unlock leaves the unlock screen up with a note.
    pub fn start_with(&mut self, passphrase: Zeroizing<String>, now: Instant) {
        let effect = if Vault::exists(&self.env.path) {
            Effect::Unlock(passphrase)
        } else {
            Effect::CreateVault(passphrase)
        };
        let mut msg = effects::perform(&mut self.env, effect, now);
        if let Some(Msg::OpenFailed { from_env, .. }) = &mut msg {
            *from_env = true;
        }
        if let Some(msg) = msg {
            self.send(msg);
        }
        self.run_pending(now);
    }

    /// Turns a key event into an action and applies it. Returns whether an effect is waiting
    /// for [`Self::run_pending`] (the terminal loop draws a frame in between).
    pub fn handle_key(&mut self, ev: KeyEvent) -> bool {
        if ev.kind == KeyEventKind::Release {
            return false;
        }
        let Some(action) = keymap::dispatch(self.app.context(), &ev) else {
            return false;
        };
        self.send(action);
        self.pending.is_some()
    }

    /// Performs the effect the last input asked for, if any, and applies its answer (and so on,
    /// should the answer ask for another).
    pub fn run_pending(&mut self, now: Instant) {
        while let Some(effect) = self.pending.take() {
            if let Some(msg) = effects::perform(&mut self.env, effect, now) {
                self.send(msg);
            }
        }
    }

    /// A key press, start to finish (the rest of the list included, after an unlock).
    pub fn key(&mut self, ev: KeyEvent, now: Instant) {
        self.handle_key(ev);
        self.run_pending(now);
        self.finish_loading();
    }

    /// Loads the rest of the secrets after the first frame was drawn from the first page.
    pub fn finish_loading(&mut self) {
        if self.app.loaded == Loaded::FirstPage {
            self.pending = Some(Effect::LoadAll);
            self.run_pending(Instant::now());
        }
    }

    /// Lets the clipboard guard clear a sensitive copy that came due.
    pub fn tick(&mut self, now: Instant) {
        if let Some(outcome) = self.env.clipboard.tick(now) {
            self.send(Msg::Notice(clear_notice(outcome)));
        }
    }

    /// The terminal's size changed: page and scroll by what fits.
    pub fn resize(&mut self, width: u16, height: u16) {
        self.send(Msg::Resize(Size::new(width, height)));
    }

    pub fn should_quit(&self) -> bool {
        self.app.quit
    }

    /// Clears a pending sensitive copy: call before exiting.
    pub fn shutdown(&mut self) -> Option<ClearOutcome> {
        self.env.clipboard.on_quit()
    }

    /// Draws the current frame.
    pub fn render(&self, area: Rect, buf: &mut Buffer) {
        view::render(&self.app, area, buf);
    }
}

fn clear_notice(outcome: ClearOutcome) -> Status {
    let (text, tone) = match outcome {
        ClearOutcome::Cleared => (st::CLEARED.to_owned(), Tone::Info),
        ClearOutcome::ClearedUnverified => (st::CLEARED_BLIND.to_owned(), Tone::Info),
        ClearOutcome::LeftAlone => (st::LEFT_ALONE.to_owned(), Tone::Info),
        ClearOutcome::Failed(e) => (format!("{}: {e}", st::CLEAR_FAILED), Tone::Error),
    };
    Status { text, tone }
}
