//! Property tests: any request creates a secret that reads back byte-identical, or gets a CSMS error.

use base64::Engine;
use csvault::csms::{CreateSecretRequest, validate_create};
use proptest::prelude::*;
use std::cell::RefCell;
use std::collections::HashSet;
use zeroize::Zeroizing;

#[derive(Debug, Clone)]
enum ValueInput {
    Text(String),
    Binary(Vec<u8>),
    /// Arbitrary text sent as `secret_binary`: often not base64.
    RawBinaryField(String),
    Both(String, Vec<u8>),
    Neither,
}

fn value_input() -> impl Strategy<Value = ValueInput> {
    prop_oneof![
        4 => any::<String>().prop_map(ValueInput::Text),
        1 => "[\\x00-\\x7f]{32760,32780}".prop_map(ValueInput::Text),
        4 => proptest::collection::vec(any::<u8>(), 0..256).prop_map(ValueInput::Binary),
        1 => proptest::collection::vec(any::<u8>(), 24570..24580).prop_map(ValueInput::Binary),
        2 => any::<String>().prop_map(ValueInput::RawBinaryField),
        1 => (any::<String>(), proptest::collection::vec(any::<u8>(), 0..8))
            .prop_map(|(s, b)| ValueInput::Both(s, b)),
        1 => Just(ValueInput::Neither),
    ]
}

fn name_input() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => "[a-zA-Z0-9._-]{1,64}",
        1 => "[a-zA-Z0-9._-]{65,70}",
        1 => any::<String>(),
        1 => Just(String::new()),
    ]
}

thread_local! {
    static VAULT: RefCell<(crate::support::TempVault, csvault::vault::Vault, HashSet<String>)> = {
        let (tv, vault) = crate::support::TempVault::new();
        RefCell::new((tv, vault, HashSet::new()))
    };
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn create_then_read_back_or_a_csms_error(
        name in name_input(),
        description in proptest::option::of("\\PC{0,700}"),
        value in value_input(),
    ) {
        let b64 = base64::engine::general_purpose::STANDARD;
        let (secret_string, secret_binary) = match &value {
            ValueInput::Text(s) => (Some(s.clone()), None),
            ValueInput::Binary(b) => (None, Some(b64.encode(b))),
            ValueInput::RawBinaryField(s) => (None, Some(s.clone())),
            ValueInput::Both(s, b) => (Some(s.clone()), Some(b64.encode(b))),
            ValueInput::Neither => (None, None),
        };
        let req = CreateSecretRequest {
            name: name.clone(),
            kms_key_id: None,
            description: description.clone(),
            secret_string: secret_string.clone().map(Zeroizing::new),
            secret_binary: secret_binary.clone().map(Zeroizing::new),
            secret_type: None,
            ..CreateSecretRequest::default()
};
        VAULT.with(|cell| {
            let mut guard = cell.borrow_mut();
            let (_, vault, created) = &mut *guard;
            let should_succeed = validate_create(&req).is_empty() && !created.contains(&name);
            match vault.create_secret(&req) {
                Ok(secret) => {
                    prop_assert!(should_succeed, "created what the rules refuse");
                    created.insert(name.clone());
                    prop_assert_eq!(&secret.name, &name);
                    prop_assert_eq!(&secret.description, description.as_deref().unwrap_or(""));
                    let version = vault.get_value(&name, "latest").unwrap();
                    prop_assert_eq!(version.secret_string.as_deref().cloned(), secret_string);
                    let decoded_back = version.secret_binary.as_ref().map(|b| b64.decode(b.as_bytes()).unwrap());
                    let decoded_in = secret_binary.map(|b| b64.decode(b).unwrap());
                    prop_assert_eq!(decoded_back, decoded_in);
                }
                Err(e) => {
                    let api = e.to_api();
                    prop_assert!(!should_succeed, "refused a valid request: {}", api);
                    prop_assert_eq!(api.error_code(), "CSMS.0002");
                    prop_assert_eq!(api.http_status(), 400);
                }
            }
            Ok(())
        })?;
    }

    #[test]
    fn parsing_any_bytes_never_panics(body in proptest::collection::vec(any::<u8>(), 0..512)) {
        if let Ok(req) = CreateSecretRequest::from_json(&body) {
            let _ = validate_create(&req);
        }
    }
}
