//! Tags: set, remove and list a secret's tags, every key and value in use, and the secrets
//! carrying given tags (`ListResourceInstances`, `secret list --tag`, with `--filter` and
//! `--state`); docs/DECISIONS.md "tags", "`ListProjectSecretsTags`", "`ListResourceInstances`",
//! "Tags (issue 14)", "Issue 15: output for people".

use rusqlite::Connection;

use super::read::secret_row;
use super::rules::require_not_pending;
use super::{Vault, VaultResult, secret_of};
use crate::csms::op::{Request, Response};
use crate::csms::{
    ApiError, BatchCreateOrDeleteTagsRequest, CreateSecretTagRequest, ErrorCode, Field, FieldError,
    ListProjectSecretsTagsResponse, ListResourceInstancesRequest, ListResourceInstancesResponse,
    ListSecretTagsResponse, ListSecretsResponse, MAX_TAGS_PER_SECRET, NamedTags, PageInfo,
    ProjectTag, ResourceInstance, Secret, SecretFilter, SecretRef, SecretTag, TagAction, TagFilter,
    first_problem, page_limit, tag_key_length_problem,
};
use crate::store::tags::{self as tag_rows, Search};
use crate::store::{SecretRow, StoreError};

/// The secret a tag operation names: by id (`CSMS.0106` when no secret has it) or by name.
fn resolve(conn: &Connection, secret: &SecretRef) -> VaultResult<SecretRow> {
    match secret {
        SecretRef::Name(name) => secret_row(conn, name),
        SecretRef::Id(id) => tag_rows::secret_by_id(conn, id)?.ok_or_else(|| {
            // An id is echoed only when it reads as one (a path may carry anything).
            let shown =
                id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
            let msg = if shown && !id.is_empty() {
                format!("No secret has the id {id}.")
            } else {
                "No secret has that id.".to_owned()
            };
            ApiError::new(ErrorCode::SecretNotFound, msg).into()
        }),
    }
}

/// `CSMS.0203`: a tag beyond the 20 a secret may carry.
fn too_many(name: &str, would_have: usize) -> ApiError {
    ApiError::new(
        ErrorCode::StageQuota,
        format!(
            "The secret {name} would carry {would_have} tags; at most {MAX_TAGS_PER_SECRET}. Remove one first."
        ),
    )
}

fn tags_of(conn: &Connection, secret_row: i64) -> VaultResult<Vec<SecretTag>> {
    Ok(tag_rows::of_secret(conn, secret_row)?
        .into_iter()
        .map(|(key, value)| SecretTag { key, value })
        .collect())
}

impl Vault {
    /// The tag operations' arms of [`Vault::execute`]; any other request is a bug
    /// (`CSMS.0500`).
    pub(super) fn execute_tags(&self, request: &Request) -> VaultResult<Response> {
        Ok(match request {
            Request::CreateSecretTag { secret, body } => {
                self.create_tag(secret, body)?;
                Response::NoContent
            }
            Request::DeleteSecretTag { secret, key } => {
                self.delete_tag(secret, key)?;
                Response::NoContent
            }
            Request::ListSecretTags { secret } => Response::SecretTags(self.list_tags(secret)?),
            Request::BatchCreateOrDeleteTags { secret, body } => {
                self.batch_tags(secret, body)?;
                Response::NoContent
            }
            Request::ListProjectSecretsTags => Response::ProjectTags(self.project_tags()?),
            Request::ListResourceInstances(body) => Response::Resources(self.list_resources(body)?),
            Request::ListSecretsFiltered {
                limit,
                marker,
                filter,
            } => {
                Response::Secrets(self.list_secrets_filtered(*limit, marker.as_deref(), filter)?)
            }
            Request::ListAllTags => Response::AllTags(self.all_tags()?),
            _ => {
                return Err(ApiError::new(
                    ErrorCode::Internal,
                    "A request that is not a tag operation reached the tag operations.",
                )
                .into());
            }
        })
    }

    /// `CreateSecretTag`: sets one tag (a key it has already takes the new value, also at 20
    /// tags; an absent value is `""`). The secret's `update_time` stays. Errors, in order:
    /// `CSMS.0002` the key or value breaks its rule, `CSMS.0106` no such secret, `CSMS.0103`
    /// pending deletion, `CSMS.0203` a 21st tag. Nothing is written on an error.
    pub fn create_tag(&self, secret: &SecretRef, body: &CreateSecretTagRequest) -> VaultResult<()> {
        first_problem(&body.problems())?;
        let mut store = self.store();
        let tx = store.immediate()?;
        let row = resolve(&tx, secret)?;
        require_not_pending(&row)?;
        let key = &body.tag.key;
        if tag_rows::value_of(&tx, row.row_id, key)?.is_none() {
            let n = tag_rows::count(&tx, row.row_id)?;
            if n >= MAX_TAGS_PER_SECRET {
                return Err(too_many(&row.name, n + 1).into());
            }
        }
        tag_rows::set(
            &tx,
            row.row_id,
            key,
            body.tag.value.as_deref().unwrap_or(""),
        )?;
        tx.commit().map_err(StoreError::from)?;
        Ok(())
    }

    /// `DeleteSecretTag`: removes the tag `key`. Errors, in order: `CSMS.0002` a key of no
    /// 1–128 characters, `CSMS.0106` no such secret, `CSMS.0103` pending deletion, `CSMS.0005`
    /// the secret has no such tag.
    pub fn delete_tag(&self, secret: &SecretRef, key: &str) -> VaultResult<()> {
        if let Some(m) = tag_key_length_problem(key) {
            return Err(FieldError::new(Field::TagKey, m).to_api().into());
        }
        let mut store = self.store();
        let tx = store.immediate()?;
        let row = resolve(&tx, secret)?;
        require_not_pending(&row)?;
        if !tag_rows::remove(&tx, row.row_id, key, None)? {
            return Err(ApiError::new(
                ErrorCode::VersionNotFound,
                format!("The secret {} has no tag {key}.", row.name),
            )
            .into());
        }
        tx.commit().map_err(StoreError::from)?;
        Ok(())
    }

    /// `ListSecretTags`: the secret's tags by key, in any state. Errors: `CSMS.0106`.
    pub fn list_tags(&self, secret: &SecretRef) -> VaultResult<ListSecretTagsResponse> {
        let mut store = self.store();
        let snapshot = store.snapshot()?;
        let conn: &Connection = &snapshot;
        let row = resolve(conn, secret)?;
        Ok(ListSecretTagsResponse {
            tags: tags_of(conn, row.row_id)?,
            sys_tags: Vec::new(),
        })
    }

    /// `BatchCreateOrDeleteTags`: all of the list or nothing. `create` sets each tag as
    /// [`Vault::create_tag`] does; `delete` removes each key (only while its value is the one
    /// given, when one is), a key that is not there ignored. Errors, in order: `CSMS.0002` the
    /// action, the list (1–20 tags, no key twice) or a tag breaks a rule, `CSMS.0106`,
    /// `CSMS.0103`, `CSMS.0203` more than 20 tags after the change.
    pub fn batch_tags(
        &self,
        secret: &SecretRef,
        body: &BatchCreateOrDeleteTagsRequest,
    ) -> VaultResult<()> {
        first_problem(&body.problems())?;
        let mut store = self.store();
        let tx = store.immediate()?;
        let row = resolve(&tx, secret)?;
        require_not_pending(&row)?;
        if body.action() == Some(TagAction::Delete) {
            for tag in &body.tags {
                tag_rows::remove(&tx, row.row_id, &tag.key, tag.value.as_deref())?;
            }
        } else {
            let mut added = 0;
            for tag in &body.tags {
                if tag_rows::value_of(&tx, row.row_id, &tag.key)?.is_none() {
                    added += 1;
                }
            }
            let n = tag_rows::count(&tx, row.row_id)? + added;
            if n > MAX_TAGS_PER_SECRET {
                return Err(too_many(&row.name, n).into());
            }
            for tag in &body.tags {
                tag_rows::set(
                    &tx,
                    row.row_id,
                    &tag.key,
                    tag.value.as_deref().unwrap_or(""),
                )?;
            }
        }
        tx.commit().map_err(StoreError::from)?;
        Ok(())
    }

    /// `ListProjectSecretsTags`: every key in use (secrets in every state) with its distinct
    /// values, keys and values in byte order.
    pub fn project_tags(&self) -> VaultResult<ListProjectSecretsTagsResponse> {
        let tags = tag_rows::project(self.store().conn_ref())?
            .into_iter()
            .map(|(key, values)| ProjectTag { key, values })
            .collect();
        Ok(ListProjectSecretsTagsResponse { tags })
    }

    /// `ListResourceInstances`: the secrets (in every state) carrying every `tags` entry whose
    /// names hold every `matches` value (ASCII case ignored; `""` matches nothing). `filter`
    /// answers the page (`offset` skipped, at most `limit`, by name) with each secret's record
    /// and tags, and the count of every match; `count` the count alone. A tag filter walks the
    /// `tags_by_key_value` index. Errors: `CSMS.0002` as the body's rules say.
    pub fn list_resources(
        &self,
        body: &ListResourceInstancesRequest,
    ) -> VaultResult<ListResourceInstancesResponse> {
        first_problem(&body.problems())?;
        let filters = body.tags.as_deref().unwrap_or_default();
        let names: Vec<String> = body
            .matches
            .iter()
            .flatten()
            .map(|m| m.value.to_ascii_lowercase())
            .collect();
        let nothing = names.iter().any(String::is_empty);
        let counts_only = body.counts_only();
        if nothing {
            return Ok(ListResourceInstancesResponse {
                resources: (!counts_only).then(Vec::new),
                total_count: 0,
            });
        }
        let search = Search {
            tags: filters,
            names: &names,
            ..Search::default()
        };
        let mut store = self.store();
        let snapshot = store.snapshot()?;
        let conn: &Connection = &snapshot;
        let total_count = tag_rows::count_found(conn, &search)?;
        if counts_only {
            return Ok(ListResourceInstancesResponse {
                resources: None,
                total_count,
            });
        }
        let rows = tag_rows::find(conn, &search, false, body.page_limit(), body.page_offset())?;
        let mut resources = Vec::with_capacity(rows.len());
        for row in rows {
            let tags = tags_of(conn, row.row_id)?;
            let detail = secret_of(row);
            resources.push(ResourceInstance {
                resource_id: detail.id.clone(),
                resource_name: detail.name.clone(),
                resource_detail: detail,
                tags,
                sys_tags: Vec::new(),
            });
        }
        Ok(ListResourceInstancesResponse {
            resources: Some(resources),
            total_count,
        })
    }

    /// List Secrets of the secrets carrying every one of `tags`: [`Vault::list_secrets_filtered`]
    /// with tags alone.
    pub fn list_secrets_tagged(
        &self,
        limit: Option<usize>,
        marker: Option<&str>,
        tags: &[TagFilter],
    ) -> VaultResult<ListSecretsResponse> {
        let filter = SecretFilter {
            tags: tags.to_vec(),
            ..SecretFilter::default()
        };
        self.list_secrets_filtered(limit, marker, &filter)
    }

    /// List Secrets of the secrets `filter` lets through (local: `secret list --filter --state
    /// --tag`, issue 15), paged as [`Vault::list_secrets`]: by name, `marker` exclusive, `limit`
    /// 1–1000 (default 50). One statement walks the names index (or the tag index, for tags),
    /// so a page costs about the secrets read to fill it. Errors: `CSMS.0002` a bad limit,
    /// marker or filter (its text, state or a tag's key or value).
    pub fn list_secrets_filtered(
        &self,
        limit: Option<usize>,
        marker: Option<&str>,
        filter: &SecretFilter,
    ) -> VaultResult<ListSecretsResponse> {
        let limit = page_limit(limit)?;
        let marker = super::rules::name_marker(marker)?;
        first_problem(&filter.problems())?;
        let mut store = self.store();
        let snapshot = store.snapshot()?;
        let conn: &Connection = &snapshot;
        let tags = filter.tags.as_slice();
        let text = filter.text.as_deref();
        let state = filter.state.as_deref();
        let after = Search {
            tags,
            text,
            state,
            after: marker,
            ..Search::default()
        };
        let mut rows = tag_rows::find(conn, &after, false, limit + 1, 0)?;
        let more = rows.len() > limit;
        rows.truncate(limit);
        let secrets: Vec<Secret> = rows.into_iter().map(secret_of).collect();
        let next_marker = more
            .then(|| secrets.last().map(|s| s.name.clone()))
            .flatten();
        let previous_marker = match secrets.first() {
            Some(first) => {
                let before = Search {
                    tags,
                    text,
                    state,
                    before: Some(&first.name),
                    ..Search::default()
                };
                tag_rows::find(conn, &before, true, 1, limit)?
                    .pop()
                    .map(|r| r.name)
            }
            None => None,
        };
        Ok(ListSecretsResponse {
            page_info: PageInfo {
                next_marker,
                previous_marker,
                current_count: secrets.len(),
            },
            secrets,
        })
    }

    /// Every secret's tags (only secrets that have some; in no particular order of secrets, each
    /// secret's by key).
    pub fn all_tags(&self) -> VaultResult<Vec<NamedTags>> {
        let mut store = self.store();
        let snapshot = store.snapshot()?;
        Ok(tag_rows::all_by_secret(&snapshot)?
            .into_iter()
            .map(|(name, tags)| NamedTags {
                name,
                tags: tags
                    .into_iter()
                    .map(|(key, value)| SecretTag { key, value })
                    .collect(),
            })
            .collect())
    }
}
