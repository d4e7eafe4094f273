//! Create Secret: validate, resolve the CMK, seal under a fresh data key, write secret + v1 + SYSCURRENT.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rusqlite::Connection;
use zeroize::Zeroizing;

use super::{Vault, VaultError, VaultResult, now_ms};
use crate::csms::{
    ApiError, CreateSecretRequest, ErrorCode, SECRET_TYPE_COMMON, STAGE_CURRENT, Secret,
    SecretState, SecretValue, validate_create,
};
use crate::kms::{KeyInfo, KeyState, Keyring, ValueContext};
use crate::store::keys as key_rows;
use crate::store::secrets::{self as secret_rows, NewVersion, SecretRow, VersionRow};

const FIRST_VERSION: &str = "v1";

/// What became of one request of a batch.
#[derive(Debug)]
pub enum BatchOutcome {
    Created(Secret),
    /// A secret of that name is already there (an earlier run, or earlier in the batch).
    AlreadyExists,
    Failed(ApiError),
}

impl Vault {
    /// Create Secret. Validation errors answer with the first broken rule in field order.
    pub fn create_secret(&mut self, req: &CreateSecretRequest) -> VaultResult<Secret> {
        let tx = self.store.immediate()?;
        let secret = create_in(&tx, &mut self.keyring, req, now_ms())?;
        tx.commit().map_err(crate::store::StoreError::from)?;
        Ok(secret)
    }

    /// Creates many secrets in one transaction: all of them are there after a crash, or none.
    /// A request that fails does not stop the others.
    pub fn create_secrets(
        &mut self,
        reqs: &[CreateSecretRequest],
    ) -> VaultResult<Vec<BatchOutcome>> {
        let tx = self.store.immediate()?;
        let now = now_ms();
        let mut outcomes = Vec::with_capacity(reqs.len());
        for req in reqs {
            outcomes.push(match create_in(&tx, &mut self.keyring, req, now) {
                Ok(secret) => BatchOutcome::Created(secret),
                Err(VaultError::Api(e))
                    if e.code == ErrorCode::InvalidParameter
                        && secret_rows::name_exists(&tx, &req.name)? =>
                {
                    BatchOutcome::AlreadyExists
                }
                Err(VaultError::Api(e)) => BatchOutcome::Failed(e),
                Err(other) => return Err(other),
            });
        }
        tx.commit().map_err(crate::store::StoreError::from)?;
        Ok(outcomes)
    }
}

fn create_in(
    conn: &Connection,
    keyring: &mut Keyring,
    req: &CreateSecretRequest,
    now: i64,
) -> VaultResult<Secret> {
    if let Some(first) = validate_create(req).first() {
        return Err(ApiError::from(first).into());
    }
    if secret_rows::name_exists(conn, &req.name)? {
        return Err(ApiError::invalid(format!(
            "Invalid name: a secret named {} already exists.",
            req.name
        ))
        .into());
    }
    let key = resolve_key(conn, keyring, req.kms_key_id.as_deref(), now)?;
    if !keyring.is_loaded(&key.key_id) {
        keyring.load_cmk(&key.key_id, &key_rows::wrapped_material(conn, &key.key_id)?)?;
    }

    let value = plaintext(req)?;
    let kind = match value {
        SecretValue::Text(_) => "text",
        SecretValue::Binary(_) => "binary",
    };
    let secret_id = uuid::Uuid::new_v4().to_string();
    let ctx = ValueContext {
        secret_id: &secret_id,
        version_id: FIRST_VERSION,
        key_id: &key.key_id,
        kind,
    };
    let sealed = keyring.seal_value(&ctx, value.as_bytes())?;

    let row = SecretRow {
        secret: Secret {
            id: secret_id.clone(),
            name: req.name.clone(),
            state: SecretState::Enabled,
            kms_key_id: key.key_id.clone(),
            description: req.description.clone().unwrap_or_default(),
            create_time: now,
            update_time: now,
            scheduled_delete_time: None,
            secret_type: SECRET_TYPE_COMMON.into(),
        },
        description: req.description.clone(),
    };
    let version = VersionRow {
        secret_id,
        version_id: FIRST_VERSION.into(),
        kms_key_id: key.key_id,
        value_kind: kind.into(),
        sealed,
        create_time: now,
        expire_time: None,
    };
    secret_rows::insert_secret(
        conn,
        &row,
        &NewVersion {
            row: &version,
            seq: 1,
            stages: &[STAGE_CURRENT],
        },
    )?;
    Ok(row.secret)
}

/// The plaintext of a validated request.
fn plaintext(req: &CreateSecretRequest) -> VaultResult<SecretValue> {
    match (&req.secret_string, &req.secret_binary) {
        (Some(text), None) => Ok(SecretValue::Text(text.clone())),
        (None, Some(b64)) => STANDARD
            .decode(b64.as_bytes())
            .map(|bytes| SecretValue::Binary(Zeroizing::new(bytes)))
            .map_err(|_| ApiError::invalid("Invalid secret_binary: not valid base64.").into()),
        _ => Err(ApiError::invalid("Give exactly one of secret_string and secret_binary.").into()),
    }
}

/// The enabled CMK a request asks for; the default key, created on first use, when it names none.
pub(super) fn resolve_key(
    conn: &Connection,
    keyring: &mut Keyring,
    key_id: Option<&str>,
    now: i64,
) -> VaultResult<KeyInfo> {
    let key = match key_id {
        Some(id) => key_rows::find_by_id(conn, id)?.ok_or_else(|| {
            ApiError::new(
                ErrorCode::KeyUnusable,
                format!("The CMK {id} does not exist in this vault."),
            )
        })?,
        None => match key_rows::find(conn, crate::csms::DEFAULT_KEY_ALIAS)? {
            Some(key) => key,
            None => super::keys::create_key_in(
                conn,
                keyring,
                crate::csms::DEFAULT_KEY_ALIAS,
                "",
                true,
                now,
            )?,
        },
    };
    if key.key_state != KeyState::Enabled {
        return Err(ApiError::new(
            ErrorCode::KeyUnusable,
            format!("The CMK {} ({}) is disabled.", key.key_id, key.key_alias),
        )
        .into());
    }
    Ok(key)
}
