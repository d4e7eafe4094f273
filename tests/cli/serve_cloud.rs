//! `csvault serve` for what is not the vault's own CSMS: Huawei Cloud's operations (grants,
//! agencies, users, function templates), IAM's project lookup, KMS paths and a project id that
//! is none; every one signed as the SDK signs, and refused unsigned.

use crate::support::TestVault;
use serde_json::json;

#[test]
fn the_clouds_reads_answer_empty_its_writes_are_refused_and_both_need_a_signature() {
    let vault = TestVault::new();
    let server = vault.serve();
    let c = server.client();
    let get = |path: &str| c.raw("GET", path, b"", true);

    let grants = c.get("csms/grants?resource_id=0b8a4e1f").ok();
    assert_eq!(grants, json!({"data": {"grantee_user": []}}));
    assert_eq!(
        get("/v1/csms/users?offset=0&limit=10").ok(),
        json!({"total": 0, "users": []})
    );
    assert_eq!(
        get("/v1/csms/agencies?secret_type=RDS-FG").ok(),
        json!({"agency_granted": "false"})
    );
    assert_eq!(
        get(
            "/v1/csms/function-templates?secret_type=RDS-FG&secret_sub_type=SingleUser&engine=mysql"
        )
        .ok(),
        json!({"function_templates": "[]"})
    );
    get("/v1/csms/users/20220413165737132").refused(400, "CSMS.0005");
    get("/v1/csms/users?offset=0&limit=5").refused(400, "CSMS.0002");
    c.get("csms/grants").refused(400, "CSMS.0002");

    let grant = json!({"resource_id": "r", "type": "SECRET", "grantee_type": "0", "grantee_target_id": "u"});
    let writes = [
        (
            "POST",
            format!("/v1/{}/csms/grants", c.project),
            "CreateGrants",
        ),
        (
            "PUT",
            format!("/v1/{}/csms/grants?resource_id=r", c.project),
            "UpdateGrant",
        ),
        (
            "DELETE",
            format!("/v1/{}/csms/grants?resource_id=r", c.project),
            "DeleteGrant",
        ),
        ("POST", "/v1/csms/agencies".to_owned(), "CreateAgency"),
        (
            "POST",
            "/v1/csms/users/change-password".to_owned(),
            "UpdateUserPassword",
        ),
    ];
    let password = json!({"old_password": "old-pw-0123", "password": "new-pw-4567"});
    for (method, path, name) in &writes {
        let body = if *name == "UpdateUserPassword" {
            &password
        } else {
            &grant
        };
        let answer = c.raw(method, path, body.to_string().as_bytes(), true);
        answer.refused(400, "CSMS.0003");
        let message = answer.body["error_msg"].as_str().unwrap();
        assert!(
            message.starts_with(&format!("{name} belongs to Huawei Cloud"))
                && message.contains("not available in a local vault"),
            "{message}"
        );
    }

    for path in [
        "/v1/csms/users?offset=0&limit=10",
        "/v3/projects?name=cn-north-4",
        &format!("/v1/{}/csms/grants?resource_id=r", c.project),
    ] {
        c.raw("GET", path, b"", false).refused(401, "APIGW.0301");
    }
    let (_, log) = server.stop();
    assert!(
        !log.contains("new-pw-4567") && log.contains("POST /v1/csms/users/change-password 400"),
        "a body is never logged: {log}"
    );
}

#[test]
fn the_iam_project_lookup_answers_the_vaults_project_under_any_region_name() {
    let vault = TestVault::new();
    let server = vault.serve();
    let c = server.client();
    let lookup = |query: &str| c.raw("GET", &format!("/v3/projects{query}"), b"", true);

    let found = lookup("?name=cn-north-4").ok();
    let project = &found["projects"][0];
    assert_eq!(found["projects"].as_array().unwrap().len(), 1);
    assert_eq!(project["id"], server.project_id.as_str());
    assert_eq!(project["name"], "cn-north-4");
    assert_eq!(project["enabled"], true);
    assert_eq!(project["is_domain"], false);
    assert_eq!(project["description"], "");
    let domain = project["domain_id"].as_str().unwrap();
    assert!(
        domain.len() == 32 && domain.bytes().all(|b| b.is_ascii_hexdigit()),
        "{domain}"
    );
    assert_eq!(project["parent_id"], domain);
    assert_eq!(found["links"]["self"], "/v3/projects?name=cn-north-4");

    let again = lookup("?name=ap-southeast-1").ok();
    assert_eq!(again["projects"][0]["id"], server.project_id.as_str());
    assert_eq!(again["projects"][0]["domain_id"], domain, "stable");
    assert_eq!(lookup("").ok()["projects"][0]["name"], "local");
    assert_eq!(
        lookup("?name=x&domain_id=someone-else").ok()["projects"],
        json!([])
    );
    lookup("?name=x&page=1").refused(400, "CSMS.0002");
    c.raw("POST", "/v3/projects", b"{}", true)
        .refused(400, "CSMS.0003");
}

#[test]
fn kms_paths_and_a_project_id_that_is_none_say_what_is_wrong() {
    let vault = TestVault::new();
    let server = vault.serve();
    let c = server.client();
    let message = |method: &str, path: &str| {
        let answer = c.raw(method, path, b"{}", true);
        answer.refused(400, "CSMS.0003");
        answer.body["error_msg"].as_str().unwrap().to_owned()
    };
    for path in [
        format!("/v1.0/{}/kms/create-key", c.project),
        format!("/v1.0/{}/kms/list-keys", c.project),
        format!("/v1/{}/kms/encrypt-data", c.project),
    ] {
        let text = message("POST", &path);
        assert!(
            text.contains("KMS") && text.contains("csvault key"),
            "{path}: {text}"
        );
    }
    for path in ["/v1/%7Bproject_id%7D/secrets", "/v1/a.b/secrets"] {
        let text = message("GET", path);
        assert!(
            text.starts_with("The project id in the path is unfilled or invalid"),
            "{path}: {text}"
        );
    }
    c.get("secrets").ok();
}
