//! csvault: the Huawei Cloud CSMS secrets service on one machine, in one SQLite file.
//!
//! Layers, each knowing only those below: `tui`/`cli` → `vault` → `kms` + `store` → `csms`.

pub mod cli;
pub mod clipboard;
pub mod csms;
pub mod kms;
pub mod store;
pub mod tui;
pub mod vault;
