//! End to end: the real `csvault` binary in tmux (private socket, fixed 100×30 size). It creates
//! a vault and a secret with the keyboard, copies through OSC 52 into tmux's paste buffer, quits,
//! and the command line then shows the secret. Waits for text on screen, never for time.
//!
//! Skipped with a note when tmux is missing, unless `CSVAULT_REQUIRE_TMUX` is set (CI sets it).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_csvault");
pub(crate) const PASSPHRASE: &str = "e2e passphrase, long enough";
const DEADLINE: Duration = Duration::from_secs(30);

/// A tmux server on a private socket, killed on drop (also when the test fails).
pub(crate) struct Tmux {
    pub(crate) socket: PathBuf,
}

impl Tmux {
    pub(crate) fn cmd(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs")
    }

    pub(crate) fn send(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend(keys);
        assert!(self.cmd(&args).status.success());
    }

    pub(crate) fn type_text(&self, text: &str) {
        assert!(
            self.cmd(&["send-keys", "-t", "e2e", "-l", text])
                .status
                .success()
        );
    }

    pub(crate) fn screen(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-t", "e2e"]).stdout).into_owned()
    }

    fn history(&self) -> String {
        let out = self.cmd(&["capture-pane", "-p", "-S", "-", "-t", "e2e"]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub(crate) fn buffer(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["show-buffer"]).stdout).into_owned()
    }

    /// Polls the screen until `pred` holds, failing with the last screen at the deadline.
    pub(crate) fn wait_until(&self, what: &str, pred: impl Fn(&Self) -> bool) {
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

    pub(crate) fn wait_for(&self, text: &str) {
        self.wait_until(text, |t| t.screen().contains(text));
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
    }
}

pub(crate) fn have_tmux() -> bool {
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
    launch(dir, vault, passphrase, &[], false)
}

/// Like [`start`], with more environment; `in_shell`: the app runs under `sh`, which then prints
/// `exit=<code>` and the terminal modes (`stty -a`), and waits.
pub(crate) fn launch(
    dir: &Path,
    vault: &Path,
    passphrase: Option<&str>,
    env: &[(&str, &str)],
    in_shell: bool,
) -> Tmux {
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
    let app: Vec<&str> = if in_shell {
        vec![
            "sh",
            "-c",
            r#""$0" --vault "$1"; echo "exit=$?"; stty -a; exec sleep 600"#,
            BIN,
            &vault,
        ]
    } else {
        vec![BIN, "--vault", &vault]
    };
    // Starting a tmux server now and then fails on a loaded machine before the app runs at all
    // ("server exited unexpectedly"); that is tmux's start, not the app, so it is tried again.
    let mut tries = 0;
    let started = loop {
        tries += 1;
        let out = Command::new("tmux")
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
            .args(env.iter().map(|(k, v)| format!("{k}={v}")))
            .args(&app)
            .output()
            .unwrap();
        if out.status.success() || tries == 3 {
            break out;
        }
        let _ = Command::new("tmux")
            .arg("-S")
            .arg(&tmux.socket)
            .arg("kill-server")
            .output();
        let _ = std::fs::remove_file(&tmux.socket);
    };
    assert!(
        started.status.success(),
        "tmux new-session ({tries} tries): {}",
        String::from_utf8_lossy(&started.stderr)
    );
    tmux
}

pub(crate) fn cli(vault: &Path, args: &[&str]) -> serde_json::Value {
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
    // Quitting cleared the value: the paste buffer tmux made of it is gone, the body's stays.
    let names = tmux.cmd(&["list-buffers", "-F", "#{buffer_name}"]);
    let kept: Vec<String> = String::from_utf8_lossy(&names.stdout)
        .lines()
        .map(|name| {
            String::from_utf8_lossy(&tmux.cmd(&["show-buffer", "-b", name]).stdout).into_owned()
        })
        .collect();
    assert!(!kept.iter().any(|b| b == "v@lue-42"), "{kept:?}");
    assert!(
        kept.iter().any(|b| b.contains("\"name\": \"e2e-secret\"")),
        "{kept:?}"
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

fn format(tmux: &Tmux, what: &str) -> String {
    let out = tmux.cmd(&["display-message", "-p", "-t", "e2e", what]);
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

pub(crate) fn pane_dead(tmux: &Tmux) -> bool {
    format(tmux, "#{pane_dead}") == "1"
}

/// The pid of the process whose parent is `parent` (the app under the pane's shell).
fn child_of(parent: u32) -> Option<u32> {
    std::fs::read_dir("/proc")
        .ok()?
        .flatten()
        .find_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
            // pid (comm) state ppid …: comm may hold spaces, so read after its closing parenthesis.
            let parent_pid: u32 = stat
                .rsplit_once(')')?
                .1
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()?;
            (parent_pid == parent).then_some(pid)
        })
}

/// A vault made through the command line, holding `names` (value `v-<name>`).
pub(crate) fn vault_with(dir: &Path, names: &[&str]) -> PathBuf {
    let vault = dir.join("vault.db");
    cli(&vault, &["init"]);
    for name in names {
        let file = dir.join("value.txt");
        std::fs::write(&file, format!("v-{name}")).unwrap();
        cli(
            &vault,
            &[
                "secret",
                "create",
                "--name",
                name,
                "--secret-string-file",
                file.to_str().unwrap(),
            ],
        );
    }
    vault
}

#[test]
fn a_burst_and_a_paste_arrive_whole_and_a_paste_is_never_keys() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("vault.db");
    let tmux = start(dir.path(), &vault, Some(PASSPHRASE));
    tmux.wait_for("No secrets yet");
    tmux.send(&["n"]);
    tmux.wait_for("Create secret");

    // A paste into the name: the first line only, said on the status line, focus kept.
    assert!(
        tmux.cmd(&["set-buffer", "-b", "p", "pasted-name\nsecond line"])
            .status
            .success()
    );
    assert!(
        tmux.cmd(&["paste-buffer", "-p", "-b", "p", "-t", "e2e"])
            .status
            .success()
    );
    tmux.wait_for("the rest was dropped");
    tmux.wait_for("pasted-name");
    assert!(!tmux.screen().contains("second line"));

    // 2,049 keys in one burst into the description: all of them, without another key.
    tmux.send(&["Tab", "Tab"]);
    tmux.type_text(&"x".repeat(2049));
    tmux.wait_for("2,049/2,048 B");

    // A 2.6 KB PEM pasted into the value: whole, line breaks kept, the space not a key.
    let mut pem = String::from("-----BEGIN PRIVATE KEY-----\n");
    for i in 0..40u8 {
        pem.push(char::from(b'a' + i % 26));
        pem.push_str(&"A".repeat(63));
        pem.push('\n');
    }
    pem.push_str("-----END PRIVATE KEY-----\n");
    assert_eq!(pem.len(), 2654);
    tmux.send(&["Tab", "Tab"]);
    // Too long for a command argument: loaded from a file.
    let pem_file = dir.path().join("key.pem");
    std::fs::write(&pem_file, &pem).unwrap();
    let loaded = tmux.cmd(&["load-buffer", "-b", "p", pem_file.to_str().unwrap()]);
    assert!(loaded.status.success());
    assert!(
        tmux.cmd(&["paste-buffer", "-p", "-b", "p", "-t", "e2e"])
            .status
            .success()
    );
    tmux.wait_for("2,654/32,768 B");
    assert!(tmux.screen().contains("text"), "the value type unchanged");

    // Ctrl+U in the real terminal: the description emptied, then given.
    tmux.send(&["BTab", "BTab", "C-u"]);
    tmux.wait_for("0/2,048 B");
    tmux.type_text("pasted PEM");
    tmux.send(&["C-s"]);
    tmux.wait_for("200 Request succeeded");
    let value = cli(&vault, &["secret", "get-value", "pasted-name"]);
    assert_eq!(value["version"]["secret_string"], pem.as_str());
    tmux.send(&["C-c"]);
    tmux.wait_until("the app to exit", pane_dead);
}

#[test]
fn quit_signals_restore_the_terminal_and_clear_a_copied_value() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let vault = vault_with(dir.path(), &["db-password"]);
    for signal in ["TERM", "HUP", "INT", "QUIT"] {
        // A server of its own (a fresh socket) for each signal.
        let own = dir.path().join(signal);
        std::fs::create_dir(&own).unwrap();
        let tmux = launch(&own, &vault, Some(PASSPHRASE), &[], true);
        let output = own.join("pane.out");
        let pipe = format!("cat > '{}'", output.display());
        assert!(
            tmux.cmd(&["pipe-pane", "-t", "e2e", &pipe])
                .status
                .success()
        );
        tmux.wait_for("db-password");
        tmux.send(&["c"]);
        tmux.wait_until("the value in the paste buffer", |t| {
            t.buffer() == "v-db-password"
        });
        assert_eq!(format(&tmux, "#{alternate_on}"), "1");
        let shell: u32 = format(&tmux, "#{pane_pid}").parse().unwrap();
        let app = child_of(shell).expect("the app runs under the shell");

        let killed = Command::new("kill")
            .args([format!("-{signal}"), app.to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        tmux.wait_for("exit=0");
        assert!(
            !Path::new(&format!("/proc/{app}")).exists(),
            "{signal}: the app exited"
        );
        assert_eq!(format(&tmux, "#{alternate_on}"), "0", "{signal}");
        assert_eq!(
            format(&tmux, "#{cursor_flag}"),
            "1",
            "{signal}: cursor shown"
        );
        tmux.wait_for("speed");
        let modes: Vec<String> = tmux
            .screen()
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        for mode in ["icanon", "echo", "isig"] {
            assert!(modes.iter().any(|m| m == mode), "{signal}: {mode} back on");
        }
        // What the app wrote: the copy, then (on the quit path) the clear and the modes off.
        let written = std::fs::read(&output).unwrap();
        let find = |needle: &[u8]| written.windows(needle.len()).rposition(|w| w == needle);
        let cleared = find(b"\x1b]52;c;\x07").expect("the copied value cleared");
        let copied = find(b"\x1b]52;c;di1kYi1wYXNzd29yZA==\x07").expect("copied");
        assert!(copied < cleared, "{signal}: cleared after the copy");
        assert!(
            find(b"\x1b[?2004l").is_some(),
            "{signal}: bracketed paste off"
        );
    }
}

#[test]
fn idle_lock_in_the_real_terminal() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let vault = vault_with(dir.path(), &["db-password"]);
    let tmux = launch(
        dir.path(),
        &vault,
        Some(PASSPHRASE),
        &[("CSVAULT_LOCK_AFTER_SECS", "2")],
        false,
    );
    tmux.wait_for("db-password");
    // No input: the unlock screen, though the passphrase is in the environment.
    tmux.wait_for("Unlock vault");
    tmux.wait_for("Locked after a while without input");
    assert!(!tmux.screen().contains("db-password"));
    tmux.type_text(PASSPHRASE);
    tmux.send(&["Enter"]);
    tmux.wait_for("db-password");
    tmux.send(&["q"]);
    tmux.wait_until("the app to exit", pane_dead);
}

#[test]
fn a_secret_created_elsewhere_appears_in_the_open_list() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let vault = vault_with(dir.path(), &["alpha"]);
    let tmux = start(dir.path(), &vault, Some(PASSPHRASE));
    tmux.wait_for("Secrets (1)");
    let file = dir.path().join("v.txt");
    std::fs::write(&file, "elsewhere").unwrap();
    cli(
        &vault,
        &[
            "secret",
            "create",
            "--name",
            "made-elsewhere",
            "--secret-string-file",
            file.to_str().unwrap(),
        ],
    );
    tmux.wait_for("Secrets (2)");
    tmux.wait_for("made-elsewhere");
    tmux.send(&["q"]);
    tmux.wait_until("the app to exit", pane_dead);
}

#[test]
fn a_new_version_from_the_detail_screen_then_the_cli_reads_it() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let vault = vault_with(dir.path(), &["rotate-me"]);
    let tmux = start(dir.path(), &vault, Some(PASSPHRASE));
    tmux.wait_for("Secrets (1)");
    tmux.send(&["Enter"]);
    tmux.wait_for("Secret: rotate-me");
    tmux.send(&["u"]);
    tmux.wait_for("New version of rotate-me");
    tmux.type_text("n3w-v@lue");
    tmux.wait_for("9/32,768 B");
    assert!(!tmux.screen().contains("n3w-v@lue"), "masked while typing");
    tmux.send(&["Tab"]);
    tmux.type_text("blue, SYSCURRENT");
    tmux.wait_for("2/12");
    tmux.send(&["Tab"]);
    tmux.type_text("2030-01-02");
    tmux.wait_for("→ 2030-01-0");
    tmux.send(&["C-s"]);
    tmux.wait_for("200 Request succeeded");
    tmux.wait_for("\"id\": \"v2\"");
    tmux.send(&["Enter"]);
    tmux.wait_for("Secret: rotate-me");
    tmux.wait_for("Versions (2)");

    let value = cli(&vault, &["secret", "get-value", "rotate-me"]);
    assert_eq!(value["version"]["secret_string"], "n3w-v@lue");
    let meta = &value["version"]["version_metadata"];
    assert_eq!(meta["id"], "v2");
    let mut stages: Vec<&str> = meta["version_stages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(serde_json::Value::as_str)
        .collect();
    stages.sort_unstable();
    assert_eq!(stages, ["SYSCURRENT", "blue"]);
    assert!(
        meta["expire_time"]
            .as_i64()
            .is_some_and(|ms| ms > 1_893_000_000_000)
    );
    let old = cli(
        &vault,
        &["secret", "get-value", "rotate-me", "--version-id", "v1"],
    );
    assert_eq!(old["version"]["secret_string"], "v-rotate-me");
    assert_eq!(
        old["version"]["version_metadata"]["version_stages"],
        serde_json::json!(["SYSPREVIOUS"])
    );
    tmux.send(&["C-c"]);
}

#[test]
fn schedule_a_deletion_with_d_and_cancel_it_with_r() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("vault.db");
    cli(&vault, &["init"]);
    cli(
        &vault,
        &[
            "secret",
            "create",
            "--name",
            "e2e-doomed",
            "--secret-string",
            "gone-soon",
        ],
    );
    let tmux = start(dir.path(), &vault, Some(PASSPHRASE));
    tmux.wait_for("e2e-doomed");
    tmux.send(&["Enter"]);
    tmux.wait_for("Versions (1)");

    // `d`: the window dialog, 30 days by default; 7 typed instead.
    tmux.send(&["d"]);
    tmux.wait_for("Schedule deletion");
    tmux.wait_for("r restores it for 30 days");
    tmux.send(&["BSpace", "BSpace"]);
    tmux.type_text("7");
    tmux.wait_for("r restores it for 7 days");
    tmux.send(&["Enter"]);
    tmux.wait_for("200 Request succeeded");
    tmux.wait_for("\"state\": \"PENDING_DELETE\"");
    let shown = cli(&vault, &["secret", "show", "e2e-doomed"]);
    assert_eq!(shown["secret"]["state"], "PENDING_DELETE");
    let window = shown["secret"]["scheduled_delete_time"].as_i64().unwrap()
        - shown["secret"]["update_time"].as_i64().unwrap();
    assert_eq!(window, 7 * 86_400_000);

    // Back on the detail, refreshed; `r` restores.
    tmux.send(&["Escape"]);
    tmux.wait_for("Secret: e2e-doomed");
    tmux.wait_for("PENDING_DELETE");
    tmux.send(&["r"]);
    tmux.wait_for("\"state\": \"ENABLED\"");
    tmux.wait_for("Restored e2e-doomed.");
    tmux.send(&["Escape"]);
    tmux.wait_for("scheduled_delete_time null");
    tmux.send(&["Escape"]);
    tmux.wait_for("Secrets (1)");
    tmux.send(&["q"]);
    tmux.wait_until("the app to exit", |t| {
        String::from_utf8_lossy(
            &t.cmd(&["display-message", "-p", "-t", "e2e", "#{pane_dead}"])
                .stdout,
        )
        .trim()
            == "1"
    });
    let shown = cli(&vault, &["secret", "show", "e2e-doomed"]);
    assert_eq!(shown["secret"]["state"], "ENABLED");
    assert!(shown["secret"]["scheduled_delete_time"].is_null());
}

/// A command that prints nothing on success (`secret tag`).
fn cli_quiet(vault: &Path, args: &[&str]) {
    let out = Command::new(BIN)
        .arg("--vault")
        .arg(vault)
        .args(args)
        .env("CSVAULT_PASSPHRASE", PASSPHRASE)
        .output()
        .unwrap();
    assert!(
        out.status.success() && out.stdout.is_empty(),
        "csvault {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_tag_set_by_the_command_line_shows_in_the_open_app_and_filters_the_list() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let vault = vault_with(dir.path(), &["e2e-api", "e2e-db", "e2e-web"]);
    let tmux = start(dir.path(), &vault, Some(PASSPHRASE));
    tmux.wait_for("Secrets (3)");
    assert!(!tmux.screen().contains("Tags"), "no tag yet: no tag column");

    // Tagged from another process while the app is open: the list shows the tag column.
    cli_quiet(
        &vault,
        &["secret", "tag", "e2e-db", "env=prod", "team=data"],
    );
    tmux.wait_for("Tags");
    tmux.wait_until("e2e-db's row to count two tags", |t| {
        t.screen()
            .lines()
            .any(|l| l.contains("e2e-db") && l.contains(" 2 "))
    });

    // The filter in the key=value form keeps only it.
    tmux.send(&["/"]);
    tmux.wait_for("key=value or key:");
    tmux.type_text("env=prod");
    tmux.wait_for("Secrets (1 / 3)");
    let screen = tmux.screen();
    assert!(screen.contains("e2e-db"), "{screen}");
    assert!(
        !screen.contains("e2e-api") && !screen.contains("e2e-web"),
        "{screen}"
    );
    tmux.send(&["Enter"]);

    // Tagged again elsewhere: it joins the filtered list as it stands.
    cli_quiet(&vault, &["secret", "tag", "e2e-web", "env=production"]);
    tmux.wait_for("Secrets (2 / 3)");
    tmux.wait_for("e2e-web");

    // The detail shows the tags.
    tmux.send(&["Enter"]);
    tmux.wait_for("Secret: e2e-db");
    tmux.wait_for("env=prod, team=data");
    tmux.send(&["C-c"]);
    tmux.wait_until("the app to exit", pane_dead);
}

/// The command line with this runtime directory (so the agent is this test's own).
fn cli_in(runtime: &Path, vault: &Path, args: &[&str]) -> serde_json::Value {
    let out = Command::new(BIN)
        .arg("--vault")
        .arg(vault)
        .args(args)
        .env("CSVAULT_PASSPHRASE", PASSPHRASE)
        .env("XDG_RUNTIME_DIR", runtime)
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
fn the_app_opens_unlocked_through_the_agent_and_its_lock_locks_the_agent() {
    use std::os::unix::fs::PermissionsExt;
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let runtime = dir.path().join("run");
    std::fs::create_dir(&runtime).unwrap();
    std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).unwrap();
    let vault = dir.path().join("vault.db");
    cli_in(&runtime, &vault, &["init"]);
    cli_in(
        &runtime,
        &vault,
        &[
            "secret",
            "create",
            "--name",
            "held-by-agent",
            "--secret-string",
            "v",
        ],
    );
    let record = cli_in(&runtime, &vault, &["unlock"]);
    let runtime_env = runtime.display().to_string();
    // No passphrase anywhere: the agent holds the vault. The app's idle lock after 3 s.
    let tmux = launch(
        dir.path(),
        &vault,
        None,
        &[
            ("XDG_RUNTIME_DIR", &runtime_env),
            ("CSVAULT_LOCK_AFTER_SECS", "3"),
        ],
        false,
    );
    tmux.wait_for("held-by-agent");
    tmux.wait_for("The agent holding this vault is locked too");
    assert!(tmux.screen().contains("type the passphrase"));
    let status = cli_in(&runtime, &vault, &["agent", "status"]);
    assert_eq!(
        status["running"], false,
        "the app's lock locked the agent too"
    );
    let pid = record["pid"].as_u64().unwrap();
    let start = Instant::now();
    while Path::new(&format!("/proc/{pid}")).exists()
        && !std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| s.contains(") Z "))
    {
        assert!(start.elapsed() < DEADLINE, "the agent process ends");
        std::thread::sleep(Duration::from_millis(20));
    }
}
