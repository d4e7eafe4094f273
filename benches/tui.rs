//! Terminal-app benchmark with 100,000 secrets: time to first frame (from the unlocked vault;
//! the Argon2id unlock is timed apart), filter keystroke → redrawn frame (median,
//! p99), and resident memory. Run: `cargo bench --bench tui`. Without `--bench` (e.g.
//! `cargo test --benches`) it is a quick smoke run over 5,000 secrets.
//!
//! The vault is built first; the measuring runs in a fresh child process (this binary again,
//! `CSVAULT_BENCH_VAULT` set) so the memory figures are the app's alone.
#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::too_many_lines,
    reason = "a benchmark script: statistics over counts and durations far below 2^52"
)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use zeroize::Zeroizing;

use csvault::clipboard::{ClipboardGuard, FakeClipboard};
use csvault::csms::CreateSecretRequest;
use csvault::tui::Session;
use csvault::vault::Vault;

const FULL: usize = 100_000;
const BATCH: usize = 5_000;
const PASSPHRASE: &str = "benchmark passphrase";
const VAULT_ENV: &str = "CSVAULT_BENCH_VAULT";
const COUNT_ENV: &str = "CSVAULT_BENCH_SECRETS";

/// 100,000 under `cargo bench`, 5,000 otherwise; the child is told by its parent.
fn secrets() -> usize {
    if let Some(n) = std::env::var(COUNT_ENV).ok().and_then(|v| v.parse().ok()) {
        return n;
    }
    if std::env::args().any(|a| a == "--bench") {
        FULL
    } else {
        BATCH
    }
}

fn build_vault(path: &Path, count: usize) {
    let started = Instant::now();
    let vault = Vault::init(path, PASSPHRASE.as_bytes()).unwrap();
    let teams = [
        "payments", "search", "platform", "identity", "billing", "data",
    ];
    for batch in 0..count / BATCH {
        let reqs: Vec<CreateSecretRequest> = (0..BATCH)
            .map(|i| {
                let n = batch * BATCH + i;
                let team = teams[n % teams.len()];
                CreateSecretRequest {
                    name: format!("{team}-secret-{n:06}"),
                    description: Some(format!("Credential {n} of the {team} team")),
                    secret_string: Some(Zeroizing::new(format!("value-{n}"))),
                    ..Default::default()
                }
            })
            .collect();
        vault.create_secrets(&reqs).unwrap();
    }
    let took = started.elapsed().as_secs_f64();
    println!("built a vault of {count} secrets in {took:.1} s");
}

fn status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn draw(terminal: &mut Terminal<TestBackend>, session: &Session) {
    terminal
        .draw(|f| {
            let area = f.area();
            session.render(area, f.buffer_mut());
        })
        .unwrap();
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// One keystroke, start to finish: dispatch, update, redraw.
fn timed_key(
    terminal: &mut Terminal<TestBackend>,
    session: &mut Session,
    code: KeyCode,
) -> Duration {
    let t = Instant::now();
    session.key(key(code), Instant::now());
    draw(terminal, session);
    t.elapsed()
}

fn measure(path: &Path) {
    // The Argon2id unlock, timed apart: the app starts from the unlocked vault.
    let unlock_started = Instant::now();
    let vault = Vault::open(path, PASSPHRASE.as_bytes()).unwrap();
    let unlock = unlock_started.elapsed();

    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    let started = Instant::now();
    let guard = ClipboardGuard::new(Box::new(FakeClipboard::new()));
    let mut session = Session::with_vault(vault, guard);
    session.resize(100, 30);
    draw(&mut terminal, &session);
    let first_frame = started.elapsed();
    session.finish_loading();
    draw(&mut terminal, &session);
    let full_list = started.elapsed();
    let total = session.app.catalog.total();
    assert_eq!(total, secrets());

    // Filter keystrokes: queries that narrow, Backspace that widens again, and misses.
    session.key(key(KeyCode::Char('/')), Instant::now());
    let queries = [
        "secret-0",
        "payments-secret-01",
        "team",
        "identity",
        "9999",
        "zz",
        "credential 4",
    ];
    let mut samples = Vec::new();
    for round in 0..3 {
        for q in queries {
            for ch in q.chars() {
                samples.push(timed_key(&mut terminal, &mut session, KeyCode::Char(ch)));
            }
            for _ in 0..q.chars().count() {
                samples.push(timed_key(&mut terminal, &mut session, KeyCode::Backspace));
            }
        }
        if round == 0 {
            // Edits in the middle of a query cannot narrow: a full rescan each time.
            for ch in ['x', 'y'] {
                samples.push(timed_key(&mut terminal, &mut session, KeyCode::Char(ch)));
                samples.push(timed_key(&mut terminal, &mut session, KeyCode::Backspace));
            }
        }
    }
    let mut moves = Vec::new();
    session.key(key(KeyCode::Enter), Instant::now());
    for _ in 0..100 {
        moves.push(timed_key(&mut terminal, &mut session, KeyCode::PageDown));
    }
    samples.sort();
    moves.sort();
    let rss = status_kb("VmRSS:");
    let hwm = status_kb("VmHWM:");
    // After the memory readings, so they stay the app's: the vault's own share of the start.
    let vault = Vault::open(path, PASSPHRASE.as_bytes()).unwrap();
    let read_started = Instant::now();
    drop(vault.all_secrets().unwrap());
    let read_all = read_started.elapsed();

    println!("secrets:                         {total}");
    println!("Argon2id unlock (apart):         {:8.1} ms", ms(unlock));
    println!(
        "unlocked to first frame:         {:8.1} ms   (target < 300 ms; drawn from the first page)",
        ms(first_frame)
    );
    println!(
        "unlocked to full list:           {:8.1} ms   (every secret loaded, sortable, filterable)",
        ms(full_list)
    );
    println!(
        "  the vault's all_secrets alone: {:8.1} ms   (Vault::all_secrets, timed apart)",
        ms(read_all)
    );
    println!(
        "filter keystroke to frame:       median {:.2} ms, p99 {:.2} ms, max {:.2} ms over {} keystrokes   (target < 16 ms)",
        ms(percentile(&samples, 0.5)),
        ms(percentile(&samples, 0.99)),
        ms(samples[samples.len() - 1]),
        samples.len()
    );
    println!(
        "PgDn to frame:                   median {:.2} ms, max {:.2} ms",
        ms(percentile(&moves, 0.5)),
        ms(moves[moves.len() - 1])
    );
    println!(
        "resident memory:                 VmRSS {:.1} MB, VmHWM (peak) {:.1} MB   (target < 100 MB)",
        rss as f64 / 1024.0,
        hwm as f64 / 1024.0
    );
}

fn main() {
    if let Some(path) = std::env::var_os(VAULT_ENV) {
        measure(Path::new(&path));
        return;
    }
    let count = secrets();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.db");
    build_vault(&path, count);
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .env(VAULT_ENV, &path)
        .env(COUNT_ENV, count.to_string())
        .status()
        .unwrap();
    assert!(status.success(), "the measuring run failed");
}
