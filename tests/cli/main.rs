//! The real `csvault` binary, run as a process: each command's output and errors, the vault file it
//! makes and what it refuses to touch, and `csvault serve` over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod agent;
mod byhand;
mod checks;
mod events;
mod hardening;
mod hostile_files;
mod import;
mod import_from;
mod keys;
mod lifecycle;
mod remotes;
mod rotation;
mod run;
mod secret_record;
mod secrets;
mod serve_auth;
mod serve_cloud;
mod serve_limits;
mod serve_process;
mod serve_routes;
mod support;
mod tables;
mod tags;
mod vault;
