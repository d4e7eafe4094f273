//! The HTTP [`RemoteApi`]: each call of the trait as the CSMS operations it takes (paged lists,
//! per-secret reads [`PARALLEL_REQUESTS`] at a time, writes in order per job), on one tokio
//! runtime the client owns; and the project lookup through IAM.

use hyper::Method;
use serde_json::{Map, Value as Json, json};
use std::future::Future;
use std::sync::Arc;
use subtle::ConstantTimeEq;
use tokio::task::JoinSet;
use zeroize::Zeroizing;

use super::paging::{MAX_SECRETS, MAX_VERSIONS, Pager};
use super::refusal::Fail;
use super::transport::{self, Call, Kind, Transport, encode};
use super::wire::{self, parse};
use super::{
    Endpoint, JobOutcome, PARALLEL_REQUESTS, Progress, RemoteApi, RemoteSecret, RemoteVersion,
    RemoteWrite, Value, Written,
};
use crate::csms::{ApiError, ErrorCode, OpenedRemote, SecretState, SecretTag};

/// The largest page `ListSecrets`, `ListSecretVersions` and `ListResourceInstances` give.
const PAGE_LIMIT: usize = 1000;
/// `DeleteSecretForSchedule`'s window: the API's longest, so a propagated delete stays
/// recoverable as long as possible.
const RECOVERY_WINDOW_DAYS: u32 = 30;
/// The stage that marks a secret's current version.
const CURRENT: &str = "SYSCURRENT";
/// The remote's codes the calls expect: no such secret, no such version or stage, already
/// scheduled for deletion.
const NO_SECRET: &str = "CSMS.0106";
const NO_VERSION: &str = "CSMS.0005";
const ALREADY_SCHEDULED: &str = "CSMS.0107";

/// The client for `remote` (see `super::connect`).
pub fn connect(remote: &OpenedRemote) -> Result<HttpRemote, ApiError> {
    let endpoint = Endpoint::parse(&remote.info.endpoint)?;
    let iam = match (&remote.info.project_id, &remote.info.region) {
        (Some(_), _) => None,
        (None, Some(region)) => Some(Endpoint::parse(
            remote
                .info
                .iam_endpoint
                .as_deref()
                .unwrap_or(&format!("https://iam.{region}.myhuaweicloud.com")),
        )?),
        (None, None) => {
            return Err(ApiError::new(
                ErrorCode::RemotePolicy,
                "The remote has neither a project id nor a region to look one up by: give `remote add --project-id` or `--region`.",
            ));
        }
    };
    let transport = Transport::new(
        remote.ca_pem.as_deref(),
        &remote.info.access_key,
        &remote.secret_key,
    )?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("csvault-remote")
        .enable_all()
        .build()
        .map_err(|e| super::refusal::internal(&e.to_string()))?;
    let project = match (&remote.info.project_id, iam, &remote.info.region) {
        (Some(id), _, _) => id.clone(),
        (None, Some(iam), Some(region)) => {
            runtime.block_on(lookup_project(&transport, &iam, region))?
        }
        _ => String::new(),
    };
    Ok(HttpRemote {
        inner: Arc::new(Inner {
            transport,
            endpoint,
            project,
        }),
        runtime,
    })
}

/// `GET {iam}/v3/projects?name={region}`, signed: the first project's id, as the SDKs do.
///
/// Errors: as [`Transport::send`]; `SYNC.0002` when IAM knows no project of that name.
async fn lookup_project(
    transport: &Transport,
    iam: &Endpoint,
    region: &str,
) -> Result<String, ApiError> {
    let call = Call::get(
        "/v3/projects".to_owned(),
        format!("name={}", encode(region)),
    );
    let reply = transport.send(iam, &call).await?;
    let projects: wire::ProjectsReply = parse(&reply.body, "the IAM project lookup")?;
    projects
        .projects
        .into_iter()
        .map(|p| p.id)
        .find(|id| !id.is_empty())
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::RemoteRefused,
                format!(
                    "IAM at {} knows no project named {region}: give `remote add --project-id`.",
                    iam.base()
                ),
            )
        })
}

/// A connected remote: the transport, its endpoint and project, and the runtime its calls run on.
/// Its methods block (they run their requests on that runtime): call and drop it from ordinary
/// threads, never from inside an async task.
pub struct HttpRemote {
    inner: Arc<Inner>,
    runtime: tokio::runtime::Runtime,
}

/// What every request task shares.
struct Inner {
    transport: Transport,
    endpoint: Endpoint,
    project: String,
}

impl HttpRemote {
    /// The client for `remote`, as [`super::connect`] gives it (boxed there).
    ///
    /// Errors: as [`super::connect`].
    pub fn connect(remote: &OpenedRemote) -> Result<Self, ApiError> {
        connect(remote)
    }

    /// The project id the paths carry (given, or looked up through IAM).
    pub fn project_id(&self) -> &str {
        &self.inner.project
    }

    /// Runs `make(i)` for every `i < count`, [`PARALLEL_REQUESTS`] at once, reporting each one
    /// finished to `progress`; results in `i`'s order (`lost` for a task that panicked).
    fn run_all<T, F, Fut>(
        &self,
        count: usize,
        progress: Progress<'_>,
        make: F,
        lost: impl Fn() -> T,
    ) -> Vec<T>
    where
        T: Send + 'static,
        F: Fn(Arc<Inner>, usize) -> Fut,
        Fut: Future<Output = T> + Send + 'static,
    {
        self.runtime.block_on(async {
            let mut slots: Vec<Option<T>> = (0..count).map(|_| None).collect();
            let mut set = JoinSet::new();
            let (mut next, mut done) = (0, 0);
            while done < count {
                while next < count && set.len() < PARALLEL_REQUESTS {
                    let task = make(Arc::clone(&self.inner), next);
                    let i = next;
                    set.spawn(async move { (i, task.await) });
                    next += 1;
                }
                match set.join_next().await {
                    Some(Ok((i, out))) => {
                        if let Some(slot) = slots.get_mut(i) {
                            *slot = Some(out);
                        }
                    }
                    Some(Err(_)) => {}
                    None => break,
                }
                done += 1;
                progress(done);
            }
            slots
                .into_iter()
                .map(|slot| slot.unwrap_or_else(&lost))
                .collect()
        })
    }
}

/// The error of a request task that did not finish.
fn lost_task() -> ApiError {
    super::refusal::internal("a request task stopped unexpectedly")
}

impl Inner {
    fn path(&self, rest: &str) -> String {
        format!("/v1/{}/{rest}", encode(&self.project))
    }

    fn secret_path(&self, name: &str, rest: &str) -> String {
        if rest.is_empty() {
            self.path(&format!("secrets/{}", encode(name)))
        } else {
            self.path(&format!("secrets/{}/{rest}", encode(name)))
        }
    }

    async fn send(&self, call: &Call) -> Result<transport::Reply, Fail> {
        self.transport.send(&self.endpoint, call).await
    }

    async fn send_json(&self, method: Method, path: String, body: &Json) -> Result<(), ApiError> {
        self.send(&Call::with_body(
            method,
            path,
            json_body(body)?,
            Kind::Idempotent,
        ))
        .await?;
        Ok(())
    }

    /// Every secret, `ListSecrets` page by page.
    async fn all_secrets(&self) -> Result<Vec<wire::Secret>, ApiError> {
        let mut out = Vec::new();
        let mut pager = Pager::new("ListSecrets", MAX_SECRETS);
        let mut marker: Option<String> = None;
        loop {
            let mut query = format!("limit={PAGE_LIMIT}");
            if let Some(m) = &marker {
                query.push_str("&marker=");
                query.push_str(&encode(m));
            }
            let reply = self.send(&Call::get(self.path("secrets"), query)).await?;
            let page: wire::SecretsPage = parse(&reply.body, "ListSecrets")?;
            let count = page.secrets.len();
            pager.count(count)?;
            out.extend(page.secrets);
            marker = pager.next_marker(count, page.page_info.next_marker)?;
            if marker.is_none() {
                return Ok(out);
            }
        }
    }

    /// Every secret's tags, `ListResourceInstances` page by page, by name.
    async fn all_tags(
        &self,
    ) -> Result<std::collections::HashMap<String, Vec<SecretTag>>, ApiError> {
        let mut out = std::collections::HashMap::new();
        let mut pager = Pager::new("ListResourceInstances", MAX_SECRETS);
        let mut offset = 0;
        loop {
            let body = json!({"action": "filter", "limit": PAGE_LIMIT.to_string(), "offset": offset.to_string()});
            let reply = self
                .send(&Call::with_body(
                    Method::POST,
                    self.path("csms/resource_instances/action"),
                    json_body(&body)?,
                    Kind::Idempotent,
                ))
                .await?;
            let page: wire::ResourcesPage = parse(&reply.body, "ListResourceInstances")?;
            let count = page.resources.len();
            // The offset only grows and the items read are capped: a `total_count` that is too
            // large, or pages that repeat, end with `SYNC.0002`, never loop.
            pager.count(count)?;
            for r in page.resources {
                out.insert(r.resource_name, sorted_tags(r.tags));
            }
            offset += count;
            if count == 0 || offset >= page.total_count {
                return Ok(out);
            }
        }
    }

    /// The `SYSCURRENT` version id; `None` when there is none (or the secret is gone).
    async fn current_version(&self, name: &str) -> Result<Option<String>, ApiError> {
        let path = self.secret_path(name, &format!("stages/{CURRENT}"));
        match self.send(&Call::get(path, String::new())).await {
            Ok(reply) => {
                let stage: wire::StageReply = parse(&reply.body, "ShowSecretStage")?;
                Ok(Some(stage.stage.version_id).filter(|v| !v.is_empty()))
            }
            Err(fail) if fail.is(NO_VERSION) || fail.is(NO_SECRET) => Ok(None),
            Err(fail) => Err(fail.into()),
        }
    }

    /// `ShowSecret`; `None` for no such secret.
    async fn show(&self, name: &str) -> Result<Option<wire::Secret>, ApiError> {
        match self
            .send(&Call::get(self.secret_path(name, ""), String::new()))
            .await
        {
            Ok(reply) => Ok(Some(
                parse::<wire::SecretReply>(&reply.body, "ShowSecret")?.secret,
            )),
            Err(fail) if fail.is(NO_SECRET) => Ok(None),
            Err(fail) => Err(fail.into()),
        }
    }

    /// One named secret with its tags and current version; `None` for no such secret.
    async fn one(&self, name: &str) -> Result<Option<RemoteSecret>, ApiError> {
        let Some(secret) = self.show(name).await? else {
            return Ok(None);
        };
        let path = self.path(&format!("csms/{}/tags", encode(&secret.id)));
        let reply = self.send(&Call::get(path, String::new())).await?;
        let tags: wire::TagsReply = parse(&reply.body, "ListSecretTags")?;
        let current = self.current_version(name).await?;
        Ok(Some(remote_secret(secret, sorted_tags(tags.tags), current)))
    }

    /// Every version of `name`, oldest first.
    async fn versions(&self, name: &str) -> Result<Vec<RemoteVersion>, ApiError> {
        let mut out: Vec<RemoteVersion> = Vec::new();
        let mut pager = Pager::new("ListSecretVersions", MAX_VERSIONS);
        let mut marker: Option<String> = None;
        loop {
            let mut query = format!("limit={PAGE_LIMIT}");
            if let Some(m) = &marker {
                query.push_str("&marker=");
                query.push_str(&encode(m));
            }
            let reply = self
                .send(&Call::get(self.secret_path(name, "versions"), query))
                .await?;
            let page: wire::VersionsPage = parse(&reply.body, "ListSecretVersions")?;
            let count = page.version_metadatas.len();
            pager.count(count)?;
            out.extend(page.version_metadatas.into_iter().map(RemoteVersion::from));
            marker = pager.next_marker(count, page.page_info.next_marker)?;
            if marker.is_none() {
                break;
            }
        }
        out.sort_by_key(|v| (v.create_time, version_number(&v.id)));
        Ok(out)
    }

    /// `ShowSecretVersion`'s value.
    async fn value(&self, name: &str, version: &str) -> Result<Value, ApiError> {
        let path = self.secret_path(name, &format!("versions/{}", encode(version)));
        let reply = self.send(&Call::get(path, String::new())).await?;
        let version: wire::VersionReply = parse(&reply.body, "ShowSecretVersion")?;
        wire::value_of(&version.version)
    }

    /// One write.
    async fn write(&self, write: &RemoteWrite) -> Result<Written, ApiError> {
        match write {
            RemoteWrite::CreateSecret {
                name,
                description,
                value,
                tags,
            } => self.create_secret(name, description, value, tags).await,
            RemoteWrite::CreateVersion {
                name,
                value,
                stages,
                expire_time,
            } => {
                self.create_version(name, value, stages.as_deref(), *expire_time)
                    .await
            }
            RemoteWrite::SetDescription { name, description } => {
                check_name(name)?;
                check_description(description)?;
                self.send_json(
                    Method::PUT,
                    self.secret_path(name, ""),
                    &json!({"description": description}),
                )
                .await?;
                Ok(Written::Done)
            }
            RemoteWrite::SetTags { name, put, remove } => {
                check_name(name)?;
                self.set_tags(name, put, remove).await?;
                Ok(Written::Done)
            }
            RemoteWrite::SetStage {
                name,
                stage,
                version_id,
            } => {
                check_name(name)?;
                self.send_json(
                    Method::PUT,
                    self.secret_path(name, &format!("stages/{}", encode(stage))),
                    &json!({"version_id": version_id}),
                )
                .await?;
                Ok(Written::Done)
            }
            RemoteWrite::SetExpiry {
                name,
                version_id,
                expire_time,
            } => {
                check_name(name)?;
                self.send_json(
                    Method::PUT,
                    self.secret_path(name, &format!("versions/{}", encode(version_id))),
                    &json!({"expire_time": expire_time}),
                )
                .await?;
                Ok(Written::Done)
            }
            RemoteWrite::ScheduleDelete { name } => {
                check_name(name)?;
                let body = json!({"recovery_window_in_days": RECOVERY_WINDOW_DAYS});
                let call = Call::with_body(
                    Method::POST,
                    self.secret_path(name, "scheduled-deleted-tasks/create"),
                    json_body(&body)?,
                    Kind::Idempotent,
                );
                match self.send(&call).await {
                    Ok(_) => Ok(Written::Done),
                    Err(fail) if fail.is(ALREADY_SCHEDULED) => Ok(Written::Done),
                    Err(fail) => Err(fail.into()),
                }
            }
        }
    }

    /// `BatchCreateOrDeleteTags`: `put` created or replaced, then `remove` deleted.
    async fn set_tags(
        &self,
        name: &str,
        put: &[SecretTag],
        remove: &[String],
    ) -> Result<(), ApiError> {
        if put.is_empty() && remove.is_empty() {
            return Ok(());
        }
        let secret = self.show(name).await?.ok_or_else(|| no_secret(name))?;
        self.tag_action(&secret.id, put, remove).await
    }

    async fn tag_action(
        &self,
        id: &str,
        put: &[SecretTag],
        remove: &[String],
    ) -> Result<(), ApiError> {
        let path = self.path(&format!("csms/{}/tags/action", encode(id)));
        if !put.is_empty() {
            let tags: Vec<Json> = put
                .iter()
                .map(|t| json!({"key": t.key, "value": t.value}))
                .collect();
            self.send_json(
                Method::POST,
                path.clone(),
                &json!({"action": "create", "tags": tags}),
            )
            .await?;
        }
        if !remove.is_empty() {
            let tags: Vec<Json> = remove.iter().map(|k| json!({"key": k})).collect();
            self.send_json(
                Method::POST,
                path,
                &json!({"action": "delete", "tags": tags}),
            )
            .await?;
        }
        Ok(())
    }

    /// `CreateSecret`, then its tags; the first version's id. A create whose fate is unknown is
    /// looked for ([`look_for`]) before it is sent again: a secret of that name holding this
    /// value is the one created.
    async fn create_secret(
        &self,
        name: &str,
        description: &str,
        value: &Value,
        tags: &[SecretTag],
    ) -> Result<Written, ApiError> {
        check_name(name)?;
        check_description(description)?;
        let (field, text) = wire::value_field(value)?;
        let mut rest = Map::new();
        rest.insert("name".into(), name.into());
        rest.insert("description".into(), description.into());
        let body = wire::render_with_value(field, &text, &rest)?;
        drop(text);
        let call = Call::with_body(Method::POST, self.path("secrets"), body, Kind::Create);
        let mut attempt = 0;
        let id = loop {
            attempt += 1;
            match self.send(&call).await {
                Ok(reply) => {
                    break parse::<wire::SecretReply>(&reply.body, "CreateSecret")?
                        .secret
                        .id;
                }
                Err(Fail::Unknown(why)) => {
                    if let Some(id) = look_for(|| self.created_secret(name, value, &why)).await? {
                        break id;
                    }
                    if attempt >= transport::MAX_ATTEMPTS {
                        return Err(Fail::Unknown(why).into());
                    }
                    tokio::time::sleep(transport::backoff(attempt, None)).await;
                }
                Err(fail) => return Err(fail.into()),
            }
        };
        self.tag_action(&id, tags, &[]).await?;
        let version = self.current_version(name).await?.ok_or_else(|| {
            ApiError::new(
                ErrorCode::RemoteRefused,
                format!("The remote created {name} without a current version."),
            )
        })?;
        Ok(Written::Secret { id, version })
    }

    /// The id of `name` when it is on the remote holding `value` as its current version: the
    /// create whose fate was unknown (`why`) arrived. `None`: not there.
    ///
    /// Errors: as the reads; `SYNC.0002` when a secret of that name holds another value.
    async fn created_secret(
        &self,
        name: &str,
        value: &Value,
        why: &str,
    ) -> Result<Option<String>, ApiError> {
        let Some(secret) = self.show(name).await? else {
            return Ok(None);
        };
        let same = match self.current_version(name).await? {
            Some(v) => same_value(&self.value(name, &v).await?, value),
            None => false,
        };
        if same {
            return Ok(Some(secret.id));
        }
        Err(ApiError::new(
            ErrorCode::RemoteRefused,
            format!(
                "The remote did not confirm creating {name} ({why}), and a secret of that name with another value is there now."
            ),
        ))
    }

    /// The id of `name`'s newest version when it holds `value`: the create whose fate was
    /// unknown arrived. `None`: not there.
    async fn created_version(&self, name: &str, value: &Value) -> Result<Option<String>, ApiError> {
        if let Some(newest) = self.versions(name).await?.pop()
            && same_value(&self.value(name, &newest.id).await?, value)
        {
            return Ok(Some(newest.id));
        }
        Ok(None)
    }

    /// `CreateSecretVersion`; its id. A create whose fate is unknown is looked for first
    /// ([`look_for`]): a newest version holding this value is the one created.
    async fn create_version(
        &self,
        name: &str,
        value: &Value,
        stages: Option<&[String]>,
        expire_time: Option<i64>,
    ) -> Result<Written, ApiError> {
        check_name(name)?;
        let (field, text) = wire::value_field(value)?;
        let mut rest = Map::new();
        if let Some(stages) = stages {
            rest.insert("version_stages".into(), json!(stages));
        }
        if let Some(t) = expire_time {
            rest.insert("expire_time".into(), t.into());
        }
        let body = wire::render_with_value(field, &text, &rest)?;
        drop(text);
        let call = Call::with_body(
            Method::POST,
            self.secret_path(name, "versions"),
            body,
            Kind::Create,
        );
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.send(&call).await {
                Ok(reply) => {
                    let made: wire::VersionMetadataReply =
                        parse(&reply.body, "CreateSecretVersion")?;
                    return Ok(Written::Version(made.version_metadata.id));
                }
                Err(Fail::Unknown(why)) => {
                    if let Some(id) = look_for(|| self.created_version(name, value)).await? {
                        return Ok(Written::Version(id));
                    }
                    if attempt >= transport::MAX_ATTEMPTS {
                        return Err(Fail::Unknown(why).into());
                    }
                    tokio::time::sleep(transport::backoff(attempt, None)).await;
                }
                Err(fail) => return Err(fail.into()),
            }
        }
    }
}

/// How many times a create whose fate is unknown is looked for before it is sent again.
const LOOKS: u32 = 3;
/// The pause between those looks: a server still committing the first create (its answer lost,
/// or later than the client's timeout) has [`LOOKS`] − 1 pauses, 5 s, to finish it.
const LOOK_PAUSE: std::time::Duration = std::time::Duration::from_millis(2500);

/// Runs `look` up to [`LOOKS`] times, [`LOOK_PAUSE`] apart, until it finds what it looks for.
///
/// Errors: `look`'s first error.
async fn look_for<T, F, Fut>(mut look: F) -> Result<Option<T>, ApiError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>, ApiError>>,
{
    for i in 0..LOOKS {
        if i > 0 {
            tokio::time::sleep(LOOK_PAUSE).await;
        }
        if let Some(found) = look().await? {
            return Ok(Some(found));
        }
    }
    Ok(None)
}

/// A request body (never a value's: those go through `wire::render_with_value`) in wiped memory.
///
/// Errors: `SYNC.0001` (the request could not be made) should it not serialise: an empty body is
/// never sent instead.
fn json_body(body: &Json) -> Result<Zeroizing<Vec<u8>>, ApiError> {
    serde_json::to_vec(body)
        .map(Zeroizing::new)
        .map_err(|e| super::refusal::internal(&format!("its body did not serialise ({e})")))
}

/// Whether two values are the same (kind and bytes; bytes compared in constant time).
fn same_value(a: &Value, b: &Value) -> bool {
    a.kind == b.kind && a.bytes.len() == b.bytes.len() && bool::from(a.bytes.ct_eq(&b.bytes))
}

/// A version id's number (`v12` → 12), to order versions created in the same millisecond.
fn version_number(id: &str) -> u64 {
    id.strip_prefix('v')
        .and_then(|n| n.parse().ok())
        .unwrap_or(u64::MAX)
}

fn sorted_tags(tags: Vec<wire::Tag>) -> Vec<SecretTag> {
    let mut out: Vec<SecretTag> = tags.into_iter().map(SecretTag::from).collect();
    out.sort_by(|a, b| a.key.cmp(&b.key));
    out
}

fn remote_secret(
    secret: wire::Secret,
    tags: Vec<SecretTag>,
    current: Option<String>,
) -> RemoteSecret {
    RemoteSecret {
        state: SecretState::parse(&secret.state).unwrap_or_default(),
        id: secret.id,
        name: secret.name,
        description: secret.description.unwrap_or_default(),
        current_version: current,
        tags,
        update_time: secret.update_time,
    }
}

fn no_secret(name: &str) -> ApiError {
    ApiError::new(
        ErrorCode::RemoteRefused,
        format!("The remote has no secret named {name}."),
    )
}

/// A field rule of the API (`csms::validate`), checked before a write is sent: `what` names the
/// field in the error.
fn check(what: &str, problem: Option<String>) -> Result<(), ApiError> {
    match problem {
        None => Ok(()),
        Some(problem) => Err(ApiError::new(
            ErrorCode::InvalidParameter,
            format!("{what} cannot be sent to the remote: {problem}."),
        )),
    }
}

/// The API's name rule, checked before a write is sent.
fn check_name(name: &str) -> Result<(), ApiError> {
    check("The secret name", crate::csms::validate_name(name))
}

/// The API's description rule, checked before a write is sent.
fn check_description(description: &str) -> Result<(), ApiError> {
    check(
        "The description",
        crate::csms::validate_description(description),
    )
}

impl RemoteApi for HttpRemote {
    fn list(
        &self,
        names: Option<&[String]>,
        progress: Progress<'_>,
    ) -> Result<Vec<RemoteSecret>, ApiError> {
        if let Some(names) = names {
            let names: Arc<Vec<String>> = Arc::new(names.to_vec());
            let found = self.run_all(
                names.len(),
                progress,
                |inner, i| {
                    let names = Arc::clone(&names);
                    async move { inner.one(&names[i]).await }
                },
                || Err(lost_task()),
            );
            let mut out = Vec::new();
            for one in found {
                out.extend(one?);
            }
            return Ok(out);
        }
        let (secrets, mut tags) = self.runtime.block_on(async {
            let inner = &self.inner;
            tokio::try_join!(inner.all_secrets(), inner.all_tags())
        })?;
        let names: Arc<Vec<String>> = Arc::new(secrets.iter().map(|s| s.name.clone()).collect());
        let current = self.run_all(
            names.len(),
            progress,
            |inner, i| {
                let names = Arc::clone(&names);
                async move { inner.current_version(&names[i]).await }
            },
            || Err(lost_task()),
        );
        let mut out = Vec::with_capacity(secrets.len());
        for (secret, current) in secrets.into_iter().zip(current) {
            let tags = tags.remove(&secret.name).unwrap_or_default();
            out.push(remote_secret(secret, tags, current?));
        }
        Ok(out)
    }

    fn versions(
        &self,
        names: &[String],
        progress: Progress<'_>,
    ) -> Vec<Result<Vec<RemoteVersion>, ApiError>> {
        let names: Arc<Vec<String>> = Arc::new(names.to_vec());
        self.run_all(
            names.len(),
            progress,
            |inner, i| {
                let names = Arc::clone(&names);
                async move { inner.versions(&names[i]).await }
            },
            || Err(lost_task()),
        )
    }

    fn values(
        &self,
        wanted: &[(String, String)],
        progress: Progress<'_>,
    ) -> Vec<Result<Value, ApiError>> {
        let wanted: Arc<Vec<(String, String)>> = Arc::new(wanted.to_vec());
        self.run_all(
            wanted.len(),
            progress,
            |inner, i| {
                let wanted = Arc::clone(&wanted);
                async move {
                    let (name, version) = &wanted[i];
                    inner.value(name, version).await
                }
            },
            || Err(lost_task()),
        )
    }

    fn apply(&self, jobs: &[Vec<RemoteWrite>], progress: Progress<'_>) -> Vec<JobOutcome> {
        let jobs: Arc<Vec<Vec<RemoteWrite>>> = Arc::new(jobs.to_vec());
        self.run_all(
            jobs.len(),
            progress,
            |inner, i| {
                let jobs = Arc::clone(&jobs);
                async move {
                    let mut done = Vec::new();
                    for write in &jobs[i] {
                        match inner.write(write).await {
                            Ok(w) => done.push(w),
                            Err(e) => {
                                return JobOutcome {
                                    done,
                                    error: Some(e),
                                };
                            }
                        }
                    }
                    JobOutcome { done, error: None }
                }
            },
            || JobOutcome {
                done: Vec::new(),
                error: Some(lost_task()),
            },
        )
    }
}
