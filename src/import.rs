//! Moving in (issue 16): other tools' exports read into one source-neutral shape,
//! [`SourceEntry`], which the import pipeline turns into secrets. Each format has a reader of
//! its own; every reader streams (an entry at a time, never the whole file held at once where
//! the format allows) and reports a broken entry as an [`EntryError`] without stopping.

pub mod bitwarden;
pub mod dotenv;
pub mod entry;
mod json_scan;
pub mod keepass;
pub mod keepass_csv;
pub mod naming;
pub mod onepassword;
mod onepassword_csv;
pub mod pass;
pub mod pipeline;
pub mod plan;
pub mod source;
pub mod wiped_read;

pub use entry::{Attachment, EntryError, EntryField, SourceEntry, SourceItem};
pub use source::{Format, SourceOptions};
