//! Issue 15's agent figures, through the real (release) binary:
//! - a whole `csvault secret get-value NAME --raw` process through the agent: median and p95 of
//!   50 runs, next to 50 `pass show NAME` in the same run (a throwaway `GNUPGHOME` with a
//!   passphrase-less key, a throwaway `PASSWORD_STORE_DIR`); target ≤ 0.25× pass's median;
//! - peak RSS per call (`/usr/bin/time -f %M`, in separate runs so it does not weigh on the
//!   times); target < 10 MB;
//! - `csvault run --env V=NAME -- true` through the agent against `true` alone (the overhead);
//! - the agent's RSS (`VmRSS` and `VmHWM` from /proc) with 100,000 secrets in the vault.
//!
//! Run: `cargo bench --bench agent`. Without `--bench` (`cargo test --benches`) a small smoke
//! version runs. It says so and exits non-zero when `pass` is missing
//! (`apt-get install -y --no-install-recommends pass gnupg`).
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
const TIME: &str = "/usr/bin/time";
const NAME: &str = "bench-secret";
const VALUE: &str = "correct-horse-battery-staple-0123456789";

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_csvault")
}

fn main() -> Res<()> {
    let full = std::env::args().any(|a| a == "--bench");
    let (runs, big) = if full { (50, 100_000) } else { (5, 1_000) };
    if Command::new("pass").arg("version").output().is_err() {
        eprintln!(
            "pass is not installed: the comparison needs it \
             (apt-get install -y --no-install-recommends pass gnupg)"
        );
        std::process::exit(2);
    }
    let dir = tempfile::tempdir()?;
    let runtime = dir.path().join("run");
    std::fs::create_dir(&runtime)?;
    set_mode(&runtime, 0o700)?;
    println!("csvault agent benchmark (binary: {})", bin());
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        println!("load average at start: {}", load.trim());
    }

    // The vault, its one secret, and the agent.
    let vault = dir.path().join("vault.db");
    check(&csvault(&vault, &runtime).arg("init").output()?, "init")?;
    check(
        &csvault(&vault, &runtime)
            .args(["--no-agent", "secret", "create", "--name", NAME])
            .args(["--secret-string", VALUE])
            .output()?,
        "create",
    )?;
    let mut agent = Agent::start(&vault, &runtime)?;

    // pass, with a throwaway key and store (`pass insert -m` keeps the value as given: no newline).
    let gnupg = dir.path().join("gnupg");
    let store = dir.path().join("store");
    std::fs::create_dir(&gnupg)?;
    set_mode(&gnupg, 0o700)?;
    let pass_env = [
        ("GNUPGHOME", gnupg.as_os_str()),
        ("PASSWORD_STORE_DIR", store.as_os_str()),
    ];
    check(
        &Command::new("gpg")
            .envs(pass_env)
            .args(["--batch", "--pinentry-mode", "loopback", "--passphrase", ""])
            .args([
                "--quick-gen-key",
                "bench@csvault.invalid",
                "default",
                "default",
                "never",
            ])
            .output()?,
        "gpg key",
    )?;
    check(
        &Command::new("pass")
            .envs(pass_env)
            .args(["init", "bench@csvault.invalid"])
            .output()?,
        "pass init",
    )?;
    let mut insert = Command::new("pass")
        .envs(pass_env)
        .args(["insert", "-m", NAME])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()?;
    insert
        .stdin
        .take()
        .ok_or("no stdin")?
        .write_all(VALUE.as_bytes())?;
    check(&insert.wait_with_output()?, "pass insert")?;

    let ours = || {
        let mut c = csvault(&vault, &runtime);
        c.env_remove("CSVAULT_PASSPHRASE")
            .args(["secret", "get-value", NAME, "--raw"]);
        c
    };
    let theirs = || {
        let mut c = Command::new("pass");
        c.envs(pass_env).args(["show", NAME]);
        c
    };
    // Warm both (page cache, gpg-agent started), then alternate so load drifts hit both alike.
    check_value(&ours().output()?, VALUE)?;
    check_value(&theirs().output()?, VALUE)?;
    let mut t_ours = Vec::new();
    let mut t_pass = Vec::new();
    for _ in 0..runs {
        let (d, out) = timed(ours())?;
        check_value(&out, VALUE)?;
        t_ours.push(d);
        let (d, out) = timed(theirs())?;
        check_value(&out, VALUE)?;
        t_pass.push(d);
    }
    let (m_ours, p_ours) = (percentile(&mut t_ours, 50), percentile(&mut t_ours, 95));
    let (m_pass, p_pass) = (percentile(&mut t_pass, 50), percentile(&mut t_pass, 95));
    println!(
        "secret get-value --raw through the agent: median {} ms, p95 {} ms ({runs} runs)",
        ms(m_ours),
        ms(p_ours)
    );
    println!(
        "pass show:                                median {} ms, p95 {} ms ({runs} runs)",
        ms(m_pass),
        ms(p_pass)
    );
    println!(
        "ratio (median): {:.3}× pass (target ≤ 0.25×)",
        m_ours.as_secs_f64() / m_pass.as_secs_f64()
    );
    // `csvault run`'s overhead: `csvault run --env V=NAME -- true` through the agent (masking on,
    // the default) against `true` started directly, alternated in the same run.
    let run = || {
        let mut c = csvault(&vault, &runtime);
        c.env_remove("CSVAULT_PASSPHRASE")
            .args(["run", "--env"])
            .arg(format!("BENCH_VALUE={NAME}"))
            .args(["--", "true"]);
        c
    };
    check(&run().output()?, "run")?;
    let mut t_run = Vec::new();
    let mut t_direct = Vec::new();
    for _ in 0..runs {
        let (d, out) = timed(run())?;
        check(&out, "run")?;
        t_run.push(d);
        let (d, out) = timed(Command::new("true"))?;
        check(&out, "true")?;
        t_direct.push(d);
    }
    let (m_run, m_direct) = (percentile(&mut t_run, 50), percentile(&mut t_direct, 50));
    println!(
        "csvault run --env V=NAME -- true: median {} ms, p95 {} ms; true alone: median {} ms; \
         overhead {} ms ({runs} runs)",
        ms(m_run),
        ms(percentile(&mut t_run, 95)),
        ms(m_direct),
        ms(m_run.saturating_sub(m_direct))
    );
    if Path::new(TIME).exists() {
        let mut peaks = Vec::new();
        for _ in 0..runs.min(10) {
            let mut c = Command::new(TIME);
            c.args(["-f", "%M"]).arg(bin());
            c.env("XDG_RUNTIME_DIR", &runtime)
                .env_remove("CSVAULT_PASSPHRASE")
                .env_remove("CSVAULT_PATH")
                .arg("--vault")
                .arg(&vault)
                .args(["secret", "get-value", NAME, "--raw"]);
            let out = c.output()?;
            let kib: u64 = String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .and_then(|l| l.trim().parse().ok())
                .ok_or("no RSS from /usr/bin/time")?;
            peaks.push(kib);
        }
        let max = peaks.iter().max().copied().unwrap_or(0);
        println!(
            "peak RSS per call: max {} of {} runs (target < 10 MB)",
            mib(max),
            peaks.len()
        );
    } else {
        println!("note: {TIME} not found; peak RSS per call is not measured");
    }
    println!("agent with 1 secret: {}", agent.rss()?);
    agent.stop();

    // The agent with many secrets (imported without it, then unlocked).
    let file = dir.path().join("big.jsonl");
    write_requests(&file, big)?;
    let started = Instant::now();
    check(
        &csvault(&vault, &runtime)
            .args(["--no-agent", "secret", "import"])
            .arg(&file)
            .output()?,
        "import",
    )?;
    println!(
        "imported {big} secrets in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let mut agent = Agent::start(&vault, &runtime)?;
    println!(
        "agent with {} secrets, just unlocked: {}",
        big + 1,
        agent.rss()?
    );
    let (d, out) = timed(ours())?;
    check_value(&out, VALUE)?;
    let (dl, out) = timed({
        let mut c = csvault(&vault, &runtime);
        c.env_remove("CSVAULT_PASSPHRASE")
            .args(["secret", "list", "--limit", "1000"]);
        c
    })?;
    check(&out, "list")?;
    println!(
        "with {} secrets: get-value --raw {} ms, list of 1,000 {} ms; agent after: {}",
        big + 1,
        ms(d),
        ms(dl),
        agent.rss()?
    );
    agent.stop();
    Ok(())
}

fn set_mode(path: &Path, mode: u32) -> Res<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    Ok(())
}

fn csvault(vault: &Path, runtime: &Path) -> Command {
    let mut c = Command::new(bin());
    c.env("CSVAULT_PASSPHRASE", PASSPHRASE)
        .env("XDG_RUNTIME_DIR", runtime)
        .env_remove("CSVAULT_PATH")
        .arg("--vault")
        .arg(vault)
        .stdin(Stdio::null());
    c
}

/// A running agent, locked when dropped.
struct Agent {
    vault: PathBuf,
    runtime: PathBuf,
    pid: u64,
}

impl Agent {
    fn start(vault: &Path, runtime: &Path) -> Res<Self> {
        let out = csvault(vault, runtime).arg("unlock").output()?;
        check(&out, "unlock")?;
        let record: serde_json::Value = serde_json::from_slice(&out.stdout)?;
        Ok(Self {
            vault: vault.to_owned(),
            runtime: runtime.to_owned(),
            pid: record["pid"].as_u64().ok_or("no pid")?,
        })
    }

    /// `VmRSS` (now) and `VmHWM` (peak) of the agent process.
    fn rss(&mut self) -> Res<String> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid))?;
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kib| kib.parse::<u64>().ok())
                .map_or_else(|| "n/a".to_owned(), mib)
        };
        Ok(format!("RSS {}, peak {}", field("VmRSS:"), field("VmHWM:")))
    }

    fn stop(&mut self) {
        let _ = csvault(&self.vault, &self.runtime).arg("lock").output();
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        self.stop();
    }
}

fn write_requests(path: &Path, n: usize) -> Res<()> {
    let mut out = BufWriter::new(std::fs::File::create(path)?);
    for i in 0..n {
        writeln!(
            out,
            r#"{{"name":"bench-{i:07}","secret_string":"value-{i:07}-abcdefghijklmnopqrstuvwxyz"}}"#
        )?;
    }
    out.flush()?;
    Ok(())
}

fn timed(mut cmd: Command) -> Res<(Duration, Output)> {
    let start = Instant::now();
    let out = cmd.output()?;
    Ok((start.elapsed(), out))
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

fn check_value(out: &Output, expected: &str) -> Res<()> {
    check(out, "read")?;
    if out.stdout == expected.as_bytes() {
        Ok(())
    } else {
        Err("a read printed something else than the value".into())
    }
}

fn percentile(xs: &mut [Duration], p: usize) -> Duration {
    xs.sort_unstable();
    let i = ((xs.len() * p).div_ceil(100)).clamp(1, xs.len()) - 1;
    xs[i]
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}
