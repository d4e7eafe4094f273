//! Table-driven tests of every Create Secret rule and its boundary, through `validate_create` and the vault.

use csvault::csms::{CreateSecretRequest, Field, validate_create};
use zeroize::Zeroizing;

fn text(name: &str, value: &str) -> CreateSecretRequest {
    CreateSecretRequest {
        name: name.into(),
        secret_string: Some(Zeroizing::new(value.into())),
        ..Default::default()
    }
}

fn fields(req: &CreateSecretRequest) -> Vec<Field> {
    validate_create(req).into_iter().map(|e| e.field).collect()
}

#[test]
fn name_rules_and_boundaries() {
    let cases: &[(&str, bool)] = &[
        ("a", true),
        (&"n".repeat(64), true),
        (&"n".repeat(65), false),
        ("", false),
        ("demo.secret_v1-2", true),
        (".", true),
        ("..", true),
        ("with space", false),
        ("slash/name", false),
        ("ünïcode", false),
        ("名前", false),
        ("emoji😀", false),
        ("tab\tname", false),
        ("UPPER_lower.09-", true),
    ];
    for (name, ok) in cases {
        let got = fields(&text(name, "v"));
        assert_eq!(got.is_empty(), *ok, "name {name:?}: errors {got:?}");
        if !ok {
            assert_eq!(got, vec![Field::Name], "name {name:?}");
        }
    }
}

#[test]
fn a_64_character_multibyte_name_is_refused_for_its_characters_not_its_length() {
    let errors = validate_create(&text(&"é".repeat(64), "v"));
    assert_eq!(errors.len(), 1);
    assert!(errors[0].message.contains("'é'"), "{}", errors[0].message);
}

#[test]
fn description_counts_bytes_not_characters() {
    let cases: Vec<(String, bool)> = vec![
        ("d".repeat(2048), true),
        ("d".repeat(2049), false),
        ("é".repeat(1024), true), // 2,048 bytes, 1,024 characters
        (format!("{}d", "é".repeat(1024)), false), // 2,049 bytes
        ("€".repeat(682) + "dd", true), // 2,046 + 2 bytes
        ("€".repeat(683), false), // 2,049 bytes, 683 characters
        (String::new(), true),
    ];
    for (description, ok) in cases {
        let mut req = text("d", "v");
        req.description = Some(description.clone());
        let got = fields(&req);
        assert_eq!(got.is_empty(), ok, "{} bytes: {got:?}", description.len());
        if !ok {
            assert_eq!(got, vec![Field::Description]);
        }
    }
}

#[test]
fn secret_string_limit_is_32768_bytes() {
    let cases: Vec<(String, bool)> = vec![
        ("x".repeat(32_768), true),
        ("x".repeat(32_769), false),
        ("é".repeat(16_384), true),
        (format!("{}x", "é".repeat(16_384)), false),
        (String::new(), true),
        ("\0nul\0".into(), true),
    ];
    for (value, ok) in cases {
        let got = fields(&text("v", &value));
        assert_eq!(got.is_empty(), ok, "{} bytes: {got:?}", value.len());
    }
}

#[test]
fn secret_binary_limit_and_base64() {
    let binary = |b64: &str| CreateSecretRequest {
        name: "b".into(),
        secret_binary: Some(Zeroizing::new(b64.into())),
        ..Default::default()
    };
    let cases: Vec<(String, bool)> = vec![
        ("A".repeat(32_768), true), // 32,768 base64 characters, valid
        ("A".repeat(32_772), false),
        ("AAAA".repeat(8_192), true),
        ("AAAA".repeat(8_193), false),
        ("YQ==".into(), true),
        ("YQ".into(), false), // padding required
        ("YQ=".into(), false),
        ("Y Q==".into(), false), // no whitespace
        ("-_-_".into(), false),  // URL-safe alphabet refused
        ("not base64!".into(), false),
        (String::new(), true), // empty value is present and valid
    ];
    for (b64, ok) in cases {
        let got = fields(&binary(&b64));
        assert_eq!(
            got.is_empty(),
            ok,
            "{:?}…: {got:?}",
            &b64[..b64.len().min(12)]
        );
        if !ok {
            assert_eq!(got, vec![Field::Value]);
        }
    }
}

#[test]
fn exactly_one_value_field() {
    let mut both = text("x", "a");
    both.secret_binary = Some(Zeroizing::new("YQ==".into()));
    assert_eq!(fields(&both), vec![Field::Value]);

    let neither = CreateSecretRequest {
        name: "x".into(),
        ..Default::default()
    };
    assert_eq!(fields(&neither), vec![Field::Value]);

    let empty_string = text("x", "");
    assert!(fields(&empty_string).is_empty(), "\"\" counts as present");
}

#[test]
fn every_broken_rule_is_reported_at_once_in_field_order() {
    let req = CreateSecretRequest {
        name: "bad name".into(),
        kms_key_id: Some(String::new()),
        description: Some("d".repeat(3000)),
        secret_string: None,
        secret_binary: None,
        secret_type: None,
        ..CreateSecretRequest::default()
    };
    assert_eq!(
        fields(&req),
        vec![
            Field::Name,
            Field::KmsKeyId,
            Field::Description,
            Field::Value
        ]
    );
}

#[test]
fn error_messages_never_quote_the_value() {
    let mut req = text("ok", &"CANARY-VALUE".repeat(3000));
    req.secret_binary = Some(Zeroizing::new("CANARY-B64!".into()));
    for e in validate_create(&req) {
        assert!(!e.message.contains("CANARY"), "{}", e.message);
    }
}

#[test]
fn malformed_json_is_csms_0004_without_echoing_values() {
    let bodies: &[&[u8]] = &[
        b"{",
        b"not json",
        br#"{"name": "x", "secret_string": 12345678}"#,
        br#"{"secret_string": "CANARY-IN-BODY"}"#,
        br#"{"name": "x", "secret_string": "CANARY-IN-BODY""#,
    ];
    for body in bodies {
        let e = CreateSecretRequest::from_json(body).unwrap_err();
        assert_eq!(e.error_code(), "CSMS.0004");
        assert_eq!(e.http_status(), 400);
        assert!(
            !e.error_msg.contains("CANARY") && !e.error_msg.contains("12345678"),
            "{}",
            e.error_msg
        );
    }
}

#[test]
fn unknown_fields_are_ignored() {
    let req = CreateSecretRequest::from_json(
        br#"{"name":"x","secret_string":"v","secret_type":"COMMON","auto_rotation":false,"extra":{"a":1}}"#,
    )
    .unwrap();
    assert!(validate_create(&req).is_empty());
}

#[test]
fn debug_of_a_request_redacts_values() {
    let mut req = text("x", "CANARY-DEBUG");
    req.secret_binary = Some(Zeroizing::new("Q0FOQVJZ".into()));
    let shown = format!("{req:?}");
    assert!(
        !shown.contains("CANARY") && !shown.contains("Q0FOQVJZ"),
        "{shown}"
    );
    assert!(shown.contains("redacted"));
}
