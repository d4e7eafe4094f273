//! Sealing a new version's value: a fresh data key under the CMK, associated data naming where
//! the value belongs (vault, secret id, version id, CMK, kind).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

use super::VaultResult;
use crate::csms::{ApiError, ValueKind};
use crate::kms::{Keyring, ValueContext};
use crate::store::VersionRow;

/// A value as a request carries it: exactly one of the two fields (already validated).
#[derive(Clone, Copy)]
pub(super) struct RequestValue<'a> {
    pub secret_string: Option<&'a Zeroizing<String>>,
    pub secret_binary: Option<&'a Zeroizing<String>>,
}

/// Where a new version goes and when (epoch ms).
pub(super) struct VersionPlace<'a> {
    pub secret_id: &'a str,
    pub version_id: &'a str,
    pub key_id: &'a str,
    pub create_time: i64,
    pub expire_time: Option<i64>,
}

/// The stored row of a new version: the value sealed under a fresh data key wrapped by the CMK
/// (which must be loaded). `CSMS.0002` when the value is not exactly one of text or base64.
pub(super) fn seal_version(
    keyring: &Keyring,
    place: &VersionPlace<'_>,
    value: RequestValue<'_>,
) -> VaultResult<VersionRow> {
    let (kind, sealed) = match (value.secret_string, value.secret_binary) {
        (Some(text), None) => (
            ValueKind::Text,
            keyring.seal_value(&context(place, ValueKind::Text), text.as_bytes())?,
        ),
        (None, Some(b64)) => {
            let bytes = Zeroizing::new(
                STANDARD
                    .decode(b64.as_bytes())
                    .map_err(|_| ApiError::invalid("Invalid secret_binary: not valid base64."))?,
            );
            (
                ValueKind::Binary,
                keyring.seal_value(&context(place, ValueKind::Binary), &bytes)?,
            )
        }
        _ => {
            return Err(
                ApiError::invalid("Give exactly one of secret_string and secret_binary.").into(),
            );
        }
    };
    Ok(VersionRow {
        version_id: place.version_id.to_owned(),
        kms_key_id: place.key_id.to_owned(),
        kind,
        wrapped_data_key: sealed.wrapped_data_key,
        ciphertext: sealed.ciphertext,
        create_time: place.create_time,
        expire_time: place.expire_time,
    })
}

fn context<'a>(place: &'a VersionPlace<'a>, kind: ValueKind) -> ValueContext<'a> {
    ValueContext {
        secret_id: place.secret_id,
        version_id: place.version_id,
        key_id: place.key_id,
        kind,
    }
}
