//! Carrying out a plan, `BATCH` secrets at a time: the source values read, the writes made
//! (the remote's through `apply`, side by side inside the client; the local ones through
//! `Execute`), then what is now in step recorded (`SaveSyncState`), so a run killed anywhere and
//! run again finds its finished work in step and does nothing twice.

mod carry;

use std::collections::HashMap;

use crate::csms::op::Execute;
use crate::csms::{ApiError, PENDING, SecretTag, SyncRecord, SyncStateUpdate, VersionLink};
use crate::remote::{RemoteApi, RemoteWrite, Value, Written};

use super::local::{self, NewSecret};
use super::plan::{Action, Outcome, RunReport, Side};
use super::planner::{BATCH, Plan, fatal};

/// The tags to put and the keys to remove so `target` becomes `source`.
pub fn tag_diff(source: &[SecretTag], target: &[SecretTag]) -> (Vec<SecretTag>, Vec<String>) {
    let put = source
        .iter()
        .filter(|t| !target.contains(t))
        .cloned()
        .collect();
    let remove = target
        .iter()
        .filter(|t| !source.iter().any(|s| s.key == t.key))
        .map(|t| t.key.clone())
        .collect();
    (put, remove)
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Carries out `plan`: every item's outcome, in the plan's order. `progress` gets (secrets
/// done, all). After each batch the sync state records what is in step; at the end the remote's
/// last sync time. A failed item is that item's outcome (an item the plan could not carry out
/// fails with the plan's error, nothing of it written). An error that makes the remote unusable
/// ([`super::planner::fatal`]) or a sync state that cannot be saved stops the run: the report
/// then holds the outcomes of the batches done (the one it stopped in included, its state
/// recorded first) and that error; the later items were not started.
pub fn run(
    local: &dyn Execute,
    remote: &dyn RemoteApi,
    plan: &Plan,
    progress: &dyn Fn(usize, usize),
) -> RunReport {
    let total = plan.items.len();
    let mut errors: Vec<Option<ApiError>> = (0..total).map(|i| plan.error(i).cloned()).collect();
    let report = |errors: Vec<Option<ApiError>>, upto: usize, stopped: Option<ApiError>| {
        let outcomes = plan
            .items
            .iter()
            .zip(errors)
            .take(upto)
            .map(|(item, error)| Outcome {
                item: item.clone(),
                error,
            })
            .collect();
        RunReport { outcomes, stopped }
    };
    let mut start = 0;
    while start < total {
        let end = (start + BATCH).min(total);
        let mut batch = Batch {
            plan,
            local,
            remote,
            records: Vec::new(),
            forget: Vec::new(),
            links: Vec::new(),
            errors: (start..end)
                .filter_map(|i| Some((i, plan.error(i)?.clone())))
                .collect(),
            created: HashMap::new(),
        };
        batch.recheck(start..end, Side::Remote);
        batch.write_remote(start..end);
        batch.carry_to_remote(start..end);
        batch.recheck(start..end, Side::Local);
        batch.write_local(start..end);
        batch.carry_to_local(start..end);
        let Batch {
            records,
            forget,
            links,
            errors: failed,
            ..
        } = batch;
        let mut stop = failed.values().find(|e| fatal(e)).cloned();
        for (i, e) in failed {
            errors[i] = Some(e);
        }
        if !records.is_empty() || !forget.is_empty() || !links.is_empty() {
            let saved = local::save(
                local,
                SyncStateUpdate {
                    remote: plan.remote.clone(),
                    records,
                    forget,
                    links,
                    finished: false,
                },
            );
            if let Err(e) = saved {
                stop = Some(e);
            }
        }
        if let Some(e) = stop {
            return report(errors, end, Some(e));
        }
        progress(end, total);
        start = end;
    }
    let finished = local::save(
        local,
        SyncStateUpdate {
            remote: plan.remote.clone(),
            finished: true,
            ..SyncStateUpdate::default()
        },
    );
    report(errors, total, finished.err())
}

/// A secret as a side holds it, for [`Batch::recheck`]: (id, current version, description,
/// tags).
type Now = (String, Option<String>, String, Vec<SecretTag>);

/// One batch's work and what it leaves to record.
struct Batch<'a> {
    plan: &'a Plan,
    local: &'a dyn Execute,
    remote: &'a dyn RemoteApi,
    records: Vec<SyncRecord>,
    forget: Vec<String>,
    /// Version links found or made (`--all-versions`).
    links: Vec<VersionLink>,
    errors: HashMap<usize, ApiError>,
    /// The ids of the secrets this batch created, by item (on the side the item creates on).
    created: HashMap<usize, String>,
}

impl Batch<'_> {
    /// Item `i`'s secret ids (local, remote): as planned, or made by this batch.
    fn ids(&self, i: usize) -> (String, String) {
        let w = &self.plan.work[i];
        let made = || self.created.get(&i).cloned().unwrap_or_default();
        (
            w.local.as_ref().map_or_else(made, |l| l.id.clone()),
            w.remote.as_ref().map_or_else(made, |r| r.id.clone()),
        )
    }

    /// Records item `i` as in step at `versions` (local, remote).
    fn record(&mut self, i: usize, versions: (&str, &str), value_mac: String, meta_mac: String) {
        let (local_id, remote_id) = self.ids(i);
        self.records.push(SyncRecord {
            name: self.plan.items[i].name.clone(),
            local_id,
            remote_id,
            local_version: versions.0.to_owned(),
            remote_version: versions.1.to_owned(),
            value_mac,
            meta_mac,
            synced_at: now_ms(),
        });
    }

    /// Fails the batch's items that write to an existing secret on `to` (a new version, metadata,
    /// a deletion) whose secret there moved since the plan read it (another secret id, current
    /// version, description or tags): their writes would overwrite that change. One read of those
    /// secrets only (the remote's list by names; one local view by names). Creates are not
    /// checked: a name taken meanwhile is refused by the create itself.
    /// `name` as the target holds it now (`None`: not there).
    fn recheck_one(&self, name: &str, to: Side) -> Result<Option<(String, Now)>, ApiError> {
        let names = [name.to_owned()];
        Ok(match to {
            Side::Remote => self
                .remote
                .list(Some(&names), &|_| {})?
                .into_iter()
                .next()
                .map(|r| (r.name, (r.id, r.current_version, r.description, r.tags))),
            Side::Local => local::view(self.local, &self.plan.remote, Some(&names))?
                .secrets
                .into_iter()
                .next()
                .map(|l| (l.name, (l.id, l.current_version, l.description, l.tags))),
        })
    }

    fn recheck(&mut self, range: std::ops::Range<usize>, to: Side) {
        let plan = self.plan;
        let items: Vec<usize> = range
            .filter(|i| !self.errors.contains_key(i))
            .filter(|&i| match plan.items[i].action {
                Action::NewVersion { to: side }
                | Action::UpdateMetadata { to: side }
                | Action::Delete { on: side } => side == to,
                _ => false,
            })
            .filter(|&i| match to {
                Side::Remote => plan.work[i].remote.is_some(),
                Side::Local => plan.work[i].local.is_some(),
            })
            .collect();
        if items.is_empty() {
            return;
        }
        let names: Vec<String> = items.iter().map(|&i| plan.items[i].name.clone()).collect();
        // As the target holds them now, by name.
        let now: Result<HashMap<String, Now>, ApiError> = match to {
            Side::Remote => self.remote.list(Some(&names), &|_| {}).map(|list| {
                list.into_iter()
                    .map(|r| (r.name, (r.id, r.current_version, r.description, r.tags)))
                    .collect()
            }),
            Side::Local => local::view(self.local, &plan.remote, Some(&names)).map(|view| {
                view.secrets
                    .into_iter()
                    .map(|l| (l.name, (l.id, l.current_version, l.description, l.tags)))
                    .collect()
            }),
        };
        let now = match now {
            Ok(now) => now,
            // One name's trouble fails that item only: the names are read again one by one.
            Err(e) if !fatal(&e) && names.len() > 1 => {
                let mut now = HashMap::new();
                for (&i, name) in items.iter().zip(&names) {
                    match self.recheck_one(name, to) {
                        Ok(Some((name, held))) => {
                            now.insert(name, held);
                        }
                        Ok(None) => {}
                        Err(e) => {
                            self.errors.insert(i, e);
                        }
                    }
                }
                now
            }
            Err(e) => {
                for i in items {
                    self.errors.insert(i, e.clone());
                }
                return;
            }
        };
        let sorted = |tags: &[SecretTag]| {
            let mut tags = tags.to_vec();
            tags.sort_by(|a, b| a.key.cmp(&b.key));
            tags
        };
        for i in items {
            let w = &plan.work[i];
            let planned: Option<Now> = match to {
                Side::Remote => w.remote.as_ref().map(|r| {
                    (
                        r.id.clone(),
                        r.current_version.clone(),
                        r.description.clone(),
                        r.tags.clone(),
                    )
                }),
                Side::Local => w.local.as_ref().map(|l| {
                    (
                        l.id.clone(),
                        l.current_version.clone(),
                        l.description.clone(),
                        l.tags.clone(),
                    )
                }),
            };
            let name = &plan.items[i].name;
            let same = match (planned, now.get(name)) {
                (Some(p), Some(n)) => {
                    p.0 == n.0 && p.1 == n.1 && p.2 == n.2 && sorted(&p.3) == sorted(&n.3)
                }
                _ => false,
            };
            if !same {
                let side = match to {
                    Side::Remote => "on the remote",
                    Side::Local => "locally",
                };
                self.errors.insert(
                    i,
                    ApiError::invalid(format!("{name} changed {side} since the plan; run again.")),
                );
            }
        }
    }

    /// The source values of the batch's creates and new versions to `to`, by item; a read
    /// error is that item's outcome.
    fn source_values(&mut self, range: std::ops::Range<usize>, to: Side) -> HashMap<usize, Value> {
        let plan = self.plan;
        let wanted: Vec<(usize, (String, String))> = range
            .filter(|&i| plan.work[i].versions.is_none())
            .filter(|&i| {
                matches!(plan.items[i].action,
                    Action::Create { to: side } | Action::NewVersion { to: side } if side == to)
            })
            .filter_map(|i| {
                let w = &plan.work[i];
                let version = match to {
                    Side::Remote => w.local.as_ref()?.current_version.clone()?,
                    Side::Local => w.remote.as_ref()?.current_version.clone()?,
                };
                Some((i, (plan.items[i].name.clone(), version)))
            })
            .collect();
        let mut values = HashMap::new();
        if wanted.is_empty() {
            return values;
        }
        let pairs: Vec<(String, String)> = wanted.iter().map(|(_, p)| p.clone()).collect();
        let read = match to {
            Side::Remote => local::values(self.local, &pairs),
            Side::Local => self.remote.values(&pairs, &|_| {}),
        };
        for ((i, _), value) in wanted.iter().zip(read) {
            match value {
                Ok(v) => {
                    values.insert(*i, v);
                }
                Err(e) => {
                    self.errors.insert(*i, e);
                }
            }
        }
        values
    }

    /// The settled records, then every write to the remote of the batch, through one `apply`.
    /// Records, before they are sent, the creates on the remote among `jobs` as under way
    /// ([`PENDING`]), so a run killed before their tags are set finishes them when run again.
    /// `false` (every job failed with the error) when the record cannot be saved.
    fn creates_pending<'v>(
        &mut self,
        jobs: &[usize],
        value_of: impl Fn(usize, &str) -> Option<&'v Value>,
    ) -> bool {
        let plan = self.plan;
        let records: Vec<SyncRecord> = jobs
            .iter()
            .filter(|&&i| matches!(plan.items[i].action, Action::Create { to: Side::Remote }))
            .filter_map(|&i| {
                let l = plan.work[i].local.as_ref()?;
                let current = l.current_version.clone()?;
                let value_mac = plan.key.value(value_of(i, &current)?);
                Some(SyncRecord {
                    name: plan.items[i].name.clone(),
                    local_id: l.id.clone(),
                    remote_id: String::new(),
                    local_version: current,
                    remote_version: PENDING.to_owned(),
                    value_mac,
                    meta_mac: plan.key.meta(&l.description, &l.tags),
                    synced_at: now_ms(),
                })
            })
            .collect();
        if records.is_empty() {
            return true;
        }
        let update = SyncStateUpdate {
            remote: plan.remote.clone(),
            records,
            ..SyncStateUpdate::default()
        };
        match local::save(self.local, update) {
            Ok(()) => true,
            Err(e) => {
                for &i in jobs {
                    self.errors.insert(i, e.clone());
                }
                false
            }
        }
    }

    fn write_remote(&mut self, range: std::ops::Range<usize>) {
        let plan = self.plan;
        for i in range.clone() {
            let w = &plan.work[i];
            if let Some(rec) = &w.settle {
                let mut rec = rec.clone();
                rec.synced_at = now_ms();
                self.records.push(rec);
            }
            if w.forget {
                self.forget.push(plan.items[i].name.clone());
            }
            self.links.extend(w.links.iter().cloned());
        }
        let values = self.source_values(range.clone(), Side::Remote);
        let mut jobs = Vec::new();
        let mut of_job = Vec::new();
        for i in range {
            if self.errors.contains_key(&i) || plan.work[i].versions.is_some() {
                continue;
            }
            let (w, name) = (&plan.work[i], &plan.items[i].name);
            let job = match (&plan.items[i].action, &w.local, &w.remote) {
                (Action::Create { to: Side::Remote }, Some(l), _) => {
                    let Some(value) = values.get(&i) else {
                        continue;
                    };
                    vec![RemoteWrite::CreateSecret {
                        name: name.clone(),
                        description: l.description.clone(),
                        value: value.clone(),
                        tags: l.tags.clone(),
                    }]
                }
                (Action::NewVersion { to: Side::Remote }, Some(l), Some(r)) => {
                    let Some(value) = values.get(&i) else {
                        continue;
                    };
                    let mut job = vec![RemoteWrite::CreateVersion {
                        name: name.clone(),
                        value: value.clone(),
                        stages: None,
                        expire_time: None,
                    }];
                    job.extend(metadata_writes(name, l, r));
                    job
                }
                (Action::UpdateMetadata { to: Side::Remote }, Some(l), Some(r)) => {
                    metadata_writes(name, l, r)
                }
                (Action::Delete { on: Side::Remote }, _, _) => {
                    vec![RemoteWrite::ScheduleDelete { name: name.clone() }]
                }
                _ => continue,
            };
            jobs.push(job);
            of_job.push(i);
        }
        if jobs.is_empty() {
            return;
        }
        if !self.creates_pending(&of_job, |i, _| values.get(&i)) {
            return;
        }
        let outcomes = self.remote.apply(&jobs, &|_| {});
        for (i, outcome) in of_job.into_iter().zip(outcomes) {
            if let Some(e) = outcome.error {
                self.errors.insert(i, e);
                continue;
            }
            let (w, name) = (&plan.work[i], plan.items[i].name.clone());
            if let Action::Delete { .. } = plan.items[i].action {
                // Gone on both sides now (absent or pending deletion locally).
                self.forget.push(name);
                continue;
            }
            let Some(l) = &w.local else { continue };
            let meta = plan.key.meta(&l.description, &l.tags);
            let lv = l.current_version.clone().unwrap_or_default();
            let created = outcome.done.iter().find_map(|d| match d {
                Written::Version(id) => Some(id.clone()),
                Written::Secret { id, version } => {
                    self.created.insert(i, id.clone());
                    Some(version.clone())
                }
                Written::Done => None,
            });
            match (&plan.items[i].action, values.get(&i), created) {
                (Action::UpdateMetadata { .. }, _, _) => {
                    let rv = w.remote.as_ref().and_then(|r| r.current_version.clone());
                    let mac = w.value_mac.clone().unwrap_or_default();
                    self.record(i, (&lv, &rv.unwrap_or_default()), mac, meta);
                }
                (_, Some(value), Some(rv)) => {
                    let mac = plan.key.value(value);
                    self.record(i, (&lv, &rv), mac, meta);
                }
                _ => {}
            }
        }
    }

    /// Every write to the local side of the batch: creates in one Import Records, new
    /// versions, metadata, deletions.
    fn write_local(&mut self, range: std::ops::Range<usize>) {
        let plan = self.plan;
        let values = self.source_values(range.clone(), Side::Local);
        self.create_locally(range.clone(), &values);
        for i in range {
            if self.errors.contains_key(&i) || plan.work[i].versions.is_some() {
                continue;
            }
            let (w, name) = (&plan.work[i], plan.items[i].name.clone());
            let result = match (&plan.items[i].action, &w.local, &w.remote) {
                (Action::NewVersion { to: Side::Local }, Some(l), Some(r)) => {
                    let Some(value) = values.get(&i) else {
                        continue;
                    };
                    local::new_version(self.local, &name, value).and_then(|lv| {
                        local_metadata(self.local, &name, l, r)?;
                        Ok(Some((lv, plan.key.value(value))))
                    })
                }
                (Action::UpdateMetadata { to: Side::Local }, Some(l), Some(r)) => {
                    local_metadata(self.local, &name, l, r).map(|()| {
                        Some((
                            l.current_version.clone().unwrap_or_default(),
                            w.value_mac.clone().unwrap_or_default(),
                        ))
                    })
                }
                (Action::Delete { on: Side::Local }, _, _) => {
                    local::schedule_delete(self.local, &name).map(|()| None)
                }
                _ => continue,
            };
            match (result, &w.remote) {
                (Err(e), _) => {
                    self.errors.insert(i, e);
                }
                (Ok(Some((lv, mac))), Some(r)) => {
                    let rv = r.current_version.clone().unwrap_or_default();
                    let meta = plan.key.meta(&r.description, &r.tags);
                    self.record(i, (&lv, &rv), mac, meta);
                }
                (Ok(_), _) => self.forget.push(name),
            }
        }
    }

    /// The batch's local creates, in one Import Records; their new version ids read back in one
    /// local view.
    fn create_locally(&mut self, range: std::ops::Range<usize>, values: &HashMap<usize, Value>) {
        let plan = self.plan;
        let mut made = Vec::new();
        let mut secrets = Vec::new();
        for i in range {
            if self.errors.contains_key(&i)
                || plan.work[i].versions.is_some()
                || plan.items[i].action != (Action::Create { to: Side::Local })
            {
                continue;
            }
            let (Some(r), Some(value)) = (&plan.work[i].remote, values.get(&i)) else {
                continue;
            };
            made.push(i);
            secrets.push(NewSecret {
                name: &plan.items[i].name,
                description: &r.description,
                tags: &r.tags,
                value,
            });
        }
        let results = match local::create(self.local, &secrets) {
            Ok(results) => results,
            Err(e) => {
                for i in made {
                    self.errors.insert(i, e.clone());
                }
                return;
            }
        };
        drop(secrets);
        let mut created = Vec::new();
        for (i, result) in made.into_iter().zip(results) {
            match result {
                Ok(_) => created.push(i),
                Err(e) => {
                    self.errors.insert(i, e);
                }
            }
        }
        if created.is_empty() {
            return;
        }
        let names: Vec<String> = created
            .iter()
            .map(|&i| plan.items[i].name.clone())
            .collect();
        let view = match local::view(self.local, &plan.remote, Some(&names)) {
            Ok(view) => view,
            Err(e) => {
                for i in created {
                    self.errors.insert(i, e.clone());
                }
                return;
            }
        };
        let ids: HashMap<&str, (&str, &str)> = view
            .secrets
            .iter()
            .filter_map(|s| {
                Some((
                    s.name.as_str(),
                    (s.id.as_str(), s.current_version.as_deref()?),
                ))
            })
            .collect();
        for i in created {
            let name = plan.items[i].name.clone();
            let (Some(r), Some(value), Some((id, lv))) =
                (&plan.work[i].remote, values.get(&i), ids.get(name.as_str()))
            else {
                continue;
            };
            self.created.insert(i, (*id).to_owned());
            let rv = r.current_version.clone().unwrap_or_default();
            let (mac, meta) = (
                plan.key.value(value),
                plan.key.meta(&r.description, &r.tags),
            );
            let lv = (*lv).to_owned();
            self.record(i, (&lv, &rv), mac, meta);
        }
    }
}

/// The remote writes that give it the local description and tags.
fn metadata_writes(
    name: &str,
    l: &crate::csms::LocalSecret,
    r: &crate::remote::RemoteSecret,
) -> Vec<RemoteWrite> {
    let mut job = Vec::new();
    if l.description != r.description {
        job.push(RemoteWrite::SetDescription {
            name: name.to_owned(),
            description: l.description.clone(),
        });
    }
    let (put, remove) = tag_diff(&l.tags, &r.tags);
    if !put.is_empty() || !remove.is_empty() {
        job.push(RemoteWrite::SetTags {
            name: name.to_owned(),
            put,
            remove,
        });
    }
    job
}

/// Gives the local secret the remote's description and tags.
fn local_metadata(
    exec: &dyn Execute,
    name: &str,
    l: &crate::csms::LocalSecret,
    r: &crate::remote::RemoteSecret,
) -> Result<(), ApiError> {
    let description = (l.description != r.description).then_some(r.description.as_str());
    local::set_metadata(exec, name, description, tag_diff(&r.tags, &l.tags))
}
