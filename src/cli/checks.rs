//! `csvault check …` (the checks configuration, a value's strength, the report's stored windows)
//! and `csvault report` (the health report), each one operation; and the weak-value warning that
//! `secret create` and `secret create-version` print on stderr while checking is on
//! (docs/DECISIONS.md "checks", "Checks and the health report (issue 14)").

use clap::{Args, Subcommand};
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;
use zeroize::Zeroizing;

use super::input::read_text;
use super::output::{print_json, print_response, print_warning};
use crate::csms::op::{Execute, Request, Response};
use crate::csms::{
    ApiError, CheckSecretsRequest, ReportWindows, Strength, UpdateSecretsConfigRequest, strength,
};

#[allow(
    clippy::doc_markdown,
    reason = "these doc comments are --help text, shown as written"
)]
#[derive(Debug, Subcommand)]
pub enum CheckCommand {
    /// Show the checks configuration, or change it (prints {"checking_secret_strength": bool})
    Config {
        /// Warn on stderr when `secret create` or `secret create-version` stores a weak text
        /// value (it is stored all the same)
        #[arg(long, value_name = "true|false")]
        checking_secret_strength: Option<bool>,
    },
    /// Estimate a text value's strength; needs no vault, stores nothing (prints {"type":
    /// "strength", "data": {"strength", "score", "warnings"}})
    Strength(StrengthArgs),
    /// Store the health report's windows in the vault (prints {"expiring_days",
    /// "unchanged_days"}; without options, the stored ones)
    ReportSettings(WindowArgs),
}

#[allow(
    clippy::doc_markdown,
    reason = "these doc comments are --help text, shown as written"
)]
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct StrengthArgs {
    /// The text to check (visible to other local users in the process list: prefer a file)
    #[arg(long, value_name = "S", allow_hyphen_values = true)]
    pub secret_string: Option<String>,
    /// Read the text to check from PATH (- for stdin), byte for byte
    #[arg(long, value_name = "PATH")]
    pub secret_string_file: Option<PathBuf>,
}

/// The health report's windows, in days.
#[derive(Debug, Args)]
pub struct WindowArgs {
    /// Versions expiring within this many days are listed as expiring, 1–365 [stored, else 30]
    #[arg(long, value_name = "DAYS")]
    pub expiring_days: Option<u32>,
    /// Current values created this many days ago or more are listed as unchanged, 1–3650
    /// [stored, else 365]
    #[arg(long, value_name = "DAYS")]
    pub unchanged_days: Option<u32>,
}

impl WindowArgs {
    fn windows(&self) -> ReportWindows {
        ReportWindows {
            expiring_days: self.expiring_days,
            unchanged_days: self.unchanged_days,
        }
    }
}

/// `csvault report`'s options: the windows for this run only (the stored ones otherwise).
#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub windows: WindowArgs,
}

/// `check strength`, which needs no vault: `CheckSecrets`' answer for the value given.
pub fn strength_check(args: StrengthArgs) -> Result<ExitCode, ApiError> {
    let value = match (args.secret_string, &args.secret_string_file) {
        (Some(text), _) => Zeroizing::new(text),
        (None, Some(path)) => read_text(path)?,
        (None, None) => Zeroizing::new(String::new()),
    };
    let answer = crate::vault::check_secret(&CheckSecretsRequest::strength(value))?;
    print_json(&answer)?;
    Ok(ExitCode::SUCCESS)
}

/// Runs `check config` or `check report-settings` on an unlocked vault.
pub fn run(vault: &dyn Execute, cmd: CheckCommand) -> Result<ExitCode, ApiError> {
    let request = match cmd {
        CheckCommand::Config {
            checking_secret_strength: None,
        } => Request::ShowSecretsConfig,
        CheckCommand::Config {
            checking_secret_strength,
        } => Request::UpdateSecretsConfig(UpdateSecretsConfigRequest {
            checking_secret_strength,
        }),
        CheckCommand::ReportSettings(args) => Request::UpdateReportSettings(args.windows()),
        CheckCommand::Strength(args) => return strength_check(args),
    };
    print_response(&vault.execute(&request)?)?;
    Ok(ExitCode::SUCCESS)
}

/// `csvault report`: the health report as JSON (names, never values); exit 0 whatever it finds.
pub fn report(vault: &dyn Execute, args: &ReportArgs) -> Result<ExitCode, ApiError> {
    print_response(&vault.execute(&Request::HealthReport(args.windows.windows()))?)?;
    Ok(ExitCode::SUCCESS)
}

/// The warning on stderr about a weak value just stored.
#[derive(Serialize)]
struct WeakValue<'a> {
    warning: String,
    secret_name: &'a str,
    strength: Strength,
    score: u8,
    warnings: Vec<String>,
}

/// After `request` stored a value: with checking on, a one-line JSON warning on stderr when it
/// is a text value the estimator calls `WEAK` (the value is stored all the same, and never
/// shown). Nothing when checking is off, the value is binary, or the configuration cannot be
/// read (the command itself succeeded).
pub fn warn_if_weak(vault: &dyn Execute, request: &Request) {
    let (name, value) = match request {
        Request::CreateSecret { body, .. } => (body.name.as_str(), &body.secret_string),
        Request::CreateSecretVersion { name, body } => (name.as_str(), &body.secret_string),
        _ => return,
    };
    let Some(value) = value else {
        return;
    };
    let Ok(Response::SecretsConfig(config)) = vault.execute(&Request::ShowSecretsConfig) else {
        return;
    };
    if !config.checking_secret_strength {
        return;
    }
    let judged = strength(value);
    if judged.strength != Strength::Weak {
        return;
    }
    let why = judged
        .warnings
        .first()
        .map_or_else(|| ".".to_owned(), |w| format!(": {w}"));
    print_warning(&WeakValue {
        warning: format!(
            "The text value stored in {name} is weak (score {} of 4){why}",
            judged.score
        ),
        secret_name: name,
        strength: judged.strength,
        score: judged.score,
        warnings: judged.warnings,
    });
}
