//! Secrets into programs (issue 15): `csvault run` (all or nothing, exit status, signals,
//! masking, env files), `csvault inject`, and `secret get-value --version-stage`.

use crate::support::{TestVault, api_err};
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::process::Stdio;

const VALUE: &str = "s3cr3t-value-42";
const VALUE_2: &str = "n3w-value-43";
const CONCEALED: &str = "<concealed by csvault>";

/// A vault with `api` (v1 = VALUE, enabled), `off` (disabled) and `leaving` (pending deletion).
fn vault() -> TestVault {
    let v = TestVault::new();
    v.ok(&[
        "secret",
        "create",
        "--name",
        "api",
        "--secret-string",
        VALUE,
    ]);
    v.ok(&[
        "secret",
        "create",
        "--name",
        "off",
        "--secret-string",
        "x-off-x",
    ]);
    v.ok(&["secret", "disable", "off"]);
    v.ok(&[
        "secret",
        "create",
        "--name",
        "leaving",
        "--secret-string",
        "x",
    ]);
    v.ok(&["secret", "schedule-delete", "leaving"]);
    v
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn one_missing_or_disabled_secret_and_the_command_never_starts() {
    let v = vault();
    let marker = v.dir.path().join("started");
    let script = format!("touch '{}'", marker.display());
    let out = v
        .cmd()
        .args([
            "run",
            "--env",
            "A=api",
            "--env",
            "B=missing",
            "--env",
            "C=off",
            "--env",
            "D=leaving",
        ])
        .args(["--", "sh", "-c", &script])
        .output()
        .unwrap();
    let e = api_err(&out, 1);
    assert_eq!(e.code, "CSMS.0106", "the first failure's code: {}", e.msg);
    assert!(e.msg.contains("3 reference(s)"), "{}", e.msg);
    assert!(e.msg.contains("--env B=missing: CSMS.0106"), "{}", e.msg);
    assert!(e.msg.contains("--env C=off: CSMS.0109"), "{}", e.msg);
    assert!(e.msg.contains("--env D=leaving: CSMS.0109"), "{}", e.msg);
    assert!(!e.msg.contains(VALUE), "{}", e.msg);
    assert!(!marker.exists(), "the command ran");

    // A malformed reference or variable name is said before anything is read.
    let out = v
        .cmd()
        .args(["run", "--env", "1A=api", "--env", "B=a b", "--env", "C"])
        .args(["--", "sh", "-c", &script])
        .output()
        .unwrap();
    let e = api_err(&out, 1);
    assert_eq!(e.code, "CSMS.0002");
    assert!(e.msg.starts_with("3 problem(s)"), "{}", e.msg);
    assert!(e.msg.contains("Invalid reference 'a b'"), "{}", e.msg);
    assert!(!marker.exists(), "the command ran");
}

#[test]
fn the_commands_exit_status_is_csvaults() {
    let v = vault();
    let out = v
        .cmd()
        .args(["run", "--env", "A=api", "--", "sh", "-c", "exit 7"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(7));
    let out = v
        .cmd()
        .args(["run", "--", "sh", "-c", "kill -KILL $$"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(128 + 9), "killed by SIGKILL");
    let out = v
        .cmd()
        .args(["run", "--", "/nonexistent/program"])
        .output()
        .unwrap();
    assert_eq!(api_err(&out, 127).code, "VAULT.0007");
}

#[test]
fn a_sigterm_to_csvault_reaches_the_command() {
    let v = vault();
    let mut child = std::process::Command::new(crate::support::bin())
        .env("CSVAULT_PASSPHRASE", crate::support::PASSPHRASE)
        .arg("--vault")
        .arg(&v.path)
        .args(["run", "--env", "A=api", "--", "sh", "-c"])
        .arg("trap 'exit 42' TERM; echo ready; while :; do sleep 0.05; done")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line, "ready\n");
    let pid = rustix::process::Pid::from_child(&child);
    rustix::process::kill_process(pid, rustix::process::Signal::TERM).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(
        status.code(),
        Some(42),
        "the command's trap ran and its status came back"
    );
}

/// In a terminal (a pty through `script`), Ctrl+C reaches the command once: from the terminal,
/// not again from csvault. A SIGINT sent to csvault alone is still forwarded.
#[test]
fn a_terminal_ctrl_c_reaches_the_command_once() {
    use std::io::Write;
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        panic!("util-linux `script` is needed to give csvault a terminal (bsdutils)");
    }
    let v = vault();
    let inner = "n=0; trap 'n=$((n+1)); echo \"got $n\"' INT; \
                 trap 'echo \"total $n\"; exit 0' TERM; \
                 echo \"ready $PPID\"; while :; do sleep 0.05; done";
    let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let line = format!(
        "exec {} --vault {} run --env A=api -- sh -c {}",
        quote(crate::support::bin()),
        quote(&v.path.to_string_lossy()),
        quote(inner)
    );
    let mut script = std::process::Command::new("script")
        .args(["-q", "-e", "-c", &line, "/dev/null"])
        .env("CSVAULT_PASSPHRASE", crate::support::PASSPHRASE)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = script.stdin.take().unwrap();
    let mut lines = BufReader::new(script.stdout.take().unwrap()).lines();
    let mut next_with = |prefix: &str| loop {
        let line = lines.next().expect("more output").unwrap();
        if let Some(at) = line.find(prefix) {
            break line[at..].trim().to_owned();
        }
    };
    let csvault: i32 = next_with("ready ")["ready ".len()..].parse().unwrap();
    let csvault = rustix::process::Pid::from_raw(csvault).unwrap();
    // Ctrl+C typed at the terminal: SIGINT to its foreground process group.
    stdin.write_all(b"\x03").unwrap();
    stdin.flush().unwrap();
    assert_eq!(next_with("got "), "got 1");
    std::thread::sleep(std::time::Duration::from_millis(300));
    rustix::process::kill_process(csvault, rustix::process::Signal::INT).unwrap();
    assert_eq!(
        next_with("got "),
        "got 2",
        "no second SIGINT from the first Ctrl+C"
    );
    std::thread::sleep(std::time::Duration::from_millis(300));
    rustix::process::kill_process(csvault, rustix::process::Signal::TERM).unwrap();
    assert_eq!(next_with("total "), "total 2");
    drop(stdin);
    let _ = script.wait();
}

/// A process the command leaves in the background, holding its output pipes, does not hold
/// csvault once the command has ended.
#[test]
fn a_background_process_left_by_the_command_does_not_hold_csvault() {
    let v = vault();
    let started = std::time::Instant::now();
    let out = v
        .cmd()
        .args(["run", "--env", "A=api", "--", "sh", "-c"])
        .arg("echo before; (sleep 4 &); exit 3")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(
        text(&out.stdout),
        "before\n",
        "what it wrote before it ended comes out"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn values_in_the_output_are_concealed_unless_masking_is_off() {
    let v = vault();
    // Printed whole, on stderr, and in two writes with a pause between.
    let script = r#"echo "v=$A"; echo "$A" >&2; printf '%s' "${A%%-*}-"; sleep 0.3; printf '%s\n' "${A#*-}"; echo done"#;
    let out = v
        .cmd()
        .args(["run", "--env", "A=api", "--", "sh", "-c", script])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        format!("v={CONCEALED}\n{CONCEALED}\ndone\n")
    );
    assert_eq!(text(&out.stderr), format!("{CONCEALED}\n"));

    let out = v
        .cmd()
        .args([
            "run",
            "--no-masking",
            "--env",
            "A=api",
            "--",
            "sh",
            "-c",
            script,
        ])
        .output()
        .unwrap();
    assert_eq!(text(&out.stdout), format!("v={VALUE}\n{VALUE}\ndone\n"));
    assert_eq!(text(&out.stderr), format!("{VALUE}\n"));
}

#[test]
fn the_command_gets_the_environment_without_csvaults_own_secrets() {
    let v = vault();
    let out = v
        .cmd()
        .env("CSVAULT_NEW_PASSPHRASE", "other")
        .env("KEPT", "kept")
        .args(["run", "--no-masking", "--env", "A=api", "--", "sh", "-c"])
        .arg(r#"printf '%s|%s|%s|%s' "${CSVAULT_PASSPHRASE-unset}" "${CSVAULT_NEW_PASSPHRASE-unset}" "$KEPT" "$A""#)
        .output()
        .unwrap();
    assert_eq!(text(&out.stdout), format!("unset|unset|kept|{VALUE}"));
}

#[test]
fn env_files_resolve_references_and_pass_other_lines_through() {
    let v = vault();
    v.ok(&[
        "secret",
        "create-version",
        "api",
        "--secret-string",
        VALUE_2,
    ]);
    let file = v.file(
        "app.env",
        "# settings\nexport A=csvault://api\nPLAIN='hello world'\n\nOLD=\"csvault://api#v1\" # first\n\
         PREV=csvault://api@SYSPREVIOUS\nB=csvault://api\n",
    );
    let out = v
        .cmd()
        .args(["run", "--no-masking", "--env-file"])
        .arg(&file)
        .args(["--env", "B=api#v1", "--", "sh", "-c"])
        .arg(r#"printf '%s|%s|%s|%s|%s' "$A" "$PLAIN" "$OLD" "$PREV" "$B""#)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        format!("{VALUE_2}|hello world|{VALUE}|{VALUE}|{VALUE}"),
        "--env wins over the file"
    );

    // A syntax error names the file and the line, never the value.
    let bad = v.file("bad.env", "A=1\nB='s3cr3t-typo\n");
    let out = v
        .cmd()
        .args(["run", "--env-file"])
        .arg(&bad)
        .args(["--", "true"])
        .output()
        .unwrap();
    let e = api_err(&out, 1);
    assert_eq!(e.code, "CSMS.0002");
    assert!(
        e.msg.contains(&format!("{} line 2", bad.display())),
        "{}",
        e.msg
    );
    assert!(!e.msg.contains("s3cr3t-typo"), "{}", e.msg);
    // A reference to a missing secret in a file is named by file, line and variable.
    let missing = v.file("missing.env", "A=csvault://api\n\nGONE=csvault://gone\n");
    let out = v
        .cmd()
        .args(["run", "--env-file"])
        .arg(&missing)
        .args(["--", "true"])
        .output()
        .unwrap();
    let e = api_err(&out, 1);
    assert!(
        e.msg
            .contains(&format!("{} line 3 (GONE): CSMS.0106", missing.display())),
        "{}",
        e.msg
    );
}

#[test]
fn inject_renders_to_stdout_or_a_new_private_file() {
    let v = vault();
    let template =
        "user: app\npass: {{ csvault://api }}\nold: {{csvault://api#v1}}\nkeep: {{ x }}\n";
    let expected = format!("user: app\npass: {VALUE}\nold: {VALUE}\nkeep: {{{{ x }}}}\n");
    let out = v
        .cmd()
        .arg("inject")
        .write_stdin(template)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), expected);

    let input = v.file("config.tpl", template);
    let target = v.dir.path().join("config.yml");
    let out = v
        .cmd()
        .args(["inject", "-i"])
        .arg(&input)
        .arg("-o")
        .arg(&target)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    assert_eq!(std::fs::read_to_string(&target).unwrap(), expected);
    let mode = std::fs::metadata(&target).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);

    // Refused when it exists, unless --force.
    std::fs::write(&target, "old").unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = v
        .cmd()
        .args(["inject", "-i"])
        .arg(&input)
        .arg("-o")
        .arg(&target)
        .output()
        .unwrap();
    assert_eq!(api_err(&out, 1).code, "VAULT.0007");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "old");
    let out = v
        .cmd()
        .args(["inject", "--force", "-i"])
        .arg(&input)
        .arg("-o")
        .arg(&target)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), expected);
    let mode = std::fs::metadata(&target).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "the replacement is private too");
    let left: Vec<_> = std::fs::read_dir(v.dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains(".csvault-"))
        .collect();
    assert!(left.is_empty(), "no temporary file left behind");
}

#[test]
fn inject_writes_nothing_when_a_reference_fails() {
    let v = vault();
    let target = v.dir.path().join("out.txt");
    let out = v
        .cmd()
        .args(["inject", "-o"])
        .arg(&target)
        .write_stdin("a={{ csvault://api }}\nb={{ csvault://gone }}\nc={{ csvault://off }}\n")
        .output()
        .unwrap();
    let e = api_err(&out, 1);
    assert!(e.msg.contains("csvault://gone"), "{}", e.msg);
    assert!(e.msg.contains("CSMS.0109"), "{}", e.msg);
    assert!(!target.exists(), "nothing written");
    let out = v
        .cmd()
        .arg("inject")
        .write_stdin("a={{ csvault://api }}\nb={{ csvault://bad name }}\n")
        .output()
        .unwrap();
    let e = api_err(&out, 1);
    assert_eq!(e.code, "CSMS.0002");
    assert!(e.msg.contains("line 2"), "{}", e.msg);
}

#[test]
fn get_value_reads_by_stage() {
    let v = vault();
    v.ok(&[
        "secret",
        "create-version",
        "api",
        "--secret-string",
        VALUE_2,
    ]);
    let prev = v.ok(&[
        "secret",
        "get-value",
        "api",
        "--version-stage",
        "SYSPREVIOUS",
    ]);
    assert_eq!(prev["version"]["secret_string"], VALUE);
    assert_eq!(prev["version"]["version_metadata"]["id"], "v1");
    let out = v
        .cmd()
        .args([
            "secret",
            "get-value",
            "api",
            "--version-stage",
            "SYSCURRENT",
            "--raw",
        ])
        .output()
        .unwrap();
    assert_eq!(text(&out.stdout), VALUE_2);
    assert_eq!(
        v.err(&["secret", "get-value", "api", "--version-stage", "nope"])
            .code,
        "CSMS.0005"
    );
    assert_eq!(
        v.err(&[
            "secret",
            "get-value",
            "off",
            "--version-stage",
            "SYSCURRENT"
        ])
        .code,
        "CSMS.0109"
    );
    let out = v
        .cmd()
        .args([
            "secret",
            "get-value",
            "api",
            "--version-stage",
            "SYSCURRENT",
        ])
        .args(["--version-id", "v1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "the two flags conflict");
}

#[test]
fn an_env_reference_may_be_written_as_in_an_env_file() {
    let v = vault();
    let out = v
        .cmd()
        .args(["run", "--no-masking", "--env", "A=csvault://api"])
        .args(["--", "sh", "-c", "printf %s \"$A\""])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), VALUE);
}
