//! Import Records (issue 16): a batch of records of csvault's own format in one transaction,
//! each record whole or not at all. Plain records take the batch path of Create Secret
//! (`create_secrets_as`); the others are made one by one, each in a savepoint of its own.

use std::collections::HashSet;

use rusqlite::Connection;

use super::create::{BULK_CHECKPOINT_PAGES, FIRST_VERSION};
use super::notify::fire;
use super::seal::{RequestValue, VersionPlace, seal_version};
use super::{GroupGuard, Vault, VaultError, VaultResult, secret_of};
use crate::csms::op::{
    ImportOutcome, ImportRecordsRequest, ImportRecordsResponse, KeyLookup, SecretRecord,
};
use crate::csms::{
    ApiError, CreateSecretRequest, ErrorCode, EventType, STAGE_CURRENT, SecretState, refusal,
    validate_name,
};
use crate::store::secrets as secret_rows;
use crate::store::tags as tag_rows;
use crate::store::versions as version_rows;
use crate::store::{NewVersion, SecretRow, StoreError, checkpoint_at};

impl Vault {
    /// Import Records: every record's outcome in the order given. A name already in the vault
    /// is `AlreadyExists` (a re-run skips what the last run made); a name given twice in the
    /// batch fails the later record (`CSMS.0002`); a record breaking a rule fails alone and
    /// leaves nothing of itself. All that succeeded is committed together, or with `dry_run`
    /// rolled back. Errors (the whole batch undone): `VAULT.0005` busy, `VAULT.0007` storage.
    pub fn import_records(&self, req: &ImportRecordsRequest) -> VaultResult<ImportRecordsResponse> {
        let records = &req.records;
        let mut outcomes: Vec<Option<ImportOutcome>> = vec![None; records.len()];
        let mut names = HashSet::with_capacity(records.len());
        let mut plain: Vec<(usize, &CreateSecretRequest)> = Vec::new();
        let mut others: Vec<usize> = Vec::new();
        for (at, record) in records.iter().enumerate() {
            if !names.insert(record.create.name.as_str()) {
                outcomes[at] = Some(ImportOutcome::Failed(refusal::duplicate_name(
                    &record.create.name,
                )));
            } else if record.is_plain() {
                plain.push((at, &record.create));
            } else {
                others.push(at);
            }
        }
        self.store().begin_group()?;
        let guard = GroupGuard(self);
        let done = self.import_in_group(records, &plain, &others, req.keys, &mut outcomes);
        std::mem::forget(guard);
        if let Err(e) = done {
            self.store().abort_group();
            return Err(e);
        }
        if req.dry_run {
            self.store().abort_group();
        } else {
            // As Create Secret's batches do: the log may grow longer before this commit copies it
            // into the file; the commit is as durable as ever.
            // Best effort both ways: the group is committed (or undone) whatever they say; a
            // threshold left as it was only checkpoints sooner, one left high only later.
            let was = checkpoint_at(self.store().conn_ref(), BULK_CHECKPOINT_PAGES).ok();
            let committed = self.store().commit_group();
            if let Some(was) = was {
                let _ = checkpoint_at(self.store().conn_ref(), was);
            }
            committed?;
        }
        let outcomes = outcomes
            .into_iter()
            .map(|o| o.unwrap_or_else(|| ImportOutcome::Failed(lost_outcome())))
            .collect();
        Ok(ImportRecordsResponse { outcomes })
    }

    fn import_in_group(
        &self,
        records: &[SecretRecord],
        plain: &[(usize, &CreateSecretRequest)],
        others: &[usize],
        keys: KeyLookup,
        outcomes: &mut [Option<ImportOutcome>],
    ) -> VaultResult<()> {
        if !plain.is_empty() {
            let reqs: Vec<&CreateSecretRequest> = plain.iter().map(|(_, r)| *r).collect();
            let made = self.create_secrets_as(&reqs, keys)?;
            for ((at, _), outcome) in plain.iter().zip(made) {
                outcomes[*at] = Some(outcome);
            }
        }
        for &at in others {
            outcomes[at] = Some(self.import_record(&records[at], keys)?);
        }
        Ok(())
    }

    /// One record in a savepoint of its own: kept whole, or rolled back whole.
    fn import_record(&self, record: &SecretRecord, keys: KeyLookup) -> VaultResult<ImportOutcome> {
        let name = &record.create.name;
        let mut store = self.store();
        let tx = store.immediate()?;
        if validate_name(name).is_none() && secret_rows::name_exists(&tx, name)? {
            return Ok(ImportOutcome::AlreadyExists);
        }
        if let Err(e) = record.check_extras() {
            return Ok(ImportOutcome::Failed(e));
        }
        match self.record_in(&tx, record, keys, self.now_ms()) {
            Ok(secret) => {
                tx.commit().map_err(StoreError::from)?;
                Ok(ImportOutcome::Created(secret_of(secret)))
            }
            // Dropping `tx` rolls the savepoint back: nothing of the record stays.
            Err(VaultError::Api(e)) => Ok(ImportOutcome::Failed(e)),
            Err(other) => Err(other),
        }
    }

    /// Writes a checked record in `conn`: the secret with its first version, each later version
    /// in order with exactly its stages and expiry, the tags, the state.
    fn record_in(
        &self,
        conn: &Connection,
        record: &SecretRecord,
        keys: KeyLookup,
        now: i64,
    ) -> VaultResult<SecretRow> {
        let mut secret = self.create_in(conn, &record.first_create(), keys, now)?;
        if let Some((first, later)) = record.versions.as_deref().and_then(<[_]>::split_first) {
            for stage in first.version_stages.iter().filter(|s| *s != STAGE_CURRENT) {
                version_rows::set_stage(conn, secret.row_id, stage, FIRST_VERSION, now)?;
            }
            if let Some(expire) = first.expire_time {
                version_rows::set_expire_time(conn, secret.row_id, FIRST_VERSION, expire)?;
            }
            for version in later {
                let seq = version_rows::next_seq(conn, secret.row_id)?;
                let version_id = format!("v{seq}");
                let row = seal_version(
                    &self.keyring,
                    &VersionPlace {
                        secret_id: &secret.id,
                        version_id: &version_id,
                        key_id: &secret.kms_key_id,
                        create_time: now,
                        expire_time: version.expire_time,
                    },
                    RequestValue {
                        secret_string: version.secret_string.as_ref(),
                        secret_binary: version.secret_binary.as_ref(),
                    },
                )?;
                // Each stage is on one version of the record: SYSCURRENT moves here from v1 if
                // this version has it, nothing else moves.
                let stages: Vec<&str> = version.version_stages.iter().map(String::as_str).collect();
                version_rows::insert(
                    conn,
                    secret.row_id,
                    &NewVersion {
                        row: &row,
                        seq,
                        stages: &stages,
                    },
                )?;
                fire(
                    conn,
                    &secret,
                    EventType::SecretVersionCreated,
                    Some(&version_id),
                    now,
                )?;
            }
        }
        for tag in &record.tags {
            tag_rows::set(
                conn,
                secret.row_id,
                &tag.key,
                tag.value.as_deref().unwrap_or(""),
            )?;
        }
        if record.wanted_state()? == SecretState::Disabled {
            secret.state = SecretState::Disabled;
            secret_rows::save(conn, &secret)?;
        }
        Ok(secret)
    }
}

/// A record the batch gave no outcome for: a bug.
fn lost_outcome() -> ApiError {
    ApiError::new(ErrorCode::Internal, "The import lost a record's outcome.")
}
