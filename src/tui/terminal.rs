//! The terminal loop: raw mode, the alternate screen and bracketed paste (restored on quit,
//! error, panic and the quit signals); every pending event handled before the next frame is
//! drawn; ticks for the clipboard, the idle lock and other processes' commits.

use std::io::{self, IsTerminal};
use std::path::Path;
use std::time::{Duration, Instant};

use crossterm::event::{self, DisableBracketedPaste, EnableBracketedPaste, Event};
use crossterm::execute;
use ratatui::DefaultTerminal;
use zeroize::Zeroizing;

use super::session::{DEFAULT_LOCK_AFTER, Session};
use super::signals::QuitSignals;
use crate::clipboard::{ClipboardGuard, DEFAULT_CLEAR_AFTER, system_clipboard};

/// How long a copied value stays on the clipboard: `CSVAULT_CLIPBOARD_CLEAR_SECS`, default 30.
pub const CLEAR_AFTER_ENV: &str = "CSVAULT_CLIPBOARD_CLEAR_SECS";

/// How long the app stays unlocked without input: `CSVAULT_LOCK_AFTER_SECS`, default 600.
pub const LOCK_AFTER_ENV: &str = "CSVAULT_LOCK_AFTER_SECS";

/// How often the loop wakes without input: to clear the clipboard on time, lock when idle,
/// notice other processes' commits and quit on a signal.
const TICK: Duration = Duration::from_millis(250);

/// Seconds from the environment variable `name`, if it holds a positive whole number.
fn secs_from_env(name: &str) -> Option<Duration> {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|&secs| secs > 0)
        .map(Duration::from_secs)
}

/// Whether the app can run here: it reads keys from stdin and draws on stdout, so both must be
/// a terminal. Checked before anything is written, so a redirected stdout receives nothing.
pub fn has_terminal() -> bool {
    io::stdin().is_terminal() && io::stdout().is_terminal()
}

/// Runs the terminal app on the vault at `path`. With `passphrase` given, the unlock screen is
/// skipped (and a missing vault is created with it); with `held` (the agent holding the vault),
/// the app opens unlocked through it. What the app has to say once the terminal is restored (why
/// it gave up) is returned, for stderr.
pub fn run(
    path: &Path,
    passphrase: Option<Zeroizing<String>>,
    held: Option<crate::agent::Client>,
) -> io::Result<Option<String>> {
    let signals = QuitSignals::catch()?;
    let clear_after = secs_from_env(CLEAR_AFTER_ENV).unwrap_or(DEFAULT_CLEAR_AFTER);
    let guard = ClipboardGuard::new(system_clipboard()).with_clear_after(clear_after);
    let lock_after = secs_from_env(LOCK_AFTER_ENV).unwrap_or(DEFAULT_LOCK_AFTER);
    let session = match held {
        Some(client) => Session::with_agent(path, client, guard),
        None => Session::new(path, guard),
    };
    let mut session = session.with_lock_after(lock_after);
    let mut terminal = match start() {
        Ok(terminal) => terminal,
        Err(e) => {
            // Raw mode or the alternate screen may be half set up: undo whatever was done.
            restore();
            return Err(e);
        }
    };
    let result = event_loop(&mut terminal, &mut session, passphrase, &signals);
    // Clear a copied value before the terminal (and an OSC 52 clipboard) goes away.
    let _ = session.shutdown();
    restore();
    result.map(|()| session.app.exit_note.take())
}

/// Raw mode, the alternate screen (and ratatui's panic hook, which restores both), bracketed
/// paste (turned off again by a panic hook of ours, which then calls ratatui's).
fn start() -> io::Result<DefaultTerminal> {
    let terminal = ratatui::try_init()?;
    let restore_then = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(io::stdout(), DisableBracketedPaste);
        restore_then(info);
    }));
    execute!(io::stdout(), EnableBracketedPaste)?;
    Ok(terminal)
}

fn restore() {
    let _ = execute!(io::stdout(), DisableBracketedPaste);
    ratatui::restore();
}

fn draw(terminal: &mut DefaultTerminal, session: &Session) -> io::Result<()> {
    terminal.draw(|frame| {
        let area = frame.area();
        session.render(area, frame.buffer_mut());
    })?;
    Ok(())
}

fn event_loop(
    terminal: &mut DefaultTerminal,
    session: &mut Session,
    passphrase: Option<Zeroizing<String>>,
    signals: &QuitSignals,
) -> io::Result<()> {
    let size = terminal.size()?;
    session.resize(size.width, size.height);
    if let Some(pass) = passphrase {
        session.announce_start();
        draw(terminal, session)?;
        session.start_with(pass, Instant::now());
    }
    let done = |session: &Session| session.should_quit() || signals.raised();
    loop {
        draw(terminal, session)?;
        // Right after the first frame of an unlocked vault: the rest of the list.
        if session.app.loaded == super::app::Loaded::FirstPage {
            session.finish_loading();
            continue;
        }
        if done(session) {
            return Ok(());
        }
        // Wait for an event (or the tick), then take every event already waiting before the
        // next frame: a burst or a paste is handled whole, never left for the next key.
        let mut wait = if session.busy() { Duration::ZERO } else { TICK };
        let mut input = false;
        while event::poll(wait)? {
            wait = Duration::ZERO;
            input = true;
            handle(terminal, session, event::read()?)?;
            if done(session) {
                break;
            }
        }
        // A keystroke scanned its own slice; with no input, the filter's scan goes on.
        if !input {
            session.work();
        }
        session.tick(Instant::now());
    }
}

fn handle(terminal: &mut DefaultTerminal, session: &mut Session, event: Event) -> io::Result<()> {
    let now = Instant::now();
    let pending = match event {
        Event::Key(key) => session.handle_key(key, now),
        Event::Paste(text) => session.handle_paste(Zeroizing::new(text), now),
        Event::Resize(width, height) => {
            session.resize(width, height);
            false
        }
        _ => false,
    };
    if pending {
        // Something slow (an unlock) says so on screen before it runs.
        if session.app.busy.is_some() {
            draw(terminal, session)?;
        }
        session.run_pending(now);
    }
    Ok(())
}
