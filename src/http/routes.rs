//! The endpoint's routes: which CSMS operation a method and path name (pure, no I/O).
//!
//! Paths are those of `csms-openapi/` under `/v1/{project_id}/`, plus `BatchImportSecrets`
//! (`POST …/secrets/batch-import`). Any project id is accepted: one vault is one project
//! (DECISIONS.md "The local CSMS endpoint").

use hyper::Method;

use super::refusal;
use crate::csms::ApiError;

/// A CSMS operation and the names its path carries (percent-decoded).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    CreateSecret,
    ListSecrets,
    ShowSecret { name: String },
    UpdateSecret { name: String },
    DeleteSecret { name: String },
    CreateSecretVersion { name: String },
    ListSecretVersions { name: String },
    ShowSecretVersion { name: String, version_id: String },
    UpdateVersion { name: String, version_id: String },
    ShowSecretStage { name: String, stage: String },
    UpdateSecretStage { name: String, stage: String },
    DeleteSecretStage { name: String, stage: String },
    DeleteSecretForSchedule { name: String },
    RestoreSecret { name: String },
    DownloadSecretBlob { name: String },
    UploadSecretBlob,
    BatchGetSecretValue,
    BatchImportSecrets,
    GenerateRandomPassword,
}

impl Route {
    /// The operation `method` and the raw (still percent-encoded) `path` name.
    ///
    /// Errors: 400 `CSMS.0003` for a path or method the API does not have.
    pub fn parse(method: &Method, path: &str) -> Result<Self, ApiError> {
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
        let s: Vec<&str> = rest.iter().map(String::as_str).collect();
        let name = |i: usize| s[i].to_owned();
        let m = method;
        Ok(match s.as_slice() {
            ["secrets"] if m == Method::POST => Self::CreateSecret,
            ["secrets"] if m == Method::GET => Self::ListSecrets,
            ["secrets", "restore"] if m == Method::POST => Self::UploadSecretBlob,
            ["secrets", "batch-get-secret-value"] if m == Method::POST => Self::BatchGetSecretValue,
            ["secrets", "batch-import"] if m == Method::POST => Self::BatchImportSecrets,
            ["csms", "generate-password"] if m == Method::POST => Self::GenerateRandomPassword,
            ["secrets", _] if m == Method::GET => Self::ShowSecret { name: name(1) },
            ["secrets", _] if m == Method::PUT => Self::UpdateSecret { name: name(1) },
            ["secrets", _] if m == Method::DELETE => Self::DeleteSecret { name: name(1) },
            ["secrets", _, "versions"] if m == Method::POST => {
                Self::CreateSecretVersion { name: name(1) }
            }
            ["secrets", _, "versions"] if m == Method::GET => {
                Self::ListSecretVersions { name: name(1) }
            }
            ["secrets", _, "versions", _] if m == Method::GET => Self::ShowSecretVersion {
                name: name(1),
                version_id: name(3),
            },
            ["secrets", _, "versions", _] if m == Method::PUT => Self::UpdateVersion {
                name: name(1),
                version_id: name(3),
            },
            ["secrets", _, "stages", _] if m == Method::GET => Self::ShowSecretStage {
                name: name(1),
                stage: name(3),
            },
            ["secrets", _, "stages", _] if m == Method::PUT => Self::UpdateSecretStage {
                name: name(1),
                stage: name(3),
            },
            ["secrets", _, "stages", _] if m == Method::DELETE => Self::DeleteSecretStage {
                name: name(1),
                stage: name(3),
            },
            ["secrets", _, "scheduled-deleted-tasks", "create"] if m == Method::POST => {
                Self::DeleteSecretForSchedule { name: name(1) }
            }
            ["secrets", _, "scheduled-deleted-tasks", "cancel"] if m == Method::POST => {
                Self::RestoreSecret { name: name(1) }
            }
            ["secrets", _, "backup"] if m == Method::POST => {
                Self::DownloadSecretBlob { name: name(1) }
            }
            _ => return Err(unknown()),
        })
    }

    /// Whether the operation may change the vault: these run in the group-committing writer,
    /// the others on the readers.
    pub fn writes(&self) -> bool {
        !matches!(
            self,
            Self::ListSecrets
                | Self::ShowSecret { .. }
                | Self::ListSecretVersions { .. }
                | Self::ShowSecretVersion { .. }
                | Self::ShowSecretStage { .. }
                | Self::DownloadSecretBlob { .. }
                | Self::BatchGetSecretValue
                | Self::GenerateRandomPassword
        )
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

/// The `limit` and `marker` of a list's query string (repeated keys: the last wins).
///
/// Errors: 400 `CSMS.0002` for a `limit` that is not a whole number, or a part that does not
/// decode.
pub fn page_query(query: &str) -> Result<(Option<usize>, Option<String>), ApiError> {
    let mut limit = None;
    let mut marker = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let bad = refusal::undecodable_query;
        let key = decode(key).ok_or_else(bad)?;
        let value = decode(value).ok_or_else(bad)?;
        match key.as_str() {
            "limit" => {
                limit = Some(
                    value
                        .parse::<usize>()
                        .map_err(|_| refusal::bad_limit(&value))?,
                );
            }
            "marker" => marker = Some(value),
            _ => {}
        }
    }
    Ok((limit, marker))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(method: &Method, path: &str) -> Result<Route, String> {
        Route::parse(method, path).map_err(|e| e.error_code().to_owned())
    }

    #[test]
    #[allow(
        clippy::too_many_lines,
        reason = "one table row per operation of the API"
    )]
    fn every_operation_of_the_api_has_its_route() {
        let n = || "db-pass".to_owned();
        let cases = [
            (Method::POST, "/v1/p/secrets", Route::CreateSecret),
            (Method::GET, "/v1/p/secrets", Route::ListSecrets),
            (
                Method::GET,
                "/v1/p/secrets/db-pass",
                Route::ShowSecret { name: n() },
            ),
            (
                Method::PUT,
                "/v1/p/secrets/db-pass",
                Route::UpdateSecret { name: n() },
            ),
            (
                Method::DELETE,
                "/v1/p/secrets/db-pass",
                Route::DeleteSecret { name: n() },
            ),
            (
                Method::POST,
                "/v1/p/secrets/db-pass/versions",
                Route::CreateSecretVersion { name: n() },
            ),
            (
                Method::GET,
                "/v1/p/secrets/db-pass/versions",
                Route::ListSecretVersions { name: n() },
            ),
            (
                Method::GET,
                "/v1/p/secrets/db-pass/versions/latest",
                Route::ShowSecretVersion {
                    name: n(),
                    version_id: "latest".into(),
                },
            ),
            (
                Method::PUT,
                "/v1/p/secrets/db-pass/versions/v2",
                Route::UpdateVersion {
                    name: n(),
                    version_id: "v2".into(),
                },
            ),
            (
                Method::GET,
                "/v1/p/secrets/db-pass/stages/blue",
                Route::ShowSecretStage {
                    name: n(),
                    stage: "blue".into(),
                },
            ),
            (
                Method::PUT,
                "/v1/p/secrets/db-pass/stages/blue",
                Route::UpdateSecretStage {
                    name: n(),
                    stage: "blue".into(),
                },
            ),
            (
                Method::DELETE,
                "/v1/p/secrets/db-pass/stages/blue",
                Route::DeleteSecretStage {
                    name: n(),
                    stage: "blue".into(),
                },
            ),
            (
                Method::POST,
                "/v1/p/secrets/db-pass/scheduled-deleted-tasks/create",
                Route::DeleteSecretForSchedule { name: n() },
            ),
            (
                Method::POST,
                "/v1/p/secrets/db-pass/scheduled-deleted-tasks/cancel",
                Route::RestoreSecret { name: n() },
            ),
            (
                Method::POST,
                "/v1/p/secrets/db-pass/backup",
                Route::DownloadSecretBlob { name: n() },
            ),
            (
                Method::POST,
                "/v1/p/secrets/restore",
                Route::UploadSecretBlob,
            ),
            (
                Method::POST,
                "/v1/p/secrets/batch-get-secret-value",
                Route::BatchGetSecretValue,
            ),
            (
                Method::POST,
                "/v1/p/secrets/batch-import",
                Route::BatchImportSecrets,
            ),
            (
                Method::POST,
                "/v1/p/csms/generate-password",
                Route::GenerateRandomPassword,
            ),
        ];
        for (method, path, expected) in cases {
            assert_eq!(route(&method, path), Ok(expected), "{method} {path}");
        }
    }

    #[test]
    fn a_secret_named_like_a_collection_word_is_still_a_secret() {
        assert_eq!(
            route(&Method::GET, "/v1/p/secrets/restore"),
            Ok(Route::ShowSecret {
                name: "restore".into()
            })
        );
        assert_eq!(
            route(&Method::GET, "/v1/p/secrets/a%2Eb/"),
            Ok(Route::ShowSecret { name: "a.b".into() }),
            "segments are percent-decoded and one trailing slash is ignored"
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
