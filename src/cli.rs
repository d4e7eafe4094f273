//! The command line: clap definitions and the commands. JSON on stdout (tables for people with
//! `--output table`, the default on a terminal); errors as CSMS JSON on stderr.

mod backup;
pub mod checks;
mod child;
mod copy;
pub(crate) mod dotenv;
mod edit;
mod events;
mod expiry;
mod export;
pub mod import;
pub mod import_from;
mod inject;
mod input;
mod keys;
mod masking;
mod output;
mod password;
mod prompt;
mod reference;
pub mod remote;
pub mod run;
mod secrets;
pub mod shell;
pub mod sync;
mod table;
mod tags;
mod tasks;
mod values;
mod versions;

use clap::{Args, CommandFactory, Parser, Subcommand};
use std::collections::HashSet;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::csms::ApiError;
use crate::csms::op::Execute;
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
        env = crate::app::VAULT_PATH_ENV,
        hide_env_values = true,
        value_name = "PATH"
    )]
    pub vault: Option<PathBuf>,
    /// Read the passphrase from this file (else CSVAULT_PASSPHRASE, else a prompt)
    #[arg(long, global = true, value_name = "PATH")]
    pub passphrase_file: Option<PathBuf>,
    /// Print JSON (for scripts) or tables (for people) [default: table when stdout is a
    /// terminal, else json]
    #[arg(long, global = true, value_enum, value_name = "FORMAT")]
    pub output: Option<OutputFormat>,
    /// Do not use an agent holding the vault (csvault unlock): unlock in this process, with
    /// the passphrase
    #[arg(long, global = true)]
    pub no_agent: bool,
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
    /// Import secrets from another tool (pass, KeePassXC, Bitwarden, 1Password, .env) or from
    /// csvault's own JSON Lines (prints {"lines", "created", "skipped_existing", "failed",
    /// "blank", "renamed"}); one report line per entry on stderr
    ///
    /// Each entry becomes a secret named from its folders and title (see the README, "Moving
    /// in"); its report line says created, renamed, skipped (already in the vault) or failed and
    /// why, never a value. A re-run creates nothing twice. Exit 1 if any entry failed.
    ///
    /// Example: csvault import --from keepassxc --key-file db.keyx Passwords.kdbx
    Import(import_from::ImportArgs),
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
    /// signal stops it at once. It never uses an agent: it unlocks the vault in its own process.
    Serve(ServeArgs),
    /// Unlock once: start an agent holding this vault's keys, so the next commands need no
    /// passphrase (prints {"unlocked": true, "vault", "vault_id", "pid", "idle_locks_at",
    /// "locks_at"}, times in ms since the epoch)
    ///
    /// The passphrase comes as for every command. The agent answers only your uid, on a socket
    /// in a 0700 directory under $XDG_RUNTIME_DIR (else /tmp/csvault-UID), and locks after
    /// CSVAULT_AGENT_IDLE_SECS without a request (900) or CSVAULT_AGENT_MAX_SECS after unlocking
    /// (28800), on csvault lock, or on SIGTERM/SIGINT/SIGHUP. If one already holds the vault,
    /// says so and starts nothing. init, change-passphrase and serve never use it (serve keeps
    /// the keys in its own process).
    Unlock,
    /// Lock the agent holding this vault: it wipes the keys and ends (prints {"locked": true|false,
    /// "vault"}; false: none was running)
    Lock,
    /// The agent holding this vault
    #[command(subcommand)]
    Agent(AgentCommand),
    /// The agent process itself (started by unlock; the passphrase comes on stdin)
    #[command(name = "__agent", hide = true)]
    AgentProcess {
        #[arg(long)]
        idle_secs: u64,
        #[arg(long)]
        max_secs: u64,
    },
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
    // Secrets into programs (issue 15).
    /// Run a command with secrets in its environment, the values masked in its output
    ///
    /// Every reference is resolved first: one missing or disabled secret and the command is not
    /// started (exit 1). It gets csvault's environment without CSVAULT_PASSPHRASE,
    /// CSVAULT_NEW_PASSPHRASE and CSVAULT_SERVE_SK, plus the variables; each value in its stdout
    /// and stderr is replaced by <concealed by csvault> unless --no-masking. Signals csvault gets
    /// are passed on; csvault exits with its status (128+N when signal N ended it).
    ///
    /// Example: csvault run --env DB_PASSWORD=db@prod --env-file .env -- ./server --port 8080
    Run(run::RunArgs),
    /// Render a template's {{ csvault://NAME[@STAGE|#vN] }} references, to stdout or a file
    ///
    /// Every reference is resolved first; nothing is written when one fails. Everything else
    /// passes through byte for byte.
    ///
    /// Example: csvault inject -i config.yml.tpl -o config.yml
    Inject(inject::InjectArgs),
    // Backup and export (issue 16).
    /// Back up the whole vault into a new file while others keep writing: a consistent copy,
    /// 0600, checked (integrity, unlocks with the same passphrase) before it is moved into
    /// place; itself a vault (csvault --vault PATH …). Prints {"path", "bytes", "secrets",
    /// "time"} (time in ms since the epoch)
    Backup(backup::BackupArgs),
    /// Export every secret IN PLAINTEXT: JSON Lines records that csvault import reads back
    /// (--format bitwarden: Bitwarden's unencrypted JSON); never to a terminal; asks first on a
    /// terminal unless --yes; the file is 0600. Secrets pending deletion are left out (counted
    /// on stderr)
    Export(export::ExportArgs),
    // Sync with CSMS remotes (issue 17).
    /// CSMS remotes to push to, pull from and sync with: add, list, remove
    #[command(subcommand)]
    Remote(remote::RemoteCommand),
    // Push, pull and sync with CSMS remotes (issue 17).
    /// Push secrets to a remote (writes only there): one JSON line per secret {"name", "action",
    /// "to", "on", "reason", "status", "error"}, in name order; a summary on stderr. Exit 1 if
    /// a conflict is left or a secret failed
    Push(sync::SyncArgs),
    /// Pull secrets from a remote (writes only here); output as push's
    Pull(sync::SyncArgs),
    /// Sync with a remote both ways; output as push's
    Sync(sync::SyncArgs),
    // The shell around it (issue 15).
    /// Print a completion script for bash, zsh or fish (secret names complete while an agent
    /// holds the vault); see the README for where to put it
    Completions(shell::CompletionsArgs),
    /// Print the man page (roff): csvault and every command, each command a section; with
    /// --out-dir, one page per command instead
    Man(shell::ManArgs),
}

/// `csvault agent …`.
#[allow(
    clippy::doc_markdown,
    reason = "these doc comments are --help text, shown as written"
)]
#[derive(Debug, Subcommand)]
pub enum AgentCommand {
    /// Whether an agent holds this vault, and when it locks (prints {"running", "vault",
    /// "vault_id", "pid", "unlocked_at", "idle_locks_at", "locks_at"}, times in ms since the
    /// epoch; only "running" and "vault" when none runs)
    Status,
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
    // Secrets into programs (issue 15).
    Inject(inject::InjectArgs),
    // Backup and export (issue 16).
    Backup(backup::BackupArgs),
    Export(export::ExportArgs),
    // Moving in (issue 16): the source is opened before the vault is unlocked.
    Import(Box<import_from::Prepared>),
    // Remotes (issue 17): what `remote add` is given is read and checked before unlocking.
    Remote(remote::Prepared),
    // Push, pull and sync (issue 17).
    Transfer(crate::sync::plan::Mode, sync::SyncArgs),
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
        VaultCommand::Inject(args) => inject::run(vault, &args),
        VaultCommand::Backup(args) => backup::run(vault, &args),
        VaultCommand::Export(args) => export::run(vault, &args),
        VaultCommand::Import(prepared) => import_from::run(vault, *prepared),
        VaultCommand::Remote(prepared) => remote::run(vault, prepared),
        VaultCommand::Transfer(mode, args) => sync::run(vault, mode, &args),
    }
}

/// `generate-password`, which needs no vault.
pub fn generate_password(args: password::GeneratePasswordArgs) -> Result<ExitCode, ApiError> {
    password::run(args)
}

/// `completions` and `man`, which need no vault (issue 15); `None` for any other command.
pub fn shell_command(command: &Command) -> Option<ExitCode> {
    let result = match command {
        Command::Completions(args) => shell::completions(args),
        Command::Man(args) => shell::man(args),
        _ => return None,
    };
    Some(result.unwrap_or_else(|e| output::failed(&e)))
}

/// The internal commands, read before clap so they stay out of `--help`, the completion scripts
/// and the man page: `csvault __complete-secrets [--] [PREFIX]` (secret names from `agent`, for
/// the completion scripts; never asks for anything) and `csvault __clipboard-keeper
/// --clear-after-secs N` (the background process of `secret copy`). `None` when `args` (without
/// the program name) is neither.
pub fn internal_command(
    args: &[std::ffi::OsString],
    agent: Option<&dyn Execute>,
) -> Option<ExitCode> {
    let (first, rest) = args.split_first()?;
    match first.to_str()? {
        shell::COMPLETE_SECRETS => {
            let rest = match rest.first().and_then(|a| a.to_str()) {
                Some("--") => &rest[1..],
                _ => rest,
            };
            let prefix = rest
                .first()
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_default();
            Some(shell::complete_secrets(agent, &prefix))
        }
        copy::KEEPER => {
            let secs = match rest {
                [flag, secs] if flag == "--clear-after-secs" => {
                    secs.to_str().and_then(|s| s.parse::<u64>().ok())
                }
                _ => None,
            }?;
            let clear_after = std::time::Duration::from_secs(secs.clamp(1, copy::MAX_CLEAR_SECS));
            Some(crate::clipboard::keeper::run(clear_after))
        }
        _ => None,
    }
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

/// A command line clap refused: clap's own readable message (the mistake named, its "tip:"
/// hints, coloured only when stderr is a terminal and `NO_COLOR` is unset) on stderr, exit code
/// 2; or `--help`/`--version` on stdout (exit 0; 1 if stdout cannot take it). What was given to
/// a value flag, one that carries a secret value or a passphrase ([`SENSITIVE_FLAG_WORDS`]:
/// `--secret-string hunter2`, `--secret-string=hunter2`, anywhere on the line), is shown as
/// `<redacted>` wherever the message would quote it; command names, flags and every other word
/// are quoted as typed, so the mistake is named (docs/DECISIONS.md "Issue 15: output for
/// people").
pub fn usage(e: &clap::Error) -> ExitCode {
    if e.use_stderr() {
        use std::io::{IsTerminal, Write};
        let args: Vec<String> = std::env::args_os()
            .skip(1)
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let colour = std::io::stderr().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        let rendered = if colour {
            e.render().ansi().to_string()
        } else {
            e.render().to_string()
        };
        let flags = value_flags();
        let mut values = values_given(&args, &flags);
        values.extend(forgotten_flag_value(e, &args, &flags));
        let message = redact_values(&rendered, &values);
        let _ = std::io::stderr().lock().write_all(message.as_bytes());
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

/// A flag whose long name holds one of these carries a secret value or a passphrase (or the
/// file holding one): what it was given is never echoed. Taken from the clap definitions, so a
/// new such flag is covered by its name.
const SENSITIVE_FLAG_WORDS: [&str; 4] =
    ["secret-string", "secret-binary", "passphrase", "password"];

/// The value flags of the command line (any command's), `--long` and `-s`: those that take a
/// value and carry a secret or a passphrase by their name.
fn value_flags() -> HashSet<String> {
    fn walk(cmd: &clap::Command, flags: &mut HashSet<String>) {
        for arg in cmd.get_arguments() {
            let sensitive = arg
                .get_long()
                .is_some_and(|l| SENSITIVE_FLAG_WORDS.iter().any(|w| l.contains(w)));
            if arg.is_positional() || !arg.get_action().takes_values() || !sensitive {
                continue;
            }
            flags.extend(arg.get_long().map(|l| format!("--{l}")));
            flags.extend(arg.get_short().map(|s| format!("-{s}")));
        }
        for sub in cmd.get_subcommands() {
            walk(sub, flags);
        }
    }
    let mut flags = HashSet::new();
    walk(&Cli::command(), &mut flags);
    flags
}

/// What the line gave to value flags: the word after `--flag`, or after `=` in `--flag=…`.
fn values_given(args: &[String], flags: &HashSet<String>) -> Vec<String> {
    let mut values = Vec::new();
    let mut value_next = false;
    for arg in args {
        if std::mem::replace(&mut value_next, false) {
            values.push(arg.clone());
            continue;
        }
        if arg == "--" {
            break;
        }
        match arg.split_once('=') {
            Some((flag, value)) if flags.contains(flag) => values.push(value.to_owned()),
            _ => value_next = flags.contains(arg.as_str()),
        }
    }
    values.retain(|v| !v.is_empty());
    values
}

/// A bare word clap found no place for on a command that takes a value flag (`secret create
/// --name x hunter2`): a value whose flag was forgotten, so redacted as one. A mistyped command
/// is clap's "unrecognized subcommand" and a mistyped flag starts with `-`: both stay named.
fn forgotten_flag_value(
    e: &clap::Error,
    args: &[String],
    flags: &HashSet<String>,
) -> Option<String> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if e.kind() != ErrorKind::UnknownArgument {
        return None;
    }
    let Some(ContextValue::String(word)) = e.get(ContextKind::InvalidArg) else {
        return None;
    };
    if word.starts_with('-') {
        return None;
    }
    // The command the line reached, and whether it has a value flag.
    let mut cmd = Cli::command();
    for arg in args {
        match cmd.find_subcommand(arg) {
            Some(sub) => cmd = sub.clone(),
            None if arg == "--" => break,
            None => {}
        }
    }
    let takes_values = cmd.get_arguments().any(|a| {
        a.get_long()
            .is_some_and(|l| flags.contains(&format!("--{l}")))
    });
    takes_values.then(|| word.clone())
}

/// Drops the ANSI styles clap colours a message with (`ESC [ … m`).
fn without_styles(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `message` with every value given to a value flag replaced by `<redacted>`, wherever it
/// shows, whatever it holds (quotes, spaces): matched as a substring of the message without its
/// ANSI styles, the styles inside a match kept so colours stay balanced. A value of one or two
/// characters only where clap quotes it whole (`'ab'`), lest every `a` go. Then every quoted
/// token (clap quotes what it echoes: `'-H'` of `-Hunter2`) that is part of a value.
fn redact_values(message: &str, values: &[String]) -> String {
    redact_fragments(&redact_whole(message, values), values)
}

/// The whole-value pass of [`redact_values`].
fn redact_whole(message: &str, values: &[String]) -> String {
    // The message without styles, each char with its byte range in `message`.
    let mut plain = String::with_capacity(message.len());
    let mut spans: Vec<(usize, usize)> = Vec::with_capacity(message.len());
    let mut chars = message.char_indices();
    while let Some((at, c)) = chars.next() {
        if c == '\u{1b}' {
            for (_, c) in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            plain.push(c);
            spans.push((at, at + c.len_utf8()));
        }
    }
    // Which plain chars are hidden; longest values first (a shorter one inside a longer one
    // falls in the same stretch).
    let mut hidden = vec![false; spans.len()];
    let mut sorted: Vec<&String> = values.iter().filter(|v| !v.is_empty()).collect();
    sorted.sort_by_key(|v| std::cmp::Reverse(v.len()));
    for value in sorted {
        let short = value.chars().count() <= 2;
        for (byte_at, _) in plain.match_indices(value.as_str()) {
            let first = plain[..byte_at].chars().count();
            let count = value.chars().count();
            let quoted = plain[..byte_at].ends_with('\'')
                && plain[byte_at + value.len()..].starts_with('\'');
            if short && !quoted {
                continue;
            }
            for h in &mut hidden[first..first + count] {
                *h = true;
            }
        }
    }
    // Rebuilt: the hidden stretches as one `<redacted>` each, the styles in them kept.
    let mut out = String::with_capacity(message.len() + 16);
    let mut copied_to = 0;
    let mut n = 0;
    while n < spans.len() {
        if !hidden[n] {
            n += 1;
            continue;
        }
        let start = spans[n].0;
        while n < spans.len() && hidden[n] {
            n += 1;
        }
        let end = spans[n - 1].1;
        out.push_str(&message[copied_to..start]);
        out.push_str("<redacted>");
        // The styles between the hidden chars.
        let mut inner = message[start..end].chars();
        while let Some(c) = inner.next() {
            if c == '\u{1b}' {
                out.push(c);
                for c in inner.by_ref() {
                    out.push(c);
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
        }
        copied_to = end;
    }
    out.push_str(&message[copied_to..]);
    out
}

/// The quoted-fragment pass of [`redact_values`]: a quoted token that is part of a value.
fn redact_fragments(message: &str, values: &[String]) -> String {
    let mut out = String::with_capacity(message.len());
    let mut parts = message.split('\'');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    // Odd parts sit between quotes.
    for (n, part) in parts.enumerate() {
        out.push('\'');
        let plain = without_styles(part);
        let shows_value =
            !plain.is_empty() && plain != "<redacted>" && values.iter().any(|v| v.contains(&plain));
        if n % 2 == 0 && shows_value {
            out.push_str("<redacted>");
        } else {
            out.push_str(part);
        }
    }
    out
}

pub use output::{
    Format as OutputFormat, choose_format, failed, print_error, print_json, print_warning,
    warn_deliveries,
};

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|&a| a.to_owned()).collect()
    }

    fn redacted(message: &str, given: &[&str]) -> String {
        redact_values(message, &values_given(&args(given), &value_flags()))
    }

    #[test]
    fn usage_errors_redact_only_what_was_given_to_a_value_flag() {
        let given = ["secret", "create", "--secret-string", "-Hunter2"];
        assert_eq!(
            redacted("error: unexpected argument '-H' found", &given),
            "error: unexpected argument '<redacted>' found"
        );
        let given = ["secret", "create", "--secret-binary=aGk=x"];
        assert_eq!(
            redacted("invalid value 'aGk=x' for '--secret-binary <B64>'", &given),
            "invalid value '<redacted>' for '--secret-binary <B64>'"
        );
        let given = [
            "secret",
            "create",
            "--name",
            "x",
            "-S3CRET",
            "--secret-string",
            "-S3CRET",
        ];
        assert_eq!(
            redacted(
                "tip: to pass '-S3CRET' as a value, use '-- -S3CRET'",
                &given
            ),
            "tip: to pass '<redacted>' as a value, use '-- <redacted>'"
        );
        // Our own words and what was typed elsewhere stay, so the message names the mistake.
        let given = ["secret", "list", "--limit", "ten"];
        assert_eq!(
            redacted("invalid value 'ten' for '--limit <LIMIT>'", &given),
            "invalid value 'ten' for '--limit <LIMIT>'"
        );
        let given = ["secret", "lsit", "--bogus-flag"];
        assert_eq!(
            redacted("unrecognized subcommand 'lsit' and '--bogus-flag'", &given),
            "unrecognized subcommand 'lsit' and '--bogus-flag'"
        );
        let given = ["secret", "create", "--secret-string"];
        assert_eq!(
            redacted("a value is required for '--secret-string <S>'", &given),
            "a value is required for '--secret-string <S>'"
        );
        // Styled quotes (a terminal) are compared without their colours.
        let given = ["--passphrase-file", "hunter2.txt", "secret", "lst"];
        assert_eq!(
            redacted(
                "'\u{1b}[33mhunter2.txt\u{1b}[0m' and '\u{1b}[33mlst\u{1b}[0m'",
                &given
            ),
            "'\u{1b}[33m<redacted>\u{1b}[0m' and '\u{1b}[33mlst\u{1b}[0m'"
        );
    }

    #[test]
    fn values_holding_quotes_or_spaces_are_redacted_whole() {
        let given = [
            "secret",
            "create",
            "--name",
            "x",
            "--secret-string",
            "pa'ss word",
        ];
        assert_eq!(
            redacted("error: unexpected argument 'pa'ss word' found", &given),
            "error: unexpected argument '<redacted>' found"
        );
        let given = ["secret", "create", "--secret-string=say \"it's\" now"];
        assert_eq!(
            redacted(
                "error: unexpected argument 'say \"it's\" now' found; 'say \"it's\" now' again",
                &given
            ),
            "error: unexpected argument '<redacted>' found; '<redacted>' again"
        );
        // Styled: the value matched without its colours, the colours kept.
        let given = ["--passphrase-file=my 'pass'.txt", "secret", "lst"];
        assert_eq!(
            redacted(
                "'\u{1b}[33mmy 'pass'.txt\u{1b}[0m' and '\u{1b}[33mlst\u{1b}[0m'",
                &given
            ),
            "'\u{1b}[33m<redacted>\u{1b}[0m' and '\u{1b}[33mlst\u{1b}[0m'"
        );
        // A short value only where clap quotes it whole.
        let given = ["secret", "create", "--name", "ab", "--secret-string", "a'"];
        assert_eq!(
            redacted("error: 'a'' is not 'ab', a value", &given),
            "error: '<redacted>' is not 'ab', a value"
        );
    }
}
