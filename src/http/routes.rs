//! The endpoint's routes: the operation a method, path, query and body ask for (pure, no I/O).
//!
//! Paths are those of `csms-openapi/` under `/v1/{project_id}/` (the table is the contract's,
//! `csms::op::route`); here the path is decoded and its prefix checked. Any project id is
//! accepted: one vault is one project (docs/DECISIONS.md "The local CSMS endpoint").

use hyper::Method;

use super::refusal;
use crate::csms::ApiError;
use crate::csms::op::{Call, Request, decode, route};

/// The operation `method`, the raw (still percent-encoded) `path`, `query` and `body` ask for.
///
/// Errors: 400 `CSMS.0003` for a path or method the API does not have; what the operation's
/// request refuses in the query or body (`CSMS.0002`, `CSMS.0004`).
pub fn request(method: &Method, path: &str, query: &str, body: &[u8]) -> Result<Request, ApiError> {
    let unknown = || refusal::unknown_path(method);
    let mut segments = Vec::new();
    for raw in path.strip_prefix('/').unwrap_or(path).split('/') {
        // A decoded `/` would be a segment boundary to the signature (which decodes the
        // whole path first) but not to the route: no name may hold one anyway.
        let segment = decode(raw).filter(|s| !s.contains('/'));
        segments.push(segment.ok_or_else(unknown)?);
    }
    // One trailing slash is the same path.
    if segments.len() > 1 && segments.last().is_some_and(String::is_empty) {
        segments.pop();
    }
    let rest = match segments.as_slice() {
        [v1, project, rest @ ..] if v1 == "v1" && !project.is_empty() => rest,
        _ => return Err(unknown()),
    };
    route(&Call {
        method: method.as_str(),
        segments: rest,
        query,
        body,
    })
    .unwrap_or_else(|| Err(unknown()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(method: &Method, path: &str) -> Result<String, String> {
        request(method, path, "", b"")
            .map(|r| format!("{r:?}"))
            .map_err(|e| e.error_code().to_owned())
    }

    #[test]
    fn paths_are_decoded_and_their_prefix_taken_off() {
        assert_eq!(
            route(&Method::GET, "/v1/p/secrets/a%2Eb/").as_deref(),
            Ok("ShowSecret { name: \"a.b\" }"),
            "segments are percent-decoded and one trailing slash is ignored"
        );
        assert_eq!(
            route(&Method::DELETE, "/v1/0123abc/secrets/db").as_deref(),
            Ok("DeleteSecret { name: \"db\" }"),
            "any project id"
        );
    }

    #[test]
    fn paths_and_methods_the_api_does_not_have_are_csms_0003() {
        for (method, path) in [
            (Method::GET, "/"),
            (Method::GET, "/v1"),
            (Method::GET, "/v1//secrets"),
            (Method::GET, "/v2/p/secrets"),
            (Method::PATCH, "/v1/p/secrets"),
            (Method::DELETE, "/v1/p/secrets"),
            (Method::GET, "/v1/p/secrets/a/backup"),
            (Method::POST, "/v1/p/secrets/a/versions/v1"),
            (Method::GET, "/v1/p/secrets/a/b/c/d/e"),
            (Method::GET, "/v1/p/secrets/%ZZ"),
            (Method::GET, "/v1/p/secrets/%FF"),
            (Method::GET, "/v1/p/secrets/%+A"),
            (Method::GET, "/v1/p/secrets/a%2Fversions"),
        ] {
            assert_eq!(
                route(&method, path),
                Err("CSMS.0003".into()),
                "{method} {path}"
            );
        }
    }
}
