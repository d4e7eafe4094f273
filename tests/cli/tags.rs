//! Tags through the binary: `secret tag`, `secret untag`, `secret tags`, `tags`,
//! `secret list --tag`, and the six tag operations of `csvault serve` (secrets by id).

use crate::support::TestVault;
use crate::support::serve::create_body;
use serde_json::{Value, json};

/// A vault with `names`, each made through the command line.
fn vault_with(names: &[&str]) -> TestVault {
    let v = TestVault::new();
    for name in names {
        v.ok(&["secret", "create", "--name", name, "--secret-string", "x"]);
    }
    v
}

/// Runs a command that must succeed and print nothing.
#[track_caller]
fn quiet(v: &TestVault, args: &[&str]) {
    let out = v.cmd().args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {out:?}");
    assert!(out.stdout.is_empty() && out.stderr.is_empty(), "{out:?}");
}

fn names(page: &Value) -> Vec<&str> {
    page["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect()
}

#[test]
fn tag_untag_and_tags_by_name() {
    let v = vault_with(&["db"]);
    quiet(
        &v,
        &[
            "secret",
            "tag",
            "db",
            "env=prod",
            "team=core",
            "url=a=b",
            "empty=",
        ],
    );
    assert_eq!(
        v.ok(&["secret", "tags", "db"]),
        json!({"tags": [
            {"key": "empty", "value": ""},
            {"key": "env", "value": "prod"},
            {"key": "team", "value": "core"},
            {"key": "url", "value": "a=b"},
        ], "sys_tags": []})
    );
    quiet(&v, &["secret", "tag", "db", "env=staging"]);
    quiet(&v, &["secret", "untag", "db", "team", "not-there"]);
    let tags = v.ok(&["secret", "tags", "db"]);
    assert_eq!(tags["tags"][1], json!({"key": "env", "value": "staging"}));
    assert_eq!(tags["tags"].as_array().unwrap().len(), 3);

    // A broken tag refuses the whole command.
    let err = v.err(&["secret", "tag", "db", "ok=1", "bad/key=2"]);
    assert_eq!(err.code, "CSMS.0002");
    assert!(
        err.msg.starts_with("Invalid key: in tags[1], "),
        "{}",
        err.msg
    );
    assert_eq!(
        v.ok(&["secret", "tags", "db"])["tags"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(v.err(&["secret", "tags", "nope"]).code, "CSMS.0106");
    assert_eq!(v.err(&["secret", "tag", "nope", "k=v"]).code, "CSMS.0106");

    // No `=`: the command line itself is wrong (exit 2), said by clap with the rule; a tag is
    // no value flag's, so the argument is named.
    let out = v
        .cmd()
        .args(["secret", "tag", "db", "novalue"])
        .output()
        .unwrap();
    let msg = crate::support::usage_err(&out);
    assert!(
        msg.contains("invalid value 'novalue'") && msg.contains("KEY=VALUE"),
        "{msg}"
    );
}

#[test]
fn twenty_tags_a_secret_and_pending_secrets_keep_theirs() {
    let v = vault_with(&["db"]);
    let twenty: Vec<String> = (0..20).map(|i| format!("k{i:02}=v")).collect();
    let mut args = vec!["secret", "tag", "db"];
    args.extend(twenty.iter().map(String::as_str));
    quiet(&v, &args);
    assert_eq!(v.err(&["secret", "tag", "db", "k20=v"]).code, "CSMS.0203");
    quiet(&v, &["secret", "tag", "db", "k00=changed"]);
    v.ok(&[
        "secret",
        "schedule-delete",
        "db",
        "--recovery-window-in-days",
        "7",
    ]);
    assert_eq!(v.err(&["secret", "untag", "db", "k00"]).code, "CSMS.0103");
    assert_eq!(
        v.ok(&["secret", "tags", "db"])["tags"][0],
        json!({"key": "k00", "value": "changed"})
    );
}

#[test]
fn the_project_tags_and_list_by_tag_in_pages() {
    let v = vault_with(&["a", "b", "c", "d"]);
    quiet(&v, &["secret", "tag", "a", "env=prod", "team=core"]);
    quiet(&v, &["secret", "tag", "b", "env=dev", "team=core"]);
    quiet(&v, &["secret", "tag", "c", "env=prod"]);
    quiet(&v, &["secret", "tag", "d", "env=prod", "team=web"]);
    assert_eq!(
        v.ok(&["tags"]),
        json!({"tags": [
            {"key": "env", "values": ["dev", "prod"]},
            {"key": "team", "values": ["core", "web"]},
        ]})
    );
    let prod = v.ok(&["secret", "list", "--tag", "env=prod"]);
    assert_eq!(names(&prod), ["a", "c", "d"]);
    assert_eq!(
        prod["page_info"],
        json!({"next_marker": null, "previous_marker": null, "current_count": 3})
    );
    assert_eq!(
        names(&v.ok(&["secret", "list", "--tag", "env=prod", "--tag", "team"])),
        ["a", "d"],
        "every --tag must match; a bare key matches any value"
    );
    let first = v.ok(&["secret", "list", "--tag", "team", "--limit", "2"]);
    assert_eq!(names(&first), ["a", "b"]);
    assert_eq!(first["page_info"]["next_marker"], "b");
    let rest = v.ok(&[
        "secret", "list", "--tag", "team", "--limit", "2", "--marker", "b",
    ]);
    assert_eq!(names(&rest), ["d"]);
    assert_eq!(rest["page_info"]["next_marker"], Value::Null);
    // The record is the whole Secret, as ListSecrets prints it.
    let plain = v.ok(&["secret", "list"]);
    assert_eq!(prod["secrets"][0], plain["secrets"][0]);
    assert_eq!(
        names(&v.ok(&["secret", "list", "--tag", "env=none"])),
        Vec::<&str>::new()
    );
    assert_eq!(v.err(&["secret", "list", "--tag", "=x"]).code, "CSMS.0002");
}

#[test]
fn serve_answers_the_six_tag_operations_by_secret_id() {
    let vault = TestVault::new();
    let server = vault.serve();
    let c = server.client();
    let made = c.post("secrets", &create_body("db", "pw")).ok();
    let id = made["secret"]["id"].as_str().unwrap().to_owned();
    c.post("secrets", &create_body("web", "pw")).ok();

    let set = c.post(
        &format!("csms/{id}/tags"),
        &json!({"tag": {"key": "env", "value": "prod"}}),
    );
    assert_eq!((set.status, set.body.clone()), (204, Value::Null));
    let batch = c.post(
        &format!("csms/{id}/tags/action"),
        &json!({"action": "create", "tags": [{"key": "team", "value": "core"}, {"key": "x", "value": "1"}]}),
    );
    assert_eq!(batch.status, 204);
    let gone = c.call("DELETE", &format!("csms/{id}/tags/x"), "");
    assert_eq!(gone.status, 204);
    c.call("DELETE", &format!("csms/{id}/tags/x"), "")
        .refused(400, "CSMS.0005");
    assert_eq!(
        c.get(&format!("csms/{id}/tags")).ok(),
        json!({"tags": [{"key": "env", "value": "prod"}, {"key": "team", "value": "core"}], "sys_tags": []})
    );
    assert_eq!(
        c.get("csms/tags").ok(),
        json!({"tags": [{"key": "env", "values": ["prod"]}, {"key": "team", "values": ["core"]}]})
    );
    let found = c
        .post(
            "csms/resource_instances/action",
            &json!({"action": "filter", "limit": "10", "offset": "0",
                    "tags": [{"key": "env", "values": ["prod"]}]}),
        )
        .ok();
    assert_eq!(found["total_count"], 1);
    let first = &found["resources"][0];
    assert_eq!(first["resource_id"], id.as_str());
    assert_eq!(first["resource_name"], "db");
    assert_eq!(first["resource_detail"], made["secret"]);
    assert_eq!(first["sys_tags"], json!([]));
    assert_eq!(
        c.post(
            "csms/resource_instances/action",
            &json!({"action": "count", "matches": [{"key": "resource_name", "value": "W"}]}),
        )
        .ok(),
        json!({"total_count": 1})
    );

    // Refusals: a name where the id goes, a bad body, a bad action.
    c.get("csms/db/tags").refused(400, "CSMS.0106");
    c.post("csms/db/tags", &json!({"tag": {"key": "k", "value": "v"}}))
        .refused(400, "CSMS.0106");
    c.post(
        &format!("csms/{id}/tags"),
        &json!({"tag": {"key": "_sys_k"}}),
    )
    .refused(400, "CSMS.0002");
    c.call("POST", &format!("csms/{id}/tags"), "[1]")
        .refused(400, "CSMS.0004");
    c.post(
        &format!("csms/{id}/tags/action"),
        &json!({"action": "remove", "tags": [{"key": "env"}]}),
    )
    .refused(400, "CSMS.0002");
    c.post(
        "csms/resource_instances/action",
        &json!({"action": "filter", "limit": "1001"}),
    )
    .refused(400, "CSMS.0002");
}
