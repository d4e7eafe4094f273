//! In-memory fakes of both sides for the engine's tests: a CSMS remote (`RemoteApi`) that can be
//! made to fail after N writes, and a local side (`Execute`) answering the operations sync uses,
//! with its sync state. Both count the values read.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use base64::Engine as _;
use zeroize::Zeroizing;

use crate::csms::op::{
    Execute, ImportOutcome, ImportRecordsResponse, Request, Response, SecretRecord,
};
use crate::csms::{
    ApiError, BatchGetSecretValueResponse, ErrorCode, LocalSecret, Secret, SecretState, SecretTag,
    SecretVersion, SyncRecord, SyncView, TagAction, ValueKind, VersionLink, VersionMetadata,
    VersionMetadataResponse, VersionResponse,
};
use crate::remote::{
    JobOutcome, Progress, RemoteApi, RemoteSecret, RemoteVersion, RemoteWrite, Value, Written,
};

pub fn text(v: &str) -> Value {
    Value {
        kind: ValueKind::Text,
        bytes: Zeroizing::new(v.as_bytes().to_vec()),
    }
}

pub fn tag(k: &str, v: &str) -> SecretTag {
    SecretTag {
        key: k.into(),
        value: v.into(),
    }
}

/// One secret of either fake.
#[derive(Clone, Debug)]
pub struct Held {
    /// The secret's id: another one when it is deleted and created again.
    pub id: String,
    pub description: String,
    pub state: SecretState,
    pub tags: Vec<SecretTag>,
    /// Oldest first: (id, value).
    pub versions: Vec<(String, Value)>,
    /// Index of the current version.
    pub current: usize,
}

/// The secrets of one side, and how its version ids are made.
#[derive(Default)]
pub struct Store {
    pub secrets: BTreeMap<String, Held>,
    next: usize,
    prefix: &'static str,
}

impl Store {
    fn id(&mut self) -> String {
        self.next += 1;
        format!("{}{}", self.prefix, self.next)
    }

    pub fn put(&mut self, name: &str, value: Value, description: &str, tags: Vec<SecretTag>) {
        let id = self.id();
        self.secrets.insert(
            name.into(),
            Held {
                id: format!("{}-secret-{id}", self.prefix),
                description: description.into(),
                state: SecretState::Enabled,
                tags,
                versions: vec![(id, value)],
                current: 0,
            },
        );
    }

    /// `name` deleted and created again (another secret id) holding `value` as `version`: as
    /// CSMS and the vault do, a new secret's version ids start over (`v1` again).
    pub fn recreate(&mut self, name: &str, value: Value, version: &str) {
        let id = self.id();
        self.secrets.insert(
            name.into(),
            Held {
                id: format!("{}-secret-{id}", self.prefix),
                description: String::new(),
                state: SecretState::Enabled,
                tags: Vec::new(),
                versions: vec![(version.into(), value)],
                current: 0,
            },
        );
    }

    /// A new current version; its id.
    pub fn add_version(&mut self, name: &str, value: Value) -> Option<String> {
        let id = self.id();
        let held = self.secrets.get_mut(name)?;
        held.versions.push((id.clone(), value));
        held.current = held.versions.len() - 1;
        Some(id)
    }

    pub fn current(&self, name: &str) -> Option<&Value> {
        let held = self.secrets.get(name)?;
        held.versions.get(held.current).map(|(_, v)| v)
    }

    fn current_id(held: &Held) -> Option<String> {
        held.versions.get(held.current).map(|(id, _)| id.clone())
    }

    pub fn value_of(&self, name: &str, id: &str) -> Result<Value, ApiError> {
        self.secrets
            .get(name)
            .and_then(|h| h.versions.iter().find(|(i, _)| i == id))
            .map(|(_, v)| v.clone())
            .ok_or_else(|| ApiError::new(ErrorCode::VersionNotFound, "no such version"))
    }
}

/// A CSMS remote in memory.
pub struct FakeRemote {
    pub store: Mutex<Store>,
    /// `Some(n)`: n more writes succeed, then every write fails as unreachable.
    pub writes_left: Mutex<Option<usize>>,
    pub value_reads: AtomicUsize,
    /// Secrets whose versions were listed.
    pub version_lists: AtomicUsize,
    /// A secret whose values cannot be read (refused).
    pub unreadable: Mutex<Option<String>>,
}

impl FakeRemote {
    pub fn new() -> Self {
        Self {
            store: Mutex::new(Store {
                prefix: "r",
                ..Store::default()
            }),
            writes_left: Mutex::new(None),
            value_reads: AtomicUsize::new(0),
            version_lists: AtomicUsize::new(0),
            unreadable: Mutex::new(None),
        }
    }

    pub fn with<T>(&self, f: impl FnOnce(&mut Store) -> T) -> T {
        let mut store = self
            .store
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut store)
    }

    fn write(&self, store: &mut Store, w: &RemoteWrite) -> Result<Written, ApiError> {
        {
            let mut left = self
                .writes_left
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            match *left {
                Some(0) => {
                    return Err(ApiError::new(ErrorCode::RemoteUnreachable, "killed"));
                }
                Some(n) => *left = Some(n - 1),
                None => {}
            }
        }
        let missing = || ApiError::new(ErrorCode::RemoteRefused, "no such secret");
        match w {
            RemoteWrite::CreateSecret {
                name,
                description,
                value,
                tags,
            } => {
                if store.secrets.contains_key(name) {
                    return Err(ApiError::new(ErrorCode::RemoteRefused, "name taken"));
                }
                store.put(name, value.clone(), description, tags.clone());
                let held = store.secrets.get(name).ok_or_else(missing)?;
                Ok(Written::Secret {
                    id: held.id.clone(),
                    version: Store::current_id(held).unwrap_or_default(),
                })
            }
            RemoteWrite::CreateVersion { name, value, .. } => store
                .add_version(name, value.clone())
                .map(Written::Version)
                .ok_or_else(missing),
            RemoteWrite::SetDescription { name, description } => {
                store.secrets.get_mut(name).ok_or_else(missing)?.description = description.clone();
                Ok(Written::Done)
            }
            RemoteWrite::SetTags { name, put, remove } => {
                let held = store.secrets.get_mut(name).ok_or_else(missing)?;
                held.tags.retain(|t| !remove.contains(&t.key));
                for t in put {
                    held.tags.retain(|h| h.key != t.key);
                    held.tags.push(t.clone());
                }
                held.tags.sort_by(|a, b| a.key.cmp(&b.key));
                Ok(Written::Done)
            }
            RemoteWrite::ScheduleDelete { name } => {
                store.secrets.get_mut(name).ok_or_else(missing)?.state = SecretState::PendingDelete;
                Ok(Written::Done)
            }
            RemoteWrite::SetStage { .. } | RemoteWrite::SetExpiry { .. } => Ok(Written::Done),
        }
    }
}

impl RemoteApi for FakeRemote {
    fn list(
        &self,
        names: Option<&[String]>,
        _progress: Progress<'_>,
    ) -> Result<Vec<RemoteSecret>, ApiError> {
        Ok(self.with(|store| {
            store
                .secrets
                .iter()
                .filter(|(n, _)| names.is_none_or(|names| names.contains(n)))
                .map(|(name, h)| RemoteSecret {
                    id: h.id.clone(),
                    name: name.clone(),
                    description: h.description.clone(),
                    state: h.state,
                    current_version: Store::current_id(h),
                    tags: h.tags.clone(),
                    update_time: 0,
                })
                .collect()
        }))
    }

    fn versions(
        &self,
        names: &[String],
        _progress: Progress<'_>,
    ) -> Vec<Result<Vec<RemoteVersion>, ApiError>> {
        self.version_lists.fetch_add(names.len(), Ordering::Relaxed);
        self.with(|store| {
            names
                .iter()
                .map(|n| {
                    let held = store
                        .secrets
                        .get(n)
                        .ok_or_else(|| ApiError::new(ErrorCode::RemoteRefused, "no such secret"))?;
                    Ok(held
                        .versions
                        .iter()
                        .map(|(id, _)| RemoteVersion {
                            id: id.clone(),
                            create_time: 0,
                            expire_time: None,
                            stages: Vec::new(),
                        })
                        .collect())
                })
                .collect()
        })
    }

    fn values(
        &self,
        wanted: &[(String, String)],
        _progress: Progress<'_>,
    ) -> Vec<Result<Value, ApiError>> {
        self.value_reads.fetch_add(wanted.len(), Ordering::Relaxed);
        let unreadable = self
            .unreadable
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        self.with(|store| {
            wanted
                .iter()
                .map(|(n, id)| {
                    if unreadable.as_ref() == Some(n) {
                        return Err(ApiError::new(ErrorCode::RemoteRefused, "denied"));
                    }
                    store.value_of(n, id)
                })
                .collect()
        })
    }

    fn apply(&self, jobs: &[Vec<RemoteWrite>], _progress: Progress<'_>) -> Vec<JobOutcome> {
        self.with(|store| {
            jobs.iter()
                .map(|job| {
                    let mut done = Vec::new();
                    for w in job {
                        match self.write(store, w) {
                            Ok(written) => done.push(written),
                            Err(e) => {
                                return JobOutcome {
                                    done,
                                    error: Some(e),
                                };
                            }
                        }
                    }
                    JobOutcome { done, error: None }
                })
                .collect()
        })
    }
}

/// The local side in memory: its secrets, and the sync state of one remote.
pub struct FakeLocal {
    pub store: Mutex<Store>,
    pub records: Mutex<BTreeMap<String, SyncRecord>>,
    /// The version links, as `SaveSyncState` keeps them (one per local version).
    pub links: Mutex<Vec<VersionLink>>,
    pub finished: AtomicUsize,
    pub value_reads: AtomicUsize,
    /// `Some(n)`: n more state saves succeed, then the process "dies" before saving.
    pub saves_left: Mutex<Option<usize>>,
}

const MAC_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

fn value_fields(value: &Value) -> (Option<Zeroizing<String>>, Option<Zeroizing<String>>) {
    match value.kind {
        ValueKind::Text => (
            Some(Zeroizing::new(
                String::from_utf8_lossy(&value.bytes).into_owned(),
            )),
            None,
        ),
        ValueKind::Binary => (
            None,
            Some(Zeroizing::new(
                base64::engine::general_purpose::STANDARD.encode(&value.bytes[..]),
            )),
        ),
    }
}

fn from_fields(
    string: Option<&Zeroizing<String>>,
    binary: Option<&Zeroizing<String>>,
) -> Result<Value, ApiError> {
    match (string, binary) {
        (Some(s), _) => Ok(text(s)),
        (None, Some(b)) => Ok(Value {
            kind: ValueKind::Binary,
            bytes: Zeroizing::new(
                base64::engine::general_purpose::STANDARD
                    .decode(b.as_bytes())
                    .map_err(|_| ApiError::invalid("not base64"))?,
            ),
        }),
        (None, None) => Err(ApiError::invalid("no value")),
    }
}

fn version(name: &str, id: &str, value: &Value) -> SecretVersion {
    let (secret_string, secret_binary) = value_fields(value);
    SecretVersion {
        version_metadata: VersionMetadata {
            id: id.into(),
            create_time: 0,
            expire_time: None,
            kms_key_id: String::new(),
            secret_name: name.into(),
            version_stages: vec!["SYSCURRENT".into()],
        },
        secret_string,
        secret_binary,
    }
}

impl FakeLocal {
    pub fn new() -> Self {
        Self {
            store: Mutex::new(Store {
                prefix: "v",
                ..Store::default()
            }),
            records: Mutex::new(BTreeMap::new()),
            links: Mutex::new(Vec::new()),
            finished: AtomicUsize::new(0),
            value_reads: AtomicUsize::new(0),
            saves_left: Mutex::new(None),
        }
    }

    pub fn with<T>(&self, f: impl FnOnce(&mut Store) -> T) -> T {
        let mut store = self
            .store
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut store)
    }

    pub fn links(&self) -> Vec<VersionLink> {
        self.links
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    pub fn records(&self) -> BTreeMap<String, SyncRecord> {
        self.records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn import(store: &mut Store, record: &SecretRecord) -> ImportOutcome {
        let body = &record.create;
        if store.secrets.contains_key(&body.name) {
            return ImportOutcome::AlreadyExists;
        }
        // Every version (`versions`), else the body's value.
        let mut values = Vec::new();
        for v in record.versions.iter().flatten() {
            match from_fields(v.secret_string.as_ref(), v.secret_binary.as_ref()) {
                Ok(v) => values.push(v),
                Err(e) => return ImportOutcome::Failed(e),
            }
        }
        if record.versions.is_none() {
            match from_fields(body.secret_string.as_ref(), body.secret_binary.as_ref()) {
                Ok(v) => values.push(v),
                Err(e) => return ImportOutcome::Failed(e),
            }
        }
        if values.is_empty() {
            return ImportOutcome::Failed(ApiError::invalid("no value"));
        }
        let value = values.remove(0);
        let mut tags: Vec<SecretTag> = record
            .tags
            .iter()
            .map(|t| tag(&t.key, t.value.as_deref().unwrap_or("")))
            .collect();
        tags.sort_by(|a, b| a.key.cmp(&b.key));
        store.put(
            &body.name,
            value,
            body.description.as_deref().unwrap_or(""),
            tags,
        );
        let id = store
            .secrets
            .get(&body.name)
            .map(|h| h.id.clone())
            .unwrap_or_default();
        for v in values {
            store.add_version(&body.name, v);
        }
        ImportOutcome::Created(Secret {
            id,
            name: body.name.clone(),
            state: SecretState::Enabled,
            kms_key_id: String::new(),
            description: String::new(),
            create_time: 0,
            update_time: 0,
            scheduled_delete_time: None,
            secret_type: "COMMON".into(),
            settings: Box::default(),
        })
    }
}

impl Execute for FakeLocal {
    #[allow(clippy::too_many_lines, reason = "one arm per operation sync uses")]
    fn execute(&self, request: &Request) -> Result<Response, ApiError> {
        let missing = || ApiError::new(ErrorCode::SecretNotFound, "no such secret");
        let mut store = self
            .store
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Ok(match request {
            Request::SyncView { names, .. } => {
                let wanted = |n: &String| names.as_ref().is_none_or(|names| names.contains(n));
                let secrets = store
                    .secrets
                    .iter()
                    .filter(|(n, _)| wanted(n))
                    .map(|(name, h)| LocalSecret {
                        id: h.id.clone(),
                        name: name.clone(),
                        description: h.description.clone(),
                        state: h.state,
                        current_version: Store::current_id(h),
                        tags: h.tags.clone(),
                        update_time: 0,
                    })
                    .collect();
                let records = self
                    .records()
                    .into_values()
                    .filter(|r| wanted(&r.name))
                    .collect();
                Response::SyncView(SyncView {
                    secrets,
                    records,
                    links: self
                        .links()
                        .into_iter()
                        .filter(|l| wanted(&l.name))
                        .collect(),
                    mac_key: Zeroizing::new(MAC_KEY.into()),
                })
            }
            Request::SaveSyncState(update) => {
                {
                    let mut left = self
                        .saves_left
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    match *left {
                        Some(0) => return Err(ApiError::new(ErrorCode::Io, "killed")),
                        Some(n) => *left = Some(n - 1),
                        None => {}
                    }
                }
                let mut records = self
                    .records
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                let mut links = self
                    .links
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                for r in &update.records {
                    // As the store: a record of other secret ids drops the name's links.
                    if let Some(old) = records.insert(r.name.clone(), r.clone())
                        && (old.local_id != r.local_id || old.remote_id != r.remote_id)
                    {
                        links.retain(|l| l.name != r.name);
                    }
                }
                for name in &update.forget {
                    records.remove(name);
                }
                links.retain(|l| !update.forget.contains(&l.name));
                for link in &update.links {
                    if !links
                        .iter()
                        .any(|l| l.name == link.name && l.local_version == link.local_version)
                    {
                        links.push(link.clone());
                    }
                }
                if update.finished {
                    self.finished.fetch_add(1, Ordering::Relaxed);
                }
                Response::NoContent
            }
            Request::BatchGetSecretValue(body) => {
                self.value_reads
                    .fetch_add(body.secret_name_list.len(), Ordering::Relaxed);
                let mut versions = Vec::new();
                for name in &body.secret_name_list {
                    let held = store.secrets.get(name).ok_or_else(missing)?;
                    let (id, value) = held.versions.get(held.current).ok_or_else(missing)?;
                    versions.push(version(name, id, value));
                }
                Response::Values(BatchGetSecretValueResponse {
                    total_count: versions.len(),
                    versions,
                })
            }
            Request::ShowSecretVersion { name, version_id } => {
                self.value_reads.fetch_add(1, Ordering::Relaxed);
                let value = store.value_of(name, version_id)?;
                Response::Version(VersionResponse {
                    version: version(name, version_id, &value),
                })
            }
            Request::ListSecretVersions { name, .. } => {
                let held = store.secrets.get(name).ok_or_else(missing)?;
                Response::VersionMetadatas(crate::csms::ListSecretVersionsResponse {
                    version_metadatas: held
                        .versions
                        .iter()
                        .map(|(id, v)| version(name, id, v).version_metadata)
                        .collect(),
                    page_info: crate::csms::PageInfo {
                        next_marker: None,
                        previous_marker: None,
                        current_count: held.versions.len(),
                    },
                })
            }
            Request::CreateSecretVersion { name, body } => {
                let value = from_fields(body.secret_string.as_ref(), body.secret_binary.as_ref())?;
                let id = store.add_version(name, value.clone()).ok_or_else(missing)?;
                Response::VersionMetadata(VersionMetadataResponse {
                    version_metadata: version(name, &id, &value).version_metadata,
                })
            }
            Request::UpdateSecret { name, body, .. } => {
                let held = store.secrets.get_mut(name).ok_or_else(missing)?;
                if let Some(d) = &body.description {
                    held.description.clone_from(d);
                }
                Response::NoContent
            }
            Request::BatchCreateOrDeleteTags { secret, body } => {
                let crate::csms::SecretRef::Name(name) = secret else {
                    return Err(missing());
                };
                let held = store.secrets.get_mut(name).ok_or_else(missing)?;
                for t in &body.tags {
                    held.tags.retain(|h| h.key != t.key);
                    if body.action() == Some(TagAction::Create) {
                        held.tags
                            .push(tag(&t.key, t.value.as_deref().unwrap_or("")));
                    }
                }
                held.tags.sort_by(|a, b| a.key.cmp(&b.key));
                Response::NoContent
            }
            Request::ImportRecords(body) => {
                let outcomes = body
                    .records
                    .iter()
                    .map(|r| Self::import(&mut store, r))
                    .collect();
                Response::RecordsImported(ImportRecordsResponse { outcomes })
            }
            Request::DeleteSecretForSchedule { name, .. } => {
                store.secrets.get_mut(name).ok_or_else(missing)?.state = SecretState::PendingDelete;
                Response::NoContent
            }
            _ => return Err(ApiError::new(ErrorCode::Internal, "not faked")),
        })
    }
}
