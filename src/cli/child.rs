//! The program `csvault run` starts: its environment, its output (masked or inherited), the
//! signals forwarded to it, and its exit status as csvault's.

use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH};
use signal_hook::iterator::Signals;
use std::ffi::{OsStr, OsString};
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, ExitCode, ExitStatus, Stdio};
use std::thread;
use zeroize::Zeroizing;

use super::masking;
use crate::csms::{ApiError, ErrorCode};

/// The signals csvault passes on to the program.
pub const FORWARDED: [i32; 7] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH];

/// What the program is started with.
pub struct Launch {
    /// The program and its arguments.
    pub command: Vec<OsString>,
    /// Variables set on top of csvault's environment (later ones win).
    pub vars: Vec<(String, Zeroizing<Vec<u8>>)>,
    /// Variables of csvault's environment the program never sees.
    pub removed: &'static [&'static str],
    /// The values masked in its output; `None`: it inherits csvault's stdout and stderr.
    pub masked: Option<Vec<Zeroizing<Vec<u8>>>>,
}

/// Starts the program and waits for it. Its exit status becomes csvault's: its code, or 128+N
/// when signal N ended it. The signals in [`FORWARDED`] that csvault receives are sent on to it
/// (in a terminal, Ctrl+C reaches it from the terminal too: it shares csvault's process group).
/// Errors: `VAULT.0007` when it cannot be started (exit 127 when it is not found, 126 when it
/// cannot be run) or waited for.
pub fn run(launch: Launch) -> Result<ExitCode, (ApiError, u8)> {
    let io_error = |e: io::Error| (ApiError::new(ErrorCode::Io, e.to_string()), 1);
    let Some((program, args)) = launch.command.split_first() else {
        return Err((ApiError::new(ErrorCode::Usage, "No command to run."), 2));
    };
    // Registered before the program starts: a signal in between waits for it instead of ending
    // csvault and leaving the program behind.
    let mut signals = Signals::new(FORWARDED).map_err(io_error)?;
    let handle = signals.handle();
    let mut command = Command::new(program);
    command.args(args);
    for name in launch.removed {
        command.env_remove(name);
    }
    for (name, value) in &launch.vars {
        command.env(name, OsStr::from_bytes(value));
    }
    if launch.masked.is_some() {
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
    }
    let spawned = command.spawn();
    // The values leave csvault's memory here (std keeps its own copy in `command` until this
    // drop, which it does not wipe).
    drop(command);
    drop(launch.vars);
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) => {
            handle.close();
            let code = if e.kind() == io::ErrorKind::NotFound {
                127
            } else {
                126
            };
            return Err((
                ApiError::new(
                    ErrorCode::Io,
                    format!("Cannot start {}: {e}.", program.to_string_lossy()),
                ),
                code,
            ));
        }
    };
    let pid = rustix::process::Pid::from_child(&child);
    let forwarder = thread::spawn(move || {
        for signal in signals.forever() {
            if let Some(signal) = rustix::process::Signal::from_named_raw(signal) {
                let _ = rustix::process::kill_process(pid, signal);
            }
        }
    });
    let mut pumps = Vec::new();
    if let Some(values) = launch.masked {
        if let Some(out) = child.stdout.take() {
            let values = values.clone();
            pumps.push(thread::spawn(move || {
                masking::pump(out, io::stdout(), &values);
            }));
        }
        if let Some(err) = child.stderr.take() {
            pumps.push(thread::spawn(move || {
                masking::pump(err, io::stderr(), &values);
            }));
        }
    }
    // Until the program has ended, but not yet reaped: its pid cannot be reused while a signal
    // may still be forwarded to it.
    let waited = loop {
        match rustix::process::waitid(
            rustix::process::WaitId::Pid(pid),
            rustix::process::WaitIdOptions::EXITED | rustix::process::WaitIdOptions::NOWAIT,
        ) {
            Err(rustix::io::Errno::INTR) => {}
            other => break other,
        }
    };
    handle.close();
    let _ = forwarder.join();
    let status = child.wait();
    // Output the program left in its pipes comes out before csvault ends.
    for pump in pumps {
        let _ = pump.join();
    }
    waited.map_err(|e| io_error(e.into()))?;
    Ok(exit_code(status.map_err(io_error)?))
}

/// The program's status as an exit code: its code, or 128+N when signal N ended it.
fn exit_code(status: ExitStatus) -> ExitCode {
    let code = status
        .code()
        .or_else(|| status.signal().map(|n| 128 + n))
        .unwrap_or(1);
    ExitCode::from(u8::try_from(code & 0xff).unwrap_or(1))
}
