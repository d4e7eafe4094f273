//! Admits a request only if it is signed with the endpoint's AK/SK ([`super::signing`]); the
//! refusal is the cloud gateway's 401 `APIGW.0301`.

use hyper::http::request::Parts;
use jiff::Timestamp;

use super::refusal::unauthenticated;
use super::signing::{self, SecretKey, SignedRequest};
use crate::csms::ApiError;

/// The one AK/SK pair the endpoint accepts.
#[derive(Debug)]
pub struct Credentials {
    pub access_key: String,
    pub secret_key: SecretKey,
}

impl Credentials {
    /// The checks that need no body ([`signing::precheck`]), made before the body is read, so
    /// a client without a valid `Authorization` and `X-Sdk-Date` is not read further.
    ///
    /// Errors: 401 `APIGW.0301` saying which check failed.
    pub fn precheck(&self, parts: &Parts, now: Timestamp) -> Result<(), ApiError> {
        let headers = header_list(parts);
        signing::precheck(
            &signed_request(parts, &headers, &[]),
            |ak| ak == self.access_key,
            now,
        )
        .map_err(|e| unauthenticated(&e))
    }

    /// Checks the request's signature over its method, path, query, signed headers and `body`.
    ///
    /// Errors: 401 `APIGW.0301` saying which check failed (never the SK or a signature).
    pub fn admit(&self, parts: &Parts, body: &[u8], now: Timestamp) -> Result<(), ApiError> {
        let headers = header_list(parts);
        signing::verify(
            &signed_request(parts, &headers, body),
            |ak| (ak == self.access_key).then(|| self.secret_key.clone()),
            now,
        )
        .map_err(|e| unauthenticated(&e))
    }
}

/// Every header whose value is text; a signed header that is not cannot verify.
fn header_list(parts: &Parts) -> Vec<(&str, &str)> {
    parts
        .headers
        .iter()
        .filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?)))
        .collect()
}

fn signed_request<'a>(
    parts: &'a Parts,
    headers: &'a [(&'a str, &'a str)],
    body: &'a [u8],
) -> SignedRequest<'a> {
    SignedRequest {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query().unwrap_or(""),
        headers,
        body,
    }
}
