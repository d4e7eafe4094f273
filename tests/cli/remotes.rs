//! `csvault remote add|list|remove` through the real binary (issue 17): the SK from the
//! environment or a file, kept sealed and never printed; the endpoint policy before anything is
//! stored; remove.

use crate::support::{PASSPHRASE, TestVault, api_err, keys};
use csvault::csms::op::{Request, Response};
use csvault::vault::Vault;

const SK: &str = "Sk-9f8e7d6c5b4a39281706";

/// The SK the vault holds for `remote`, opened as push and pull do.
fn stored_sk(v: &TestVault, remote: &str) -> String {
    let vault = Vault::open(&v.path, PASSPHRASE.as_bytes()).unwrap();
    match vault
        .execute(&Request::OpenRemote {
            name: remote.into(),
        })
        .unwrap()
    {
        Response::OpenedRemote(opened) => opened.secret_key.as_str().to_owned(),
        _ => panic!("another answer"),
    }
}

#[test]
fn remote_add_takes_the_sk_from_the_environment_or_a_file_and_never_prints_it() {
    let v = TestVault::new();
    let out = v
        .cmd()
        .env("CSVAULT_REMOTE_SK", SK)
        .args([
            "remote",
            "add",
            "cloud",
            "--endpoint",
            "https://csms.cn-north-4.myhuaweicloud.com",
            "--region",
            "cn-north-4",
            "--access-key",
            "AKEXAMPLE",
        ])
        .output()
        .unwrap();
    let added = crate::support::ok_json(&out);
    assert_eq!(
        keys(&added),
        [
            "access_key",
            "create_time",
            "endpoint",
            "has_ca",
            "iam_endpoint",
            "last_sync_time",
            "name",
            "project_id",
            "region"
        ]
    );
    assert_eq!(added["name"], "cloud");
    assert_eq!(added["region"], "cn-north-4");
    assert_eq!(added["project_id"], serde_json::Value::Null);
    assert!(!String::from_utf8_lossy(&out.stdout).contains(SK));
    assert_eq!(stored_sk(&v, "cloud"), SK);

    // From a file, its one trailing newline dropped; the environment wins when both are given.
    let sk_file = v.file("sk.txt", format!("{SK}-file\r\n"));
    let ca = v.file(
        "ca.pem",
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    );
    let from_file = v.ok(&[
        "remote",
        "add",
        "desk",
        "--endpoint",
        "https://127.0.0.1:8787",
        "--project-id",
        "0a1b2c",
        "--access-key",
        "AK2",
        "--secret-key-file",
        sk_file.to_str().unwrap(),
        "--ca-file",
        ca.to_str().unwrap(),
    ]);
    assert_eq!(from_file["has_ca"], true);
    assert_eq!(stored_sk(&v, "desk"), format!("{SK}-file"));
    let both = v
        .cmd()
        .env("CSVAULT_REMOTE_SK", SK)
        .args([
            "remote",
            "add",
            "both",
            "--endpoint",
            "http://localhost:1",
            "--region",
            "r1",
            "--access-key",
            "AK3",
            "--secret-key-file",
            sk_file.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    crate::support::ok_json(&both);
    assert_eq!(stored_sk(&v, "both"), SK, "CSVAULT_REMOTE_SK comes first");

    let out = v.cmd().args(["remote", "list"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let list = crate::support::ok_json(&out);
    assert_eq!(keys(&list), ["remotes"]);
    let names: Vec<&str> = list["remotes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["both", "cloud", "desk"]);
    assert!(!stdout.contains(SK), "no SK anywhere in the list: {stdout}");
    assert!(!stdout.to_lowercase().contains("secret_key"), "{stdout}");
    // Nor in the vault file as it is stored.
    let bytes = std::fs::read(&v.path).unwrap();
    let wal = std::fs::read(crate::support::sidecar(&v.path, "-wal")).unwrap_or_default();
    for stored in [&bytes, &wal] {
        assert!(
            !stored.windows(SK.len()).any(|w| w == SK.as_bytes()),
            "the SK is sealed in the file"
        );
    }
}

#[test]
fn an_endpoint_refused_by_policy_stores_nothing_and_asks_for_nothing() {
    let v = TestVault::new();
    // No SK anywhere and no terminal: the policy is said first.
    let e = v.err(&[
        "remote",
        "add",
        "plain",
        "--endpoint",
        "http://example.com",
        "--access-key",
        "AK",
    ]);
    assert_eq!(e.code, "SYNC.0005", "{e:?}");
    assert!(e.msg.contains("https"), "{e:?}");
    let e = v.err(&[
        "remote",
        "add",
        "plain",
        "--endpoint",
        "https://csms.example.com",
        "--iam-endpoint",
        "http://iam.example.com",
        "--access-key",
        "AK",
    ]);
    assert_eq!(e.code, "SYNC.0005", "{e:?}");
    // With the SK given and no vault at all: refused before the vault is even looked for.
    let nowhere = TestVault::uninit();
    let out = nowhere
        .cmd()
        .env("CSVAULT_REMOTE_SK", SK)
        .args([
            "remote",
            "add",
            "plain",
            "--endpoint",
            "http://example.com",
            "--access-key",
            "AK",
        ])
        .output()
        .unwrap();
    assert_eq!(api_err(&out, 1).code, "SYNC.0005");
    assert!(!nowhere.path.exists());
    // Without an SK and without a terminal, a clear error; nothing stored.
    let e = v.err(&[
        "remote",
        "add",
        "cloud",
        "--endpoint",
        "https://csms.example.com",
        "--project-id",
        "p1",
        "--access-key",
        "AK",
    ]);
    assert_eq!(e.code, "VAULT.0004", "{e:?}");
    assert!(e.msg.contains("CSVAULT_REMOTE_SK"), "{e:?}");
    // Neither a project id nor a region: no request could name the project; refused first.
    let e = v.err(&[
        "remote",
        "add",
        "cloud",
        "--endpoint",
        "https://csms.example.com",
        "--access-key",
        "AK",
    ]);
    assert_eq!(e.code, "SYNC.0005", "{e:?}");
    assert!(e.msg.contains("--project-id"), "{e:?}");
    let bad_ca = v.file("not.pem", "hello");
    let out = v
        .cmd()
        .env("CSVAULT_REMOTE_SK", SK)
        .args([
            "remote",
            "add",
            "cloud",
            "--endpoint",
            "https://csms.example.com",
            "--project-id",
            "p1",
            "--access-key",
            "AK",
            "--ca-file",
            bad_ca.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(api_err(&out, 1).code, "SYNC.0005");
    let list = v.ok(&["remote", "list"]);
    assert_eq!(list, serde_json::json!({ "remotes": [] }));
}

#[test]
fn remote_remove_forgets_a_remote_and_says_when_there_is_none() {
    let v = TestVault::new();
    let add = |name: &str| {
        let out = v
            .cmd()
            .env("CSVAULT_REMOTE_SK", SK)
            .args([
                "remote",
                "add",
                name,
                "--endpoint",
                "https://csms.example.com",
                "--project-id",
                "p1",
                "--access-key",
                "AK",
            ])
            .output()
            .unwrap();
        crate::support::ok_json(&out);
    };
    add("one");
    add("two");
    let out = v
        .cmd()
        .args([
            "remote",
            "add",
            "one",
            "--endpoint",
            "https://x.example.com",
            "--project-id",
            "p1",
            "--access-key",
            "AK",
        ])
        .env("CSVAULT_REMOTE_SK", SK)
        .output()
        .unwrap();
    assert_eq!(api_err(&out, 1).code, "SYNC.0006", "the name is taken");
    let out = v.cmd().args(["remote", "remove", "one"]).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(out.stdout.is_empty() && out.stderr.is_empty(), "{out:?}");
    let e = v.err(&["remote", "remove", "one"]);
    assert_eq!(e.code, "SYNC.0006", "{e:?}");
    let list = v.ok(&["remote", "list"]);
    assert_eq!(list["remotes"].as_array().map(Vec::len), Some(1));
    assert_eq!(list["remotes"][0]["name"], "two");
}

#[test]
fn a_host_name_that_does_not_resolve_fails_at_once_without_retries() {
    let v = TestVault::new();
    let out = v
        .cmd()
        .env("CSVAULT_REMOTE_SK", SK)
        .args([
            "remote",
            "add",
            "nowhere",
            "--endpoint",
            "https://csvault-test.invalid",
            "--project-id",
            "p1",
            "--access-key",
            "AK",
        ])
        .output()
        .unwrap();
    crate::support::ok_json(&out);
    let out = v.cmd().args(["push", "nowhere"]).output().unwrap();
    let e = api_err(&out, 1);
    assert_eq!(e.code, "SYNC.0001", "{e:?}");
    // Said as such (one attempt), not "gave up after 8 attempts".
    assert!(e.msg.contains("does not resolve"), "{e:?}");
}

#[test]
fn push_refuses_a_name_breaking_the_name_rule_before_anything_is_read() {
    // No vault at all: the name is refused before the vault is even looked for.
    let nowhere = TestVault::uninit();
    for verb in ["push", "pull", "sync"] {
        let out = nowhere
            .cmd()
            .args([verb, "desk", "nosuch", "bad name"])
            .output()
            .unwrap();
        let e = api_err(&out, 1);
        assert_eq!(e.code, "CSMS.0002", "{verb}: {e:?}");
        assert!(e.msg.contains("bad name"), "{e:?}");
    }
    assert!(!nowhere.path.exists());
}
