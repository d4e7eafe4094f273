//! The endpoint's routes: the operation a method, path, query and body ask for (pure, no I/O).
//!
//! Paths are those of `csms-openapi/` under `/v1/{project_id}/`, the few of the API outside a
//! project (`/v1/csms/users`…) and IAM's project lookup (`/v3/projects`); the table is the
//! contract's, `csms::op`'s `ENDPOINTS`. Here the path is decoded and its prefix checked. Any
//! project id is accepted (one vault is one project) if it looks like one; KMS's paths are refused
//! with a pointer to `csvault key` (docs/DECISIONS.md "The local CSMS endpoint", "KMS paths").

use hyper::Method;

use super::refusal;
use crate::csms::ApiError;
use crate::csms::op::{Call, Request, decode, route, route_outside_project};

/// The operation `method`, the raw (still percent-encoded) `path`, `query` and `body` ask for.
///
/// Errors: 400 `CSMS.0003` for a path or method the API does not have, a KMS path, or a project
/// id that is none (such as a client's unfilled `{project_id}`); what the operation's request
/// refuses in the query or body (`CSMS.0002`, `CSMS.0004`).
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
    let call = |segments| Call {
        method: method.as_str(),
        segments,
        query,
        body,
    };
    if let Some(found) = route_outside_project(&call(&segments)) {
        return found;
    }
    let rest = match segments.as_slice() {
        [version, ..] if version == "v1.0" => return Err(refusal::kms_path()),
        [v1, _, kms, ..] if v1 == "v1" && kms == "kms" => return Err(refusal::kms_path()),
        [v1, project, rest @ ..] if v1 == "v1" => {
            if !is_project_id(project) {
                return Err(refusal::not_a_project_id());
            }
            rest
        }
        _ => return Err(unknown()),
    };
    route(&call(rest)).unwrap_or_else(|| Err(unknown()))
}

/// Whether a path's project id could be one: `[A-Za-z0-9_-]+` (docs/DECISIONS.md "`ListSecrets`
/// filters").
fn is_project_id(segment: &str) -> bool {
    !segment.is_empty()
        && segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
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
    fn operations_outside_a_project_are_routed_before_a_project_is_looked_for() {
        assert_eq!(
            route(&Method::GET, "/v1/csms/users/u%201").as_deref(),
            Ok("ShowUserDetail { user_id: \"u 1\" }")
        );
        assert_eq!(
            route(&Method::POST, "/v1/csms/users/change-password").as_deref(),
            Ok("UpdateUserPassword")
        );
        assert!(
            route(&Method::GET, "/v3/projects/")
                .is_ok_and(|r| r.starts_with("ListProjects(ListProjectsQuery { name: None"))
        );
        assert_eq!(
            route(&Method::GET, "/v1/csms/secrets/db").as_deref(),
            Ok("ShowSecret { name: \"db\" }"),
            "a project may still be named csms"
        );
    }

    fn refusal_text(method: &Method, path: &str) -> String {
        request(method, path, "", b"")
            .err()
            .map(|e| format!("{} {}", e.error_code(), e.error_msg))
            .unwrap_or_default()
    }

    #[test]
    fn kms_paths_point_at_csvault_key() {
        for (method, path) in [
            (Method::POST, "/v1.0/p/kms/create-key"),
            (Method::GET, "/v1.0/p/kms/aliases"),
            (Method::POST, "/v1.0/%7Bproject_id%7D/kms/list-keys"),
            (Method::GET, "/v1.0"),
            (Method::POST, "/v1/p/kms/encrypt-data"),
        ] {
            let text = refusal_text(&method, path);
            assert!(
                text.starts_with("CSMS.0003 This is a Huawei Cloud KMS path")
                    && text.contains("csvault key"),
                "{method} {path}: {text}"
            );
        }
    }

    #[test]
    fn a_project_id_that_is_none_says_so() {
        for path in [
            "/v1/%7Bproject_id%7D/secrets",
            "/v1/{project_id}/secrets",
            "/v1/p.q/secrets",
            "/v1/p%20q/secrets/a",
            "/v1//secrets",
        ] {
            let text = refusal_text(&Method::GET, path);
            assert!(
                text.starts_with("CSMS.0003 The project id in the path is unfilled or invalid"),
                "{path}: {text}"
            );
        }
        assert!(
            route(&Method::GET, "/v1/Ab_0-9/secrets").is_ok(),
            "letters, digits, _ and -"
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
