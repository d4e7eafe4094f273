//! `csvault push` against a failing remote (issue 17): the server killed (SIGKILL) mid-push and the
//! push run again (every secret and every version exactly once, with and without
//! `--all-versions`), a 503 storm from a proxy in front of the server (retried until done), a
//! wrong SK (`SYNC.0003`) and a clock an hour off (`SYNC.0004`, the server under `faketime`), each
//! with nothing written on either side. What the remote holds is read on vault B directly.
//!
//! Without `openssl` or `faketime` a test is skipped with a note, unless `CI` is set: then it
//! fails (.ci/run installs both).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod sync_support;

use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};
use sync_support::proxy::FlakyProxy;
use sync_support::{
    Remote, Run, ServeOptions, Served, Vault, assert_same, certificate, credentials, have, records,
    serve_tls, wait_until,
};

/// Secrets of the killed pushes (issue 17: 1,000).
const MANY: usize = 1_000;

/// Kills B's server once its log shows `after` successful `POST`s on a path ending in `suffix`
/// while A runs `args`; the push must then stop (exit 1). The server is started again on the
/// same port and vault.
fn kill_mid_push(
    a: &Vault,
    b: &Vault,
    (cert, key): (&Path, &Path),
    served: &mut Served,
    suffix: &str,
    after: usize,
    args: &[&str],
) -> Served {
    let method = "POST";
    let mut child = a.spawn_sync("push", "b", args);
    let mut ended = None;
    let reached = wait_until(Duration::from_mins(5), || {
        ended = ended.or_else(|| child.try_wait().ok().flatten());
        ended.is_some() || served.logged(method, suffix) >= after
    }) && served.logged(method, suffix) >= after;
    if !reached {
        let out = child.wait_with_output().unwrap();
        panic!(
            "the server never logged {after} {method} …{suffix} before the push ended ({:?}); push stderr: {}; log tail: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr),
            served
                .log()
                .lines()
                .rev()
                .take(5)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    served.kill();
    let done = served.logged(method, suffix);
    let out = child.wait_with_output().unwrap();
    let run = Run::from("push", &out);
    assert_eq!(
        run.code,
        Some(1),
        "a push cut off by the server's death exits 1\n{}",
        run.describe()
    );
    eprintln!(
        "killed after {done} {method} {suffix}; the push printed {} lines",
        run.lines.len()
    );
    let again = Served::start(
        b,
        &ServeOptions {
            tls: Some((cert, key)),
            port: served.port,
            ..ServeOptions::default()
        },
    );
    assert_eq!(again.listening, served.listening);
    again
}

#[test]
fn server_killed_mid_push_then_rerun_makes_each_secret_once() {
    let (a, b) = (Vault::new(), Vault::new());
    let Some((cert, key)) = certificate(b.dir.path()) else {
        return;
    };
    let (mut served, remote) = serve_tls(&b, &cert, &key, 0);
    a.add("b", &remote);
    a.import(&records("k", MANY));
    let want = a.records(false);

    let _again = kill_mid_push(&a, &b, (&cert, &key), &mut served, "/secrets", 200, &[]);
    let got = b.names().len();
    assert!(
        (200..MANY).contains(&got),
        "the kill landed mid-push: {got} secrets on B"
    );

    let run = a.sync("push", "b", &[]).clean();
    assert_eq!(run.lines.len(), MANY);
    assert!(
        run.lines.iter().all(|l| l["status"] == "done"
            && ["create", "up_to_date", "update_metadata"]
                .contains(&l["action"].as_str().unwrap_or(""))),
        "{}",
        run.describe()
    );
    let names = b.names();
    assert_eq!(names.len(), MANY, "every secret exactly once on B");
    assert_same("B after the re-run", &b.records(false), &want);
    let versions = b.records(true);
    let twice: Vec<&String> = versions
        .iter()
        .filter(|(_, r)| r["versions"].as_array().map_or(0, Vec::len) != 1)
        .map(|(n, _)| n)
        .collect();
    assert!(
        twice.is_empty(),
        "secrets with other than one version on B: {twice:?}"
    );
    a.sync("push", "b", &[]).clean().all("up_to_date", "done");
}

#[test]
fn server_killed_mid_push_all_versions_then_rerun_makes_each_version_once() {
    let (a, b) = (Vault::new(), Vault::new());
    let Some((cert, key)) = certificate(b.dir.path()) else {
        return;
    };
    let (mut served, remote) = serve_tls(&b, &cert, &key, 0);
    a.add("b", &remote);
    let secrets: Vec<Value> = (0..MANY / 4)
        .map(|i| {
            json!({"name": format!("v-{i:04}"), "versions": [
                {"secret_string": format!("first {i}"), "version_stages": []},
                {"secret_string": format!("second {i}"), "version_stages": ["SYSPREVIOUS"]},
                {"secret_string": format!("third {i}"), "version_stages": ["SYSCURRENT"]},
            ]})
        })
        .collect();
    a.import(&secrets);
    let want = a.records(true);

    let _again = kill_mid_push(
        &a,
        &b,
        (&cert, &key),
        &mut served,
        "/versions",
        150,
        &["--all-versions"],
    );
    a.sync("push", "b", &["--all-versions"]).clean();
    assert_eq!(b.names().len(), MANY / 4, "every secret exactly once on B");
    assert_same("B's versions after the re-run", &b.records(true), &want);
    for name in ["v-0000", "v-0100", "v-0249"] {
        assert_eq!(b.versions(name), a.versions(name), "{name}'s versions on B");
    }
    a.sync("push", "b", &["--all-versions"])
        .clean()
        .all("up_to_date", "done");
}

#[test]
fn a_503_storm_is_ridden_out_by_retries() {
    let (a, b) = (Vault::new(), Vault::new());
    let (access_key, secret_key, project_id) = credentials(&b);
    let served = Served::start(&b, &ServeOptions::default());
    assert!(served.listening.starts_with("http://127.0.0.1:"));
    let upstream = served
        .listening
        .trim_start_matches("http://")
        .parse()
        .unwrap();
    let proxy = FlakyProxy::start(upstream, 4, 600);
    let remote = Remote {
        endpoint: proxy.url.clone(),
        project_id,
        access_key,
        secret_key,
        ca_file: None,
    };
    a.add("b", &remote);
    a.import(&records("r", 200));

    let run = a.sync("push", "b", &[]).clean();
    assert_eq!(run.lines.len(), 200);
    run.all("create", "done");
    assert_same("B after the storm", &b.records(false), &a.records(false));
    assert!(proxy.problems().is_empty(), "{:?}", proxy.problems());
    assert!(
        proxy.refused() >= 4 + 10,
        "the storm happened: {} refused, {} forwarded",
        proxy.refused(),
        proxy.forwarded()
    );
    a.sync("push", "b", &[]).clean().all("up_to_date", "done");
}

/// A fatal run: `code` on stderr, exit 1, vault A's file unchanged, nothing on B.
#[track_caller]
fn fatal_writes_nothing(a: &Vault, b: &Vault, code: &str) {
    let before = a.snapshot();
    for verb in ["push", "sync", "pull"] {
        let run = a.sync(verb, "b", &[]);
        assert_eq!(run.fatal(), code, "{verb}: {}", run.describe());
        assert!(a.snapshot() == before, "{verb} changed vault A's file");
        assert_eq!(b.names(), ["only-on-b"], "{verb} wrote on B");
        assert_eq!(b.versions("only-on-b").len(), 1);
    }
}

#[test]
fn a_wrong_sk_is_sync_0003_and_nothing_is_written() {
    let (a, b) = (Vault::new(), Vault::new());
    let Some((cert, key)) = certificate(b.dir.path()) else {
        return;
    };
    b.import(&[json!({"name": "only-on-b", "secret_string": "b's"})]);
    let (_served, remote) = serve_tls(&b, &cert, &key, 0);
    let mut wrong = remote.secret_key.clone();
    wrong.replace_range(..1, if wrong.starts_with('x') { "y" } else { "x" });
    let out = a.remote_add("b", &remote, &wrong);
    assert!(out.status.success(), "{out:?}");
    a.import(&records("w", 3));
    fatal_writes_nothing(&a, &b, "SYNC.0003");
    let listed = a.ok(&["remote", "list"]);
    assert!(listed["remotes"][0]["last_sync_time"].is_null(), "{listed}");
}

#[test]
fn a_clock_an_hour_off_is_sync_0004_and_nothing_is_written() {
    if !have("faketime", "the server's clock an hour ahead") {
        return;
    }
    let (a, b) = (Vault::new(), Vault::new());
    let Some((cert, key)) = certificate(b.dir.path()) else {
        return;
    };
    b.import(&[json!({"name": "only-on-b", "secret_string": "b's"})]);
    let (access_key, secret_key, project_id) = credentials(&b);
    let served = Served::start(
        &b,
        &ServeOptions {
            tls: Some((&cert, &key)),
            wrapper: &["faketime", "-f", "+1h"],
            // Timers and timeouts keep the real monotonic clock.
            env: &[("FAKETIME_DONT_FAKE_MONOTONIC", "1")],
            ..ServeOptions::default()
        },
    );
    let remote = Remote {
        endpoint: served.listening.clone(),
        project_id,
        access_key,
        secret_key,
        ca_file: Some(cert.clone()),
    };
    a.add("b", &remote);
    a.import(&records("t", 3));
    fatal_writes_nothing(&a, &b, "SYNC.0004");
    assert!(
        served.log().contains(" 401 "),
        "the server refused the requests' time: {}",
        served.log()
    );
}
