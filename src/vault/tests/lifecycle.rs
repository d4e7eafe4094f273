//! The lifecycle rules of docs/DECISIONS.md at the vault layer, with an injected clock: versions and
//! stages, the cap and the quota, states and their refusals, scheduled deletion and purge, backup
//! blobs, passwords and passphrase changes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::{PASSPHRASE, T0, TempVault, binary_request, code, text_request, vault};
use crate::csms::{
    CreateSecretVersionRequest, DAY_MS, DeleteSecretForScheduleRequest, GeneratePasswordRequest,
    KeyState, LATEST, SecretState, UpdateSecretRequest, UpdateVersionRequest,
};
use crate::vault::{ManualClock, Vault, generate_password};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::collections::BTreeMap;
use std::sync::Arc;
use zeroize::Zeroizing;

fn new_text(value: &str) -> CreateSecretVersionRequest {
    CreateSecretVersionRequest {
        secret_string: Some(Zeroizing::new(value.into())),
        ..Default::default()
    }
}

fn staged(value: &str, stages: &[&str]) -> CreateSecretVersionRequest {
    CreateSecretVersionRequest {
        version_stages: Some(stages.iter().map(|s| (*s).to_owned()).collect()),
        ..new_text(value)
    }
}

/// version id → its stages.
fn stages(v: &Vault, name: &str) -> BTreeMap<String, Vec<String>> {
    v.secret_detail(name)
        .unwrap()
        .versions
        .into_iter()
        .map(|d| (d.metadata.id, d.metadata.version_stages))
        .collect()
}

fn value(v: &Vault, name: &str, version: &str) -> String {
    v.get_value(name, version)
        .unwrap()
        .secret_string
        .map(|s| s.to_string())
        .unwrap()
}

fn s(list: &[&str]) -> Vec<String> {
    list.iter().map(|x| (*x).to_owned()).collect()
}

#[test]
fn a_new_version_takes_syscurrent_and_the_old_one_sysprevious() {
    let (_tv, v, clock) = vault();
    v.create_secret(&text_request("db", "one")).unwrap();
    clock.advance(1000);
    let v2 = v.create_version("db", &new_text("two")).unwrap();
    assert_eq!(v2.id, "v2");
    assert_eq!(v2.create_time, T0 + 1000);
    assert_eq!(v2.version_stages, ["SYSCURRENT"]);
    v.create_version("db", &new_text("three")).unwrap();
    let now = stages(&v, "db");
    assert_eq!(now["v1"], Vec::<String>::new(), "v1 lost SYSPREVIOUS");
    assert_eq!(now["v2"], ["SYSPREVIOUS"]);
    assert_eq!(now["v3"], ["SYSCURRENT"]);
    assert_eq!(value(&v, "db", LATEST), "three");
    assert_eq!(value(&v, "db", "v1"), "one", "old versions stay readable");
    assert_eq!(v.show_secret("db").unwrap().update_time, T0 + 1000);
}

#[test]
fn listed_stages_are_carried_exactly_and_syscurrent_stays_unless_listed() {
    let (_tv, v, _) = vault();
    v.create_secret(&text_request("db", "one")).unwrap();
    let v2 = v
        .create_version("db", &staged("two", &["blue", "blue"]))
        .unwrap();
    assert_eq!(v2.version_stages, ["blue"]);
    assert_eq!(value(&v, "db", LATEST), "one");
    v.create_version("db", &staged("three", &["SYSCURRENT", "green"]))
        .unwrap();
    let now = stages(&v, "db");
    assert_eq!(now["v1"], ["SYSPREVIOUS"]);
    assert_eq!(now["v3"], ["SYSCURRENT", "green"]);
    // An existing stage moves to the new version.
    v.create_version("db", &staged("four", &["blue"])).unwrap();
    let now = stages(&v, "db");
    assert_eq!(now["v2"], Vec::<String>::new());
    assert_eq!(now["v4"], ["blue"]);
}

#[test]
fn stages_move_by_hand_and_syscurrent_drags_sysprevious() {
    let (_tv, v, clock) = vault();
    v.create_secret(&text_request("db", "one")).unwrap();
    v.create_version("db", &new_text("two")).unwrap();
    v.create_version("db", &new_text("three")).unwrap();
    clock.advance(5000);
    let stage = v.update_stage("db", "SYSCURRENT", "v1").unwrap();
    assert_eq!(
        (
            stage.name.as_str(),
            stage.version_id.as_str(),
            stage.update_time
        ),
        ("SYSCURRENT", "v1", T0 + 5000)
    );
    let now = stages(&v, "db");
    assert_eq!(now["v1"], ["SYSCURRENT"]);
    assert_eq!(now["v3"], ["SYSPREVIOUS"]);
    assert_eq!(now["v2"], Vec::<String>::new());
    // Onto the version that already has it: nothing else moves.
    v.update_stage("db", "SYSCURRENT", "v1").unwrap();
    assert_eq!(stages(&v, "db")["v3"], ["SYSPREVIOUS"]);
    v.update_stage("db", "canary", "v2").unwrap();
    v.update_stage("db", "canary", "v3").unwrap();
    assert_eq!(v.show_stage("db", "canary").unwrap().version_id, "v3");
    assert_eq!(code(v.update_stage("db", "x", "v9")), "CSMS.0005");
    assert_eq!(code(v.update_stage("db", "bad.name", "v1")), "CSMS.0002");
    assert_eq!(code(v.show_stage("db", "nope")), "CSMS.0005");
    assert_eq!(code(v.delete_stage("db", "SYSCURRENT")), "CSMS.0105");
    assert_eq!(code(v.delete_stage("db", "SYSPREVIOUS")), "CSMS.0105");
    assert_eq!(code(v.delete_stage("db", "nope")), "CSMS.0005");
    v.delete_stage("db", "canary").unwrap();
    assert_eq!(code(v.show_stage("db", "canary")), "CSMS.0005");
}

#[test]
fn twenty_versions_at_most_and_the_oldest_unstaged_goes() {
    let (_tv, v, _) = vault();
    v.create_secret(&text_request("db", "v1")).unwrap();
    v.update_stage("db", "keep", "v1").unwrap();
    for i in 2..=25 {
        let meta = v.create_version("db", &new_text(&format!("v{i}"))).unwrap();
        assert_eq!(meta.id, format!("v{i}"), "ids are never reused");
    }
    let ids: Vec<String> = stages(&v, "db").into_keys().collect();
    assert_eq!(ids.len(), 20);
    let expected: Vec<String> = std::iter::once("v1".to_owned())
        .chain((7..=25).map(|i| format!("v{i}")))
        .collect();
    let mut sorted = expected.clone();
    sorted.sort();
    assert_eq!(
        ids, sorted,
        "v1 kept its stage; v2–v6 were pruned oldest first"
    );
    assert_eq!(value(&v, "db", "v1"), "v1");
    assert_eq!(code(v.get_value("db", "v2")), "CSMS.0005");
}

#[test]
fn twelve_stages_at_most_moving_is_no_add() {
    let (_tv, v, _) = vault();
    v.create_secret(&text_request("db", "one")).unwrap();
    v.create_version("db", &new_text("two")).unwrap(); // SYSCURRENT + SYSPREVIOUS
    for i in 0..10 {
        v.update_stage("db", &format!("s{i}"), "v1").unwrap();
    }
    assert_eq!(code(v.update_stage("db", "s10", "v2")), "CSMS.0203");
    assert_eq!(
        code(v.create_version("db", &staged("x", &["s10"]))),
        "CSMS.0203"
    );
    v.update_stage("db", "s3", "v2").unwrap();
    v.create_version("db", &staged("three", &["s4"])).unwrap();
    let count: usize = stages(&v, "db").values().map(Vec::len).sum();
    assert_eq!(count, 12);
}

#[test]
fn each_state_refuses_what_decisions_say() {
    let (_tv, v, _) = vault();
    v.create_secret(&text_request("db", "one")).unwrap();
    let disabled = v.set_secret_enabled("db", false).unwrap();
    assert_eq!(disabled.state, SecretState::Disabled);
    assert_eq!(code(v.get_value("db", LATEST)), "CSMS.0109");
    assert_eq!(code(v.create_version("db", &new_text("x"))), "CSMS.0109");
    let expire = UpdateVersionRequest { expire_time: T0 };
    assert_eq!(code(v.update_version("db", "v1", &expire)), "CSMS.0109");
    assert_eq!(code(v.batch_get_value(&s(&["db"]))), "CSMS.0109");
    let update = UpdateSecretRequest {
        description: Some("still editable".into()),
        kms_key_id: None,
        ..UpdateSecretRequest::default()
    };
    v.update_secret("db", &update).unwrap();
    v.set_secret_enabled("db", true).unwrap();

    let window = DeleteSecretForScheduleRequest::default();
    let pending = v.schedule_delete("db", &window).unwrap();
    assert_eq!(pending.state, SecretState::PendingDelete);
    assert_eq!(code(v.get_value("db", LATEST)), "CSMS.0109");
    assert_eq!(code(v.create_version("db", &new_text("x"))), "CSMS.0109");
    assert_eq!(code(v.update_version("db", "v1", &expire)), "CSMS.0109");
    assert_eq!(code(v.update_secret("db", &update)), "CSMS.0103");
    assert_eq!(code(v.update_stage("db", "x", "v1")), "CSMS.0103");
    assert_eq!(code(v.delete_stage("db", "x")), "CSMS.0103");
    assert_eq!(code(v.set_secret_enabled("db", true)), "CSMS.0103");
    assert_eq!(code(v.schedule_delete("db", &window)), "CSMS.0107");
    assert_eq!(
        code(v.create_secret(&text_request("db", "again"))),
        "CSMS.0002"
    );
    assert!(
        v.list_secrets(None, None)
            .unwrap()
            .secrets
            .iter()
            .any(|s| s.name == "db")
    );
    let restored = v.restore_secret("db").unwrap();
    assert_eq!(
        (restored.state, restored.scheduled_delete_time),
        (SecretState::Enabled, None)
    );
    assert_eq!(code(v.restore_secret("db")), "CSMS.0108");
    assert_eq!(value(&v, "db", LATEST), "one");
}

#[test]
fn windows_are_seven_to_thirty_days_thirty_by_default() {
    let (_tv, v, _) = vault();
    for name in ["a", "b", "c"] {
        v.create_secret(&text_request(name, "x")).unwrap();
    }
    let days = |d| DeleteSecretForScheduleRequest {
        recovery_window_in_days: d,
    };
    let a = v.schedule_delete("a", &days(None)).unwrap();
    assert_eq!(a.scheduled_delete_time, Some(T0 + 30 * DAY_MS));
    let b = v.schedule_delete("b", &days(Some(7))).unwrap();
    assert_eq!(b.scheduled_delete_time, Some(T0 + 7 * DAY_MS));
    assert_eq!(code(v.schedule_delete("c", &days(Some(6)))), "CSMS.0002");
    assert_eq!(code(v.schedule_delete("c", &days(Some(31)))), "CSMS.0002");
    assert_eq!(v.show_secret("c").unwrap().state, SecretState::Enabled);
}

#[test]
fn a_pending_secret_is_purged_on_open_exactly_when_due() {
    let (tv, v, _) = vault();
    v.create_secret(&text_request("gone", "x")).unwrap();
    v.create_secret(&text_request("kept", "y")).unwrap();
    let week = DeleteSecretForScheduleRequest {
        recovery_window_in_days: Some(7),
    };
    v.schedule_delete("gone", &week).unwrap();
    drop(v);
    let due = T0 + 7 * DAY_MS;
    let open_at =
        |ms| Vault::open_with_clock(&tv.path, PASSPHRASE, Arc::new(ManualClock::at(ms))).unwrap();
    let early = open_at(due - 1);
    assert_eq!(
        early.show_secret("gone").unwrap().state,
        SecretState::PendingDelete
    );
    drop(early);
    let on_time = open_at(due);
    assert_eq!(code(on_time.show_secret("gone")), "CSMS.0106");
    assert_eq!(value(&on_time, "kept", LATEST), "y");
    on_time.create_secret(&text_request("gone", "new")).unwrap();
}

#[test]
fn delete_is_immediate_and_final() {
    let (_tv, v, _) = vault();
    v.create_secret(&text_request("db", "one")).unwrap();
    v.create_version("db", &new_text("two")).unwrap();
    v.delete_secret("db").unwrap();
    assert_eq!(code(v.show_secret("db")), "CSMS.0106");
    assert_eq!(code(v.delete_secret("db")), "CSMS.0106");
    let again = v.create_secret(&text_request("db", "fresh")).unwrap();
    assert_eq!(value(&v, "db", LATEST), "fresh");
    assert_eq!(stages(&v, "db").len(), 1);
    assert_eq!(again.state, SecretState::Enabled);
}

#[test]
fn update_secret_changes_description_and_key_for_new_versions() {
    let (_tv, v, clock) = vault();
    v.create_secret(&text_request("db", "one")).unwrap();
    let key = v.create_key("app/db", "").unwrap();
    clock.advance(60_000);
    let updated = v
        .update_secret(
            "db",
            &UpdateSecretRequest {
                description: Some("prod".into()),
                kms_key_id: Some(key.key_id.clone()),
                ..UpdateSecretRequest::default()
            },
        )
        .unwrap();
    assert_eq!(updated.description, "prod");
    assert_eq!(updated.kms_key_id, key.key_id);
    assert_eq!(updated.update_time, T0 + 60_000);
    let v2 = v.create_version("db", &new_text("two")).unwrap();
    assert_eq!(v2.kms_key_id, key.key_id);
    assert_eq!(
        value(&v, "db", "v1"),
        "one",
        "the old version keeps its key"
    );
    let cleared = v
        .update_secret(
            "db",
            &UpdateSecretRequest {
                description: Some(String::new()),
                kms_key_id: None,
                ..UpdateSecretRequest::default()
            },
        )
        .unwrap();
    assert_eq!(cleared.description, "");
    let nothing = v
        .update_secret("db", &UpdateSecretRequest::default())
        .unwrap();
    assert_eq!(nothing.update_time, cleared.update_time);
    v.set_key_state("app/db", KeyState::Disabled).unwrap();
    let back = UpdateSecretRequest {
        description: None,
        kms_key_id: Some(key.key_id),
        ..UpdateSecretRequest::default()
    };
    assert_eq!(code(v.update_secret("db", &back)), "CSMS.0401");
    let long = UpdateSecretRequest {
        description: Some("d".repeat(2049)),
        kms_key_id: None,
        ..UpdateSecretRequest::default()
    };
    assert_eq!(code(v.update_secret("db", &long)), "CSMS.0002");
    assert_eq!(code(v.update_secret("nope", &long)), "CSMS.0002");
}

#[test]
fn versions_list_in_pages_and_take_an_expiry() {
    let (_tv, v, _) = vault();
    v.create_secret(&text_request("db", "1")).unwrap();
    for i in 2..=5 {
        v.create_version("db", &new_text(&i.to_string())).unwrap();
    }
    let first = v.list_versions("db", Some(2), None).unwrap();
    let ids = |p: &crate::csms::ListSecretVersionsResponse| {
        p.version_metadatas
            .iter()
            .map(|m| m.id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&first), ["v1", "v2"]);
    assert_eq!(first.page_info.next_marker.as_deref(), Some("v2"));
    assert_eq!(first.page_info.previous_marker, None);
    let second = v.list_versions("db", Some(2), Some("v2")).unwrap();
    assert_eq!(ids(&second), ["v3", "v4"]);
    let last = v.list_versions("db", Some(2), Some("v4")).unwrap();
    assert_eq!(ids(&last), ["v5"]);
    assert_eq!(last.page_info.next_marker, None);
    assert_eq!(last.page_info.previous_marker.as_deref(), Some("v2"));
    assert_eq!(
        ids(&v.list_versions("db", None, Some("")).unwrap()).len(),
        5
    );
    assert_eq!(code(v.list_versions("db", Some(2), Some("x"))), "CSMS.0002");
    assert_eq!(code(v.list_versions("db", Some(0), None)), "CSMS.0002");
    let meta = v
        .update_version(
            "db",
            "v3",
            &UpdateVersionRequest {
                expire_time: T0 + 5,
            },
        )
        .unwrap();
    assert_eq!(meta.expire_time, Some(T0 + 5));
    assert_eq!(
        v.get_value("db", "v3")
            .unwrap()
            .version_metadata
            .expire_time,
        Some(T0 + 5),
        "an expired version stays readable"
    );
    let bad = UpdateVersionRequest { expire_time: -1 };
    assert_eq!(code(v.update_version("db", "v3", &bad)), "CSMS.0002");
    let ok = UpdateVersionRequest { expire_time: 0 };
    assert_eq!(code(v.update_version("db", "v9", &ok)), "CSMS.0005");
}

#[test]
fn batch_reads_answer_all_or_nothing() {
    let (_tv, v, _) = vault();
    v.create_secret(&text_request("a", "A")).unwrap();
    v.create_secret(&binary_request("b", b"\x00B\x00")).unwrap();
    let got = v.batch_get_value(&s(&["b", "a"])).unwrap();
    assert_eq!(got.total_count, 2);
    assert_eq!(
        got.versions[0].secret_binary.as_deref().map(String::as_str),
        Some("AEIA")
    );
    assert_eq!(
        got.versions[1].secret_string.as_deref().map(String::as_str),
        Some("A")
    );
    assert_eq!(code(v.batch_get_value(&s(&["a", "nope"]))), "CSMS.0106");
}

#[test]
fn a_blob_restores_the_secret_exactly() {
    let (_tv, v, clock) = vault();
    let nul = b"\x00\x01binary\x00with NULs\xff";
    v.create_secret(&binary_request("tls", nul)).unwrap();
    v.create_version("tls", &staged("second", &["blue"]))
        .unwrap();
    let mut big = CreateSecretVersionRequest {
        secret_binary: Some(Zeroizing::new(STANDARD.encode(vec![7u8; 24_000]))),
        expire_time: Some(T0 + 99),
        ..Default::default()
    };
    big.version_stages = None;
    clock.advance(10);
    v.create_version("tls", &big).unwrap();
    let before = v.secret_detail("tls").unwrap();
    let blob = v.download_blob("tls").unwrap();
    assert!(blob.starts_with("csvb1."));
    assert!(!blob.contains("second"), "no value in any encoding");
    v.delete_secret("tls").unwrap();
    let restored = v.upload_blob(&blob).unwrap();
    assert_eq!(restored, before.secret);
    let after = v.secret_detail("tls").unwrap();
    let meta = |d: &crate::vault::SecretDetail| {
        d.versions
            .iter()
            .map(|x| x.metadata.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(meta(&after), meta(&before));
    let v1 = v.get_value("tls", "v1").unwrap();
    assert_eq!(
        STANDARD
            .decode(v1.secret_binary.unwrap().as_bytes())
            .unwrap(),
        nul
    );
    assert_eq!(value(&v, "tls", "v2"), "second");
    assert_eq!(
        v.get_value("tls", LATEST)
            .unwrap()
            .version_metadata
            .expire_time,
        Some(T0 + 99)
    );
    // What download-blob prints, `{"secret_blob": …}`, restores as well as the bare blob.
    v.delete_secret("tls").unwrap();
    let printed = serde_json::json!({ "secret_blob": blob }).to_string();
    assert_eq!(v.upload_blob(&printed).unwrap(), before.secret);
    let next = v.create_version("tls", &new_text("fourth")).unwrap();
    assert_eq!(next.id, "v4", "numbering continues where it was");
    // The name is taken now: refused, nothing written.
    assert_eq!(code(v.upload_blob(&blob)), "CSMS.0002");
}

#[test]
fn blobs_that_are_changed_foreign_or_keyless_are_refused_with_nothing_written() {
    let (tv, v, _) = vault();
    v.create_secret(&text_request("db", "pw")).unwrap();
    let blob = v.download_blob("db").unwrap();
    v.delete_secret("db").unwrap();
    // A flipped character anywhere in the sealed part.
    let mut flipped = blob.clone().into_bytes();
    let at = flipped.len() / 2;
    flipped[at] = if flipped[at] == b'A' { b'B' } else { b'A' };
    assert_eq!(
        code(v.upload_blob(std::str::from_utf8(&flipped).unwrap())),
        "CSMS.0004"
    );
    assert_eq!(code(v.upload_blob("not a blob")), "CSMS.0004");
    // Another vault cannot open it.
    let (_other_tv, other) = TempVault::new();
    assert_eq!(code(other.upload_blob(&blob)), "CSMS.0004");
    // Its CMK disabled, then missing.
    v.set_key_state("csms/default", KeyState::Disabled).unwrap();
    assert_eq!(code(v.upload_blob(&blob)), "CSMS.0401");
    assert_eq!(
        code(v.show_secret("db")),
        "CSMS.0106",
        "nothing was written"
    );
    v.set_key_state("csms/default", KeyState::Enabled).unwrap();
    let sql = tv.sql();
    sql.execute("DELETE FROM cmks", []).unwrap();
    drop(sql);
    assert_eq!(code(v.upload_blob(&blob)), "CSMS.0401");
    assert_eq!(code(v.show_secret("db")), "CSMS.0106");
}

#[test]
fn passwords_follow_the_rules() {
    let pw = |req: &GeneratePasswordRequest| generate_password(req).map(|r| r.password.to_string());
    let default = pw(&GeneratePasswordRequest::default()).unwrap();
    assert_eq!(default.chars().count(), 32);
    assert!(!default.contains(' '));
    for length in [1, 255] {
        let req = GeneratePasswordRequest {
            length: Some(length),
            ..Default::default()
        };
        assert_eq!(pw(&req).unwrap().len(), usize::try_from(length).unwrap());
    }
    for length in [0, 256, -1] {
        let req = GeneratePasswordRequest {
            length: Some(length),
            ..Default::default()
        };
        assert_eq!(code(generate_password(&req)), "CSMS.0002");
    }
    let digits_only = GeneratePasswordRequest {
        exclude_lowercase: true,
        exclude_uppercase: true,
        exclude_punctuation: true,
        exclude_characters: Some("0123".into()),
        length: Some(200),
        ..Default::default()
    };
    let d = pw(&digits_only).unwrap();
    assert!(d.chars().all(|c| ('4'..='9').contains(&c)), "{d}");
    let each = GeneratePasswordRequest {
        include_space: true,
        require_each_included_type: true,
        length: Some(5),
        ..Default::default()
    };
    for _ in 0..50 {
        let p = pw(&each).unwrap();
        assert!(p.contains(' '));
        assert!(p.chars().any(|c| c.is_ascii_lowercase()));
        assert!(p.chars().any(|c| c.is_ascii_uppercase()));
        assert!(p.chars().any(|c| c.is_ascii_digit()));
        assert!(p.chars().any(|c| c.is_ascii_punctuation()));
    }
    let too_short = GeneratePasswordRequest {
        require_each_included_type: true,
        length: Some(3),
        ..Default::default()
    };
    assert_eq!(code(generate_password(&too_short)), "CSMS.0002");
    let nothing_left = GeneratePasswordRequest {
        exclude_lowercase: true,
        exclude_uppercase: true,
        exclude_numbers: true,
        exclude_punctuation: true,
        ..Default::default()
    };
    assert_eq!(code(generate_password(&nothing_left)), "CSMS.0002");
    // Uniform: over 40,000 characters of a 62-character pool every character appears, each
    // within a chi-squared bound a uniform source meets 99.9% of the time (61 dof: 100.9).
    let alnum = GeneratePasswordRequest {
        exclude_punctuation: true,
        length: Some(200),
        ..Default::default()
    };
    let mut counts: BTreeMap<char, u32> = BTreeMap::new();
    for _ in 0..200 {
        for c in pw(&alnum).unwrap().chars() {
            *counts.entry(c).or_default() += 1;
        }
    }
    assert_eq!(counts.len(), 62);
    let expected = 40_000.0 / 62.0;
    let chi2: f64 = counts
        .values()
        .map(|&n| (f64::from(n) - expected).powi(2) / expected)
        .sum();
    assert!(chi2 < 100.9, "chi-squared {chi2:.1}");
}

#[test]
fn a_new_passphrase_opens_the_vault_and_the_old_one_no_longer_does() {
    let (tv, v) = TempVault::real();
    v.create_secret(&text_request("db", "pw")).unwrap();
    assert_eq!(code(v.change_passphrase(b"short")), "VAULT.0004");
    v.change_passphrase(b"a brand new passphrase").unwrap();
    drop(v);
    assert_eq!(code(Vault::open(&tv.path, PASSPHRASE)), "VAULT.0002");
    let reopened = Vault::open(&tv.path, b"a brand new passphrase").unwrap();
    assert_eq!(value(&reopened, "db", LATEST), "pw");
}

#[test]
fn a_change_that_cannot_commit_leaves_the_old_passphrase_working() {
    let (tv, v) = TempVault::real();
    v.create_secret(&text_request("db", "pw")).unwrap();
    // Another process holds the write lock throughout: the change cannot commit.
    let blocker = tv.sql();
    blocker.execute_batch("BEGIN IMMEDIATE").unwrap();
    assert_eq!(code(v.change_passphrase(b"never committed")), "VAULT.0005");
    blocker.execute_batch("ROLLBACK").unwrap();
    drop(blocker);
    drop(v);
    assert_eq!(
        code(Vault::open(&tv.path, b"never committed")),
        "VAULT.0002"
    );
    let reopened = Vault::open(&tv.path, PASSPHRASE).unwrap();
    assert_eq!(value(&reopened, "db", LATEST), "pw");
}
