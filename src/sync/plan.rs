//! The plan of a push, pull or sync: one item per secret saying what will be done and why. This
//! file's types are the seam the command line and the terminal app show; the planning itself
//! lives beside them.

use crate::csms::ApiError;

/// What a conflict's reason and a summary with conflicts left say to do.
pub const PICK_A_SIDE: &str = "--prefer local or --prefer remote picks a side";

/// Which way writes may go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Local → remote only.
    Push,
    /// Remote → local only.
    Pull,
    /// Both ways.
    Sync,
}

/// A side of a sync.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Local,
    Remote,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Local => "local",
            Self::Remote => "remote",
        }
    }
}

/// `--dry-run`, `--all-versions`, `--prefer`, `--propagate-deletes`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    pub all_versions: bool,
    /// Which side wins a conflict; `None`: a conflict is reported and left alone.
    pub prefer: Option<Side>,
    pub propagate_deletes: bool,
}

/// What will happen to one secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// The secret is created on `to` (with every version under `--all-versions`).
    Create { to: Side },
    /// `to` gets the other side's current value as a new version (or the missing versions),
    /// and its description and tags.
    NewVersion { to: Side },
    /// Only the description or tags differ; `to` takes the other side's.
    UpdateMetadata { to: Side },
    /// Nothing to do (the sync state may still be recorded).
    UpToDate,
    /// Changed on both sides since the last sync; left alone.
    Conflict,
    /// Left alone, for the reason given.
    Skipped,
    /// Gone on `on` since the last sync: reported, not propagated.
    Deleted { on: Side },
    /// Gone on the other side: scheduled for deletion on `on` (`--propagate-deletes`).
    Delete { on: Side },
}

impl Action {
    /// The word the JSON Lines output carries in `"action"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Create { .. } => "create",
            Self::NewVersion { .. } => "new_version",
            Self::UpdateMetadata { .. } => "update_metadata",
            Self::UpToDate => "up_to_date",
            Self::Conflict => "conflict",
            Self::Skipped => "skipped",
            Self::Deleted { .. } => "deleted",
            Self::Delete { .. } => "delete",
        }
    }
}

/// One secret's line of the plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanItem {
    pub name: String,
    pub action: Action,
    /// Why (always for `Conflict`, `Skipped`, `Deleted`; a conflict resolved by `--prefer` says so).
    pub reason: Option<String>,
}

/// One secret's outcome once the plan ran.
#[derive(Debug)]
pub struct Outcome {
    pub item: PlanItem,
    /// `None`: done (or nothing to do).
    pub error: Option<ApiError>,
}

/// What a run did: each item's outcome, in the plan's order, up to where it stopped (every item
/// when it ran to its end), and the error that stopped it, if one did (the remote unusable:
/// unreachable, wrong AK/SK, clock skew; or the sync state not saved). The work of the outcomes
/// given is done and recorded; the items after them were not started.
#[derive(Debug)]
pub struct RunReport {
    pub outcomes: Vec<Outcome>,
    pub stopped: Option<ApiError>,
}
