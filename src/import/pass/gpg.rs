//! One `pass` file decrypted by the user's own gpg, run as `pass show` runs it.

use std::ffi::{OsStr, OsString};
use std::io::{self, IsTerminal, Read};
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;

use zeroize::Zeroizing;

use crate::wiped;

/// The most plaintext one file may decrypt to: 4 MiB (a `pass` entry is a few lines; a value
/// over 32 KiB cannot become a secret anyway).
pub const MAX_PLAINTEXT: usize = 4 * 1024 * 1024;

/// The options `pass` (1.7) gives gpg after `PASSWORD_STORE_GPG_OPTS`, with the agent's.
const PASS_OPTIONS: [&str; 6] = [
    "--quiet",
    "--yes",
    "--compress-algo=none",
    "--no-encrypt-to",
    "--batch",
    "--use-agent",
];

/// The gpg a store is decrypted with: the program, `PASSWORD_STORE_GPG_OPTS` and any extra
/// environment (a test's `GNUPGHOME`). The agent and its pinentry may prompt, as for `pass show`.
#[derive(Clone, Debug)]
pub struct Gpg {
    program: OsString,
    options: Vec<OsString>,
    envs: Vec<(OsString, OsString)>,
}

impl Gpg {
    /// As `pass` sets it up: `gpg2` when it is on `PATH`, else `gpg`; `PASSWORD_STORE_GPG_OPTS`
    /// split at white space; `GPG_TTY` the terminal of standard input when it is one and unset.
    pub fn from_env() -> Self {
        let program = if on_path("gpg2") { "gpg2" } else { "gpg" };
        let options = std::env::var_os("PASSWORD_STORE_GPG_OPTS")
            .map(|opts| {
                opts.to_string_lossy()
                    .split_whitespace()
                    .map(OsString::from)
                    .collect()
            })
            .unwrap_or_default();
        let mut envs = Vec::new();
        if std::env::var_os("GPG_TTY").is_none()
            && io::stdin().is_terminal()
            && let Ok(tty) = rustix::termios::ttyname(io::stdin(), Vec::new())
        {
            envs.push((
                OsString::from("GPG_TTY"),
                OsString::from(tty.to_string_lossy().into_owned()),
            ));
        }
        Gpg {
            program: OsString::from(program),
            options,
            envs,
        }
    }

    /// The same gpg run with `key=value` in its environment (e.g. `GNUPGHOME`).
    #[must_use]
    pub fn with_env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.envs
            .push((key.as_ref().to_owned(), value.as_ref().to_owned()));
        self
    }

    /// Whether the program runs at all (`--version`), before a store is walked.
    ///
    /// # Errors
    /// Why it does not: not installed, not on `PATH`, a failing exit.
    pub fn check(&self) -> Result<(), String> {
        let status = self
            .command()
            .arg("--version")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map_err(|e| format!("{} could not be run: {e}", self.name()))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("{} --version failed ({status})", self.name()))
        }
    }

    /// The plaintext of `file`, as `pass show` gets it: `gpg -d [PASSWORD_STORE_GPG_OPTS]
    /// --quiet --yes --compress-algo=none --no-encrypt-to --batch --use-agent -- FILE`, standard
    /// output read into a wiped buffer of at most [`MAX_PLAINTEXT`] bytes.
    ///
    /// # Errors
    /// Why gpg could not decrypt it: its exit status and the last line it wrote on standard
    /// error (never anything from standard output), or the plaintext being too large.
    pub fn decrypt(&self, file: &Path) -> Result<Zeroizing<Vec<u8>>, String> {
        let mut child = self
            .command()
            .arg("-d")
            .args(&self.options)
            .args(PASS_OPTIONS)
            .arg("--")
            .arg(file)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("{} could not be run: {e}", self.name()))?;
        let stderr = child.stderr.take().map(|mut err| {
            thread::spawn(move || {
                let mut text = Vec::new();
                let _ = err.by_ref().take(64 * 1024).read_to_end(&mut text);
                let _ = io::copy(&mut err, &mut io::sink());
                text
            })
        });
        let plaintext = match child.stdout.take() {
            Some(out) => wiped::read_limited(out, MAX_PLAINTEXT),
            None => Err(io::Error::other("no standard output")),
        };
        if !matches!(plaintext, Ok(Some(_))) {
            let _ = child.kill();
        }
        let status = child
            .wait()
            .map_err(|e| format!("{} did not finish: {e}", self.name()))?;
        let stderr = stderr
            .and_then(|reader| reader.join().ok())
            .unwrap_or_default();
        let plaintext = match plaintext {
            Ok(Some(plaintext)) => plaintext,
            Ok(None) => {
                return Err(format!(
                    "it decrypts to more than {} MiB",
                    MAX_PLAINTEXT / (1024 * 1024)
                ));
            }
            Err(e) => return Err(format!("reading gpg's output failed: {e}")),
        };
        if status.success() {
            Ok(plaintext)
        } else {
            Err(format!(
                "{} could not decrypt it ({status}){}",
                self.name(),
                last_line(&stderr)
                    .map(|line| format!(": {line}"))
                    .unwrap_or_default()
            ))
        }
    }

    /// The gpg command with the run's environment, and none of csvault's own secrets
    /// ([`crate::app::OWN_SECRETS`]): neither gpg nor a gpg-agent it starts keeps them.
    fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        command.envs(self.envs.iter().map(|(k, v)| (k, v)));
        for secret in crate::app::OWN_SECRETS {
            command.env_remove(secret);
        }
        command
    }

    fn name(&self) -> String {
        self.program.to_string_lossy().into_owned()
    }
}

/// gpg's last diagnostic line without its `gpg: ` prefix, control characters dropped, cut at
/// 200 characters.
fn last_line(stderr: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(stderr);
    let line = text.lines().rev().find(|line| !line.trim().is_empty())?;
    let line = line.trim();
    let line = line
        .strip_prefix("gpg: ")
        .or_else(|| line.strip_prefix("gpg2: "))
        .unwrap_or(line);
    Some(line.chars().filter(|c| !c.is_control()).take(200).collect())
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reason_is_gpgs_last_diagnostic_without_its_prefix() {
        let stderr = b"gpg: encrypted with 1 passphrase\ngpg: decryption failed: No secret key\n\n";
        assert_eq!(
            last_line(stderr).as_deref(),
            Some("decryption failed: No secret key")
        );
        assert_eq!(last_line(b"\n \n"), None);
        assert_eq!(last_line(b"gpg: bad\x1b[31m").as_deref(), Some("bad[31m"));
    }

    #[test]
    fn gpg_never_sees_csvaults_own_secrets() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let program = dir.path().join("fake-gpg");
        std::fs::write(&program, "#!/bin/sh\nenv\n").unwrap_or_else(|e| panic!("{e}"));
        std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755))
            .unwrap_or_else(|e| panic!("{e}"));
        let mut gpg = Gpg {
            program: program.into_os_string(),
            options: Vec::new(),
            envs: Vec::new(),
        }
        .with_env("GNUPGHOME", "/kept");
        for secret in crate::app::OWN_SECRETS {
            gpg = gpg.with_env(secret, "leaked-value");
        }
        let seen = gpg
            .decrypt(&dir.path().join("entry.gpg"))
            .unwrap_or_else(|e| panic!("{e}"));
        let seen = String::from_utf8_lossy(&seen);
        assert!(seen.contains("GNUPGHOME=/kept"), "{seen}");
        assert!(!seen.contains("leaked-value"), "{seen}");
        assert!(crate::app::OWN_SECRETS.contains(&"CSVAULT_IMPORT_PASSWORD"));
    }
}
