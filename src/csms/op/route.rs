//! Matching a call's method and path against the operations' endpoints (`ENDPOINTS`, beside the
//! operations in `op.rs`), under a project or outside one, and the query-string rules every list
//! shares.

use super::{ENDPOINTS, Request};
use std::collections::HashMap;

use crate::csms::{ApiError, parse_body};

/// One HTTP call, the `/v1/{project_id}/` prefix taken off (for [`route_outside_project`], the
/// whole path): the path's segments (percent-decoded), the raw query string and the body.
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
    matching(call, false)
}

/// As [`route`], for the few operations outside a project (`/v1/csms/users`, IAM's
/// `/v3/projects`): here `call.segments` are the whole path's.
pub fn route_outside_project(call: &Call<'_>) -> Option<Result<Request, ApiError>> {
    matching(call, true)
}

/// The endpoint whose method and path the call has; `whole`: among the whole paths (those
/// beginning with `/`), else among the paths under a project.
fn matching(call: &Call<'_>, whole: bool) -> Option<Result<Request, ApiError>> {
    ENDPOINTS.iter().find_map(|endpoint| {
        let path = match (endpoint.path.strip_prefix('/'), whole) {
            (Some(path), true) => path,
            (None, false) => endpoint.path,
            _ => return None,
        };
        if endpoint.method != call.method || path.split('/').count() != call.segments.len() {
            return None;
        }
        let mut names = Vec::new();
        for (part, segment) in path.split('/').zip(call.segments) {
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

/// A query string's parameters, percent-decoded (`+` is a plus, as the signature reads it).
/// Every key an operation reads may be given once: the signature covers the keys sorted, not
/// their order, so which of two values would count is not the signer's to fix. Keys no
/// operation reads are ignored.
pub struct Query(HashMap<String, Vec<String>>);

impl Query {
    /// Errors: 400 `CSMS.0002` when a part does not decode.
    pub fn parse(raw: &str) -> Result<Self, ApiError> {
        let mut pairs: HashMap<String, Vec<String>> = HashMap::new();
        for pair in raw.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let decoded = |s: &str| {
                decode(s).ok_or_else(|| {
                    ApiError::invalid("Invalid query string: a part does not decode.")
                })
            };
            pairs
                .entry(decoded(key)?)
                .or_default()
                .push(decoded(value)?);
        }
        Ok(Self(pairs))
    }

    /// The value of `key`, if given.
    ///
    /// Errors: 400 `CSMS.0002` naming `key` when it is given more than once.
    pub fn get(&self, key: &str) -> Result<Option<&str>, ApiError> {
        match self.0.get(key).map(Vec::as_slice) {
            None | Some([]) => Ok(None),
            Some([one]) => Ok(Some(one.as_str())),
            Some(_) => Err(ApiError::invalid(format!(
                "Invalid {key}: it is given more than once."
            ))),
        }
    }
}

/// The `limit` and `marker` of a list's query string (other keys are read by the operation that
/// takes them, or ignored); each given once at most ([`Query`]).
///
/// Errors: 400 `CSMS.0002` for a `limit` that is not a whole number, a key given twice (named),
/// or a part that does not decode.
pub fn page_query(query: &str) -> Result<(Option<usize>, Option<String>), ApiError> {
    let q = Query::parse(query)?;
    let limit = q
        .get("limit")?
        .map(|value| {
            value.parse::<usize>().map_err(|_| {
                ApiError::invalid(format!("Invalid limit: {value}; it must be 1–1000."))
            })
        })
        .transpose()?;
    Ok((limit, q.get("marker")?.map(str::to_owned)))
}

/// The value of `key` in a query string, decoded; `None` when absent. `""` is absent too (a
/// client's empty filter filters nothing). Given once at most ([`Query`]).
///
/// Errors: 400 `CSMS.0002` for a part that does not decode, or `key` given twice (named).
pub fn query_param(query: &str, key: &str) -> Result<Option<String>, ApiError> {
    Ok(Query::parse(query)?
        .get(key)?
        .filter(|v| !v.is_empty())
        .map(str::to_owned))
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
    fn the_clouds_operations_have_their_paths_under_a_project_or_outside_one() {
        let outside = |method: &str, path: &str, query: &str| {
            let segments: Vec<String> = path.split('/').map(str::to_owned).collect();
            let call = Call {
                method,
                segments: &segments,
                query,
                body: b"{}",
            };
            route_outside_project(&call).map(|r| match r {
                Ok(request) => format!("{request:?}"),
                Err(e) => e.error_code().to_owned(),
            })
        };
        let grants = |method: &str| {
            let segments = ["csms".to_owned(), "grants".to_owned()];
            let call = Call {
                method,
                segments: &segments,
                query: "resource_id=r1",
                body: b"{}",
            };
            route(&call).map(|r| r.map(|request| format!("{request:?}")))
        };
        assert_eq!(
            grants("GET"),
            Some(Ok("ListGrants { resource_id: \"r1\" }".into()))
        );
        assert_eq!(grants("POST"), Some(Ok("CreateGrants".into())));
        assert_eq!(grants("PUT"), Some(Ok("UpdateGrant".into())));
        assert_eq!(grants("DELETE"), Some(Ok("DeleteGrant".into())));
        for (method, path, query, expected) in [
            (
                "GET",
                "v1/csms/agencies",
                "secret_type=RDS-FG",
                "ShowAgency { secret_type: \"RDS-FG\" }",
            ),
            ("POST", "v1/csms/agencies", "", "CreateAgency"),
            (
                "GET",
                "v1/csms/users",
                "offset=0&limit=10",
                "ListUsers(ListUsersQuery { offset: 0, limit: 10,",
            ),
            (
                "GET",
                "v1/csms/users/u1",
                "",
                "ShowUserDetail { user_id: \"u1\" }",
            ),
            (
                "POST",
                "v1/csms/users/change-password",
                "",
                "UpdateUserPassword",
            ),
            (
                "GET",
                "v1/csms/function-templates",
                "secret_type=GaussDB-FG&secret_sub_type=MultiUser",
                "ShowSecretFunctionTemplates(",
            ),
            (
                "GET",
                "v3/projects",
                "name=cn-north-4",
                "ListProjects(ListProjectsQuery { name: Some(\"cn-north-4\")",
            ),
            ("GET", "v1/csms/users", "offset=0", "CSMS.0002"),
        ] {
            let got = outside(method, path, query).unwrap_or_default();
            assert!(got.starts_with(expected), "{method} {path}: {got}");
        }
        for (method, path) in [
            ("GET", "v1/p/secrets"),
            ("DELETE", "v1/csms/agencies"),
            ("POST", "v3/projects"),
            ("GET", "v3/projects/p1"),
        ] {
            assert_eq!(outside(method, path, ""), None, "{method} {path}");
        }
        assert_eq!(
            routed("GET", "v1/csms/users", b""),
            None,
            "a whole path is not matched under a project"
        );
    }

    #[test]
    fn rotation_has_its_paths_and_the_task_list_its_filters() {
        let cases: &[(&str, &str, &[u8], &str)] = &[
            (
                "POST",
                "secrets/db/rotate",
                b"",
                "RotateSecret { name: \"db\" }",
            ),
            (
                "GET",
                "csms/tasks",
                b"",
                "ListSecretTask(ListSecretTaskQuery { secret_name: None, status: None, \
                 task_id: None, limit: Some(5), marker: Some(\"m\") })",
            ),
        ];
        for (method, path, body, expected) in cases {
            let got = routed(method, path, body).unwrap_or_default();
            assert_eq!(&got, expected, "{method} {path}");
        }
        let segments = ["csms".to_owned(), "tasks".to_owned()];
        let call = Call {
            method: "GET",
            segments: &segments,
            query: "secret_name=db&status=FAILED&task_id=a71a4b47-6cac-4f11-92c1-21a165bb6401",
            body: b"",
        };
        let got = route(&call).map(|r| r.map(|request| format!("{request:?}")));
        assert_eq!(
            got,
            Some(Ok("ListSecretTask(ListSecretTaskQuery { secret_name: Some(\"db\"), \
                     status: Some(\"FAILED\"), task_id: Some(\"a71a4b47-6cac-4f11-92c1-21a165bb6401\"), \
                     limit: None, marker: None })"
                .to_owned()))
        );
        assert_eq!(
            routed("GET", "secrets/db/rotate", b""),
            None,
            "rotation is a POST"
        );
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
            ("PUT", "csms/abc/tags"),
            ("GET", "csms/abc/tags/env"),
            ("POST", "csms/tags"),
            ("GET", "csms/resource_instances/action"),
            ("PATCH", "csms/events/ev"),
            ("POST", "csms/events/ev"),
            ("POST", "csms/notification-records"),
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

    #[test]
    fn a_limit_or_marker_given_twice_is_refused_naming_it() {
        for (query, named) in [
            ("limit=1&limit=2", "limit"),
            ("limit=1&marker=a&li%6Dit=1", "limit"),
            ("marker=a&limit=3&marker=b", "marker"),
            ("marker=&marker=", "marker"),
        ] {
            let Err(refused) = query_param(query, named) else {
                panic!("{query} was taken by query_param");
            };
            assert_eq!(refused.error_code(), "CSMS.0002", "{query}");
            let Err(refused) = page_query(query) else {
                panic!("{query} was taken");
            };
            assert_eq!(refused.error_code(), "CSMS.0002", "{query}");
            assert_eq!(
                refused.error_msg,
                format!("Invalid {named}: it is given more than once."),
                "{query}"
            );
        }
        assert_eq!(
            page_query("event_name=a&event_name=b&limit=2"),
            Ok((Some(2), None)),
            "keys not read are not counted"
        );
    }

    #[test]
    fn event_operations_have_their_paths() {
        let cases: &[(&str, &str, &[u8], &str)] = &[
            // Events and notification records (issue 14).
            (
                "POST",
                "csms/events",
                b"{\"name\":\"ev\",\"event_types\":[\"SECRET_DELETED\"]}",
                "CreateSecretEvent(CreateSecretEventRequest { name: \"ev\"",
            ),
            (
                "GET",
                "csms/events",
                b"",
                "ListSecretEvents { limit: Some(5), marker: Some(\"m\") }",
            ),
            (
                "GET",
                "csms/events/ev",
                b"",
                "ShowSecretEvent { name: \"ev\" }",
            ),
            (
                "PUT",
                "csms/events/ev",
                b"{\"state\":\"DISABLED\"}",
                "UpdateSecretEvent { name: \"ev\"",
            ),
            (
                "DELETE",
                "csms/events/ev",
                b"",
                "DeleteSecretEvent { name: \"ev\" }",
            ),
            (
                "GET",
                "csms/notification-records",
                b"",
                "ListNotificationRecords { limit: Some(5), marker: Some(\"m\") }",
            ),
        ];
        for (method, path, body, expected) in cases {
            let got = routed(method, path, body).unwrap_or_default();
            assert!(got.starts_with(expected), "{method} {path}: {got}");
        }
    }

    #[test]
    fn an_event_body_that_is_not_the_api_shape_is_malformed() {
        assert_eq!(
            routed("POST", "csms/events", b"{\"event_types\":[]}").as_deref(),
            Some("CSMS.0004"),
            "name is required"
        );
        assert_eq!(
            routed("PUT", "csms/events/ev", b"{\"state\":1}").as_deref(),
            Some("CSMS.0004")
        );
    }

    #[test]
    fn every_tag_operation_of_the_api_has_its_path() {
        let cases: &[(&str, &str, &[u8], &str)] = &[
            (
                "POST",
                "csms/0d0466b0-e727-4d9c-b35d-f84bb474a37f/tags",
                b"{\"tag\":{\"key\":\"env\",\"value\":\"prod\"}}",
                "CreateSecretTag { secret: Id(\"0d0466b0-e727-4d9c-b35d-f84bb474a37f\"), body: \
                 CreateSecretTagRequest { tag: TagItem { key: \"env\", value: Some(\"prod\") } } }",
            ),
            (
                "GET",
                "csms/abc/tags",
                b"",
                "ListSecretTags { secret: Id(\"abc\") }",
            ),
            (
                "DELETE",
                "csms/abc/tags/env",
                b"",
                "DeleteSecretTag { secret: Id(\"abc\"), key: \"env\" }",
            ),
            (
                "POST",
                "csms/abc/tags/action",
                b"{\"action\":\"delete\",\"tags\":[{\"key\":\"env\"}]}",
                "BatchCreateOrDeleteTags { secret: Id(\"abc\"), body: \
                 BatchCreateOrDeleteTagsRequest { action: \"delete\"",
            ),
            ("GET", "csms/tags", b"", "ListProjectSecretsTags"),
            (
                "POST",
                "csms/resource_instances/action",
                b"{\"action\":\"count\"}",
                "ListResourceInstances(ListResourceInstancesRequest { action: \"count\"",
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
    fn a_fixed_word_is_matched_before_a_name_in_its_place() {
        assert_eq!(
            routed("GET", "csms/events/tags", b"").as_deref(),
            Some("ShowSecretEvent { name: \"tags\" }"),
            "an event named tags, not the tags of a secret with id `events`"
        );
        assert_eq!(
            routed("GET", "secrets/checker/config", b"").as_deref(),
            Some("ShowSecretsConfig")
        );
        assert!(
            routed("GET", "secrets/checker/versions", b"")
                .is_some_and(|r| r.starts_with("ListSecretVersions { name: \"checker\"")),
            "a secret named checker keeps its own paths"
        );
    }
}
