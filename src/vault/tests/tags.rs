//! Tags at the vault layer (docs/DECISIONS.md rows "tags", "`ListProjectSecretsTags`",
//! "`ListResourceInstances`" and "Tags (issue 14)"): every rule, its code, and that a refusal
//! writes nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::{code, text_request, vault};
use crate::csms::op::{Request, Response};
use crate::csms::{
    BatchCreateOrDeleteTagsRequest, CountText, CreateSecretTagRequest,
    DeleteSecretForScheduleRequest, ListResourceInstancesRequest, SecretRef, SecretState,
    TagAction, TagFilter, TagItem, TagMatch,
};
use crate::vault::Vault;

fn name(n: &str) -> SecretRef {
    SecretRef::Name(n.into())
}

fn set(v: &Vault, secret: &str, key: &str, value: &str) -> crate::vault::VaultResult<()> {
    v.create_tag(
        &name(secret),
        &CreateSecretTagRequest {
            tag: TagItem::new(key, value),
        },
    )
}

/// A secret's tags as `key=value`, as listed.
fn shown(v: &Vault, secret: &str) -> Vec<String> {
    v.list_tags(&name(secret))
        .unwrap()
        .tags
        .into_iter()
        .map(|t| format!("{}={}", t.key, t.value))
        .collect()
}

fn batch(action: TagAction, tags: &[(&str, Option<&str>)]) -> BatchCreateOrDeleteTagsRequest {
    BatchCreateOrDeleteTagsRequest::new(
        action,
        tags.iter()
            .map(|(k, v)| TagItem {
                key: (*k).into(),
                value: v.map(str::to_owned),
            })
            .collect(),
    )
}

fn filter(key: &str, values: &[&str]) -> TagFilter {
    TagFilter {
        key: key.into(),
        values: values.iter().map(|v| (*v).to_owned()).collect(),
    }
}

fn resources(
    v: &Vault,
    tags: Vec<TagFilter>,
    matches: &[&str],
    limit: Option<&str>,
    offset: Option<&str>,
) -> (Vec<String>, usize) {
    let body = ListResourceInstancesRequest {
        action: "filter".into(),
        limit: limit.map(|l| CountText::Text(l.into())),
        offset: offset.map(|o| CountText::Text(o.into())),
        tags: Some(tags),
        matches: Some(
            matches
                .iter()
                .map(|m| TagMatch {
                    key: "resource_name".into(),
                    value: (*m).into(),
                })
                .collect(),
        ),
        sequence: None,
    };
    let answer = v.list_resources(&body).unwrap();
    let names = answer
        .resources
        .unwrap()
        .into_iter()
        .map(|r| r.resource_name)
        .collect();
    (names, answer.total_count)
}

#[test]
fn a_tag_is_set_replaced_and_listed_by_key_and_the_secret_is_found_by_id() {
    let (_tv, v, clock) = vault();
    let created = v.create_secret(&text_request("db", "x")).unwrap();
    clock.advance(1000);
    set(&v, "db", "team", "core").unwrap();
    set(&v, "db", "env", "prod").unwrap();
    set(&v, "db", "env", "staging").unwrap();
    v.create_tag(
        &SecretRef::Id(created.id.clone()),
        &CreateSecretTagRequest {
            tag: TagItem {
                key: "no value".into(),
                value: None,
            },
        },
    )
    .unwrap();
    assert_eq!(
        shown(&v, "db"),
        ["env=staging", "no value=", "team=core"],
        "one value per key, the last set; by key"
    );
    let by_id = v.list_tags(&SecretRef::Id(created.id.clone())).unwrap();
    assert_eq!(by_id.tags.len(), 3);
    assert!(by_id.sys_tags.is_empty());
    assert_eq!(
        v.show_secret("db").unwrap().update_time,
        created.update_time,
        "tags leave update_time"
    );
    let json = serde_json::to_value(&by_id).unwrap();
    assert_eq!(
        json["tags"][0],
        serde_json::json!({"key": "env", "value": "staging"})
    );
    assert_eq!(json["sys_tags"], serde_json::json!([]));
}

#[test]
fn unknown_secrets_are_0106_by_id_and_by_name() {
    let (_tv, v, _) = vault();
    v.create_secret(&text_request("db", "x")).unwrap();
    let missing_id = SecretRef::Id("2d1152f2-290d-4756-a1d2-e12c14992416".into());
    assert_eq!(code(v.list_tags(&missing_id)), "CSMS.0106");
    let err = v.list_tags(&missing_id).unwrap_err().to_api();
    assert!(
        err.error_msg
            .contains("2d1152f2-290d-4756-a1d2-e12c14992416")
    );
    let odd = v
        .list_tags(&SecretRef::Id("<script>".into()))
        .unwrap_err()
        .to_api();
    assert_eq!(odd.error_msg, "No secret has that id.");
    assert_eq!(code(v.list_tags(&SecretRef::Id("db".into()))), "CSMS.0106");
    assert_eq!(code(set(&v, "nope", "k", "v")), "CSMS.0106");
    assert_eq!(
        code(v.delete_tag(&missing_id, "k")),
        "CSMS.0106",
        "the secret before the tag"
    );
}

#[test]
fn keys_and_values_break_their_rules_with_0002_and_nothing_is_written() {
    let (_tv, v, _) = vault();
    v.create_secret(&text_request("db", "x")).unwrap();
    for (key, value) in [
        ("", "v"),
        ("a/b", "v"),
        (" lead", "v"),
        ("trail ", "v"),
        ("_sys_x", "v"),
        (&"k".repeat(129), "v"),
        ("k", "a#b"),
        ("k", &"v".repeat(256)),
    ] {
        assert_eq!(
            code(set(&v, "db", key, value)),
            "CSMS.0002",
            "{key:?}={value:?}"
        );
    }
    let err = set(&v, "db", "a/b", "v").unwrap_err().to_api();
    assert!(
        err.error_msg.starts_with("Invalid key: "),
        "{}",
        err.error_msg
    );
    assert!(err.error_msg.ends_with('.'));
    let err = set(&v, "db", "k", "a#b").unwrap_err().to_api();
    assert!(
        err.error_msg.starts_with("Invalid value: "),
        "{}",
        err.error_msg
    );
    // A bad key is reported before a missing secret.
    assert_eq!(code(set(&v, "nope", "", "v")), "CSMS.0002");
    set(&v, "db", &"k".repeat(128), &"v".repeat(255)).unwrap();
    set(&v, "db", "Team Name:環境=x+y-z@w_1.2", " a/b ").unwrap();
    assert_eq!(shown(&v, "db").len(), 2);
}

#[test]
fn twenty_tags_at_most_and_replacing_is_no_add() {
    let (_tv, v, _) = vault();
    v.create_secret(&text_request("db", "x")).unwrap();
    for i in 0..20 {
        set(&v, "db", &format!("k{i:02}"), "v").unwrap();
    }
    assert_eq!(code(set(&v, "db", "k20", "v")), "CSMS.0203");
    set(&v, "db", "k00", "changed at twenty").unwrap();
    let tags = shown(&v, "db");
    assert_eq!(tags.len(), 20);
    assert_eq!(tags[0], "k00=changed at twenty");
    assert!(!tags.iter().any(|t| t.starts_with("k20")));
    // A batch that would end above 20 is refused whole.
    v.batch_tags(&name("db"), &batch(TagAction::Delete, &[("k19", None)]))
        .unwrap();
    let two_new = batch(
        TagAction::Create,
        &[("k00", Some("x")), ("new1", Some("a")), ("new2", Some("b"))],
    );
    assert_eq!(code(v.batch_tags(&name("db"), &two_new)), "CSMS.0203");
    assert_eq!(
        shown(&v, "db")[0],
        "k00=changed at twenty",
        "nothing written"
    );
    let one_new = batch(
        TagAction::Create,
        &[("k00", Some("x")), ("new1", Some("a"))],
    );
    v.batch_tags(&name("db"), &one_new).unwrap();
    assert_eq!(shown(&v, "db").len(), 20);
}

#[test]
fn a_pending_secret_keeps_its_tags_readable_but_unchangeable() {
    let (_tv, v, _) = vault();
    v.create_secret(&text_request("db", "x")).unwrap();
    set(&v, "db", "env", "prod").unwrap();
    v.set_secret_enabled("db", false).unwrap();
    set(&v, "db", "disabled", "is fine").unwrap();
    let pending = v
        .schedule_delete(
            "db",
            &DeleteSecretForScheduleRequest {
                recovery_window_in_days: Some(7),
            },
        )
        .unwrap();
    assert_eq!(pending.state, SecretState::PendingDelete);
    assert_eq!(code(set(&v, "db", "k", "v")), "CSMS.0103");
    assert_eq!(code(v.delete_tag(&name("db"), "env")), "CSMS.0103");
    assert_eq!(
        code(v.batch_tags(&name("db"), &batch(TagAction::Delete, &[("env", None)]))),
        "CSMS.0103"
    );
    assert_eq!(shown(&v, "db"), ["disabled=is fine", "env=prod"]);
    let (found, total) = resources(&v, vec![filter("env", &["prod"])], &[], None, None);
    assert_eq!(
        (found, total),
        (vec!["db".to_owned()], 1),
        "every state is a candidate"
    );
}

#[test]
fn deleting_a_missing_tag_is_0005_alone_and_ignored_in_a_batch() {
    let (_tv, v, _) = vault();
    v.create_secret(&text_request("db", "x")).unwrap();
    set(&v, "db", "env", "prod").unwrap();
    set(&v, "db", "team", "core").unwrap();
    assert_eq!(code(v.delete_tag(&name("db"), "nope")), "CSMS.0005");
    assert_eq!(code(v.delete_tag(&name("db"), "")), "CSMS.0002");
    assert_eq!(
        code(v.delete_tag(&name("db"), "a/b")),
        "CSMS.0005",
        "a delete checks the key's length only: such a key is simply not there"
    );
    v.delete_tag(&name("db"), "env").unwrap();
    assert_eq!(shown(&v, "db"), ["team=core"]);
    v.batch_tags(
        &name("db"),
        &batch(
            TagAction::Delete,
            &[("nope", None), ("team", Some("other"))],
        ),
    )
    .unwrap();
    assert_eq!(shown(&v, "db"), ["team=core"], "a value given must match");
    v.batch_tags(
        &name("db"),
        &batch(TagAction::Delete, &[("team", Some("core"))]),
    )
    .unwrap();
    assert!(shown(&v, "db").is_empty());
}

#[test]
fn a_batch_is_all_or_nothing_and_checks_its_action_and_list() {
    let (_tv, v, _) = vault();
    v.create_secret(&text_request("db", "x")).unwrap();
    let half_bad = batch(
        TagAction::Create,
        &[("good", Some("1")), ("bad/key", Some("2"))],
    );
    assert_eq!(code(v.batch_tags(&name("db"), &half_bad)), "CSMS.0002");
    let err = v.batch_tags(&name("db"), &half_bad).unwrap_err().to_api();
    assert!(err.error_msg.contains("tags[1]"), "{}", err.error_msg);
    assert!(shown(&v, "db").is_empty(), "nothing written");
    let mut wrong_action = batch(TagAction::Create, &[("k", Some("v"))]);
    wrong_action.action = "update".into();
    let err = v
        .batch_tags(&name("db"), &wrong_action)
        .unwrap_err()
        .to_api();
    assert_eq!(err.error_code(), "CSMS.0002");
    assert!(
        err.error_msg.starts_with("Invalid action:"),
        "{}",
        err.error_msg
    );
    assert_eq!(
        code(v.batch_tags(&name("db"), &batch(TagAction::Create, &[]))),
        "CSMS.0002"
    );
    let twice = batch(TagAction::Create, &[("k", Some("1")), ("k", Some("2"))]);
    assert_eq!(code(v.batch_tags(&name("db"), &twice)), "CSMS.0002");
    let many: Vec<(String, Option<&str>)> = (0..21).map(|i| (format!("k{i}"), Some("v"))).collect();
    let many: Vec<(&str, Option<&str>)> = many.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(
        code(v.batch_tags(&name("db"), &batch(TagAction::Create, &many))),
        "CSMS.0002",
        "a list holds at most 20"
    );
    let good = batch(TagAction::Create, &[("a", Some("1")), ("b", None)]);
    v.batch_tags(&name("db"), &good).unwrap();
    assert_eq!(shown(&v, "db"), ["a=1", "b="]);
    assert!(matches!(
        v.execute(&Request::BatchCreateOrDeleteTags {
            secret: name("db"),
            body: good,
        }),
        Ok(Response::NoContent)
    ));
}

#[test]
fn the_project_lists_every_key_and_value_in_use_sorted_and_deletes_take_tags_along() {
    let (_tv, v, _) = vault();
    for n in ["a", "b", "c"] {
        v.create_secret(&text_request(n, "x")).unwrap();
    }
    set(&v, "a", "env", "prod").unwrap();
    set(&v, "b", "env", "dev").unwrap();
    set(&v, "c", "env", "prod").unwrap();
    set(&v, "c", "Team", "core").unwrap();
    set(&v, "b", "app", "").unwrap();
    let project = serde_json::to_value(v.project_tags().unwrap()).unwrap();
    assert_eq!(
        project,
        serde_json::json!({"tags": [
            {"key": "Team", "values": ["core"]},
            {"key": "app", "values": [""]},
            {"key": "env", "values": ["dev", "prod"]},
        ]}),
        "byte order: upper case first"
    );
    v.delete_secret("c").unwrap();
    let project = serde_json::to_value(v.project_tags().unwrap()).unwrap();
    assert_eq!(
        project["tags"],
        serde_json::json!([{"key": "app", "values": [""]}, {"key": "env", "values": ["dev", "prod"]}])
    );
    assert_eq!(v.all_tags().unwrap().len(), 2);
}

#[test]
fn resource_instances_filter_by_every_tag_and_name_and_count() {
    let (_tv, v, _) = vault();
    for (n, env, team) in [
        ("api-key", "prod", "core"),
        ("DB-password", "prod", "data"),
        ("db-replica", "dev", "data"),
        ("web", "prod", "core"),
        ("untagged", "", ""),
    ] {
        v.create_secret(&text_request(n, "x")).unwrap();
        if !env.is_empty() {
            set(&v, n, "env", env).unwrap();
            set(&v, n, "team", team).unwrap();
        }
    }
    let all = |tags| resources(&v, tags, &[], None, None);
    assert_eq!(
        all(vec![filter("env", &["prod"])]),
        (s(&["DB-password", "api-key", "web"]), 3),
        "by name in byte order"
    );
    assert_eq!(
        all(vec![
            filter("env", &["prod", "dev"]),
            filter("team", &["data"])
        ]),
        (s(&["DB-password", "db-replica"]), 2),
        "values are or-ed, entries and-ed"
    );
    assert_eq!(all(vec![filter("team", &[])]).1, 4, "no values: any value");
    assert_eq!(all(vec![filter("nope", &[])]), (s(&[]), 0));
    assert_eq!(all(vec![]).1, 5, "no tags: every secret");
    assert_eq!(
        resources(&v, vec![filter("env", &[])], &["DB"], None, None),
        (s(&["DB-password", "db-replica"]), 2),
        "names match without case"
    );
    assert_eq!(
        resources(&v, vec![], &["db", "replica"], None, None),
        (s(&["db-replica"]), 1)
    );
    assert_eq!(
        resources(&v, vec![], &[""], None, None),
        (s(&[]), 0),
        "an empty match matches nothing"
    );
    assert_eq!(
        resources(&v, vec![filter("env", &[])], &[], Some("2"), Some("1")),
        (s(&["api-key", "db-replica"]), 4),
        "total_count counts every match"
    );
    assert_eq!(
        resources(&v, vec![filter("env", &[])], &[], None, Some("9")),
        (s(&[]), 4)
    );
    // The page and its record.
    let body = ListResourceInstancesRequest {
        action: "filter".into(),
        tags: Some(vec![filter("team", &["core"])]),
        ..ListResourceInstancesRequest::default()
    };
    let json = serde_json::to_value(v.list_resources(&body).unwrap()).unwrap();
    let first = &json["resources"][0];
    assert_eq!(first["resource_name"], "api-key");
    assert_eq!(first["resource_id"], first["resource_detail"]["id"]);
    assert_eq!(first["resource_detail"]["state"], "ENABLED");
    assert_eq!(first["resource_detail"]["enterprise_project_id"], "0");
    assert_eq!(
        first["tags"],
        serde_json::json!([{"key": "env", "value": "prod"}, {"key": "team", "value": "core"}])
    );
    assert_eq!(first["sys_tags"], serde_json::json!([]));
    assert_eq!(json["total_count"], 2);
    let count = ListResourceInstancesRequest {
        action: "count".into(),
        ..body
    };
    assert_eq!(
        serde_json::to_value(v.list_resources(&count).unwrap()).unwrap(),
        serde_json::json!({"total_count": 2})
    );
}

#[test]
fn resource_instances_refuse_what_the_api_refuses() {
    let (_tv, v, _) = vault();
    let with = |f: &dyn Fn(&mut ListResourceInstancesRequest)| {
        let mut body = ListResourceInstancesRequest {
            action: "filter".into(),
            ..ListResourceInstancesRequest::default()
        };
        f(&mut body);
        code(v.list_resources(&body))
    };
    assert_eq!(with(&|b| b.action = "list".into()), "CSMS.0002");
    assert_eq!(with(&|b| b.action = String::new()), "CSMS.0002");
    assert_eq!(
        with(&|b| b.limit = Some(CountText::Text("0".into()))),
        "CSMS.0002"
    );
    assert_eq!(
        with(&|b| b.limit = Some(CountText::Text("1001".into()))),
        "CSMS.0002"
    );
    assert_eq!(
        with(&|b| b.limit = Some(CountText::Text("ten".into()))),
        "CSMS.0002"
    );
    assert_eq!(
        with(&|b| b.offset = Some(CountText::Text("-1".into()))),
        "CSMS.0002"
    );
    assert_eq!(
        with(&|b| b.tags = Some((0..11).map(|i| filter(&format!("k{i}"), &[])).collect())),
        "CSMS.0002"
    );
    assert_eq!(
        with(&|b| b.tags = Some(vec![filter("k", &["a", "a"])])),
        "CSMS.0002"
    );
    let eleven: Vec<String> = (0..11).map(|i| i.to_string()).collect();
    let eleven: Vec<&str> = eleven.iter().map(String::as_str).collect();
    assert_eq!(
        with(&|b| b.tags = Some(vec![filter("k", &eleven)])),
        "CSMS.0002"
    );
    assert_eq!(with(&|b| b.tags = Some(vec![filter("", &[])])), "CSMS.0002");
    assert_eq!(
        with(&|b| {
            b.matches = Some(vec![TagMatch {
                key: "resource_id".into(),
                value: "x".into(),
            }]);
        }),
        "CSMS.0002"
    );
    // A count ignores the page.
    assert_eq!(
        v.list_resources(&ListResourceInstancesRequest {
            action: "count".into(),
            limit: Some(CountText::Text("0".into())),
            ..ListResourceInstancesRequest::default()
        })
        .unwrap()
        .total_count,
        0
    );
}

#[test]
fn secrets_list_by_tags_in_pages_like_list_secrets() {
    let (_tv, v, _) = vault();
    for i in 0..7 {
        let n = format!("s{i}");
        v.create_secret(&text_request(&n, "x")).unwrap();
        if i % 2 == 0 {
            set(&v, &n, "even", "yes").unwrap();
        }
        set(&v, &n, "any", &i.to_string()).unwrap();
    }
    let tags = [filter("even", &["yes"]), filter("any", &[])];
    let first = v.list_secrets_tagged(Some(2), None, &tags).unwrap();
    let names: Vec<&str> = first.secrets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["s0", "s2"]);
    assert_eq!(first.page_info.next_marker.as_deref(), Some("s2"));
    assert_eq!(first.page_info.previous_marker, None);
    let last = v.list_secrets_tagged(Some(2), Some("s2"), &tags).unwrap();
    let names: Vec<&str> = last.secrets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["s4", "s6"]);
    assert_eq!(last.page_info.next_marker, None);
    assert_eq!(last.page_info.current_count, 2);
    assert_eq!(
        code(v.list_secrets_tagged(Some(0), None, &tags)),
        "CSMS.0002"
    );
    assert_eq!(
        code(v.list_secrets_tagged(None, None, &[filter("", &[])])),
        "CSMS.0002"
    );
    let third = v
        .list_secrets_tagged(Some(1), Some("s2"), &[filter("even", &[])])
        .unwrap();
    assert_eq!(third.page_info.previous_marker.as_deref(), Some("s0"));
}

#[test]
fn a_blob_carries_the_tags_and_a_restore_writes_them_back() {
    let (_tv, v, _) = vault();
    v.create_secret(&text_request("db", "x")).unwrap();
    set(&v, "db", "env", "prod").unwrap();
    set(&v, "db", "team", "core").unwrap();
    let blob = v.download_blob("db").unwrap();
    v.delete_secret("db").unwrap();
    assert!(v.project_tags().unwrap().tags.is_empty());
    let restored = v.upload_blob(&blob).unwrap();
    assert_eq!(shown(&v, "db"), ["env=prod", "team=core"]);
    assert_eq!(
        v.list_tags(&SecretRef::Id(restored.id)).unwrap().tags.len(),
        2,
        "found by its id again"
    );
}

fn s(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}
