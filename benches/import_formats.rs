//! Issue 16's import and backup figures, through the real (release) binary:
//! - 10,000 entries (username, URL, notes, 2 custom fields each, in 100 folders) written once as a
//!   KDBX (`keepassxc-cli import` of a generated KeePass XML), its KeePassXC CSV (`keepassxc-cli
//!   export --format csv`), a Bitwarden JSON export (generated) and csvault's `jsonl` holding the
//!   same secrets (the KDBX imported once into a scratch vault and `csvault export`ed: same names,
//!   values and tags); then, alternating, each imported into a fresh vault with `csvault import
//!   --from …`: wall time, entries/s, peak RSS (`/usr/bin/time -v`), ratio to `jsonl` (target:
//!   at least 0.5). The KDBX's key derivation is timed alone (a wrong password, less a missing
//!   file) and its rate is also given without it.
//! - `csvault backup` of a 100,000-secret vault while this process commits one small secret at
//!   a time in a loop: the backup's time, and the commits' max and p99 latency before and during
//!   the backup (writers must not wait longer than one backup step).
//!
//! Run: `cargo bench --bench import_formats`. Without `--bench` (e.g. `cargo test --benches`)
//! it runs a small smoke version so that it stays quick. Needs `keepassxc-cli` (the KDBX and
//! CSV rows are left out without it, with a note).
#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::too_many_lines,
    reason = "a benchmark script: statistics over counts and durations far below 2^52"
)]

use std::error::Error;
use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use base64::Engine as _;

type Res<T> = Result<T, Box<dyn Error>>;

const PASSPHRASE: &str = "benchmark passphrase";
const DB_PASSWORD: &str = "benchmark kdbx password";
const FOLDERS: usize = 100;
const TIME: &str = "/usr/bin/time";
/// A writer's commit longer than this is listed.
const SLOW: Duration = Duration::from_millis(50);

struct Plan {
    entries: usize,
    runs: usize,
    backup_secrets: usize,
    backup_runs: usize,
    writer_alone: Duration,
}

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_csvault")
}

fn main() -> Res<()> {
    let full = std::env::args().any(|a| a == "--bench");
    let plan = if full {
        Plan {
            entries: 10_000,
            runs: 5,
            backup_secrets: 100_000,
            backup_runs: 3,
            writer_alone: Duration::from_secs(3),
        }
    } else {
        Plan {
            entries: 200,
            runs: 1,
            backup_secrets: 2_000,
            backup_runs: 1,
            writer_alone: Duration::from_millis(200),
        }
    };
    let dir = tempfile::tempdir()?;
    println!("csvault import --from FORMAT benchmark (binary: {})", bin());
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        println!("load average at start: {}", load.trim());
    }
    if !Path::new(TIME).exists() {
        println!("note: {TIME} not found; peak RSS is not measured");
    }
    formats(&plan, dir.path())?;
    backup(&plan, dir.path())?;
    Ok(())
}

/// One source to import.
struct Source {
    label: &'static str,
    from: &'static str,
    path: PathBuf,
    runs: Vec<Timed>,
}

fn formats(plan: &Plan, dir: &Path) -> Res<()> {
    let n = plan.entries;
    let keepassxc = Command::new("keepassxc-cli")
        .arg("--version")
        .env("QT_QPA_PLATFORM", "offscreen")
        .output()
        .is_ok_and(|o| o.status.success());
    let bitwarden = dir.join("bitwarden.json");
    write_bitwarden(&bitwarden, n)?;
    let mut sources = Vec::new();
    let jsonl = dir.join("same.jsonl");
    if keepassxc {
        let xml = dir.join("keepass.xml");
        write_keepass_xml(&xml, n)?;
        let kdbx = dir.join("entries.kdbx");
        let pw = format!("{DB_PASSWORD}\n");
        let start = Instant::now();
        keepassxc_cli(
            dir,
            &[
                "import",
                "-q",
                "--set-password",
                path_str(&xml)?,
                path_str(&kdbx)?,
            ],
            &format!("{pw}{pw}"),
        )?;
        println!(
            "made {} with keepassxc-cli import in {:.1} s",
            kdbx.display(),
            start.elapsed().as_secs_f64()
        );
        let csv = dir.join("entries.csv");
        let out = keepassxc_cli(
            dir,
            &["export", "-q", "--format", "csv", path_str(&kdbx)?],
            &pw,
        )?;
        std::fs::write(&csv, &out.stdout)?;
        // csvault's own records of the same secrets: the KDBX (every field) imported once, exported.
        records_of(
            dir,
            &["import", "--from", "keepassxc", path_str(&kdbx)?],
            &[("CSVAULT_IMPORT_PASSWORD", DB_PASSWORD)],
            n,
            &jsonl,
        )?;
        sources.push(Source {
            label: "jsonl",
            from: "jsonl",
            path: jsonl,
            runs: Vec::new(),
        });
        sources.push(Source {
            label: "keepassxc (KDBX)",
            from: "keepassxc",
            path: kdbx,
            runs: Vec::new(),
        });
        sources.push(Source {
            label: "keepassxc (CSV)",
            from: "keepassxc",
            path: csv,
            runs: Vec::new(),
        });
    } else {
        println!("note: keepassxc-cli not found; the KDBX and CSV rows are left out");
        // The records of the Bitwarden items instead.
        records_of(
            dir,
            &["import", "--from", "bitwarden", path_str(&bitwarden)?],
            &[],
            n,
            &jsonl,
        )?;
        sources.push(Source {
            label: "jsonl",
            from: "jsonl",
            path: jsonl,
            runs: Vec::new(),
        });
    }
    sources.push(Source {
        label: "bitwarden (JSON)",
        from: "bitwarden",
        path: bitwarden,
        runs: Vec::new(),
    });
    for source in &sources {
        println!(
            "  {}: {} ({:.1} MB)",
            source.label,
            source.path.display(),
            std::fs::metadata(&source.path)?.len() as f64 / 1e6
        );
    }

    // The KDBX's key derivation alone: a wrong password (open, derive, refuse) less a missing
    // file (the process starting and refusing), alternating with the imports below.
    let mut wrong = Vec::new();
    let mut missing = Vec::new();
    // The fixed cost of every import: the process, the vault's unlock, an empty jsonl file.
    let mut empty = Vec::new();
    let nothing = dir.join("empty.jsonl");
    std::fs::write(&nothing, "")?;
    let env = [("CSVAULT_IMPORT_PASSWORD", DB_PASSWORD)];
    for run in 0..plan.runs {
        let vault = dir.join("empty.db");
        init(&vault)?;
        let t = timed(&vault, &["import", path_str(&nothing)?], &[])?;
        expect_created(&t, 0, "an empty import")?;
        empty.push(t.wall);
        remove_vault(&vault)?;
        for source in &mut sources {
            let vault = dir.join(format!("import-{}-{run}.db", source.from));
            init(&vault)?;
            let t = timed(
                &vault,
                &["import", "--from", source.from, path_str(&source.path)?],
                &env,
            )?;
            expect_created(&t, n, source.label)?;
            source.runs.push(t);
            remove_vault(&vault)?;
        }
        if keepassxc {
            let vault = dir.join("kdf.db");
            let kdbx = dir.join("entries.kdbx");
            let t = timed_any(
                &vault,
                &["import", "--from", "keepassxc", path_str(&kdbx)?],
                &[("CSVAULT_IMPORT_PASSWORD", "not the password")],
            )?;
            if t.output.status.success() {
                return Err("a wrong KDBX password was taken".into());
            }
            wrong.push(t.wall);
            let t = timed_any(
                &vault,
                &[
                    "import",
                    "--from",
                    "keepassxc",
                    path_str(&dir.join("no.kdbx"))?,
                ],
                &env,
            )?;
            missing.push(t.wall);
        }
    }
    let kdf = median(&wrong).saturating_sub(median(&missing));
    if keepassxc {
        println!(
            "KDBX key derivation: wrong password median {} - missing file median {} = {} ({} runs)",
            ms(median(&wrong)),
            ms(median(&missing)),
            ms(kdf),
            wrong.len()
        );
    }

    let fixed = median(&empty);
    println!(
        "fixed cost of an import (process, unlock, an empty jsonl file): median {} ({} runs)",
        ms(fixed),
        empty.len()
    );
    // Rates of the whole command, and of the import alone (less the fixed cost, and for the
    // KDBX its key derivation too).
    let whole = |wall: Duration| n as f64 / wall.as_secs_f64().max(1e-9);
    let net = |wall: Duration| whole(wall.saturating_sub(fixed));
    let base_wall = median(&walls(&sources[0]));
    let (base, base_net) = (whole(base_wall), net(base_wall));
    println!(
        "\n{n} entries, {} runs each, alternating; median wall time of `csvault import`",
        plan.runs
    );
    println!(
        "{:<18} {:>9} {:>11} {:>9} {:>15} {:>9} {:>11}   runs (s)",
        "format", "wall", "entries/s", "vs jsonl", "net entries/s", "vs jsonl", "peak RSS"
    );
    for source in &sources {
        let wall = median(&walls(source));
        let peak = source.runs.iter().filter_map(|t| t.rss).max();
        let mut runs = String::new();
        for t in &source.runs {
            let _ = write!(runs, "{:.2} ", t.wall.as_secs_f64());
        }
        println!(
            "{:<18} {:>7.2} s {:>11} {:>8.2}x {:>15} {:>8.2}x {:>11}   {}",
            source.label,
            wall.as_secs_f64(),
            thousands(whole(wall)),
            whole(wall) / base,
            thousands(net(wall)),
            net(wall) / base_net,
            peak.map_or("n/a".into(), mib),
            runs.trim_end()
        );
        if source.label == "keepassxc (KDBX)" {
            let without = wall.saturating_sub(kdf);
            println!(
                "{:<18} {:>7.2} s {:>11} {:>8.2}x {:>15} {:>8.2}x   (less the key derivation, {})",
                "  KDBX less KDF",
                without.as_secs_f64(),
                thousands(whole(without)),
                whole(without) / base,
                thousands(net(without)),
                net(without) / base_net,
                ms(kdf)
            );
        }
    }
    println!(
        "net = less the fixed cost ({}); target: every ratio >= 0.50 (within 2x of jsonl)\n",
        ms(fixed)
    );
    Ok(())
}

/// csvault's own records of a source's `n` entries: imported (`import_args`) into a scratch vault
/// in `dir`, exported to `jsonl`, the scratch vault removed.
fn records_of(
    dir: &Path,
    import_args: &[&str],
    envs: &[(&str, &str)],
    n: usize,
    jsonl: &Path,
) -> Res<()> {
    let scratch = dir.join("scratch.db");
    init(&scratch)?;
    let t = timed(&scratch, import_args, envs)?;
    expect_created(&t, n, "scratch import")?;
    let out = csvault(&scratch)
        .args(["export", "--yes", "-o", path_str(jsonl)?])
        .stdin(Stdio::null())
        .output()?;
    check(&out, "export")?;
    remove_vault(&scratch)
}

fn walls(source: &Source) -> Vec<Duration> {
    source.runs.iter().map(|t| t.wall).collect()
}

/// The backup of a big vault while this process writes: commit latencies before and during.
fn backup(plan: &Plan, dir: &Path) -> Res<()> {
    let n = plan.backup_secrets;
    let vault = dir.join("big.db");
    init(&vault)?;
    let records = dir.join("big.jsonl");
    let mut out = BufWriter::new(std::fs::File::create(&records)?);
    for i in 0..n {
        writeln!(
            out,
            r#"{{"name":"big-{i:07}","secret_string":"value {i:07} of a hundred-thousand-secret vault, 100 bytes or so...."}}"#
        )?;
    }
    out.flush()?;
    drop(out);
    let t = timed(&vault, &["import", path_str(&records)?], &[])?;
    expect_created(&t, n, "the big vault's import")?;
    std::fs::remove_file(&records)?;
    let size = std::fs::metadata(&vault)?.len();

    // The writer: this process, its own handle, one small secret per commit, timed; the
    // backups run in between, each after the writer ran alone for a while.
    let stop = Arc::new(AtomicBool::new(false));
    let (ready, opened) = std::sync::mpsc::channel();
    let writer = {
        let stop = Arc::clone(&stop);
        let vault = vault.clone();
        std::thread::spawn(move || -> Result<Vec<(Instant, Duration)>, String> {
            let v = csvault::vault::Vault::open(&vault, PASSPHRASE.as_bytes())
                .map_err(|e| e.to_string())?;
            let _ = ready.send(());
            let mut commits = Vec::new();
            let mut i = 0u64;
            while !stop.load(Ordering::Acquire) {
                let req = csvault::csms::CreateSecretRequest {
                    name: format!("writer-{i:08}"),
                    secret_string: Some(zeroize::Zeroizing::new("w".into())),
                    ..Default::default()
                };
                let start = Instant::now();
                v.create_secret(&req).map_err(|e| e.to_string())?;
                commits.push((start, start.elapsed()));
                i += 1;
            }
            Ok(commits)
        })
    };
    let backups = run_backups(plan, dir, &vault, &opened);
    stop.store(true, Ordering::Release);
    let commits = writer
        .join()
        .map_err(|_| "the writer panicked")?
        .map_err(|e| format!("the writer: {e}"))?;
    let backups = backups?;
    let walls: Vec<Duration> = backups.iter().map(|(s, e, _)| *e - *s).collect();
    println!(
        "backup of {n} secrets ({:.1} MB), {} runs: median {:.2} s wall (runs: {}), peak RSS {}",
        size as f64 / 1e6,
        backups.len(),
        median(&walls).as_secs_f64(),
        walls
            .iter()
            .map(|w| format!("{:.2} s", w.as_secs_f64()))
            .collect::<Vec<_>>()
            .join(", "),
        backups
            .iter()
            .filter_map(|b| b.2)
            .max()
            .map_or("n/a".into(), mib)
    );
    // A commit is "during" a backup when the two overlap at all.
    let during_which = |start: Instant, took: Duration| {
        backups
            .iter()
            .position(|(s, e, _)| start < *e && start + took > *s)
    };
    let mut alone = Vec::new();
    let mut during = Vec::new();
    let mut slow = Vec::new();
    for (start, took) in &commits {
        if let Some(k) = during_which(*start, *took) {
            during.push(*took);
            if *took > SLOW {
                let (s, e, _) = backups[k];
                slow.push(format!(
                    "{} at +{} of backup {} ({})",
                    ms(*took),
                    ms(start.saturating_duration_since(s)),
                    k + 1,
                    ms(e - s)
                ));
            }
        } else {
            alone.push(*took);
        }
    }
    for (what, xs) in [
        ("outside the backups", &mut alone),
        ("during the backups", &mut during),
    ] {
        if xs.is_empty() {
            println!("  writer commits {what}: none");
            continue;
        }
        xs.sort_unstable();
        let p99 = xs[(xs.len() * 99).div_ceil(100) - 1];
        println!(
            "  writer commits {what}: {} commits, median {}, p99 {}, max {}, over {}: {}",
            xs.len(),
            ms(xs[xs.len() / 2]),
            ms(p99),
            ms(xs[xs.len() - 1]),
            ms(SLOW),
            xs.iter().filter(|d| **d > SLOW).count()
        );
    }
    for line in slow {
        println!("    slow during a backup: {line}");
    }
    println!("  (a backup step copies 1,024 pages, then pauses 5 ms: src/vault/backup.rs)");
    Ok(())
}

/// `csvault backup` runs of `vault` once the writer has unlocked (`opened`), each after the
/// writer ran alone for a while: (start, end, peak RSS in KiB) of each.
fn run_backups(
    plan: &Plan,
    dir: &Path,
    vault: &Path,
    opened: &std::sync::mpsc::Receiver<()>,
) -> Res<Vec<(Instant, Instant, Option<u64>)>> {
    let mut backups = Vec::new();
    // The writer failed to unlock: its `join` says why.
    if opened.recv().is_err() {
        return Ok(backups);
    }
    for run in 0..plan.backup_runs {
        std::thread::sleep(plan.writer_alone);
        let copy = dir.join(format!("big-copy-{run}.db"));
        let report = PathBuf::from(format!("{}.time", copy.display()));
        let mut cmd = time_command(&report);
        cmd.env("CSVAULT_PASSPHRASE", PASSPHRASE)
            .env_remove("CSVAULT_PATH")
            .arg("--vault")
            .arg(vault)
            .arg("--no-agent")
            .args(["backup", path_str(&copy)?])
            .stdin(Stdio::null());
        let start = Instant::now();
        let output = cmd.output()?;
        let end = Instant::now();
        check(&output, "backup")?;
        let rss = read_time_report(&report).1;
        std::fs::remove_file(&copy)?;
        backups.push((start, end, rss));
    }
    std::thread::sleep(plan.writer_alone);
    Ok(backups)
}

/// Entry `i`'s folder, title and fields.
fn entry(i: usize) -> [String; 8] {
    [
        format!("Folder {:02}", i % FOLDERS),
        format!("entry {i:05}"),
        format!("user{i}@example.com"),
        format!("pw-{:016x}", (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)),
        format!("https://host{i}.example.com/login"),
        format!("notes of entry {i}: rotate yearly"),
        format!("account-{i:06}"),
        format!("region-{}", i % 7),
    ]
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A KeePass 2 XML file: a root group of `FOLDERS` groups holding `n` entries.
fn write_keepass_xml(path: &Path, n: usize) -> Res<()> {
    let mut out = BufWriter::new(std::fs::File::create(path)?);
    let b64 = base64::engine::general_purpose::STANDARD;
    let uuid = |k: u128| b64.encode(k.to_be_bytes());
    writeln!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<KeePassFile>\n<Meta><Generator>csvault benches/import_formats.rs</Generator></Meta>\n<Root>\n<Group><UUID>{}</UUID><Name>Root</Name>",
        uuid(1)
    )?;
    for f in 0..FOLDERS {
        writeln!(
            out,
            "<Group><UUID>{}</UUID><Name>Folder {f:02}</Name>",
            uuid(1000 + f as u128)
        )?;
        for i in (f..n).step_by(FOLDERS) {
            let e = entry(i).map(|s| xml_escape(&s));
            writeln!(
                out,
                "<Entry><UUID>{}</UUID>\
                 <String><Key>Title</Key><Value>{}</Value></String>\
                 <String><Key>UserName</Key><Value>{}</Value></String>\
                 <String><Key>Password</Key><Value ProtectInMemory=\"True\">{}</Value></String>\
                 <String><Key>URL</Key><Value>{}</Value></String>\
                 <String><Key>Notes</Key><Value>{}</Value></String>\
                 <String><Key>account</Key><Value>{}</Value></String>\
                 <String><Key>region</Key><Value>{}</Value></String></Entry>",
                uuid(1_000_000 + i as u128),
                e[1],
                e[2],
                e[3],
                e[4],
                e[5],
                e[6],
                e[7]
            )?;
        }
        writeln!(out, "</Group>")?;
    }
    writeln!(out, "</Group>\n</Root>\n</KeePassFile>")?;
    out.flush()?;
    Ok(())
}

/// Bitwarden's unencrypted JSON export: `FOLDERS` folders, `n` logins with two custom fields.
fn write_bitwarden(path: &Path, n: usize) -> Res<()> {
    let folders: Vec<serde_json::Value> = (0..FOLDERS)
        .map(|f| {
            serde_json::json!({"id": format!("00000000-0000-4000-8000-{f:012}"),
                               "name": format!("Folder {f:02}")})
        })
        .collect();
    let items: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            let e = entry(i);
            serde_json::json!({
                "id": format!("10000000-0000-4000-8000-{i:012}"),
                "organizationId": null,
                "folderId": format!("00000000-0000-4000-8000-{:012}", i % FOLDERS),
                "type": 1,
                "reprompt": 0,
                "name": e[1],
                "notes": e[5],
                "favorite": false,
                "fields": [
                    {"name": "account", "value": e[6], "type": 0, "linkedId": null},
                    {"name": "region", "value": e[7], "type": 0, "linkedId": null},
                ],
                "login": {
                    "uris": [{"match": null, "uri": e[4]}],
                    "username": e[2],
                    "password": e[3],
                    "totp": null,
                },
                "collectionIds": null,
            })
        })
        .collect();
    let export = serde_json::json!({"encrypted": false, "folders": folders, "items": items});
    let mut out = BufWriter::new(std::fs::File::create(path)?);
    serde_json::to_writer(&mut out, &export)?;
    out.flush()?;
    Ok(())
}

fn keepassxc_cli(home: &Path, args: &[&str], stdin: &str) -> Res<Output> {
    let mut child = Command::new("keepassxc-cli")
        .args(args)
        .env("HOME", home)
        .env("QT_QPA_PLATFORM", "offscreen")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    if let Some(mut input) = child.stdin.take() {
        input.write_all(stdin.as_bytes())?;
    }
    let out = child.wait_with_output()?;
    check(&out, &format!("keepassxc-cli {}", args.join(" ")))?;
    Ok(out)
}

fn path_str(p: &Path) -> Res<&str> {
    p.to_str().ok_or_else(|| "non-UTF-8 path".into())
}

fn csvault(vault: &Path) -> Command {
    let mut c = Command::new(bin());
    c.env("CSVAULT_PASSPHRASE", PASSPHRASE)
        .env_remove("CSVAULT_PATH")
        .env_remove("CSVAULT_IMPORT_PASSWORD")
        .arg("--vault")
        .arg(vault)
        .arg("--no-agent");
    c
}

fn init(vault: &Path) -> Res<()> {
    let out = csvault(vault).arg("init").stdin(Stdio::null()).output()?;
    check(&out, "init")
}

fn remove_vault(vault: &Path) -> Res<()> {
    for suffix in ["", "-wal", "-shm"] {
        let p = PathBuf::from(format!("{}{suffix}", vault.display()));
        if p.exists() {
            std::fs::remove_file(p)?;
        }
    }
    Ok(())
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

/// The import's summary says `n` created and nothing else.
fn expect_created(t: &Timed, n: usize, what: &str) -> Res<()> {
    let summary: serde_json::Value = serde_json::from_slice(&t.output.stdout)?;
    if summary["created"] == n && summary["failed"] == 0 && summary["renamed"] == 0 {
        Ok(())
    } else {
        Err(format!("{what}: unexpected summary {summary}").into())
    }
}

struct Timed {
    output: Output,
    /// Wall time, measured here.
    wall: Duration,
    /// Peak RSS in KiB (from `/usr/bin/time`).
    rss: Option<u64>,
}

fn time_command(report: &Path) -> Command {
    if Path::new(TIME).exists() {
        let mut c = Command::new(TIME);
        c.arg("-v").arg("-o").arg(report).arg(bin());
        c
    } else {
        Command::new(bin())
    }
}

/// (user + system CPU, peak RSS in KiB) from a `/usr/bin/time -v` report; the file is removed.
fn read_time_report(report: &Path) -> (Option<Duration>, Option<u64>) {
    let text = std::fs::read_to_string(report).unwrap_or_default();
    let _ = std::fs::remove_file(report);
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
    (
        cpu,
        field("Maximum resident set size (kbytes):").map(|k| k as u64),
    )
}

/// Runs `csvault --vault VAULT --no-agent ARGS` with `envs` under `/usr/bin/time -v` (when
/// present), and insists it succeeds.
fn timed(vault: &Path, args: &[&str], envs: &[(&str, &str)]) -> Res<Timed> {
    let t = timed_any(vault, args, envs)?;
    check(&t.output, &args.join(" "))?;
    Ok(t)
}

/// [`timed`], whatever the exit status.
fn timed_any(vault: &Path, args: &[&str], envs: &[(&str, &str)]) -> Res<Timed> {
    let report = PathBuf::from(format!("{}.time", vault.display()));
    let mut cmd = time_command(&report);
    cmd.env("CSVAULT_PASSPHRASE", PASSPHRASE)
        .env_remove("CSVAULT_PATH")
        .env_remove("CSVAULT_IMPORT_PASSWORD")
        .envs(envs.iter().copied())
        .arg("--vault")
        .arg(vault)
        .arg("--no-agent")
        .args(args)
        .stdin(Stdio::null());
    let start = Instant::now();
    let output = cmd.output()?;
    let wall = start.elapsed();
    let (_, rss) = read_time_report(&report);
    Ok(Timed { output, wall, rss })
}

fn median(xs: &[Duration]) -> Duration {
    let mut v = xs.to_vec();
    v.sort_unstable();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
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
