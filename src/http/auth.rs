//! Admits a request only if it is signed with the endpoint's AK/SK ([`super::signing`]); the
//! refusal is the cloud gateway's 401 `APIGW.0301`.

use hyper::http::request::Parts;
use jiff::Timestamp;

use super::signing::{AuthError, SecretKey, SignedRequest, verify};
use crate::csms::{ApiError, ErrorCode};

/// The one AK/SK pair the endpoint accepts.
#[derive(Debug)]
pub struct Credentials {
    pub access_key: String,
    pub secret_key: SecretKey,
}

impl Credentials {
    /// Checks the request's signature over its method, path, query, signed headers and `body`.
    ///
    /// Errors: 401 `APIGW.0301` saying which check failed (never the SK or a signature).
    pub fn admit(&self, parts: &Parts, body: &[u8], now: Timestamp) -> Result<(), ApiError> {
        let headers: Vec<(&str, &str)> = parts
            .headers
            .iter()
            .filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?)))
            .collect();
        let request = SignedRequest {
            method: parts.method.as_str(),
            path: parts.uri.path(),
            query: parts.uri.query().unwrap_or(""),
            headers: &headers,
            body,
        };
        verify(
            &request,
            |ak| (ak == self.access_key).then(|| self.secret_key.clone()),
            now,
        )
        .map_err(|e| refused(&e))
    }
}

fn refused(e: &AuthError) -> ApiError {
    ApiError::new(
        ErrorCode::Unauthenticated,
        format!("Incorrect IAM authentication information: {e}."),
    )
}
