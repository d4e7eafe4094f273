//! Planning a push, pull or sync: everything read first (the local view in one request, the
//! remote's list, then only the current values whose versions moved), nothing written; the plan
//! per secret in name order.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::csms::op::Execute;
use crate::csms::{ApiError, ErrorCode, LocalSecret, SyncRecord, VersionLink};
use crate::remote::{RemoteApi, RemoteSecret};

use super::decide::{Facts, decide, same_secrets, value_reads};
use super::local;
use super::mac::MacKey;
use super::plan::{Mode, Options, PlanItem};
use super::versions::VersionWork;

/// At most this many secrets' values are in memory at once, in planning and in the run.
pub const BATCH: usize = 64;

/// One secret as both sides and the state had it when planned: what the run works from.
#[derive(Clone, Debug)]
pub(super) struct Work {
    pub local: Option<LocalSecret>,
    pub remote: Option<RemoteSecret>,
    /// Recorded as in step by the run (found in step when planned).
    pub settle: Option<SyncRecord>,
    pub forget: bool,
    /// The value both sides share, for an `UpdateMetadata`.
    pub value_mac: Option<String>,
    /// `--all-versions`: the versions to carry and the stages and expiry to set.
    pub versions: Option<VersionWork>,
    /// `--all-versions`: the version links found (recorded by the run).
    pub links: Vec<VersionLink>,
    /// Why the item cannot be carried out (a value that could not be read, no such secret): it
    /// fails with this error, and nothing of it is written.
    pub error: Option<ApiError>,
}

/// A plan: one item per secret, in name order, and what the run needs to carry it out. Made by
/// [`plan`]; shown as is by `--dry-run` and the terminal app; carried out by `sync::run`.
#[derive(Debug)]
pub struct Plan {
    pub remote: String,
    pub mode: Mode,
    pub options: Options,
    pub items: Vec<PlanItem>,
    pub(super) work: Vec<Work>,
    pub(super) key: MacKey,
}

impl Plan {
    /// Why item `index` cannot be carried out (it fails with this error, nothing of it written),
    /// or `None`.
    pub fn error(&self, index: usize) -> Option<&ApiError> {
        self.work.get(index).and_then(|w| w.error.as_ref())
    }
}

/// Whether an error means the remote cannot be used at all (unreachable, wrong AK/SK, clock
/// skew): the whole run stops.
pub fn fatal(e: &ApiError) -> bool {
    matches!(
        e.code,
        ErrorCode::RemoteUnreachable | ErrorCode::RemoteAuth | ErrorCode::ClockSkew
    )
}

/// `CSMS.0002` for the first of `names` (the secrets asked) that breaks the secret name rule:
/// checked before anything is read.
pub fn check_names(names: &[String]) -> Result<(), ApiError> {
    for name in names {
        if let Some(problem) = crate::csms::validate_name(name) {
            return Err(ApiError::invalid(format!(
                "Invalid secret name {name:?}: {problem}."
            )));
        }
    }
    Ok(())
}

/// Plans a `mode` run with the remote named `remote_name` (`remote`, already connected), over
/// every secret on either side or only `names`. Reads only: the local view (one request), the
/// remote's list, and the current values of secrets whose current version moved since the last
/// sync (or never synced and on both sides), `BATCH` at a time; each value wiped once its MAC
/// is taken. `progress` gets (secrets whose values were read, how many must be).
///
/// With `options.all_versions`, the secrets to be written and those whose current versions moved
/// have both sides' versions listed and matched ([`super::survey`]); the others are not listed.
///
/// Errors: `CSMS.0002` for a name that breaks the secret name rule ([`check_names`]), the local
/// view's (`SYNC.0006` no such remote), the remote list's, and a value read's or a version
/// listing's that is [`fatal`]; another such error makes that secret `skipped` with why, and
/// it fails with the error ([`Plan::error`]).
pub fn plan(
    local: &dyn Execute,
    remote: &dyn RemoteApi,
    remote_name: &str,
    mode: Mode,
    options: Options,
    names: Option<&[String]>,
    progress: &dyn Fn(usize, usize),
) -> Result<Plan, ApiError> {
    check_names(names.unwrap_or_default())?;
    let view = local::view(local, remote_name, names)?;
    let key = MacKey::from_base64(&view.mac_key)
        .ok_or_else(|| ApiError::new(ErrorCode::Internal, "The sync key is not 32 bytes."))?;
    let listed = remote.list(names, &|_| {})?;
    let mut by_name: BTreeMap<String, Work> = BTreeMap::new();
    let blank = || Work {
        local: None,
        remote: None,
        settle: None,
        forget: false,
        value_mac: None,
        versions: None,
        links: Vec::new(),
        error: None,
    };
    for l in view.secrets {
        let name = l.name.clone();
        by_name.entry(name).or_insert_with(blank).local = Some(l);
    }
    for r in listed {
        let name = r.name.clone();
        by_name.entry(name).or_insert_with(blank).remote = Some(r);
    }
    let asked: Option<HashSet<&str>> = names.map(|n| n.iter().map(String::as_str).collect());
    let mut records: HashMap<String, SyncRecord> = view
        .records
        .into_iter()
        .filter(|r| asked.as_ref().is_none_or(|a| a.contains(r.name.as_str())))
        .map(|r| (r.name.clone(), r))
        .collect();
    for name in records.keys().chain(names.into_iter().flatten()) {
        by_name.entry(name.clone()).or_insert_with(blank);
    }
    let links = trusted(&mut records, &by_name, view.links);
    let (local_wanted, remote_wanted) = wanted_values(&by_name, &records);
    let Macs {
        local: local_macs,
        remote: remote_macs,
        mut unread,
    } = read_macs(
        local,
        remote,
        &key,
        (&local_wanted, &remote_wanted),
        progress,
    )?;
    let mut items = Vec::with_capacity(by_name.len());
    let mut work = Vec::with_capacity(by_name.len());
    for (name, mut w) in by_name {
        let facts = Facts {
            name: &name,
            local: w.local.as_ref(),
            remote: w.remote.as_ref(),
            record: records.get(&name),
            local_mac: local_macs.get(&name).map(String::as_str),
            remote_mac: remote_macs.get(&name).map(String::as_str),
        };
        let mut d = decide(&key, &facts, mode, options);
        if let Some((why, e)) = unread.remove(&name) {
            d.item.action = super::plan::Action::Skipped;
            d.item.reason = Some(why.to_owned());
            d.settle = None;
            d.error = Some(e);
        }
        w.error = d.error;
        w.settle = d.settle;
        w.forget = d.forget;
        w.value_mac = d.value_mac;
        items.push(d.item);
        work.push(w);
    }
    if options.all_versions {
        super::survey::survey(
            local,
            remote,
            &key,
            mode,
            &links,
            &records,
            (&local_macs, &remote_macs),
            (&mut items, &mut work),
        )?;
    }
    Ok(Plan {
        remote: remote_name.to_owned(),
        mode,
        options,
        items,
        work,
        key,
    })
}

/// Keeps the records about the secrets the sides hold now, and the links of those: a record of
/// other secrets by that name (deleted and created again since) is as none, never synced (its
/// replacement drops it and its links).
fn trusted(
    records: &mut HashMap<String, SyncRecord>,
    by_name: &BTreeMap<String, Work>,
    links: Vec<VersionLink>,
) -> Vec<VersionLink> {
    records.retain(|name, rec| {
        by_name
            .get(name)
            .is_none_or(|w| same_secrets(rec, w.local.as_ref(), w.remote.as_ref()))
    });
    links
        .into_iter()
        .filter(|l| records.contains_key(&l.name))
        .collect()
}

/// The current values the plan must read, (local, remote): see `decide::value_reads`.
fn wanted_values(
    by_name: &BTreeMap<String, Work>,
    records: &HashMap<String, SyncRecord>,
) -> (Vec<Wanted>, Vec<Wanted>) {
    let mut local_wanted = Vec::new();
    let mut remote_wanted = Vec::new();
    for (name, w) in by_name {
        let (l, r) = value_reads(w.local.as_ref(), w.remote.as_ref(), records.get(name));
        if let (true, Some(v)) = (l, w.local.as_ref().and_then(|s| s.current_version.clone())) {
            local_wanted.push((name.clone(), v));
        }
        if let (true, Some(v)) = (r, w.remote.as_ref().and_then(|s| s.current_version.clone())) {
            remote_wanted.push((name.clone(), v));
        }
    }
    (local_wanted, remote_wanted)
}

/// A value asked for: (name, version id).
type Wanted = (String, String);

/// The current values' MACs the plan needs, by name; a value that could not be read is named
/// with why.
struct Macs {
    local: HashMap<String, String>,
    remote: HashMap<String, String>,
    unread: HashMap<String, (&'static str, ApiError)>,
}

/// Reads the `(name, version)` values asked of each side, `BATCH` at a time, keeping only their
/// MACs. A remote error that is [`fatal`] is returned.
fn read_macs(
    local: &dyn Execute,
    remote: &dyn RemoteApi,
    key: &MacKey,
    (local_wanted, remote_wanted): (&[Wanted], &[Wanted]),
    progress: &dyn Fn(usize, usize),
) -> Result<Macs, ApiError> {
    let total = local_wanted.len() + remote_wanted.len();
    let mut done = 0;
    let mut macs = Macs {
        local: HashMap::new(),
        remote: HashMap::new(),
        unread: HashMap::new(),
    };
    for chunk in local_wanted.chunks(BATCH) {
        for ((name, _), value) in chunk.iter().zip(local::values(local, chunk)) {
            match value {
                Ok(v) => {
                    macs.local.insert(name.clone(), key.value(&v));
                }
                Err(e) => {
                    macs.unread
                        .insert(name.clone(), ("cannot read the local value", e));
                }
            }
        }
        done += chunk.len();
        progress(done, total);
    }
    for chunk in remote_wanted.chunks(BATCH) {
        for ((name, _), value) in chunk.iter().zip(remote.values(chunk, &|_| {})) {
            match value {
                Ok(v) => {
                    macs.remote.insert(name.clone(), key.value(&v));
                }
                Err(e) if fatal(&e) => return Err(e),
                Err(e) => {
                    macs.unread
                        .insert(name.clone(), ("cannot read the remote value", e));
                }
            }
        }
        done += chunk.len();
        progress(done, total);
    }
    Ok(macs)
}
