//! Issue 2's and issue 16's performance figures, through the real (release) binary and in process:
//! - the `jsonl` import of 100,000 secrets with 100-byte values, each run next to
//!   its baseline measured in the same run: a raw SQLite insert of the same rows (secret, version,
//!   stage) in one transaction into the vault's own schema with its own pragmas. The import is
//!   timed in process (`cli::import::import`, `secret import`'s path, on an open vault: the ratio
//!   to the baseline) and through the binary as `csvault import --from jsonl` (the records path,
//!   a report line per secret on stderr; end to end, peak RSS from `/usr/bin/time -v`); medians of the runs. The
//!   same for 10,000 shows memory is flat in the number of secrets;
//! - creating one secret through the CLI: total wall time, and the part spent unlocking (a `key list`,
//!   which is open + unlock, and `Vault::open` in process = the Argon2id unlock with default parameters).
//!
//! Run: `cargo bench --bench import`. Without `--bench` (e.g. `cargo test --benches`) it runs a small
//! smoke version so that it stays quick.
#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::too_many_lines,
    reason = "a benchmark script: statistics over counts and durations far below 2^52"
)]

use std::error::Error;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

type Res<T> = Result<T, Box<dyn Error>>;

const PASSPHRASE: &str = "benchmark passphrase";
const VALUE_BYTES: usize = 100;
const TIME: &str = "/usr/bin/time";

struct Plan {
    big: usize,
    small: usize,
    import_runs: usize,
    create_runs: usize,
    open_runs: usize,
}

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_csvault")
}

fn main() -> Res<()> {
    let full = std::env::args().any(|a| a == "--bench");
    let plan = if full {
        Plan {
            big: 100_000,
            small: 10_000,
            import_runs: 3,
            create_runs: 7,
            open_runs: 5,
        }
    } else {
        Plan {
            big: 2_000,
            small: 200,
            import_runs: 1,
            create_runs: 1,
            open_runs: 1,
        }
    };
    let dir = tempfile::tempdir()?;
    println!("csvault import benchmark (binary: {})", bin());
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        // Other work on this machine's cores slows every figure below.
        println!("load average at start: {}", load.trim());
    }
    if !Path::new(TIME).exists() {
        println!("note: {TIME} not found; peak RSS is not measured");
    }

    // One secret through the CLI, and the unlock inside it: a `key list` is a process that opens
    // and unlocks the vault and does next to nothing else.
    let vault = dir.path().join("one.db");
    init(&vault)?;
    // Creates and unlock-only runs alternate, so drift in the machine's load hits both alike.
    let mut creates = Vec::new();
    let mut lists = Vec::new();
    for i in 0..plan.create_runs {
        let name = format!("one-{i}");
        creates.push(timed(
            &vault,
            &["secret", "create", "--name", &name, "--secret-string", "y"],
        )?);
        lists.push(timed(&vault, &["key", "list"])?);
    }
    let mut opens = Vec::new();
    let mut in_process_creates = Vec::new();
    for i in 0..plan.open_runs {
        let start = Instant::now();
        let v = csvault::vault::Vault::open(&vault, PASSPHRASE.as_bytes())?;
        opens.push(start.elapsed());
        let req = csvault::csms::CreateSecretRequest {
            name: format!("in-process-{i}"),
            secret_string: Some(zeroize::Zeroizing::new("y".into())),
            ..Default::default()
        };
        let start = Instant::now();
        v.create_secret(&req)?;
        in_process_creates.push(start.elapsed());
        drop(v);
    }
    let create = median(&creates.iter().map(|t| t.wall).collect::<Vec<_>>());
    let list = median(&lists.iter().map(|t| t.wall).collect::<Vec<_>>());
    let open = median(&opens);
    let create_alone = median(&in_process_creates);
    let create_cpu = median_of(creates.iter().map(|t| t.cpu));
    let list_cpu = median_of(lists.iter().map(|t| t.cpu));
    let unlock_rss = lists.iter().filter_map(|t| t.rss).max();
    println!(
        "create 1 secret via CLI: median {} wall (cpu {}) over {} runs",
        ms(create),
        opt_ms(create_cpu),
        creates.len()
    );
    println!(
        "  unlock part: `key list` (process + open + unlock) median {} wall (cpu {}) = {:.0}% of the create; Vault::open in process median {} = {:.0}% of the create",
        ms(list),
        opt_ms(list_cpu),
        100.0 * list.as_secs_f64() / create.as_secs_f64(),
        ms(open),
        100.0 * open.as_secs_f64() / create.as_secs_f64(),
    );
    println!(
        "  in process: Vault::open median {} + create_secret median {} (the create itself, unlocked)",
        ms(open),
        ms(create_alone)
    );
    println!(
        "Argon2id unlock, default parameters (m=64 MiB, t=3, p=1): median {} (Vault::open, {} runs)",
        ms(open),
        opens.len()
    );

    let mut rss_by_n = Vec::new();
    for n in [plan.small, plan.big] {
        let file = dir.path().join(format!("import-{n}.jsonl"));
        write_requests(&file, n)?;
        let size = std::fs::metadata(&file)?.len();
        let mut runs = Vec::new();
        let mut raws = Vec::new();
        let mut in_process = Vec::new();
        // Each run measures the raw SQLite baseline again, then the import in process and through
        // the binary, so that the machine's load at that moment hits all three alike.
        for run in 0..plan.import_runs {
            let raw_vault = dir.path().join(format!("raw-{n}-{run}.db"));
            init(&raw_vault)?;
            raws.push(raw_insert(&raw_vault, n)?);
            remove_vault(&raw_vault)?;

            let vault = dir.path().join(format!("in-process-{n}-{run}.db"));
            init(&vault)?;
            in_process.push(import_in_process(&vault, &file, n)?);
            remove_vault(&vault)?;

            let vault = dir.path().join(format!("import-{n}-{run}.db"));
            init(&vault)?;
            let t = timed(&vault, &["import", "--from", "jsonl", path_str(&file)?])?;
            let summary: serde_json::Value = serde_json::from_slice(&t.output.stdout)?;
            if summary["created"] != n || summary["failed"] != 0 {
                return Err(format!("import {n}: unexpected summary {summary}").into());
            }
            runs.push(t);
            remove_vault(&vault)?;
        }
        let wall = median(&runs.iter().map(|t| t.wall).collect::<Vec<_>>());
        let cpu = median_of(runs.iter().map(|t| t.cpu));
        let peak = runs.iter().filter_map(|t| t.rss).max();
        let raw_cpu = median_of(raws.iter().map(|r| r.1));
        let inside_cpu = median_of(in_process.iter().map(|r| r.1));
        let raws: Vec<Duration> = raws.iter().map(|r| r.0).collect();
        let in_process: Vec<Duration> = in_process.iter().map(|r| r.0).collect();
        let raw = median(&raws);
        let inside = median(&in_process);
        let rate = |d: Duration| n as f64 / d.as_secs_f64().max(1e-9);
        let list_of = |xs: &[Duration]| {
            xs.iter()
                .map(|d| format!("{:.2} s", d.as_secs_f64()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        println!(
            "raw SQLite insert of the same {n} rows, one transaction: median {:.2} s = {} rows/s (runs: {}; cpu median {})",
            raw.as_secs_f64(),
            thousands(rate(raw)),
            list_of(&raws),
            opt_ms(raw_cpu),
        );
        println!(
            "import {n} in process (cli::import::import on an open vault): median {:.2} s = {} secrets/s = {:.2}x raw (runs: {}; per-run ratios: {}; cpu median {}, {:.2}x raw's)",
            inside.as_secs_f64(),
            thousands(rate(inside)),
            rate(inside) / rate(raw),
            list_of(&in_process),
            in_process
                .iter()
                .zip(&raws)
                .map(|(i, r)| format!("{:.2}x", r.as_secs_f64() / i.as_secs_f64()))
                .collect::<Vec<_>>()
                .join(", "),
            opt_ms(inside_cpu),
            match (raw_cpu, inside_cpu) {
                (Some(r), Some(i)) => r.as_secs_f64() / i.as_secs_f64().max(1e-9),
                _ => f64::NAN,
            },
        );
        println!(
            "import --from jsonl {n} via the binary: median {:.2} s = {} secrets/s = {:.2}x raw, peak RSS {} (runs: {}; cpu median {}; input {:.1} MB)",
            wall.as_secs_f64(),
            thousands(rate(wall)),
            rate(wall) / rate(raw),
            peak.map_or("n/a".into(), mib),
            list_of(&runs.iter().map(|t| t.wall).collect::<Vec<_>>()),
            opt_ms(cpu),
            size as f64 / 1e6,
        );
        if let Some(rest) = wall.checked_sub(list) {
            println!(
                "  without the process start + unlock (`key list` median {}): {:.2} s = {} secrets/s",
                ms(list),
                rest.as_secs_f64(),
                thousands(rate(rest)),
            );
        }
        rss_by_n.push((n, peak));
    }
    if let [(small, Some(a)), (big, Some(b))] = rss_by_n[..] {
        println!(
            "peak RSS: {small} secrets {} vs {big} secrets {} (x{:.2} for x{} secrets); unlock alone (key list) {}",
            mib(a),
            mib(b),
            b as f64 / a as f64,
            big / small,
            unlock_rss.map_or("n/a".into(), mib),
        );
    }
    Ok(())
}

/// Imports `file` with the command line's own import function on a vault opened beforehand: the
/// import alone, without the process start and the unlock.
fn import_in_process(vault: &Path, file: &Path, n: usize) -> Res<(Duration, Option<Duration>)> {
    let v = csvault::vault::Vault::open(vault, PASSPHRASE.as_bytes())?;
    let input = std::io::BufReader::with_capacity(1 << 16, std::fs::File::open(file)?);
    let mut progress = csvault::cli::import::Progress::hidden();
    let (start, cpu) = (Instant::now(), process_cpu());
    let summary = csvault::cli::import::import(&v, input, &mut progress)?;
    let took = (start.elapsed(), cpu_since(cpu));
    if summary.created != n as u64 || summary.failed != 0 {
        return Err(format!("import {n} in process: unexpected summary {summary:?}").into());
    }
    Ok(took)
}

/// The baseline: the rows an import of `n` secrets writes (a secret, its version v1 with a sealed
/// value of the same size, its SYSCURRENT stage), inserted with plain prepared statements in ONE
/// transaction into a fresh vault's own schema, with the vault's own pragmas. Only the
/// transaction is timed; ids, names and bytes are made beforehand.
fn raw_insert(vault: &Path, n: usize) -> Res<(Duration, Option<Duration>)> {
    // 1 format byte + 12 nonce + 16 tag around a 32-byte data key and around the value.
    const WRAPPED_KEY_BYTES: usize = 1 + 12 + 32 + 16;
    const CIPHERTEXT_BYTES: usize = 1 + 12 + VALUE_BYTES + 16;
    let mut conn = rusqlite::Connection::open(vault)?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(format!("raw baseline: journal mode {mode}").into());
    }
    conn.execute_batch(
        "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -16384;
         PRAGMA secure_delete = ON;",
    )?;
    let key_id = uuid::Uuid::new_v4().to_string();
    conn.execute(
        "INSERT INTO cmks (key_id, alias, description, state, spec, is_default, creation_date,
             wrapped_material)
         VALUES (?1, 'bench/raw', '', 'ENABLED', 'AES_256', 0, 0, ?2)",
        rusqlite::params![key_id, vec![7u8; 61]],
    )?;
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut bytes = |len: usize| -> Vec<u8> {
        (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (seed >> 24) as u8
            })
            .collect()
    };
    let rows: Vec<(String, String, Vec<u8>, Vec<u8>)> = (0..n)
        .map(|i| {
            (
                uuid::Uuid::new_v4().to_string(),
                format!("bench-{i:07}"),
                bytes(WRAPPED_KEY_BYTES),
                bytes(CIPHERTEXT_BYTES),
            )
        })
        .collect();
    let now: i64 = 1_700_000_000_000;
    let (start, cpu) = (Instant::now(), process_cpu());
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    {
        let mut secret = tx.prepare(
            "INSERT INTO secrets (id, name, state, kms_key_id, description, secret_type,
                 create_time, update_time, scheduled_delete_time, next_version, auto_rotation,
                 rotation_period, rotation_config, rotation_time, next_rotation_time,
                 event_subscription, enterprise_project_id, rotation_func_urn, auto_rotation_since)
             VALUES (?1, ?2, 'ENABLED', ?3, NULL, 'COMMON', ?4, ?4, NULL, 2, 0, NULL, NULL, NULL,
                 NULL, NULL, '0', NULL, NULL)",
        )?;
        let mut version = tx.prepare(
            "INSERT INTO versions (secret_row, version_id, seq, kms_key_id, value_kind,
                 wrapped_data_key, ciphertext, create_time, expire_time)
             VALUES (?1, 'v1', 1, ?2, 'text', ?3, ?4, ?5, NULL)",
        )?;
        let mut stage = tx.prepare(
            "INSERT INTO stages (secret_row, stage, version_id, update_time)
             VALUES (?1, 'SYSCURRENT', 'v1', ?2)",
        )?;
        for (id, name, wrapped, ciphertext) in &rows {
            secret.execute(rusqlite::params![id, name, key_id, now])?;
            let row = tx.last_insert_rowid();
            version.execute(rusqlite::params![row, key_id, wrapped, ciphertext, now])?;
            stage.execute(rusqlite::params![row, now])?;
        }
    }
    tx.commit()?;
    Ok((start.elapsed(), cpu_since(cpu)))
}

/// This process's user + system CPU time so far (all threads), from `/proc/self/stat`, in
/// clock ticks of 10 ms (`getconf CLK_TCK` = 100 on Linux).
fn process_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command name (which may hold spaces, closed by the last ')').
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime: fields 14 and 15 of the whole line, 12 and 13 after the name and state.
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

fn cpu_since(start: Option<Duration>) -> Option<Duration> {
    Some(process_cpu()?.saturating_sub(start?))
}

fn remove_vault(vault: &Path) -> Res<()> {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = vault.as_os_str().to_owned();
        p.push(suffix);
        match std::fs::remove_file(&p) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    }
    Ok(())
}

/// `n` create-secret request bodies, one per line: distinct names, 100-byte values.
fn write_requests(path: &Path, n: usize) -> Res<()> {
    let mut out = BufWriter::new(std::fs::File::create(path)?);
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let alphabet = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut value = String::with_capacity(VALUE_BYTES);
    for i in 0..n {
        value.clear();
        for _ in 0..VALUE_BYTES {
            // xorshift64: cheap, deterministic, distinct values.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            value.push(char::from(
                alphabet[(state % alphabet.len() as u64) as usize],
            ));
        }
        writeln!(
            out,
            r#"{{"name":"bench-{i:07}","secret_string":"{value}"}}"#
        )?;
    }
    out.flush()?;
    Ok(())
}

fn path_str(p: &Path) -> Res<&str> {
    p.to_str().ok_or_else(|| "non-UTF-8 path".into())
}

fn csvault(vault: &Path) -> Command {
    let mut c = Command::new(bin());
    c.env("CSVAULT_PASSPHRASE", PASSPHRASE)
        .env_remove("CSVAULT_PATH")
        .arg("--vault")
        .arg(vault);
    c
}

fn init(vault: &Path) -> Res<()> {
    let out = csvault(vault).arg("init").stdin(Stdio::null()).output()?;
    check(&out, "init")
}

fn check(out: &Output, what: &str) -> Res<()> {
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        )
        .into())
    }
}

struct Timed {
    output: Output,
    /// Wall time, measured here.
    wall: Duration,
    /// User + system CPU time (from `/usr/bin/time`): less disturbed by other load on the machine.
    cpu: Option<Duration>,
    /// Peak RSS in KiB (from `/usr/bin/time`).
    rss: Option<u64>,
}

/// Runs `csvault --vault VAULT ARGS` under `/usr/bin/time -v` (when present).
fn timed(vault: &Path, args: &[&str]) -> Res<Timed> {
    let report = PathBuf::from(format!("{}.time", vault.display()));
    let mut cmd = if Path::new(TIME).exists() {
        let mut c = Command::new(TIME);
        c.arg("-v").arg("-o").arg(&report).arg(bin());
        c
    } else {
        Command::new(bin())
    };
    cmd.env("CSVAULT_PASSPHRASE", PASSPHRASE)
        .env_remove("CSVAULT_PATH")
        .arg("--vault")
        .arg(vault)
        .args(args)
        .stdin(Stdio::null());
    let start = Instant::now();
    let output = cmd.output()?;
    let wall = start.elapsed();
    check(&output, &args.join(" "))?;
    let text = std::fs::read_to_string(&report).unwrap_or_default();
    let _ = std::fs::remove_file(&report);
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(name))
            .and_then(|v| v.trim().parse::<f64>().ok())
    };
    let cpu = match (
        field("User time (seconds):"),
        field("System time (seconds):"),
    ) {
        (Some(u), Some(s)) => Some(Duration::from_secs_f64(u + s)),
        _ => None,
    };
    let rss = field("Maximum resident set size (kbytes):").map(|k| k as u64);
    Ok(Timed {
        output,
        wall,
        cpu,
        rss,
    })
}

/// The median of the values present, if any.
fn median_of(xs: impl IntoIterator<Item = Option<Duration>>) -> Option<Duration> {
    let v: Vec<Duration> = xs.into_iter().flatten().collect();
    (!v.is_empty()).then(|| median(&v))
}

fn median(xs: &[Duration]) -> Duration {
    let mut v = xs.to_vec();
    v.sort_unstable();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1e3)
}

fn opt_ms(d: Option<Duration>) -> String {
    d.map_or("n/a".into(), ms)
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// 54600.4 → "54,600".
fn thousands(x: f64) -> String {
    let digits = format!("{:.0}", x.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
