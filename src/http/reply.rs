//! `Reply`: an operation's HTTP status and JSON body, rendered into wiped memory.

use serde::Serialize;
use zeroize::Zeroizing;

use crate::csms::op::Response;
use crate::csms::{ApiError, ErrorCode};
use crate::wiped::render_exact;

const RENDER_FAILED: &[u8] =
    br#"{"error_code":"CSMS.0500","error_msg":"The response could not be rendered."}"#;

/// What the endpoint answers: a status and, except for 204, a compact JSON body. Bodies may hold
/// plaintext (a version's value, a generated password), so every one lives in a wiped buffer of
/// exactly its size until the connection has written it.
#[derive(Clone)]
pub struct Reply {
    pub status: u16,
    pub body: Option<Zeroizing<Vec<u8>>>,
    /// The error code, for the log line; `None` on success.
    pub error_code: Option<&'static str>,
}

impl Reply {
    /// 200 with `body` as JSON.
    pub fn ok<T: Serialize>(body: &T) -> Self {
        Self::json(200, body)
    }

    /// An operation's answer: 200 with its body, 204 with none (the deletes), or the error.
    pub fn answer(result: &Result<Response, ApiError>) -> Self {
        match result {
            Ok(Response::NoContent) => Self::no_content(),
            Ok(response) => Self::ok(response),
            Err(e) => Self::error(e),
        }
    }

    /// 204 and no body (the delete operations, docs/DECISIONS.md "bodies").
    pub fn no_content() -> Self {
        Self {
            status: 204,
            body: None,
            error_code: None,
        }
    }

    /// The error's status and its `{"error_code","error_msg"}` body.
    pub fn error(e: &ApiError) -> Self {
        Self {
            error_code: Some(e.error_code()),
            ..Self::json(e.http_status(), e)
        }
    }

    fn json<T: Serialize>(status: u16, body: &T) -> Self {
        match render_exact(|out| serde_json::to_writer(out, body).map_err(std::io::Error::from)) {
            Ok(bytes) => Self {
                status,
                body: Some(bytes),
                error_code: None,
            },
            // Serialising our own types into memory does not fail; if it ever did, say so
            // without the body.
            Err(_) => Self {
                status: ErrorCode::Internal.http_status(),
                body: Some(Zeroizing::new(RENDER_FAILED.to_vec())),
                error_code: Some(ErrorCode::Internal.as_str()),
            },
        }
    }
}

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reply")
            .field("status", &self.status)
            .field("error_code", &self.error_code)
            .field("body_bytes", &self.body.as_ref().map(|b| b.len()))
            .finish()
    }
}
