//! Backup blobs: Download Secret Blob packs a secret (metadata, every version as it is stored —
//! ciphertext and wrapped data key, never plaintext — its stages and its tags) and seals it under
//! this vault's blob key; Upload Secret Blob restores it exactly, or refuses with nothing written
//! (docs/DECISIONS.md "backup blob").
//!
//! Format: `csvb1.` + base64url (no padding) of the sealed payload. The payload is
//! `u32 len ‖ JSON metadata ‖ (u32 len ‖ wrapped data key ‖ u32 len ‖ ciphertext)*`, one pair per
//! version in the metadata's order, lengths big-endian.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use super::read::secret_row;
use super::{Vault, VaultResult, secret_of};
use crate::csms::{ApiError, ErrorCode, KeyState, Secret, SecretSettings, SecretState, ValueKind};
use crate::store::keys as key_rows;
use crate::store::secrets::SecretWriter;
use crate::store::versions as version_rows;
use crate::store::{NewVersion, SecretRow, StoreError, VersionRow};

const PREFIX: &str = "csvb1.";
/// The API's limit on `secret_blob`, in characters.
pub const MAX_BLOB_CHARS: usize = 5 * 1024 * 1024;

/// What a blob says about its secret and versions (no key material, no plaintext).
#[derive(Serialize, Deserialize)]
struct Manifest {
    id: String,
    name: String,
    description: Option<String>,
    kms_key_id: String,
    secret_type: String,
    create_time: i64,
    update_time: i64,
    next_version: i64,
    versions: Vec<ManifestVersion>,
    stages: Vec<ManifestStage>,
    /// The rotation, subscription and project fields (absent from blobs made before issue 14).
    #[serde(default)]
    settings: SecretSettings,
    #[serde(default)]
    auto_rotation_since: Option<i64>,
    /// The secret's tags as (key, value), by key (absent from blobs made before tags).
    #[serde(default)]
    tags: Vec<(String, String)>,
}

#[derive(Serialize, Deserialize)]
struct ManifestVersion {
    id: String,
    seq: i64,
    kms_key_id: String,
    binary: bool,
    create_time: i64,
    expire_time: Option<i64>,
}

#[derive(Serialize, Deserialize)]
struct ManifestStage {
    name: String,
    version_id: String,
    update_time: i64,
}

fn bad_blob(why: &str) -> ApiError {
    ApiError::new(
        ErrorCode::MalformedBody,
        format!("Invalid secret_blob: {why}."),
    )
}

fn push_chunk(out: &mut Vec<u8>, bytes: &[u8]) {
    let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(bytes);
}

fn take_chunk<'a>(rest: &mut &'a [u8]) -> Result<&'a [u8], ApiError> {
    let truncated = || bad_blob("its contents are truncated");
    let (len, tail) = rest.split_first_chunk::<4>().ok_or_else(truncated)?;
    let len = usize::try_from(u32::from_be_bytes(*len)).map_err(|_| truncated())?;
    if tail.len() < len {
        return Err(truncated());
    }
    let (chunk, tail) = tail.split_at(len);
    *rest = tail;
    Ok(chunk)
}

impl Vault {
    /// Download Secret Blob, in any state. Errors: `CSMS.0106`.
    pub fn download_blob(&self, name: &str) -> VaultResult<String> {
        let mut store = self.store();
        let snapshot = store.snapshot()?;
        let conn: &rusqlite::Connection = &snapshot;
        let secret = secret_row(conn, name)?;
        let versions = version_rows::all(conn, secret.row_id)?;
        let manifest = Manifest {
            next_version: version_rows::next_seq(conn, secret.row_id)?,
            versions: versions
                .iter()
                .map(|(seq, v)| ManifestVersion {
                    id: v.version_id.clone(),
                    seq: *seq,
                    kms_key_id: v.kms_key_id.clone(),
                    binary: v.kind == ValueKind::Binary,
                    create_time: v.create_time,
                    expire_time: v.expire_time,
                })
                .collect(),
            stages: version_rows::stages(conn, secret.row_id)?
                .into_iter()
                .map(|s| ManifestStage {
                    name: s.stage,
                    version_id: s.version_id,
                    update_time: s.update_time,
                })
                .collect(),
            id: secret.id,
            name: secret.name,
            description: secret.description,
            kms_key_id: secret.kms_key_id,
            secret_type: secret.secret_type,
            create_time: secret.create_time,
            update_time: secret.update_time,
            settings: secret.settings,
            auto_rotation_since: secret.auto_rotation_since,
            tags: crate::store::tags::of_secret(conn, secret.row_id)?,
        };
        let json = serde_json::to_vec(&manifest)
            .map_err(|_| ApiError::new(ErrorCode::Internal, "The blob could not be written."))?;
        let mut payload = Vec::with_capacity(json.len() + versions.len() * 40_000);
        push_chunk(&mut payload, &json);
        for (_, v) in &versions {
            push_chunk(&mut payload, &v.wrapped_data_key);
            push_chunk(&mut payload, &v.ciphertext);
        }
        let sealed = self.keyring.seal_blob(&payload)?;
        Ok(format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(sealed)))
    }

    /// Upload Secret Blob: restores the secret exactly (name, id, description, CMK, versions,
    /// stages, tags), `ENABLED`. Errors, with nothing written: `CSMS.0004` not a blob of this vault
    /// or changed, `CSMS.0002` the name exists (in any state), `CSMS.0401` a CMK missing or
    /// disabled.
    pub fn upload_blob(&self, blob: &str) -> VaultResult<Secret> {
        let (manifest, versions) = self.unseal(blob)?;
        let mut store = self.store();
        let tx = store.immediate()?;
        if crate::store::secrets::name_exists(&tx, &manifest.name)? {
            return Err(ApiError::invalid(format!(
                "Invalid secret_blob: a secret named {} already exists.",
                manifest.name
            ))
            .into());
        }
        check_keys(&tx, &manifest)?;
        check_subscriptions(&tx, &manifest)?;
        let secret = insert_restored(&tx, manifest, &versions)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(secret_of(secret))
    }

    /// The manifest and version rows of a blob made by this vault; `CSMS.0004` for anything else.
    fn unseal(&self, blob: &str) -> VaultResult<(Manifest, Vec<(i64, VersionRow)>)> {
        if blob.len() > MAX_BLOB_CHARS {
            return Err(bad_blob("it is longer than 5 MiB").into());
        }
        // What download-blob printed, `{"secret_blob": "csvb1…"}`, is taken as well as the bare blob.
        let wrapped: Option<crate::csms::UploadSecretBlobRequest> = blob
            .trim_start()
            .starts_with('{')
            .then(|| serde_json::from_str(blob).ok())
            .flatten();
        let blob = wrapped.as_ref().map_or(blob, |w| w.secret_blob.as_str());
        let sealed = blob
            .trim()
            .strip_prefix(PREFIX)
            .and_then(|b64| URL_SAFE_NO_PAD.decode(b64).ok())
            .ok_or_else(|| bad_blob("this is not a csvault backup blob"))?;
        let payload = self.keyring.open_blob(&sealed).map_err(|_| {
            bad_blob("it was changed, or it was made by another vault (a blob opens only in the vault that made it)")
        })?;
        let mut rest: &[u8] = &payload;
        let manifest: Manifest = serde_json::from_slice(take_chunk(&mut rest)?)
            .map_err(|_| bad_blob("its contents are not readable"))?;
        let mut rows = Vec::with_capacity(manifest.versions.len());
        for v in &manifest.versions {
            rows.push((
                v.seq,
                VersionRow {
                    version_id: v.id.clone(),
                    kms_key_id: v.kms_key_id.clone(),
                    kind: if v.binary {
                        ValueKind::Binary
                    } else {
                        ValueKind::Text
                    },
                    wrapped_data_key: take_chunk(&mut rest)?.to_vec(),
                    ciphertext: take_chunk(&mut rest)?.to_vec(),
                    create_time: v.create_time,
                    expire_time: v.expire_time,
                },
            ));
        }
        if rows.is_empty() {
            return Err(bad_blob("it holds no version").into());
        }
        if !rest.is_empty() {
            return Err(bad_blob("it has bytes after its last version").into());
        }
        Ok((manifest, rows))
    }
}

/// `CSMS.0401` unless the secret's CMK and every version's are in this vault and enabled.
fn check_keys(conn: &rusqlite::Connection, manifest: &Manifest) -> VaultResult<()> {
    for key_id in
        std::iter::once(&manifest.kms_key_id).chain(manifest.versions.iter().map(|v| &v.kms_key_id))
    {
        let usable =
            key_rows::find_by_id(conn, key_id)?.is_some_and(|k| k.state == KeyState::Enabled);
        if !usable {
            return Err(ApiError::new(
                ErrorCode::KeyUnusable,
                format!("The CMK {key_id} of this backup is missing or disabled in this vault."),
            )
            .into());
        }
    }
    Ok(())
}

/// `CSMS.0002` unless the event the secret subscribes to exists: a restore never drops a
/// subscription silently.
fn check_subscriptions(conn: &rusqlite::Connection, manifest: &Manifest) -> VaultResult<()> {
    for event in &manifest.settings.event_subscriptions {
        if !crate::store::events::exists(conn, event)? {
            return Err(ApiError::invalid(format!(
                "Invalid secret_blob: the secret subscribes to the event {event}, which does not \
                 exist in this vault; create the event first."
            ))
            .into());
        }
    }
    Ok(())
}

/// Writes the restored secret, its versions (sealed as they were), stages and version counter.
fn insert_restored(
    conn: &rusqlite::Connection,
    manifest: Manifest,
    versions: &[(i64, VersionRow)],
) -> VaultResult<SecretRow> {
    let mut secret = SecretRow {
        row_id: 0,
        id: manifest.id,
        name: manifest.name,
        state: SecretState::Enabled,
        kms_key_id: manifest.kms_key_id,
        description: manifest.description,
        secret_type: manifest.secret_type,
        create_time: manifest.create_time,
        update_time: manifest.update_time,
        scheduled_delete_time: None,
        settings: manifest.settings,
        auto_rotation_since: manifest.auto_rotation_since,
    };
    let Some(((first_seq, first), later)) = versions.split_first() else {
        return Err(bad_blob("it holds no version").into());
    };
    SecretWriter::new(conn)?.insert(
        &secret,
        &NewVersion {
            row: first,
            seq: *first_seq,
            stages: &[],
        },
    )?;
    secret.row_id = crate::store::secrets::by_name(conn, &secret.name)?
        .map(|r| r.row_id)
        .ok_or_else(|| StoreError::corrupt("a restored secret vanished"))?;
    for (seq, row) in later {
        let new = NewVersion {
            row,
            seq: *seq,
            stages: &[],
        };
        version_rows::insert(conn, secret.row_id, &new)?;
    }
    for stage in &manifest.stages {
        version_rows::set_stage(
            conn,
            secret.row_id,
            &stage.name,
            &stage.version_id,
            stage.update_time,
        )?;
    }
    for (key, value) in &manifest.tags {
        crate::store::tags::set(conn, secret.row_id, key, value)?;
    }
    // A secret deleted after the blob was made may have numbered further: continue after it,
    // so no version id names two values (docs/DECISIONS.md "Secret record (issue 14)").
    let retired = crate::store::secrets::retired_next_version(conn, &secret.id)?.unwrap_or(0);
    version_rows::set_next_seq(conn, secret.row_id, manifest.next_version.max(retired))?;
    Ok(secret)
}
