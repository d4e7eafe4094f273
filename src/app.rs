//! The process shell: parses the command line, finds the vault, gets the passphrase, unlocks, and
//! hands over to one edge (the command line, or the terminal app when no command is given).

mod agent;
mod hardening;
mod passphrase;
mod serve;

use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::cli::{self, AgentCommand, Cli, Command, VaultCommand};
use crate::csms::{ApiError, ErrorCode};
use crate::sync::plan::Mode;
use crate::vault::{NOTIFY_COMMAND_ENV, Vault, await_deliveries, configure_delivery};

pub use passphrase::{PASSPHRASE_ENV, PassphraseSource};
pub use serve::{ACCESS_KEY_ENV, SECRET_KEY_ENV};

/// Runs the process; its exit code (0 ok, 1 a failed operation, 2 a malformed command line).
pub fn main() -> ExitCode {
    hardening::harden_process();
    // The internal commands of the completion scripts and `secret copy` (issue 15).
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let completing = args
        .first()
        .is_some_and(|a| a.as_os_str() == cli::shell::COMPLETE_SECRETS);
    let agent = if completing { completion_agent() } else { None };
    let agent = agent.as_ref().map(|a| a as &dyn crate::csms::op::Execute);
    if let Some(code) = cli::internal_command(&args, agent) {
        return code;
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return cli::usage(&e),
    };
    cli::choose_format(cli.output);
    // `completions` and `man` need no vault and never ask for anything (issue 15).
    if let Some(code) = cli.command.as_ref().and_then(cli::shell_command) {
        return code;
    }
    configure_notifications();
    let code = match run(cli) {
        Ok(code) => code,
        Err(e) => cli::failed(&e),
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
    configure_delivery(command, &OWN_SECRETS);
}

/// csvault's own secrets in its environment: no program it starts (a notification delivery,
/// `csvault run`'s command, `secret copy`'s clipboard keeper, `import`'s gpg) sees them.
pub const OWN_SECRETS: [&str; 5] = [
    PASSPHRASE_ENV,
    passphrase::NEW_PASSPHRASE_ENV,
    SECRET_KEY_ENV,
    cli::import_from::IMPORT_PASSWORD_ENV,
    cli::remote::REMOTE_SK_ENV,
];

/// The agent holding the vault whose secret names the completion scripts offer: `CSVAULT_PATH`'s,
/// else the default vault (the scripts pass no `--vault`). It never asks and never unlocks: with
/// no agent (or anything wrong with it), no names.
fn completion_agent() -> Option<crate::agent::Client> {
    let path = std::env::var_os(VAULT_PATH_ENV)
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| default_vault_path().ok())?;
    crate::agent::find_quietly(&path).ok().flatten()
}

/// `CSVAULT_PATH`: the vault file, as `--vault` gives it.
pub const VAULT_PATH_ENV: &str = "CSVAULT_PATH";

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
    let use_agent = !cli.no_agent;
    let Some(command) = cli.command else {
        return terminal_app(&path, source, use_agent);
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
        // The agent (issue 15).
        Command::Unlock => return agent::unlock(&path, &source),
        Command::Lock => return agent::lock(&path),
        Command::Agent(AgentCommand::Status) => return agent::status(&path),
        Command::AgentProcess {
            idle_secs,
            max_secs,
        } => return Ok(agent::agent_process(&path, idle_secs, max_secs)),
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
        // Secrets into programs (issue 15): env files and references are checked before unlocking.
        Command::Run(args) => OnVault::Run(cli::run::plan(args)?),
        Command::Inject(args) => OnVault::Command(VaultCommand::Inject(args)),
        // Backup and export (issue 16).
        Command::Backup(args) => OnVault::Command(VaultCommand::Backup(args)),
        Command::Export(mut args) => {
            // The export file may never be the vault or its sidecars.
            args.vault.clone_from(&path);
            OnVault::Command(VaultCommand::Export(args))
        }
        // Moving in (issue 16): a missing source or a wrong password is said before unlocking.
        Command::Import(args) => OnVault::Command(VaultCommand::Import(Box::new(
            cli::import_from::prepare(&args)?,
        ))),
        // Remotes (issue 17): the endpoint policy, the SK and the CA file before unlocking.
        Command::Remote(cmd) => OnVault::Command(VaultCommand::Remote(cli::remote::prepare(cmd)?)),
        // Push, pull and sync (issue 17): the names asked are checked before unlocking.
        Command::Push(args) => OnVault::Command(cli::sync::prepare(Mode::Push, args)?),
        Command::Pull(args) => OnVault::Command(cli::sync::prepare(Mode::Pull, args)?),
        Command::Sync(args) => OnVault::Command(cli::sync::prepare(Mode::Sync, args)?),
        // Handled in `main` before anything else.
        Command::Completions(_) | Command::Man(_) => return Ok(ExitCode::SUCCESS),
    };
    // A vault command runs through the agent holding the vault, if one does: no passphrase, no
    // key derived here. `init`, `change-passphrase` and `serve` always run here.
    let after_unlock = match after_unlock {
        OnVault::Command(command) if use_agent => match crate::agent::find(&path)? {
            Some(held) => return cli::run(&held, command),
            None => OnVault::Command(command),
        },
        OnVault::Run(plan) if use_agent => match crate::agent::find(&path)? {
            Some(held) => {
                let ready = cli::run::resolve(&held, plan)?;
                // Nothing of the agent stays open while the command runs.
                drop(held);
                return Ok(cli::run::start(ready, &OWN_SECRETS));
            }
            None => OnVault::Run(plan),
        },
        other => other,
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
        OnVault::Run(plan) => {
            let ready = cli::run::resolve(&vault, plan)?;
            // Nothing stays unlocked in csvault while the command runs.
            drop(vault);
            Ok(cli::run::start(ready, &OWN_SECRETS))
        }
    }
}

/// The terminal app (no command given) on the vault at `path`: through the agent holding it, if
/// one does and `use_agent`, else unlocked with the passphrase given (or asked in the app).
fn terminal_app(
    path: &std::path::Path,
    source: PassphraseSource,
    use_agent: bool,
) -> Result<ExitCode, ApiError> {
    // Whatever is at the path that is neither a vault nor nothing is said before the app starts.
    Vault::probe(path)?;
    // Said before anything reaches stdout: a redirected run gets this error and nothing else.
    if !crate::tui::has_terminal() {
        return Err(ApiError::new(
            ErrorCode::Io,
            "The terminal app needs a terminal on stdin and stdout; \
             for scripts, use a command (csvault --help lists them).",
        ));
    }
    // The agent holding the vault, if one does: the app opens unlocked through it.
    let held = if use_agent {
        crate::agent::find(path)?
    } else {
        None
    };
    // Moved out of the source, not copied: the app's unlock wipes the one copy.
    let passphrase = match held {
        Some(_) => None,
        None => source.into_given()?,
    };
    let note = crate::tui::run(path, passphrase, held)
        .map_err(|e| ApiError::new(ErrorCode::Io, format!("The terminal app failed: {e}")))?;
    // Said after the alternate screen is left, so it stays readable.
    if let Some(note) = note {
        eprintln!("{note}");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// What a command does once the vault is unlocked.
enum OnVault {
    ChangePassphrase(Option<std::path::PathBuf>),
    Serve(Option<crate::http::ServeOptions>),
    Command(VaultCommand),
    Run(cli::run::Plan),
}
