//! The library core, in-process and without the binary: the key hierarchy, the Create Secret rules,
//! property tests, and what the vault file on disk holds. (The vault's operations are tested beside
//! their code, in `src/vault/tests/`.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod crypto;
mod properties;
mod raw_file;
mod support;
mod validation;
