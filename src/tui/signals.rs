//! The quit signals (TERM, HUP, INT, QUIT): each sets a flag the terminal loop checks, so it
//! takes the normal quit path (the terminal restored, a copied value cleared). A second one
//! while the first is being handled ends the process at once (exit code 1).

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
use signal_hook::flag;

/// The signals that ask the app to quit.
pub const QUIT_SIGNALS: [i32; 4] = [SIGTERM, SIGHUP, SIGINT, SIGQUIT];

/// Whether a quit signal arrived.
#[derive(Debug, Clone)]
pub struct QuitSignals {
    raised: Arc<AtomicBool>,
}

impl QuitSignals {
    /// Catches [`QUIT_SIGNALS`] from now on, for the rest of the process.
    pub fn catch() -> io::Result<Self> {
        let raised = Arc::new(AtomicBool::new(false));
        for signal in QUIT_SIGNALS {
            // Registered first, so it sees the flag as it was before this signal set it.
            flag::register_conditional_shutdown(signal, 1, Arc::clone(&raised))?;
            flag::register(signal, Arc::clone(&raised))?;
        }
        Ok(Self { raised })
    }

    pub fn raised(&self) -> bool {
        self.raised.load(Ordering::SeqCst)
    }
}
