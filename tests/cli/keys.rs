//! `csvault key …` through the real binary: KMS-shaped JSON, enable/disable by alias and by id, and
//! what a disabled or unknown key does to secrets (CSMS.0401).

use crate::support::{TestVault, assert_uuid_v4, keys};
use serde_json::Value;

/// Checks a `key_info` / `key_details` entry; its id.
fn assert_key(k: &Value, alias: &str, state: &str) -> String {
    for field in [
        "creation_date",
        "default_key_flag",
        "key_alias",
        "key_description",
        "key_id",
        "key_spec",
        "key_state",
    ] {
        assert!(keys(k).iter().any(|f| f == field), "no {field}: {k}");
    }
    let id = k["key_id"].as_str().unwrap();
    assert_uuid_v4(id);
    assert_eq!(k["key_alias"], alias, "{k}");
    assert_eq!(k["key_state"], state, "{k}");
    assert_eq!(k["key_spec"], "AES_256", "{k}");
    // KMS writes creation_date as a string of epoch milliseconds.
    let date = k["creation_date"].as_str().unwrap();
    assert!(
        date.len() == 13 && date.bytes().all(|b| b.is_ascii_digit()),
        "{k}"
    );
    id.to_owned()
}

#[test]
fn keys_create_list_enable_disable() {
    let v = TestVault::new();
    let created = v.ok(&["key", "create", "--alias", "A", "--description", "first"]);
    assert_eq!(keys(&created), ["key_info"], "{created}");
    let id = assert_key(&created["key_info"], "A", "2");
    assert_eq!(created["key_info"]["key_description"], "first");
    assert_eq!(created["key_info"]["default_key_flag"], "0");

    let e = v.err(&["key", "create", "--alias", "A"]);
    assert_eq!(e.code, "CSMS.0002", "duplicate alias: {e:?}");
    let e = v.err(&["key", "create", "--alias", "foo/default"]);
    assert_eq!(e.code, "CSMS.0002", "reserved alias: {e:?}");

    // Disabled by alias: no secret can be created under it.
    let disabled = v.ok(&["key", "disable", "A"]);
    assert_eq!(assert_key(&disabled["key_info"], "A", "3"), id);
    let e = v.err(&[
        "secret",
        "create",
        "--name",
        "s1",
        "--kms-key-id",
        "A",
        "--secret-string",
        "x",
    ]);
    assert_eq!(e.code, "CSMS.0401", "{e:?}");
    assert!(e.msg.contains("disabled"), "{e:?}");
    // An unknown key id.
    let unknown = "8c0f5a43-6a36-4f5e-9a51-1b4d1e0c2f77";
    let e = v.err(&[
        "secret",
        "create",
        "--name",
        "s1",
        "--kms-key-id",
        unknown,
        "--secret-string",
        "x",
    ]);
    assert_eq!(e.code, "CSMS.0401", "{e:?}");
    assert!(e.msg.contains(unknown), "{e:?}");

    let list = v.ok(&["key", "list"]);
    let details = list["key_details"].as_array().unwrap();
    assert_eq!(details.len(), 1, "the failed creates made a key: {list}");
    assert_eq!(assert_key(&details[0], "A", "3"), id);

    // Enabled by id: the alias now works, and the secret carries the key's id, not its alias.
    let enabled = v.ok(&["key", "enable", &id]);
    assert_eq!(assert_key(&enabled["key_info"], "A", "2"), id);
    let secret = v.ok(&[
        "secret",
        "create",
        "--name",
        "s1",
        "--kms-key-id",
        "A",
        "--secret-string",
        "x",
    ]);
    assert_eq!(secret["secret"]["kms_key_id"], id);

    // Disabled by id: the value cannot be read any more.
    let disabled = v.ok(&["key", "disable", &id]);
    assert_eq!(disabled["key_info"]["key_state"], "3");
    let e = v.err(&["secret", "get-value", "s1"]);
    assert_eq!(e.code, "CSMS.0401", "{e:?}");

    let e = v.err(&["key", "enable", "no-such-key"]);
    assert_eq!(e.code, "CSMS.0401", "{e:?}");
    assert!(e.msg.contains("no-such-key"), "{e:?}");
}

/// `--kms-key-id` takes an id or an alias; the default key's alias means the default key, even
/// before its first use created it, and an unknown alias is an unknown key (CSMS.0401).
#[test]
fn kms_key_id_by_alias_on_the_command_line() {
    let v = TestVault::new();
    let secret = v.ok(&[
        "secret",
        "create",
        "--name",
        "s1",
        "--kms-key-id",
        "csms/default",
        "--secret-string",
        "x",
    ]);
    let list = v.ok(&["key", "list"]);
    let details = list["key_details"].as_array().unwrap();
    assert_eq!(details.len(), 1, "{list}");
    let default_id = assert_key(&details[0], "csms/default", "2");
    assert_eq!(details[0]["default_key_flag"], "1");
    assert_eq!(secret["secret"]["kms_key_id"], default_id);

    let e = v.err(&[
        "secret",
        "create",
        "--name",
        "s2",
        "--kms-key-id",
        "team/payments",
        "--secret-string",
        "x",
    ]);
    assert_eq!(e.code, "CSMS.0401", "{e:?}");
    assert!(e.msg.contains("team/payments"), "{e:?}");
}
