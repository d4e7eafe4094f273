//! Remotes and the sync state (issue 17) through `Execute`: add, list without the SK, open,
//! remove with its state, a tampered sealed SK, the sync view and what a sync records, the MAC
//! key.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use zeroize::Zeroizing;

use super::{T0, TempVault, code, text_request, vault};
use crate::csms::op::{Request, Response};
use crate::csms::{
    CreateSecretTagRequest, CreateSecretVersionRequest, OpenedRemote, RemoteInfo, RemoteSpec,
    SecretRef, SecretState, SyncRecord, SyncStateUpdate, SyncView, TagItem, VersionLink,
};
use crate::vault::{Vault, VaultResult};

const SK: &str = "sk-0123456789abcdefghij";

fn spec(name: &str) -> RemoteSpec {
    RemoteSpec {
        name: name.into(),
        endpoint: "https://csms.cn-north-4.myhuaweicloud.com/".into(),
        project_id: Some("0a1b2c3d4e5f".into()),
        region: Some("cn-north-4".into()),
        iam_endpoint: None,
        access_key: "AKEXAMPLE".into(),
        secret_key: Zeroizing::new(SK.into()),
        ca_pem: None,
    }
}

fn run(vault: &Vault, request: &Request) -> VaultResult<Response> {
    vault.execute(request)
}

fn add(vault: &Vault, spec: RemoteSpec) -> VaultResult<RemoteInfo> {
    match run(vault, &Request::AddRemote(spec))? {
        Response::Remote(info) => Ok(info),
        _ => panic!("another answer"),
    }
}

fn list(vault: &Vault) -> Vec<RemoteInfo> {
    match run(vault, &Request::ListRemotes).unwrap() {
        Response::Remotes(list) => list,
        _ => panic!("another answer"),
    }
}

fn open(vault: &Vault, name: &str) -> VaultResult<OpenedRemote> {
    match run(vault, &Request::OpenRemote { name: name.into() })? {
        Response::OpenedRemote(opened) => Ok(opened),
        _ => panic!("another answer"),
    }
}

fn view(vault: &Vault, remote: &str, names: Option<&[&str]>) -> VaultResult<SyncView> {
    let request = Request::SyncView {
        remote: remote.into(),
        names: names.map(|n| n.iter().map(|&s| s.to_owned()).collect()),
    };
    match run(vault, &request)? {
        Response::SyncView(view) => Ok(view),
        _ => panic!("another answer"),
    }
}

fn save(vault: &Vault, update: SyncStateUpdate) -> VaultResult<()> {
    match run(vault, &Request::SaveSyncState(update))? {
        Response::NoContent => Ok(()),
        _ => panic!("another answer"),
    }
}

fn remove(vault: &Vault, name: &str) -> VaultResult<()> {
    run(vault, &Request::RemoveRemote { name: name.into() }).map(|_| ())
}

fn record(name: &str, local: &str, remote: &str) -> SyncRecord {
    SyncRecord {
        local_id: String::new(),
        remote_id: String::new(),
        name: name.into(),
        local_version: local.into(),
        remote_version: remote.into(),
        value_mac: "a".repeat(64),
        meta_mac: "b".repeat(64),
        synced_at: 5,
    }
}

fn link(name: &str, local: &str, remote: &str) -> VersionLink {
    VersionLink {
        name: name.into(),
        local_version: local.into(),
        remote_version: remote.into(),
    }
}

#[test]
fn a_remote_is_added_once_listed_without_its_sk_and_opened_with_it() {
    let (_tv, vault, _clock) = vault();
    let info = add(&vault, spec("cloud")).unwrap();
    assert_eq!(info.name, "cloud");
    assert_eq!(
        info.endpoint, "https://csms.cn-north-4.myhuaweicloud.com",
        "stored without the trailing slash"
    );
    assert_eq!(
        (info.create_time, info.last_sync_time, info.has_ca),
        (T0, None, false)
    );
    let taken = add(
        &vault,
        RemoteSpec {
            access_key: "OTHER".into(),
            ..spec("cloud")
        },
    );
    assert_eq!(code(taken), "SYNC.0006");
    let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    add(
        &vault,
        RemoteSpec {
            endpoint: "http://127.0.0.1:8787".into(),
            project_id: None,
            ca_pem: Some(pem.into()),
            ..spec("desk.top")
        },
    )
    .unwrap();
    let listed = list(&vault);
    let names: Vec<&str> = listed.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["cloud", "desk.top"]);
    assert_eq!(listed[0], info, "the first add is kept as it was");
    assert!(listed[1].has_ca);
    let json = serde_json::to_string(&Response::Remotes(listed)).unwrap();
    assert!(!json.contains(SK), "no SK in a list: {json}");

    let opened = open(&vault, "cloud").unwrap();
    assert_eq!(opened.secret_key.as_str(), SK);
    assert_eq!(opened.info, info);
    assert!(!format!("{opened:?}").contains(SK), "Debug hides the SK");
    let desk = open(&vault, "desk.top").unwrap();
    assert_eq!(desk.ca_pem.as_deref(), Some(pem));
    assert_eq!(code(open(&vault, "nowhere")), "SYNC.0006");
}

#[test]
fn a_remote_breaking_a_rule_is_refused_and_nothing_is_stored() {
    let (_tv, vault, _clock) = vault();
    let cases: Vec<(RemoteSpec, &str)> = vec![
        (spec("bad name"), "CSMS.0002"),
        (spec(&"n".repeat(65)), "CSMS.0002"),
        (
            RemoteSpec {
                endpoint: "http://example.com".into(),
                ..spec("a")
            },
            "SYNC.0005",
        ),
        (
            RemoteSpec {
                iam_endpoint: Some("http://iam.example.com".into()),
                ..spec("a")
            },
            "SYNC.0005",
        ),
        (
            RemoteSpec {
                access_key: String::new(),
                ..spec("a")
            },
            "CSMS.0002",
        ),
        (
            RemoteSpec {
                access_key: "A K".into(),
                ..spec("a")
            },
            "CSMS.0002",
        ),
        (
            RemoteSpec {
                access_key: "A".repeat(129),
                ..spec("a")
            },
            "CSMS.0002",
        ),
        (
            RemoteSpec {
                secret_key: Zeroizing::new(String::new()),
                ..spec("a")
            },
            "CSMS.0002",
        ),
        (
            RemoteSpec {
                secret_key: Zeroizing::new("s".repeat(257)),
                ..spec("a")
            },
            "CSMS.0002",
        ),
        (
            RemoteSpec {
                project_id: Some("a/b".into()),
                ..spec("a")
            },
            "CSMS.0002",
        ),
        (
            RemoteSpec {
                ca_pem: Some("not a certificate".into()),
                ..spec("a")
            },
            "SYNC.0005",
        ),
        (
            RemoteSpec {
                ca_pem: Some(format!(
                    "-----BEGIN CERTIFICATE-----{}",
                    "A".repeat(1024 * 1024)
                )),
                ..spec("a")
            },
            "SYNC.0005",
        ),
    ];
    for (bad, expected) in cases {
        let shown = format!("{bad:?}");
        let e = add(&vault, bad).unwrap_err().to_api();
        assert_eq!(e.error_code(), expected, "{shown}: {e:?}");
        assert!(!e.error_msg.contains(SK), "the SK is never quoted: {e:?}");
    }
    // The longest of each is taken.
    add(
        &vault,
        RemoteSpec {
            access_key: "A".repeat(128),
            secret_key: Zeroizing::new("s".repeat(256)),
            ..spec(&"n".repeat(64))
        },
    )
    .unwrap();
    assert_eq!(list(&vault).len(), 1, "only the good one is stored");
}

#[test]
fn a_sealed_sk_altered_or_moved_to_another_remote_does_not_open() {
    let (tv, vault, _clock) = vault();
    add(&vault, spec("one")).unwrap();
    add(&vault, spec("two")).unwrap();
    let sql = tv.sql();
    sql.execute(
        "UPDATE remotes SET sealed_secret_key = (SELECT sealed_secret_key FROM remotes
             WHERE name = 'one') WHERE name = 'two'",
        [],
    )
    .unwrap();
    assert_eq!(code(open(&vault, "two")), "VAULT.0003", "bound to its name");
    sql.execute(
        "UPDATE remotes SET access_key = 'OTHER' WHERE name = 'one'",
        [],
    )
    .unwrap();
    assert_eq!(code(open(&vault, "one")), "VAULT.0003", "bound to its AK");
    sql.execute(
        "UPDATE remotes SET access_key = 'AKEXAMPLE',
             sealed_secret_key = substr(sealed_secret_key, 1, 20) WHERE name = 'one'",
        [],
    )
    .unwrap();
    assert_eq!(code(open(&vault, "one")), "VAULT.0003", "cut short");
}

#[test]
fn a_remote_whose_settings_were_altered_in_the_file_does_not_open() {
    let (tv, vault, _clock) = vault();
    let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    let alterations = [
        ("endpoint", "endpoint = 'https://evil.example.com'"),
        (
            "IAM endpoint",
            "iam_endpoint = 'https://iam.evil.example.com'",
        ),
        ("project id", "project_id = 'attacker-project'"),
        ("no project id", "project_id = NULL"),
        ("region", "region = 'eu-west-0'"),
        ("CA roots", "ca_pem = 'attacker pem'"),
        ("CA roots removed", "ca_pem = NULL"),
    ];
    for (i, (what, set)) in alterations.iter().enumerate() {
        let name = format!("r{i}");
        add(
            &vault,
            RemoteSpec {
                ca_pem: Some(pem.into()),
                ..spec(&name)
            },
        )
        .unwrap();
        assert!(open(&vault, &name).is_ok(), "{what}: opens before");
        let changed = tv
            .sql()
            .execute(
                &format!("UPDATE remotes SET {set} WHERE name = ?1"),
                [&name],
            )
            .unwrap();
        assert_eq!(changed, 1);
        let err = open(&vault, &name).unwrap_err().to_api();
        assert_eq!(err.error_code(), "VAULT.0003", "{what}");
        assert!(
            err.error_msg.contains("were altered") && err.error_msg.contains("add it again"),
            "{what}: {}",
            err.error_msg
        );
    }
}

#[test]
fn removing_a_remote_removes_its_state_and_links_only() {
    let (_tv, vault, _clock) = vault();
    add(&vault, spec("a")).unwrap();
    add(&vault, spec("b")).unwrap();
    for remote in ["a", "b"] {
        save(
            &vault,
            SyncStateUpdate {
                remote: remote.into(),
                records: vec![record("db", "v1", "v1")],
                links: vec![link("db", "v1", "v1")],
                ..SyncStateUpdate::default()
            },
        )
        .unwrap();
    }
    remove(&vault, "a").unwrap();
    assert_eq!(code(remove(&vault, "a")), "SYNC.0006");
    assert_eq!(code(view(&vault, "a", None)), "SYNC.0006");
    // Added again under the same name, it starts with no state.
    add(&vault, spec("a")).unwrap();
    let fresh = view(&vault, "a", None).unwrap();
    assert!(fresh.records.is_empty() && fresh.links.is_empty());
    let kept = view(&vault, "b", None).unwrap();
    assert_eq!(kept.records, vec![record("db", "v1", "v1")]);
    assert_eq!(kept.links, vec![link("db", "v1", "v1")]);
}

#[test]
fn the_view_holds_each_secret_without_its_value_and_the_state_of_the_names_asked() {
    let (_tv, vault, clock) = vault();
    add(&vault, spec("cloud")).unwrap();
    vault
        .create_secret(&crate::csms::CreateSecretRequest {
            description: Some("the database".into()),
            ..text_request("db", "hunter2")
        })
        .unwrap();
    clock.advance(10);
    vault
        .create_version(
            "db",
            &CreateSecretVersionRequest {
                secret_string: Some(Zeroizing::new("hunter3".into())),
                ..CreateSecretVersionRequest::default()
            },
        )
        .unwrap();
    for (key, value) in [("team", "infra"), ("env", "prod")] {
        vault
            .create_tag(
                &SecretRef::Name("db".into()),
                &CreateSecretTagRequest {
                    tag: TagItem {
                        key: key.into(),
                        value: Some(value.into()),
                    },
                },
            )
            .unwrap();
    }
    vault.create_secret(&text_request("api", "k")).unwrap();
    vault.set_secret_enabled("api", false).unwrap();
    save(
        &vault,
        SyncStateUpdate {
            remote: "cloud".into(),
            // "gone" is no longer a local secret: its record still comes with the view.
            records: vec![record("db", "v1", "v1"), record("gone", "v3", "v7")],
            links: vec![link("db", "v1", "v1"), link("gone", "v3", "v7")],
            ..SyncStateUpdate::default()
        },
    )
    .unwrap();

    let all = view(&vault, "cloud", None).unwrap();
    let names: Vec<&str> = all.secrets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["api", "db"]);
    let db = &all.secrets[1];
    assert_eq!(db.description, "the database");
    assert_eq!(db.state, SecretState::Enabled);
    assert_eq!(db.current_version.as_deref(), Some("v2"));
    let tags: Vec<(&str, &str)> = db
        .tags
        .iter()
        .map(|t| (t.key.as_str(), t.value.as_str()))
        .collect();
    assert_eq!(tags, [("env", "prod"), ("team", "infra")], "by key");
    assert_eq!(all.secrets[0].state, SecretState::Disabled);
    assert!(all.secrets[0].tags.is_empty());
    assert_eq!(all.records.len(), 2);
    assert_eq!(all.links.len(), 2);
    let json = serde_json::to_string(&all).unwrap();
    assert!(!json.contains("hunter"), "no value in the view: {json}");
    assert!(!format!("{all:?}").contains(all.mac_key.as_str()));

    let some = view(&vault, "cloud", Some(&["gone", "db", "db", "missing"])).unwrap();
    let names: Vec<&str> = some.secrets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["db"], "names that exist, once each");
    let recorded: Vec<&str> = some.records.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(recorded, ["db", "gone"]);
    assert_eq!(some.links.len(), 2);
    let none = view(&vault, "cloud", Some(&["api"])).unwrap();
    assert_eq!(none.secrets.len(), 1);
    assert!(none.records.is_empty() && none.links.is_empty());
    assert_eq!(code(view(&vault, "elsewhere", None)), "SYNC.0006");
}

#[test]
fn saving_upserts_forgets_links_once_and_sets_the_last_sync_when_finished() {
    let (_tv, vault, clock) = vault();
    add(&vault, spec("cloud")).unwrap();
    save(
        &vault,
        SyncStateUpdate {
            remote: "cloud".into(),
            records: vec![record("a", "v1", "v1"), record("b", "v1", "v4")],
            links: vec![link("a", "v1", "v1"), link("b", "v1", "v4")],
            finished: false,
            ..SyncStateUpdate::default()
        },
    )
    .unwrap();
    assert_eq!(list(&vault)[0].last_sync_time, None, "not finished yet");
    clock.advance(1_000);
    save(
        &vault,
        SyncStateUpdate {
            remote: "cloud".into(),
            records: vec![record("a", "v2", "v2")],
            forget: vec!["b".into()],
            // The link of a's v1 is there already: kept as it was, not replaced.
            links: vec![link("a", "v1", "v9"), link("a", "v2", "v2")],
            finished: true,
        },
    )
    .unwrap();
    let state = view(&vault, "cloud", None).unwrap();
    assert_eq!(state.records, vec![record("a", "v2", "v2")]);
    assert_eq!(
        state.links,
        vec![link("a", "v1", "v1"), link("a", "v2", "v2")],
        "b's links went with its record"
    );
    assert_eq!(list(&vault)[0].last_sync_time, Some(T0 + 1_000));

    // An update that breaks a rule, or names no remote, changes nothing.
    let value_as_mac = SyncRecord {
        value_mac: "hunter2".into(),
        ..record("a", "v3", "v3")
    };
    let bad = [
        SyncStateUpdate {
            remote: "cloud".into(),
            records: vec![record("c", "v1", "v1"), value_as_mac],
            finished: true,
            ..SyncStateUpdate::default()
        },
        SyncStateUpdate {
            remote: "cloud".into(),
            records: vec![record("bad name", "v1", "v1")],
            ..SyncStateUpdate::default()
        },
        SyncStateUpdate {
            remote: "cloud".into(),
            links: vec![link("a", "", "v1")],
            ..SyncStateUpdate::default()
        },
    ];
    for update in bad {
        assert_eq!(code(save(&vault, update)), "CSMS.0002");
    }
    let gone = SyncStateUpdate {
        remote: "elsewhere".into(),
        records: vec![record("a", "v1", "v1")],
        ..SyncStateUpdate::default()
    };
    assert_eq!(code(save(&vault, gone)), "SYNC.0006");
    assert_eq!(view(&vault, "cloud", None).unwrap().records, state.records);
}

#[test]
fn the_mac_key_is_the_same_across_unlocks_and_another_in_another_vault() {
    let (tv, vault, _clock) = vault();
    add(&vault, spec("cloud")).unwrap();
    let first = view(&vault, "cloud", None).unwrap().mac_key;
    assert!(
        crate::sync::mac::MacKey::from_base64(&first).is_some(),
        "32 bytes of base64"
    );
    drop(vault);
    let again = tv.reopen();
    assert_eq!(view(&again, "cloud", None).unwrap().mac_key, first);
    again
        .change_passphrase(b"another long passphrase here")
        .unwrap();
    assert_eq!(
        view(&again, "cloud", None).unwrap().mac_key,
        first,
        "the root key stays"
    );
    let (_other_tv, other) = TempVault::new();
    add(&other, spec("cloud")).unwrap();
    assert_ne!(view(&other, "cloud", None).unwrap().mac_key, first);
}

#[test]
fn a_backup_keeps_the_remotes_and_their_state_and_the_copy_opens_them() {
    let (tv, vault, _clock) = vault();
    add(&vault, spec("cloud")).unwrap();
    save(
        &vault,
        SyncStateUpdate {
            remote: "cloud".into(),
            records: vec![record("db", "v1", "v2")],
            links: vec![link("db", "v1", "v2")],
            finished: true,
            ..SyncStateUpdate::default()
        },
    )
    .unwrap();
    let copy_path = tv.path.with_file_name("copy.db");
    vault
        .backup(&crate::csms::BackupRequest {
            path: copy_path.clone(),
            force: false,
        })
        .unwrap();
    let copy = Vault::open(&copy_path, super::PASSPHRASE).unwrap();
    assert_eq!(open(&copy, "cloud").unwrap().secret_key.as_str(), SK);
    let state = view(&copy, "cloud", None).unwrap();
    assert_eq!(state.records, vec![record("db", "v1", "v2")]);
    assert_eq!(state.links, vec![link("db", "v1", "v2")]);
    assert_eq!(state.mac_key, view(&vault, "cloud", None).unwrap().mac_key);
}

#[test]
fn a_record_of_other_secret_ids_replaces_the_old_and_drops_its_links() {
    let (_tv, vault, _clock) = vault();
    add(&vault, spec("cloud")).unwrap();
    let db = vault.create_secret(&text_request("db", "hunter2")).unwrap();
    let seen = view(&vault, "cloud", Some(&["db"])).unwrap();
    assert_eq!(
        seen.secrets[0].id, db.id,
        "the view names the local secret's id"
    );
    let with_ids = |remote_id: &str| SyncRecord {
        local_id: db.id.clone(),
        remote_id: remote_id.into(),
        ..record("db", "v1", "v1")
    };
    let update = |record: SyncRecord, links: Vec<VersionLink>| SyncStateUpdate {
        remote: "cloud".into(),
        records: vec![record],
        links,
        ..SyncStateUpdate::default()
    };
    save(
        &vault,
        update(with_ids("r-1"), vec![link("db", "v1", "v1")]),
    )
    .unwrap();
    // The same secrets again: the links stay.
    save(&vault, update(with_ids("r-1"), Vec::new())).unwrap();
    let state = view(&vault, "cloud", None).unwrap();
    assert_eq!(state.records, vec![with_ids("r-1")]);
    assert_eq!(state.links.len(), 1);
    // The remote's secret created again (another id): the old links go, the new ones are kept.
    save(
        &vault,
        update(with_ids("r-2"), vec![link("db", "v1", "v3")]),
    )
    .unwrap();
    let state = view(&vault, "cloud", None).unwrap();
    assert_eq!(state.records, vec![with_ids("r-2")]);
    assert_eq!(state.links, vec![link("db", "v1", "v3")]);
    // An id that is not printable ASCII is refused.
    assert_eq!(
        code(save(&vault, update(with_ids("r\n2"), Vec::new()))),
        "CSMS.0002"
    );
}
