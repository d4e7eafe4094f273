//! Issue 14's tag figures, in process on an unlocked vault (release build):
//! `ListResourceInstances` (`filter`, the default page of 10, and `count`) by one tag over
//! 100,000 secrets with 5 tags each, median and p99 of many runs, for tags matching 20, 100,
//! 2,000 and 33,334 secrets (spread over the names, or clustered at their start or end); plus a
//! two-tag filter and `secret list --tag`'s query.
//! Target: the one-tag filter under 50 ms at the median (the `tags_by_key_value` index, not a
//! scan of every secret).
//!
//! The vault is filled through the batch import path (`create_secrets`, 2,000 a transaction)
//! and the tags through `BatchCreateOrDeleteTags` requests, 5,000 to a group commit.
//!
//! Run: `cargo bench --bench tags`. Without `--bench` (`cargo test --benches`) a small smoke
//! version runs.
#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::too_many_lines,
    clippy::unwrap_used,
    reason = "a benchmark script: statistics over counts and durations far below 2^52"
)]

use csvault::csms::op::{Request, Response};
use csvault::csms::{
    BatchCreateOrDeleteTagsRequest, CreateSecretRequest, ListResourceInstancesRequest, SecretRef,
    SummaryPage, TagAction, TagFilter, TagItem,
};
use csvault::tui::catalog::Catalog;
use csvault::vault::Vault;
use std::time::Instant;
use zeroize::Zeroizing;

#[path = "support/measure.rs"]
mod measure;
use measure::{report, thousands, timings};

const PASSPHRASE: &[u8] = b"benchmark passphrase";

/// The five tags of secret `i` of `n`: how many secrets share each value follows from the
/// modulus; `region` goes by thirds of the names (its secrets cluster together).
fn tags_of(i: usize, n: usize) -> Vec<TagItem> {
    vec![
        TagItem::new("env", ["prod", "staging", "dev"][i % 3]),
        TagItem::new("region", ["eu", "us", "ap"][(i * 3 / n).min(2)]),
        TagItem::new("team", format!("team-{:02}", i % 50)),
        TagItem::new("app", format!("app-{:04}", i % 1000)),
        TagItem::new("owner", format!("owner-{:04}", i % 5000)),
    ]
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (secrets, runs) = if full { (100_000, 41) } else { (2_000, 3) };
    let dir = tempfile::tempdir().unwrap();
    let vault = Vault::init(&dir.path().join("tags.db"), PASSPHRASE).unwrap();

    let started = Instant::now();
    let reqs: Vec<CreateSecretRequest> = (0..secrets)
        .map(|i| CreateSecretRequest {
            name: format!("secret-{i:06}"),
            secret_string: Some(Zeroizing::new(format!("value {i}"))),
            ..Default::default()
        })
        .collect();
    for chunk in reqs.chunks(2000) {
        vault.create_secrets(chunk).unwrap();
    }
    let created = started.elapsed();
    let started = Instant::now();
    let indices: Vec<usize> = (0..secrets).collect();
    for chunk in indices.chunks(5000) {
        let answers = vault
            .group(|v| {
                chunk
                    .iter()
                    .map(|&i| {
                        v.execute(&Request::BatchCreateOrDeleteTags {
                            secret: SecretRef::Name(format!("secret-{i:06}")),
                            body: BatchCreateOrDeleteTagsRequest::new(
                                TagAction::Create,
                                tags_of(i, secrets),
                            ),
                        })
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap();
        assert!(answers.iter().all(Result::is_ok));
    }
    let tagged = started.elapsed();
    println!(
        "vault of {} secrets × 5 tags: created in {:.1} s (batch import), tagged in {:.1} s \
         (BatchCreateOrDeleteTags, 5,000 per group commit)",
        thousands(secrets),
        created.as_secs_f64(),
        tagged.as_secs_f64()
    );

    let one = |key: &str, value: &str| {
        vec![TagFilter {
            key: key.into(),
            values: vec![value.into()],
        }]
    };
    let cases = [
        ("owner=owner-0042", one("owner", "owner-0042")),
        ("app=app-0042", one("app", "app-0042")),
        ("team=team-07", one("team", "team-07")),
        ("env=prod", one("env", "prod")),
        (
            "region=eu (the first third of the names)",
            one("region", "eu"),
        ),
        (
            "region=ap (the last third of the names)",
            one("region", "ap"),
        ),
    ];
    println!("ListResourceInstances by one tag, {runs} runs each, in process:");
    for (label, tags) in &cases {
        let filter = ListResourceInstancesRequest {
            action: "filter".into(),
            tags: Some(tags.clone()),
            ..ListResourceInstancesRequest::default()
        };
        let count = ListResourceInstancesRequest {
            action: "count".into(),
            ..filter.clone()
        };
        let mut total = 0;
        let filtered = timings(runs, || {
            match vault
                .execute(&Request::ListResourceInstances(filter.clone()))
                .unwrap()
            {
                Response::Resources(r) => {
                    total = r.total_count;
                    assert_eq!(r.resources.map(|p| p.len()), Some(10.min(total)));
                }
                other => panic!("{other:?}"),
            }
        });
        let counted = timings(runs, || {
            vault
                .execute(&Request::ListResourceInstances(count.clone()))
                .unwrap();
        });
        report(
            &format!(
                "  {label} ({} matching), filter, page of 10",
                thousands(total)
            ),
            &filtered,
        );
        report(&format!("  {label}, count"), &counted);
    }

    let two = ListResourceInstancesRequest {
        action: "filter".into(),
        tags: Some(vec![
            TagFilter {
                key: "env".into(),
                values: vec!["prod".into()],
            },
            TagFilter {
                key: "team".into(),
                values: vec!["team-07".into(), "team-08".into()],
            },
        ]),
        ..ListResourceInstancesRequest::default()
    };
    let both = timings(runs, || {
        vault
            .execute(&Request::ListResourceInstances(two.clone()))
            .unwrap();
    });
    report("  env=prod and team in (team-07, team-08), filter", &both);
    let listed = timings(runs, || {
        vault
            .list_secrets_tagged(None, None, &one("team", "team-07"))
            .unwrap();
    });
    report(
        "  secret list --tag team=team-07 (ListSecrets shape, page of 50)",
        &listed,
    );

    // The terminal app (issue 15): every secret with its tags, page by page, into its list.
    let reads = runs.min(7);
    let mut pages: Vec<SummaryPage> = Vec::new();
    let read = timings(reads, || {
        pages.clear();
        let mut marker = None;
        loop {
            let page = match vault
                .execute(&Request::ListSecretSummaries {
                    marker: marker.take(),
                    limit: None,
                })
                .unwrap()
            {
                Response::Summaries(page) => page,
                other => panic!("{other:?}"),
            };
            marker.clone_from(&page.next_marker);
            pages.push(page);
            if marker.is_none() {
                break;
            }
        }
    });
    let keys = vault.list_keys().unwrap();
    let mut catalog = Catalog::default();
    let new_list = timings(reads, || {
        catalog = Catalog::default();
        catalog.set_keys(&keys);
        for page in &pages {
            catalog.append(&page.summaries);
        }
    });
    catalog.set_query("env=prod");
    assert_eq!(catalog.visible_len(), secrets.div_ceil(3));
    println!("the terminal app, {reads} runs each:");
    report(
        "  ListSecretSummaries, every page (each secret with its tags)",
        &read,
    );
    report("  the list made of them (Catalog::append)", &new_list);
    let typed = timings(reads, || {
        catalog.set_query("");
        catalog.set_query("env=prod");
    });
    report(
        "  filter env=prod typed over the whole list (from none)",
        &typed,
    );
}
