//! Issue 8's performance figures, in process on unlocked vaults (release build):
//! - a secret with 20 versions: `list_versions`, `get_value(v1)` and a new version (each followed
//!   by pruning back to 20): median and p99 over many runs;
//! - backup blob download + upload of a secret with 20 versions of 32 KB: time and blob size;
//! - passphrase change on a vault of 100,000 secrets, against one of 100 secrets measured in the
//!   same run (it re-wraps one key, so it must not depend on the number of secrets).
//!
//! Run: `cargo bench --bench lifecycle`. Without `--bench` (`cargo test --benches`) a small smoke
//! version runs.
#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::too_many_lines,
    clippy::unwrap_used,
    reason = "a benchmark script: statistics over counts and durations far below 2^52"
)]

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use csvault::csms::{CreateSecretRequest, CreateSecretVersionRequest};
use csvault::vault::Vault;
use std::time::Instant;
use zeroize::Zeroizing;

#[path = "support/measure.rs"]
mod measure;
use measure::{median, ms, report, thousands, timings};

const PASSPHRASE: &[u8] = b"benchmark passphrase";

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (runs, big, blob_runs, change_runs) = if full {
        (500, 100_000, 7, 5)
    } else {
        (20, 1_000, 1, 1)
    };
    let dir = tempfile::tempdir().unwrap();

    // A secret with 20 versions of 64 bytes.
    let vault = Vault::init(&dir.path().join("versions.db"), PASSPHRASE).unwrap();
    vault.create_secret(&text("s", 64)).unwrap();
    for _ in 1..20 {
        vault.create_version("s", &version(64)).unwrap();
    }
    let list = timings(runs, || {
        vault.list_versions("s", None, None).unwrap();
    });
    // Before any new version: v1 is still there (the 21st prunes it).
    let read = timings(runs, || {
        vault.get_value("s", "v1").unwrap();
    });
    let create = timings(runs, || {
        vault.create_version("s", &version(64)).unwrap();
    });
    println!("secret with 20 versions, {runs} runs each, in process:");
    report("  list-versions", &list);
    report("  get-value v1", &read);
    report("  new version (incl. prune to 20)", &create);

    // Blob of 20 versions of 32 KB.
    let blobs = Vault::init(&dir.path().join("blobs.db"), PASSPHRASE).unwrap();
    blobs.create_secret(&binary("big", 24_576)).unwrap();
    for _ in 1..20 {
        blobs
            .create_version("big", &binary_version(24_576))
            .unwrap();
    }
    let mut size = 0;
    let mut down = Vec::new();
    let mut up = Vec::new();
    for _ in 0..blob_runs {
        let started = Instant::now();
        let blob = blobs.download_blob("big").unwrap();
        down.push(started.elapsed());
        size = blob.len();
        blobs.delete_secret("big").unwrap();
        let started = Instant::now();
        blobs.upload_blob(&blob).unwrap();
        up.push(started.elapsed());
    }
    println!(
        "blob of 20 versions × 32 KB (32,768 base64 characters each): {} bytes; download median {}, upload median {} ({blob_runs} runs)",
        thousands(size),
        ms(median(&mut down)),
        ms(median(&mut up))
    );

    // Passphrase change: 100 secrets against `big` secrets.
    for n in [100, big] {
        let path = dir.path().join(format!("change-{n}.db"));
        let v = Vault::init(&path, PASSPHRASE).unwrap();
        let reqs: Vec<CreateSecretRequest> =
            (0..n).map(|i| text(&format!("s{i:06}"), 100)).collect();
        for chunk in reqs.chunks(2000) {
            v.create_secrets(chunk).unwrap();
        }
        let mut times = Vec::new();
        let mut current: Vec<u8> = PASSPHRASE.to_vec();
        for i in 0..change_runs {
            let next = format!("changed passphrase {i}").into_bytes();
            let started = Instant::now();
            v.change_passphrase(&next).unwrap();
            times.push(started.elapsed());
            current = next;
        }
        drop(v);
        Vault::open(&path, &current).unwrap();
        println!(
            "passphrase change, vault of {} secrets: median {} ({change_runs} runs; Argon2id m=64 MiB t=3 dominates)",
            thousands(n),
            ms(median(&mut times))
        );
    }
}

fn text(name: &str, bytes: usize) -> CreateSecretRequest {
    CreateSecretRequest {
        name: name.into(),
        secret_string: Some(Zeroizing::new("x".repeat(bytes))),
        ..Default::default()
    }
}

fn binary(name: &str, bytes: usize) -> CreateSecretRequest {
    CreateSecretRequest {
        name: name.into(),
        secret_binary: Some(Zeroizing::new(STANDARD.encode(vec![0xA5; bytes]))),
        ..Default::default()
    }
}

fn version(bytes: usize) -> CreateSecretVersionRequest {
    CreateSecretVersionRequest {
        secret_string: Some(Zeroizing::new("y".repeat(bytes))),
        ..Default::default()
    }
}

fn binary_version(bytes: usize) -> CreateSecretVersionRequest {
    CreateSecretVersionRequest {
        secret_binary: Some(Zeroizing::new(STANDARD.encode(vec![0x5A; bytes]))),
        ..Default::default()
    }
}
