//! Push, pull and sync with CSMS remotes (issue 17): the plan per secret from both sides and the
//! sync state, and the work that carries it out. The local side is driven through `Execute`
//! (the vault or its agent), the remote through `remote::RemoteApi`.
//!
//! The entry points: [`plan`] (reads only) then [`run`] (writes, records the state as it goes).

mod decide;
mod local;
pub mod mac;
pub mod plan;
mod planner;
mod run;
pub mod status;
mod survey;
#[cfg(test)]
mod tests;
mod versions;

pub use decide::writes_to;
pub use planner::{BATCH, Plan, check_names, fatal, plan};
pub use run::{run, tag_diff};
