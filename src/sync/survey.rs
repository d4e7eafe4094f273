//! Planning `--all-versions`: for the secrets whose current versions moved (or that will be
//! created), both sides' versions listed, matched by link and by MAC (values read `BATCH` at a
//! time, each wiped once its MAC is taken), and the plan items given their version work. A
//! secret whose current versions did not move is not surveyed: its versions are not listed.

use std::collections::HashMap;

use crate::csms::op::Execute;
use crate::csms::{ApiError, ErrorCode, SecretState, SyncRecord, VersionLink};
use crate::remote::RemoteApi;

use super::decide::writes_to;
use super::local;
use super::mac::MacKey;
use super::plan::{Action, Mode, PlanItem, Side};
use super::planner::{BATCH, Work, fatal};
use super::versions::{VersionWork, Versions};

/// Why a secret's versions could not be had: the reason shown, and the error it fails with.
type Unread = (&'static str, ApiError);

/// Why a secret is surveyed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Why {
    /// Created, or given a new version (or metadata) on `to`.
    Writes(Side),
    /// In step by its current values; other versions may differ.
    InStep,
    /// Never synced and different: a create an earlier run left half done?
    Conflict,
}

/// Gives the plan's items their `--all-versions` work. `records`: the sync state by name;
/// `current_macs`: the current values' MACs the planner read, by name (local, remote).
///
/// Errors: a remote listing or read that is [`fatal`]; another error skips that secret, with
/// the error as the reason.
#[allow(
    clippy::too_many_arguments,
    reason = "the planner's state, passed as it is"
)]
pub(super) fn survey(
    local: &dyn Execute,
    remote: &dyn RemoteApi,
    key: &MacKey,
    mode: Mode,
    links: &[VersionLink],
    records: &HashMap<String, SyncRecord>,
    current_macs: (&HashMap<String, String>, &HashMap<String, String>),
    (items, work): (&mut [PlanItem], &mut [Work]),
) -> Result<(), ApiError> {
    let mut wanted: Vec<(usize, Why)> = Vec::new();
    for (i, (item, w)) in items.iter().zip(work.iter()).enumerate() {
        let moved = match (&w.local, &w.remote, records.get(&item.name)) {
            (Some(l), Some(r), Some(rec)) => {
                l.current_version.as_deref() != Some(rec.local_version.as_str())
                    || r.current_version.as_deref() != Some(rec.remote_version.as_str())
            }
            _ => true,
        };
        let why = match item.action {
            Action::Create { to } | Action::NewVersion { to } => Why::Writes(to),
            Action::UpdateMetadata { to } if moved => Why::Writes(to),
            Action::UpToDate if w.settle.is_some() && moved => Why::InStep,
            // Never synced, or a create under way (cut short: versions to carry).
            Action::Conflict
                if records
                    .get(&item.name)
                    .is_none_or(super::decide::is_pending) =>
            {
                Why::Conflict
            }
            _ => continue,
        };
        wanted.push((i, why));
    }
    let mut by_name: HashMap<&str, Vec<&VersionLink>> = HashMap::new();
    for link in links {
        by_name.entry(link.name.as_str()).or_default().push(link);
    }
    for chunk in wanted.chunks(BATCH) {
        let names: Vec<String> = chunk.iter().map(|(i, _)| items[*i].name.clone()).collect();
        let mut seen = list(local, remote, chunk, work, &names)?;
        for ((i, _), found) in chunk.iter().zip(seen.iter_mut()) {
            let Ok(v) = found else { continue };
            let own: Vec<VersionLink> = by_name
                .get(items[*i].name.as_str())
                .map(|l| l.iter().map(|&l| l.clone()).collect())
                .unwrap_or_default();
            v.keep_links(&own);
            let name = &items[*i].name;
            let w = &work[*i];
            // The current values' MACs, as the plan knows them.
            let rec = records.get(name);
            if let Some(id) = w.local.as_ref().and_then(|l| l.current_version.clone()) {
                let mac = current_macs.0.get(name).cloned().or_else(|| {
                    rec.filter(|r| r.local_version == id)
                        .map(|r| r.value_mac.clone())
                });
                if let Some(mac) = mac {
                    v.local_macs.insert(id, mac);
                }
            }
            if let Some(id) = w.remote.as_ref().and_then(|r| r.current_version.clone()) {
                let mac = current_macs.1.get(name).cloned().or_else(|| {
                    rec.filter(|r| r.remote_version == id)
                        .map(|r| r.value_mac.clone())
                });
                if let Some(mac) = mac {
                    v.remote_macs.insert(id, mac);
                }
            }
        }
        read_macs(local, remote, key, &names, &mut seen)?;
        for (((i, why), found), name) in chunk.iter().zip(seen).zip(&names) {
            let mut v = match found {
                Ok(v) => v,
                Err((why, e)) => {
                    items[*i].action = Action::Skipped;
                    items[*i].reason = Some(why.to_owned());
                    work[*i].settle = None;
                    work[*i].error = Some(e);
                    continue;
                }
            };
            v.match_by_mac();
            work[*i].links = v.links(name);
            decide(mode, *why, v, &mut items[*i], &mut work[*i]);
        }
    }
    Ok(())
}

/// Both sides' versions of the chunk's secrets (a side that lacks the secret: none).
fn list(
    local: &dyn Execute,
    remote: &dyn RemoteApi,
    chunk: &[(usize, Why)],
    work: &[Work],
    names: &[String],
) -> Result<Vec<Result<Versions, Unread>>, ApiError> {
    let on_remote: Vec<String> = chunk
        .iter()
        .zip(names)
        .filter(|((i, _), _)| work[*i].remote.is_some())
        .map(|(_, n)| n.clone())
        .collect();
    let mut remote_lists = remote.versions(&on_remote, &|_| {}).into_iter();
    let mut out = Vec::with_capacity(chunk.len());
    for ((i, _), name) in chunk.iter().zip(names) {
        let mut v = Versions::default();
        let mut problem = None;
        if work[*i].remote.is_some() {
            match remote_lists.next() {
                Some(Ok(list)) => v.remote = list.into_iter().map(Into::into).collect(),
                Some(Err(e)) if fatal(&e) => return Err(e),
                Some(Err(e)) => problem = Some(("cannot list the remote versions", e)),
                None => {
                    problem = Some((
                        "cannot list the remote versions",
                        ApiError::new(ErrorCode::RemoteRefused, "The remote listed no versions."),
                    ));
                }
            }
        }
        if work[*i].local.is_some() {
            match local::versions(local, name) {
                Ok(list) => v.local = list,
                Err(e) => problem = Some(("cannot list the local versions", e)),
            }
        }
        out.push(problem.map_or(Ok(v), Err));
    }
    Ok(out)
}

/// The MACs of every unpaired version whose MAC is not known yet, on the side that has the
/// other side's versions to match against; `BATCH` values at a time.
fn read_macs(
    local: &dyn Execute,
    remote: &dyn RemoteApi,
    key: &MacKey,
    names: &[String],
    seen: &mut [Result<Versions, Unread>],
) -> Result<(), ApiError> {
    let mut local_wanted: Vec<(usize, String)> = Vec::new();
    let mut remote_wanted: Vec<(usize, (String, String))> = Vec::new();
    for (k, found) in seen.iter().enumerate() {
        let Ok(v) = found else { continue };
        if v.local.is_empty() || v.remote.is_empty() {
            continue;
        }
        let (l, r) = v.unpaired();
        local_wanted.extend(
            l.into_iter()
                .filter(|id| !v.local_macs.contains_key(id))
                .map(|id| (k, id)),
        );
        remote_wanted.extend(
            r.into_iter()
                .filter(|id| !v.remote_macs.contains_key(id))
                .map(|id| (k, (names[k].clone(), id))),
        );
    }
    for (k, id) in local_wanted {
        match local::value_at(local, &names[k], &id) {
            Ok(value) => {
                if let Ok(v) = &mut seen[k] {
                    v.local_macs.insert(id, key.value(&value));
                }
            }
            Err(e) => seen[k] = Err(("cannot read a local version", e)),
        }
    }
    for chunk in remote_wanted.chunks(BATCH) {
        let pairs: Vec<(String, String)> = chunk.iter().map(|(_, p)| p.clone()).collect();
        for ((k, (_, id)), value) in chunk.iter().zip(remote.values(&pairs, &|_| {})) {
            match value {
                Ok(value) => {
                    if let Ok(v) = &mut seen[*k] {
                        v.remote_macs.insert(id.clone(), key.value(&value));
                    }
                }
                Err(e) if fatal(&e) => return Err(e),
                Err(e) => seen[*k] = Err(("cannot read a remote version", e)),
            }
        }
    }
    Ok(())
}

/// The item's version work, once both sides' versions are matched.
fn decide(mode: Mode, why: Why, seen: Versions, item: &mut PlanItem, w: &mut Work) {
    let enabled = |to: Side| match to {
        Side::Remote => w
            .local
            .as_ref()
            .is_some_and(|l| l.state == SecretState::Enabled),
        Side::Local => w
            .remote
            .as_ref()
            .is_some_and(|r| r.state == SecretState::Enabled),
    };
    match why {
        Why::Writes(to) => {
            let work = VersionWork { to, seen };
            if let Action::UpdateMetadata { .. } = item.action
                && !work.carry().is_empty()
            {
                item.action = Action::NewVersion { to };
            }
            w.versions = Some(work);
        }
        Why::InStep | Why::Conflict => {
            // The side(s) this run may write whose versions all hold values of the other's.
            let mut fits: Vec<VersionWork> = [Side::Remote, Side::Local]
                .into_iter()
                .filter(|&to| writes_to(mode, to) && enabled(to))
                .map(|to| VersionWork {
                    to,
                    seen: seen.clone(),
                })
                .filter(|vw| {
                    // A conflict is finished only by versions to carry (the target's values
                    // all older ones of the source's: a create cut short), never by stages
                    // or metadata alone.
                    vw.target_within_source()
                        && if why == Why::Conflict {
                            !vw.carry().is_empty()
                        } else {
                            vw.has_work()
                        }
                })
                .collect();
            // None, or both ways (the same versions, stages differing): left as it is.
            if fits.len() != 1 {
                return;
            }
            let Some(work) = fits.pop() else { return };
            let to = work.to;
            let target = match to {
                Side::Remote => "the remote",
                Side::Local => "this vault",
            };
            if work.carry().is_empty() {
                item.action = Action::UpdateMetadata { to };
                item.reason = Some("stages or expiry differ".to_owned());
            } else {
                item.action = Action::NewVersion { to };
                item.reason = Some(format!(
                    "{target} holds some of these versions already (a run cut short?)"
                ));
            }
            w.settle = None;
            w.versions = Some(work);
        }
    }
}
