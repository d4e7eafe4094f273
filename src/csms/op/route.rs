//! Matching a call's method and path against the operations' endpoints (`ENDPOINTS`, beside the
//! operations in `op.rs`), and the query-string rules every list shares.

use super::{ENDPOINTS, Request};
use crate::csms::{ApiError, parse_body};

/// One HTTP call, the `/v1/{project_id}/` prefix taken off: the path's segments (percent-decoded),
/// the raw query string and the body.
pub struct Call<'a> {
    pub method: &'a str,
    pub segments: &'a [String],
    pub query: &'a str,
    pub body: &'a [u8],
}

/// The request a call makes: `None` when the API has no such operation (the endpoint answers
/// `CSMS.0003`). Errors: the body or query is not what the operation takes (`CSMS.0004`,
/// `CSMS.0002`).
pub fn route(call: &Call<'_>) -> Option<Result<Request, ApiError>> {
    ENDPOINTS.iter().find_map(|endpoint| {
        if endpoint.method != call.method || endpoint.path.split('/').count() != call.segments.len()
        {
            return None;
        }
        let mut names = Vec::new();
        for (part, segment) in endpoint.path.split('/').zip(call.segments) {
            match part {
                "{}" => names.push(segment.clone()),
                word if word == segment => {}
                _ => return None,
            }
        }
        Some((endpoint.build)(&names, call))
    })
}

/// A body the operation may go without (`Content-Length: 0`): absent means every field absent.
pub(super) fn optional_body<T: for<'de> serde::Deserialize<'de> + Default>(
    body: &[u8],
) -> Result<T, ApiError> {
    if body.trim_ascii().is_empty() {
        Ok(T::default())
    } else {
        parse_body(body)
    }
}

/// Percent-decodes one path segment or query part; `None` if it is not valid UTF-8 after
/// decoding or has a broken escape.
pub fn decode(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            if !hex.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            out.push(u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The `limit` and `marker` of a list's query string (repeated keys: the last wins; others, such
/// as `event_name`, are ignored).
///
/// Errors: 400 `CSMS.0002` for a `limit` that is not a whole number, or a part that does not
/// decode.
pub fn page_query(query: &str) -> Result<(Option<usize>, Option<String>), ApiError> {
    let mut limit = None;
    let mut marker = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let undecodable = || ApiError::invalid("Invalid query string: a part does not decode.");
        let key = decode(key).ok_or_else(undecodable)?;
        let value = decode(value).ok_or_else(undecodable)?;
        match key.as_str() {
            "limit" => {
                limit = Some(value.parse::<usize>().map_err(|_| {
                    ApiError::invalid(format!("Invalid limit: {value}; it must be 1–1000."))
                })?);
            }
            "marker" => marker = Some(value),
            _ => {}
        }
    }
    Ok((limit, marker))
}

/// The value of `key` in a query string, decoded; `None` when absent. `""` is absent too (a
/// client's empty filter filters nothing).
///
/// Errors: 400 `CSMS.0002` for a part that does not decode.
pub fn query_param(query: &str, key: &str) -> Result<Option<String>, ApiError> {
    let mut found = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, value) = pair.split_once('=').unwrap_or((pair, ""));
        let undecodable = || ApiError::invalid("Invalid query string: a part does not decode.");
        if decode(k).ok_or_else(undecodable)? == key {
            found = Some(decode(value).ok_or_else(undecodable)?);
        }
    }
    Ok(found.filter(|v| !v.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routed(method: &str, path: &str, body: &[u8]) -> Option<String> {
        let segments: Vec<String> = path.split('/').map(str::to_owned).collect();
        let call = Call {
            method,
            segments: &segments,
            query: "limit=5&marker=m",
            body,
        };
        route(&call).map(|r| match r {
            Ok(request) => format!("{request:?}"),
            Err(e) => e.error_code().to_owned(),
        })
    }

    #[test]
    fn every_operation_of_the_api_has_its_path() {
        let cases: &[(&str, &str, &[u8], &str)] = &[
            ("POST", "secrets", b"{\"name\":\"a\"}", "CreateSecret"),
            (
                "GET",
                "secrets",
                b"",
                "ListSecrets { limit: Some(5), marker: Some(\"m\"), event_name: None }",
            ),
            ("GET", "secrets/db", b"", "ShowSecret { name: \"db\" }"),
            ("PUT", "secrets/db", b"{}", "UpdateSecret { name: \"db\""),
            ("DELETE", "secrets/db", b"", "DeleteSecret { name: \"db\" }"),
            (
                "POST",
                "secrets/db/versions",
                b"{}",
                "CreateSecretVersion { name: \"db\"",
            ),
            (
                "GET",
                "secrets/db/versions",
                b"",
                "ListSecretVersions { name: \"db\", limit: Some(5)",
            ),
            (
                "GET",
                "secrets/db/versions/latest",
                b"",
                "ShowSecretVersion { name: \"db\", version_id: \"latest\" }",
            ),
            (
                "PUT",
                "secrets/db/versions/v2",
                b"{\"expire_time\":1}",
                "UpdateVersion { name: \"db\", version_id: \"v2\"",
            ),
            (
                "GET",
                "secrets/db/stages/blue",
                b"",
                "ShowSecretStage { name: \"db\", stage: \"blue\" }",
            ),
            (
                "PUT",
                "secrets/db/stages/blue",
                b"{\"version_id\":\"v1\"}",
                "UpdateSecretStage { name: \"db\", stage: \"blue\"",
            ),
            (
                "DELETE",
                "secrets/db/stages/blue",
                b"",
                "DeleteSecretStage { name: \"db\", stage: \"blue\" }",
            ),
            (
                "POST",
                "secrets/db/scheduled-deleted-tasks/create",
                b"",
                "DeleteSecretForSchedule { name: \"db\"",
            ),
            (
                "POST",
                "secrets/db/scheduled-deleted-tasks/cancel",
                b"",
                "RestoreSecret { name: \"db\" }",
            ),
            (
                "POST",
                "secrets/db/backup",
                b"",
                "DownloadSecretBlob { name: \"db\" }",
            ),
            (
                "POST",
                "secrets/restore",
                b"{\"secret_blob\":\"x\"}",
                "UploadSecretBlob(",
            ),
            (
                "POST",
                "secrets/batch-get-secret-value",
                b"{\"secret_name_list\":[]}",
                "BatchGetSecretValue(",
            ),
            (
                "POST",
                "secrets/batch-import",
                b"{\"secrets\":[]}",
                "BatchImportSecrets(",
            ),
            (
                "POST",
                "csms/generate-password",
                b"",
                "GenerateRandomPassword(",
            ),
        ];
        for (method, path, body, expected) in cases {
            let got = routed(method, path, body).unwrap_or_default();
            assert!(got.starts_with(expected), "{method} {path}: {got}");
        }
    }

    #[test]
    fn the_checker_paths_read_their_bodies_and_leave_secrets_named_checker_alone() {
        let cases: &[(&str, &str, &[u8], &str)] = &[
            ("GET", "secrets/checker/config", b"", "ShowSecretsConfig"),
            (
                "POST",
                "secrets/checker/config",
                b"{\"checking_secret_strength\":true}",
                "UpdateSecretsConfig(UpdateSecretsConfigRequest { checking_secret_strength: Some(true) })",
            ),
            (
                "POST",
                "secrets/checker/check",
                b"{\"type\":\"strength\",\"data\":{\"secret_string\":\"hunter2\"}}",
                "CheckSecrets(CheckSecretsRequest { check_type: \"strength\", secret_string: Some(\"<redacted>\") })",
            ),
        ];
        for (method, path, body, expected) in cases {
            let got = routed(method, path, body).unwrap_or_default();
            assert_eq!(&got, expected, "{method} {path}");
        }
        assert_eq!(
            routed("POST", "secrets/checker/check", b"[1]").as_deref(),
            Some("CSMS.0004")
        );
        assert_eq!(
            routed("POST", "secrets/checker/config", b"").as_deref(),
            Some("CSMS.0004")
        );
        assert_eq!(
            routed("GET", "secrets/checker", b"").as_deref(),
            Some("ShowSecret { name: \"checker\" }")
        );
        assert_eq!(
            routed("GET", "secrets/checker/versions", b"")
                .map(|r| r.starts_with("ListSecretVersions")),
            Some(true)
        );
        assert_eq!(routed("DELETE", "secrets/checker/config", b""), None);
    }

    #[test]
    fn a_secret_named_like_a_collection_word_is_still_a_secret() {
        assert_eq!(
            routed("GET", "secrets/restore", b"").as_deref(),
            Some("ShowSecret { name: \"restore\" }")
        );
    }

    #[test]
    fn paths_and_methods_the_api_does_not_have_route_nowhere() {
        for (method, path) in [
            ("PATCH", "secrets"),
            ("DELETE", "secrets"),
            ("GET", "secrets/a/backup"),
            ("POST", "secrets/a/versions/v1"),
            ("GET", "secrets/a/b/c/d/e"),
        ] {
            assert_eq!(routed(method, path, b""), None, "{method} {path}");
        }
    }

    #[test]
    fn bodies_are_read_as_the_operation_takes_them() {
        assert_eq!(
            routed("PUT", "secrets/db/versions/v2", b"[1]").as_deref(),
            Some("CSMS.0004")
        );
        assert_eq!(
            routed("GET", "secrets", b"").map(|r| r.contains("limit: Some(5)")),
            Some(true)
        );
    }

    #[test]
    fn list_queries_take_limit_and_marker() {
        assert_eq!(page_query(""), Ok((None, None)));
        assert_eq!(
            page_query("limit=5&marker=a%2Eb&event_name=x"),
            Ok((Some(5), Some("a.b".into())))
        );
        assert_eq!(
            page_query("limit=five").map_err(|e| e.error_code()),
            Err("CSMS.0002")
        );
    }
}
