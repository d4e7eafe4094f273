//! The service below every edge: concurrency through handles, the injected clock, reads and keys.

use super::PASSPHRASE;
use super::{T0, code, text_request, vault};
use crate::csms::{CreateSecretRequest, ErrorCode, KeyState, LATEST, STAGE_CURRENT};
use crate::store::StoreError;
use crate::vault::{Vault, VaultError};
use zeroize::Zeroizing;

fn value_of(vault: &Vault, name: &str) -> String {
    let version = vault
        .get_value(name, LATEST)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    version
        .secret_string
        .map(|s| s.to_string())
        .unwrap_or_default()
}

#[test]
fn a_vault_is_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Vault>();
}

#[test]
fn two_threads_create_and_read_through_their_own_handles_at_once() {
    let (_tv, vault, _) = vault();
    // The default key is created once, up front, so both threads race only on secrets.
    vault
        .create_secret(&text_request("seed", "0"))
        .unwrap_or_else(|e| panic!("{e}"));
    let per_thread = 150;
    std::thread::scope(|scope| {
        for t in 0..2 {
            let handle = vault.handle().unwrap_or_else(|e| panic!("{e}"));
            scope.spawn(move || {
                for i in 0..per_thread {
                    let name = format!("t{t}-{i}");
                    let value = format!("value of {name} · {}", "x".repeat(i));
                    handle
                        .create_secret(&text_request(&name, &value))
                        .unwrap_or_else(|e| panic!("{name}: {e}"));
                    // Read back, and read the other thread's latest write too.
                    assert_eq!(value_of(&handle, &name), value);
                    let other = format!("t{}-{}", 1 - t, i / 2);
                    if handle.name_exists(&other).unwrap_or(false) {
                        assert!(
                            value_of(&handle, &other).starts_with(&format!("value of {other}"))
                        );
                    }
                }
            });
        }
    });
    let all = vault.all_secrets().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(all.len(), 2 * per_thread + 1);
    for t in 0..2 {
        for i in 0..per_thread {
            let name = format!("t{t}-{i}");
            assert_eq!(
                value_of(&vault, &name),
                format!("value of {name} · {}", "x".repeat(i))
            );
        }
    }
}

#[test]
fn a_handle_sees_what_another_committed() {
    let (_tv, vault, _) = vault();
    let other = vault.handle().unwrap_or_else(|e| panic!("{e}"));
    assert!(!other.name_exists("db").unwrap_or(true));
    vault
        .create_secret(&text_request("db", "hunter2"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(value_of(&other, "db"), "hunter2");
    assert_eq!(other.vault_id(), vault.vault_id());
}

#[test]
fn times_come_from_the_injected_clock() {
    let (_tv, vault, clock) = vault();
    let a = vault
        .create_secret(&text_request("a", "1"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((a.create_time, a.update_time), (T0, T0));
    clock.advance(61_000);
    let handle = vault.handle().unwrap_or_else(|e| panic!("{e}"));
    let b = handle
        .create_secret(&text_request("b", "2"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(b.create_time, T0 + 61_000, "a handle reads the same clock");
    let default_key = vault
        .find_key(crate::csms::DEFAULT_KEY_ALIAS)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        default_key.creation_date, T0,
        "made on first use, at that time"
    );
    let detail = vault.secret_detail("b").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(detail.versions.len(), 1);
    assert_eq!(detail.versions[0].metadata.id, "v1");
    assert_eq!(detail.versions[0].metadata.create_time, T0 + 61_000);
    assert_eq!(detail.versions[0].metadata.version_stages, [STAGE_CURRENT]);
    assert_eq!(detail.key_alias, "csms/default");
}

#[test]
fn reads_answer_with_the_api_codes() {
    let (_tv, vault, _) = vault();
    vault
        .create_secret(&text_request("db", "pw"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(code(vault.show_secret("nope")), "CSMS.0106");
    assert_eq!(code(vault.get_value("nope", LATEST)), "CSMS.0106");
    assert_eq!(code(vault.get_value("db", "v2")), "CSMS.0005");
    assert_eq!(code(vault.list_secrets(Some(0), None)), "CSMS.0002");
    assert_eq!(code(vault.list_secrets(None, Some("a b"))), "CSMS.0002");
    let v1 = vault
        .get_value("db", "v1")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v1.secret_string.as_deref().map(String::as_str), Some("pw"));
    assert_eq!(v1.version_metadata.version_stages, [STAGE_CURRENT]);
}

#[test]
fn a_disabled_key_refuses_new_secrets_and_reads() {
    let (_tv, vault, _) = vault();
    let key = vault
        .create_key("app/db", "database")
        .unwrap_or_else(|e| panic!("{e}"));
    let mut req = text_request("db", "pw");
    req.kms_key_id = Some(key.key_id.clone());
    vault.create_secret(&req).unwrap_or_else(|e| panic!("{e}"));
    let disabled = vault
        .set_key_state("app/db", KeyState::Disabled)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(disabled.key_state, KeyState::Disabled);
    assert_eq!(code(vault.get_value("db", LATEST)), "CSMS.0401");
    req.name = "db2".into();
    assert_eq!(code(vault.create_secret(&req)), "CSMS.0401");
    assert_eq!(
        code(vault.set_key_state("nope", KeyState::Enabled)),
        "CSMS.0401"
    );
    assert_eq!(code(vault.create_key("app/db", "")), "CSMS.0002");
    assert_eq!(code(vault.create_key("x/default", "")), "CSMS.0002");
    let usage = vault.key_usage().unwrap_or_default();
    assert_eq!(usage.get(&key.key_id), Some(&1));
}

#[test]
fn errors_keep_their_cause_and_path() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let blocked = dir.path().join("file");
    std::fs::write(&blocked, b"").unwrap_or_else(|e| panic!("{e}"));
    // A vault under a path whose parent is a file cannot be created.
    let err = Vault::init(&blocked.join("sub").join("v.db"), PASSPHRASE)
        .err()
        .unwrap_or_else(|| panic!("init under a file succeeded"));
    let api = err.to_api();
    assert_eq!(api.code, ErrorCode::Io);
    match &err {
        VaultError::Store(StoreError::File { path, source, .. }) => {
            assert_eq!(path, &blocked.join("sub"));
            assert_eq!(source.kind(), std::io::ErrorKind::NotADirectory);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(std::error::Error::source(&err).is_some());
    assert!(api.error_msg.contains(&blocked.display().to_string()));
    assert_eq!(
        Vault::missing(&dir.path().join("none.db")).to_api().code,
        ErrorCode::NoVault
    );
}

#[test]
fn another_handles_commit_changes_the_data_version() {
    let (_tv, vault, _) = vault();
    let other = vault.handle().unwrap_or_else(|e| panic!("{e}"));
    let before = vault.data_version().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        vault.data_version().ok(),
        Some(before),
        "stable while nothing happens"
    );
    other
        .create_secret(&text_request("db", "pw"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_ne!(vault.data_version().ok(), Some(before));
}

#[test]
fn the_detail_says_what_each_value_is_without_opening_it() {
    let (_tv, vault, _) = vault();
    vault
        .create_secret(&text_request("t", "héllo"))
        .unwrap_or_else(|e| panic!("{e}"));
    let binary = CreateSecretRequest {
        name: "b".into(),
        secret_binary: Some(Zeroizing::new("AAEC/w==".into())),
        ..CreateSecretRequest::default()
    };
    vault
        .create_secret(&binary)
        .unwrap_or_else(|e| panic!("{e}"));
    let t = vault.secret_detail("t").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(t.versions[0].kind, crate::csms::ValueKind::Text);
    assert_eq!(t.versions[0].value_bytes, "héllo".len());
    let b = vault.secret_detail("b").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(b.versions[0].kind, crate::csms::ValueKind::Binary);
    assert_eq!(b.versions[0].value_bytes, 4);
}
