//! The clipboard keeper: the small detached process `csvault secret copy` leaves behind. It
//! takes the value over a socket (never argv or the environment), sets the clipboard through a
//! [`ClipboardGuard`], reports back over the same socket, then waits and clears the value only if
//! it is still ours (and deletes a tmux paste buffer holding it), and exits.
//!
//! It must be its own process: on X11 the clipboard's contents are served by the process that set
//! them and vanish when it ends, and the command that copied returns at once. Without a display it
//! writes OSC 52 to the terminal the parent opened (`/dev/tty`, handed over as its stdout), and
//! keeps that descriptor to write the clearing sequence.

use std::io::{Read, Write};
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

use super::{
    ArboardClipboard, Clipboard, ClipboardGuard, Delivery, Osc52Clipboard, TmuxClipboard,
    has_graphical_session,
};

/// The longest value taken: the API's 32 KB (a binary value as its base64) and change.
pub const MAX_VALUE_BYTES: u64 = 64 * 1024;

/// What the keeper tells the command that started it, as one JSON line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Report {
    /// `"clipboard"` (the system clipboard) or `"osc52"` (sent to the terminal); absent on error.
    pub via: Option<String>,
    /// When the value will be cleared; `None` when nothing is scheduled (tmux dropped it).
    pub clears_in_secs: Option<u64>,
    /// Inside tmux: its `set-clipboard` setting (`on`, `off`, `external`) or `unknown`.
    pub tmux: Option<String>,
    /// Why nothing was copied. Never holds the value.
    pub error: Option<String>,
}

impl Report {
    fn failed(error: impl Into<String>) -> Self {
        Self {
            via: None,
            clears_in_secs: None,
            tmux: None,
            error: Some(error.into()),
        }
    }
}

/// Runs the keeper: stdin is the socket, stdout the terminal (or nothing). Exit 0 once the value
/// was cleared or left alone, 1 when nothing could be copied.
pub fn run(clear_after: Duration) -> ExitCode {
    // A session of its own: the shell's Ctrl+C and a closed terminal's hangup do not reach it.
    let _ = rustix::process::setsid();
    let Ok(fd) = std::io::stdin().as_fd().try_clone_to_owned() else {
        return ExitCode::FAILURE;
    };
    let mut socket = UnixStream::from(fd);
    let value = match read_value(&mut socket) {
        Ok(v) => v,
        Err(why) => {
            send(&mut socket, &Report::failed(why));
            return ExitCode::FAILURE;
        }
    };
    let (clipboard, via) = match choose() {
        Ok(chosen) => chosen,
        Err(why) => {
            send(&mut socket, &Report::failed(why));
            return ExitCode::FAILURE;
        }
    };
    let mut guard = ClipboardGuard::new(clipboard).with_clear_after(clear_after);
    let copied = guard.copy(value.as_str(), true, Instant::now());
    drop(value);
    let report = match copied {
        Ok(outcome) => Report {
            via: Some(via.to_owned()),
            clears_in_secs: outcome.clears_after.map(|d| d.as_secs()),
            tmux: match outcome.delivery {
                Delivery::Tmux(TmuxClipboard::On) => Some("on".to_owned()),
                Delivery::Tmux(TmuxClipboard::Ignored(setting)) => Some(setting),
                Delivery::Tmux(TmuxClipboard::Unknown) => Some("unknown".to_owned()),
                Delivery::Clipboard | Delivery::Terminal => None,
            },
            error: None,
        },
        Err(e) => Report::failed(e.to_string()),
    };
    send(&mut socket, &report);
    drop(socket);
    if report.error.is_some() {
        return ExitCode::FAILURE;
    }
    wait_and_clear(&mut guard);
    ExitCode::SUCCESS
}

fn read_value(socket: &mut UnixStream) -> Result<Zeroizing<String>, String> {
    // Room for the longest value taken and one byte more, up front: a growing Vec would leave
    // unwiped copies of the value behind.
    let mut bytes = Zeroizing::new(Vec::with_capacity(
        usize::try_from(MAX_VALUE_BYTES + 1).unwrap_or(usize::MAX),
    ));
    socket
        .take(MAX_VALUE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read the value: {e}"))?;
    if bytes.len() as u64 > MAX_VALUE_BYTES {
        return Err(format!("the value is longer than {MAX_VALUE_BYTES} bytes"));
    }
    let text = std::str::from_utf8(&bytes).map_err(|_| "the value is not UTF-8 text")?;
    Ok(Zeroizing::new(text.to_owned()))
}

/// The system clipboard with a display, else OSC 52 on the terminal handed over as stdout.
fn choose() -> Result<(Box<dyn Clipboard>, &'static str), String> {
    if has_graphical_session()
        && let Ok(native) = ArboardClipboard::new()
    {
        return Ok((Box::new(native), "clipboard"));
    }
    if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        let tmux = std::env::var_os("TMUX").is_some_and(|v| !v.is_empty());
        let osc52 = Osc52Clipboard::new(std::io::stdout()).inside_tmux(tmux);
        return Ok((Box::new(osc52), "osc52"));
    }
    Err("no clipboard: no display (DISPLAY or WAYLAND_DISPLAY) and no terminal for OSC 52".into())
}

fn send(socket: &mut UnixStream, report: &Report) {
    if let Ok(mut line) = serde_json::to_vec(report) {
        line.push(b'\n');
        let _ = socket.write_all(&line);
    }
    let _ = socket.shutdown(std::net::Shutdown::Write);
}

/// Waits for the deadline (or SIGTERM, SIGINT, SIGHUP: then clears at once) and clears.
fn wait_and_clear(guard: &mut ClipboardGuard) {
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGHUP,
    ] {
        let _ = signal_hook::flag::register(signal, Arc::clone(&stop));
    }
    while guard.has_pending() && guard.pending_deadline().is_some() {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        if guard.tick(Instant::now()).is_some() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = guard.on_quit();
}
