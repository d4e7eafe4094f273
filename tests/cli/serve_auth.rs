//! `csvault serve` admits only requests signed with its AK/SK (SDK-HMAC-SHA256, `X-Sdk-Date`
//! within 15 minutes either way); every refusal is 401 `APIGW.0301` and does nothing.

use crate::support::TestVault;
use crate::support::serve::{AK, Client, SK, create_body};
use serde_json::json;

#[test]
fn unsigned_badly_signed_and_unknown_requests_are_refused_and_change_nothing() {
    let vault = TestVault::new();
    let server = vault.serve();
    let good = server.client();
    let path = format!("/v1/{}/secrets", good.project);
    let body = create_body("intruder", "value").to_string();

    let unsigned = good.raw("POST", &path, body.as_bytes(), false);
    unsigned.refused(401, "APIGW.0301");
    assert!(
        unsigned.body["error_msg"]
            .as_str()
            .unwrap()
            .contains("no Authorization")
    );

    let wrong_sk = Client::new(&server.base, &good.project, AK, "not-the-secret-key-at-all");
    wrong_sk
        .post("secrets", &create_body("intruder", "v"))
        .refused(401, "APIGW.0301");

    let unknown_ak = Client::new(&server.base, &good.project, "UNKNOWNAK00000000000", SK);
    let refused = unknown_ak.post("secrets", &create_body("intruder", "v"));
    refused.refused(401, "APIGW.0301");
    assert!(
        refused.body["error_msg"]
            .as_str()
            .unwrap()
            .contains("unknown access key")
    );

    // Signed for one body, sent with another.
    let mut headers = good.signed_headers("POST", &path, "", body.as_bytes());
    let other = create_body("intruder", "changed").to_string();
    good.send("POST", &path, &headers, other.as_bytes())
        .refused(401, "APIGW.0301");

    // A malformed Authorization header.
    headers[1].1 = "SDK-HMAC-SHA256 Access=x".into();
    good.send("POST", &path, &headers, body.as_bytes())
        .refused(401, "APIGW.0301");

    // Unsigned requests to paths the API lacks are refused before anything is said of the path.
    good.raw("GET", "/nowhere", b"", false)
        .refused(401, "APIGW.0301");

    assert_eq!(
        good.get("secrets").ok()["secrets"],
        json!([]),
        "nothing was created"
    );
}

#[test]
fn the_signing_time_must_be_within_15_minutes_either_way() {
    let vault = TestVault::new();
    let server = vault.serve();
    let mut c = server.client();
    for (skew, expected) in [
        (-16 * 60, 401),
        (16 * 60, 401),
        (-14 * 60, 200),
        (14 * 60, 200),
    ] {
        c.skew_seconds = skew;
        let answer = c.get("secrets");
        assert_eq!(answer.status, expected, "skew {skew} s: {:?}", answer.body);
        if expected == 401 {
            assert_eq!(answer.code(), "APIGW.0301");
            assert!(
                answer.body["error_msg"]
                    .as_str()
                    .unwrap()
                    .contains("X-Sdk-Date")
            );
        }
    }
}

#[test]
fn the_log_has_one_line_per_request_and_no_value_body_or_signature() {
    let vault = TestVault::new();
    let server = vault.serve();
    let c = server.client();
    c.post("secrets", &create_body("logged", "canary-value-4711"))
        .ok();
    c.get("secrets/logged/versions/latest").ok();
    let missing = c.get("secrets/missing");
    missing.refused(400, "CSMS.0106");
    let request_id = missing.request_id.clone().unwrap();
    assert_eq!(request_id.len(), 32, "{request_id}");
    let (code, log) = server.stop();
    assert!(log.contains(&request_id), "{log}");
    assert_eq!(code, Some(0), "{log}");
    let project = &c.project;
    assert!(log.contains("listening on http://127.0.0.1:"), "{log}");
    for expected in [
        format!("POST /v1/{project}/secrets 200 "),
        format!("GET /v1/{project}/secrets/logged/versions/latest 200 "),
        format!("GET /v1/{project}/secrets/missing 400 CSMS.0106 "),
    ] {
        assert!(log.contains(&expected), "{expected:?} not in {log}");
    }
    for secret in ["canary-value-4711", "Signature", SK, "secret_string"] {
        assert!(!log.contains(secret), "{secret:?} is in the log: {log}");
    }
}

#[test]
fn a_long_path_is_logged_cut() {
    let vault = TestVault::new();
    let server = vault.serve();
    let c = server.client();
    let path = format!("/v1/{}/secrets/{}", c.project, "a".repeat(10_000));
    c.raw("GET", &path, b"", false).refused(401, "APIGW.0301");
    let (_, log) = server.stop();
    let line = log
        .lines()
        .find(|line| line.contains(" GET /v1/"))
        .unwrap_or_else(|| panic!("{log}"));
    assert!(
        line.contains(&format!("…[cut: {} bytes] 401 APIGW.0301", path.len())),
        "{line}"
    );
    assert!(line.len() < 400, "{line}");
}
