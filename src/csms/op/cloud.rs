//! The operations of the CSMS API that belong to Huawei Cloud itself (grants, agencies and IAM
//! users: IAM; rotation function templates: FunctionGraph), and IAM's project lookup, which the
//! SDKs make before their first call when they are given no project id: how their queries are
//! read, what a local vault answers, and the words of their refusals (docs/DECISIONS.md
//! "cloud-only operations", "IAM project lookup").

use serde::{Deserialize, Serialize};
use std::ops::RangeInclusive;

use super::{Call, Request, route};
use crate::csms::{ApiError, ErrorCode};

/// Never made: the element type of the lists a local vault always answers empty (grants, users).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Nothing {}

/// `ListGrants`: `{"data": {"grantee_user": []}}`; nobody but the vault's owner holds a grant.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ListGrantsResponse {
    pub data: GrantList,
}

/// The `data` of [`ListGrantsResponse`].
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct GrantList {
    pub grantee_user: Vec<Nothing>,
}

/// `ListUsers`: `{"total": 0, "users": []}`; a local vault has no IAM users.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ListUsersResponse {
    pub total: u32,
    pub users: Vec<Nothing>,
}

/// `ShowSecretFunctionTemplates`: `{"function_templates": "[]"}` (the API's field is text);
/// nothing rotates through FunctionGraph here.
#[derive(Clone, Debug, Serialize)]
pub struct FunctionTemplatesResponse {
    pub function_templates: &'static str,
}

impl<'de> Deserialize<'de> for FunctionTemplatesResponse {
    /// Read back (the agent's wire): the one answer there is.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(d)?;
        Ok(Self::default())
    }
}

impl Default for FunctionTemplatesResponse {
    fn default() -> Self {
        Self {
            function_templates: "[]",
        }
    }
}

/// `ShowAgency`: `{"agency_granted": "false"}` (the API's field is text); no agency exists here.
#[derive(Clone, Debug, Serialize)]
pub struct AgencyResponse {
    pub agency_granted: &'static str,
}

impl<'de> Deserialize<'de> for AgencyResponse {
    /// Read back (the agent's wire): the one answer there is.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(d)?;
        Ok(Self::default())
    }
}

impl Default for AgencyResponse {
    fn default() -> Self {
        Self {
            agency_granted: "false",
        }
    }
}

/// `ListUsers`' query: `offset` ≥ 0 and `limit` 10–100 (both required), `org_id` and `user_info`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListUsersQuery {
    pub offset: u32,
    pub limit: u32,
    pub org_id: Option<String>,
    pub user_info: Option<String>,
}

/// `ShowSecretFunctionTemplates`' query: `secret_type`, `secret_sub_type`, `engine`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionTemplatesQuery {
    pub secret_type: String,
    pub secret_sub_type: String,
    pub engine: Option<String>,
}

/// IAM's `KeystoneListProjects` (`GET /v3/projects`): its filters. `page` and `per_page` come
/// together; `link` is the request's own path and query, for `links.self`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListProjectsQuery {
    pub name: Option<String>,
    pub domain_id: Option<String>,
    pub parent_id: Option<String>,
    pub enabled: Option<bool>,
    pub is_domain: Option<bool>,
    pub page: Option<u32>,
    pub link: String,
}

/// The name of the vault's one project when the lookup names none: it answers to any region.
pub const UNNAMED_PROJECT: &str = "local";

impl ListProjectsQuery {
    /// The vault's one project, if it passes every filter: named as asked (any region name is
    /// the vault's), enabled, not a domain, under the domain `domain_id`, on the first page.
    pub fn answer(&self, project_id: &str, domain_id: &str) -> ListProjectsResponse {
        let matches = self.name.as_deref() != Some("")
            && self.domain_id.as_deref().is_none_or(|d| d == domain_id)
            && self.parent_id.as_deref().is_none_or(|p| p == domain_id)
            && self.enabled != Some(false)
            && self.is_domain != Some(true)
            && self.page.is_none_or(|p| p == 1);
        let project = Project {
            id: project_id.to_owned(),
            name: self.name.as_deref().unwrap_or(UNNAMED_PROJECT).to_owned(),
            enabled: true,
            domain_id: domain_id.to_owned(),
            is_domain: false,
            parent_id: domain_id.to_owned(),
            description: String::new(),
        };
        ListProjectsResponse {
            projects: matches.then_some(project).into_iter().collect(),
            links: Links {
                this: self.link.clone(),
                previous: None,
                next: None,
            },
        }
    }
}

/// `KeystoneListProjects`' answer: `{"projects": [...], "links": {"self", "previous", "next"}}`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ListProjectsResponse {
    pub projects: Vec<Project>,
    pub links: Links,
}

/// One project, in the fields of docs/DECISIONS.md "IAM project lookup".
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Project {
    pub id: String,
    pub name: String,
    pub enabled: bool,
    pub domain_id: String,
    pub is_domain: bool,
    pub parent_id: String,
    pub description: String,
}

/// Keystone's links: `self` is relative (the endpoint's own address is the client's to know).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Links {
    #[serde(rename = "self")]
    pub this: String,
    pub previous: Option<String>,
    pub next: Option<String>,
}

// The endpoints' builders (`ENDPOINTS` in op.rs names them).

/// `GET /v1/{project_id}/csms/grants?resource_id=…`.
pub(super) fn list_grants(_: &[String], c: &Call<'_>) -> Result<Request, ApiError> {
    let q = Query::parse(c.query)?;
    Ok(Request::ListGrants {
        resource_id: q.text("resource_id", 1..=64)?,
    })
}

/// `GET /v1/csms/agencies?secret_type=…`.
pub(super) fn show_agency(_: &[String], c: &Call<'_>) -> Result<Request, ApiError> {
    let q = Query::parse(c.query)?;
    Ok(Request::ShowAgency {
        secret_type: q.one_of("secret_type", SECRET_TYPES)?,
    })
}

/// `GET /v1/csms/users?offset=…&limit=…[&org_id=…][&user_info=…]`.
pub(super) fn list_users(_: &[String], c: &Call<'_>) -> Result<Request, ApiError> {
    let q = Query::parse(c.query)?;
    Ok(Request::ListUsers(ListUsersQuery {
        offset: q.number("offset", 0..=u32::MAX)?,
        limit: q.number("limit", 10..=100)?,
        org_id: q.optional("org_id")?,
        user_info: q.optional_text("user_info", 0..=64)?,
    }))
}

/// `GET /v1/csms/function-templates?secret_type=…&secret_sub_type=…[&engine=…]`.
pub(super) fn show_function_templates(_: &[String], c: &Call<'_>) -> Result<Request, ApiError> {
    let q = Query::parse(c.query)?;
    Ok(Request::ShowSecretFunctionTemplates(
        FunctionTemplatesQuery {
            secret_type: q.one_of("secret_type", SECRET_TYPES)?,
            secret_sub_type: q.one_of("secret_sub_type", &["SingleUser", "MultiUser"])?,
            engine: q.optional_one_of("engine", &["mysql", "postgresql", "sqlserver"])?,
        },
    ))
}

/// `GET /v3/projects[?name=…&domain_id=…&parent_id=…&enabled=…&is_domain=…&page=…&per_page=…]`.
pub(super) fn list_projects(_: &[String], c: &Call<'_>) -> Result<Request, ApiError> {
    let q = Query::parse(c.query)?;
    let page = q.optional_number("page", 1..=u32::MAX)?;
    let per_page = q.optional_number("per_page", 1..=5000)?;
    if page.is_some() != per_page.is_some() {
        return Err(refusal::page_without_per_page());
    }
    let link = if c.query.is_empty() {
        "/v3/projects".to_owned()
    } else {
        format!("/v3/projects?{}", c.query)
    };
    Ok(Request::ListProjects(ListProjectsQuery {
        name: q.optional("name")?,
        domain_id: q.optional("domain_id")?,
        parent_id: q.optional("parent_id")?,
        enabled: q.flag("enabled")?,
        is_domain: q.flag("is_domain")?,
        page,
        link,
    }))
}

/// The secret types a rotation function or agency is for.
const SECRET_TYPES: &[&str] = &["RDS-FG", "GaussDB-FG"];

/// A query string's parameters ([`route::Query`]: a key read twice is refused) with the checks
/// these operations' definitions put on them.
struct Query(route::Query);

impl Query {
    /// Errors: 400 `CSMS.0002` when a part does not decode.
    fn parse(raw: &str) -> Result<Self, ApiError> {
        Ok(Self(route::Query::parse(raw)?))
    }

    /// Errors: 400 `CSMS.0002` when the key is given twice.
    fn optional(&self, key: &str) -> Result<Option<String>, ApiError> {
        Ok(self.0.get(key)?.map(str::to_owned))
    }

    /// A text of `chars` characters, absent allowed.
    fn optional_text(
        &self,
        key: &str,
        chars: RangeInclusive<usize>,
    ) -> Result<Option<String>, ApiError> {
        match self.optional(key)? {
            Some(v) if !chars.contains(&v.chars().count()) => {
                Err(refusal::length(key, v.chars().count(), &chars))
            }
            other => Ok(other),
        }
    }

    /// A required text of `chars` characters.
    fn text(&self, key: &str, chars: RangeInclusive<usize>) -> Result<String, ApiError> {
        self.optional_text(key, chars)?
            .ok_or_else(|| refusal::missing(key))
    }

    fn optional_one_of(&self, key: &str, allowed: &[&str]) -> Result<Option<String>, ApiError> {
        match self.optional(key)? {
            Some(v) if !allowed.contains(&v.as_str()) => Err(refusal::not_one_of(key, allowed)),
            other => Ok(other),
        }
    }

    fn one_of(&self, key: &str, allowed: &[&str]) -> Result<String, ApiError> {
        self.optional_one_of(key, allowed)?
            .ok_or_else(|| refusal::missing(key))
    }

    /// A whole number in `range`, absent allowed.
    fn optional_number(
        &self,
        key: &str,
        range: RangeInclusive<u32>,
    ) -> Result<Option<u32>, ApiError> {
        self.0
            .get(key)?
            .map(|v| {
                v.parse::<u32>()
                    .ok()
                    .filter(|n| range.contains(n))
                    .ok_or_else(|| refusal::number(key, &range))
            })
            .transpose()
    }

    fn number(&self, key: &str, range: RangeInclusive<u32>) -> Result<u32, ApiError> {
        self.optional_number(key, range.clone())?
            .ok_or_else(|| refusal::number(key, &range))
    }

    /// `true` or `false` (in any case), absent allowed.
    fn flag(&self, key: &str) -> Result<Option<bool>, ApiError> {
        self.0
            .get(key)?
            .map(|v| match v.to_ascii_lowercase().as_str() {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(refusal::not_one_of(key, &["true", "false"])),
            })
            .transpose()
    }
}

/// Every text these operations answer with in their own words.
pub mod refusal {
    use super::{ApiError, ErrorCode, RangeInclusive};

    /// What of Huawei Cloud's an operation a local vault does not offer is about.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Owner {
        /// Grants of secrets to other users (IAM).
        Grants,
        /// IAM users.
        Users,
        /// The agency through which FunctionGraph rotates a secret.
        FunctionGraph,
    }

    /// 400 `CSMS.0003`: a write of the cloud's (`CreateGrants`, `UpdateGrant`,
    /// `DeleteGrant`, `CreateAgency`, `UpdateUserPassword`).
    pub fn cloud_only(operation: &str, owner: Owner) -> ApiError {
        let (service, why) = match owner {
            Owner::Grants => (
                "IAM",
                "a local vault has one user, its owner, and nobody to grant a secret to",
            ),
            Owner::Users => (
                "IAM",
                "a local vault has no IAM users (its passphrase changes with csvault \
                 change-passphrase)",
            ),
            Owner::FunctionGraph => (
                "IAM and FunctionGraph",
                "nothing rotates a secret through FunctionGraph here",
            ),
        };
        ApiError::new(
            ErrorCode::UnknownPath,
            format!(
                "{operation} belongs to Huawei Cloud ({service}) and is not available in a local \
                 vault: {why}."
            ),
        )
    }

    /// 400 `CSMS.0005`: `ShowUserDetail`; there is no user to show.
    pub fn no_user() -> ApiError {
        ApiError::new(
            ErrorCode::VersionNotFound,
            "No such user: a local vault has no IAM users (ListUsers lists none).",
        )
    }

    pub(super) fn missing(key: &str) -> ApiError {
        ApiError::invalid(format!("Invalid {key}: it is required."))
    }

    pub(super) fn length(key: &str, chars: usize, allowed: &RangeInclusive<usize>) -> ApiError {
        ApiError::invalid(format!(
            "Invalid {key}: {chars} characters; it must have {}–{}.",
            allowed.start(),
            allowed.end()
        ))
    }

    pub(super) fn not_one_of(key: &str, allowed: &[&str]) -> ApiError {
        ApiError::invalid(format!(
            "Invalid {key}: it must be one of {}.",
            allowed.join(", ")
        ))
    }

    pub(super) fn number(key: &str, allowed: &RangeInclusive<u32>) -> ApiError {
        let range = if *allowed.end() == u32::MAX {
            format!("a whole number from {}", allowed.start())
        } else {
            format!("a whole number {}–{}", allowed.start(), allowed.end())
        };
        ApiError::invalid(format!("Invalid {key}: it must be {range}."))
    }

    pub(super) fn page_without_per_page() -> ApiError {
        ApiError::invalid("Invalid page and per_page: give both or neither.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(query: &str) -> Call<'_> {
        Call {
            method: "GET",
            segments: &[],
            query,
            body: b"",
        }
    }

    fn json<T: Serialize>(body: &T) -> String {
        serde_json::to_string(body).unwrap_or_default()
    }

    fn refused(r: Result<Request, ApiError>) -> String {
        r.err().map(|e| e.error_msg).unwrap_or_default()
    }

    #[test]
    fn the_reads_answer_the_truth_of_a_local_vault_byte_for_byte() {
        assert_eq!(
            json(&ListGrantsResponse::default()),
            r#"{"data":{"grantee_user":[]}}"#
        );
        assert_eq!(
            json(&ListUsersResponse::default()),
            r#"{"total":0,"users":[]}"#
        );
        assert_eq!(
            json(&FunctionTemplatesResponse::default()),
            r#"{"function_templates":"[]"}"#
        );
        assert_eq!(
            json(&AgencyResponse::default()),
            r#"{"agency_granted":"false"}"#
        );
    }

    #[test]
    fn queries_are_read_per_the_definitions() {
        assert_eq!(
            list_grants(&[], &call("resource_id=abc"))
                .ok()
                .map(|r| format!("{r:?}")),
            Some("ListGrants { resource_id: \"abc\" }".into())
        );
        assert_eq!(
            refused(list_grants(&[], &call(""))),
            "Invalid resource_id: it is required."
        );
        assert_eq!(
            refused(list_grants(
                &[],
                &call(&format!("resource_id={}", "r".repeat(65)))
            )),
            "Invalid resource_id: 65 characters; it must have 1–64."
        );
        let Ok(Request::ListUsers(users)) =
            list_users(&[], &call("offset=0&limit=10&user_info=a%20b&org_id="))
        else {
            panic!("ListUsers")
        };
        assert_eq!(
            users,
            ListUsersQuery {
                offset: 0,
                limit: 10,
                org_id: Some(String::new()),
                user_info: Some("a b".into()),
            }
        );
        for (query, message) in [
            (
                "limit=10",
                "Invalid offset: it must be a whole number from 0.",
            ),
            (
                "offset=0",
                "Invalid limit: it must be a whole number 10–100.",
            ),
            (
                "offset=0&limit=9",
                "Invalid limit: it must be a whole number 10–100.",
            ),
            (
                "offset=0&limit=101",
                "Invalid limit: it must be a whole number 10–100.",
            ),
            (
                "offset=-1&limit=10",
                "Invalid offset: it must be a whole number from 0.",
            ),
            (
                "offset=0&limit=ten",
                "Invalid limit: it must be a whole number 10–100.",
            ),
            (
                "offset=0&limit=10&x=%ZZ",
                "Invalid query string: a part does not decode.",
            ),
        ] {
            assert_eq!(refused(list_users(&[], &call(query))), message, "{query}");
        }
        assert!(
            show_agency(&[], &call("secret_type=RDS-FG")).is_ok()
                && show_agency(&[], &call("secret_type=GaussDB-FG")).is_ok()
        );
        assert_eq!(
            refused(show_agency(&[], &call("secret_type=COMMON"))),
            "Invalid secret_type: it must be one of RDS-FG, GaussDB-FG."
        );
        assert!(
            show_function_templates(&[], &call("secret_type=RDS-FG&secret_sub_type=SingleUser"))
                .is_ok()
        );
        assert_eq!(
            refused(show_function_templates(
                &[],
                &call("secret_type=RDS-FG&secret_sub_type=SingleUser&engine=oracle")
            )),
            "Invalid engine: it must be one of mysql, postgresql, sqlserver."
        );
        assert_eq!(
            refused(show_function_templates(&[], &call("secret_type=RDS-FG"))),
            "Invalid secret_sub_type: it is required."
        );
    }

    fn projects(query: &str) -> Result<ListProjectsResponse, String> {
        match list_projects(&[], &call(query)) {
            Ok(Request::ListProjects(q)) => Ok(q.answer("p1", "d1")),
            Ok(other) => Err(format!("{other:?}")),
            Err(e) => Err(e.error_msg),
        }
    }

    #[test]
    fn the_project_lookup_answers_the_one_project_by_any_region_name() {
        let found = projects("name=cn-north-4").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            serde_json::to_string(&found).unwrap_or_default(),
            r#"{"projects":[{"id":"p1","name":"cn-north-4","enabled":true,"domain_id":"d1","is_domain":false,"parent_id":"d1","description":""}],"links":{"self":"/v3/projects?name=cn-north-4","previous":null,"next":null}}"#
        );
        let unnamed = projects("").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(unnamed.projects[0].name, UNNAMED_PROJECT);
        assert_eq!(unnamed.links.this, "/v3/projects");
        for query in [
            "name=",
            "name=x&domain_id=other",
            "name=x&parent_id=other",
            "name=x&enabled=false",
            "name=x&is_domain=true",
            "name=x&page=2&per_page=10",
        ] {
            let none = projects(query).unwrap_or_else(|e| panic!("{e}"));
            assert!(none.projects.is_empty(), "{query}");
        }
        for query in [
            "name=x&domain_id=d1&parent_id=d1&enabled=TRUE&is_domain=false&page=1&per_page=5000",
            "name=x&unknown=1",
        ] {
            let one = projects(query).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(one.projects.len(), 1, "{query}");
        }
        for (query, message) in [
            ("page=1", "Invalid page and per_page: give both or neither."),
            (
                "per_page=0&page=1",
                "Invalid per_page: it must be a whole number 1–5000.",
            ),
            (
                "enabled=yes",
                "Invalid enabled: it must be one of true, false.",
            ),
        ] {
            assert_eq!(projects(query).err().as_deref(), Some(message), "{query}");
        }
    }

    #[test]
    fn refusals_name_the_operation_and_the_cloud() {
        let e = refusal::cloud_only("CreateGrants", refusal::Owner::Grants);
        assert_eq!(e.error_code(), "CSMS.0003");
        assert!(e.error_msg.starts_with(
            "CreateGrants belongs to Huawei Cloud (IAM) and is not available in a local vault"
        ));
        assert_eq!(refusal::no_user().error_code(), "CSMS.0005");
    }
}
