//! The program `csvault run` starts: its environment, its output (masked or inherited), the
//! signals forwarded to it, and its exit status as csvault's.

use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH};
use signal_hook::iterator::SignalsInfo;
use signal_hook::iterator::exfiltrator::WithOrigin;
use std::ffi::{OsStr, OsString};
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, ExitCode, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;
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

/// How long the output pumps still run once the program has ended: what it left in its pipes
/// comes out, but a process it started in the background that keeps the pipes open does not
/// hold csvault (what that process writes later is lost).
const DRAIN_GRACE: Duration = Duration::from_millis(200);

/// Starts the program and waits for it. Its exit status becomes csvault's: its code, or 128+N
/// when signal N ended it. The signals in [`FORWARDED`] that another process sends to csvault
/// are sent on to it; those the terminal sends (Ctrl+C, Ctrl+\\, a resize) are not: they reach
/// it from the terminal already (it shares csvault's process group), and a second Ctrl+C would
/// be a force-quit to many programs.
/// Errors: `VAULT.0007` when it cannot be started (exit 127 when it is not found, 126 when it
/// cannot be run) or waited for.
pub fn run(launch: Launch) -> Result<ExitCode, (ApiError, u8)> {
    let io_error = |e: io::Error| (ApiError::new(ErrorCode::Io, e.to_string()), 1);
    let Some((program, args)) = launch.command.split_first() else {
        return Err((ApiError::new(ErrorCode::Usage, "No command to run."), 2));
    };
    // Registered before the program starts: a signal in between waits for it instead of ending
    // csvault and leaving the program behind.
    let mut signals = SignalsInfo::<WithOrigin>::new(FORWARDED).map_err(io_error)?;
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
        for origin in signals.forever() {
            // A process sent it (`kill`: SI_USER, with the sender's pid). The terminal's
            // signals come from the kernel (SI_KERNEL, no process) to the whole foreground
            // process group, the program included.
            if origin.process.is_none() {
                continue;
            }
            if let Some(signal) = rustix::process::Signal::from_named_raw(origin.signal) {
                let _ = rustix::process::kill_process(pid, signal);
            }
        }
    });
    // Each pump says when its stream has ended (the sender dropped with the thread).
    let (pumped, pumps_done) = mpsc::channel::<()>();
    let mut pumps = 0;
    if let Some(values) = launch.masked {
        if let Some(out) = child.stdout.take() {
            let values = values.clone();
            let done = pumped.clone();
            pumps += 1;
            thread::spawn(move || {
                masking::pump(out, io::stdout(), &values);
                drop(done);
            });
        }
        if let Some(err) = child.stderr.take() {
            let done = pumped.clone();
            pumps += 1;
            thread::spawn(move || {
                masking::pump(err, io::stderr(), &values);
                drop(done);
            });
        }
    }
    drop(pumped);
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
    restore_default_signals();
    let status = child.wait();
    // Output the program left in its pipes comes out before csvault ends, within a grace: a
    // process it left running may hold the pipes open long after (its later output is lost).
    if pumps > 0 {
        // Nothing is sent: it ends when every pump has ended, or with the grace.
        let _ = pumps_done.recv_timeout(DRAIN_GRACE);
    }
    waited.map_err(|e| io_error(e.into()))?;
    Ok(exit_code(status.map_err(io_error)?))
}

/// Once the forwarding has stopped, the signals in [`FORWARDED`] do again what they do by
/// default (the closed forwarder's handlers would otherwise swallow them): Ctrl+C ends csvault
/// while it still drains the program's output.
fn restore_default_signals() {
    for signal in FORWARDED {
        let _ = signal_hook::flag::register_conditional_default(
            signal,
            Arc::new(AtomicBool::new(true)),
        );
    }
}

/// The program's status as an exit code: its code, or 128+N when signal N ended it.
fn exit_code(status: ExitStatus) -> ExitCode {
    let code = status
        .code()
        .or_else(|| status.signal().map(|n| 128 + n))
        .unwrap_or(1);
    ExitCode::from(u8::try_from(code & 0xff).unwrap_or(1))
}
