//! The rules a remote (`remote add`) and a piece of sync state (`SaveSyncState`) are checked
//! against before anything is stored (issue 17; docs/DECISIONS.md "Issue 17: remotes").

use crate::csms::{ApiError, ErrorCode, RemoteSpec, SyncRecord, SyncStateUpdate, validate_name};
use crate::remote::Endpoint;

/// The longest access key, in bytes (printable ASCII).
pub const MAX_ACCESS_KEY_BYTES: usize = 128;
/// The longest secret key, in bytes.
pub const MAX_SECRET_KEY_BYTES: usize = 256;
/// The largest `--ca-file`, in bytes.
pub const MAX_CA_PEM_BYTES: usize = 1024 * 1024;
/// The longest project id or region, in characters.
const MAX_SCOPE_CHARS: usize = 64;
/// The longest version id a record or link holds, in bytes.
const MAX_VERSION_ID_BYTES: usize = 128;

/// What every PEM certificate block begins with.
const PEM_CERTIFICATE: &str = "-----BEGIN CERTIFICATE-----";

/// `CSMS.0002` unless `name` is a remote's name: `^[a-zA-Z0-9._-]{1,64}$`.
pub fn check_remote_name(name: &str) -> Result<(), ApiError> {
    match validate_name(name) {
        Some(problem) => Err(ApiError::invalid(format!(
            "Invalid remote name: {problem}; use 1 to 64 of a-z A-Z 0-9 . _ -."
        ))),
        None => Ok(()),
    }
}

/// The endpoint policy on the remote's endpoint and IAM endpoint: `SYNC.0005` for one that is
/// not `https` (or `http` on loopback), or not a bare `scheme://host[:port]`, and for a remote
/// with neither a project id nor a region.
pub fn check_remote_endpoints(spec: &RemoteSpec) -> Result<(), ApiError> {
    Endpoint::parse(&spec.endpoint)?;
    if let Some(iam) = &spec.iam_endpoint {
        Endpoint::parse(iam).map_err(|e| {
            ApiError::new(
                ErrorCode::RemotePolicy,
                e.error_msg.replacen("The endpoint", "The IAM endpoint", 1),
            )
        })?;
    }
    // Without either, no request could name the project (the client would refuse every run).
    if spec.project_id.is_none() && spec.region.is_none() {
        return Err(ApiError::new(
            ErrorCode::RemotePolicy,
            "The remote needs --project-id, or --region to look its project up through IAM.",
        ));
    }
    Ok(())
}

/// Checks a remote before it is stored. Errors: `CSMS.0002` for a name, project id, region, AK
/// or SK that breaks its rule (the SK's own bytes are never quoted); `SYNC.0005` for an
/// endpoint refused by policy, or CA roots over [`MAX_CA_PEM_BYTES`] or with no PEM
/// certificate.
pub fn check_remote_spec(spec: &RemoteSpec) -> Result<(), ApiError> {
    check_remote_name(&spec.name)?;
    check_remote_endpoints(spec)?;
    for (what, value) in [("project id", &spec.project_id), ("region", &spec.region)] {
        if let Some(value) = value
            && !is_scope(value)
        {
            return Err(ApiError::invalid(format!(
                "Invalid {what}: use 1 to {MAX_SCOPE_CHARS} of a-z A-Z 0-9 . _ -."
            )));
        }
    }
    let ak = &spec.access_key;
    if ak.is_empty() || ak.len() > MAX_ACCESS_KEY_BYTES || !ak.bytes().all(|b| b.is_ascii_graphic())
    {
        return Err(ApiError::invalid(format!(
            "Invalid access key: it must be 1 to {MAX_ACCESS_KEY_BYTES} printable ASCII \
             characters without spaces."
        )));
    }
    let sk = spec.secret_key.as_str();
    if sk.is_empty() {
        return Err(ApiError::invalid("Invalid secret key: it is empty."));
    }
    if sk.len() > MAX_SECRET_KEY_BYTES {
        return Err(ApiError::invalid(format!(
            "Invalid secret key: it is longer than {MAX_SECRET_KEY_BYTES} bytes."
        )));
    }
    if sk.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "Invalid secret key: it holds a control character (a line break?).",
        ));
    }
    if let Some(pem) = &spec.ca_pem {
        if pem.len() > MAX_CA_PEM_BYTES {
            return Err(ApiError::new(
                ErrorCode::RemotePolicy,
                format!("The CA roots are refused: they are larger than {MAX_CA_PEM_BYTES} bytes."),
            ));
        }
        if !pem.contains(PEM_CERTIFICATE) {
            return Err(ApiError::new(
                ErrorCode::RemotePolicy,
                "The CA roots are refused: no PEM certificate (BEGIN CERTIFICATE) is in them.",
            ));
        }
    }
    Ok(())
}

/// A project id or region: 1–64 of `a-z A-Z 0-9 . _ -`.
fn is_scope(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= MAX_SCOPE_CHARS
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Checks what a piece of sync work records: names as secret names, version ids 1–128 printable
/// ASCII, MACs 64 lowercase hex digits (so the state can hold nothing else, a value least of
/// all). `CSMS.0002` otherwise.
pub(super) fn check_update(update: &SyncStateUpdate) -> Result<(), ApiError> {
    let names = update
        .records
        .iter()
        .map(|r| r.name.as_str())
        .chain(update.forget.iter().map(String::as_str))
        .chain(update.links.iter().map(|l| l.name.as_str()));
    for name in names {
        if let Some(problem) = validate_name(name) {
            return Err(ApiError::invalid(format!("Invalid sync state: {problem}.")));
        }
    }
    let versions = update
        .records
        .iter()
        .flat_map(|r| [&r.local_version, &r.remote_version])
        .chain(
            update
                .links
                .iter()
                .flat_map(|l| [&l.local_version, &l.remote_version]),
        );
    for version in versions {
        if version.is_empty()
            || version.len() > MAX_VERSION_ID_BYTES
            || !version.bytes().all(|b| b.is_ascii_graphic())
        {
            return Err(ApiError::invalid(format!(
                "Invalid sync state: a version id must be 1 to {MAX_VERSION_ID_BYTES} printable \
                 ASCII characters."
            )));
        }
    }
    let ids = update
        .records
        .iter()
        .flat_map(|r| [&r.local_id, &r.remote_id]);
    for id in ids {
        if id.len() > MAX_VERSION_ID_BYTES || !id.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ApiError::invalid(format!(
                "Invalid sync state: a secret id must be at most {MAX_VERSION_ID_BYTES} printable \
                 ASCII characters."
            )));
        }
    }
    if let Some(bad) = update.records.iter().find(|r| !macs_are_hex(r)) {
        return Err(ApiError::invalid(format!(
            "Invalid sync state of {}: a MAC must be 64 lowercase hex digits.",
            bad.name
        )));
    }
    Ok(())
}

fn macs_are_hex(record: &SyncRecord) -> bool {
    [&record.value_mac, &record.meta_mac]
        .into_iter()
        .all(|mac| mac.len() == 64 && mac.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
}
