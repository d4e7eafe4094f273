//! The terminal loop: raw mode and the alternate screen (restored on quit, error and panic),
//! events in, frames out, clipboard ticks.

use std::io;
use std::path::Path;
use std::time::{Duration, Instant};

use crossterm::event::{self, Event};
use ratatui::DefaultTerminal;
use zeroize::Zeroizing;

use super::session::Session;
use crate::clipboard::{ClipboardGuard, DEFAULT_CLEAR_AFTER, system_clipboard};

/// How long a copied value stays on the clipboard: `CSVAULT_CLIPBOARD_CLEAR_SECS`, default 30.
pub const CLEAR_AFTER_ENV: &str = "CSVAULT_CLIPBOARD_CLEAR_SECS";

/// How often the loop wakes without input, to clear the clipboard on time.
const TICK: Duration = Duration::from_millis(250);

fn clear_after() -> Duration {
    std::env::var(CLEAR_AFTER_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(DEFAULT_CLEAR_AFTER, Duration::from_secs)
}

/// Runs the terminal app on the vault at `path`. With `passphrase` given, the unlock screen is
/// skipped (and a missing vault is created with it).
pub fn run(path: &Path, passphrase: Option<Zeroizing<String>>) -> io::Result<()> {
    let guard = ClipboardGuard::new(system_clipboard()).with_clear_after(clear_after());
    let mut session = Session::new(path, guard);
    let mut terminal = match ratatui::try_init() {
        Ok(terminal) => terminal,
        Err(e) => {
            // Raw mode or the alternate screen may be half set up: undo whatever was done.
            ratatui::restore();
            return Err(e);
        }
    };
    let result = event_loop(&mut terminal, &mut session, passphrase);
    // Clear a copied value before the terminal (and an OSC 52 clipboard) goes away.
    let _ = session.shutdown();
    ratatui::restore();
    result
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
) -> io::Result<()> {
    let size = terminal.size()?;
    session.resize(size.width, size.height);
    if let Some(pass) = passphrase {
        session.announce_start();
        draw(terminal, session)?;
        session.start_with(pass, Instant::now());
    }
    loop {
        draw(terminal, session)?;
        // Right after the first frame of an unlocked vault: the rest of the list.
        if session.app.loaded == super::app::Loaded::FirstPage {
            session.finish_loading();
            continue;
        }
        if session.should_quit() {
            return Ok(());
        }
        if event::poll(TICK)? {
            match event::read()? {
                Event::Key(key) if session.handle_key(key) => {
                    draw(terminal, session)?;
                    session.run_pending(Instant::now());
                }
                Event::Resize(width, height) => session.resize(width, height),
                _ => {}
            }
        }
        session.tick(Instant::now());
    }
}
