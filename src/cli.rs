//! The command line: clap definitions and the commands. JSON on stdout; errors as CSMS JSON on stderr.

pub mod import;
mod input;
mod keys;
mod output;
mod secrets;

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::csms::{ApiError, DEFAULT_PAGE_LIMIT, ErrorCode};
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
    /// The vault file [default: ~/.local/share/csvault/vault.db]
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
    /// Secrets: create, list, show, read values, import
    #[command(subcommand)]
    Secret(SecretCommand),
    /// Customer master keys (CMKs): create, list, enable, disable
    #[command(subcommand)]
    Key(KeyCommand),
}

#[allow(
    clippy::doc_markdown,
    reason = "these doc comments are --help text, shown as written"
)]
#[derive(Debug, Subcommand)]
pub enum SecretCommand {
    /// Create a secret (prints {"secret": {...}})
    Create(secrets::CreateArgs),
    /// List secrets by name (prints {"secrets": [...], "page_info": {...}})
    List {
        /// Page size, 1–1000
        #[arg(long, default_value_t = DEFAULT_PAGE_LIMIT)]
        limit: usize,
        /// Start after this name (exclusive; it need not exist)
        #[arg(long)]
        marker: Option<String>,
    },
    /// Show a secret's record (prints {"secret": {...}})
    Show {
        /// The secret's name
        name: String,
    },
    /// Print a version's value (prints {"version": {...}})
    GetValue {
        /// The secret's name
        name: String,
        /// A version id (v1, v2, …) or `latest`
        #[arg(long, default_value = "latest")]
        version_id: String,
    },
    /// Create secrets from JSON Lines of create-secret request bodies
    Import {
        /// A file of JSON Lines, or - for stdin
        file: PathBuf,
    },
}

#[allow(
    clippy::doc_markdown,
    reason = "these doc comments are --help text, shown as written"
)]
#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Create a CMK (prints {"key_info": {...}})
    Create(KeyCreateArgs),
    /// List CMKs (prints {"key_details": [...]})
    List,
    /// Enable a CMK, by id or alias
    Enable {
        /// The CMK's id or alias
        key: String,
    },
    /// Disable a CMK, by id or alias
    Disable {
        /// The CMK's id or alias
        key: String,
    },
}

#[allow(
    clippy::doc_markdown,
    reason = "these doc comments are --help text, shown as written"
)]
#[derive(Debug, Args)]
pub struct KeyCreateArgs {
    /// The alias: 1–255 of a–z A–Z 0–9 : / _ - (not ending in /default)
    #[arg(long)]
    pub alias: String,
    /// What the key is for: at most 255 characters
    #[arg(long, default_value = "", allow_hyphen_values = true)]
    pub description: String,
}

/// Runs a command on an unlocked vault (every command but `init`, which the process shell runs).
pub fn run(vault: &Vault, command: Command) -> Result<ExitCode, ApiError> {
    match command {
        Command::Init => {
            print_created(vault)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Secret(cmd) => secrets::run(vault, cmd),
        Command::Key(cmd) => keys::run(vault, cmd),
    }
}

/// What `init` prints: where the new vault is, and its id.
pub fn print_created(vault: &Vault) -> Result<(), ApiError> {
    output::print_json(&serde_json::json!({
        "vault": vault.path().display().to_string(),
        "vault_id": vault.vault_id(),
    }))
}

/// Flags whose argument is a secret value: it is never echoed in an error.
const VALUE_FLAGS: &[&str] = &["--secret-string", "--secret-binary"];

/// A command line clap refused (`VAULT.0008`, exit code 2), or `--help`/`--version` (exit 0).
/// Nothing given to a value flag appears in the message.
pub fn usage(e: &clap::Error) -> ExitCode {
    if e.use_stderr() {
        let args: Vec<String> = std::env::args_os()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let message = redact_values(e.render().to_string().trim(), &args);
        output::print_error(&ApiError::new(ErrorCode::Usage, message));
        ExitCode::from(2)
    } else {
        let _ = e.print();
        ExitCode::SUCCESS
    }
}

/// `message` with every quoted token that is part of a value-flag argument replaced by
/// `<redacted>` (clap quotes what it echoes: `'-H'`, `'hunter2'`).
fn redact_values(message: &str, args: &[String]) -> String {
    let mut values: Vec<&str> = Vec::new();
    for (i, arg) in args.iter().enumerate() {
        for flag in VALUE_FLAGS {
            if arg == flag {
                values.extend(args.get(i + 1).map(String::as_str));
            } else if let Some(v) = arg.strip_prefix(flag).and_then(|r| r.strip_prefix('=')) {
                values.push(v);
            }
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
        if n % 2 == 0 && !part.is_empty() && values.iter().any(|v| v.contains(part)) {
            out.push_str("<redacted>");
        } else {
            out.push_str(part);
        }
    }
    out
}

pub use output::print_error;

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|&a| a.to_owned()).collect()
    }

    #[test]
    fn usage_errors_never_echo_a_value() {
        let given = args(&["csvault", "secret", "create", "--secret-string", "-Hunter2"]);
        assert_eq!(
            redact_values("error: unexpected argument '-H' found", &given),
            "error: unexpected argument '<redacted>' found"
        );
        let given = args(&["csvault", "secret", "create", "--secret-binary=aGk=x"]);
        assert_eq!(
            redact_values("invalid value 'aGk=x' for '--secret-binary <B64>'", &given),
            "invalid value '<redacted>' for '--secret-binary <B64>'"
        );
        let given = args(&["csvault", "secret", "show"]);
        assert_eq!(
            redact_values("unexpected argument '--x' found", &given),
            "unexpected argument '--x' found"
        );
    }
}
