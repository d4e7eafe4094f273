//! The decision table: one secret's plan item from both sides' metadata, the sync state and,
//! where a current version moved, the current values' MACs. Pure: no side is read or written.
//!
//! The rules. A side holds a secret unless it is absent or pending deletion. A side "changed"
//! its value if its current version id differs from the record's and its value's MAC differs
//! from the record's; its metadata if its description-and-tags MAC differs. Per aspect (value,
//! metadata): changed on one side flows to the other; changed on both to the same thing is in
//! step (recorded: also how a re-run after a crash finds its work done); changed on both
//! differently is a conflict, as is a value flowing one way while the metadata flows the other.
//! Never synced and on both sides: equal value and metadata is in step (recorded), anything else
//! a conflict. `--prefer S` settles a conflict by writing S's value (a new version) or only its
//! metadata to the other side. The mode limits where writes go (push: remote only; pull: local
//! only) and a write the mode cannot make is `skipped` with the command that would make it. A
//! write from a source that is disabled (or frozen) is `skipped` with its state. A secret in step
//! once and gone on one side is `deleted` (reported) unless `--propagate-deletes` and the mode
//! writes the other side (then `delete` there: scheduled, recoverable); gone on both, its record
//! is dropped. A secret on one side only and pending deletion on the other is `skipped`.
//! A record whose version on one side is [`PENDING`] was saved before a create there: if that
//! side has no such secret the create never landed (no record); if it holds the value being
//! created, whatever metadata differs flows from the other side (its tags are finished), never a
//! conflict; if it holds another value, the secret is someone else's: as never synced.

use crate::csms::{ApiError, ErrorCode, LocalSecret, PENDING, SecretState, SyncRecord};
use crate::remote::RemoteSecret;

use super::mac::MacKey;
use super::plan::{Action, Mode, Options, PICK_A_SIDE, PlanItem, Side};

/// What the planner knows of one secret.
pub(super) struct Facts<'a> {
    pub name: &'a str,
    pub local: Option<&'a LocalSecret>,
    pub remote: Option<&'a RemoteSecret>,
    pub record: Option<&'a SyncRecord>,
    /// The local current value's MAC, when [`value_reads`] asked for it and it was read.
    pub local_mac: Option<&'a str>,
    /// The remote current value's MAC, likewise.
    pub remote_mac: Option<&'a str>,
}

/// What the planner decided for one secret.
#[derive(Debug)]
pub(super) struct Decision {
    pub item: PlanItem,
    /// Found in step now (unchanged, or both sides moved to the same thing): recorded as is.
    pub settle: Option<SyncRecord>,
    /// Gone on both sides: the record is dropped.
    pub forget: bool,
    /// The value both sides share where only metadata moves (`UpdateMetadata`'s record).
    pub value_mac: Option<String>,
    /// The item cannot be carried out: it fails with this error (never written).
    pub error: Option<ApiError>,
}

/// Whether `rec` was saved before a create on one side, still unconfirmed ([`PENDING`]).
pub(super) fn is_pending(rec: &SyncRecord) -> bool {
    rec.remote_version == PENDING || rec.local_version == PENDING
}

/// Whether `rec` is about the secrets the sides hold now: each side's recorded secret id is the
/// id of its secret by that name (a side without one, or whose create is under way, says nothing
/// against it). A secret deleted and created again restarts its version ids, so a record of
/// another id would take the new secret's `v1` for the old one's: such a record is not trusted
/// (as never synced), nor are its version links.
pub(super) fn same_secrets(
    rec: &SyncRecord,
    local: Option<&LocalSecret>,
    remote: Option<&RemoteSecret>,
) -> bool {
    let fits = |version: &str, recorded: &str, id: Option<&str>| {
        version == PENDING || id.is_none_or(|id| id == recorded)
    };
    fits(
        &rec.local_version,
        &rec.local_id,
        local.map(|l| l.id.as_str()),
    ) && fits(
        &rec.remote_version,
        &rec.remote_id,
        remote.map(|r| r.id.as_str()),
    )
}

/// A side still holding the secret: present and not pending deletion.
fn live<T>(secret: Option<&T>, state: impl Fn(&T) -> SecretState) -> Option<&T> {
    secret.filter(|s| state(s) != SecretState::PendingDelete)
}

/// Which current values the plan must read (local, remote): both when the secret was never
/// synced and is on both sides; else each side whose current version moved since the record. A
/// secret unchanged on both sides needs no value.
pub(super) fn value_reads(
    local: Option<&LocalSecret>,
    remote: Option<&RemoteSecret>,
    record: Option<&SyncRecord>,
) -> (bool, bool) {
    // A create under way: its fate is told by the value of whichever side still holds the
    // secret, even when the other no longer does.
    if record.is_some_and(is_pending) {
        let readable = |version: Option<&str>| version.is_some();
        return (
            readable(live(local, |s| s.state).and_then(|l| l.current_version.as_deref())),
            readable(live(remote, |s| s.state).and_then(|r| r.current_version.as_deref())),
        );
    }
    let (Some(l), Some(r)) = (live(local, |s| s.state), live(remote, |s| s.state)) else {
        return (false, false);
    };
    let (Some(lv), Some(rv)) = (l.current_version.as_deref(), r.current_version.as_deref()) else {
        return (false, false);
    };
    match record {
        None => (true, true),
        Some(rec) => (lv != rec.local_version, rv != rec.remote_version),
    }
}

/// Whether `mode` writes to `side`.
pub fn writes_to(mode: Mode, side: Side) -> bool {
    matches!(
        (mode, side),
        (Mode::Sync, _) | (Mode::Push, Side::Remote) | (Mode::Pull, Side::Local)
    )
}

fn other(side: Side) -> Side {
    match side {
        Side::Local => Side::Remote,
        Side::Remote => Side::Local,
    }
}

/// Which way one aspect (value or metadata) moves.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Flow {
    Still,
    To(Side),
    Clash,
}

/// Where the value and the metadata flow, from the current MACs (local, remote) and the record.
fn flows(
    record: Option<&SyncRecord>,
    (l_mac, r_mac): (&str, &str),
    (l_meta, r_meta): (&str, &str),
) -> (Flow, Flow) {
    let same_value = l_mac == r_mac;
    let same_meta = l_meta == r_meta;
    match record {
        None if same_value && same_meta => (Flow::Still, Flow::Still),
        None => (Flow::Clash, Flow::Clash),
        // A create under way toward one side that landed (`decide` keeps only those): the
        // other side's value and metadata finish it.
        Some(rec) if is_pending(rec) => {
            let to = if rec.remote_version == PENDING {
                Side::Remote
            } else {
                Side::Local
            };
            let finish = |same| if same { Flow::Still } else { Flow::To(to) };
            (finish(same_value), finish(same_meta))
        }
        Some(rec) => (
            flow(l_mac != rec.value_mac, r_mac != rec.value_mac, same_value),
            flow(l_meta != rec.meta_mac, r_meta != rec.meta_mac, same_meta),
        ),
    }
}

fn flow(local_moved: bool, remote_moved: bool, same_now: bool) -> Flow {
    match (local_moved, remote_moved) {
        (false, false) => Flow::Still,
        (true, false) => Flow::To(Side::Remote),
        (false, true) => Flow::To(Side::Local),
        (true, true) if same_now => Flow::Still,
        (true, true) => Flow::Clash,
    }
}

/// The plan item of one secret, under `mode` and `options`.
pub(super) fn decide(key: &MacKey, facts: &Facts<'_>, mode: Mode, options: Options) -> Decision {
    let local = live(facts.local, |s| s.state);
    let remote = live(facts.remote, |s| s.state);
    // A create that never landed leaves a pending record and no secret there, or someone else's
    // secret by that name (another value): as never synced.
    let had_record = facts.record.is_some();
    let record = facts.record.filter(|rec| {
        // Landed only when that side's value was read and is the one being created.
        let landed = |there: bool, mac: Option<&str>| there && mac == Some(rec.value_mac.as_str());
        if rec.remote_version == PENDING {
            landed(facts.remote.is_some(), facts.remote_mac)
        } else if rec.local_version == PENDING {
            landed(facts.local.is_some(), facts.local_mac)
        } else {
            true
        }
    });
    let facts = &Facts { record, ..*facts };
    let mut d = Decision {
        item: PlanItem {
            name: facts.name.to_owned(),
            action: Action::UpToDate,
            reason: None,
        },
        settle: None,
        forget: false,
        value_mac: None,
        error: None,
    };
    let skip = |d: &mut Decision, why: &str| {
        d.item.action = Action::Skipped;
        d.item.reason = Some(why.to_owned());
    };
    match (local, remote, facts.record) {
        (None, None, record) => {
            // A record (even of a create that never landed) and nothing on either side: dropped.
            if record.is_some() || had_record {
                d.forget = true;
                d.item.reason = Some("deleted on both sides".to_owned());
            } else if facts.local.is_none() && facts.remote.is_none() {
                skip(&mut d, "no such secret on either side");
                d.error = Some(ApiError::new(
                    ErrorCode::SecretNotFound,
                    format!("No secret named {} here or on the remote.", facts.name),
                ));
            } else if facts.local.is_some() {
                skip(&mut d, "pending deletion locally");
            } else {
                skip(&mut d, "pending deletion on the remote");
            }
        }
        (Some(l), None, None) => {
            if facts.remote.is_some() {
                skip(&mut d, "pending deletion on the remote");
            } else {
                write(&mut d, mode, Side::Remote, l.state, None, true);
            }
        }
        (None, Some(r), None) => {
            if facts.local.is_some() {
                skip(&mut d, "pending deletion locally");
            } else {
                write(&mut d, mode, Side::Local, r.state, None, true);
            }
        }
        (None, Some(_), Some(_)) => gone(&mut d, mode, options, Side::Local),
        (Some(_), None, Some(_)) => gone(&mut d, mode, options, Side::Remote),
        (Some(l), Some(r), record) => both(key, facts, &mut d, (l, r, record), mode, options),
    }
    d
}

/// Gone on `on` since the last sync: reported, or deleted on the other side.
fn gone(d: &mut Decision, mode: Mode, options: Options, on: Side) {
    let target = other(on);
    if options.propagate_deletes && writes_to(mode, target) {
        d.item.action = Action::Delete { on: target };
        d.item.reason = Some(match on {
            Side::Local => "deleted locally since the last sync".to_owned(),
            Side::Remote => "deleted on the remote since the last sync".to_owned(),
        });
    } else {
        d.item.action = Action::Deleted { on };
        d.item.reason = Some(match on {
            Side::Local => "deleted locally since the last sync; not propagated".to_owned(),
            Side::Remote => "deleted on the remote since the last sync; not propagated".to_owned(),
        });
    }
}

/// A write to `to` from the other side (whose state is `source_state`): a create, a new
/// version (`value` moves), or metadata only. Limited by the mode, and skipped from a source
/// that is not enabled.
fn write(
    d: &mut Decision,
    mode: Mode,
    to: Side,
    source_state: SecretState,
    why: Option<String>,
    create: bool,
) {
    let value = d.value_mac.is_none();
    // A source that is not enabled says so whatever the mode.
    if source_state != SecretState::Enabled {
        let state = source_state.as_str().to_lowercase();
        d.item.action = Action::Skipped;
        d.item.reason = Some(match to {
            Side::Remote => format!("{state} locally"),
            Side::Local => format!("{state} on the remote"),
        });
        return;
    }
    if !writes_to(mode, to) {
        d.item.action = Action::Skipped;
        d.item.reason = Some(
            match (to, create) {
                (Side::Remote, true) => "only local; push it",
                (Side::Local, true) => "only on the remote; pull it",
                (Side::Remote, false) => "local changes; push them",
                (Side::Local, false) => "remote changes; pull them",
            }
            .to_owned(),
        );
        return;
    }
    d.item.action = if create {
        Action::Create { to }
    } else if value {
        Action::NewVersion { to }
    } else {
        Action::UpdateMetadata { to }
    };
    d.item.reason = why;
}

/// Live on both sides.
fn both(
    key: &MacKey,
    facts: &Facts<'_>,
    d: &mut Decision,
    (l, r, record): (&LocalSecret, &RemoteSecret, Option<&SyncRecord>),
    mode: Mode,
    options: Options,
) {
    let (Some(lv), Some(rv)) = (l.current_version.as_deref(), r.current_version.as_deref()) else {
        d.item.action = Action::Skipped;
        d.item.reason = Some("no current version on one side".to_owned());
        return;
    };
    let l_meta = key.meta(&l.description, &l.tags);
    let r_meta = key.meta(&r.description, &r.tags);
    // Each side's current value's MAC: the record's where its version did not move.
    let known = |version: &str, recorded: Option<&str>, read: Option<&str>| match recorded {
        Some(v) if v == version => record.map(|rec| rec.value_mac.clone()),
        _ => read.map(str::to_owned),
    };
    let l_mac = known(
        lv,
        record.map(|rec| rec.local_version.as_str()),
        facts.local_mac,
    );
    let r_mac = known(
        rv,
        record.map(|rec| rec.remote_version.as_str()),
        facts.remote_mac,
    );
    let (Some(l_mac), Some(r_mac)) = (l_mac, r_mac) else {
        d.item.action = Action::Skipped;
        d.item.reason = Some("a current value could not be read".to_owned());
        return;
    };
    let same_value = l_mac == r_mac;
    let same_meta = l_meta == r_meta;
    let (value, meta) = flows(record, (&l_mac, &r_mac), (&l_meta, &r_meta));
    let in_step = SyncRecord {
        name: facts.name.to_owned(),
        local_id: l.id.clone(),
        remote_id: r.id.clone(),
        local_version: lv.to_owned(),
        remote_version: rv.to_owned(),
        value_mac: l_mac.clone(),
        meta_mac: l_meta,
        synced_at: 0,
    };
    let (to, why) = match (value, meta) {
        (Flow::Still, Flow::Still) => {
            // Versions that moved to the same value are recorded as in step.
            let changed = record.is_none_or(|rec| {
                rec.local_version != in_step.local_version
                    || rec.remote_version != in_step.remote_version
                    || rec.value_mac != in_step.value_mac
                    || rec.meta_mac != in_step.meta_mac
            });
            if changed {
                d.settle = Some(in_step);
            }
            return;
        }
        (Flow::To(value_to), Flow::To(meta_to)) if value_to != meta_to => (None, None),
        (Flow::To(to), Flow::Still | Flow::To(_)) | (Flow::Still, Flow::To(to)) => (Some(to), None),
        _ => (None, None),
    };
    let (to, why) = match (to, options.prefer) {
        (Some(to), _) => (to, why),
        (None, Some(winner)) if !writes_to(mode, other(winner)) => {
            // The side preferred wins, but the mode does not write the other side.
            d.item.action = Action::Skipped;
            d.item.reason = Some(
                match winner {
                    Side::Remote => "conflict; --prefer remote: the remote's side wins; pull it",
                    Side::Local => "conflict; --prefer local: this vault's side wins; push it",
                }
                .to_owned(),
            );
            return;
        }
        (None, Some(winner)) => (
            other(winner),
            Some(format!("conflict; --prefer {}", winner.as_str())),
        ),
        (None, None) => {
            let what = if record.is_none() {
                if same_value {
                    "never synced; descriptions or tags differ"
                } else {
                    "never synced; the values differ"
                }
            } else {
                "changed on both sides since the last sync"
            };
            d.item.action = Action::Conflict;
            d.item.reason = Some(format!("{what}; {PICK_A_SIDE}"));
            return;
        }
    };
    if same_value {
        d.value_mac = Some(l_mac);
    }
    if same_value && same_meta {
        d.settle = Some(in_step);
        return;
    }
    let source_state = match to {
        Side::Remote => l.state,
        Side::Local => r.state,
    };
    write(d, mode, to, source_state, why, false);
}
