//! The command line: clap definitions and dispatch. JSON on stdout; errors as CSMS JSON on stderr.

pub mod import;
mod input;
mod keys;
mod output;
mod passphrase;
mod secrets;

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::csms::{ApiError, ErrorCode};
use crate::store::StoreError;
use crate::vault::{Vault, VaultError};

pub use passphrase::PassphraseSource;

/// csvault: Huawei Cloud CSMS secrets on your own machine, in one encrypted SQLite file.
///
/// Without a command, opens the terminal app.
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

#[derive(Debug, Args)]
pub struct KeyCreateArgs {
    #[arg(long)]
    pub alias: String,
    #[arg(long, default_value = "")]
    pub description: String,
}

/// Parses the command line and runs it; the process's exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            output::print_error(&ApiError::new(
                ErrorCode::Usage,
                e.render().to_string().trim(),
            ));
            return ExitCode::from(2);
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            output::print_error(&e);
            ExitCode::FAILURE
        }
    }
}

fn default_vault_path() -> Result<PathBuf, ApiError> {
    dirs::data_dir()
        .map(|d| d.join("csvault").join("vault.db"))
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::Io,
                "No data directory is known for this user: give --vault PATH or set CSVAULT_PATH.",
            )
        })
}

fn run(cli: Cli) -> Result<ExitCode, ApiError> {
    let path = match cli.vault {
        Some(p) => p,
        None => default_vault_path()?,
    };
    let source = PassphraseSource::from_env_and_file(cli.passphrase_file.as_deref());
    let Some(command) = cli.command else {
        let passphrase = source.non_interactive()?;
        crate::tui::run(&path, passphrase)
            .map_err(|e| ApiError::new(ErrorCode::Io, format!("The terminal app failed: {e}")))?;
        return Ok(ExitCode::SUCCESS);
    };
    if let Command::Init = command {
        let passphrase = source.for_new_vault()?;
        let vault = Vault::init(&path, passphrase.as_bytes())?;
        output::print_json(&serde_json::json!({
            "vault": vault.path().display().to_string(),
            "vault_id": vault.vault_id(),
        }));
        return Ok(ExitCode::SUCCESS);
    }
    if !Vault::exists(&path) {
        // Said before asking for a passphrase, in the vault's own words.
        return Err(VaultError::from(StoreError::NoVault(path)).to_api());
    }
    let passphrase = source.for_existing_vault()?;
    let mut vault = Vault::open(&path, passphrase.as_bytes())?;
    drop(passphrase);
    match command {
        Command::Init => Ok(ExitCode::SUCCESS),
        Command::Secret(cmd) => secrets::run(&mut vault, cmd),
        Command::Key(cmd) => keys::run(&mut vault, cmd),
    }
}
