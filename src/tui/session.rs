//! `Session`: the model plus what effects act on. Key events in, effects run, frames out; the
//! terminal loop and the tests drive the app through this one type.

use std::path::Path;
use std::time::Instant;

use crossterm::event::{KeyEvent, KeyEventKind};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use zeroize::Zeroizing;

use super::action::Effect;
use super::app::App;
use super::effects::{self, Env};
use super::keymap;
use super::screens::list::CHROME_ROWS;
use super::screens::unlock::{UnlockMode, UnlockState};
use super::text::{status as st, unlock as ut};
use super::update::update;
use super::view;
use crate::clipboard::{ClearOutcome, ClipboardGuard};
use crate::vault::Vault;

/// Rows of the screen that are not the body: header, status line, footer.
const FRAME_ROWS: usize = 3;

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
        let path = vault.path().to_owned();
        let mut session = Self::new(&path, clipboard);
        effects::unlocked(&mut session.app, &mut session.env, Ok(vault));
        session
    }

    /// Unlocks (or creates) the vault with a passphrase given up front, skipping the screen.
    /// A passphrase that does not unlock leaves the unlock screen up with a note.
    pub fn start_with(&mut self, passphrase: Zeroizing<String>, now: Instant) {
        let effect = if Vault::exists(&self.env.path) {
            Effect::Unlock(passphrase)
        } else {
            Effect::CreateVault(passphrase)
        };
        effects::perform(&mut self.app, &mut self.env, effect, now);
        if let super::app::Screen::Unlock(state) = &mut self.app.screen
            && state.error.as_deref() == Some(ut::WRONG)
        {
            state.error = Some(ut::ENV_WRONG.to_owned());
        }
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
        if !matches!(action, super::action::Action::Input(_)) {
            self.app.status = None;
        }
        self.pending = update(&mut self.app, action);
        if matches!(
            self.pending,
            Some(Effect::Unlock(_) | Effect::CreateVault(_))
        ) {
            self.app.busy = Some(ut::UNLOCKING);
        }
        self.pending.is_some()
    }

    /// Performs the effect the last key asked for, if any.
    pub fn run_pending(&mut self, now: Instant) {
        if let Some(effect) = self.pending.take() {
            effects::perform(&mut self.app, &mut self.env, effect, now);
        }
        self.app.busy = None;
    }

    /// A key press, start to finish (the rest of the list included, after an unlock).
    pub fn key(&mut self, ev: KeyEvent, now: Instant) {
        self.handle_key(ev);
        self.run_pending(now);
        self.finish_loading();
    }

    /// Loads the rest of the secrets after the first frame was drawn from the first page.
    pub fn finish_loading(&mut self) {
        if self.app.loaded == super::app::Loaded::FirstPage {
            let selected = self.app.catalog.selected_row().map(|r| r.name.to_string());
            effects::load_all(&mut self.app, &self.env);
            if let Some(name) = selected {
                self.app.catalog.select_name(&name);
            }
        }
    }

    /// Lets the clipboard guard clear a sensitive copy that came due.
    pub fn tick(&mut self, now: Instant) {
        if let Some(outcome) = self.env.clipboard.tick(now) {
            self.report_clear(outcome);
        }
    }

    fn report_clear(&mut self, outcome: ClearOutcome) {
        match outcome {
            ClearOutcome::Cleared => self.app.info(st::CLEARED),
            ClearOutcome::ClearedUnverified => self.app.info(st::CLEARED_BLIND),
            ClearOutcome::LeftAlone => self.app.info(st::LEFT_ALONE),
            ClearOutcome::Failed(e) => self.app.error(format!("{}: {e}", st::CLEAR_FAILED)),
        }
    }

    /// The terminal's size changed: page by what fits.
    pub fn resize(&mut self, height: u16) {
        self.app.page_rows = usize::from(height)
            .saturating_sub(FRAME_ROWS + CHROME_ROWS - 1)
            .max(1);
        self.app.catalog.settle(self.app.page_rows);
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
