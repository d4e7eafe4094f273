//! The command line: clap definitions and the commands. JSON on stdout; errors as CSMS JSON on stderr.

pub mod import;
mod input;
mod keys;
mod output;
mod secrets;

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

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
    /// The vault file [default: ~/.local/share/csvault/vault.db]
    #[arg(long, global = true, env = "CSVAULT_PATH", value_name = "PATH")]
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
        #[arg(long)]
        limit: Option<usize>,
        /// Start after this name
        #[arg(long)]
        marker: Option<String>,
    },
    /// Show a secret's record (prints {"secret": {...}})
    Show { name: String },
    /// Print a version's value (prints {"version": {...}})
    GetValue {
        name: String,
        /// A version id (v1, v2, …) or `latest`
        #[arg(long, default_value = "latest")]
        version_id: String,
    },
    /// Create secrets from JSON Lines of create-secret request bodies (FILE or - for stdin)
    Import { file: PathBuf },
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
    Enable { key: String },
    /// Disable a CMK, by id or alias
    Disable { key: String },
}

#[allow(
    clippy::doc_markdown,
    reason = "these doc comments are --help text, shown as written"
)]
#[derive(Debug, Args)]
pub struct KeyCreateArgs {
    #[arg(long)]
    pub alias: String,
    #[arg(long, default_value = "")]
    pub description: String,
}

/// Runs a command on an unlocked vault (every command but `init`, which the process shell runs).
pub fn run(vault: &Vault, command: Command) -> Result<ExitCode, ApiError> {
    match command {
        Command::Init => {
            print_created(vault);
            Ok(ExitCode::SUCCESS)
        }
        Command::Secret(cmd) => secrets::run(vault, cmd),
        Command::Key(cmd) => keys::run(vault, cmd),
    }
}

/// What `init` prints: where the new vault is, and its id.
pub fn print_created(vault: &Vault) {
    output::print_json(&serde_json::json!({
        "vault": vault.path().display().to_string(),
        "vault_id": vault.vault_id(),
    }));
}

/// A command line clap refused (`VAULT.0008`, exit code 2), or `--help`/`--version` (exit 0).
pub fn usage(e: &clap::Error) -> ExitCode {
    if e.use_stderr() {
        output::print_error(&ApiError::new(
            ErrorCode::Usage,
            e.render().to_string().trim(),
        ));
        ExitCode::from(2)
    } else {
        let _ = e.print();
        ExitCode::SUCCESS
    }
}

pub use output::print_error;
