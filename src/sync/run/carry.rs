//! Carrying out `--all-versions` work in a batch: the source's missing versions made on the
//! target oldest first, each with its stages (given explicitly, so `SYSCURRENT` moves only with
//! the version that holds it at the source) and expiry; the target's versions listed again and
//! its stages and expiry set as the source's; then the links and the record.

use std::collections::HashMap;

use crate::csms::VersionLink;
use crate::remote::{RemoteWrite, Value, Written};

use super::super::local::{self, NewHistory};
use super::super::plan::Side;
use super::super::versions::{Fix, Ver, VersionWork, fixes};
use super::{Batch, metadata_writes};

impl Batch<'_> {
    /// The batch's items with version work towards `to`, not failed.
    fn version_items(&self, range: std::ops::Range<usize>, to: Side) -> Vec<usize> {
        range
            .filter(|i| !self.errors.contains_key(i))
            .filter(|&i| {
                self.plan.work[i]
                    .versions
                    .as_ref()
                    .is_some_and(|v| v.to == to)
            })
            .collect()
    }

    /// The links of `work` plus the new `made` (source id, target id), as links to record.
    fn all_links(name: &str, work: &VersionWork, made: &[(String, String)]) -> Vec<VersionLink> {
        work.mapping()
            .iter()
            .chain(made)
            .map(|(s, t)| {
                let (l, r) = match work.to {
                    Side::Remote => (s, t),
                    Side::Local => (t, s),
                };
                VersionLink {
                    name: name.to_owned(),
                    local_version: l.clone(),
                    remote_version: r.clone(),
                }
            })
            .collect()
    }

    /// The values of the versions to carry of `items`, read from the source; a read error is
    /// that item's outcome.
    fn carried_values(&mut self, items: &[usize], to: Side) -> HashMap<(usize, String), Value> {
        let plan = self.plan;
        let mut values = HashMap::new();
        let mut wanted: Vec<(usize, (String, String))> = Vec::new();
        for &i in items {
            let Some(work) = &plan.work[i].versions else {
                continue;
            };
            for v in work.carry() {
                wanted.push((i, (plan.items[i].name.clone(), v.id.clone())));
            }
        }
        let read: Vec<_> = match to {
            Side::Remote => wanted
                .iter()
                .map(|(_, (name, id))| local::value_at(self.local, name, id))
                .collect(),
            Side::Local => {
                let pairs: Vec<(String, String)> = wanted.iter().map(|(_, p)| p.clone()).collect();
                self.remote.values(&pairs, &|_| {})
            }
        };
        for ((i, (_, id)), value) in wanted.into_iter().zip(read) {
            match value {
                Ok(v) => {
                    values.insert((i, id), v);
                }
                Err(e) => {
                    self.errors.insert(i, e);
                }
            }
        }
        values
    }

    /// The record of a secret whose versions are now in step: its current versions and value
    /// MAC (known from the plan, or from the value carried).
    fn record_versions(
        &mut self,
        i: usize,
        work: &VersionWork,
        made: &[(String, String)],
        values: &HashMap<(usize, String), Value>,
    ) {
        let plan = self.plan;
        let w = &plan.work[i];
        let (source_current, meta) = match work.to {
            Side::Remote => {
                let Some(l) = &w.local else { return };
                (
                    l.current_version.clone(),
                    plan.key.meta(&l.description, &l.tags),
                )
            }
            Side::Local => {
                let Some(r) = &w.remote else { return };
                (
                    r.current_version.clone(),
                    plan.key.meta(&r.description, &r.tags),
                )
            }
        };
        let Some(source_current) = source_current else {
            return;
        };
        let target_current = work
            .mapping()
            .into_iter()
            .chain(made.iter().cloned())
            .find(|(s, _)| *s == source_current)
            .map(|(_, t)| t);
        let mac = work.source_mac(&source_current).cloned().or_else(|| {
            values
                .get(&(i, source_current.clone()))
                .map(|v| plan.key.value(v))
        });
        let (Some(target_current), Some(mac)) = (target_current, mac) else {
            return;
        };
        let versions = match work.to {
            Side::Remote => (source_current, target_current),
            Side::Local => (target_current, source_current),
        };
        self.record(i, (&versions.0, &versions.1), mac, meta);
    }

    /// The batch's version work towards the remote: the versions made (one job per secret,
    /// side by side), the remote's versions listed again, the stage and expiry writes.
    pub(super) fn carry_to_remote(&mut self, range: std::ops::Range<usize>) {
        let plan = self.plan;
        let items = self.version_items(range, Side::Remote);
        if items.is_empty() {
            return;
        }
        let values = self.carried_values(&items, Side::Remote);
        let mut jobs = Vec::new();
        let mut of_job = Vec::new();
        for &i in &items {
            if self.errors.contains_key(&i) {
                continue;
            }
            let (w, name) = (&plan.work[i], &plan.items[i].name);
            let (Some(work), Some(l)) = (&w.versions, &w.local) else {
                continue;
            };
            let mut job = Vec::new();
            for (k, v) in work.carry().into_iter().enumerate() {
                let Some(value) = values.get(&(i, v.id.clone())) else {
                    continue;
                };
                job.push(if k == 0 && w.remote.is_none() {
                    RemoteWrite::CreateSecret {
                        name: name.clone(),
                        description: l.description.clone(),
                        value: value.clone(),
                        tags: l.tags.clone(),
                    }
                } else {
                    RemoteWrite::CreateVersion {
                        name: name.clone(),
                        value: value.clone(),
                        stages: Some(v.stages.clone()),
                        expire_time: v.expire_time,
                    }
                });
            }
            if let Some(r) = &w.remote {
                job.extend(metadata_writes(name, l, r));
            }
            jobs.push(job);
            of_job.push(i);
        }
        if !self.creates_pending(&of_job, |i, current| values.get(&(i, current.to_owned()))) {
            return;
        }
        let outcomes = self.remote.apply(&jobs, &|_| {});
        drop(jobs);
        let mut made: HashMap<usize, Vec<(String, String)>> = HashMap::new();
        for (&i, outcome) in of_job.iter().zip(outcomes) {
            let Some(work) = &plan.work[i].versions else {
                continue;
            };
            let created: Vec<String> = outcome
                .done
                .iter()
                .filter_map(|d| match d {
                    Written::Version(id) => Some(id.clone()),
                    Written::Secret { id, version } => {
                        self.created.insert(i, id.clone());
                        Some(version.clone())
                    }
                    Written::Done => None,
                })
                .collect();
            let pairs: Vec<(String, String)> = work
                .carry()
                .into_iter()
                .map(|v| v.id.clone())
                .zip(created)
                .collect();
            self.links
                .extend(Self::all_links(&plan.items[i].name, work, &pairs));
            if let Some(e) = outcome.error {
                self.errors.insert(i, e);
            }
            made.insert(i, pairs);
        }
        let done: Vec<usize> = of_job
            .into_iter()
            .filter(|i| !self.errors.contains_key(i))
            .collect();
        self.fix_remote(&done, &made, &values);
    }

    /// The stages and expiry of the `done` items' remote versions set as the source's, against
    /// the remote's versions as they are now (`made`: the versions this run created, by item);
    /// then their records.
    fn fix_remote(
        &mut self,
        done: &[usize],
        made: &HashMap<usize, Vec<(String, String)>>,
        values: &HashMap<(usize, String), Value>,
    ) {
        let plan = self.plan;
        let names: Vec<String> = done.iter().map(|&i| plan.items[i].name.clone()).collect();
        let listed = self.remote.versions(&names, &|_| {});
        let mut jobs = Vec::new();
        let mut of_job = Vec::new();
        for (&i, found) in done.iter().zip(listed) {
            let Some(work) = &plan.work[i].versions else {
                continue;
            };
            let target: Vec<Ver> = match found {
                Ok(list) => list.into_iter().map(Into::into).collect(),
                Err(e) => {
                    self.errors.insert(i, e);
                    continue;
                }
            };
            let name = &plan.items[i].name;
            let mapping: Vec<(String, String)> = work
                .mapping()
                .into_iter()
                .chain(made.get(&i).into_iter().flatten().cloned())
                .collect();
            let job: Vec<RemoteWrite> = fixes(work.source(), &target, &mapping)
                .into_iter()
                .map(|f| match f {
                    Fix::Stage { stage, version_id } => RemoteWrite::SetStage {
                        name: name.clone(),
                        stage,
                        version_id,
                    },
                    Fix::Expiry {
                        version_id,
                        expire_time,
                    } => RemoteWrite::SetExpiry {
                        name: name.clone(),
                        version_id,
                        expire_time,
                    },
                })
                .collect();
            if job.is_empty() {
                self.record_versions(i, work, made.get(&i).map_or(&[], Vec::as_slice), values);
            } else {
                jobs.push(job);
                of_job.push(i);
            }
        }
        for (i, outcome) in of_job.into_iter().zip(self.remote.apply(&jobs, &|_| {})) {
            if let Some(e) = outcome.error {
                self.errors.insert(i, e);
            } else if let Some(work) = &plan.work[i].versions {
                self.record_versions(i, work, made.get(&i).map_or(&[], Vec::as_slice), values);
            }
        }
    }

    /// The batch's version work towards this vault: creates in one Import Records (every
    /// version with its stages and expiry), new versions one by one with explicit stages, the
    /// metadata, then the stages and expiry set against the versions listed again.
    pub(super) fn carry_to_local(&mut self, range: std::ops::Range<usize>) {
        let plan = self.plan;
        let items = self.version_items(range, Side::Local);
        if items.is_empty() {
            return;
        }
        let values = self.carried_values(&items, Side::Local);
        // Creates, in one Import Records.
        let mut creating = Vec::new();
        let mut histories = Vec::new();
        for &i in &items {
            let w = &plan.work[i];
            let (Some(work), Some(r), None) = (&w.versions, &w.remote, &w.local) else {
                continue;
            };
            if self.errors.contains_key(&i) {
                continue;
            }
            let versions: Vec<_> = work
                .carry()
                .into_iter()
                .filter_map(|v| {
                    let value = values.get(&(i, v.id.clone()))?;
                    Some((value, v.stages.as_slice(), v.expire_time))
                })
                .collect();
            creating.push(i);
            histories.push(NewHistory {
                name: &plan.items[i].name,
                description: &r.description,
                tags: &r.tags,
                versions,
            });
        }
        match local::create_with_versions(self.local, &histories) {
            Ok(results) => {
                for (&i, result) in creating.iter().zip(results) {
                    match result {
                        Ok(id) => {
                            self.created.insert(i, id);
                        }
                        Err(e) => {
                            self.errors.insert(i, e);
                        }
                    }
                }
            }
            Err(e) => {
                for &i in &creating {
                    self.errors.insert(i, e.clone());
                }
            }
        }
        drop(histories);
        for &i in &items {
            if self.errors.contains_key(&i) {
                continue;
            }
            if let Err(e) = self.carry_one_to_local(i, creating.contains(&i), &values) {
                self.errors.insert(i, e);
            }
        }
    }

    /// One secret's new versions (unless `created`: imported with them), its metadata, then its
    /// stages and expiry; its links and record.
    fn carry_one_to_local(
        &mut self,
        i: usize,
        created: bool,
        values: &HashMap<(usize, String), Value>,
    ) -> Result<(), crate::csms::ApiError> {
        let plan = self.plan;
        let (w, name) = (&plan.work[i], &plan.items[i].name);
        let Some(work) = &w.versions else {
            return Ok(());
        };
        let mut made: Vec<(String, String)> = Vec::new();
        let listed = if created {
            // Imported in order: the n-th version listed is the n-th carried.
            let listed = local::versions(self.local, name)?;
            made = work
                .carry()
                .into_iter()
                .map(|v| v.id.clone())
                .zip(listed.iter().map(|v| v.id.clone()))
                .collect();
            listed
        } else {
            for v in work.carry() {
                let Some(value) = values.get(&(i, v.id.clone())) else {
                    continue;
                };
                match local::add_version(self.local, name, value, &v.stages, v.expire_time) {
                    Ok(id) => made.push((v.id.clone(), id)),
                    Err(e) => {
                        self.links.extend(Self::all_links(name, work, &made));
                        return Err(e);
                    }
                }
            }
            if let (Some(l), Some(r)) = (&w.local, &w.remote) {
                super::local_metadata(self.local, name, l, r)?;
            }
            local::versions(self.local, name)?
        };
        self.links.extend(Self::all_links(name, work, &made));
        let mapping: Vec<(String, String)> =
            work.mapping().into_iter().chain(made.clone()).collect();
        for fix in fixes(work.source(), &listed, &mapping) {
            match fix {
                Fix::Stage { stage, version_id } => {
                    local::set_stage(self.local, name, &stage, &version_id)?;
                }
                Fix::Expiry {
                    version_id,
                    expire_time,
                } => local::set_expiry(self.local, name, &version_id, expire_time)?,
            }
        }
        self.record_versions(i, work, &made, values);
        Ok(())
    }
}
