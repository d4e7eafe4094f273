//! `csvault run`: the variables a command gets (from `--env VAR=REF` and `--env-file`), every
//! reference resolved before it starts (all or nothing), then the command itself (`child`).

use clap::Args;
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;
use zeroize::Zeroizing;

use super::child::{self, Launch};
use super::dotenv::{self, EnvValue};
use super::input::read_bounded;
use super::reference::{self, Reference};
use crate::csms::op::Execute;
use crate::csms::{ApiError, ErrorCode};

#[allow(
    clippy::doc_markdown,
    reason = "these doc comments are --help text, shown as written"
)]
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Set VAR to a secret's value: REF is NAME (its current version), NAME@STAGE or NAME#vN;
    /// repeat it; wins over the env files
    #[arg(long = "env", value_name = "VAR=REF")]
    pub env: Vec<String>,
    /// A dotenv file (at most 1 MiB): values written csvault://NAME[@STAGE|#vN] are resolved,
    /// other lines pass through; repeat it, later files win
    #[arg(long = "env-file", value_name = "FILE")]
    pub env_file: Vec<PathBuf>,
    /// Let the command's output through as it is (it inherits the terminal); by default every
    /// injected value in its stdout and stderr is replaced by <concealed by csvault>
    #[arg(long)]
    pub no_masking: bool,
    /// The command and its arguments, after --
    #[arg(required = true, last = true, value_name = "CMD")]
    pub command: Vec<OsString>,
}

/// A variable's value before resolution.
enum Planned {
    Plain(Zeroizing<Vec<u8>>),
    /// A reference, and where it was given (for errors).
    Reference(Reference, String),
}

/// What `run` will do, checked before the vault is opened: the variables in order (each name
/// once, its last definition), the command.
pub struct Plan {
    vars: Vec<(String, Planned)>,
    masking: bool,
    command: Vec<OsString>,
}

/// Reads the env files and checks every `--env`: every problem at once (`CSMS.0002` naming the
/// flag or the file and line, never a value; `VAULT.0007` for a file that cannot be read).
pub fn plan(args: RunArgs) -> Result<Plan, ApiError> {
    let mut problems: Vec<String> = Vec::new();
    let mut vars: Vec<(String, Planned)> = Vec::new();
    for path in &args.env_file {
        let shown = path.display();
        let bytes = read_bounded(path)?;
        let Ok(text) = std::str::from_utf8(&bytes) else {
            problems.push(format!("{shown}: not UTF-8 text"));
            continue;
        };
        match dotenv::parse(text) {
            Err(e) => problems.push(format!("{shown} line {}: {}", e.line, e.message)),
            Ok(entries) => {
                for entry in entries {
                    let value = match entry.value {
                        EnvValue::Plain(text) => {
                            Planned::Plain(Zeroizing::new(text.as_bytes().to_vec()))
                        }
                        EnvValue::Reference(r) => Planned::Reference(
                            r,
                            format!("{shown} line {} ({})", entry.line, entry.name),
                        ),
                    };
                    vars.push((entry.name, value));
                }
            }
        }
    }
    for given in &args.env {
        let place = format!("--env {given}");
        let Some((name, text)) = given.split_once('=') else {
            problems.push(format!("{place}: expected VAR=REF"));
            continue;
        };
        if !dotenv::is_var_name(name) {
            problems.push(format!(
                "{place}: a variable name is A–Z a–z 0–9 _, not starting with a digit"
            ));
            continue;
        }
        // As written in an env file too (`csvault://NAME…`), since that is what gets copied.
        let parsed = Reference::parse_uri(text).unwrap_or_else(|| Reference::parse(text));
        match parsed {
            Ok(r) => vars.push((name.to_owned(), Planned::Reference(r, place))),
            Err(e) => problems.push(format!("{place}: {}", e.error_msg)),
        }
    }
    if !problems.is_empty() {
        return Err(ApiError::invalid(format!(
            "{} problem(s), so the command was not started: {}",
            problems.len(),
            problems.join("; ")
        )));
    }
    // The last definition of a name wins, in the place of its first.
    let mut unique: Vec<(String, Planned)> = Vec::with_capacity(vars.len());
    for (name, value) in vars {
        match unique.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => unique.push((name, value)),
        }
    }
    Ok(Plan {
        vars: unique,
        masking: !args.no_masking,
        command: args.command,
    })
}

/// A plan whose references are all resolved: the command can start.
pub struct Ready {
    launch: Launch,
}

/// Resolves every reference of `plan` (all or nothing: one error listing every failure).
pub fn resolve(vault: &dyn Execute, plan: Plan) -> Result<Ready, ApiError> {
    let references: Vec<(String, Reference)> = plan
        .vars
        .iter()
        .filter_map(|(_, v)| match v {
            Planned::Reference(r, place) => Some((place.clone(), r.clone())),
            Planned::Plain(_) => None,
        })
        .collect();
    let mut values = reference::resolve_all(vault, &references)?.into_iter();
    let mut vars = Vec::with_capacity(plan.vars.len());
    let mut masked = Vec::with_capacity(references.len());
    for (name, value) in plan.vars {
        let bytes = match value {
            Planned::Plain(bytes) => bytes,
            Planned::Reference(..) => {
                // One value per reference, in order: a missing one is csvault's bug, never an
                // empty value passed on.
                let Some(bytes) = values.next() else {
                    return Err(ApiError::new(
                        ErrorCode::Internal,
                        format!("{name}: its reference's value is missing."),
                    ));
                };
                masked.push(bytes.clone());
                bytes
            }
        };
        vars.push((name, bytes));
    }
    Ok(Ready {
        launch: Launch {
            command: plan.command,
            vars,
            removed: &[],
            masked: plan.masking.then_some(masked),
        },
    })
}

/// Starts the command (the vault already released) and waits for it; its exit status.
/// `removed`: csvault's own secrets in its environment, which the command never sees.
pub fn start(ready: Ready, removed: &'static [&'static str]) -> ExitCode {
    let launch = Launch {
        removed,
        ..ready.launch
    };
    match child::run(launch) {
        Ok(code) => code,
        Err((e, code)) => {
            super::print_error(&e);
            ExitCode::from(code)
        }
    }
}
