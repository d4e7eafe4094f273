//! The CSMS client (`csvault::remote`, issue 17) against a real `csvault serve` on loopback, plain
//! and over TLS with a self-signed certificate made by `openssl`, and against a tiny scripted
//! server for the retries, the refusals and a create whose fate is unknown.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use csvault::csms::{ErrorCode, OpenedRemote, RemoteInfo, SecretState, SecretTag, ValueKind};
use csvault::remote::{HttpRemote, RemoteApi, RemoteWrite, Value, Written};
use serde_json::Value as Json;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tempfile::TempDir;
use zeroize::Zeroizing;

const PASSPHRASE: &str = "correct horse battery staple";
const AK: &str = "TESTAK0000000000000A";
const SK: &str = "testSecretKey0123456789abcdefghijklmnopq";

/// A vault behind `csvault serve` on a free loopback port; killed when dropped.
struct Serve {
    _dir: TempDir,
    child: Child,
    base: String,
    project: String,
    /// The certificate (PEM) when served over TLS.
    cert: Option<String>,
}

impl Serve {
    fn start(tls: bool) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let vault = dir.path().join("vault.db");
        let csvault = |args: &[&str]| {
            let mut cmd = Command::new(env!("CARGO_BIN_EXE_csvault"));
            cmd.arg("--vault")
                .arg(&vault)
                .args(args)
                .env("CSVAULT_PASSPHRASE", PASSPHRASE)
                .env("CSVAULT_SERVE_AK", AK)
                .env("CSVAULT_SERVE_SK", SK)
                .stdin(Stdio::null());
            cmd
        };
        assert!(csvault(&["init"]).output().unwrap().status.success());
        let mut args = vec!["serve", "--listen", "127.0.0.1:0"];
        let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
        if tls {
            make_certificate(&cert, &key);
            args.extend(["--tls-cert", cert.to_str().unwrap()]);
            args.extend(["--tls-key", key.to_str().unwrap()]);
        }
        let mut child = csvault(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let hello: Json = serde_json::from_str(&line).unwrap();
        Self {
            base: hello["listening"].as_str().unwrap().to_owned(),
            project: hello["project_id"].as_str().unwrap().to_owned(),
            cert: tls.then(|| std::fs::read_to_string(&cert).unwrap()),
            _dir: dir,
            child,
        }
    }

    /// The remote as the vault would open it, with the project id given.
    fn remote(&self) -> OpenedRemote {
        opened(&self.base, Some(&self.project), SK, self.cert.clone())
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A self-signed P-256 certificate for 127.0.0.1, as tests/sdk makes one.
fn make_certificate(cert: &Path, key: &Path) {
    let ok = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
        ])
        .args(["-nodes", "-days", "2", "-subj", "/CN=127.0.0.1"])
        .args(["-addext", "subjectAltName=IP:127.0.0.1", "-keyout"])
        .arg(key)
        .arg("-out")
        .arg(cert)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap()
        .success();
    assert!(ok, "openssl made the certificate");
}

fn opened(endpoint: &str, project: Option<&str>, sk: &str, ca_pem: Option<String>) -> OpenedRemote {
    OpenedRemote {
        info: RemoteInfo {
            name: "other".into(),
            endpoint: endpoint.into(),
            project_id: project.map(str::to_owned),
            region: None,
            iam_endpoint: None,
            access_key: AK.into(),
            has_ca: ca_pem.is_some(),
            create_time: 0,
            last_sync_time: None,
        },
        secret_key: Zeroizing::new(sk.to_owned()),
        ca_pem,
    }
}

fn text(s: &str) -> Value {
    Value {
        kind: ValueKind::Text,
        bytes: Zeroizing::new(s.as_bytes().to_vec()),
    }
}

fn tag(key: &str, value: &str) -> SecretTag {
    SecretTag {
        key: key.into(),
        value: value.into(),
    }
}

fn none(_: usize) {}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn writes_then_reads_round_trip_over_tls_with_the_ca_file_trusted() {
    let serve = Serve::start(true);
    let remote = HttpRemote::connect(&serve.remote()).unwrap();
    let binary = Value {
        kind: ValueKind::Binary,
        bytes: Zeroizing::new(vec![0, 159, 146, 150, 255]),
    };
    let jobs = vec![
        vec![
            RemoteWrite::CreateSecret {
                name: "db".into(),
                description: "first".into(),
                value: text("pw-1 \"quoted\"\n"),
                tags: vec![tag("env", "prod"), tag("team", "core")],
            },
            RemoteWrite::CreateVersion {
                name: "db".into(),
                value: text("pw-2"),
                stages: None,
                expire_time: Some(4_102_444_800_000),
            },
            RemoteWrite::SetDescription {
                name: "db".into(),
                description: "second".into(),
            },
            RemoteWrite::SetTags {
                name: "db".into(),
                put: vec![tag("env", "staging")],
                remove: vec!["team".into()],
            },
        ],
        vec![RemoteWrite::CreateSecret {
            name: "blob".into(),
            description: String::new(),
            value: binary.clone(),
            tags: vec![],
        }],
    ];
    let outcomes = remote.apply(&jobs, &none);
    for outcome in &outcomes {
        assert!(outcome.error.is_none(), "{:?}", outcome.error);
    }
    assert_eq!(outcomes[0].done.len(), 4);
    let Written::Version(second) = outcomes[0].done[1].clone() else {
        panic!("CreateSecretVersion gives its version");
    };
    let Written::Secret { version: first, .. } = outcomes[0].done[0].clone() else {
        panic!("CreateSecret gives its first version");
    };
    let staged = remote.apply(
        &[vec![
            RemoteWrite::SetStage {
                name: "db".into(),
                stage: "OLD".into(),
                version_id: first.clone(),
            },
            RemoteWrite::SetExpiry {
                name: "db".into(),
                version_id: first.clone(),
                expire_time: 4_102_444_900_000,
            },
        ]],
        &none,
    );
    assert!(staged[0].error.is_none(), "{:?}", staged[0].error);

    let listed = remote.list(None, &none).unwrap();
    let listed_names: Vec<&str> = listed.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(listed_names, ["blob", "db"]);
    let db = &listed[1];
    assert_eq!(db.description, "second");
    assert_eq!(db.tags, [tag("env", "staging")]);
    assert_eq!(db.current_version.as_deref(), Some(second.as_str()));
    assert_eq!(db.state, SecretState::Enabled);

    let some = remote
        .list(Some(&names(&["db", "missing"])), &none)
        .unwrap();
    assert_eq!(some.len(), 1, "a missing name is left out");
    assert_eq!(some[0], *db, "by name the same as in the full list");

    let versions = remote.versions(&names(&["db"]), &none);
    let versions = versions[0].as_ref().unwrap();
    let ids: Vec<&str> = versions.iter().map(|v| v.id.as_str()).collect();
    assert_eq!(ids, [first.as_str(), second.as_str()], "oldest first");
    assert!(versions[0].stages.contains(&"OLD".to_owned()));
    assert!(versions[1].stages.contains(&"SYSCURRENT".to_owned()));
    assert_eq!(versions[0].expire_time, Some(4_102_444_900_000));
    assert_eq!(versions[1].expire_time, Some(4_102_444_800_000));

    let blob_current = listed[0].current_version.clone().unwrap();
    let values = remote.values(
        &[
            ("db".into(), first),
            ("db".into(), second),
            ("blob".into(), blob_current),
        ],
        &none,
    );
    let values: Vec<Value> = values.into_iter().map(Result::unwrap).collect();
    assert_eq!(values, [text("pw-1 \"quoted\"\n"), text("pw-2"), binary]);
}

#[test]
fn a_propagated_delete_is_scheduled_and_scheduling_again_is_done() {
    let serve = Serve::start(false);
    let remote = HttpRemote::connect(&serve.remote()).unwrap();
    let created = remote.apply(
        &[vec![RemoteWrite::CreateSecret {
            name: "blob".into(),
            description: String::new(),
            value: text("x"),
            tags: vec![],
        }]],
        &none,
    );
    assert!(created[0].error.is_none());
    let deleted = remote.apply(
        &[vec![RemoteWrite::ScheduleDelete {
            name: "blob".into(),
        }]],
        &none,
    );
    assert!(deleted[0].error.is_none());
    let again = remote.apply(
        &[vec![RemoteWrite::ScheduleDelete {
            name: "blob".into(),
        }]],
        &none,
    );
    assert!(
        again[0].error.is_none(),
        "scheduling twice is done, not an error"
    );
    let blob = remote.list(Some(&names(&["blob"])), &none).unwrap();
    assert_eq!(blob[0].state, SecretState::PendingDelete);
}

#[test]
fn a_full_list_pages_past_one_page_and_reports_progress() {
    let serve = Serve::start(false);
    let remote = HttpRemote::connect(&serve.remote()).unwrap();
    let count = 1_005;
    let jobs: Vec<Vec<RemoteWrite>> = (0..count)
        .map(|i| {
            vec![RemoteWrite::CreateSecret {
                name: format!("s{i:04}"),
                description: String::new(),
                value: text(&format!("value {i}")),
                tags: if i >= 1_000 {
                    vec![tag("late", "yes")]
                } else {
                    vec![]
                },
            }]
        })
        .collect();
    let applied = AtomicUsize::new(0);
    let outcomes = remote.apply(&jobs, &|n| applied.store(n, Ordering::SeqCst));
    assert!(outcomes.iter().all(|o| o.error.is_none()));
    assert_eq!(applied.load(Ordering::SeqCst), count);

    let seen = AtomicUsize::new(0);
    let listed = remote
        .list(None, &|n| seen.store(n, Ordering::SeqCst))
        .unwrap();
    assert_eq!(listed.len(), count, "every page read");
    assert_eq!(
        seen.load(Ordering::SeqCst),
        count,
        "progress reached the end"
    );
    let mut unique: Vec<&str> = listed.iter().map(|s| s.name.as_str()).collect();
    unique.dedup();
    assert_eq!(unique.len(), count, "no secret twice");
    assert!(listed.iter().all(|s| s.current_version.is_some()));
    assert_eq!(
        listed[1_004].tags,
        [tag("late", "yes")],
        "tags from past the first page of resources"
    );
    assert!(listed[0].tags.is_empty());
}

#[test]
fn without_a_project_id_it_is_looked_up_through_iam_by_region() {
    let serve = Serve::start(false);
    let mut remote = serve.remote();
    remote.info.project_id = None;
    remote.info.region = Some("cn-north-4".into());
    remote.info.iam_endpoint = Some(serve.base.clone());
    let client = HttpRemote::connect(&remote).unwrap();
    assert_eq!(client.project_id(), serve.project);
    remote.info.region = None;
    let refused = HttpRemote::connect(&remote).err().unwrap();
    assert_eq!(
        refused.code,
        ErrorCode::RemotePolicy,
        "{}",
        refused.error_msg
    );
}

#[test]
fn a_wrong_sk_is_sync_0003_and_an_unknown_ca_a_clear_tls_error() {
    let serve = Serve::start(true);
    let wrong = opened(
        &serve.base,
        Some(&serve.project),
        "wrongSecretKey0123456789abcdefghijklmno",
        serve.cert.clone(),
    );
    let err = HttpRemote::connect(&wrong)
        .unwrap()
        .list(None, &none)
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::RemoteAuth, "{}", err.error_msg);
    assert!(
        !err.error_msg.contains("wrongSecretKey"),
        "the SK is never quoted"
    );

    let mut lookup = wrong.clone();
    lookup.info.project_id = None;
    lookup.info.region = Some("r".into());
    lookup.info.iam_endpoint = Some(serve.base.clone());
    let err = HttpRemote::connect(&lookup).err().unwrap();
    assert_eq!(err.code, ErrorCode::RemoteAuth, "the IAM lookup too");

    let untrusted = opened(&serve.base, Some(&serve.project), SK, None);
    let err = HttpRemote::connect(&untrusted)
        .unwrap()
        .list(None, &none)
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::RemoteUnreachable);
    assert!(
        err.error_msg.contains("TLS") && err.error_msg.contains("--ca-file"),
        "{}",
        err.error_msg
    );
    assert!(
        !err.error_msg.contains("gave up after"),
        "a certificate refusal is not retried: {}",
        err.error_msg
    );

    let not_pem = opened(
        &serve.base,
        Some(&serve.project),
        SK,
        Some("no certificate".into()),
    );
    let err = HttpRemote::connect(&not_pem).err().unwrap();
    assert_eq!(err.code, ErrorCode::RemotePolicy);
}

/// A scripted HTTP/1.1 server on loopback: `answer(method, path, nth request)` gives each
/// answer's status and body (status 0: the connection is closed unanswered); every connection is
/// closed after one answer. Counts requests.
struct Scripted {
    base: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Scripted {
    fn start(answer: impl Fn(&str, &str, usize) -> (u16, String) + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        let answer = Arc::new(answer);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let seen = Arc::clone(&seen);
                let answer = Arc::clone(&answer);
                std::thread::spawn(move || serve_one(stream, &seen, &*answer));
            }
        });
        Self { base, requests }
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

fn serve_one(
    stream: TcpStream,
    seen: &Mutex<Vec<String>>,
    answer: &dyn Fn(&str, &str, usize) -> (u16, String),
) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut head = String::new();
    if reader.read_line(&mut head).unwrap_or(0) == 0 {
        return;
    }
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if line.trim().is_empty() {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    let mut parts = head.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let path = target.split('?').next().unwrap_or("");
    let nth = {
        let mut seen = seen.lock().unwrap();
        seen.push(format!("{method} {path}"));
        seen.len()
    };
    let (status, reply) = answer(method, path, nth);
    if status == 0 {
        return; // the connection breaks after the request arrived
    }
    let location = if (300..400).contains(&status) {
        "location: https://elsewhere.example.com/v1\r\n"
    } else {
        ""
    };
    let mut stream = stream;
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n{location}content-length: {}\r\nconnection: close\r\n\r\n{reply}",
        reply.len()
    );
}

fn scripted_remote(server: &Scripted) -> HttpRemote {
    HttpRemote::connect(&opened(&server.base, Some("p"), SK, None)).unwrap()
}

const EMPTY_VERSIONS: &str = r#"{"version_metadatas":[],"page_info":{"next_marker":null}}"#;

#[test]
fn a_503_storm_is_retried_until_it_passes_and_a_400_is_not_retried() {
    let storm = Scripted::start(|_, _, nth| {
        if nth <= 3 {
            (
                503,
                r#"{"error_code":"CSMS.0500","error_msg":"busy"}"#.into(),
            )
        } else {
            (200, EMPTY_VERSIONS.into())
        }
    });
    let versions = scripted_remote(&storm).versions(&names(&["db"]), &none);
    assert_eq!(versions[0].as_ref().unwrap().len(), 0);
    assert_eq!(storm.requests().len(), 4, "three 503s, then the answer");

    let refusing = Scripted::start(|_, _, _| {
        (
            400,
            r#"{"error_code":"CSMS.0002","error_msg":"Invalid limit."}"#.into(),
        )
    });
    let versions = scripted_remote(&refusing).versions(&names(&["db"]), &none);
    let err = versions[0].as_ref().unwrap_err();
    assert_eq!(err.code, ErrorCode::RemoteRefused);
    assert!(
        err.error_msg.contains("CSMS.0002 Invalid limit."),
        "{}",
        err.error_msg
    );
    assert_eq!(refusing.requests().len(), 1, "a 400 is not retried");
}

#[test]
fn retries_give_up_after_8_attempts_naming_the_last_status() {
    let down = Scripted::start(|_, _, _| (502, String::new()));
    let versions = scripted_remote(&down).versions(&names(&["db"]), &none);
    let err = versions[0].as_ref().unwrap_err();
    assert_eq!(err.code, ErrorCode::RemoteUnreachable);
    assert!(
        err.error_msg.contains("8 attempts") && err.error_msg.contains("HTTP 502"),
        "{}",
        err.error_msg
    );
    assert_eq!(down.requests().len(), 8);
}

#[test]
fn a_refusal_of_the_time_is_clock_skew() {
    let skewed = Scripted::start(|_, _, _| {
        (
            401,
            r#"{"error_code":"APIGW.0301","error_msg":"X-Sdk-Date is 3700 s from the server clock (at most 900 s allowed)"}"#.into(),
        )
    });
    let err = scripted_remote(&skewed).list(None, &none).unwrap_err();
    assert_eq!(err.code, ErrorCode::ClockSkew, "{}", err.error_msg);
    assert!(err.error_msg.contains("3700 s"));
}

#[test]
fn a_create_whose_fate_is_unknown_is_looked_for_not_sent_twice() {
    let server = Scripted::start(|method, path, _| {
        match (method, path) {
        ("POST", "/v1/p/secrets/db/versions") => (500, r#"{"error_code":"CSMS.0500","error_msg":"?"}"#.into()),
        ("GET", "/v1/p/secrets/db/versions") => (
            200,
            r#"{"version_metadatas":[{"id":"v2","create_time":2},{"id":"v1","create_time":1}],"page_info":{}}"#.into(),
        ),
        ("GET", "/v1/p/secrets/db/versions/v2") => (
            200,
            r#"{"version":{"version_metadata":{"id":"v2"},"secret_string":"sent"}}"#.into(),
        ),
        _ => (404, String::new()),
    }
    });
    let outcome = scripted_remote(&server).apply(
        &[vec![RemoteWrite::CreateVersion {
            name: "db".into(),
            value: text("sent"),
            stages: None,
            expire_time: None,
        }]],
        &none,
    );
    assert!(outcome[0].error.is_none(), "{:?}", outcome[0].error);
    assert_eq!(outcome[0].done, [Written::Version("v2".into())]);
    let posts = server
        .requests()
        .iter()
        .filter(|r| r.starts_with("POST"))
        .count();
    assert_eq!(posts, 1, "the version was found, not created again");
}

#[test]
fn a_name_or_value_that_breaks_the_rules_is_refused_before_sending() {
    let server = Scripted::start(|_, _, _| (200, "{}".into()));
    let outcome = scripted_remote(&server).apply(
        &[
            vec![RemoteWrite::CreateSecret {
                name: "bad name!".into(),
                description: String::new(),
                value: text("x"),
                tags: vec![],
            }],
            vec![RemoteWrite::CreateVersion {
                name: "db".into(),
                value: text(&"x".repeat(32 * 1024 + 1)),
                stages: None,
                expire_time: None,
            }],
        ],
        &none,
    );
    for o in &outcome {
        assert_eq!(
            o.error.as_ref().map(|e| e.code),
            Some(ErrorCode::InvalidParameter)
        );
    }
    assert!(server.requests().is_empty(), "nothing was sent");
}

#[test]
fn a_create_secret_cut_off_unanswered_is_found_on_the_remote_not_created_twice() {
    let server = Scripted::start(|method, path, _| match (method, path) {
        ("POST", "/v1/p/secrets") => (0, String::new()),
        ("GET", "/v1/p/secrets/db") => (200, r#"{"secret":{"id":"id-1","name":"db"}}"#.into()),
        ("GET", "/v1/p/secrets/db/stages/SYSCURRENT") => (
            200,
            r#"{"stage":{"name":"SYSCURRENT","version_id":"v1"}}"#.into(),
        ),
        ("GET", "/v1/p/secrets/db/versions/v1") => (
            200,
            r#"{"version":{"version_metadata":{"id":"v1"},"secret_string":"sent"}}"#.into(),
        ),
        _ => (404, String::new()),
    });
    let outcome = scripted_remote(&server).apply(
        &[vec![RemoteWrite::CreateSecret {
            name: "db".into(),
            description: String::new(),
            value: text("sent"),
            tags: vec![],
        }]],
        &none,
    );
    assert!(outcome[0].error.is_none(), "{:?}", outcome[0].error);
    assert!(
        matches!(&outcome[0].done[..], [Written::Secret { id, version }] if !id.is_empty() && version == "v1"),
        "{:?}",
        outcome[0].done
    );
    let posts = server
        .requests()
        .iter()
        .filter(|r| r.starts_with("POST"))
        .count();
    assert_eq!(posts, 1, "the secret was found, not created again");
}

#[test]
fn a_redirect_is_refused_naming_its_target_and_never_followed() {
    let moved = Scripted::start(|_, _, _| (302, r#"{"secrets":[],"page_info":{}}"#.into()));
    let err = scripted_remote(&moved).list(None, &none).unwrap_err();
    assert_eq!(err.code, ErrorCode::RemoteRefused, "{}", err.error_msg);
    assert!(
        err.error_msg
            .contains("redirected to https://elsewhere.example.com/v1"),
        "{}",
        err.error_msg
    );
    let sent = moved.requests();
    assert!(
        sent.len() <= 2
            && sent
                .iter()
                .all(|r| r.starts_with("GET /v1/p/secrets") || r.starts_with("POST /v1/p/csms/")),
        "one request per listing, neither followed nor retried: {sent:?}"
    );
}

#[test]
fn page_markers_that_cycle_end_the_listing_with_sync_0002() {
    let cycling = Scripted::start(|method, path, nth| match (method, path) {
        ("GET", "/v1/p/secrets/db/versions") => {
            let next = if nth % 2 == 1 { "A" } else { "B" };
            (
                200,
                format!(
                    r#"{{"version_metadatas":[{{"id":"v{nth}","create_time":{nth}}}],"page_info":{{"next_marker":"{next}"}}}}"#
                ),
            )
        }
        _ => (404, String::new()),
    });
    let versions = scripted_remote(&cycling).versions(&names(&["db"]), &none);
    let err = versions[0].as_ref().unwrap_err();
    assert_eq!(err.code, ErrorCode::RemoteRefused);
    assert!(
        err.error_msg
            .contains("paging of ListSecretVersions is broken"),
        "{}",
        err.error_msg
    );
    assert_eq!(cycling.requests().len(), 3, "A, B, then A again: stopped");
}

#[test]
fn a_403_for_a_missing_permission_is_the_remotes_refusal_not_the_ak_sk() {
    let denied = Scripted::start(|_, _, _| {
        (
            403,
            r#"{"error_code":"CSMS.0403","error_msg":"Policy doesn't allow csms:secret:list"}"#
                .into(),
        )
    });
    let versions = scripted_remote(&denied).versions(&names(&["db"]), &none);
    let err = versions[0].as_ref().unwrap_err();
    assert_eq!(err.code, ErrorCode::RemoteRefused, "{}", err.error_msg);
    assert!(err.error_msg.contains("Policy doesn't allow"));
}

#[test]
fn a_create_still_being_processed_is_looked_for_again_before_it_is_resent() {
    // The first look finds nothing (the server is still committing the create whose answer was
    // lost); a later look finds the version: it is not sent a second time.
    let looks = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&looks);
    let server = Scripted::start(move |method, path, _| match (method, path) {
        ("POST", "/v1/p/secrets/db/versions") => (0, String::new()),
        ("GET", "/v1/p/secrets/db/versions") => {
            if seen.fetch_add(1, Ordering::SeqCst) == 0 {
                (
                    200,
                    r#"{"version_metadatas":[{"id":"v1","create_time":1}],"page_info":{}}"#.into(),
                )
            } else {
                (
                    200,
                    r#"{"version_metadatas":[{"id":"v2","create_time":2},{"id":"v1","create_time":1}],"page_info":{}}"#.into(),
                )
            }
        }
        ("GET", "/v1/p/secrets/db/versions/v1") => (
            200,
            r#"{"version":{"version_metadata":{"id":"v1"},"secret_string":"old"}}"#.into(),
        ),
        ("GET", "/v1/p/secrets/db/versions/v2") => (
            200,
            r#"{"version":{"version_metadata":{"id":"v2"},"secret_string":"sent"}}"#.into(),
        ),
        _ => (404, String::new()),
    });
    let outcome = scripted_remote(&server).apply(
        &[vec![RemoteWrite::CreateVersion {
            name: "db".into(),
            value: text("sent"),
            stages: None,
            expire_time: None,
        }]],
        &none,
    );
    assert!(outcome[0].error.is_none(), "{:?}", outcome[0].error);
    assert_eq!(outcome[0].done, [Written::Version("v2".into())]);
    let posts = server
        .requests()
        .iter()
        .filter(|r| r.starts_with("POST"))
        .count();
    assert_eq!(posts, 1, "found on the second look, not created again");
    assert_eq!(looks.load(Ordering::SeqCst), 2);
}
