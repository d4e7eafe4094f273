//! Push, pull and sync with CSMS remotes (issue 17): the plan per secret from both sides and the
//! sync state, and the work that carries it out. The local side is driven through `Execute`
//! (the vault or its agent), the remote through `remote::RemoteApi`.

pub mod mac;
pub mod plan;
pub mod status;
