//! Huawei Cloud's own operations through `Vault::execute`: the reads' empty answers, the writes'
//! refusals, and the vault as an IAM project (its ids, stable across opens and apart between
//! vaults).

use super::TempVault;
use crate::csms::ErrorCode;
use crate::csms::op::{ListProjectsQuery, ListUsersQuery, Request, Response};

fn json(response: &Response) -> String {
    serde_json::to_string(response).unwrap_or_default()
}

#[test]
fn the_reads_answer_empty_and_the_writes_are_refused_without_touching_the_vault() {
    let (_file, vault) = TempVault::new();
    let answers = [
        (
            Request::ListGrants {
                resource_id: "r".into(),
            },
            r#"{"data":{"grantee_user":[]}}"#,
        ),
        (
            Request::ListUsers(ListUsersQuery {
                offset: 0,
                limit: 10,
                org_id: None,
                user_info: None,
            }),
            r#"{"total":0,"users":[]}"#,
        ),
        (
            Request::ShowAgency {
                secret_type: "RDS-FG".into(),
            },
            r#"{"agency_granted":"false"}"#,
        ),
    ];
    for (request, body) in answers {
        assert!(!request.writes() && request.problems().is_empty());
        let answer = vault.execute(&request).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(json(&answer), body);
    }
    for (request, name) in [
        (Request::CreateGrants, "CreateGrants"),
        (Request::UpdateGrant, "UpdateGrant"),
        (Request::DeleteGrant, "DeleteGrant"),
        (Request::CreateAgency, "CreateAgency"),
        (Request::UpdateUserPassword, "UpdateUserPassword"),
    ] {
        assert!(!request.writes(), "refused: {name} changes nothing");
        let refused = vault.execute(&request).err().map(|e| e.to_api());
        assert!(
            refused
                .as_ref()
                .is_some_and(|e| e.code == ErrorCode::UnknownPath
                    && e.error_msg
                        .starts_with(&format!("{name} belongs to Huawei Cloud"))
                    && e.error_msg.contains("not available in a local vault")),
            "{name}: {refused:?}"
        );
    }
    let user = vault.execute(&Request::ShowUserDetail {
        user_id: "u".into(),
    });
    assert_eq!(
        user.err().map(|e| e.to_api().code),
        Some(ErrorCode::VersionNotFound)
    );
}

#[test]
fn the_vault_is_one_project_of_a_domain_of_its_own() {
    let (file, vault) = TempVault::new();
    let (_other_file, other) = TempVault::new();
    let project = vault.project_id();
    let domain = vault.domain_id();
    let hex32 = |s: &str| {
        s.len() == 32
            && s.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    };
    assert!(hex32(&project) && hex32(&domain), "{project} {domain}");
    assert_eq!(project, vault.vault_id().replace('-', ""));
    assert_ne!(domain, project);
    drop(vault);
    let reopened = file.reopen();
    assert_eq!(
        (reopened.project_id(), reopened.domain_id()),
        (project.clone(), domain.clone()),
        "the same after reopening"
    );
    assert_ne!(other.domain_id(), domain, "another vault, another domain");

    let lookup = Request::ListProjects(ListProjectsQuery {
        name: Some("ap-southeast-1".into()),
        link: "/v3/projects?name=ap-southeast-1".into(),
        ..ListProjectsQuery::default()
    });
    let answer = reopened.execute(&lookup).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        json(&answer),
        format!(
            r#"{{"projects":[{{"id":"{project}","name":"ap-southeast-1","enabled":true,"domain_id":"{domain}","is_domain":false,"parent_id":"{domain}","description":""}}],"links":{{"self":"/v3/projects?name=ap-southeast-1","previous":null,"next":null}}}}"#
        )
    );
}
