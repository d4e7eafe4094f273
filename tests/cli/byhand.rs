//! Values by hand and the shell around the command line (issue 15): `--edit` with a scripted
//! editor, `completions` (a real bash completion run), `man`, and `__complete-secrets`, which
//! never asks for anything.

use crate::support::{TestVault, bin, ok_json};
use serde_json::Value;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// An executable `sh` script in `dir`.
fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// A private runtime directory of the test's own (`XDG_RUNTIME_DIR`), 0700.
fn runtime_dir(v: &TestVault) -> PathBuf {
    let dir = v.dir.path().join("run");
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    dir
}

/// What is left under the runtime directory's `csvault` directory.
fn left_in(run: &Path) -> Vec<String> {
    std::fs::read_dir(run.join("csvault"))
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// A command that must succeed, with more environment.
fn ok_env(v: &TestVault, args: &[&str], env: &[(&str, &str)]) -> Value {
    let mut cmd = v.cmd();
    cmd.args(args);
    for (key, value) in env {
        cmd.env(key, value);
    }
    ok_json(&cmd.output().unwrap())
}

#[test]
fn edit_takes_what_the_editor_wrote_in_a_private_file_and_leaves_nothing_behind() {
    let v = TestVault::new();
    let run = runtime_dir(&v);
    let seen = v.dir.path().join("seen");
    // The editor notes its file's path and the modes of the file and its directory, then writes.
    let editor = script(
        v.dir.path(),
        "editor.sh",
        &format!(
            r#"echo "$1" > '{seen}'
stat -c '%a' "$1" "$(dirname "$1")" >> '{seen}'
printf 'typ3d-in-the-editor\n' > "$1""#,
            seen = seen.display()
        ),
    );
    let created = ok_env(
        &v,
        &["secret", "create", "--name", "edited", "--edit"],
        &[
            ("XDG_RUNTIME_DIR", run.to_str().unwrap()),
            ("EDITOR", editor.to_str().unwrap()),
            ("VISUAL", ""),
        ],
    );
    assert_eq!(created["secret"]["name"], "edited");
    let value = v.ok(&["secret", "get-value", "edited"]);
    assert_eq!(
        value["version"]["secret_string"], "typ3d-in-the-editor",
        "one trailing newline removed"
    );
    let seen = std::fs::read_to_string(&seen).unwrap();
    let mut lines = seen.lines();
    let file = PathBuf::from(lines.next().unwrap());
    assert_eq!(lines.next(), Some("600"), "the file is 0600");
    assert_eq!(lines.next(), Some("700"), "its directory is 0700");
    assert!(file.starts_with(run.join("csvault")), "{}", file.display());
    assert!(!file.exists(), "the file is removed");
    assert!(!file.parent().unwrap().exists(), "its directory too");
    assert!(left_in(&run).is_empty(), "{:?}", left_in(&run));

    // VISUAL wins over EDITOR, and is split on spaces; create-version takes --edit too.
    let visual = script(
        v.dir.path(),
        "visual.sh",
        r#"printf '%s' "$1-$2" > /dev/null; printf 'n3xt' > "$2""#,
    );
    let version = ok_env(
        &v,
        &["secret", "create-version", "edited", "--edit"],
        &[
            ("XDG_RUNTIME_DIR", run.to_str().unwrap()),
            ("EDITOR", "/bin/false"),
            ("VISUAL", &format!("{} --wait", visual.display())),
        ],
    );
    assert_eq!(version["version_metadata"]["id"], "v2");
    let value = v.ok(&["secret", "get-value", "edited"]);
    assert_eq!(value["version"]["secret_string"], "n3xt");
    assert!(left_in(&run).is_empty());
}

#[test]
fn an_editor_leaving_a_symlink_gets_it_removed_and_its_target_untouched() {
    let v = TestVault::new();
    let run = runtime_dir(&v);
    let outside = v.dir.path().join("outside.txt");
    std::fs::write(&outside, "not-csvault's-to-wipe\n").unwrap();
    // The editor puts a symlink to a file outside the scratch directory in the file's place.
    let editor = script(
        v.dir.path(),
        "link.sh",
        &format!(
            r#"rm -f "$1" && ln -s '{outside}' "$1""#,
            outside = outside.display()
        ),
    );
    let _ = v
        .cmd()
        .args(["secret", "create", "--name", "linked", "--edit"])
        .env("XDG_RUNTIME_DIR", &run)
        .env("EDITOR", &editor)
        .env_remove("VISUAL")
        .output()
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(&outside).unwrap(),
        "not-csvault's-to-wipe\n",
        "the symlink's target is never zeroed"
    );
    assert!(left_in(&run).is_empty(), "{:?}", left_in(&run));
}

#[test]
fn a_failing_editor_or_an_empty_file_creates_nothing_and_leaves_nothing_behind() {
    let v = TestVault::new();
    let run = runtime_dir(&v);
    let failing = script(
        v.dir.path(),
        "fail.sh",
        "printf 'half-typed' > \"$1\"\nexit 1",
    );
    let out = v
        .cmd()
        .args(["secret", "create", "--name", "never", "--edit"])
        .env("XDG_RUNTIME_DIR", &run)
        .env("EDITOR", &failing)
        .env_remove("VISUAL")
        .output()
        .unwrap();
    let err = crate::support::api_err(&out, 1);
    assert!(err.msg.contains("nothing was created"), "{}", err.msg);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("half-typed"));
    assert!(left_in(&run).is_empty(), "{:?}", left_in(&run));

    let empty = script(v.dir.path(), "empty.sh", "printf '\\n' > \"$1\"");
    let out = v
        .cmd()
        .args(["secret", "create", "--name", "never", "--edit"])
        .env("XDG_RUNTIME_DIR", &run)
        .env("EDITOR", &empty)
        .env_remove("VISUAL")
        .output()
        .unwrap();
    let err = crate::support::api_err(&out, 1);
    assert_eq!(err.code, "CSMS.0002");
    assert!(err.msg.contains("empty"), "{}", err.msg);
    assert!(left_in(&run).is_empty());
    let missing = v.err(&["secret", "show", "never"]);
    assert_eq!(missing.code, "CSMS.0106");

    // --edit excludes the other value options.
    let out = v
        .cmd()
        .args([
            "secret",
            "create",
            "--name",
            "x",
            "--edit",
            "--secret-string",
            "y",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn without_a_terminal_and_without_a_value_nothing_is_asked() {
    let v = TestVault::new();
    // stdin is not a terminal: no prompt, the vault answers as before.
    let err = v.err(&["secret", "create", "--name", "no-value"]);
    assert_eq!(err.code, "CSMS.0002");
    assert!(
        err.msg.contains("neither secret_string nor secret_binary"),
        "{}",
        err.msg
    );
}

fn completion(script_text: &str, words: &str, cword: usize) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("csvault.bash");
    std::fs::write(&file, script_text).unwrap();
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!(
            r#"source '{}'; COMP_WORDS=({words}); COMP_CWORD={cword}; COMP_LINE='{words}'; COMP_POINT=${{#COMP_LINE}}; _csvault_with_names "${{COMP_WORDS[0]}}" "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"; printf '%s\n' "${{COMPREPLY[@]}}""#,
            file.display()
        ))
        .env_remove("CSVAULT_PASSPHRASE")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_bash_script_parses_and_completes_commands_in_a_real_bash() {
    let out = Command::new(bin())
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("csvault.bash");
    std::fs::write(&file, &text).unwrap();
    let syntax = Command::new("bash").arg("-n").arg(&file).output().unwrap();
    assert!(
        syntax.status.success(),
        "bash -n: {}",
        String::from_utf8_lossy(&syntax.stderr)
    );

    assert_eq!(completion(&text, "csvault sec", 1), ["secret"]);
    let subs = completion(&text, "csvault secret cop", 2);
    assert_eq!(subs, ["copy"]);
    let flags = completion(&text, "csvault secret copy db --version-s", 4);
    assert_eq!(flags, ["--version-stage"]);
    // A NAME: asked of `csvault __complete-secrets`, which without an agent offers nothing (and
    // never a placeholder such as <NAME>, never a prompt).
    let words = format!("{} secret show db", bin());
    assert!(completion(&text, &words, 3).is_empty());
}

#[test]
fn zsh_and_fish_scripts_carry_the_commands_and_the_name_completion() {
    for (shell, check) in [("zsh", "-n"), ("fish", "--no-execute")] {
        let out = Command::new(bin())
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8(out.stdout).unwrap();
        for word in [
            "secret",
            "get-value",
            "copy",
            "completions",
            "version-stage",
        ] {
            assert!(text.contains(word), "{shell}: {word}");
        }
        assert!(text.contains("__complete-secrets"), "{shell}");
        assert!(!text.contains("__clipboard-keeper"), "{shell}: internal");
        assert!(
            !text.contains("(__complete-secrets)"),
            "{shell}: not a command to offer"
        );
        // Where the shell is installed, the script must parse.
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("script");
        std::fs::write(&file, &text).unwrap();
        if let Ok(parsed) = Command::new(shell).arg(check).arg(&file).output() {
            assert!(
                parsed.status.success(),
                "{shell} {check}: {}",
                String::from_utf8_lossy(&parsed.stderr)
            );
        }
    }
    let zsh = String::from_utf8(
        Command::new(bin())
            .args(["completions", "zsh"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(zsh.starts_with("#compdef csvault"));
    assert!(zsh.contains("_csvault_clap \"$@\""));
}

/// Every visible command's path, e.g. `csvault secret create`.
fn command_paths() -> Vec<String> {
    let help = |args: &[&str]| {
        let out = Command::new(bin())
            .args(args)
            .arg("--help")
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let commands = |text: &str| -> Vec<String> {
        text.split("Commands:\n")
            .nth(1)
            .unwrap_or("")
            .lines()
            .take_while(|l| l.starts_with("  "))
            .filter_map(|l| l.split_whitespace().next())
            .filter(|c| *c != "help")
            .map(str::to_owned)
            .collect()
    };
    let mut paths = Vec::new();
    for top in commands(&help(&[])) {
        paths.push(format!("csvault {top}"));
        for sub in commands(&help(&[&top])) {
            paths.push(format!("csvault {top} {sub}"));
        }
    }
    paths
}

#[test]
fn the_man_page_is_roff_with_every_command() {
    let out = Command::new(bin()).arg("man").output().unwrap();
    assert!(out.status.success());
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq") || page.contains("\n.TH csvault 1"),
        "{}",
        &page[..200.min(page.len())]
    );
    let paths = command_paths();
    assert!(paths.len() > 40, "{paths:?}");
    for path in &paths {
        assert!(
            page.contains(&format!(".SH \"{}\"", path.to_uppercase())),
            "no section for {path}"
        );
    }
    assert!(!page.contains("__complete-secrets") && !page.contains("__clipboard-keeper"));
    // Rendered by man where it is installed.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("csvault.1");
    std::fs::write(&file, &page).unwrap();
    if let Ok(rendered) = Command::new("man")
        .arg("-l")
        .arg(&file)
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "100")
        .output()
        && rendered.status.success()
    {
        let text = String::from_utf8_lossy(&rendered.stdout);
        assert!(text.contains("CSVAULT SECRET COPY"), "{text}");
        assert!(text.contains("--version-stage"), "{text}");
    }

    // --out-dir: a page per command.
    let out = Command::new(bin())
        .args(["man", "--out-dir"])
        .arg(dir.path().join("pages"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let pages = listed["man_pages"].as_array().unwrap();
    assert_eq!(pages.len(), paths.len() + 1, "{pages:?}");
    assert!(dir.path().join("pages/csvault-secret-copy.1").is_file());
}

#[test]
fn complete_secrets_never_asks_and_prints_nothing_without_an_agent() {
    let v = TestVault::new();
    v.ok(&[
        "secret",
        "create",
        "--name",
        "db-password",
        "--secret-string",
        "x",
    ]);
    // No passphrase anywhere: nothing asked, nothing printed, exit 0.
    let out = Command::new(bin())
        .args(["__complete-secrets", "--", "db"])
        .env("CSVAULT_PATH", &v.path)
        .env_remove("CSVAULT_PASSPHRASE")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(out.stdout.is_empty() && out.stderr.is_empty());
}

#[test]
fn a_weak_value_from_the_editor_is_warned_about_with_checking_on() {
    let v = TestVault::new();
    let run = runtime_dir(&v);
    v.ok(&["check", "config", "--checking-secret-strength", "true"]);
    let editor = script(v.dir.path(), "weak.sh", "printf 'password1\\n' > \"$1\"");
    let out = v
        .cmd()
        .args(["secret", "create", "--name", "weak", "--edit"])
        .env("XDG_RUNTIME_DIR", &run)
        .env("EDITOR", &editor)
        .env_remove("VISUAL")
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let warning: Value = serde_json::from_str(stderr.trim()).unwrap();
    assert_eq!(warning["secret_name"], "weak");
    assert_eq!(warning["strength"], "WEAK");
    assert!(!stderr.contains("password1"));
}

#[test]
fn copy_says_why_nothing_was_copied() {
    let v = TestVault::new();
    v.ok(&["secret", "create", "--name", "db", "--secret-string", "x"]);
    // The clearing delay is checked before anything is read.
    for bad in ["0", "3601", "soon"] {
        let out = v
            .cmd()
            .args(["secret", "copy", "db"])
            .env("CSVAULT_CLIPBOARD_CLEAR_SECS", bad)
            .output()
            .unwrap();
        let err = crate::support::api_err(&out, 1);
        assert_eq!(err.code, "CSMS.0002", "{bad}");
        assert!(
            err.msg.contains("CSVAULT_CLIPBOARD_CLEAR_SECS"),
            "{}",
            err.msg
        );
    }
    let missing = v.err(&["secret", "copy", "nope"]);
    assert_eq!(missing.code, "CSMS.0106");
    let out = v
        .cmd()
        .args([
            "secret",
            "copy",
            "db",
            "--version-id",
            "v1",
            "--version-stage",
            "S",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "one or the other");

    // No display and no terminal (a session of its own: no /dev/tty): nothing copied, said so.
    let Ok(out) = Command::new("setsid")
        .arg("-w")
        .arg(bin())
        .arg("--vault")
        .arg(&v.path)
        .args(["secret", "copy", "db"])
        .env("CSVAULT_PASSPHRASE", crate::support::PASSPHRASE)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
    else {
        eprintln!("NOTE: setsid is missing: the no-clipboard case was not run");
        return;
    };
    let err = crate::support::api_err(&out, 1);
    assert_eq!(err.code, "VAULT.0007");
    assert!(
        err.msg.contains("Nothing copied: no clipboard"),
        "{}",
        err.msg
    );
}

/// A stand-in `csvault` in its own directory that answers `__complete-secrets -- PREFIX` as an
/// agent holding three secrets would.
fn fake_csvault(dir: &Path) -> PathBuf {
    script(
        dir,
        "csvault",
        r#"[ "$1" = __complete-secrets ] && [ "$2" = -- ] || exit 3
printf 'api-key\ndb-password\ndb-user\n' | grep "^$3" || true"#,
    )
}

#[test]
fn the_scripts_offer_secret_names_from_complete_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let fake = fake_csvault(dir.path());
    let bash = String::from_utf8(
        Command::new(bin())
            .args(["completions", "bash"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let line = |rest: &str| format!("{} {rest}", fake.display());
    assert_eq!(
        completion(&bash, &line("secret show db"), 3),
        ["db-password", "db-user"]
    );
    assert_eq!(completion(&bash, &line("secret copy a"), 3), ["api-key"]);
    // Not where a name goes: no names.
    assert!(completion(&bash, &line("secret list d"), 3).is_empty());
    assert!(
        !completion(&bash, &line("secret show --v"), 3)
            .iter()
            .any(|c| c.starts_with("db"))
    );

    // fish, where it is installed: a real completion with the stand-in first on PATH.
    let fish = Command::new(bin())
        .args(["completions", "fish"])
        .output()
        .unwrap()
        .stdout;
    let file = dir.path().join("csvault.fish");
    std::fs::write(&file, fish).unwrap();
    let path = format!(
        "{}:{}",
        dir.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let Ok(out) = Command::new("fish")
        .arg("--no-config")
        .arg("-c")
        .arg(format!(
            "source '{}'; complete -C 'csvault sec'; complete -C 'csvault secret get-value db'",
            file.display()
        ))
        .env("PATH", path)
        .output()
    else {
        eprintln!("NOTE: fish is not installed: its real completion was not run");
        return;
    };
    let words: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.split('\t').next().unwrap_or("").to_owned())
        .collect();
    assert_eq!(words, ["secret", "db-password", "db-user"], "{out:?}");
}
