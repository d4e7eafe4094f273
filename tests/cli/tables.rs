//! Output for people (issue 15): `--output table` for every list and record (insta snapshots,
//! times and ids filtered to fixed text of the same width, the zone pinned to UTC), JSON still
//! the default off a terminal, `secret list --filter/--state/--tag` and their paging, clap's own
//! usage errors, and in tmux a list that prints as a table on a real terminal.

use crate::support::{TestVault, ok_json, usage_err};
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// Runs a command with `--output table` in UTC; its stdout (stderr must be empty).
#[track_caller]
fn table(v: &TestVault, args: &[&str]) -> String {
    let out = v
        .cmd()
        .env("TZ", "UTC")
        .args(["--output", "table"])
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stderr.is_empty(),
        "{args:?}: {stderr}"
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Snapshots with the times and ids of this run replaced by text of the same width, so the
/// columns stay as they were drawn.
fn snapshot(name: &str, text: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
    );
    settings.add_filter(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", "YYYY-MM-DD hh:mm:ss");
    settings.add_filter(r"\d{4}-\d\d-\d\d \d\d:\d\d", "YYYY-MM-DD hh:mm");
    settings.bind(|| insta::assert_snapshot!(name, text));
}

/// A vault with a second key, three secrets (one disabled, one tagged, one described with a
/// right-to-left override), two versions of one, an event it subscribes to and a rotation.
fn populated() -> TestVault {
    let v = TestVault::new();
    v.ok(&[
        "key",
        "create",
        "--alias",
        "team/app",
        "--description",
        "apps",
    ]);
    v.ok(&[
        "event",
        "create",
        "ops",
        "--types",
        "SECRET_VERSION_CREATED,SECRET_ROTATED",
    ]);
    v.ok(&[
        "secret",
        "create",
        "--name",
        "db-password",
        "--secret-string",
        "s3cret-Value-1",
        "--description",
        "Main DB \u{202e}gnp.exe",
        "--event-subscription",
        "ops",
    ]);
    v.ok(&[
        "secret",
        "create",
        "--name",
        "api-key",
        "--kms-key-id",
        "team/app",
        "--secret-string",
        "k",
        "--description",
        "Payments API",
    ]);
    v.ok(&["secret", "create", "--name", "old", "--secret-string", "o"]);
    v.ok(&["secret", "disable", "old"]);
    let _ = v
        .cmd()
        .args(["secret", "tag", "api-key", "env=prod", "team=data"])
        .output()
        .unwrap();
    v.ok(&["secret", "rotate", "db-password"]);
    v.ok(&[
        "secret",
        "create-version",
        "db-password",
        "--secret-string",
        "s3cret-Value-2",
    ]);
    v
}

#[test]
fn every_list_and_record_prints_as_a_table() {
    let v = populated();
    snapshot("secret_list", &table(&v, &["secret", "list"]));
    snapshot(
        "secret_list_paged",
        &table(&v, &["secret", "list", "--limit", "2"]),
    );
    snapshot(
        "secret_show",
        &table(&v, &["secret", "show", "db-password"]),
    );
    snapshot(
        "secret_versions",
        &table(&v, &["secret", "list-versions", "db-password"]),
    );
    snapshot(
        "secret_stage",
        &table(&v, &["secret", "show-stage", "db-password", "SYSCURRENT"]),
    );
    snapshot("keys", &table(&v, &["key", "list"]));
    snapshot("events", &table(&v, &["event", "list"]));
    snapshot("event_show", &table(&v, &["event", "show", "ops"]));
    snapshot("records", &table(&v, &["notifications"]));
    snapshot("tasks", &table(&v, &["tasks"]));
    snapshot("secret_tags", &table(&v, &["secret", "tags", "api-key"]));
    snapshot("tags", &table(&v, &["tags"]));
    snapshot("report", &table(&v, &["report", "--unchanged-days", "1"]));
    snapshot(
        "empty_list",
        &table(&v, &["secret", "list", "--filter", "nothing-like-this"]),
    );
}

#[test]
fn values_print_alone_and_only_as_asked() {
    let v = populated();
    assert_eq!(
        table(&v, &["secret", "get-value", "db-password"]),
        "s3cret-Value-2\n"
    );
    let batch = table(&v, &["secret", "batch-get-value", "api-key", "db-password"]);
    assert_eq!(
        batch,
        "NAME         VERSION  VALUE\napi-key      v1       k\ndb-password  v3       s3cret-Value-2\n"
    );
    let password = table(&v, &["generate-password", "--length", "20"]);
    assert_eq!(password.trim_end().chars().count(), 20, "{password}");
}

#[test]
fn json_stays_the_default_off_a_terminal_byte_for_byte() {
    let v = populated();
    for args in [
        &["secret", "list"][..],
        &["secret", "show", "db-password"],
        &["key", "list"],
        &["secret", "list-versions", "db-password"],
        &["secret", "get-value", "db-password"],
    ] {
        let default = v.cmd().args(args).output().unwrap();
        let json = v
            .cmd()
            .args(["--output", "json"])
            .args(args)
            .output()
            .unwrap();
        assert!(default.status.success(), "{args:?}");
        assert_eq!(default.stdout, json.stdout, "{args:?}: json is the default");
    }
    // As written before this issue: pretty JSON, two-space indents, hidden characters escaped.
    let list =
        String::from_utf8(v.cmd().args(["secret", "list"]).output().unwrap().stdout).unwrap();
    assert!(
        list.starts_with("{\n  \"secrets\": [\n    {\n      \"id\": \""),
        "{list}"
    );
    assert!(
        list.contains("\"description\": \"Main DB \\u202egnp.exe\""),
        "{list}"
    );
    assert!(list.ends_with("\n  }\n}\n"), "{list}");
    // Errors stay one JSON line on stderr when stderr is no terminal, tables or not.
    let out = v
        .cmd()
        .args(["--output", "table", "secret", "show", "nope"])
        .output()
        .unwrap();
    let e = crate::support::api_err(&out, 1);
    assert_eq!(e.code, "CSMS.0106");
}

/// The names `secret list` prints with these extra arguments, and the next marker.
fn names(v: &TestVault, args: &[&str]) -> (Vec<String>, Value) {
    let out = v
        .cmd()
        .args(["secret", "list"])
        .args(args)
        .output()
        .unwrap();
    let list = ok_json(&out);
    let names = list["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_owned())
        .collect();
    (names, list["page_info"]["next_marker"].clone())
}

#[test]
fn secret_list_filters_by_text_state_and_tags_combined_and_pages() {
    let v = populated();
    v.ok(&[
        "secret",
        "create",
        "--name",
        "db_replica",
        "--secret-string",
        "r",
        "--description",
        "100% READ only",
    ]);
    let _ = v
        .cmd()
        .args(["secret", "tag", "db_replica", "env=prod"])
        .output()
        .unwrap();
    // Name or description, ASCII case ignored; LIKE's wildcards taken as typed.
    assert_eq!(
        names(&v, &["--filter", "DB"]).0,
        ["db-password", "db_replica"]
    );
    assert_eq!(names(&v, &["--filter", "read ONLY"]).0, ["db_replica"]);
    assert_eq!(names(&v, &["--filter", "_"]).0, ["db_replica"]);
    assert_eq!(names(&v, &["--filter", "100%"]).0, ["db_replica"]);
    assert_eq!(names(&v, &["--filter", "payments"]).0, ["api-key"]);
    // State, in either case; tags; all at once.
    assert_eq!(names(&v, &["--state", "disabled"]).0, ["old"]);
    assert_eq!(
        names(&v, &["--state", "ENABLED", "--tag", "env=prod"]).0,
        ["api-key", "db_replica"]
    );
    assert_eq!(
        names(
            &v,
            &["--filter", "db", "--tag", "env=prod", "--state", "ENABLED"]
        )
        .0,
        ["db_replica"]
    );
    assert!(
        names(&v, &["--filter", "db", "--state", "DISABLED"])
            .0
            .is_empty()
    );
    // Paged by name: the marker of one page starts the next.
    let (first, marker) = names(&v, &["--filter", "d", "--limit", "2"]);
    assert_eq!(first, ["db-password", "db_replica"]);
    assert_eq!(marker, "db_replica");
    let (second, marker) = names(
        &v,
        &["--filter", "d", "--limit", "2", "--marker", "db_replica"],
    );
    assert_eq!(
        second,
        ["old"],
        "old's description is empty, its name holds d"
    );
    assert!(marker.is_null());

    // A bad filter is refused, nothing listed.
    for (args, field) in [
        (&["--tag", "bad!"][..], "tags"),
        (&["--tag", "env=a|b"], "tags"),
        (&["--state", "GONE"], "state"),
        (&["--filter", ""], "filter"),
    ] {
        let e = v.err(&[&["secret", "list"][..], args].concat());
        assert_eq!(e.code, "CSMS.0002", "{args:?}");
        assert!(
            e.msg.starts_with(&format!("Invalid {field}:")),
            "{args:?}: {}",
            e.msg
        );
    }
}

#[test]
fn usage_errors_name_the_typo_and_redact_values_with_exit_2() {
    let v = TestVault::uninit();
    let run = |args: &[&str]| usage_err(&v.cmd().args(args).output().unwrap());
    let typo = run(&["secret", "lsit"]);
    assert!(typo.contains("unrecognized subcommand 'lsit'"), "{typo}");
    assert!(
        typo.contains("tip: a similar subcommand exists: 'list'"),
        "{typo}"
    );
    let flag = run(&[
        "secret",
        "create",
        "--name",
        "x",
        "--secret-strin",
        "hunter2",
    ]);
    assert!(
        flag.contains("unexpected argument '--secret-strin' found"),
        "{flag}"
    );
    assert!(
        flag.contains("tip: a similar argument exists: '--secret-string'"),
        "{flag}"
    );
    assert!(!flag.contains("hunter2"), "{flag}");
    for args in [
        &["secret", "create", "--secret-string", "-hunter2x"][..],
        &["secret", "create", "--secret-string=hunter2x", "--bogus"],
        &["secret", "list", "--secret-string", "hunter2x"],
        &[
            "--passphrase-file",
            "hunter2x",
            "secret",
            "lsit",
            "hunter2x",
        ],
    ] {
        let msg = run(args);
        assert!(
            !msg.contains("hunter2x") && !msg.contains("'-h'"),
            "{args:?}: {msg}"
        );
    }
    let output = run(&["secret", "list", "--output", "yaml"]);
    assert!(
        output.contains("invalid value 'yaml' for '--output <FORMAT>'"),
        "{output}"
    );
    assert!(!v.path.exists());
}

/// tmux on a private socket, killed on drop.
struct Tmux(std::path::PathBuf);

impl Tmux {
    fn run(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .arg("-S")
            .arg(&self.0)
            .args(args)
            .output()
            .unwrap()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
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
        eprintln!("NOTE: tables_in_tmux SKIPPED: tmux is not installed.");
    }
    ok
}

/// Runs `script` in a 100×30 tmux pane until it prints `done`; the pane's text, and the same
/// with its colours (`capture-pane -e`).
fn in_tmux(dir: &Path, script: &str) -> (String, String) {
    let tmux = Tmux(dir.join("tmux.sock"));
    let started = tmux.run(&[
        "-f",
        "/dev/null",
        "new-session",
        "-d",
        "-x",
        "100",
        "-y",
        "30",
        "-s",
        "t",
        "sh",
        "-c",
        script,
    ]);
    assert!(started.status.success(), "{started:?}");
    let start = Instant::now();
    loop {
        let screen = tmux.run(&["capture-pane", "-p", "-t", "t"]);
        let text = String::from_utf8_lossy(&screen.stdout).into_owned();
        if text.contains("done") {
            let styled = tmux.run(&["capture-pane", "-p", "-e", "-t", "t"]);
            return (text, String::from_utf8_lossy(&styled.stdout).into_owned());
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "timed out:\n{text}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn on_a_terminal_a_list_is_a_table_cut_to_fit_and_errors_read_as_a_line() {
    if !have_tmux() {
        return;
    }
    let v = populated();
    v.ok(&[
        "secret",
        "update",
        "api-key",
        "--description",
        &"a long description ".repeat(10),
    ]);
    let script = format!(
        "export TZ=UTC CSVAULT_PASSPHRASE='{}'; '{bin}' --vault '{vault}' secret list; \
         '{bin}' --vault '{vault}' secret show nope; '{bin}' secret lsit; echo done; sleep 60",
        crate::support::PASSPHRASE,
        bin = crate::support::bin(),
        vault = v.path.display(),
    );
    let (screen, styled) = in_tmux(v.dir.path(), &script);
    assert!(
        screen.contains("NAME         STATE     KMS KEY"),
        "a header, aligned:\n{screen}"
    );
    let api = screen
        .lines()
        .find(|l| l.starts_with("api-key"))
        .unwrap_or_default();
    assert!(
        api.ends_with('…') && api.chars().count() <= 100,
        "cut to fit:\n{screen}"
    );
    assert!(!screen.contains("\"secrets\""), "no JSON:\n{screen}");
    assert!(
        screen.contains("error: The secret nope does not exist. (CSMS.0106)"),
        "{screen}"
    );
    // A usage error on a terminal: clap's message, coloured.
    assert!(
        screen.contains("unrecognized subcommand 'lsit'"),
        "{screen}"
    );
    assert!(styled.contains("\u{1b}[33mlsit"), "coloured: {styled:?}");
}
