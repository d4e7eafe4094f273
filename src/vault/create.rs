//! Create Secret: validate, resolve the CMK, seal under a fresh data key, write secret + v1 + SYSCURRENT.

use super::notify::fire;
use crate::csms::EventType;
use rusqlite::Connection;
use std::collections::{HashMap, HashSet};

use super::seal::{RequestValue, VersionPlace, seal_version};
use super::settings::{missing_event, new_settings};
use super::{Vault, VaultError, VaultResult, secret_of};
use crate::csms::op::{ImportOutcome, KeyLookup};
use crate::csms::{
    ApiError, CreateSecretRequest, DEFAULT_KEY_ALIAS, ErrorCode, Field, KeyState,
    SECRET_TYPE_COMMON, STAGE_CURRENT, Secret, SecretState, create_problems, first_create_problem,
    refusal, validate_name,
};
use crate::kms::Keyring;
use crate::store::keys::{self as key_rows, KeyRow};
use crate::store::secrets::{self as secret_rows, SecretRow};
use crate::store::{NewVersion, SecretWriter, StoreError, VersionRow};

/// The id of a new secret's first version.
pub(super) const FIRST_VERSION: &str = "v1";

impl Vault {
    /// Create Secret with `kms_key_id` an id, as the API takes it. Validation errors answer with
    /// the first broken rule in field order.
    pub fn create_secret(&self, req: &CreateSecretRequest) -> VaultResult<Secret> {
        self.create_secret_as(req, KeyLookup::Id)
    }

    /// Create Secret with `kms_key_id` read as `keys` says (an alias and `csms/default` too, for
    /// the command line and the terminal app). The first broken rule in field order answers:
    /// the name (also a duplicate, `CSMS.0002`), the key (its form `CSMS.0002`, then missing or
    /// disabled `CSMS.0401`), the description, the value, the type.
    pub fn create_secret_as(
        &self,
        req: &CreateSecretRequest,
        keys: KeyLookup,
    ) -> VaultResult<Secret> {
        let mut store = self.store();
        let tx = store.immediate()?;
        let secret = self.create_in(&tx, req, keys, self.now_ms())?;
        tx.commit().map_err(StoreError::from)?;
        Ok(secret_of(secret))
    }

    /// [`Vault::create_secret_as`] inside the open transaction `conn`, at `now` (epoch ms):
    /// what Create Secret and an import record (vault/import.rs) share. Returns the stored row,
    /// its row id set; its first version is [`FIRST_VERSION`], carrying `SYSCURRENT`.
    pub(super) fn create_in(
        &self,
        conn: &Connection,
        req: &CreateSecretRequest,
        keys: KeyLookup,
        now: i64,
    ) -> VaultResult<SecretRow> {
        // The name is the first field checked: a clash outranks rule breaks in later fields.
        if validate_name(&req.name).is_none() && secret_rows::name_exists(conn, &req.name)? {
            return Err(refusal::duplicate_name(&req.name).into());
        }
        let planned = plan(conn, &self.keyring, req, keys, &mut KeyMemo::new(), now)?;
        let rows = seal(&self.keyring, &planned, new_secret_id(), now)?;
        insert(&mut SecretWriter::new(conn)?, &rows)?;
        fire(
            conn,
            &rows.0,
            EventType::SecretVersionCreated,
            Some(FIRST_VERSION),
            now,
        )?;
        super::read::secret_row(conn, &req.name)
    }

    /// Creates many secrets in one transaction: all of them are there after a crash, or none.
    /// A request that fails does not stop the others. A name already in the vault (whoever made
    /// it, whenever) is `AlreadyExists`; a name repeated within the batch fails as a duplicate
    /// (`CSMS.0002`). Sealing runs on every core; SQLite writes on this thread. Keys are ids.
    pub fn create_secrets(&self, reqs: &[CreateSecretRequest]) -> VaultResult<Vec<ImportOutcome>> {
        let reqs: Vec<&CreateSecretRequest> = reqs.iter().collect();
        self.create_secrets_as(&reqs, KeyLookup::Id)
    }

    /// [`Vault::create_secrets`] with `kms_key_id`s read as `keys` says.
    pub(super) fn create_secrets_as(
        &self,
        reqs: &[&CreateSecretRequest],
        keys: KeyLookup,
    ) -> VaultResult<Vec<ImportOutcome>> {
        let mut store = self.store();
        let tx = store.immediate()?;
        let now = self.now_ms();
        // One look-up for the whole batch: which of its names the vault already holds.
        let names: Vec<&str> = reqs.iter().map(|r| r.name.as_str()).collect();
        let taken = secret_rows::taken_names(&tx, &names)?;
        let mut names_in_batch = HashSet::with_capacity(reqs.len());
        let mut memo = KeyMemo::new();
        let mut plans: Vec<Result<Planned<'_>, ImportOutcome>> = Vec::with_capacity(reqs.len());
        for &req in reqs {
            if !names_in_batch.insert(req.name.as_str()) {
                plans.push(Err(ImportOutcome::Failed(refusal::duplicate_name(
                    &req.name,
                ))));
                continue;
            }
            if taken.contains(&req.name) {
                plans.push(Err(ImportOutcome::AlreadyExists));
                continue;
            }
            plans.push(match plan(&tx, &self.keyring, req, keys, &mut memo, now) {
                Ok(planned) => Ok(planned),
                Err(VaultError::Api(e)) => Err(ImportOutcome::Failed(e)),
                Err(other) => return Err(other),
            });
        }
        let mut writer = SecretWriter::new(&tx)?;
        let outcomes = seal_and_insert(&self.keyring, plans, now, |rows| {
            insert(&mut writer, &rows)?;
            fire(
                &tx,
                &rows.0,
                EventType::SecretVersionCreated,
                Some(FIRST_VERSION),
                now,
            )?;
            Ok(ImportOutcome::Created(secret_of(rows.0)))
        })?;
        drop(writer);
        // A batch rewrites pages all over the by-id index (ids are random), so checkpointing
        // after nearly every batch copied them, and synced the file, again and again. During a
        // batch the log may grow to BULK_CHECKPOINT_PAGES first; the commit itself is as
        // durable as ever (the log is synced before it returns).
        let was = crate::store::checkpoint_at(&tx, BULK_CHECKPOINT_PAGES)?;
        let committed = tx.commit();
        // Best effort: the batch is committed whatever this says; a threshold left high only
        // lets the log grow longer before the next checkpoint.
        let _ = crate::store::checkpoint_at(store.conn_ref(), was);
        committed.map_err(StoreError::from)?;
        Ok(outcomes)
    }
}

/// The log length, in pages of 4 KiB (32 MiB), at which an import batch's commit copies the log
/// into the vault file; SQLite's default is 1,000. A
/// checkpoint is then due about every ten batches of 2,000 secrets instead of every one.
pub(super) const BULK_CHECKPOINT_PAGES: i64 = 8192;

/// A valid request whose CMK is resolved and loaded, ready to seal.
struct Planned<'r> {
    req: &'r CreateSecretRequest,
    key_id: String,
}

type Rows = (SecretRow, VersionRow);

/// The CMK ids that requests' `kms_key_id`s resolved to within one transaction.
type KeyMemo = HashMap<Option<String>, String>;

/// Validates a request (its name already checked free) and makes its CMK ready. The key is
/// checked in its place in field order: after the name, before the description and the value;
/// the default key is made only for a request that passes every check.
fn plan<'r>(
    conn: &Connection,
    keyring: &Keyring,
    req: &'r CreateSecretRequest,
    keys: KeyLookup,
    memo: &mut KeyMemo,
    now: i64,
) -> VaultResult<Planned<'r>> {
    let (up_to_key, after_key): (Vec<_>, Vec<_>) = create_problems(req, keys)
        .into_iter()
        .partition(|p| matches!(p.field, Field::Name | Field::KmsKeyId));
    first_create_problem(&up_to_key)?;
    let found = match memo.get(&req.kms_key_id) {
        Some(_) => None,
        None => Some(find_key_ref(conn, req.kms_key_id.as_deref(), keys)?),
    };
    first_create_problem(&after_key)?;
    first_create_problem(
        &missing_event(conn, &req.settings())?
            .into_iter()
            .collect::<Vec<_>>(),
    )?;
    let key_id = match found {
        None => memo.get(&req.kms_key_id).cloned().unwrap_or_default(),
        Some(found) => {
            let key = make_ready(conn, keyring, found, now)?;
            memo.insert(req.kms_key_id.clone(), key.key_id.clone());
            key.key_id
        }
    };
    Ok(Planned { req, key_id })
}

fn new_secret_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Secret ids for a whole chunk from one draw of the system random source (ids are not secret).
fn secret_ids(count: usize) -> VaultResult<Vec<String>> {
    let mut random = vec![0u8; count * 16];
    getrandom::fill(&mut random).map_err(|_| crate::kms::KmsError::Random)?;
    let (chunks, _) = random.as_chunks::<16>();
    Ok(chunks
        .iter()
        .map(|bytes| {
            uuid::Builder::from_random_bytes(*bytes)
                .into_uuid()
                .to_string()
        })
        .collect())
}

/// Requests sealed per piece of work: small, so that the first rows are written while the rest
/// is still being sealed.
const SEAL_CHUNK: usize = 64;

/// Seals every planned request and hands each one's rows to `write`, in request order; the
/// outcome of each request, in order. Sealing runs on every core while `write` runs on this
/// thread (SQLite's), so the writes of one piece overlap the sealing of the next ones.
fn seal_and_insert<'r>(
    keyring: &Keyring,
    plans: Vec<Result<Planned<'r>, ImportOutcome>>,
    now: i64,
    mut write: impl FnMut(Rows) -> VaultResult<ImportOutcome>,
) -> VaultResult<Vec<ImportOutcome>> {
    let seal_chunk =
        |chunk: &[Result<Planned<'r>, ImportOutcome>]| -> VaultResult<Vec<Option<Rows>>> {
            let ids = secret_ids(chunk.len())?;
            chunk
                .iter()
                .zip(ids)
                .map(|(p, id)| match p {
                    Ok(planned) => seal(keyring, planned, id, now).map(Some),
                    Err(_) => Ok(None),
                })
                .collect()
        };
    let workers = std::thread::available_parallelism().map_or(1, usize::from);
    let chunks: Vec<&[Result<Planned<'r>, ImportOutcome>]> = plans.chunks(SEAL_CHUNK).collect();
    let mut sealed: Vec<Option<Rows>> = Vec::with_capacity(plans.len());
    if workers == 1 || chunks.len() < 2 {
        for chunk in &chunks {
            sealed.extend(seal_chunk(chunk)?);
        }
        return in_order(plans, sealed, write);
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let stop = std::sync::atomic::AtomicBool::new(false);
    let mut outcomes = Vec::with_capacity(plans.len());
    let mut written = 0;
    std::thread::scope(|scope| -> VaultResult<()> {
        let (done, ready) = std::sync::mpsc::channel();
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let done = done.clone();
                let (chunks, next, stop) = (&chunks, &next, &stop);
                scope.spawn(move || {
                    use std::sync::atomic::Ordering::Relaxed;
                    while !stop.load(Relaxed) {
                        let at = next.fetch_add(1, Relaxed);
                        let Some(chunk) = chunks.get(at) else { break };
                        if done.send((at, seal_chunk(chunk))).is_err() {
                            break;
                        }
                    }
                })
            })
            .collect();
        drop(done);
        // Pieces arrive in any order; each is written once those before it are.
        let mut parked: Vec<Option<Vec<Option<Rows>>>> = (0..chunks.len()).map(|_| None).collect();
        let mut write_all = || -> VaultResult<()> {
            let mut next_chunk = 0;
            while next_chunk < chunks.len() {
                let (at, rows) = ready.recv().map_err(|_| sealing_panicked())?;
                if let Some(slot) = parked.get_mut(at) {
                    *slot = Some(rows?);
                }
                while let Some(rows) = parked.get_mut(next_chunk).and_then(Option::take) {
                    for (plan, rows) in chunks[next_chunk].iter().zip(rows) {
                        outcomes.push(match (plan, rows) {
                            (Ok(_), Some(rows)) => write(rows)?,
                            (Err(outcome), _) => outcome.clone(),
                            (Ok(_), None) => return Err(sealing_panicked()),
                        });
                        written += 1;
                    }
                    next_chunk += 1;
                }
            }
            Ok(())
        };
        let result = write_all();
        // On a failure the workers stop after the piece they are sealing.
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        drop(ready);
        let mut panicked = false;
        for handle in handles {
            panicked |= handle.join().is_err();
        }
        result?;
        if panicked {
            return Err(sealing_panicked());
        }
        Ok(())
    })?;
    if written == plans.len() {
        Ok(outcomes)
    } else {
        Err(sealing_panicked())
    }
}

/// The outcomes of `plans` whose rows (one per plan, `None` for the refused) are `sealed`,
/// each sealed one written by `write`, in order.
fn in_order(
    plans: Vec<Result<Planned<'_>, ImportOutcome>>,
    sealed: Vec<Option<Rows>>,
    mut write: impl FnMut(Rows) -> VaultResult<ImportOutcome>,
) -> VaultResult<Vec<ImportOutcome>> {
    plans
        .into_iter()
        .zip(sealed)
        .map(|(plan, rows)| match (plan, rows) {
            (Ok(_), Some(rows)) => write(rows),
            (Err(outcome), _) => Ok(outcome),
            (Ok(_), None) => Err(sealing_panicked()),
        })
        .collect()
}

fn sealing_panicked() -> VaultError {
    ApiError::new(
        ErrorCode::Internal,
        "A sealing worker failed; nothing of this batch was written.",
    )
    .into()
}

/// The rows of a new secret: its record, and version v1 sealed under a fresh data key.
fn seal(
    keyring: &Keyring,
    planned: &Planned<'_>,
    secret_id: String,
    now: i64,
) -> VaultResult<Rows> {
    let req = planned.req;
    let version = seal_version(
        keyring,
        &VersionPlace {
            secret_id: &secret_id,
            version_id: FIRST_VERSION,
            key_id: &planned.key_id,
            create_time: now,
            expire_time: None,
        },
        RequestValue {
            secret_string: req.secret_string.as_ref(),
            secret_binary: req.secret_binary.as_ref(),
        },
    )?;
    let (settings, auto_rotation_since) = new_settings(&req.settings(), now);
    let secret = SecretRow {
        row_id: 0,
        id: secret_id,
        name: req.name.clone(),
        state: SecretState::Enabled,
        kms_key_id: planned.key_id.clone(),
        description: req.description.clone(),
        secret_type: SECRET_TYPE_COMMON.into(),
        create_time: now,
        update_time: now,
        scheduled_delete_time: None,
        settings,
        auto_rotation_since,
    };
    Ok((secret, version))
}

fn insert(writer: &mut SecretWriter<'_>, (secret, version): &Rows) -> VaultResult<()> {
    writer.insert(
        secret,
        &NewVersion {
            row: version,
            seq: 1,
            stages: &[STAGE_CURRENT],
        },
    )?;
    Ok(())
}

/// A CMK a request names: a stored, enabled key, or the default key not made yet.
pub(super) enum KeyRef {
    Stored(KeyRow),
    DefaultToMake,
}

/// The enabled CMK a request names, inside the request's transaction: by id, or with
/// [`KeyLookup::IdOrAlias`] also by alias; the default key when it names none (or, with
/// `IdOrAlias`, names `csms/default`). Nothing is written. `CSMS.0401` when the key is missing
/// or disabled.
pub(super) fn find_key_ref(
    conn: &Connection,
    key: Option<&str>,
    keys: KeyLookup,
) -> VaultResult<KeyRef> {
    let found = match (key, keys) {
        (None, _) | (Some(DEFAULT_KEY_ALIAS), KeyLookup::IdOrAlias) => {
            key_rows::find(conn, DEFAULT_KEY_ALIAS)?
        }
        (Some(id), KeyLookup::Id) => key_rows::find_by_id(conn, id)?,
        (Some(id_or_alias), KeyLookup::IdOrAlias) => key_rows::find(conn, id_or_alias)?,
    };
    let key = match (found, key) {
        (Some(row), _) => row,
        (None, Some(given)) if !(given == DEFAULT_KEY_ALIAS && keys == KeyLookup::IdOrAlias) => {
            return Err(ApiError::new(
                ErrorCode::KeyUnusable,
                format!("The CMK {given} does not exist in this vault."),
            )
            .into());
        }
        (None, _) => return Ok(KeyRef::DefaultToMake),
    };
    if key.state != KeyState::Enabled {
        return Err(ApiError::new(
            ErrorCode::KeyUnusable,
            format!("The CMK {} ({}) is disabled.", key.key_id, key.alias),
        )
        .into());
    }
    Ok(KeyRef::Stored(key))
}

/// The key of `found`, its material unwrapped and ready; the default key made now (first use).
pub(super) fn make_ready(
    conn: &Connection,
    keyring: &Keyring,
    found: KeyRef,
    now: i64,
) -> VaultResult<KeyRow> {
    let key = match found {
        KeyRef::Stored(key) => key,
        KeyRef::DefaultToMake => {
            super::keys::create_key_in(conn, keyring, DEFAULT_KEY_ALIAS, "", true, now)?
        }
    };
    if !keyring.is_loaded(&key.key_id) {
        keyring.load_cmk(&key.key_id, &key_rows::wrapped_material(conn, &key.key_id)?)?;
    }
    Ok(key)
}
