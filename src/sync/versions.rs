//! `--all-versions`: one secret's versions on both sides matched (by the version links, else by
//! equal values' MACs), the source's unmatched versions to carry oldest first with their stages
//! and expiry, and the stage and expiry writes that then make the target's as the source's.
//! Pure: the reads and writes are the planner's and the run's.

use std::collections::{HashMap, HashSet};

use crate::csms::{STAGE_CURRENT, STAGE_PREVIOUS, VersionLink};
use crate::remote::RemoteVersion;

use super::plan::Side;

/// One version as either side lists it (no value).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Ver {
    pub id: String,
    pub stages: Vec<String>,
    /// ms since the epoch.
    pub expire_time: Option<i64>,
}

impl From<RemoteVersion> for Ver {
    fn from(v: RemoteVersion) -> Self {
        Self {
            id: v.id,
            stages: v.stages,
            expire_time: v.expire_time,
        }
    }
}

/// Both sides' versions of one secret, oldest first, and which hold the same value.
#[derive(Clone, Debug, Default)]
pub(super) struct Versions {
    pub local: Vec<Ver>,
    pub remote: Vec<Ver>,
    /// (local id, remote id): the same value on both sides.
    pub pairs: Vec<(String, String)>,
    /// The value MACs known (read while matching, or the current values'), by side and id.
    pub local_macs: HashMap<String, String>,
    pub remote_macs: HashMap<String, String>,
}

/// A secret's `--all-versions` work: the versions the source has and the target lacks carried
/// to `to`, then stages and expiry set as on the source.
#[derive(Clone, Debug)]
pub(super) struct VersionWork {
    pub to: Side,
    pub seen: Versions,
}

/// A write that makes a target's stages or expiry the source's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Fix {
    Stage {
        stage: String,
        version_id: String,
    },
    Expiry {
        version_id: String,
        expire_time: i64,
    },
}

impl Versions {
    /// The links of this secret that still name a version on both sides.
    pub fn keep_links(&mut self, links: &[VersionLink]) {
        let local: HashSet<&str> = self.local.iter().map(|v| v.id.as_str()).collect();
        let remote: HashSet<&str> = self.remote.iter().map(|v| v.id.as_str()).collect();
        let mut used_l = HashSet::new();
        let mut used_r = HashSet::new();
        for link in links {
            let (l, r) = (link.local_version.as_str(), link.remote_version.as_str());
            if local.contains(l) && remote.contains(r) && used_l.insert(l) && used_r.insert(r) {
                self.pairs.push((l.to_owned(), r.to_owned()));
            }
        }
    }

    /// The local ids and the remote ids not yet paired.
    pub fn unpaired(&self) -> (Vec<String>, Vec<String>) {
        let l: HashSet<&str> = self.pairs.iter().map(|(l, _)| l.as_str()).collect();
        let r: HashSet<&str> = self.pairs.iter().map(|(_, r)| r.as_str()).collect();
        (
            self.local
                .iter()
                .filter(|v| !l.contains(v.id.as_str()))
                .map(|v| v.id.clone())
                .collect(),
            self.remote
                .iter()
                .filter(|v| !r.contains(v.id.as_str()))
                .map(|v| v.id.clone())
                .collect(),
        )
    }

    /// Pairs each unpaired local version, oldest first, with the oldest unpaired remote version
    /// of the same MAC (how a re-run finds the versions an interrupted run made).
    pub fn match_by_mac(&mut self) {
        let (local, remote) = self.unpaired();
        let mut free: Vec<&String> = remote.iter().collect();
        for l in &local {
            let Some(mac) = self.local_macs.get(l) else {
                continue;
            };
            if let Some(at) = free
                .iter()
                .position(|r| self.remote_macs.get(*r) == Some(mac))
            {
                let r = free.remove(at);
                self.pairs.push((l.clone(), r.clone()));
            }
        }
    }

    /// The pairs as links to record.
    pub fn links(&self, name: &str) -> Vec<VersionLink> {
        self.pairs
            .iter()
            .map(|(l, r)| VersionLink {
                name: name.to_owned(),
                local_version: l.clone(),
                remote_version: r.clone(),
            })
            .collect()
    }
}

impl VersionWork {
    pub fn source(&self) -> &[Ver] {
        match self.to {
            Side::Remote => &self.seen.local,
            Side::Local => &self.seen.remote,
        }
    }

    pub fn target(&self) -> &[Ver] {
        match self.to {
            Side::Remote => &self.seen.remote,
            Side::Local => &self.seen.local,
        }
    }

    /// (source id, target id) of every pair.
    pub fn mapping(&self) -> Vec<(String, String)> {
        self.seen
            .pairs
            .iter()
            .map(|(l, r)| match self.to {
                Side::Remote => (l.clone(), r.clone()),
                Side::Local => (r.clone(), l.clone()),
            })
            .collect()
    }

    /// The source's versions the target lacks, oldest first.
    pub fn carry(&self) -> Vec<&Ver> {
        let paired: HashSet<String> = self.mapping().into_iter().map(|(s, _)| s).collect();
        self.source()
            .iter()
            .filter(|v| !paired.contains(&v.id))
            .collect()
    }

    /// Whether every target version holds one of the source's values.
    pub fn target_within_source(&self) -> bool {
        let paired: HashSet<String> = self.mapping().into_iter().map(|(_, t)| t).collect();
        self.target().iter().all(|v| paired.contains(&v.id))
    }

    /// A source version's value MAC, when known.
    pub fn source_mac(&self, id: &str) -> Option<&String> {
        match self.to {
            Side::Remote => self.seen.local_macs.get(id),
            Side::Local => self.seen.remote_macs.get(id),
        }
    }

    /// Whether anything is to be written: a version to carry, or a paired version's stages or
    /// expiry to set.
    pub fn has_work(&self) -> bool {
        !self.carry().is_empty() || !fixes(self.source(), self.target(), &self.mapping()).is_empty()
    }
}

/// Points `stages` at `id` in `versions` as CSMS (and this vault) do: each stage taken from the
/// version that had it; `SYSCURRENT` moving to another version (without `SYSPREVIOUS` alongside)
/// moves `SYSPREVIOUS` to the version that held `SYSCURRENT`.
pub(super) fn put_stages(versions: &mut [Ver], id: &str, stages: &[String]) {
    let takes = |s: &str| stages.iter().any(|t| t == s);
    let old_current = if takes(STAGE_CURRENT) && !takes(STAGE_PREVIOUS) {
        versions
            .iter()
            .find(|v| v.stages.iter().any(|s| s == STAGE_CURRENT))
            .map(|v| v.id.clone())
            .filter(|holder| holder != id)
    } else {
        None
    };
    for v in versions.iter_mut() {
        if v.id == id {
            for s in stages {
                if !v.stages.contains(s) {
                    v.stages.push(s.clone());
                }
            }
        } else {
            v.stages.retain(|s| !stages.contains(s));
        }
    }
    if let Some(holder) = old_current {
        put_stages(versions, &holder, &[STAGE_PREVIOUS.to_owned()]);
    }
}

/// The writes, in order, that give the `target` versions paired in `mapping` (source id, target
/// id) the stages and expiry of their `source` versions: `SYSCURRENT` first (its move shifts
/// `SYSPREVIOUS`), then `SYSPREVIOUS`, then the others. A stage or expiry the target has and the
/// source lacks is left (the API has no write that removes an expiry; a stage only the target
/// has is the target's own).
pub(super) fn fixes(source: &[Ver], target: &[Ver], mapping: &[(String, String)]) -> Vec<Fix> {
    let mut target = target.to_vec();
    let mut wanted: Vec<(String, String)> = Vec::new();
    let mut out = Vec::new();
    for (s, t) in mapping {
        let (Some(sv), Some(tv)) = (
            source.iter().find(|v| v.id == *s),
            target.iter().find(|v| v.id == *t),
        ) else {
            continue;
        };
        for stage in &sv.stages {
            wanted.push((stage.clone(), t.clone()));
        }
        if let Some(e) = sv.expire_time
            && tv.expire_time != Some(e)
        {
            out.push(Fix::Expiry {
                version_id: t.clone(),
                expire_time: e,
            });
        }
    }
    let rank = |s: &str| match s {
        STAGE_CURRENT => 0,
        STAGE_PREVIOUS => 1,
        _ => 2,
    };
    wanted.sort_by_key(|(stage, _)| rank(stage));
    let mut stage_fixes = Vec::new();
    for (stage, id) in wanted {
        let held = target
            .iter()
            .any(|v| v.id == id && v.stages.contains(&stage));
        if !held {
            put_stages(&mut target, &id, std::slice::from_ref(&stage));
            stage_fixes.push(Fix::Stage {
                stage,
                version_id: id,
            });
        }
    }
    stage_fixes.extend(out);
    stage_fixes
}
