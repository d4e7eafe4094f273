//! The terminal app: `update` driven by key events on a temporary vault with a fake clipboard and
//! a test clock, whole screens drawn into a `TestBackend` and compared with the insta snapshots in
//! `tests/snapshots/`, and the real binary without a terminal and in tmux.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod byhand;
mod checks;
mod detail;
mod detail_snapshots;
mod e2e;
mod events;
mod events_snapshots;
mod forms;
mod forms_snapshots;
mod live;
mod nav;
mod no_terminal;
mod paging;
mod render;
mod rotation;
mod snapshots;
mod support;
mod sync;
mod tags;
mod text;
mod update;
