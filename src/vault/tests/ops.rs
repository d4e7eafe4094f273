//! Vault operations at the library level: batches, duplicates, default key, paging, detail, states.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::{TempVault, text_request};
use crate::csms::CreateSecretRequest;
use crate::csms::KeyState;
use crate::vault::ImportOutcome;

#[test]
fn a_batch_creates_what_it_can_skips_existing_names_and_refuses_repeats() {
    let (tv, vault) = TempVault::new();
    vault.create_secret(&text_request("already", "x")).unwrap();
    let batch = vec![
        text_request("fresh-1", "a"),
        text_request("already", "b"),
        text_request("bad name", "c"),
        text_request("fresh-1", "d"),
        text_request("fresh-2", "e"),
    ];
    let outcomes = vault.create_secrets(&batch).unwrap();
    let kinds: Vec<&str> = outcomes
        .iter()
        .map(|o| match o {
            ImportOutcome::Created(_) => "created",
            ImportOutcome::AlreadyExists => "exists",
            ImportOutcome::Failed(_) => "failed",
        })
        .collect();
    assert_eq!(kinds, ["created", "exists", "failed", "failed", "created"]);
    match &outcomes[3] {
        ImportOutcome::Failed(e) => {
            assert!(e.error_msg.contains("already exists"), "{}", e.error_msg);
        }
        other => panic!("{other:?}"),
    }
    drop(vault);
    let vault = tv.reopen();
    assert_eq!(
        vault
            .get_value("fresh-1", "latest")
            .unwrap()
            .secret_string
            .as_deref()
            .map(String::as_str),
        Some("a"),
        "the first of two same-named requests wins"
    );
    assert_eq!(vault.all_secrets().unwrap().len(), 3);
}

#[test]
fn a_batch_larger_than_the_parallel_threshold_keeps_request_order() {
    let (_tv, vault) = TempVault::new();
    let batch: Vec<CreateSecretRequest> = (0..500)
        .map(|i| text_request(&format!("s{i:04}"), &format!("value {i}")))
        .collect();
    let outcomes = vault.create_secrets(&batch).unwrap();
    for (i, outcome) in outcomes.iter().enumerate() {
        match outcome {
            ImportOutcome::Created(secret) => assert_eq!(secret.name, format!("s{i:04}")),
            other => panic!("request {i}: {other:?}"),
        }
    }
    for i in [0, 137, 499] {
        let v = vault.get_value(&format!("s{i:04}"), "v1").unwrap();
        assert_eq!(
            v.secret_string.as_deref().map(String::as_str),
            Some(format!("value {i}").as_str())
        );
    }
}

#[test]
fn a_large_batch_with_refusals_among_its_pieces_answers_each_request_in_order() {
    let (tv, vault) = TempVault::new();
    // Requests are sealed in pieces of 64 while earlier pieces are written: the refused ones
    // (existing, bad, repeated names) fall in every piece and on its edges.
    let expected = |i: usize| match i {
        _ if i.is_multiple_of(5) => "exists",
        _ if i % 7 == 3 || i % 64 == 63 => "failed",
        _ => "created",
    };
    let name = |i: usize| match expected(i) {
        "failed" if i.is_multiple_of(2) => format!("bad name {i}"),
        // A repeat of an earlier request's name (that one is created or exists).
        "failed" => format!("s{:04}", i - 1),
        _ => format!("s{i:04}"),
    };
    let mut before = Vec::new();
    for i in (0..300).filter(|i| expected(*i) == "exists") {
        before.push(text_request(&name(i), "before"));
    }
    vault.create_secrets(&before).unwrap();
    let batch: Vec<CreateSecretRequest> = (0..300)
        .map(|i| text_request(&name(i), &format!("value {i}")))
        .collect();
    let outcomes = vault.create_secrets(&batch).unwrap();
    assert_eq!(outcomes.len(), 300);
    for (i, outcome) in outcomes.iter().enumerate() {
        match (expected(i), outcome) {
            ("created", ImportOutcome::Created(secret)) => assert_eq!(secret.name, name(i)),
            ("exists", ImportOutcome::AlreadyExists) | ("failed", ImportOutcome::Failed(_)) => {}
            (want, got) => panic!("request {i}: want {want}, got {got:?}"),
        }
    }
    drop(vault);
    let vault = tv.reopen();
    for i in [1, 2, 62, 64, 65, 128, 299] {
        let want = if expected(i) == "exists" {
            "before".to_owned()
        } else {
            format!("value {i}")
        };
        let got = vault.get_value(&name(i), "latest").unwrap().secret_string;
        assert_eq!(
            got.as_deref().map(String::as_str),
            Some(want.as_str()),
            "{i}"
        );
    }
    let created = (0..300).filter(|i| expected(*i) != "failed").count();
    assert_eq!(vault.all_secrets().unwrap().len(), created);
}

#[test]
fn duplicate_name_outranks_later_field_errors_and_changes_nothing() {
    let (_tv, vault) = TempVault::new();
    vault.create_secret(&text_request("taken", "x")).unwrap();
    let mut req = text_request("taken", "y");
    req.description = Some("d".repeat(5000));
    let err = vault.create_secret(&req).unwrap_err().to_api();
    assert_eq!(err.error_code(), "CSMS.0002");
    assert!(
        err.error_msg.contains("already exists"),
        "{}",
        err.error_msg
    );
    assert_eq!(
        vault
            .get_value("taken", "latest")
            .unwrap()
            .secret_string
            .as_deref()
            .map(String::as_str),
        Some("x")
    );
}

#[test]
fn the_default_key_is_created_once_on_first_use() {
    let (_tv, vault) = TempVault::new();
    assert!(vault.list_keys().unwrap().is_empty());
    let a = vault.create_secret(&text_request("a", "1")).unwrap();
    let b = vault.create_secret(&text_request("b", "2")).unwrap();
    let keys = vault.list_keys().unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].key_alias, "csms/default");
    assert!(keys[0].default_key);
    assert_eq!(a.kms_key_id, keys[0].key_id);
    assert_eq!(b.kms_key_id, keys[0].key_id);
    assert_eq!(vault.key_usage().unwrap().get(&keys[0].key_id), Some(&2));
}

#[test]
fn a_disabled_default_key_refuses_new_secrets() {
    let (_tv, vault) = TempVault::new();
    vault.create_secret(&text_request("a", "1")).unwrap();
    vault
        .set_key_state("csms/default", KeyState::Disabled)
        .unwrap();
    let err = vault
        .create_secret(&text_request("b", "2"))
        .unwrap_err()
        .to_api();
    assert_eq!(err.error_code(), "CSMS.0401");
    assert!(err.error_msg.contains("disabled"));
    assert!(vault.show_secret("b").is_err());
}

#[test]
fn paging_walks_every_name_once_in_order() {
    let (_tv, vault) = TempVault::new();
    let names = [
        "delta", "alpha", "echo", "bravo", "charlie", "foxtrot", "golf",
    ];
    let batch: Vec<_> = names.iter().map(|n| text_request(n, "v")).collect();
    vault.create_secrets(&batch).unwrap();
    let mut seen = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let page = vault.list_secrets(Some(3), marker.as_deref()).unwrap();
        assert_eq!(page.page_info.current_count, page.secrets.len());
        seen.extend(page.secrets.iter().map(|s| s.name.clone()));
        match page.page_info.next_marker {
            Some(next) => marker = Some(next),
            None => break,
        }
    }
    let mut sorted: Vec<String> = names.iter().map(ToString::to_string).collect();
    sorted.sort();
    assert_eq!(seen, sorted);
    let third_page = vault.list_secrets(Some(3), Some("foxtrot")).unwrap();
    assert_eq!(third_page.secrets.len(), 1);
    assert_eq!(
        third_page.page_info.previous_marker.as_deref(),
        Some("charlie")
    );
    for bad in [0, 1001] {
        let err = vault.list_secrets(Some(bad), None).unwrap_err().to_api();
        assert_eq!(err.error_code(), "CSMS.0002");
    }
}

#[test]
fn detail_lists_versions_and_stages() {
    let (_tv, vault) = TempVault::new();
    let mut req = text_request("with-detail", "v");
    req.description = Some("for the detail pane".into());
    vault.create_secret(&req).unwrap();
    let detail = vault.secret_detail("with-detail").unwrap();
    assert_eq!(detail.key_alias, "csms/default");
    assert_eq!(detail.secret.description, "for the detail pane");
    assert_eq!(detail.versions.len(), 1);
    assert_eq!(detail.versions[0].metadata.id, "v1");
    assert_eq!(
        detail.versions[0].metadata.version_stages,
        vec!["SYSCURRENT"]
    );
    let err = vault.get_value("with-detail", "v2").unwrap_err().to_api();
    assert_eq!(err.error_code(), "CSMS.0005");
    let err = vault.secret_detail("nope").unwrap_err().to_api();
    assert_eq!(err.error_code(), "CSMS.0106");
}

#[test]
fn key_aliases_follow_the_kms_rules() {
    let (_tv, vault) = TempVault::new();
    vault.create_key("app:db/primary_1-a", "").unwrap();
    for bad in [
        "",
        "has space",
        "app/default",
        "csms/default",
        &"a".repeat(256),
    ] {
        let err = vault.create_key(bad, "").unwrap_err().to_api();
        assert_eq!(err.error_code(), "CSMS.0002", "alias {bad:?}");
    }
    let err = vault
        .create_key("app:db/primary_1-a", "")
        .unwrap_err()
        .to_api();
    assert!(err.error_msg.contains("already in use"));
    assert_eq!(vault.list_keys().unwrap().len(), 1);
}
