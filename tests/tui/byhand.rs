//! Values by hand in a real terminal (tmux, private socket): the hidden prompt of `secret create`
//! typed twice, and `secret copy` through OSC 52 into tmux, whose paste buffer is deleted when
//! the value is cleared; tmux's `set-clipboard external` is said. Waits for text, never for time.
//!
//! Skipped with a note when tmux is missing, unless `CSVAULT_REQUIRE_TMUX` is set (CI sets it).

use super::e2e::{BIN, PASSPHRASE, Tmux, cli, have_tmux, launch, vault_with};
use std::path::Path;
use std::process::Command;

/// A tmux server on its own socket in `dir` running `sh -c script BIN VAULT` (so `$0` is the
/// binary and `$1` the vault), with `conf` as its configuration, no display, the passphrase in the
/// environment.
fn shell(dir: &Path, conf: &str, script: &str, vault: &Path, env: &[(&str, &str)]) -> Tmux {
    let conf_file = dir.join("tmux.conf");
    std::fs::write(
        &conf_file,
        format!("{conf}\nset -g remain-on-exit on\nset -g default-terminal tmux-256color\n"),
    )
    .unwrap();
    let tmux = Tmux {
        socket: dir.join("tmux.sock"),
    };
    let mut tries = 0;
    loop {
        tries += 1;
        let out = Command::new("tmux")
            .arg("-S")
            .arg(&tmux.socket)
            .arg("-f")
            .arg(&conf_file)
            .args(["new-session", "-d", "-s", "e2e", "-x", "100", "-y", "30"])
            .args(["env", "-u", "DISPLAY", "-u", "WAYLAND_DISPLAY"])
            .arg(format!("CSVAULT_PASSPHRASE={PASSPHRASE}"))
            .args(env.iter().map(|(k, v)| format!("{k}={v}")))
            .args(["sh", "-c", script, BIN])
            .arg(vault)
            .output()
            .unwrap();
        if out.status.success() {
            return tmux;
        }
        // tmux's own start now and then fails on a loaded machine: tried again.
        assert!(
            tries < 3,
            "tmux new-session: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let _ = tmux.cmd(&["kill-server"]);
        let _ = std::fs::remove_file(&tmux.socket);
    }
}

/// The screen with wrapped lines joined (`capture-pane -J`), for messages longer than a line.
fn joined(tmux: &Tmux) -> String {
    String::from_utf8_lossy(&tmux.cmd(&["capture-pane", "-p", "-J", "-t", "e2e"]).stdout)
        .into_owned()
}

fn count(tmux: &Tmux, text: &str) -> usize {
    tmux.screen().matches(text).count()
}

#[test]
fn a_value_typed_twice_hidden_with_a_mismatch_first() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let vault = vault_with(dir.path(), &[]);
    let tmux = shell(
        dir.path(),
        "",
        r#""$0" --vault "$1" --output json secret create --name typed; echo "exit=$?"; exec sleep 600"#,
        &vault,
        &[],
    );
    tmux.wait_for("Secret value (hidden):");
    tmux.type_text("first-Try-1");
    tmux.send(&["Enter"]);
    tmux.wait_for("Repeat the value:");
    tmux.type_text("other-Try-2");
    tmux.send(&["Enter"]);
    tmux.wait_for("The two values differ; try again.");
    tmux.wait_until("the second prompt", |t| {
        count(t, "Secret value (hidden):") == 2
    });
    tmux.type_text("s3cret-Typed!");
    tmux.send(&["Enter"]);
    tmux.wait_until("the second repeat", |t| count(t, "Repeat the value:") == 2);
    tmux.type_text("s3cret-Typed!");
    tmux.send(&["Enter"]);
    tmux.wait_for("exit=0");
    let screen = tmux.screen();
    assert!(screen.contains("\"name\": \"typed\""), "{screen}");
    for typed in ["first-Try-1", "other-Try-2", "s3cret-Typed!"] {
        assert!(!screen.contains(typed), "{typed} echoed:\n{screen}");
    }
    let value = cli(&vault, &["secret", "get-value", "typed"]);
    assert_eq!(value["version"]["secret_string"], "s3cret-Typed!");
}

/// Every paste buffer's name and contents.
fn buffers(tmux: &Tmux) -> Vec<(String, String)> {
    let names = tmux.cmd(&["list-buffers", "-F", "#{buffer_name}"]);
    String::from_utf8_lossy(&names.stdout)
        .lines()
        .map(|name| {
            let text = tmux.cmd(&["show-buffer", "-b", name]);
            (
                name.to_owned(),
                String::from_utf8_lossy(&text.stdout).into_owned(),
            )
        })
        .collect()
}

const COPY: &str = r#"read go; "$0" --vault "$1" --output json secret copy db-password; echo "exit=$?"; exec sleep 600"#;

#[test]
fn copy_through_osc52_in_tmux_returns_then_clears_and_deletes_the_paste_buffer() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let vault = vault_with(dir.path(), &["db-password"]);
    let tmux = shell(
        dir.path(),
        "set -g set-clipboard on",
        COPY,
        &vault,
        &[("CSVAULT_CLIPBOARD_CLEAR_SECS", "2")],
    );
    let output = dir.path().join("pane.out");
    let pipe = format!("cat > '{}'", output.display());
    assert!(
        tmux.cmd(&["pipe-pane", "-t", "e2e", &pipe])
            .status
            .success()
    );
    // A buffer of the user's, there before: never touched.
    assert!(
        tmux.cmd(&["set-buffer", "-b", "mine", "kept"])
            .status
            .success()
    );
    tmux.send(&["Enter"]);
    tmux.wait_for("exit=0");
    let screen = joined(&tmux);
    assert!(screen.contains("\"copied\": \"db-password\""), "{screen}");
    assert!(screen.contains("\"via\": \"osc52\""), "{screen}");
    assert!(screen.contains("\"clear_checked\": false"), "{screen}");
    assert!(screen.contains("\"clears_in_secs\": 2"), "{screen}");
    assert!(screen.contains("paste buffer"), "said on stderr: {screen}");
    assert!(!screen.contains("v-db-password"));

    // The keeper cleared, and deleted the buffer tmux made of the value; `mine` stays.
    tmux.wait_until("the value's paste buffer to go", |t| {
        let all = buffers(t);
        !all.iter().any(|(_, text)| text == "v-db-password")
            && all
                .iter()
                .any(|(name, text)| name == "mine" && text == "kept")
    });
    let written = std::fs::read(&output).unwrap();
    let find = |needle: &[u8]| written.windows(needle.len()).position(|w| w == needle);
    let copied = find(b"\x1b]52;c;di1kYi1wYXNzd29yZA==\x07").expect("the value sent");
    // The clear may still be on its way into the pipe: waited for.
    tmux.wait_until("the clearing sequence", |_| {
        let written = std::fs::read(&output).unwrap();
        written
            .windows(8)
            .rposition(|w| w == b"\x1b]52;c;\x07")
            .is_some_and(|at| at > copied)
    });
}

#[test]
fn copy_in_tmux_with_set_clipboard_external_says_it_may_not_arrive() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let vault = vault_with(dir.path(), &["db-password"]);
    let tmux = shell(
        dir.path(),
        "set -s set-clipboard external",
        COPY,
        &vault,
        &[],
    );
    tmux.send(&["Enter"]);
    tmux.wait_for("exit=0");
    let screen = joined(&tmux);
    assert!(screen.contains("set-clipboard external"), "{screen}");
    assert!(
        screen.contains("may not reach the system clipboard"),
        "{screen}"
    );
    assert!(screen.contains("\"clears_in_secs\": null"), "{screen}");
    assert!(
        !buffers(&tmux).iter().any(|(_, t)| t == "v-db-password"),
        "tmux dropped it"
    );
}

#[test]
fn the_app_deletes_the_paste_buffer_of_a_value_it_clears_and_says_so() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let vault = vault_with(dir.path(), &["db-password"]);
    let tmux = launch(
        dir.path(),
        &vault,
        Some(PASSPHRASE),
        &[("CSVAULT_CLIPBOARD_CLEAR_SECS", "2")],
        false,
    );
    tmux.wait_for("db-password");
    tmux.send(&["c"]);
    tmux.wait_until("the value in the paste buffer", |t| {
        t.buffer() == "v-db-password"
    });
    tmux.wait_for("Deleted the tmux paste buffer that held the value.");
    assert!(!buffers(&tmux).iter().any(|(_, t)| t == "v-db-password"));
    tmux.send(&["q"]);
}

#[test]
fn ctrl_c_at_the_prompt_creates_nothing_and_gives_the_echo_back() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let vault = vault_with(dir.path(), &[]);
    let tmux = shell(
        dir.path(),
        "",
        r#""$0" --vault "$1" --output json secret create --name typed; echo "exit=$?"; stty -a; exec sleep 600"#,
        &vault,
        &[],
    );
    tmux.wait_for("Secret value (hidden):");
    tmux.type_text("half");
    tmux.send(&["C-c"]);
    tmux.wait_for("exit=1");
    tmux.wait_for("speed");
    let screen = joined(&tmux);
    assert!(
        screen.contains("Interrupted; nothing was created."),
        "{screen}"
    );
    let modes: Vec<&str> = screen.split_whitespace().collect();
    assert!(modes.contains(&"echo"), "echo back on:\n{screen}");
    assert!(!screen.contains("half"));
    let out = Command::new(BIN)
        .arg("--vault")
        .arg(&vault)
        .args(["secret", "show", "typed"])
        .env("CSVAULT_PASSPHRASE", PASSPHRASE)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "nothing was created");
}
