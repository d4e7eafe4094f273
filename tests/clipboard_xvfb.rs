//! Real X11 test of the native clipboard backend (`ArboardClipboard`), meant for `xvfb-run`.
//!
//! Run: `CSVAULT_REQUIRE_DISPLAY=1 xvfb-run -a cargo test --test clipboard_xvfb`.
//! Without `DISPLAY` the test returns early with a note on stderr, unless
//! `CSVAULT_REQUIRE_DISPLAY` is set (to anything), in which case it panics: CI must never
//! "pass" without having touched a clipboard. On a desktop session it overwrites (and then
//! clears) your clipboard.
//!
//! The X11 clipboard is global state: the tests take [`CLIPBOARD`] so they never run at once.
//! `secret_copy_returns_at_once_and_clears_later` runs the real binary: `csvault secret copy`
//! leaves a keeper process holding the clipboard, which clears it after
//! `CSVAULT_CLIPBOARD_CLEAR_SECS`.

use csvault::clipboard::{
    ArboardClipboard, ClearOutcome, Clipboard, ClipboardGuard, Delivery, system_clipboard,
};
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `true` when the test should run; panics when a display is required but missing.
fn display_or_skip() -> bool {
    let has_display = std::env::var_os("DISPLAY").is_some_and(|v| !v.is_empty());
    if has_display {
        return true;
    }
    assert!(
        std::env::var_os("CSVAULT_REQUIRE_DISPLAY").is_none(),
        "CSVAULT_REQUIRE_DISPLAY is set but DISPLAY is not: run under `xvfb-run -a` \
         (is xvfb installed?)"
    );
    eprintln!(
        "NOTE: clipboard_xvfb SKIPPED: DISPLAY is not set, the real clipboard was NOT tested. \
         Run `CSVAULT_REQUIRE_DISPLAY=1 xvfb-run -a cargo test --test clipboard_xvfb`."
    );
    false
}

fn have_xclip() -> bool {
    Command::new("xclip")
        .arg("-version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// `xclip -o -selection clipboard [-t target]` from a separate process, with a timeout so a
/// broken selection owner cannot hang the test. `None` if xclip exits non-zero (no content).
fn xclip_read(target: Option<&str>) -> Option<String> {
    let mut cmd = Command::new("xclip");
    cmd.args(["-o", "-selection", "clipboard"]);
    if let Some(t) = target {
        cmd.args(["-t", t]);
    }
    let mut child = match cmd.stdout(Stdio::piped()).stderr(Stdio::null()).spawn() {
        Ok(c) => c,
        Err(e) => panic!("spawning xclip failed: {e}"),
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            Ok(None) => {
                let _ = child.kill();
                panic!("xclip did not answer within 10 s: is the selection owner alive?");
            }
            Err(e) => panic!("waiting for xclip failed: {e}"),
        }
    };
    // Read after exit: outputs here are tiny, far below the pipe buffer.
    let mut out = String::new();
    if let Some(mut stdout) = child.stdout.take()
        && let Err(e) = stdout.read_to_string(&mut out)
    {
        panic!("reading xclip output failed: {e}");
    }
    status.success().then_some(out)
}

/// Held by each test for its whole run.
static CLIPBOARD: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn clipboard_lock() -> std::sync::MutexGuard<'static, ()> {
    CLIPBOARD
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[test]
fn arboard_clipboard_on_real_display() {
    if !display_or_skip() {
        return;
    }
    let _clipboard = clipboard_lock();
    let xclip = have_xclip();
    if !xclip {
        eprintln!("NOTE: xclip not on PATH; cross-process checks skipped (in-process checks run)");
    }

    let mut cb = match ArboardClipboard::new() {
        Ok(cb) => cb,
        Err(e) => panic!("DISPLAY is set but the native clipboard did not initialise: {e}"),
    };
    assert_eq!(cb.name(), "arboard");
    assert_eq!(
        system_clipboard().name(),
        "arboard",
        "a display means the native backend"
    );

    // 1. set/get round trip through the X server.
    let text = format!("csvault-xvfb-{}-s3cr3t ünïcode", std::process::id());
    if let Err(e) = cb.set(&text) {
        panic!("set failed: {e}");
    }
    assert_eq!(cb.get().as_deref(), Some(text.as_str()));

    // 2. Another process sees it while our owner lives, and it carries the history hint.
    if xclip {
        assert_eq!(xclip_read(None).as_deref(), Some(text.as_str()));
        let targets = xclip_read(Some("TARGETS")).unwrap_or_default();
        assert!(
            targets.contains("x-kde-passwordManagerHint"),
            "history exclusion hint missing; targets: {targets}"
        );
    }

    // 3. Contents persist while the long-lived owner lives, even after a short-lived second
    //    handle is created and dropped.
    std::thread::sleep(Duration::from_millis(300));
    drop(ArboardClipboard::new());
    assert_eq!(cb.get().as_deref(), Some(text.as_str()));
    if xclip {
        assert_eq!(xclip_read(None).as_deref(), Some(text.as_str()));
    }

    // 4. clear() empties it for everyone.
    if let Err(e) = cb.clear() {
        panic!("clear failed: {e}");
    }
    assert_eq!(cb.get().as_deref(), Some(""));
    if xclip {
        let after = xclip_read(None).unwrap_or_default();
        assert!(
            !after.contains("s3cr3t"),
            "secret still readable after clear"
        );
    }

    // 5. The guard verifies through the real backend and clears at the deadline.
    let mut guard = ClipboardGuard::new(Box::new(cb)).with_clear_after(Duration::from_secs(30));
    let t0 = Instant::now();
    match guard.copy(&text, true, t0) {
        Ok(outcome) => assert_eq!(outcome.delivery, Delivery::Clipboard),
        Err(e) => panic!("guarded copy failed: {e}"),
    }
    assert!(guard.tick(t0 + Duration::from_secs(29)).is_none());
    if xclip {
        assert_eq!(xclip_read(None).as_deref(), Some(text.as_str()));
    }
    let outcome = guard.tick(t0 + Duration::from_secs(30));
    assert!(
        matches!(outcome, Some(ClearOutcome::Cleared)),
        "got {outcome:?}"
    );
    if xclip {
        let after = xclip_read(None).unwrap_or_default();
        assert!(
            !after.contains("s3cr3t"),
            "secret still readable after guard clear"
        );
    }
}

const BIN: &str = env!("CARGO_BIN_EXE_csvault");
const PASSPHRASE: &str = "xvfb passphrase, long enough";

/// `csvault --vault VAULT ARGS` with the passphrase in the environment.
fn csvault(vault: &std::path::Path, args: &[&str], clear_secs: &str) -> std::process::Output {
    match Command::new(BIN)
        .arg("--vault")
        .arg(vault)
        .args(args)
        .env("CSVAULT_PASSPHRASE", PASSPHRASE)
        .env("CSVAULT_CLIPBOARD_CLEAR_SECS", clear_secs)
        .output()
    {
        Ok(out) => out,
        Err(e) => panic!("running csvault failed: {e}"),
    }
}

/// Waits (at most 20 s) until no `csvault __clipboard-keeper` process is left.
fn wait_for_keepers_to_end() {
    let running = || {
        std::fs::read_dir("/proc").is_ok_and(|entries| {
            entries.flatten().any(|e| {
                std::fs::read(e.path().join("cmdline")).is_ok_and(|c| {
                    c.windows(b"__clipboard-keeper".len())
                        .any(|w| w == b"__clipboard-keeper")
                })
            })
        })
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while running() {
        assert!(
            Instant::now() < deadline,
            "a clipboard keeper is still running"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Polls the clipboard (through xclip) until `pred` holds, at most 20 s.
fn wait_for_clipboard(what: &str, pred: impl Fn(Option<&str>) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let now = xclip_read(None);
        if pred(now.as_deref()) {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn secret_copy_returns_at_once_and_clears_later() {
    if !display_or_skip() {
        return;
    }
    assert!(
        have_xclip() || std::env::var_os("CSVAULT_REQUIRE_DISPLAY").is_none(),
        "CSVAULT_REQUIRE_DISPLAY is set but xclip is not installed"
    );
    if !have_xclip() {
        eprintln!("NOTE: xclip not on PATH; secret copy under Xvfb SKIPPED");
        return;
    }
    let _clipboard = clipboard_lock();
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("tempdir: {e}"),
    };
    let vault = dir.path().join("vault.db");
    let value = format!("xvfb-copy-{}-v@lue", std::process::id());
    assert!(csvault(&vault, &["init"], "30").status.success());
    let created = csvault(
        &vault,
        &[
            "secret",
            "create",
            "--name",
            "copied",
            "--secret-string",
            &value,
        ],
        "30",
    );
    assert!(created.status.success());

    // The command returns while the keeper holds the value: it is there afterwards.
    let out = csvault(&vault, &["secret", "copy", "copied"], "3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Had it waited for the clear, the value would be gone by now.
    assert_eq!(xclip_read(None).as_deref(), Some(value.as_str()));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains(&value), "never the value: {stdout}");
    let body: serde_json::Value = match serde_json::from_str(&stdout) {
        Ok(v) => v,
        Err(e) => panic!("not JSON ({e}): {stdout}"),
    };
    assert_eq!(
        body,
        serde_json::json!({
            "copied": "copied", "version_id": "v1", "clears_in_secs": 3, "via": "clipboard",
            "clear_checked": true
        })
    );
    // Cleared after the 3 s.
    wait_for_clipboard("the clear", |now| now.is_none_or(|t| !t.contains(&value)));

    // Something else copied meanwhile is left alone.
    let out = csvault(&vault, &["secret", "copy", "copied"], "2");
    assert!(out.status.success());
    assert_eq!(xclip_read(None).as_deref(), Some(value.as_str()));
    let mut mine = match Command::new("xclip")
        .args(["-i", "-selection", "clipboard", "-quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => panic!("xclip -i: {e}"),
    };
    if let Some(mut stdin) = mine.stdin.take() {
        use std::io::Write;
        assert!(stdin.write_all(b"the user's own copy").is_ok());
    }
    wait_for_clipboard("the user's copy", |now| now == Some("the user's own copy"));
    // Once the keeper has had its turn (and ended): still the user's.
    wait_for_keepers_to_end();
    assert_eq!(xclip_read(None).as_deref(), Some("the user's own copy"));
    let _ = mine.kill();
    let _ = mine.wait();
}
