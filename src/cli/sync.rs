//! `csvault push|pull|sync REMOTE [NAME…]` (issue 17): the remote opened and connected, the plan
//! made (every read before any write), then carried out unless `--dry-run`. One JSON line per
//! secret on stdout (aligned text on a terminal), a summary line on stderr, progress on stderr
//! on a terminal.

use clap::{Args, ValueEnum};
use serde::Serialize;
use std::fmt::Write as _;
use std::io::{IsTerminal, Write as _};
use std::process::ExitCode;

use super::output::{print_bytes, print_json_line, tables};
use crate::csms::ApiError;
use crate::csms::op::{Execute, Request, Response, another_answer};
use crate::sync::plan::{Action, Mode, Options, PICK_A_SIDE, PlanItem, Side};

/// The arguments push, pull and sync share.
#[allow(
    clippy::doc_markdown,
    reason = "these doc comments are --help text, shown as written"
)]
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The remote, as csvault remote add named it
    #[arg(value_name = "REMOTE")]
    pub remote: String,
    /// Only these secrets (by name); all when none is given
    #[arg(value_name = "NAME")]
    pub names: Vec<String>,
    /// Print the plan, write nothing (on either side, nor in the sync state)
    #[arg(long)]
    pub dry_run: bool,
    /// Every version in order, with its stages and expiry, not only the current value
    #[arg(long)]
    pub all_versions: bool,
    /// Which side wins a secret changed on both sides since the last sync (else: a conflict,
    /// left alone)
    #[arg(long, value_enum, value_name = "SIDE")]
    pub prefer: Option<Prefer>,
    /// Delete (scheduled, recoverable for 30 days) what was deleted on the other side since the
    /// last sync (else: reported only)
    #[arg(long)]
    pub propagate_deletes: bool,
}

/// `--prefer local|remote`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Prefer {
    Local,
    Remote,
}

/// What each mode is called in the progress and summary lines.
fn verb(mode: Mode) -> &'static str {
    match mode {
        Mode::Push => "push",
        Mode::Pull => "pull",
        Mode::Sync => "sync",
    }
}

/// One outcome line: `{"name", "action", "to", "on", "reason", "status", "error"}`.
#[derive(Serialize)]
struct Line<'a> {
    name: &'a str,
    action: &'static str,
    to: Option<&'static str>,
    on: Option<&'static str>,
    reason: Option<&'a str>,
    status: &'static str,
    error: Option<&'a ApiError>,
}

impl<'a> Line<'a> {
    fn new(item: &'a PlanItem, status: &'static str, error: Option<&'a ApiError>) -> Self {
        let (to, on) = match item.action {
            Action::Create { to } | Action::NewVersion { to } | Action::UpdateMetadata { to } => {
                (Some(to.as_str()), None)
            }
            Action::Deleted { on } | Action::Delete { on } => (None, Some(on.as_str())),
            Action::UpToDate | Action::Conflict | Action::Skipped => (None, None),
        };
        Self {
            name: &item.name,
            action: item.action.as_str(),
            to,
            on,
            reason: item.reason.as_deref(),
            status,
            error,
        }
    }
}

/// Text a terminal shows as written: control and deceptive characters as `\u{…}`.
fn shown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() || crate::hidden::is_hidden(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

/// `n` with thousands separated by commas (`1,200`).
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// One line for people: action, name, where, why, and the error if it failed (or will). A
/// deletion reported reads `deleted (not propagated) on remote`, one made `delete → remote`.
fn text_line(line: &Line<'_>, width: usize) -> String {
    let mut out = format!("{:<15} {:<width$}", line.action, shown(line.name));
    if let Some(side) = line.to {
        let _ = write!(out, "  → {side}");
    }
    if let Some(side) = line.on {
        if line.action == "deleted" {
            let _ = write!(out, "  (not propagated) on {side}");
        } else {
            let _ = write!(out, "  → {side}");
        }
    }
    if let Some(reason) = line.reason {
        let _ = write!(out, "  ({})", shown(reason));
    }
    match (line.status, line.error) {
        ("planned", Some(e)) => {
            let _ = write!(
                out,
                "  [planned] WILL FAIL: {} {}",
                e.code.as_str(),
                shown(&e.error_msg)
            );
        }
        (_, Some(e)) => {
            let _ = write!(out, "  FAILED: {} {}", e.code.as_str(), shown(&e.error_msg));
        }
        ("planned", None) => out.push_str("  [planned]"),
        _ => {}
    }
    out.push('\n');
    out
}

fn print_lines(lines: &[Line<'_>]) -> Result<(), ApiError> {
    if tables() {
        let width = lines
            .iter()
            .map(|l| l.name.chars().count())
            .max()
            .unwrap_or(0)
            .min(48);
        let text: String = lines.iter().map(|l| text_line(l, width)).collect();
        return print_bytes(text.as_bytes());
    }
    for line in lines {
        print_json_line(line)?;
    }
    Ok(())
}

/// The summary line: how many of each action, conflicts and failures.
fn summary(mode: Mode, remote: &str, lines: &[Line<'_>], dry_run: bool) -> String {
    let words = [
        "create",
        "new_version",
        "update_metadata",
        "up_to_date",
        "conflict",
        "skipped",
        "deleted",
        "delete",
    ];
    let mut parts = Vec::new();
    for word in words {
        let n = lines.iter().filter(|l| l.action == word).count();
        if n > 0 {
            parts.push(format!("{} {word}", grouped(n)));
        }
    }
    let failed = lines.iter().filter(|l| l.error.is_some()).count();
    parts.push(if dry_run {
        format!("{} would fail", grouped(failed))
    } else {
        format!("{} failed", grouped(failed))
    });
    let how = if dry_run {
        " (dry run: nothing written)"
    } else {
        ""
    };
    let conflicts = lines.iter().any(|l| l.action == "conflict");
    let hint = if conflicts {
        format!("; conflicts left: {PICK_A_SIDE}")
    } else {
        String::new()
    };
    let secrets = if lines.len() == 1 {
        "secret"
    } else {
        "secrets"
    };
    format!(
        "{} {}: {} {secrets}: {}{how}{hint}\n",
        verb(mode),
        shown(remote),
        grouped(lines.len()),
        parts.join(", ")
    )
}

/// Progress on stderr, on a terminal only: `push desk: 1,200 / 10,000`, rewritten in place.
fn progress_line(mode: Mode, remote: &str, what: &str, done: usize, total: usize) {
    let mut err = std::io::stderr().lock();
    let _ = write!(
        err,
        "\r{} {}{what}: {} / {}\x1b[K",
        verb(mode),
        shown(remote),
        grouped(done),
        grouped(total)
    );
    let _ = err.flush();
}

/// `push|pull|sync` ready to run on the vault: the names asked checked first, before the vault
/// is unlocked (`CSMS.0002` for one that breaks the secret name rule).
pub fn prepare(mode: Mode, args: SyncArgs) -> Result<super::VaultCommand, ApiError> {
    crate::sync::check_names(&args.names)?;
    Ok(super::VaultCommand::Transfer(mode, args))
}

/// Runs `push`, `pull` or `sync` (`mode`) on the vault (or its agent). Exit 0 for a clean run;
/// 1 when a conflict is left or an item failed (or, with `--dry-run`, would fail). A name that
/// breaks the secret name rule is refused (`CSMS.0002`) before anything is read. A fatal error
/// (no such remote `SYNC.0006`, unreachable, wrong AK/SK, clock skew) while planning is returned
/// with nothing written; one that stops the run is returned after the lines of the items done
/// (their work done and recorded) and the summary.
pub fn run(vault: &dyn Execute, mode: Mode, args: &SyncArgs) -> Result<ExitCode, ApiError> {
    crate::sync::check_names(&args.names)?;
    let Response::OpenedRemote(opened) = vault.execute(&Request::OpenRemote {
        name: args.remote.clone(),
    })?
    else {
        return Err(another_answer());
    };
    let remote = crate::remote::connect(&opened)?;
    drop(opened);
    let options = Options {
        all_versions: args.all_versions,
        prefer: args.prefer.map(|p| match p {
            Prefer::Local => Side::Local,
            Prefer::Remote => Side::Remote,
        }),
        propagate_deletes: args.propagate_deletes,
    };
    let names = (!args.names.is_empty()).then_some(args.names.as_slice());
    let terminal = std::io::stderr().is_terminal();
    let name = args.remote.as_str();
    let reading = |done: usize, total: usize| {
        if terminal {
            progress_line(mode, name, " (comparing)", done, total);
        }
    };
    let plan = crate::sync::plan(vault, &*remote, name, mode, options, names, &reading)?;
    let report = (!args.dry_run).then(|| {
        let writing = |done: usize, total: usize| {
            if terminal {
                progress_line(mode, name, "", done, total);
            }
        };
        let ran = crate::sync::run(vault, &*remote, &plan, &writing);
        if terminal {
            eprintln!();
        }
        ran
    });
    let lines: Vec<Line<'_>> = match &report {
        None => plan
            .items
            .iter()
            .enumerate()
            .map(|(i, item)| Line::new(item, "planned", plan.error(i)))
            .collect(),
        Some(ran) => ran
            .outcomes
            .iter()
            .map(|o| {
                let status = if o.error.is_some() { "failed" } else { "done" };
                Line::new(&o.item, status, o.error.as_ref())
            })
            .collect(),
    };
    print_lines(&lines)?;
    let _ = std::io::stderr()
        .lock()
        .write_all(summary(mode, name, &lines, args.dry_run).as_bytes());
    if let Some(stopped) = report.as_ref().and_then(|r| r.stopped.clone()) {
        return Err(stopped);
    }
    let unclean = lines
        .iter()
        .any(|l| l.action == "conflict" || l.error.is_some());
    Ok(if unclean {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_200), "1,200");
        assert_eq!(grouped(10_000_000), "10,000,000");
    }

    #[test]
    fn a_line_names_the_side_written_or_deleted_on() {
        let item = PlanItem {
            name: "db".into(),
            action: Action::NewVersion { to: Side::Remote },
            reason: None,
        };
        let json = serde_json::to_string(&Line::new(&item, "done", None)).unwrap_or_default();
        assert_eq!(
            json,
            r#"{"name":"db","action":"new_version","to":"remote","on":null,"reason":null,"status":"done","error":null}"#
        );
        let gone = PlanItem {
            name: "old".into(),
            action: Action::Deleted { on: Side::Local },
            reason: Some("deleted locally".into()),
        };
        let error = ApiError::new(crate::csms::ErrorCode::RemoteRefused, "no");
        let json =
            serde_json::to_string(&Line::new(&gone, "failed", Some(&error))).unwrap_or_default();
        assert_eq!(
            json,
            r#"{"name":"old","action":"deleted","to":null,"on":"local","reason":"deleted locally","status":"failed","error":{"error_code":"SYNC.0002","error_msg":"no"}}"#
        );
    }

    fn line_of(action: Action, reason: Option<&str>) -> PlanItem {
        PlanItem {
            name: "db".into(),
            action,
            reason: reason.map(str::to_owned),
        }
    }

    #[test]
    fn a_deletion_reported_and_one_made_read_differently() {
        let reported = line_of(Action::Deleted { on: Side::Remote }, None);
        let made = line_of(Action::Delete { on: Side::Remote }, None);
        let reported = text_line(&Line::new(&reported, "done", None), 2);
        let made = text_line(&Line::new(&made, "done", None), 2);
        assert!(
            reported.contains("deleted") && reported.contains("(not propagated) on remote"),
            "{reported}"
        );
        assert!(
            made.contains("delete") && made.contains("→ remote"),
            "{made}"
        );
        assert!(!made.contains("not propagated"), "{made}");
    }

    #[test]
    fn the_summary_counts_in_the_singular_and_says_how_to_settle_conflicts() {
        let one = line_of(Action::UpToDate, None);
        let lines = [Line::new(&one, "done", None)];
        let text = summary(Mode::Push, "desk", &lines, false);
        assert_eq!(text, "push desk: 1 secret: 1 up_to_date, 0 failed\n");
        let clash = line_of(Action::Conflict, Some("changed on both sides"));
        let lines = [
            Line::new(&one, "done", None),
            Line::new(&clash, "done", None),
        ];
        let text = summary(Mode::Sync, "desk", &lines, false);
        assert_eq!(
            text,
            "sync desk: 2 secrets: 1 up_to_date, 1 conflict, 0 failed; conflicts left: \
             --prefer local or --prefer remote picks a side\n"
        );
    }

    #[test]
    fn a_planned_item_that_will_fail_says_so() {
        let ghost = line_of(Action::Skipped, Some("no such secret on either side"));
        let error = ApiError::new(
            crate::csms::ErrorCode::SecretNotFound,
            "No secret named db.",
        );
        let line = Line::new(&ghost, "planned", Some(&error));
        assert!(text_line(&line, 2).contains("WILL FAIL: CSMS.0106"));
        let text = summary(Mode::Push, "desk", &[line], true);
        assert!(text.contains("1 would fail"), "{text}");
    }
}
