//! Every error the endpoint says in its own words (the vault's are the vault's): one place for
//! their codes and text. None quotes a request's path, body or signature.

use hyper::Method;
use std::fmt::Display;
use std::net::SocketAddr;
use std::path::Path;

use super::signing::AuthError;
use crate::csms::{ApiError, ErrorCode};

/// 401 `APIGW.0301`, saying which signature check failed and where to look.
pub fn unauthenticated(e: &AuthError) -> ApiError {
    let hint = match e {
        AuthError::DateOutOfWindow { .. } | AuthError::MalformedDate => {
            " Check the client's clock."
        }
        AuthError::UnknownAccessKey { .. } | AuthError::BadSignature => {
            " Check the AK/SK pair: csvault serve --show-credentials prints it."
        }
        _ => " Sign requests with a Huawei Cloud SDK's BasicCredentials (AK/SK).",
    };
    ApiError::new(
        ErrorCode::Unauthenticated,
        format!("Incorrect IAM authentication information: {e}.{hint}"),
    )
}

/// 400 `CSMS.0003`.
pub fn unknown_path(method: &Method) -> ApiError {
    ApiError::new(
        ErrorCode::UnknownPath,
        format!("The CSMS API has no {method} operation at this path."),
    )
}

/// 400 `CSMS.0003`: a path of Huawei Cloud KMS (`/v1.0/{project_id}/kms/…`), which the endpoint
/// does not serve.
pub fn kms_path() -> ApiError {
    ApiError::new(
        ErrorCode::UnknownPath,
        "This is a Huawei Cloud KMS path: csvault serve answers the CSMS API only, not KMS. The \
         vault's own keys (CMKs) are managed on the command line: csvault key create, list, \
         enable, disable.",
    )
}

/// 400 `CSMS.0003`: the path's project id has characters no project id has, as a client's
/// unfilled `{project_id}` does.
pub fn not_a_project_id() -> ApiError {
    ApiError::new(
        ErrorCode::UnknownPath,
        "The project id in the path is unfilled or invalid (a project id has only A–Z a–z 0–9 _ \
         -). Give the client the project_id that csvault serve prints, or let the SDK look it \
         up: a region whose endpoint is this one, and this endpoint as the IAM endpoint \
         (with_iam_endpoint or HUAWEICLOUD_SDK_IAM_ENDPOINT).",
    )
}

/// 400 `CSMS.0004`: the body broke off.
pub fn unreadable_body(e: &dyn Display) -> ApiError {
    ApiError::new(
        ErrorCode::MalformedBody,
        format!("The request body could not be read: {e}."),
    )
}

/// 400 `CSMS.0004`: the body did not come in time.
pub fn slow_body(seconds: u64) -> ApiError {
    ApiError::new(
        ErrorCode::MalformedBody,
        format!("The request body did not arrive within {seconds} s."),
    )
}

/// 400 `CSMS.0004`: the body is over the limit.
pub fn body_too_large(limit_bytes: usize) -> ApiError {
    ApiError::new(
        ErrorCode::MalformedBody,
        format!("The request body is larger than {limit_bytes} bytes (1 MiB)."),
    )
}

/// 429 `APIGW.0308`: a large body waited for its turn to be read (with the others whose
/// signature is not yet checked) past the body's time limit.
pub fn too_many_bodies(seconds: u64) -> ApiError {
    ApiError::new(
        ErrorCode::Throttled,
        format!(
            "Too many large request bodies are being read at once: this one found no turn within \
             {seconds} s. Try again."
        ),
    )
}

/// 503 `VAULT.0005`: the connection was closed to make room for a new one (at the connection
/// cap) before its request ran; the client does not read it, the connection being gone.
pub fn made_room() -> ApiError {
    ApiError::new(
        ErrorCode::VaultBusy,
        "The connection was closed to make room for new ones; the request was not run.",
    )
}

/// 500 `CSMS.0500`: the server is stopping and the request was not run.
pub fn shutting_down() -> ApiError {
    internal("The endpoint is shutting down.")
}

/// 503 `VAULT.0005`: stopping, and another process kept the vault past the stop deadline.
pub fn busy_at_stop() -> ApiError {
    ApiError::new(
        ErrorCode::VaultBusy,
        "The endpoint is stopping and another process kept the vault busy: the write was not \
         made.",
    )
}

/// 500 `CSMS.0500`: a read panicked.
pub fn read_failed() -> ApiError {
    internal("A read failed unexpectedly.")
}

/// 500 `CSMS.0500`: a write panicked or could not be committed; nothing of it was kept.
pub fn write_failed() -> ApiError {
    internal("The write failed unexpectedly; nothing of it was kept.")
}

/// 500 `CSMS.0500`: the reader pool was empty although a slot was free (a bug).
pub fn no_reader() -> ApiError {
    internal("No reader is free; this is a bug.")
}

fn internal(message: &str) -> ApiError {
    ApiError::new(ErrorCode::Internal, message)
}

/// `VAULT.0008`: plain HTTP off loopback.
pub fn needs_tls(listen: SocketAddr) -> ApiError {
    ApiError::new(
        ErrorCode::Usage,
        format!(
            "{listen} is not a loopback address: serving on it needs TLS. Give --tls-cert and \
             --tls-key, or listen on 127.0.0.1."
        ),
    )
}

/// `VAULT.0007`: a TLS file that cannot be used.
pub fn tls_unusable(path: &Path, what: &str, e: &dyn Display) -> ApiError {
    ApiError::new(
        ErrorCode::Io,
        format!("Cannot use {} as the TLS {what}: {e}.", path.display()),
    )
}

/// `VAULT.0007`: a TLS private key file that others than its owner may read.
pub fn tls_key_exposed(path: &Path, mode: u32) -> ApiError {
    ApiError::new(
        ErrorCode::Io,
        format!(
            "Cannot use {} as the TLS private key: its group or others may read or write it \
             (mode {:03o}). Run chmod 600 {} and start again.",
            path.display(),
            mode & 0o777,
            path.display()
        ),
    )
}

/// `VAULT.0008`: `--listen` names no address.
pub fn bad_listen(listen: &str, e: &dyn Display) -> ApiError {
    ApiError::new(
        ErrorCode::Usage,
        format!(
            "--listen {listen} is not an address to listen on ({e}): give ADDR:PORT, such as \
             127.0.0.1:8787, or 127.0.0.1:0 for any free port."
        ),
    )
}

/// `VAULT.0007`: the address cannot be bound.
pub fn cannot_listen(address: SocketAddr, e: &std::io::Error) -> ApiError {
    let hint = if e.kind() == std::io::ErrorKind::AddrInUse {
        " Another program (perhaps another csvault serve) listens there: give another port, or \
         --listen 127.0.0.1:0 for any free one."
    } else {
        ""
    };
    ApiError::new(
        ErrorCode::Io,
        format!("Cannot listen on {address}: {e}.{hint}"),
    )
}

/// `VAULT.0007`: the server could not start (`what` failed with `e`).
pub fn cannot_start(what: &str, e: &dyn Display) -> ApiError {
    ApiError::new(ErrorCode::Io, format!("Cannot {what}: {e}."))
}
