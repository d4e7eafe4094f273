//! csvault: the Huawei Cloud CSMS secrets service on one machine, in one SQLite file.
//!
//! Layers, each knowing only those below: `app` (the process shell) → `tui`/`cli` (edges) →
//! `vault` (the service) → `kms` + `store` → `csms` (the contract). `agent` holds an unlocked
//! vault in a process of its own and runs the edges' operations there (issue 15).

pub mod agent;
pub mod app;
pub mod cli;
pub mod clipboard;
pub mod csms;
pub(crate) mod hidden;
pub mod http;
pub mod import;
pub(crate) mod input;
pub mod kms;
pub mod remote;
pub mod runtime_dir;
pub(crate) mod store;
pub mod sync;
pub mod timefmt;
pub mod tui;
pub mod vault;
pub(crate) mod wiped;
