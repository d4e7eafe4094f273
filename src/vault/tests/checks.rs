//! The checks and the health report (issue 14): the configuration's default and persistence,
//! `CheckSecrets`' answer and refusals, and each section of the report, with the injected clock.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use zeroize::Zeroizing;

use super::{T0, TempVault, binary_request, code, text_request, vault};
use crate::csms::op::{Request, Response};
use crate::csms::{
    CheckData, CheckSecretsRequest, CreateSecretRequest, CreateSecretVersionRequest, DAY_MS,
    ExpiringVersion, KeyState, ReportWindows, UpdateSecretsConfigRequest, UpdateVersionRequest,
};

/// A value the estimator calls strong (random-looking, 26 characters).
const STRONG: &str = "q7#Vf!2pLx@9Rz$wK3m&Tb8^Yh";
const STRONG_2: &str = "Zr4!mQ8@vN2#kT6$wB9^pL3&hX";

fn strength_of(vault: &crate::vault::Vault, value: &str) -> Response {
    vault
        .execute(&Request::CheckSecrets(CheckSecretsRequest::strength(
            Zeroizing::new(value.to_owned()),
        )))
        .unwrap()
}

fn report(vault: &crate::vault::Vault) -> crate::csms::HealthReport {
    vault.health_report(&ReportWindows::default()).unwrap()
}

#[test]
fn checking_is_off_in_a_new_vault_and_a_change_is_kept() {
    let (tv, vault) = TempVault::new();
    let shown = vault.execute(&Request::ShowSecretsConfig).unwrap();
    assert_eq!(
        serde_json::to_value(&shown).unwrap(),
        serde_json::json!({"checking_secret_strength": false})
    );
    let on = vault
        .execute(&Request::UpdateSecretsConfig(UpdateSecretsConfigRequest {
            checking_secret_strength: Some(true),
        }))
        .unwrap();
    assert_eq!(
        serde_json::to_value(&on).unwrap(),
        serde_json::json!({"checking_secret_strength": true})
    );
    // A body without the field changes nothing.
    let same = vault
        .update_secrets_config(&UpdateSecretsConfigRequest::default())
        .unwrap();
    assert!(same.checking_secret_strength);
    drop(vault);
    assert!(
        tv.reopen()
            .secrets_config()
            .unwrap()
            .checking_secret_strength
    );
}

#[test]
fn check_secrets_answers_the_api_shape_and_never_the_value() {
    let (tv, vault) = TempVault::new();
    let weak = serde_json::to_value(strength_of(&vault, "password123")).unwrap();
    assert_eq!(weak["type"], "strength");
    assert_eq!(weak["data"]["strength"], "WEAK");
    assert!(weak["data"]["score"].as_u64().unwrap() <= 2);
    assert!(!weak["data"]["warnings"].as_array().unwrap().is_empty());
    assert_eq!(
        weak.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["data", "type"]
    );
    assert!(!weak.to_string().contains("password123"));

    let strong = serde_json::to_value(strength_of(&vault, STRONG)).unwrap();
    assert_eq!(
        strong,
        serde_json::json!({"type": "strength", "data": {"strength": "STRONG", "score": 4, "warnings": []}})
    );

    // Nothing of a checked value reaches the vault file.
    let unique = "checked-but-never-kept-7f3a";
    strength_of(&vault, unique);
    drop(vault);
    for file in [tv.path.clone(), tv.path.with_extension("db-wal")] {
        if let Ok(bytes) = std::fs::read(&file) {
            assert!(
                !bytes.windows(unique.len()).any(|w| w == unique.as_bytes()),
                "{}",
                file.display()
            );
        }
    }
}

#[test]
fn check_secrets_refuses_another_type_and_a_missing_value() {
    let (_tv, vault) = TempVault::new();
    let other = Request::CheckSecrets(CheckSecretsRequest {
        check_type: "entropy".into(),
        data: CheckData {
            secret_string: Some(Zeroizing::new("x".into())),
        },
    });
    let refused = vault.execute(&other).unwrap_err().to_api();
    assert_eq!(refused.error_code(), "CSMS.0002");
    assert_eq!(
        refused.error_msg,
        "Invalid type: the only check type is strength."
    );
    let empty = Request::CheckSecrets(CheckSecretsRequest {
        check_type: "strength".into(),
        data: CheckData::default(),
    });
    assert_eq!(code(vault.execute(&empty)), "CSMS.0002");
    // An empty text is a value, and a weak one.
    let blank = serde_json::to_value(strength_of(&vault, "")).unwrap();
    assert_eq!(blank["data"]["strength"], "WEAK");
}

#[test]
fn the_report_names_weak_values_and_groups_reused_ones_never_a_value() {
    let (_tv, vault, _clock) = vault();
    for (name, value) in [
        ("api-token", STRONG),
        ("db-main", STRONG_2),
        ("db-replica", STRONG_2),
        ("legacy", "password1"),
        ("wifi", "password1"),
        ("lone", "Yk2@Wq9!Lr5#Tz8$Mv3^Hc6&"),
    ] {
        vault.create_secret(&text_request(name, value)).unwrap();
    }
    // The same bytes as binary are the same value.
    vault
        .create_secret(&binary_request("cert-copy", STRONG.as_bytes()))
        .unwrap();
    vault
        .create_secret(&binary_request("blob", &[0xff, 0x00, 0x10]))
        .unwrap();
    let r = report(&vault);
    assert_eq!(r.weak, ["legacy", "wifi"]);
    assert_eq!(
        r.reused,
        [
            vec!["api-token", "cert-copy"],
            vec!["db-main", "db-replica"],
            vec!["legacy", "wifi"],
        ]
    );
    assert_eq!(r.checked, 8);
    let json = serde_json::to_string(&r).unwrap();
    for value in [STRONG, STRONG_2, "password1"] {
        assert!(!json.contains(value));
    }
    // A new current value leaves the group.
    vault
        .create_version(
            "db-replica",
            &CreateSecretVersionRequest {
                secret_string: Some(Zeroizing::new("Pm7#Gt2!Xw9@Kd4$".into())),
                ..CreateSecretVersionRequest::default()
            },
        )
        .unwrap();
    let r = report(&vault);
    assert_eq!(r.reused.len(), 2);
    assert!(!r.reused.iter().flatten().any(|n| n == "db-replica"));
}

#[test]
fn the_report_skips_what_is_not_enabled_or_cannot_be_opened_and_says_so() {
    let (_tv, vault, _clock) = vault();
    vault
        .create_secret(&text_request("off", "password1"))
        .unwrap();
    vault.set_secret_enabled("off", false).unwrap();
    vault
        .create_secret(&text_request("gone", "password1"))
        .unwrap();
    vault
        .schedule_delete(
            "gone",
            &crate::csms::DeleteSecretForScheduleRequest::default(),
        )
        .unwrap();
    let key = vault.create_key("app/locked", "").unwrap();
    vault
        .create_secret(&CreateSecretRequest {
            kms_key_id: Some(key.key_id.clone()),
            ..text_request("locked", "password1")
        })
        .unwrap();
    vault
        .set_key_state(&key.key_id, KeyState::Disabled)
        .unwrap();
    vault
        .create_secret(&text_request("open", "password1"))
        .unwrap();
    let r = report(&vault);
    assert_eq!(r.skipped.not_enabled, ["gone", "off"]);
    assert_eq!(r.skipped.unreadable, ["locked"]);
    assert_eq!(r.weak, ["open"]);
    assert!(r.reused.is_empty(), "only values read are compared");
    assert_eq!(r.checked, 1);
}

#[test]
fn expired_and_expiring_follow_the_clock_and_the_window() {
    let (_tv, vault, clock) = vault();
    vault.create_secret(&text_request("db", STRONG)).unwrap();
    vault.create_secret(&text_request("api", STRONG_2)).unwrap();
    vault
        .update_version(
            "db",
            "v1",
            &UpdateVersionRequest {
                expire_time: T0 + 10 * DAY_MS,
            },
        )
        .unwrap();
    vault
        .update_version(
            "api",
            "v1",
            &UpdateVersionRequest {
                expire_time: T0 + 40 * DAY_MS,
            },
        )
        .unwrap();
    let r = report(&vault);
    assert!(r.expired.is_empty());
    assert_eq!(
        r.expiring,
        [ExpiringVersion {
            name: "db".into(),
            version_id: "v1".into(),
            expire_time: T0 + 10 * DAY_MS
        }]
    );
    assert_eq!(r.settings.expiring_days, 30);
    // A wider window reaches the other; a narrower one neither.
    let wide = vault
        .health_report(&ReportWindows {
            expiring_days: Some(45),
            unchanged_days: None,
        })
        .unwrap();
    let names: Vec<&str> = wide.expiring.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["db", "api"], "soonest first");
    let narrow = vault
        .health_report(&ReportWindows {
            expiring_days: Some(5),
            unchanged_days: None,
        })
        .unwrap();
    assert!(narrow.expiring.is_empty());

    clock.advance(11 * DAY_MS);
    let r = report(&vault);
    assert_eq!(r.expired.len(), 1);
    assert_eq!(r.expired[0].name, "db");
    assert_eq!(r.expiring.len(), 1);
    assert_eq!(r.expiring[0].name, "api");

    // Two new versions: the expired v1 carries no stage any more and is not in use.
    for value in ["Ab3$Cd5^Ef7&Gh9*", "Jk2#Lm4%No6(Pq8)"] {
        vault
            .create_version(
                "db",
                &CreateSecretVersionRequest {
                    secret_string: Some(Zeroizing::new(value.into())),
                    ..CreateSecretVersionRequest::default()
                },
            )
            .unwrap();
    }
    assert!(report(&vault).expired.is_empty());
}

#[test]
fn unchanged_values_rotation_overdue_and_the_stored_windows() {
    let (tv, vault, clock) = vault();
    vault.create_secret(&text_request("old", STRONG)).unwrap();
    vault
        .create_secret(&CreateSecretRequest {
            auto_rotation: Some(true),
            rotation_period: Some("6h".into()),
            ..text_request("rotating", STRONG_2)
        })
        .unwrap();
    assert!(report(&vault).rotation_overdue.is_empty());
    clock.advance(7 * 3_600_000);
    let r = report(&vault);
    assert_eq!(r.rotation_overdue.len(), 1);
    assert_eq!(r.rotation_overdue[0].name, "rotating");
    assert_eq!(r.rotation_overdue[0].next_rotation_time, T0 + 6 * 3_600_000);

    assert!(r.unchanged.is_empty());
    clock.set(T0 + 365 * DAY_MS);
    let r = report(&vault);
    let names: Vec<&str> = r.unchanged.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(names, ["old", "rotating"]);
    assert_eq!(
        (
            r.unchanged[0].version_id.as_str(),
            r.unchanged[0].create_time
        ),
        ("v1", T0)
    );
    // A longer age, stored in the vault, takes them out; the report says which it used.
    let stored = vault
        .execute(&Request::UpdateReportSettings(ReportWindows {
            expiring_days: None,
            unchanged_days: Some(400),
        }))
        .unwrap();
    assert_eq!(
        serde_json::to_value(&stored).unwrap(),
        serde_json::json!({"expiring_days": 30, "unchanged_days": 400})
    );
    let r = report(&vault);
    assert!(r.unchanged.is_empty());
    assert_eq!(r.settings.unchanged_days, 400);
    // A request's own window wins over the stored one.
    let asked = vault
        .health_report(&ReportWindows {
            expiring_days: None,
            unchanged_days: Some(365),
        })
        .unwrap();
    assert_eq!(asked.unchanged.len(), 2);
    // A window out of range is refused and nothing is stored.
    let bad = Request::UpdateReportSettings(ReportWindows {
        expiring_days: Some(7),
        unchanged_days: Some(0),
    });
    assert_eq!(code(vault.execute(&bad)), "CSMS.0002");
    assert_eq!(
        code(vault.health_report(&ReportWindows {
            expiring_days: Some(366),
            unchanged_days: None,
        })),
        "CSMS.0002"
    );
    drop(vault);
    let kept = tv.reopen().health_report(&ReportWindows::default());
    assert_eq!(kept.unwrap().settings.expiring_days, 30);
}
