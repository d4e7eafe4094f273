//! Terminal-app benchmark at 100,000 and 1,000,000 secrets (issue 15): time to the first frame
//! (from the unlocked vault; the Argon2id unlock is timed apart) and to the whole list, filter
//! keystroke → redrawn frame (p50, p99, max) while typing an 11-character filter and deleting it
//! again, and resident memory (`VmRSS` now, `VmHWM` peak). Each size is measured in several fresh
//! processes and the medians are reported; each run also names its slowest keystrokes (the
//! query each left, the update (the filter) and the redraw apart). Run: `cargo bench --bench tui` (release).
//! `CSVAULT_BENCH_SECRETS=100000,1000000` and `CSVAULT_BENCH_RUNS=5` change the sizes and the
//! runs. Without `--bench` (e.g. `cargo test --benches`) it is a quick smoke run: 5,000
//! secrets, one run.
//!
//! Each vault is built first; the measuring runs in a fresh child process (this binary again,
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

const SIZES: [usize; 2] = [100_000, 1_000_000];
const RUNS: usize = 5;
const SMOKE: usize = 5_000;
const BATCH: usize = 5_000;
const PASSPHRASE: &str = "benchmark passphrase";
const VAULT_ENV: &str = "CSVAULT_BENCH_VAULT";
const COUNT_ENV: &str = "CSVAULT_BENCH_SECRETS";
const RUNS_ENV: &str = "CSVAULT_BENCH_RUNS";
/// The filter typed, 11 characters: part of a name, as a person looking for a few secrets would
/// type it (a substring too, so that a substring filter finds them: the same keystrokes compare
/// with the app before issue 15).
const QUERY: &str = "secret-0007";
/// Typed then deleted this many times per run.
const ROUNDS: usize = 3;

fn bench_mode() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// The sizes measured: `CSVAULT_BENCH_SECRETS` (comma-separated), else 100,000 and 1,000,000
/// under `cargo bench`, 5,000 otherwise.
fn sizes() -> Vec<usize> {
    if let Ok(list) = std::env::var(COUNT_ENV) {
        let sizes: Vec<usize> = list
            .split(',')
            .filter_map(|v| v.trim().parse().ok())
            .collect();
        if !sizes.is_empty() {
            return sizes;
        }
    }
    if bench_mode() {
        SIZES.to_vec()
    } else {
        vec![SMOKE]
    }
}

fn runs() -> usize {
    std::env::var(RUNS_ENV)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if bench_mode() { RUNS } else { 1 })
        .max(1)
}

fn build_vault(path: &Path, count: usize) {
    let started = Instant::now();
    let vault = Vault::init(path, PASSPHRASE.as_bytes()).unwrap();
    let teams = [
        "payments", "search", "platform", "identity", "billing", "data",
    ];
    for batch in 0..count.div_ceil(BATCH) {
        let reqs: Vec<CreateSecretRequest> = (batch * BATCH..((batch + 1) * BATCH).min(count))
            .map(|n| {
                let team = teams[n % teams.len()];
                CreateSecretRequest {
                    name: format!("{team}-secret-{n:07}"),
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

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// One keystroke, start to finish: dispatch, update (the filter), redraw.
struct Keystroke {
    /// Dispatch and update (the filter), then the redraw, in ms.
    update: f64,
    draw: f64,
    /// From the key to the frame with its complete results, in ms: the same as the first frame
    /// unless a large scan went on between frames (`matching…` meanwhile).
    settled: f64,
    /// The query after it.
    query: String,
}

impl Keystroke {
    fn total(&self) -> f64 {
        self.update + self.draw
    }
}

fn timed_key(
    terminal: &mut Terminal<TestBackend>,
    session: &mut Session,
    code: KeyCode,
) -> Keystroke {
    let t = Instant::now();
    session.key(key(code), Instant::now());
    let update = t.elapsed();
    let drawn = Instant::now();
    draw(terminal, session);
    let draw_took = drawn.elapsed();
    // The app's loop: ticks without waiting, a frame after each, until the scan ends.
    while session.busy() {
        session.work();
        session.tick(Instant::now());
        draw(terminal, session);
    }
    Keystroke {
        update: ms(update),
        draw: ms(draw_took),
        settled: ms(t.elapsed()),
        query: session.app.catalog.query().to_owned(),
    }
}

/// How many of the slowest keystrokes each run names.
const SLOWEST: usize = 3;

/// One measuring run (the child): prints one `RESULT` line of figures.
fn measure(path: &Path, expected: usize) {
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
    assert_eq!(total, expected);

    session.key(key(KeyCode::Char('/')), Instant::now());
    let mut samples = Vec::new();
    for _ in 0..ROUNDS {
        for ch in QUERY.chars() {
            samples.push(timed_key(&mut terminal, &mut session, KeyCode::Char(ch)));
        }
        let matches = session.app.catalog.visible_len();
        assert!(matches > 0 && matches < total, "{matches} matches");
        for _ in 0..QUERY.chars().count() {
            samples.push(timed_key(&mut terminal, &mut session, KeyCode::Backspace));
        }
    }
    samples.sort_by(|a, b| b.total().total_cmp(&a.total()));
    for k in samples.iter().take(SLOWEST) {
        println!(
            "SLOW {:.2} ms (update {:.2}, draw {:.2}; complete results after {:.2}) to {:?}",
            k.total(),
            k.update,
            k.draw,
            k.settled,
            k.query
        );
    }
    let mut settled: Vec<f64> = samples.iter().map(|k| k.settled).collect();
    settled.sort_by(f64::total_cmp);
    let mut samples: Vec<f64> = samples.iter().map(Keystroke::total).collect();
    samples.sort_by(f64::total_cmp);
    let rss = status_kb("VmRSS:") as f64 / 1024.0;
    let hwm = status_kb("VmHWM:") as f64 / 1024.0;
    println!(
        "RESULT {} {} {} {} {} {} {} {} {} {} {}",
        ms(unlock),
        ms(first_frame),
        ms(full_list),
        percentile(&samples, 0.5),
        percentile(&samples, 0.99),
        samples[samples.len() - 1],
        rss,
        hwm,
        percentile(&settled, 0.5),
        percentile(&settled, 0.99),
        settled[settled.len() - 1]
    );
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn report(count: usize, results: &[Vec<f64>]) {
    let col = |i: usize| median(results.iter().map(|r| r[i]).collect());
    let runs = results.len();
    println!("secrets: {count} (medians of {runs} runs)");
    println!("  Argon2id unlock (apart):   {:9.1} ms", col(0));
    println!(
        "  unlocked to first frame:   {:9.1} ms   (drawn from the first page)",
        col(1)
    );
    println!(
        "  unlocked to full list:     {:9.1} ms   (every secret read, page by page)",
        col(2)
    );
    println!(
        "  keystroke to frame, typing {QUERY:?} and deleting it {ROUNDS}x ({} keystrokes):",
        QUERY.len() * 2 * ROUNDS
    );
    println!(
        "      p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms   (target p99 < {} ms)",
        col(3),
        col(4),
        col(5),
        if count > 100_000 { 100 } else { 16 }
    );
    println!("  keystroke to complete results (frames drawn meanwhile say `matching…`):");
    println!(
        "      p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        col(8),
        col(9),
        col(10)
    );
    println!(
        "  resident memory:           VmRSS {:.1} MB, VmHWM (peak) {:.1} MB",
        col(6),
        col(7)
    );
}

fn main() {
    if let Some(path) = std::env::var_os(VAULT_ENV) {
        let expected = std::env::var(COUNT_ENV).unwrap().parse().unwrap();
        measure(Path::new(&path), expected);
        return;
    }
    for count in sizes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bench.db");
        build_vault(&path, count);
        let mut results = Vec::new();
        for _ in 0..runs() {
            let out = std::process::Command::new(std::env::current_exe().unwrap())
                .env(VAULT_ENV, &path)
                .env(COUNT_ENV, count.to_string())
                .output()
                .unwrap();
            assert!(out.status.success(), "the measuring run failed: {out:?}");
            let text = String::from_utf8_lossy(&out.stdout);
            for slow in text.lines().filter_map(|l| l.strip_prefix("SLOW ")) {
                println!("  (run {}) slowest: {slow}", results.len() + 1);
            }
            let line = text
                .lines()
                .find_map(|l| l.strip_prefix("RESULT "))
                .expect("a RESULT line");
            results.push(
                line.split_whitespace()
                    .map(|v| v.parse::<f64>().unwrap())
                    .collect::<Vec<_>>(),
            );
        }
        report(count, &results);
    }
}
