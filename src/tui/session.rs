//! `Session`: the model plus what effects act on. Key events and pastes in, effects run, their
//! answers back through `update`, frames out; ticks for the clipboard, the idle lock and other
//! processes' commits; remote work (issue 17) started on worker threads, its answers taken at
//! each tick. The terminal loop and the tests drive the app through this type.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{KeyEvent, KeyEventKind};
use ratatui::buffer::Buffer;
use ratatui::layout::{Rect, Size};
use zeroize::Zeroizing;

use super::action::Effect;
use super::app::App;
use super::effects::{self, Backend, Env};
use super::keymap;
use super::msg::Msg;
use super::screens::unlock::{UnlockMode, UnlockState};
use super::sync::{RemoteWork, SyncPort, VaultPort};
use super::text::unlock as ut;
use super::update::{load_all, update};
use super::view;
use crate::agent::Client;
use crate::clipboard::{ClearOutcome, ClipboardGuard};
use crate::csms::ApiError;
use crate::vault::Vault;

/// How long the app stays unlocked without input (`CSVAULT_LOCK_AFTER_SECS` overrides it).
pub const DEFAULT_LOCK_AFTER: Duration = Duration::from_mins(10);
/// How often an open vault is asked to do what has come due (automatic rotations, the purge),
/// as `serve` does (docs/DECISIONS.md "automatic rotation"). Opening it did it once already.
pub const HOUSEKEEPING_EVERY: Duration = Duration::from_mins(1);

pub struct Session {
    pub app: App,
    env: Env,
    /// Effects asked for and not run yet, in order.
    pending: VecDeque<Effect>,
    /// The last key or paste (or the unlock): the idle lock counts from here.
    last_input: Option<Instant>,
    lock_after: Duration,
    /// When the open vault last did what had come due (its opening, at first).
    housekept: Option<Instant>,
    /// Remote work (issue 17) under way on worker threads, and its answers.
    remote: RemoteWork,
    /// The sync port remote work runs against; `None`: the vault's own ([`VaultPort`]).
    port: Option<Arc<dyn SyncPort>>,
    /// The vault's own port while the vault is open (its remotes' clients kept in it), closed
    /// when the app locks.
    vault_port: Option<Arc<VaultPort<Backend>>>,
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
            env: Env::new(path.to_owned(), clipboard),
            pending: VecDeque::new(),
            last_input: None,
            lock_after: DEFAULT_LOCK_AFTER,
            housekept: None,
            remote: RemoteWork::default(),
            port: None,
            vault_port: None,
        }
    }

    /// Locks after `after` without input instead of [`DEFAULT_LOCK_AFTER`].
    #[must_use]
    pub fn with_lock_after(mut self, after: Duration) -> Self {
        self.lock_after = after;
        self
    }

    /// A session on a vault the caller already unlocked: straight to the list (its first page;
    /// [`Self::finish_loading`] reads the rest).
    pub fn with_vault(vault: Vault, clipboard: ClipboardGuard) -> Self {
        let path = vault.path();
        let mut session = Self::new(&path, clipboard);
        let msg = effects::opened(&mut session.env, Ok(Backend::Local(vault)), false);
        session.send(msg);
        session.run_pending(Instant::now());
        session
    }

    /// A session through the agent holding the vault at `path`: straight to the list, no
    /// passphrase asked (issue 15). Locking the app locks the agent too.
    pub fn with_agent(path: &Path, client: Client, clipboard: ClipboardGuard) -> Self {
        let mut session = Self::new(path, clipboard);
        let msg = effects::opened(&mut session.env, Ok(Backend::Agent(client)), false);
        session.send(msg);
        session.last_input = Some(Instant::now());
        session.run_pending(Instant::now());
        session
    }

    /// Runs remote work (issue 17) against `port` instead of the vault's own remotes (tests).
    pub fn set_sync_port(&mut self, port: Arc<dyn SyncPort>) {
        self.port = Some(port);
    }

    /// The port a remote job runs against: the one set, else the open vault's, through a handle
    /// (or an agent connection) of its own, so the worker threads never share the UI's; made
    /// once per unlock, so its remotes' clients are kept from one job to the next.
    fn sync_port(&mut self) -> Result<Arc<dyn SyncPort>, ApiError> {
        if let Some(port) = &self.port {
            return Ok(Arc::clone(port));
        }
        if let Some(port) = &self.vault_port {
            return Ok(Arc::clone(port) as Arc<dyn SyncPort>);
        }
        let port = Arc::new(VaultPort::new(self.env.worker_backend()?));
        self.vault_port = Some(Arc::clone(&port));
        Ok(port)
    }

    /// With the vault locked: remote work stopped (nothing waiting starts, no answer is taken
    /// any more) and the vault's port closed (its vault handle and clients let go).
    fn stop_remote_if_locked(&mut self) {
        if self.env.vault.is_some() {
            return;
        }
        self.remote.stop();
        if let Some(port) = self.vault_port.take() {
            port.close();
        }
    }

    /// How many worker threads remote work started so far (tests: it stays bounded).
    pub fn remote_threads_started(&self) -> usize {
        self.remote.started()
    }

    /// Remote work's answers that came, through `update` (and what they ask for, run).
    fn take_remote_answers(&mut self, now: Instant) {
        self.stop_remote_if_locked();
        for answer in self.remote.take() {
            self.send(Msg::Remote(Box::new(answer)));
        }
        self.run_pending(now);
    }

    /// Waits until every remote job has answered (or `timeout` passed), applying each answer as
    /// it comes, and the jobs those answers start. Returns whether none is left under way. For
    /// tests: the terminal loop never waits, it takes answers at each tick.
    pub fn settle_remote(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while self.remote.under_way() > 0 {
            self.stop_remote_if_locked();
            let Some(answers) = self.remote.wait(deadline) else {
                return false;
            };
            for answer in answers {
                self.send(Msg::Remote(Box::new(answer)));
            }
            self.run_pending(Instant::now());
        }
        true
    }

    /// Applies a message through `update`; an effect it asks for waits for [`Self::run_pending`].
    pub fn send(&mut self, msg: impl Into<Msg>) {
        self.app.now_ms = self
            .env
            .vault
            .as_ref()
            .map_or_else(crate::timefmt::system_now_ms, Backend::now_ms);
        if let Some(effect) = update(&mut self.app, msg) {
            self.pending.push_back(effect);
        }
    }

    /// Says that something slow is about to run (the terminal loop draws this before
    /// [`Self::start_with`]).
    pub fn announce_start(&mut self) {
        self.send(Msg::Busy(ut::UNLOCKING));
    }

    /// Unlocks (or creates) the vault with a passphrase given up front, skipping the screen.
    /// A passphrase that does not unlock leaves the unlock screen up with a note.
    pub fn start_with(&mut self, passphrase: Zeroizing<String>, now: Instant) {
        self.last_input = Some(now);
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

    /// Turns a key event at `now` into an action and applies it. Returns whether an effect is
    /// waiting for [`Self::run_pending`] (the terminal loop draws a busy note first if it is slow).
    pub fn handle_key(&mut self, ev: KeyEvent, now: Instant) -> bool {
        if ev.kind == KeyEventKind::Release {
            return false;
        }
        self.last_input = Some(now);
        let Some(action) = keymap::dispatch(self.app.context(), &ev) else {
            return false;
        };
        self.send(action);
        !self.pending.is_empty()
    }

    /// Performs the effects the last input asked for, in order, and applies their answers (and
    /// so on, should an answer ask for more).
    pub fn run_pending(&mut self, now: Instant) {
        while let Some(effect) = self.pending.pop_front() {
            if let Effect::Each(effects) = effect {
                for effect in effects.into_iter().rev() {
                    self.pending.push_front(effect);
                }
            } else if let Effect::Remote(job) = effect {
                // Locked: no remote job starts.
                if self.is_unlocked() {
                    let port = self.sync_port();
                    self.remote.start(job, port);
                }
            } else if let Some(msg) = effects::perform(&mut self.env, effect, now) {
                self.stop_remote_if_locked();
                self.send(msg);
            }
        }
        self.stop_remote_if_locked();
    }

    /// Text pasted at `now` (bracketed paste), for the focused field. Returns whether an effect
    /// is waiting, like [`Self::handle_key`].
    pub fn handle_paste(&mut self, text: Zeroizing<String>, now: Instant) -> bool {
        self.last_input = Some(now);
        self.send(Msg::Paste(text));
        !self.pending.is_empty()
    }

    /// A key press, start to finish (the rest of the list included, after an unlock).
    pub fn key(&mut self, ev: KeyEvent, now: Instant) {
        self.handle_key(ev, now);
        self.run_pending(now);
        self.finish_loading();
    }

    /// A paste, start to finish.
    pub fn paste(&mut self, text: &str, now: Instant) {
        self.handle_paste(Zeroizing::new(text.to_owned()), now);
        self.run_pending(now);
    }

    /// Loads the rest of the secrets after the first frame was drawn from the first page.
    pub fn finish_loading(&mut self) {
        if let Some(effect) = load_all(&mut self.app) {
            self.pending.push_back(effect);
            self.run_pending(Instant::now());
        }
    }

    /// Time passes: the clipboard guard clears a sensitive copy that came due; an open vault is
    /// locked after [`Self::with_lock_after`] without input, or re-read when another process
    /// committed to it, and every [`HOUSEKEEPING_EVERY`] does what has come due.
    pub fn tick(&mut self, now: Instant) {
        self.take_remote_answers(now);
        if let Some(outcome) = self.env.clipboard.tick(now) {
            let buffers_deleted = self.env.clipboard.buffers_deleted();
            self.send(Msg::Notice(effects::clear_notice(outcome, buffers_deleted)));
        }
        if self.env.vault.is_none() {
            self.housekept = None;
            return;
        }
        let since = *self.last_input.get_or_insert(now);
        if now.saturating_duration_since(since) >= self.lock_after {
            self.send(Msg::IdleTimeout);
        } else {
            if self.env.vault_changed() {
                self.send(Msg::VaultChanged);
            } else if self.env.agent_gone() {
                let locked = effects::agent_went_away(&mut self.env);
                self.send(locked);
            }
            let housekept = *self.housekept.get_or_insert(now);
            if now.saturating_duration_since(housekept) >= HOUSEKEEPING_EVERY {
                self.housekept = Some(now);
                self.send(Msg::HousekeepingDue);
            }
        }
        self.run_pending(now);
    }

    /// The next slice of the list filter's unfinished scan (issue 15): the terminal loop runs one
    /// before each frame while no input is waiting.
    pub fn work(&mut self) {
        self.app
            .catalog
            .work(Instant::now() + super::catalog::SCAN_SLICE);
    }

    /// Whether the list filter has a scan to finish: the app then ticks without waiting.
    pub fn busy(&self) -> bool {
        self.app.catalog.matching().is_some()
    }

    /// The terminal's size changed: page and scroll by what fits.
    pub fn resize(&mut self, width: u16, height: u16) {
        self.send(Msg::Resize(Size::new(width, height)));
    }

    /// Whether a vault is open (its keys in memory).
    pub fn is_unlocked(&self) -> bool {
        self.env.vault.is_some()
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
