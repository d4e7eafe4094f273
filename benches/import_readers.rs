//! Issue 16's reader figures: 10,000 KeePassXC entries read from a KDBX database and from its
//! CSV export (`source::open` and the whole stream), entries/s and the reading process's peak
//! RSS. The KDBX figure leaves out the key derivation: it is timed alone (a wrong password,
//! which stops right after it) and taken off. The files are made by the real keepassxc-cli
//! (`import` of a generated KeePass XML, `export --format csv`); without it the bench says so and
//! stops. The import pipeline's own cost is `benches/import.rs`'s.
//!
//! Run: `cargo bench --bench import_readers`. Without `--bench` it reads 500 entries.
#![allow(
    clippy::cast_precision_loss,
    reason = "a benchmark script: rates over counts far below 2^52"
)]

use std::error::Error;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use csvault::import::source::{self, Format, SourceOptions};
use zeroize::Zeroizing;

type Res<T> = Result<T, Box<dyn Error>>;

const PASSWORD: &str = "benchmark password";

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().collect();
    // The child: read one file and report, so each figure has a process (and a peak RSS) of its own.
    if let Some(at) = args.iter().position(|a| a == "--read") {
        let (Some(path), Some(password)) = (args.get(at + 1), args.get(at + 2)) else {
            return Err("--read PATH PASSWORD".into());
        };
        return read(Path::new(path), password);
    }
    let entries = if args.iter().any(|a| a == "--bench") {
        10_000
    } else {
        500
    };
    if Command::new("keepassxc-cli")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_err()
    {
        println!("keepassxc-cli is not installed: nothing measured");
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let xml = dir.path().join("db.xml");
    std::fs::write(&xml, keepass_xml(entries))?;
    let kdbx = dir.path().join("db.kdbx");
    let pw = format!("{PASSWORD}\n");
    keepassxc(
        dir.path(),
        &["import", "-q", "--set-password", &arg(&xml), &arg(&kdbx)],
        &format!("{pw}{pw}"),
    )?;
    let csv = dir.path().join("db.csv");
    let out = keepassxc(
        dir.path(),
        &["export", "-q", "--format", "csv", &arg(&kdbx)],
        &pw,
    )?;
    std::fs::write(&csv, out)?;
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        println!("load average at start: {}", load.trim());
    }
    println!(
        "{entries} KeePassXC entries (100 groups; username, URL, notes, 2 custom fields each)"
    );
    let me = std::env::current_exe()?;
    for (what, path, password) in [
        ("KDBX key derivation alone (wrong password)", &kdbx, "wrong"),
        ("KDBX", &kdbx, PASSWORD),
        ("CSV", &csv, ""),
    ] {
        let out = Command::new(&me)
            .args(["--read", &arg(path), password])
            .output()?;
        print!("{what:45} {}", String::from_utf8_lossy(&out.stdout));
    }
    Ok(())
}

/// Reads every entry of `path` and prints the count, the time, entries/s and the peak RSS.
fn read(path: &Path, password: &str) -> Res<()> {
    let options = SourceOptions {
        password: (!password.is_empty()).then(|| Zeroizing::new(password.to_owned())),
        key_file: None,
    };
    let start = Instant::now();
    let (mut ok, mut failed) = (0usize, 0usize);
    match source::open(Format::Keepassxc, path, &options) {
        Ok(items) => {
            for item in items {
                if item.is_ok() {
                    ok += 1;
                } else {
                    failed += 1;
                }
            }
        }
        Err(_) => failed += 1,
    }
    let secs = start.elapsed().as_secs_f64();
    let peak = std::fs::read_to_string("/proc/self/status")?
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .map(|l| l.trim_start_matches("VmHWM:").trim().to_owned())
        .unwrap_or_default();
    println!(
        "{ok} read, {failed} failed in {:.3} s ({:.0} entries/s), peak RSS {peak}",
        secs,
        ok as f64 / secs
    );
    Ok(())
}

fn keepass_xml(entries: usize) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<KeePassFile><Meta><Generator>bench</Generator></Meta><Root><Group><Name>Root</Name>\n",
    );
    let groups = 100;
    for g in 0..groups {
        let _ = write!(xml, "<Group><Name>group {g}</Name>");
        for e in (0..entries).filter(|e| e % groups == g) {
            let _ = writeln!(
                xml,
                "<Entry><String><Key>Title</Key><Value>entry {e}</Value></String>\
                 <String><Key>UserName</Key><Value>user{e}@example.com</Value></String>\
                 <String><Key>Password</Key><Value ProtectInMemory=\"True\">pw-{e}-Zq8!xT3#kL</Value></String>\
                 <String><Key>URL</Key><Value>https://site{e}.example.com/login</Value></String>\
                 <String><Key>Notes</Key><Value>notes for entry {e}, one line of text</Value></String>\
                 <String><Key>Pin</Key><Value ProtectInMemory=\"True\">{e:04}</Value></String>\
                 <String><Key>Account</Key><Value>A-{e:08}</Value></String></Entry>"
            );
        }
        xml.push_str("</Group>\n");
    }
    xml.push_str("</Group></Root></KeePassFile>\n");
    xml
}

fn keepassxc(home: &Path, args: &[&str], stdin: &str) -> Res<Vec<u8>> {
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
    if !out.status.success() {
        return Err(format!(
            "keepassxc-cli {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(out.stdout)
}

fn arg(path: &Path) -> String {
    path.display().to_string()
}
