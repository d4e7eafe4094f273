//! Issue 17's local side, in process on an unlocked vault: `SyncView` (what a sync reads locally
//! in one go) over 100,000 secrets with 3 tags each and a record and a version link for every
//! one, whole and for 100 names; `SaveSyncState` of 1,000 records; and the whole view's size as
//! JSON (what the agent's wire carries, against its 64 MiB frame).
//! Target: the whole view well under the no-change sync's 5 s (a few statements, not one per
//! secret).
//!
//! Run: `cargo bench --bench sync_view`. Without `--bench` (`cargo test --benches`) a small
//! smoke version runs.
#![allow(
    clippy::unwrap_used,
    clippy::cast_precision_loss,
    clippy::too_many_lines,
    reason = "a benchmark script: byte counts far below 2^52"
)]

use csvault::csms::op::{Request, Response};
use csvault::csms::{
    BatchCreateOrDeleteTagsRequest, CreateSecretRequest, RemoteSpec, SecretRef, SyncRecord,
    SyncStateUpdate, TagAction, TagItem, VersionLink,
};
use csvault::vault::Vault;
use std::time::Instant;
use zeroize::Zeroizing;

#[path = "support/measure.rs"]
mod measure;
use measure::{report, thousands, timings};

const PASSPHRASE: &[u8] = b"benchmark passphrase";

fn name(i: usize) -> String {
    format!("secret-{i:06}")
}

fn record(i: usize, synced_at: i64) -> SyncRecord {
    SyncRecord {
        local_id: String::new(),
        remote_id: String::new(),
        name: name(i),
        local_version: "v1".into(),
        remote_version: "v1".into(),
        value_mac: format!("{i:064x}"),
        meta_mac: format!("{:064x}", i + 1),
        synced_at,
    }
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (secrets, runs) = if full { (100_000, 11) } else { (2_000, 3) };
    let dir = tempfile::tempdir().unwrap();
    let vault = Vault::init(&dir.path().join("sync.db"), PASSPHRASE).unwrap();

    let started = Instant::now();
    let reqs: Vec<CreateSecretRequest> = (0..secrets)
        .map(|i| CreateSecretRequest {
            name: name(i),
            description: Some(format!("secret number {i}")),
            secret_string: Some(Zeroizing::new(format!("value {i}"))),
            ..Default::default()
        })
        .collect();
    for chunk in reqs.chunks(2000) {
        vault.create_secrets(chunk).unwrap();
    }
    let indices: Vec<usize> = (0..secrets).collect();
    for chunk in indices.chunks(5000) {
        vault
            .group(|v| {
                for &i in chunk {
                    v.execute(&Request::BatchCreateOrDeleteTags {
                        secret: SecretRef::Name(name(i)),
                        body: BatchCreateOrDeleteTagsRequest::new(
                            TagAction::Create,
                            vec![
                                TagItem::new("env", ["prod", "staging", "dev"][i % 3]),
                                TagItem::new("team", format!("team-{:02}", i % 50)),
                                TagItem::new("app", format!("app-{:04}", i % 1000)),
                            ],
                        ),
                    })
                    .unwrap();
                }
            })
            .unwrap();
    }
    vault
        .execute(&Request::AddRemote(RemoteSpec {
            name: "cloud".into(),
            endpoint: "https://csms.example.com".into(),
            access_key: "AK".into(),
            secret_key: Zeroizing::new("SK".into()),
            ..RemoteSpec::default()
        }))
        .unwrap();
    for chunk in indices.chunks(5000) {
        vault
            .execute(&Request::SaveSyncState(SyncStateUpdate {
                remote: "cloud".into(),
                records: chunk.iter().map(|&i| record(i, 1)).collect(),
                links: chunk
                    .iter()
                    .map(|&i| VersionLink {
                        name: name(i),
                        local_version: "v1".into(),
                        remote_version: "v1".into(),
                    })
                    .collect(),
                forget: Vec::new(),
                finished: false,
            }))
            .unwrap();
    }
    println!(
        "vault of {} secrets × 3 tags, a record and a link each: made in {:.1} s",
        thousands(secrets),
        started.elapsed().as_secs_f64()
    );

    let whole = Request::SyncView {
        remote: "cloud".into(),
        names: None,
    };
    let mut last = None;
    let all = timings(runs, || match vault.execute(&whole).unwrap() {
        Response::SyncView(view) => {
            assert_eq!(view.secrets.len(), secrets);
            assert_eq!(view.records.len(), secrets);
            last = Some(view);
        }
        _ => panic!("another answer"),
    });
    report(
        &format!(
            "SyncView, every secret ({} secrets, records, links)",
            thousands(secrets)
        ),
        &all,
    );
    let view = last.unwrap();
    let started = Instant::now();
    let bytes = serde_json::to_vec(&view).unwrap().len();
    println!(
        "  the whole view as JSON: {:.1} MiB in {:.0} ms (the agent's frame: 64 MiB)",
        bytes as f64 / (1024.0 * 1024.0),
        started.elapsed().as_secs_f64() * 1000.0
    );
    let some = Request::SyncView {
        remote: "cloud".into(),
        names: Some((0..100).map(|i| name(i * (secrets / 100))).collect()),
    };
    let named = timings(runs, || {
        vault.execute(&some).unwrap();
    });
    report("SyncView, 100 names asked", &named);
    let mut round = 1;
    let saved = timings(runs, || {
        round += 1;
        vault
            .execute(&Request::SaveSyncState(SyncStateUpdate {
                remote: "cloud".into(),
                records: (0..1000).map(|i| record(i, round)).collect(),
                finished: true,
                ..SyncStateUpdate::default()
            }))
            .unwrap();
    });
    report("SaveSyncState, 1,000 records upserted, finished", &saved);
}
