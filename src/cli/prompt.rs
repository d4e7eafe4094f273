//! A secret value typed by hand: asked hidden on the terminal, twice, three tries.

use signal_hook::SigId;
use std::ffi::c_int;
use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use zeroize::Zeroizing;

use crate::csms::ApiError;

/// How many times the value may be typed twice before giving up.
pub const TRIES: usize = 3;

/// Whether a value can be asked for: stdin is a terminal.
pub fn can_ask() -> bool {
    std::io::stdin().is_terminal()
}

/// Asks for the value hidden (no echo, on the terminal), then again; a mismatch asks again, at
/// most [`TRIES`] times. Errors: `CSMS.0002` for an empty value or [`TRIES`] mismatches,
/// `VAULT.0007` when the terminal cannot be read (e.g. Ctrl+D).
///
/// Ctrl+C at the prompt: rpassword raises SIGINT, which would end the process before it puts
/// the terminal's echo back. A flag is registered for it instead, for the prompt only
/// ([`SignalFlags`]), so rpassword returns, restores the terminal, and the command ends with
/// `VAULT.0007`, nothing created; Ctrl+C after the prompt (the KDF, the create) ends it as usual.
pub fn value_twice() -> Result<Zeroizing<String>, ApiError> {
    let signals = SignalFlags::new(&[signal_hook::consts::SIGINT]);
    let interrupted = signals.flag();
    value_twice_with(&mut |label| {
        rpassword::prompt_password(label)
            .map(Zeroizing::new)
            .map_err(|e| {
                let why = if interrupted.load(Ordering::Relaxed) {
                    "Interrupted".to_owned()
                } else {
                    format!("Cannot read the value from the terminal: {e}")
                };
                ApiError::new(
                    crate::csms::ErrorCode::Io,
                    format!("{why}; nothing was created."),
                )
            })
    })
}

/// Asks once for a key typed hidden (no echo, on the terminal): a remote's SK (issue 17).
/// Ctrl+C at the prompt ends it with `VAULT.0007` and `interrupted`, as [`value_twice`] does;
/// `VAULT.0007` too when the terminal cannot be read.
pub fn hidden_once(label: &str, interrupted: &str) -> Result<Zeroizing<String>, ApiError> {
    let signals = SignalFlags::new(&[signal_hook::consts::SIGINT]);
    let flag = signals.flag();
    rpassword::prompt_password(label)
        .map(Zeroizing::new)
        .map_err(|e| {
            let why = if flag.load(Ordering::Relaxed) {
                interrupted.to_owned()
            } else {
                format!("Cannot read from the terminal: {e}.")
            };
            ApiError::new(crate::csms::ErrorCode::Io, why)
        })
}

/// A flag set by some signals for as long as this lives (a prompt, an editor): they only note
/// it meanwhile. Dropped, the flags are unregistered and the signals' default action comes back
/// (emulated: signal-hook cannot restore the default disposition), so an interrupt after the
/// prompt or the editor ends the command as it would have without them.
pub struct SignalFlags {
    flag: Arc<AtomicBool>,
    ids: Vec<(c_int, SigId)>,
}

impl SignalFlags {
    /// Registers the flag for `signals` (one that cannot be registered is left as it was).
    pub fn new(signals: &[c_int]) -> Self {
        let flag = Arc::new(AtomicBool::new(false));
        let ids = signals
            .iter()
            .filter_map(|&signal| {
                signal_hook::flag::register(signal, Arc::clone(&flag))
                    .ok()
                    .map(|id| (signal, id))
            })
            .collect();
        Self { flag, ids }
    }

    /// The flag, set once any of the signals came.
    pub fn flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.flag)
    }
}

impl Drop for SignalFlags {
    fn drop(&mut self) {
        for (signal, id) in self.ids.drain(..) {
            if signal_hook::low_level::unregister(id) {
                let always = Arc::new(AtomicBool::new(true));
                let _ = signal_hook::flag::register_conditional_default(signal, always);
            }
        }
    }
}

/// [`value_twice`] with `ask` standing in for the terminal.
fn value_twice_with(
    ask: &mut dyn FnMut(&str) -> Result<Zeroizing<String>, ApiError>,
) -> Result<Zeroizing<String>, ApiError> {
    for attempt in 1..=TRIES {
        let first = ask("Secret value (hidden): ")?;
        if first.is_empty() {
            return Err(ApiError::invalid(
                "Invalid secret_string: the value is empty; nothing was created.",
            ));
        }
        let again = ask("Repeat the value: ")?;
        if *first == *again {
            return Ok(first);
        }
        if attempt < TRIES {
            eprintln!("The two values differ; try again.");
        }
    }
    Err(ApiError::invalid(format!(
        "The two values differed {TRIES} times; nothing was created."
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(list: &[&str]) -> impl FnMut(&str) -> Result<Zeroizing<String>, ApiError> {
        let mut list: Vec<String> = list.iter().rev().map(|&s| s.to_owned()).collect();
        move |_| Ok(Zeroizing::new(list.pop().unwrap_or_default()))
    }

    #[test]
    fn a_mismatch_asks_again_and_a_match_is_taken() {
        let mut ask = answers(&["one", "two", "s3cret", "s3cret"]);
        let got = value_twice_with(&mut ask).map(|v| v.to_string());
        assert_eq!(got.ok().as_deref(), Some("s3cret"));
    }

    #[test]
    fn three_mismatches_or_an_empty_value_give_up() {
        let mut ask = answers(&["a", "b", "c", "d", "e", "f", "g", "g"]);
        let err = value_twice_with(&mut ask).err().map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("3 times")));
        let mut ask = answers(&["", ""]);
        let err = value_twice_with(&mut ask).err().map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("empty")), "refused");
    }

    #[test]
    fn the_signal_flags_are_set_only_while_they_live() {
        // SIGURG: its default action is to ignore it, so the test process lives on.
        let signal = signal_hook::consts::SIGURG;
        let signals = SignalFlags::new(&[signal]);
        let flag = signals.flag();
        assert!(signal_hook::low_level::raise(signal).is_ok());
        assert!(flag.load(Ordering::SeqCst), "noted while registered");
        drop(signals);
        flag.store(false, Ordering::SeqCst);
        assert!(signal_hook::low_level::raise(signal).is_ok());
        assert!(!flag.load(Ordering::SeqCst), "unregistered once dropped");
    }
}
