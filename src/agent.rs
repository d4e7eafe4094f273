//! The agent (issue 15): one process per user and vault holding the unlocked keys, so commands
//! run without asking for the passphrase again. It listens on a Unix socket in the private
//! runtime directory, answers only its own uid, runs issue 10's `Request`s itself (keys never
//! leave it) and locks when idle or at its maximum lifetime (docs/DECISIONS.md "Issue 15: the
//! agent").

mod client;
mod server;
mod socket;
pub mod wire;

pub use client::{Client, Probe, find, find_quietly, locate, probe, probe_at};
pub use server::{
    DEFAULT_IDLE_SECS, DEFAULT_MAX_SECS, IDLE_ENV, IDLE_SECS, Limits, MAX_ENV, MAX_SECS, now_ms,
    run,
};
pub use socket::{own_uid, peer_allowed, peer_uid, socket_path};
pub use wire::{AgentInfo, Started};
