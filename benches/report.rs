//! Issue 14's health-report figures, in process on an unlocked vault (release build):
//! - the health report over 10,000 secrets (target: under 10 s), median of several runs: every
//!   current value opened, rated by the strength estimator and hashed for reuse;
//! - the strength estimate of one value, as the forms run it on each keystroke: median over many
//!   runs, for a 32-character generated password and a 32 KB value (the estimator reads the first
//!   100 characters).
//!
//! Run: `cargo bench --bench report`. Without `--bench` (`cargo test --benches`) a small smoke
//! version runs.
#![allow(
    clippy::cast_precision_loss,
    clippy::unwrap_used,
    reason = "a benchmark script: statistics over counts and durations far below 2^52"
)]

use csvault::csms::{
    CreateSecretRequest, GeneratePasswordRequest, ReportWindows, UpdateVersionRequest, strength,
};
use csvault::vault::{Vault, generate_password};
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

#[path = "support/measure.rs"]
mod measure;
use measure::{median, thousands};

const PASSPHRASE: &[u8] = b"benchmark passphrase";
const DAY_MS: i64 = 86_400_000;
/// Common passwords: every 20th secret holds one (weak, and reused across secrets).
const COMMON: [&str; 5] = ["password1", "qwerty123", "letmein", "dragon", "monkey12"];

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (secrets, runs, keystrokes) = if full {
        (10_000, 5, 2_000)
    } else {
        (200, 1, 20)
    };
    let dir = tempfile::tempdir().unwrap();
    let vault = Vault::init(&dir.path().join("report.db"), PASSPHRASE).unwrap();
    let requests: Vec<CreateSecretRequest> = (0..secrets)
        .map(|i| {
            let value = if i % 20 == 0 {
                Zeroizing::new(COMMON[(i / 20) % COMMON.len()].to_owned())
            } else {
                generate_password(&GeneratePasswordRequest::default())
                    .unwrap()
                    .password
            };
            CreateSecretRequest {
                name: format!("s{i:06}"),
                secret_string: Some(value),
                ..CreateSecretRequest::default()
            }
        })
        .collect();
    let started = Instant::now();
    for chunk in requests.chunks(2000) {
        vault.create_secrets(chunk).unwrap();
    }
    let made = started.elapsed();
    // Every 50th secret's value expires within the window.
    let soon = vault.now_ms() + 10 * DAY_MS;
    for i in (0..secrets).step_by(50) {
        vault
            .update_version(
                &format!("s{i:06}"),
                "v1",
                &UpdateVersionRequest { expire_time: soon },
            )
            .unwrap();
    }

    let mut times = Vec::new();
    let mut cpu = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let (started, cpu_before) = (Instant::now(), cpu_time());
        let report = vault.health_report(&ReportWindows::default()).unwrap();
        times.push(started.elapsed());
        cpu.push(cpu_time().saturating_sub(cpu_before));
        last = Some(report);
    }
    let report = last.unwrap();
    assert_eq!(report.checked, secrets);
    assert_eq!(report.weak.len(), secrets.div_ceil(20));
    assert_eq!(report.expiring.len(), secrets.div_ceil(50));
    let wall = median(&mut times);
    println!(
        "vault of {} secrets made in {:.1} s; health report: median {} over {runs} runs \
         (min {}, max {}), CPU time (all threads) median {}, on {} cores; {} weak, {} reuse \
         groups, {} expiring",
        thousands(secrets),
        made.as_secs_f64(),
        seconds(wall),
        seconds(times[0]),
        seconds(times[times.len() - 1]),
        seconds(median(&mut cpu)),
        std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
        report.weak.len(),
        report.reused.len(),
        report.expiring.len(),
    );

    // What the estimator alone costs: every value rated once, on this thread.
    let started = Instant::now();
    for r in &requests {
        std::hint::black_box(strength(
            r.secret_string.as_deref().map_or("", |v| v.as_str()),
        ));
    }
    println!(
        "the estimator alone over the same {} values, one thread: {}",
        thousands(secrets),
        seconds(started.elapsed())
    );

    let password = generate_password(&GeneratePasswordRequest::default())
        .unwrap()
        .password;
    let big = "Xk9#".repeat(8192);
    for (what, value) in [
        ("32-character generated password", password.as_str()),
        ("32 KB value", big.as_str()),
    ] {
        let mut times: Vec<Duration> = (0..keystrokes)
            .map(|_| {
                let started = Instant::now();
                std::hint::black_box(strength(std::hint::black_box(value)));
                started.elapsed()
            })
            .collect();
        println!(
            "strength estimate of a {what} (one keystroke in a form): median {:.3} ms over {keystrokes} runs",
            median(&mut times).as_secs_f64() * 1000.0
        );
    }
}

/// This process's CPU time so far, every thread (user + system, from `/proc/self/stat`, in
/// clock ticks of 10 ms); zero where that cannot be read.
fn cpu_time() -> Duration {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return Duration::ZERO;
    };
    // The fields after the command name (which is in parentheses and may hold spaces).
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    // utime and stime are the 14th and 15th fields; the state (3rd) is the first after ')'.
    let ticks: u64 = fields
        .get(11..13)
        .map_or(0, |f| f.iter().filter_map(|t| t.parse::<u64>().ok()).sum());
    Duration::from_millis(ticks * 10)
}

fn seconds(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}
