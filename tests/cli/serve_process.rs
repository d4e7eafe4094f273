//! `csvault serve` as a process: its first line and credentials, its refusals before unlocking,
//! many clients at once, a busy vault, and a stop that loses no acknowledged write.

use crate::support::TestVault;
use crate::support::serve::{AK, Client, SK, Server, create_body};
use serde_json::{Value, json};
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

#[test]
fn the_first_start_makes_a_pair_shows_its_secret_key_once_and_show_credentials_repeats_it() {
    let vault = TestVault::new();
    let first = Server::start(vault.command(&["--listen", "127.0.0.1:0"], &[]));
    let hello = first.hello.clone();
    let listening = hello["listening"].as_str().unwrap();
    assert!(listening.starts_with("http://127.0.0.1:"), "{hello}");
    assert_ne!(listening, "http://127.0.0.1:0");
    let project = hello["project_id"].as_str().unwrap();
    assert_eq!(project.len(), 32);
    assert!(project.chars().all(|c| c.is_ascii_hexdigit()));
    let ak = hello["access_key"].as_str().unwrap().to_owned();
    let sk = hello["secret_key"].as_str().unwrap().to_owned();
    assert_eq!((ak.len(), sk.len()), (20, 40));
    let c = Client::new(&first.base, project, &ak, &sk);
    c.post("secrets", &create_body("from-sdk", "v")).ok();
    assert_eq!(first.stop().0, Some(0));

    let again = Server::start(vault.command(&["--listen", "127.0.0.1:0"], &[]));
    assert_eq!(again.hello["access_key"], ak.as_str());
    assert_eq!(
        again.hello.get("secret_key"),
        None,
        "the SK is shown once: {}",
        again.hello
    );
    let c = Client::new(&again.base, project, &ak, &sk);
    assert_eq!(c.get("secrets/from-sdk").ok()["secret"]["name"], "from-sdk");
    drop(again);

    let shown = vault
        .command(&["--show-credentials"], &[])
        .output()
        .unwrap();
    assert!(shown.status.success());
    let shown: Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(
        shown,
        json!({"access_key": ak, "secret_key": sk, "project_id": project})
    );
}

#[test]
fn a_taken_port_is_said_before_unlocking_and_the_new_pair_is_still_shown_on_the_first_start() {
    let vault = TestVault::new();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = vault
        .command(&["--listen", &port], &[])
        .env_remove("CSVAULT_PASSPHRASE")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error_code"], "VAULT.0007");
    let msg = err["error_msg"].as_str().unwrap();
    assert!(
        msg.contains(&format!("127.0.0.1:{port}")) && msg.contains("--listen 127.0.0.1:0"),
        "{msg}"
    );

    let server = Server::start(vault.command(&["--listen", "localhost:0"], &[]));
    assert!(
        server.hello["listening"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:")
    );
    assert!(server.hello["secret_key"].is_string(), "{}", server.hello);

    let out = vault
        .command(&["--listen", "localhost:notaport"], &[])
        .output()
        .unwrap();
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error_code"], "VAULT.0008");
    assert!(
        err["error_msg"]
            .as_str()
            .unwrap()
            .contains("127.0.0.1:8787"),
        "{err}"
    );
}

#[test]
fn a_public_address_without_tls_and_unusable_tls_files_are_refused_before_unlocking() {
    let vault = TestVault::new();
    let out = vault
        .command(&["--listen", "0.0.0.0:0"], &[])
        .env_remove("CSVAULT_PASSPHRASE")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error_code"], "VAULT.0008");
    assert!(
        err["error_msg"].as_str().unwrap().contains("--tls-cert"),
        "{err}"
    );

    let missing = vault.dir.path().join("missing.pem");
    let missing = missing.to_str().unwrap();
    let out = vault
        .command(
            &[
                "--listen",
                "0.0.0.0:0",
                "--tls-cert",
                missing,
                "--tls-key",
                missing,
            ],
            &[],
        )
        .env_remove("CSVAULT_PASSPHRASE")
        .output()
        .unwrap();
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error_code"], "VAULT.0007");
    assert!(
        err["error_msg"].as_str().unwrap().contains("missing.pem"),
        "{err}"
    );
}

#[test]
fn a_secret_key_under_32_characters_is_refused_before_unlocking() {
    let vault = TestVault::new();
    let short = "s".repeat(31);
    let out = vault
        .command(
            &["--listen", "127.0.0.1:0"],
            &[("CSVAULT_SERVE_AK", AK), ("CSVAULT_SERVE_SK", &short)],
        )
        .env_remove("CSVAULT_PASSPHRASE")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error_code"], "VAULT.0008", "{err}");
    let msg = err["error_msg"].as_str().unwrap();
    assert!(
        msg.contains("CSVAULT_SERVE_SK has 31 characters") && msg.contains("at least 32"),
        "{msg}"
    );

    let enough = "s".repeat(32);
    let server = Server::start(vault.command(
        &["--listen", "127.0.0.1:0"],
        &[("CSVAULT_SERVE_AK", AK), ("CSVAULT_SERVE_SK", &enough)],
    ));
    let c = Client::new(&server.base, &server.project_id, AK, &enough);
    assert_eq!(c.get("secrets").ok()["secrets"], json!([]));
}

/// The test certificate and key (tests/fixtures/tls) copied into `dir`, the key with `mode`.
fn tls_files(dir: &Path, mode: u32) -> (PathBuf, PathBuf) {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tls");
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::copy(fixtures.join("cert.pem"), &cert).unwrap();
    std::fs::copy(fixtures.join("key.pem"), &key).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(mode)).unwrap();
    (cert, key)
}

#[test]
fn a_tls_key_its_group_or_others_may_read_is_refused_naming_it_and_chmod_600() {
    let vault = TestVault::new();
    let (cert, key) = tls_files(vault.dir.path(), 0o640);
    let args = [
        "--listen",
        "127.0.0.1:0",
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
    ];
    let env = [("CSVAULT_SERVE_AK", AK), ("CSVAULT_SERVE_SK", SK)];
    let out = vault
        .command(&args, &env)
        .env_remove("CSVAULT_PASSPHRASE")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error_code"], "VAULT.0007", "{err}");
    let msg = err["error_msg"].as_str().unwrap();
    assert!(
        msg.contains(key.to_str().unwrap()) && msg.contains("chmod 600"),
        "{msg}"
    );

    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let server = Server::start(vault.command(&args, &env));
    assert!(
        server.base.starts_with("https://127.0.0.1:"),
        "{}",
        server.hello
    );
    // A connection that never starts its TLS handshake is closed within seconds.
    let mut silent = std::net::TcpStream::connect(server.address()).unwrap();
    silent
        .set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    let started = Instant::now();
    let mut byte = [0u8; 1];
    let read = silent.read(&mut byte);
    assert!(
        matches!(&read, Ok(0))
            || read.is_err_and(|e| e.kind() == std::io::ErrorKind::ConnectionReset),
        "closed"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn many_clients_at_once_each_read_back_exactly_what_they_wrote() {
    let vault = TestVault::new();
    let server = vault.serve();
    std::thread::scope(|s| {
        for t in 0..8 {
            let c = server.client();
            s.spawn(move || {
                for i in 0..40 {
                    let name = format!("t{t}-s{i}");
                    let value = format!("value of {name} ✓");
                    c.post("secrets", &create_body(&name, &value)).ok();
                    let read = c.get(&format!("secrets/{name}/versions/latest")).ok();
                    assert_eq!(read["version"]["secret_string"], value.as_str());
                }
            });
        }
    });
    let listed = server.client().get("secrets?limit=1000").ok();
    assert_eq!(listed["secrets"].as_array().unwrap().len(), 320);
}

#[test]
fn a_vault_held_by_another_process_makes_writes_wait_not_fail() {
    let vault = TestVault::new();
    let server = vault.serve();
    let c = server.client();
    c.post("secrets", &create_body("before", "v")).ok();
    let holder = rusqlite::Connection::open(&vault.path).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let writer = std::thread::spawn(move || c.post("secrets", &create_body("after", "v")).status);
    // Longer than SQLite's 5 s busy timeout.
    std::thread::sleep(Duration::from_secs(6));
    assert!(
        !writer.is_finished(),
        "the write waits while the vault is held"
    );
    let reader = server.client();
    assert_eq!(
        reader.get("secrets/before").ok()["secret"]["name"],
        "before",
        "reads go on"
    );
    holder.execute_batch("COMMIT").unwrap();
    assert_eq!(writer.join().unwrap(), 200);
    assert_eq!(reader.get("secrets/after").ok()["secret"]["name"], "after");
}

#[test]
fn a_write_in_flight_when_sigterm_comes_is_finished_and_answered() {
    let vault = TestVault::new();
    let server = vault.serve();
    let c = server.client();
    let holder = rusqlite::Connection::open(&vault.path).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let writer =
        std::thread::spawn(move || c.post("secrets", &create_body("in-flight", "v")).status);
    std::thread::sleep(Duration::from_millis(500));
    server.signal("TERM");
    std::thread::sleep(Duration::from_millis(500));
    assert!(!writer.is_finished(), "the write still waits for the vault");
    holder.execute_batch("COMMIT").unwrap();
    assert_eq!(writer.join().unwrap(), 200);
    let (code, log) = server.stop();
    assert_eq!(code, Some(0), "{log}");
    let again = vault.serve();
    assert_eq!(
        again.client().get("secrets/in-flight").ok()["secret"]["name"],
        "in-flight"
    );
}

#[test]
fn a_stop_while_another_process_keeps_the_vault_answers_the_waiting_writes_busy_within_the_limit() {
    let vault = TestVault::new();
    let mut server = vault.serve();
    let holder = rusqlite::Connection::open(&vault.path).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let writers: Vec<_> = (0..4)
        .map(|i| {
            let c = server.client();
            std::thread::spawn(move || {
                let answer = c.post("secrets", &create_body(&format!("w{i}"), "v"));
                (answer.status, answer.code().to_owned())
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let stopped_at = Instant::now();
    server.signal("TERM");
    for writer in writers {
        assert_eq!(writer.join().unwrap(), (503, "VAULT.0005".to_owned()));
    }
    let code = crate::support::serve::wait_for(&mut server.child, Duration::from_mins(1));
    assert_eq!(code, Some(0));
    // 20 s for all of them together (plus SQLite's 5 s busy timeout), not 20 s each.
    assert!(
        stopped_at.elapsed() < Duration::from_secs(40),
        "{:?}",
        stopped_at.elapsed()
    );
    holder.execute_batch("ROLLBACK").unwrap();
}

#[test]
fn a_second_signal_stops_at_once_even_while_a_write_waits_for_a_held_vault() {
    let vault = TestVault::new();
    let mut server = vault.serve();
    let c = server.client();
    let holder = rusqlite::Connection::open(&vault.path).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let _writer = std::thread::spawn(move || c.try_post("secrets", &create_body("never", "v")));
    std::thread::sleep(Duration::from_millis(500));
    server.signal("TERM");
    std::thread::sleep(Duration::from_millis(500));
    server.signal("TERM");
    let code = crate::support::serve::wait_for(&mut server.child, Duration::from_secs(5));
    assert_eq!(
        code,
        Some(1),
        "a second signal ends the process without draining"
    );
    holder.execute_batch("ROLLBACK").unwrap();
}

#[test]
fn sigterm_during_a_burst_of_writes_loses_no_acknowledged_write() {
    let vault = TestVault::new();
    let server = vault.serve();
    let count = AtomicUsize::new(0);
    let acknowledged: Vec<String> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..4)
            .map(|t| {
                let c = server.client();
                let count = &count;
                s.spawn(move || {
                    let mut mine = Vec::new();
                    for i in 0.. {
                        let name = format!("w{t}-{i}");
                        match c.try_post("secrets", &create_body(&name, &format!("v-{name}"))) {
                            Some(200) => mine.push(name),
                            Some(status) => panic!("{name}: {status}"),
                            None => break,
                        }
                        count.fetch_add(1, Ordering::Relaxed);
                    }
                    mine
                })
            })
            .collect();
        // The signal comes in the middle of the burst, after 100 acknowledged writes.
        let started = Instant::now();
        while count.load(Ordering::Relaxed) < 100 {
            assert!(started.elapsed() < Duration::from_mins(1), "no burst");
            std::thread::sleep(Duration::from_millis(5));
        }
        server.signal("TERM");
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    let (code, log) = server.stop();
    assert_eq!(code, Some(0), "{log}");

    let db = rusqlite::Connection::open(&vault.path).unwrap();
    let check: String = db
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    drop(db);

    let server = vault.serve();
    let c = server.client();
    for name in &acknowledged {
        let read = c.get(&format!("secrets/{name}/versions/latest")).ok();
        assert_eq!(read["version"]["secret_string"], format!("v-{name}"));
    }
}
