//! The process shell: parses the command line, finds the vault, gets the passphrase, unlocks, and
//! hands over to one edge (the command line, or the terminal app when no command is given).

mod hardening;
mod passphrase;
mod serve;

use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::cli::{self, Cli, Command, VaultCommand};
use crate::csms::{ApiError, ErrorCode};
use crate::vault::{NOTIFY_COMMAND_ENV, Vault, await_deliveries, configure_delivery};

pub use passphrase::{PASSPHRASE_ENV, PassphraseSource};
pub use serve::{ACCESS_KEY_ENV, SECRET_KEY_ENV};

/// Runs the process; its exit code (0 ok, 1 a failed operation, 2 a malformed command line).
pub fn main() -> ExitCode {
    hardening::harden_process();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return cli::usage(&e),
    };
    configure_notifications();
    let code = match run(cli) {
        Ok(code) => code,
        Err(e) => {
            cli::print_error(&e);
            ExitCode::FAILURE
        }
    };
    // What this process fired is delivered before it ends (each delivery within 10 s, all of
    // them within 30 s; the rest stay PENDING for a later housekeeping to settle).
    cli::warn_deliveries(await_deliveries());
    code
}

/// `CSVAULT_NOTIFY_COMMAND`: the program each notification record this process fires is given
/// to (docs/DECISIONS.md "notification records"). It never sees the passphrases or the
/// endpoint's SK from the environment.
fn configure_notifications() {
    let command = std::env::var_os(NOTIFY_COMMAND_ENV)
        .filter(|c| !c.is_empty())
        .map(PathBuf::from);
    configure_delivery(
        command,
        &[
            PASSPHRASE_ENV,
            passphrase::NEW_PASSPHRASE_ENV,
            SECRET_KEY_ENV,
        ],
    );
}

/// `$XDG_DATA_HOME/csvault/vault.db`, else `~/.local/share/csvault/vault.db` (the platform's data
/// directory); `VAULT.0007` if none.
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
        // Whatever is at the path that is neither a vault nor nothing is said before the app starts.
        Vault::probe(&path)?;
        // Said before anything reaches stdout: a redirected run gets this error and nothing else.
        if !crate::tui::has_terminal() {
            return Err(ApiError::new(
                ErrorCode::Io,
                "The terminal app needs a terminal on stdin and stdout; \
                 for scripts, use a command (csvault --help lists them).",
            ));
        }
        // Moved out of the source, not copied: the app's unlock wipes the one copy.
        let passphrase = source.into_given()?;
        let note = crate::tui::run(&path, passphrase)
            .map_err(|e| ApiError::new(ErrorCode::Io, format!("The terminal app failed: {e}")))?;
        // Said after the alternate screen is left, so it stays readable.
        if let Some(note) = note {
            eprintln!("{note}");
            return Ok(ExitCode::FAILURE);
        }
        return Ok(ExitCode::SUCCESS);
    };
    // What needs no vault runs now; what is wrong with a serve's address or TLS files is said
    // before unlocking.
    let after_unlock = match command {
        Command::Init => {
            // What is already there is said before the passphrase is asked for (twice).
            Vault::ensure_absent(&path)?;
            let passphrase = source.for_new_vault()?;
            let vault = Vault::init(&path, passphrase.as_bytes())?;
            cli::print_created(&vault)?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::GeneratePassword(args) => return cli::generate_password(args),
        Command::Serve(args) => OnVault::Serve(serve::prepare(&args)?),
        Command::ChangePassphrase {
            new_passphrase_file,
        } => OnVault::ChangePassphrase(new_passphrase_file),
        Command::Secret(cmd) => OnVault::Command(VaultCommand::Secret(cmd)),
        Command::Key(cmd) => OnVault::Command(VaultCommand::Key(cmd)),
        Command::Tasks(args) => OnVault::Command(VaultCommand::Tasks(args)),
        Command::Event(cmd) => OnVault::Command(VaultCommand::Event(cmd)),
        Command::Notifications(args) => OnVault::Command(VaultCommand::Notifications(args)),
        Command::Tags => OnVault::Command(VaultCommand::Tags),
        // Checks and the health report (issue 14): a strength check needs no vault.
        Command::Check(cli::checks::CheckCommand::Strength(args)) => {
            return cli::strength_check(args);
        }
        Command::Check(cmd) => OnVault::Command(VaultCommand::Check(cmd)),
        Command::Report(args) => OnVault::Command(VaultCommand::Report(args)),
    };
    if !Vault::probe(&path)? {
        // Said before asking for a passphrase, in the vault's own words.
        return Err(Vault::missing(&path).to_api());
    }
    let vault = source.unlock(|passphrase| Ok(Vault::open(&path, passphrase)?))?;
    match after_unlock {
        OnVault::ChangePassphrase(new_passphrase_file) => {
            let new = PassphraseSource::for_change(new_passphrase_file.as_deref()).for_changed()?;
            vault.change_passphrase(new.as_bytes())?;
            cli::print_created(&vault)?;
            Ok(ExitCode::SUCCESS)
        }
        OnVault::Serve(options) => serve::run(&vault, options),
        OnVault::Command(command) => cli::run(&vault, command),
    }
}

/// What a command does once the vault is unlocked.
enum OnVault {
    ChangePassphrase(Option<std::path::PathBuf>),
    Serve(Option<crate::http::ServeOptions>),
    Command(VaultCommand),
}
