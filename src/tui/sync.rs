//! The terminal app's part of sync with CSMS remotes (issue 17): everything the app needs from
//! outside the app goes through one small trait, [`SyncPort`] (the vault's remotes, a secret's
//! standing with each, a plan and its run), so the screens are tested with a fake and the
//! network never runs on the UI thread ([`work`] runs the port's calls on worker threads and
//! sends their answers back as messages).

pub mod port;
pub mod work;

pub use port::{Engine, SyncPort, VaultPort};
pub use work::{RemoteAnswer, RemoteJob, RemoteWork};
