//! End to end: the real `csvault` binary in tmux (private socket, fixed 100×30 size). It creates
//! a vault and a secret with the keyboard, copies through OSC 52 into tmux's paste buffer, quits,
//! and the command line then shows the secret. Waits for text on screen, never for time.
//!
//! Skipped with a note when tmux is missing, unless `CSVAULT_REQUIRE_TMUX` is set (CI sets it).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_csvault");
const PASSPHRASE: &str = "e2e passphrase, long enough";
const DEADLINE: Duration = Duration::from_secs(30);

/// A tmux server on a private socket, killed on drop (also when the test fails).
struct Tmux {
    socket: PathBuf,
}

impl Tmux {
    fn cmd(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs")
    }

    fn send(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend(keys);
        assert!(self.cmd(&args).status.success());
    }

    fn type_text(&self, text: &str) {
        assert!(
            self.cmd(&["send-keys", "-t", "e2e", "-l", text])
                .status
                .success()
        );
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-t", "e2e"]).stdout).into_owned()
    }

    fn history(&self) -> String {
        let out = self.cmd(&["capture-pane", "-p", "-S", "-", "-t", "e2e"]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn buffer(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["show-buffer"]).stdout).into_owned()
    }

    /// Polls the screen until `pred` holds, failing with the last screen at the deadline.
    fn wait_until(&self, what: &str, pred: impl Fn(&Self) -> bool) {
        let start = Instant::now();
        while !pred(self) {
            assert!(
                start.elapsed() < DEADLINE,
                "timed out waiting for {what}; screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn wait_for(&self, text: &str) {
        self.wait_until(text, |t| t.screen().contains(text));
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
    }
}

fn have_tmux() -> bool {
    let ok = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("CSVAULT_REQUIRE_TMUX").is_none(),
            "CSVAULT_REQUIRE_TMUX is set but tmux is not installed"
        );
        eprintln!("NOTE: tui_e2e SKIPPED: tmux is not installed.");
    }
    ok
}

/// A tmux server running the app on `vault`; with `passphrase`, as `CSVAULT_PASSPHRASE`.
fn start(dir: &Path, vault: &Path, passphrase: Option<&str>) -> Tmux {
    let conf = dir.join("tmux.conf");
    std::fs::write(
        &conf,
        "set -g set-clipboard on\nset -g remain-on-exit on\nset -g default-terminal tmux-256color\nset -g history-limit 5000\n",
    )
    .unwrap();
    let tmux = Tmux {
        socket: dir.join("tmux.sock"),
    };
    let vault = vault.display().to_string();
    let started = Command::new("tmux")
        .arg("-S")
        .arg(&tmux.socket)
        .arg("-f")
        .arg(&conf)
        .args(["new-session", "-d", "-s", "e2e", "-x", "100", "-y", "30"])
        .args([
            "env",
            "-u",
            "DISPLAY",
            "-u",
            "WAYLAND_DISPLAY",
            "-u",
            "CSVAULT_PASSPHRASE",
        ])
        .args(passphrase.map(|p| format!("CSVAULT_PASSPHRASE={p}")))
        .args([BIN, "--vault", &vault])
        .status()
        .unwrap();
    assert!(started.success(), "tmux new-session");
    tmux
}

fn cli(vault: &Path, args: &[&str]) -> serde_json::Value {
    let out = Command::new(BIN)
        .arg("--vault")
        .arg(vault)
        .args(args)
        .env("CSVAULT_PASSPHRASE", PASSPHRASE)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "csvault {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn create_a_secret_with_the_keyboard_then_the_cli_shows_it() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("vault.db");
    let tmux = start(dir.path(), &vault, Some(PASSPHRASE));

    // No vault yet and CSVAULT_PASSPHRASE set: it is created and the list comes up.
    tmux.wait_for("No secrets yet");
    tmux.send(&["n"]);
    tmux.wait_for("Create secret");
    tmux.type_text("e2e-secret");
    tmux.send(&["Tab", "Tab"]);
    tmux.type_text("made in tmux");
    tmux.send(&["Tab", "Tab"]);
    tmux.type_text("v@lue-42");
    tmux.wait_for("8/32,768 B");
    assert!(!tmux.screen().contains("v@lue-42"), "masked while typing");
    tmux.send(&["C-s"]);
    tmux.wait_for("200 Request succeeded");

    // `y` on the result screen: the JSON body, through OSC 52, into tmux's paste buffer.
    tmux.send(&["y"]);
    tmux.wait_until("the body in the paste buffer", |t| {
        t.buffer().contains("\"name\": \"e2e-secret\"")
    });
    let body: serde_json::Value = serde_json::from_str(&tmux.buffer()).unwrap();
    let id = body["secret"]["id"].as_str().unwrap().to_owned();

    // Back on the list, `c` copies the current value (shown nowhere).
    tmux.send(&["Enter"]);
    tmux.wait_for("Secrets (1)");
    tmux.send(&["c"]);
    tmux.wait_until("the value in the paste buffer", |t| {
        t.buffer() == "v@lue-42"
    });
    tmux.wait_for("Sent the current value of e2e-secret to tmux (OSC 52, set-clipboard on)");
    assert!(!tmux.screen().contains("v@lue-42"));

    tmux.send(&["q"]);
    tmux.wait_until("the app to exit", |t| {
        String::from_utf8_lossy(
            &t.cmd(&["display-message", "-p", "-t", "e2e", "#{pane_dead}"])
                .stdout,
        )
        .trim()
            == "1"
    });
    let history = tmux.history();
    assert!(
        !history.contains("v@lue-42"),
        "nothing in the scrollback:\n{history}"
    );
    assert!(
        !history.contains("Create secret"),
        "the alternate screen was left"
    );

    let shown = cli(&vault, &["secret", "show", "e2e-secret"]);
    assert_eq!(shown["secret"]["id"], id.as_str());
    assert_eq!(shown["secret"]["description"], "made in tmux");
    let value = cli(&vault, &["secret", "get-value", "e2e-secret"]);
    assert_eq!(value["version"]["secret_string"], "v@lue-42");

    // Without CSVAULT_PASSPHRASE: the masked prompt, a wrong try, then the right one.
    drop(tmux);
    let tmux = start(dir.path(), &vault, None);
    tmux.wait_for("Unlock vault");
    tmux.type_text("not it");
    tmux.wait_for("••••••");
    tmux.send(&["Enter"]);
    tmux.wait_for("Wrong passphrase: try again.");
    tmux.type_text(PASSPHRASE);
    tmux.send(&["Enter"]);
    tmux.wait_for("e2e-secret");
    assert!(!tmux.screen().contains(PASSPHRASE));
    tmux.send(&["C-c"]);
    tmux.wait_until("Ctrl+C to quit", |t| {
        String::from_utf8_lossy(
            &t.cmd(&["display-message", "-p", "-t", "e2e", "#{pane_dead}"])
                .stdout,
        )
        .trim()
            == "1"
    });
}
