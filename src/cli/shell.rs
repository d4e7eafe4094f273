//! The shell around the command line: `csvault completions bash|zsh|fish`, `csvault man` (both
//! generated from the clap definitions, `clap_complete` and `clap_mangen`), and the hidden
//! `csvault __complete-secrets PREFIX` the completion scripts call for secret names.

use clap::{Args, CommandFactory, ValueEnum};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use super::Cli;
use super::output::print_bytes;
use crate::csms::op::{Execute, Request, Response};
use crate::csms::{ApiError, ErrorCode};

/// The name the scripts complete and call back.
const BIN: &str = "csvault";

/// The hidden subcommand that prints secret names for the scripts.
pub const COMPLETE_SECRETS: &str = "__complete-secrets";

/// At most this many names are printed for one completion.
const MAX_NAMES: usize = 10_000;

/// The shells `csvault completions` writes a script for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

#[allow(
    clippy::doc_markdown,
    reason = "these doc comments are --help text, shown as written"
)]
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh or fish
    #[arg(value_enum)]
    pub shell: Shell,
}

#[allow(
    clippy::doc_markdown,
    reason = "these doc comments are --help text, shown as written"
)]
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write one page per command into DIR instead (csvault.1, csvault-secret.1,
    /// csvault-secret-create.1, …), made if missing; prints {"man_pages": [...]}
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

/// `csvault completions SHELL`: the script on stdout.
pub fn completions(args: &CompletionsArgs) -> Result<ExitCode, ApiError> {
    print_bytes(completion_script(args.shell).as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// The completion script for `shell`: `clap_complete`'s, plus secret names for the `secret`
/// subcommands that take one (from `csvault __complete-secrets`).
pub fn completion_script(shell: Shell) -> String {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    match shell {
        Shell::Bash => clap_complete::generate(clap_complete::Shell::Bash, &mut cmd, BIN, &mut out),
        Shell::Zsh => clap_complete::generate(clap_complete::Shell::Zsh, &mut cmd, BIN, &mut out),
        Shell::Fish => clap_complete::generate(clap_complete::Shell::Fish, &mut cmd, BIN, &mut out),
    }
    let generated = String::from_utf8_lossy(&out).into_owned();
    let commands = name_commands().join(" ");
    match shell {
        Shell::Bash => format!("{generated}\n{}", bash_names(&commands)),
        Shell::Zsh => zsh_with_names(&generated, &commands),
        Shell::Fish => format!("{generated}\n{}", fish_names(&commands)),
    }
}

/// The `secret` subcommands whose first positional argument is a secret's name.
fn name_commands() -> Vec<String> {
    let cmd = Cli::command();
    cmd.find_subcommand("secret")
        .map(|secret| {
            secret
                .get_subcommands()
                .filter(|sub| {
                    sub.get_positionals()
                        .next()
                        .is_some_and(|a| matches!(a.get_id().as_str(), "name" | "names"))
                })
                .map(|sub| sub.get_name().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn bash_names(commands: &str) -> String {
    format!(
        r#"# Secret names (csvault {COMPLETE_SECRETS}: only while an agent holds the vault; never asks).
_csvault_with_names() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}"
    if (( COMP_CWORD >= 3 )) && [[ "${{COMP_WORDS[COMP_CWORD-2]}}" == secret \
        && " {commands} " == *" ${{COMP_WORDS[COMP_CWORD-1]}} "* && "$cur" != -* ]]; then
        local IFS=$'\n'
        COMPREPLY=( $(compgen -W "$("${{COMP_WORDS[0]}}" {COMPLETE_SECRETS} -- "$cur" 2>/dev/null)" -- "$cur") )
        return 0
    fi
    _csvault "$@"
}}
complete -F _csvault_with_names -o bashdefault -o default {BIN}
"#
    )
}

/// clap's zsh function renamed `_csvault_clap`, and a `_csvault` that offers secret names first.
fn zsh_with_names(generated: &str, commands: &str) -> String {
    let renamed = generated.replacen("\n_csvault() {", "\n_csvault_clap() {", 1);
    let names = format!(
        r#"# Secret names (csvault {COMPLETE_SECRETS}: only while an agent holds the vault; never asks).
_csvault() {{
    if (( CURRENT >= 4 )) && [[ ${{words[CURRENT-2]}} == secret \
        && " {commands} " == *" ${{words[CURRENT-1]}} "* && ${{words[CURRENT]}} != -* ]]; then
        local -a names
        names=(${{(f)"$(${{words[1]}} {COMPLETE_SECRETS} -- ${{words[CURRENT]}} 2>/dev/null)"}})
        compadd -a names
        return
    fi
    _csvault_clap "$@"
}}

"#
    );
    // The script ends by running or registering `_csvault`: the new one is defined before that.
    match renamed.rfind("if [ \"$funcstack[1]\" = \"_csvault\" ]") {
        Some(at) => format!("{}{names}{}", &renamed[..at], &renamed[at..]),
        None => format!("{renamed}\n{names}compdef _csvault {BIN}\n"),
    }
}

fn fish_names(commands: &str) -> String {
    format!(
        r#"# Secret names (csvault {COMPLETE_SECRETS}: only while an agent holds the vault; never asks).
function __csvault_wants_secret_name
    set -l words (commandline -opc)
    test (count $words) -ge 3; and test "$words[-2]" = secret; and contains -- "$words[-1]" {commands}
end
complete -c {BIN} -n __csvault_wants_secret_name -f -a "({BIN} {COMPLETE_SECRETS} -- (commandline -ct) 2>/dev/null)"
"#
    )
}

/// `csvault man`: one page with every command (each subcommand a section of its own) on stdout,
/// or with `--out-dir`, one page per command written there.
pub fn man(args: &ManArgs) -> Result<ExitCode, ApiError> {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    if let Some(dir) = &args.out_dir {
        std::fs::create_dir_all(dir)
            .and_then(|()| clap_mangen::generate_to(cmd, dir))
            .map_err(|e| {
                ApiError::new(
                    ErrorCode::Io,
                    format!("Cannot write the man pages into {}: {e}", dir.display()),
                )
            })?;
        let mut pages: Vec<String> = std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "1"))
                    .map(|p| p.display().to_string())
                    .collect()
            })
            .unwrap_or_default();
        pages.sort();
        super::output::print_json(&serde_json::json!({ "man_pages": pages }))?;
        return Ok(ExitCode::SUCCESS);
    }
    print_bytes(&man_page(&cmd))?;
    Ok(ExitCode::SUCCESS)
}

/// The one page: csvault's own, then a section per command (`csvault secret create`), each with
/// its description, synopsis and options as subsections.
pub fn man_page(cmd: &clap::Command) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = clap_mangen::Man::new(cmd.clone()).render(&mut out);
    for sub in visible_subcommands(cmd) {
        append_sections(&mut out, sub);
    }
    out
}

fn visible_subcommands(cmd: &clap::Command) -> impl Iterator<Item = &clap::Command> {
    cmd.get_subcommands().filter(|s| !s.is_hide_set())
}

fn append_sections(out: &mut Vec<u8>, cmd: &clap::Command) {
    let path = cmd
        .get_bin_name()
        .map_or_else(|| cmd.get_name().to_owned(), str::to_owned);
    let _ = writeln!(out, ".SH \"{}\"", path.to_uppercase());
    let man = clap_mangen::Man::new(cmd.clone());
    let mut body = Vec::new();
    let _ = man.render_description_section(&mut body);
    let _ = man.render_synopsis_section(&mut body);
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        let _ = man.render_options_section(&mut body);
    }
    // The sections clap_mangen writes become subsections of this command's section.
    let body = String::from_utf8_lossy(&body);
    // clap_mangen opens each piece with the same string definition the page already has.
    let preamble =
        |line: &str| line.starts_with(".ie \\n(.g .ds Aq") || line.starts_with(".el .ds Aq");
    for line in body.lines().filter(|l| !preamble(l)) {
        match line.strip_prefix(".SH ") {
            Some(heading) => {
                let _ = writeln!(out, ".SS {heading}");
            }
            None => {
                let _ = writeln!(out, "{line}");
            }
        }
    }
    for sub in visible_subcommands(cmd) {
        append_sections(out, sub);
    }
}

/// `csvault __complete-secrets PREFIX`: the names starting with PREFIX, one a line, when `agent`
/// (an agent holding the vault) is given; nothing otherwise. Never asks for anything and never
/// reads a passphrase; exit 0 either way, so a shell's completion stays quiet.
pub fn complete_secrets(agent: Option<&dyn Execute>, prefix: &str) -> ExitCode {
    let Some(agent) = agent else {
        return ExitCode::SUCCESS;
    };
    let names = secret_names(agent, prefix);
    let mut text = String::new();
    for name in names {
        text.push_str(&name);
        text.push('\n');
    }
    let _ = print_bytes(text.as_bytes());
    ExitCode::SUCCESS
}

/// Every secret name starting with `prefix`, in name order, at most [`MAX_NAMES`].
fn secret_names(vault: &dyn Execute, prefix: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut marker = None;
    loop {
        let request = Request::ListSecrets {
            limit: Some(1000),
            marker: marker.take(),
            event_name: None,
        };
        let Ok(Response::Secrets(page)) = vault.execute(&request) else {
            return names;
        };
        let past = page
            .secrets
            .last()
            .is_some_and(|s| s.name.as_str() > prefix && !s.name.starts_with(prefix));
        names.extend(
            page.secrets
                .into_iter()
                .map(|s| s.name)
                .filter(|n| n.starts_with(prefix)),
        );
        match page.page_info.next_marker {
            Some(next) if !past && names.len() < MAX_NAMES => marker = Some(next),
            _ => break,
        }
    }
    names.truncate(MAX_NAMES);
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_commands_are_the_secret_commands_that_take_a_name() {
        let commands = name_commands();
        for name in [
            "show",
            "get-value",
            "create-version",
            "delete",
            "batch-get-value",
        ] {
            assert!(commands.iter().any(|c| c == name), "{name}: {commands:?}");
        }
        for other in ["create", "list", "import", "upload-blob"] {
            assert!(!commands.iter().any(|c| c == other), "{other}");
        }
    }

    #[test]
    fn the_zsh_script_defines_the_name_aware_function_before_it_is_run() {
        let script = completion_script(Shell::Zsh);
        let clap = script.find("_csvault_clap() {");
        let ours = script.find("\n_csvault() {");
        let run = script.rfind("if [ \"$funcstack[1]\" = \"_csvault\" ]");
        assert!(
            clap.is_some() && ours.is_some() && run.is_some(),
            "{script}"
        );
        assert!(clap < ours && ours < run);
    }
}
