//! The command line: clap definitions and the commands. JSON on stdout; errors as CSMS JSON on stderr.

pub mod checks;
mod events;
mod expiry;
pub mod import;
mod input;
mod keys;
mod output;
mod password;
mod secrets;
mod tags;
mod tasks;
mod values;
mod versions;

use clap::{Args, CommandFactory, Parser, Subcommand};
use std::collections::HashSet;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::csms::op::Execute;
use crate::csms::{ApiError, ErrorCode};
use crate::vault::Vault;

/// csvault: Huawei Cloud CSMS secrets on your own machine, in one encrypted SQLite file.
///
/// Without a command, opens the terminal app.
#[allow(
    clippy::doc_markdown,
    reason = "these doc comments are --help text, shown as written"
)]
#[derive(Debug, Parser)]
#[command(name = "csvault", version, about)]
pub struct Cli {
    /// The vault file [default: $XDG_DATA_HOME/csvault/vault.db; without XDG_DATA_HOME,
    /// ~/.local/share/csvault/vault.db]
    #[arg(
        long,
        global = true,
        env = "CSVAULT_PATH",
        hide_env_values = true,
        value_name = "PATH"
    )]
    pub vault: Option<PathBuf>,
    /// Read the passphrase from this file (else CSVAULT_PASSPHRASE, else a prompt)
    #[arg(long, global = true, value_name = "PATH")]
    pub passphrase_file: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[allow(
    clippy::doc_markdown,
    reason = "these doc comments are --help text, shown as written"
)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new vault (refuses to overwrite one) and print where it is
    Init,
    /// Secrets: create, read, list, versions and stages, update, delete and restore, backups, import
    #[command(subcommand)]
    Secret(secrets::SecretCommand),
    /// Customer master keys (CMKs): create, list, enable, disable
    #[command(subcommand)]
    Key(keys::KeyCommand),
    /// Events secrets subscribe to: create, show, update, delete, list
    #[command(subcommand)]
    Event(events::EventCommand),
    /// Notification records, newest first (prints {"records": [...], "page_info": {...}});
    /// with CSVAULT_NOTIFY_COMMAND set, each record fired is also given to that program on stdin
    Notifications(events::NotificationsArgs),
    /// Generate a random password; needs no vault (prints {"password": "..."})
    GeneratePassword(password::GeneratePasswordArgs),
    /// Change the vault's passphrase (new one from CSVAULT_NEW_PASSPHRASE, --new-passphrase-file,
    /// or asked twice); prints {"vault", "vault_id"}
    ChangePassphrase {
        /// Read the new passphrase from this file
        #[arg(long, value_name = "PATH")]
        new_passphrase_file: Option<PathBuf>,
    },
    /// Serve the CSMS REST API here, for the official SDKs; first stdout line:
    /// {"listening", "project_id", "access_key"} (+ "secret_key" when the pair is new)
    ///
    /// Requests must be signed with the AK/SK pair (SDK-HMAC-SHA256), from CSVAULT_SERVE_AK and
    /// CSVAULT_SERVE_SK, else the pair made on the first start and kept in the vault (its SK is
    /// shown once; --show-credentials shows it again). One log line per request on stderr.
    /// SIGTERM, SIGINT (Ctrl+C) or SIGHUP stop it once requests in flight are done; a second
    /// signal stops it at once.
    Serve(ServeArgs),
    /// Rotation tasks, newest first (prints {"tasks": [...], "total", "next_marker"})
    Tasks(tasks::TasksArgs),
    /// Every tag key in use and its values, sorted (prints {"tags": [{"key", "values"}]})
    Tags,
    // Checks and the health report (issue 14).
    /// Checks: the strength-warning setting, a value's strength, the report's stored windows
    #[command(subcommand)]
    Check(checks::CheckCommand),
    /// The health report: weak, reused, expired and expiring, rotation overdue, unchanged;
    /// names only, never values (prints {"weak", "reused", "expired", "expiring",
    /// "rotation_overdue", "unchanged", "skipped", ...}; exit 0)
    Report(checks::ReportArgs),
}

/// `csvault serve`'s options. AK/SK come from CSVAULT_SERVE_AK and CSVAULT_SERVE_SK, else a pair
/// made on first start and kept sealed in the vault.
#[allow(
    clippy::doc_markdown,
    reason = "these doc comments are --help text, shown as written"
)]
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on (HOST:PORT, or a port on 127.0.0.1; port 0: any free
    /// port); off loopback, TLS is required
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8787")]
    pub listen: String,
    /// TLS certificate chain (PEM), with --tls-key
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// TLS private key (PEM), with --tls-cert
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Print the endpoint's {"access_key", "secret_key", "project_id"} and exit
    #[arg(long, conflicts_with_all = ["listen", "tls_cert", "tls_key"])]
    pub show_credentials: bool,
}

/// The commands that run on an unlocked vault and print an operation's response.
pub enum VaultCommand {
    Secret(secrets::SecretCommand),
    Key(keys::KeyCommand),
    Tasks(tasks::TasksArgs),
    Event(events::EventCommand),
    Notifications(events::NotificationsArgs),
    Tags,
    // Checks and the health report (issue 14).
    Check(checks::CheckCommand),
    Report(checks::ReportArgs),
}

/// Runs a command on an unlocked vault.
pub fn run(vault: &dyn Execute, command: VaultCommand) -> Result<ExitCode, ApiError> {
    match command {
        VaultCommand::Secret(cmd) => secrets::run(vault, cmd),
        VaultCommand::Key(cmd) => keys::run(vault, cmd),
        VaultCommand::Tasks(args) => tasks::run(vault, args),
        VaultCommand::Event(cmd) => events::run(vault, cmd),
        VaultCommand::Notifications(args) => events::notifications(vault, args),
        VaultCommand::Tags => tags::run_project(vault),
        VaultCommand::Check(cmd) => checks::run(vault, cmd),
        VaultCommand::Report(args) => checks::report(vault, &args),
    }
}

/// `generate-password`, which needs no vault.
pub fn generate_password(args: password::GeneratePasswordArgs) -> Result<ExitCode, ApiError> {
    password::run(args)
}

/// `check strength`, which needs no vault (checks, issue 14).
pub fn strength_check(args: checks::StrengthArgs) -> Result<ExitCode, ApiError> {
    checks::strength_check(args)
}

/// A JSON body holding a secret (a key, a value) on stdout, from a wiped buffer.
pub fn print_sensitive<T: serde::Serialize>(body: &T) -> Result<(), ApiError> {
    output::print_sensitive_json(body)
}

/// What `init` and `change-passphrase` print: where the new vault is, and its id.
pub fn print_created(vault: &Vault) -> Result<(), ApiError> {
    output::print_json(&serde_json::json!({
        "vault": vault.path().display().to_string(),
        "vault_id": vault.vault_id(),
    }))
}

/// A command line clap refused (`VAULT.0008`, exit code 2), or `--help`/`--version` (exit 0;
/// 1 if stdout cannot take it). Nothing the user typed other than our own command and flag names
/// appears in the message: a value given in the wrong place is still a value.
pub fn usage(e: &clap::Error) -> ExitCode {
    if e.use_stderr() {
        let args: Vec<String> = std::env::args_os()
            .skip(1)
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let message = redact_values(e.render().to_string().trim(), &args, &words_of_ours());
        output::print_error(&ApiError::new(ErrorCode::Usage, message));
        ExitCode::from(2)
    } else {
        match output::print_bytes(e.render().to_string().as_bytes()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                output::print_error(&e);
                ExitCode::FAILURE
            }
        }
    }
}

/// The command line's own words: command names and flags, and which flags take a value.
struct Words {
    ours: HashSet<String>,
    take_values: HashSet<String>,
}

/// Every command name and flag (`--long`, `-s`) of the command line.
fn words_of_ours() -> Words {
    fn walk(cmd: &clap::Command, words: &mut Words) {
        words.ours.insert(cmd.get_name().to_owned());
        for arg in cmd.get_arguments() {
            let names: Vec<String> = arg
                .get_long()
                .map(|l| format!("--{l}"))
                .into_iter()
                .chain(arg.get_short().map(|s| format!("-{s}")))
                .collect();
            if arg.get_action().takes_values() {
                words.take_values.extend(names.iter().cloned());
            }
            words.ours.extend(names);
        }
        for sub in cmd.get_subcommands() {
            walk(sub, words);
        }
    }
    let mut words = Words {
        ours: HashSet::new(),
        take_values: HashSet::new(),
    };
    walk(&Cli::command(), &mut words);
    words
        .ours
        .extend(["--help", "-h", "--version", "-V", "help"].map(String::from));
    words
}

/// Whether `arg` reads as a long flag (`--bogus-flag`): echoed in an error, unless it was given
/// as the value of a flag.
fn looks_like_flag(arg: &str) -> bool {
    arg.strip_prefix("--").is_some_and(|rest| {
        rest.starts_with(|c: char| c.is_ascii_lowercase())
            && rest
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    })
}

/// `message` with every quoted token that is part of something the user typed, other than our
/// command and flag names and things that read as flags, replaced by `<redacted>`: clap quotes
/// what it echoes (`'-H'`, `'hunter2'`), and any argument may be a value in the wrong place.
fn redact_values(message: &str, args: &[String], words: &Words) -> String {
    let mut typed: Vec<&str> = Vec::new();
    let mut value_next = false;
    for arg in args {
        let is_value = std::mem::replace(&mut value_next, words.take_values.contains(arg));
        match arg.split_once('=') {
            _ if is_value => typed.push(arg),
            Some((flag, value)) if words.ours.contains(flag) => typed.push(value),
            _ if words.ours.contains(arg.as_str()) || looks_like_flag(arg) => {}
            _ => typed.push(arg),
        }
    }
    let mut out = String::with_capacity(message.len());
    let mut parts = message.split('\'');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    // Odd parts sit between quotes.
    for (n, part) in parts.enumerate() {
        out.push('\'');
        // Inside the quotes: part of something typed, or something typed quoted inside a
        // longer hint (`'-- -x1'`); values of one or two characters only in the first sense.
        let shows_typed = typed
            .iter()
            .any(|v| v.contains(part) || (v.len() > 2 && part.contains(v)));
        if n % 2 == 0 && !part.is_empty() && shows_typed {
            out.push_str("<redacted>");
        } else {
            out.push_str(part);
        }
    }
    out
}

pub use output::{print_error, warn_deliveries};

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|&a| a.to_owned()).collect()
    }

    #[test]
    fn usage_errors_never_echo_what_was_typed() {
        let ours = words_of_ours();
        let given = args(&["secret", "create", "--secret-string", "-Hunter2"]);
        assert_eq!(
            redact_values("error: unexpected argument '-H' found", &given, &ours),
            "error: unexpected argument '<redacted>' found"
        );
        let given = args(&["secret", "create", "--secret-binary=aGk=x"]);
        assert_eq!(
            redact_values(
                "invalid value 'aGk=x' for '--secret-binary <B64>'",
                &given,
                &ours
            ),
            "invalid value '<redacted>' for '--secret-binary <B64>'"
        );
        // A value with its flag forgotten is still a value.
        let given = args(&["secret", "create", "--name", "x", "S3CRET"]);
        assert_eq!(
            redact_values("error: unexpected argument 'S3CRET' found", &given, &ours),
            "error: unexpected argument '<redacted>' found"
        );
        let given = args(&["secret", "create", "--name", "x", "-S3CRET"]);
        assert_eq!(
            redact_values(
                "tip: to pass '-S3CRET' as a value, use '-- -S3CRET'",
                &given,
                &ours
            ),
            "tip: to pass '<redacted>' as a value, use '<redacted>'"
        );
        // Our own words stay, so the message still helps.
        let given = args(&["secret", "create", "--bogus-flag"]);
        assert_eq!(
            redact_values("unexpected argument '--bogus-flag' found", &given, &ours),
            "unexpected argument '--bogus-flag' found"
        );
        let given = args(&["secret", "create", "--secret-string", "--looks-like-a-flag"]);
        assert_eq!(
            redact_values("'--looks-like-a-flag' again", &given, &ours),
            "'<redacted>' again"
        );
        let given = args(&["secret", "create", "--secret-string"]);
        assert_eq!(
            redact_values(
                "a value is required for '--secret-string <S>'",
                &given,
                &ours
            ),
            "a value is required for '--secret-string <S>'"
        );
    }
}
