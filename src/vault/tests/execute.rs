//! `Vault::execute`: key references resolved inside the operation, the key's place in field
//! order, the pickers' choices, batch import's answers.

use zeroize::Zeroizing;

use super::TempVault;
use crate::csms::op::{BatchImportSecretsRequest, ImportOutcome, KeyLookup, Request, Response};
use crate::csms::{
    CreateSecretRequest, DEFAULT_KEY_ALIAS, ErrorCode, KeyState, UpdateSecretRequest,
};
use crate::vault::{Vault, VaultResult};

fn vault() -> (TempVault, Vault) {
    TempVault::new()
}

fn create(name: &str, key: Option<&str>, keys: KeyLookup) -> Request {
    Request::CreateSecret {
        body: CreateSecretRequest {
            name: name.into(),
            kms_key_id: key.map(str::to_owned),
            secret_string: Some(Zeroizing::new("v".into())),
            ..CreateSecretRequest::default()
        },
        keys,
    }
}

fn code(result: VaultResult<Response>) -> Option<ErrorCode> {
    result.err().map(|e| e.to_api().code)
}

fn secret_key(response: VaultResult<Response>) -> String {
    match response {
        Ok(Response::Secret(s)) => s.secret.kms_key_id,
        other => panic!("not a secret: {other:?}"),
    }
}

#[test]
fn the_command_line_names_a_key_by_alias_and_the_api_by_id_only() {
    let (_dir, vault) = vault();
    let key = vault
        .create_key("app/db", "")
        .unwrap_or_else(|e| panic!("{e}"));
    let by_alias = vault.execute(&create("a", Some("app/db"), KeyLookup::IdOrAlias));
    assert_eq!(secret_key(by_alias), key.key_id);
    let refused = vault.execute(&create("b", Some("app/db"), KeyLookup::Id));
    assert_eq!(code(refused), Some(ErrorCode::InvalidParameter));
    let by_id = vault.execute(&create("c", Some(&key.key_id), KeyLookup::Id));
    assert_eq!(secret_key(by_id), key.key_id);
    let unknown = vault.execute(&create("d", Some("app/none"), KeyLookup::IdOrAlias));
    assert_eq!(code(unknown), Some(ErrorCode::KeyUnusable));
}

#[test]
fn csms_default_is_made_inside_the_update_that_names_it_and_not_when_it_fails() {
    let (_dir, vault) = vault();
    let key = vault
        .create_key("app/db", "")
        .unwrap_or_else(|e| panic!("{e}"));
    vault
        .execute(&create("a", Some(&key.key_id), KeyLookup::Id))
        .unwrap_or_else(|e| panic!("{e}"));
    let update = |name: &str| Request::UpdateSecret {
        name: name.into(),
        body: UpdateSecretRequest {
            kms_key_id: Some(DEFAULT_KEY_ALIAS.into()),
            description: None,
            ..UpdateSecretRequest::default()
        },
        keys: KeyLookup::IdOrAlias,
    };
    assert_eq!(
        code(vault.execute(&update("missing"))),
        Some(ErrorCode::SecretNotFound)
    );
    let aliases = |v: &Vault| -> Vec<String> {
        v.list_keys()
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .map(|k| k.key_alias)
            .collect()
    };
    assert_eq!(aliases(&vault), ["app/db"], "a failed update makes no key");
    let moved = secret_key(vault.execute(&update("a")));
    assert_eq!(aliases(&vault), ["app/db", DEFAULT_KEY_ALIAS]);
    assert_eq!(
        vault.find_key(DEFAULT_KEY_ALIAS).map(|k| k.key_id).ok(),
        Some(moved)
    );
}

#[test]
fn an_unusable_key_is_reported_before_a_broken_description_or_value() {
    let (_dir, vault) = vault();
    let key = vault
        .create_key("app/db", "")
        .unwrap_or_else(|e| panic!("{e}"));
    vault
        .set_key_state(&key.key_id, KeyState::Disabled)
        .unwrap_or_else(|e| panic!("{e}"));
    let mut broken = create("a", Some("app/db"), KeyLookup::IdOrAlias);
    if let Request::CreateSecret { body, .. } = &mut broken {
        body.description = Some("d".repeat(3000));
        body.secret_string = None;
    }
    assert_eq!(broken.problems().len(), 2, "description and value");
    assert_eq!(code(vault.execute(&broken)), Some(ErrorCode::KeyUnusable));
    let mut bad_name = broken.clone();
    if let Request::CreateSecret { body, .. } = &mut bad_name {
        body.name = "bad name".into();
    }
    assert_eq!(
        code(vault.execute(&bad_name)),
        Some(ErrorCode::InvalidParameter),
        "the name comes first"
    );
    vault
        .execute(&create("s", None, KeyLookup::Id))
        .unwrap_or_else(|e| panic!("{e}"));
    let update = |name: &str| Request::UpdateSecret {
        name: name.into(),
        body: UpdateSecretRequest {
            kms_key_id: Some("00000000-0000-0000-0000-000000000000".into()),
            description: Some("d".repeat(3000)),
            ..UpdateSecretRequest::default()
        },
        keys: KeyLookup::Id,
    };
    assert_eq!(
        code(vault.execute(&update("s"))),
        Some(ErrorCode::KeyUnusable)
    );
    assert_eq!(
        code(vault.execute(&update("missing"))),
        Some(ErrorCode::KeyUnusable),
        "the body's fields come before the secret they name, as they always have"
    );
}

#[test]
fn the_pickers_offer_the_default_key_before_it_exists_and_no_disabled_key() {
    let (_dir, vault) = vault();
    let off = vault
        .create_key("off", "")
        .unwrap_or_else(|e| panic!("{e}"));
    vault
        .set_key_state(&off.key_id, KeyState::Disabled)
        .unwrap_or_else(|e| panic!("{e}"));
    let on = vault.create_key("on", "").unwrap_or_else(|e| panic!("{e}"));
    let Ok(Response::KeyChoices(choices)) = vault.execute(&Request::ListKeyChoices) else {
        panic!("no choices");
    };
    let refs: Vec<&str> = choices.iter().map(|c| c.reference.as_str()).collect();
    assert_eq!(refs, [DEFAULT_KEY_ALIAS, on.key_id.as_str()]);
    // Naming it makes it; from then on it is offered by id.
    vault
        .execute(&create("a", Some(DEFAULT_KEY_ALIAS), KeyLookup::IdOrAlias))
        .unwrap_or_else(|e| panic!("{e}"));
    let Ok(Response::KeyChoices(choices)) = vault.execute(&Request::ListKeyChoices) else {
        panic!("no choices");
    };
    assert_eq!(choices.len(), 2);
    assert!(choices.iter().all(|c| c.reference != DEFAULT_KEY_ALIAS));
}

#[test]
fn a_refused_request_makes_no_default_key() {
    let (_dir, vault) = vault();
    let body = br#"{"secrets": [{"name": "a"}, {"name": "b", "description": 5}]}"#;
    let request = BatchImportSecretsRequest::from_json(body).unwrap_or_else(|e| panic!("{e}"));
    let Ok(Response::Imported(answer)) = vault.execute(&Request::BatchImportSecrets(request))
    else {
        panic!("not an import answer");
    };
    assert_eq!(answer.failed, 2);
    assert_eq!(
        code(vault.execute(&create("bad name", None, KeyLookup::Id))),
        Some(ErrorCode::InvalidParameter)
    );
    let mut no_value = create("c", None, KeyLookup::Id);
    if let Request::CreateSecret { body, .. } = &mut no_value {
        body.secret_string = None;
    }
    assert_eq!(
        code(vault.execute(&no_value)),
        Some(ErrorCode::InvalidParameter)
    );
    assert!(
        vault
            .list_keys()
            .unwrap_or_else(|e| panic!("{e}"))
            .is_empty(),
        "csms/default is made by the first request that uses it, not by one refused"
    );
}

#[test]
fn a_batch_import_answers_every_entry_in_input_order() {
    let (_dir, vault) = vault();
    vault
        .execute(&create("old", None, KeyLookup::Id))
        .unwrap_or_else(|e| panic!("{e}"));
    let body = br#"{"secrets": [{"name": "new", "secret_string": "v"}, 5,
        {"name": "old", "secret_string": "v"}, {"name": "bad name", "secret_string": "v"}]}"#;
    let request = BatchImportSecretsRequest::from_json(body).unwrap_or_else(|e| panic!("{e}"));
    let Ok(Response::Imported(answer)) = vault.execute(&Request::BatchImportSecrets(request))
    else {
        panic!("not an import answer");
    };
    assert_eq!((answer.total, answer.success, answer.failed), (4, 1, 3));
    let names: Vec<&str> = answer.error_list.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["", "old", "bad name"]);
    assert!(matches!(answer.outcomes[2], ImportOutcome::AlreadyExists));
    assert!(answer.error_list[1].error_msg.contains("already exists"));
}
