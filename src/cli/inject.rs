//! `csvault inject`: a template whose `{{ csvault://NAME[@STAGE|#vN] }}` references are replaced
//! by the values they name, all or nothing, to stdout or a new 0600 file.

use clap::Args;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use zeroize::Zeroizing;

use super::input::read_bounded;
use super::output::print_bytes;
use super::reference::{self, Reference, SCHEME};
use crate::csms::op::Execute;
use crate::csms::{ApiError, ErrorCode};

#[allow(
    clippy::doc_markdown,
    reason = "these doc comments are --help text, shown as written"
)]
#[derive(Debug, Args)]
pub struct InjectArgs {
    /// The template (at most 1 MiB; - or absent: stdin); {{ csvault://NAME[@STAGE|#vN] }} is
    /// replaced by the value, everything else passes through byte for byte
    #[arg(short = 'i', long = "in-file", value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Write to FILE, created with mode 0600, instead of stdout
    #[arg(short = 'o', long = "out-file", value_name = "FILE")]
    pub out_file: Option<PathBuf>,
    /// Replace FILE when it exists (written to a 0600 file beside it, then renamed over it)
    #[arg(long, requires = "out_file")]
    pub force: bool,
}

/// The longest text between `{{` and `}}` taken as a reference: the scheme, a 64-character
/// name, a 64-character stage, and blanks.
const MAX_REFERENCE_TAG: usize = 200;

/// A template cut into text and references.
#[derive(Debug, PartialEq, Eq)]
enum Piece {
    /// Bytes of the template, `start..end`.
    Text(usize, usize),
    Reference(Reference),
}

/// Finds the references of `template`. `CSMS.0002` for each malformed one, naming its line.
fn pieces(template: &[u8]) -> Result<Vec<Piece>, Vec<String>> {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let mut text_from = 0;
    let mut at = 0;
    while let Some(open) = find(&template[at..], b"{{").map(|o| at + o) {
        let inner_from = open + 2;
        let blanks = template[inner_from..]
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t'))
            .count();
        if !template[inner_from + blanks..].starts_with(SCHEME.as_bytes()) {
            at = inner_from;
            continue;
        }
        let line = template[..open].split(|&b| b == b'\n').count();
        let window = &template[inner_from..template.len().min(inner_from + MAX_REFERENCE_TAG)];
        let Some(close) = find(window, b"}}").map(|c| inner_from + c) else {
            problems.push(format!(
                "line {line}: a {{{{ {SCHEME}… is not closed by }}}}"
            ));
            at = inner_from;
            continue;
        };
        let inner = String::from_utf8_lossy(&template[inner_from..close]);
        match Reference::parse_uri(inner.trim_matches([' ', '\t'])) {
            Some(Ok(r)) => {
                out.push(Piece::Text(text_from, open));
                out.push(Piece::Reference(r));
            }
            Some(Err(e)) => problems.push(format!("line {line}: {}", e.error_msg)),
            None => problems.push(format!("line {line}: not a reference")),
        }
        at = close + 2;
        text_from = at;
    }
    out.push(Piece::Text(text_from, template.len()));
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Renders the template: every reference resolved first (one error listing every failure), then
/// written where `-o` says, or to stdout. Nothing is written when anything fails.
pub fn run(vault: &dyn Execute, args: &InjectArgs) -> Result<ExitCode, ApiError> {
    if let Some(path) = &args.out_file
        && !args.force
        && fs::symlink_metadata(path).is_ok()
    {
        return Err(exists(path));
    }
    let template = read_bounded(args.input.as_deref().unwrap_or(Path::new("-")))?;
    let pieces = pieces(&template).map_err(|problems| {
        ApiError::invalid(format!(
            "{} problem(s) in the template, so nothing was written: {}",
            problems.len(),
            problems.join("; ")
        ))
    })?;
    let references: Vec<(String, Reference)> = pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Reference(r) => Some((format!("{{{{ {SCHEME}{r} }}}}"), r.clone())),
            Piece::Text(..) => None,
        })
        .collect();
    let values = reference::resolve_all(vault, &references)?;
    let size = pieces
        .iter()
        .map(|p| match p {
            Piece::Text(from, to) => to - from,
            Piece::Reference(_) => 0,
        })
        .sum::<usize>()
        + values.iter().map(|v| v.len()).sum::<usize>();
    let mut rendered = Zeroizing::new(Vec::with_capacity(size));
    let mut values = values.iter();
    for piece in &pieces {
        match piece {
            Piece::Text(from, to) => rendered.extend_from_slice(&template[*from..*to]),
            Piece::Reference(_) => {
                rendered.extend_from_slice(values.next().map_or(&[][..], |v| &v[..]));
            }
        }
    }
    match &args.out_file {
        None => print_bytes(&rendered)?,
        Some(path) if args.force => replace(path, &rendered)?,
        Some(path) => write_new(path, &rendered)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn exists(path: &Path) -> ApiError {
    ApiError::new(
        ErrorCode::Io,
        format!("{} exists; give --force to replace it.", path.display()),
    )
}

fn cannot_write(path: &Path, e: &std::io::Error) -> ApiError {
    ApiError::new(
        ErrorCode::Io,
        format!("Cannot write {}: {e}.", path.display()),
    )
}

/// A new file, mode 0600, refused if anything is at `path`.
fn write_new(path: &Path, bytes: &[u8]) -> Result<(), ApiError> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                exists(path)
            } else {
                cannot_write(path, &e)
            }
        })?;
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    if let Err(e) = written {
        let _ = fs::remove_file(path);
        return Err(cannot_write(path, &e));
    }
    Ok(())
}

/// A 0600 file beside `path`, renamed over it: whoever reads `path` sees the old file or the
/// whole new one.
fn replace(path: &Path, bytes: &[u8]) -> Result<(), ApiError> {
    let name = path
        .file_name()
        .ok_or_else(|| cannot_write(path, &std::io::Error::other("it names no file")))?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".csvault-{}", uuid::Uuid::new_v4().simple()));
    let tmp = path.with_file_name(tmp_name);
    write_new(&tmp, bytes)?;
    fs::rename(&tmp, path).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        cannot_write(path, &e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(text: &str) -> Piece {
        Piece::Reference(Reference::parse(text).unwrap_or_else(|e| panic!("{e}")))
    }

    #[test]
    fn references_are_found_with_or_without_spaces() {
        let t = b"a {{csvault://x}} b {{ \tcsvault://y@prod }}{{ csvault://z#v2}}";
        assert_eq!(
            pieces(t).unwrap_or_default(),
            [
                Piece::Text(0, 2),
                reference("x"),
                Piece::Text(17, 20),
                reference("y@prod"),
                Piece::Text(43, 43),
                reference("z#v2"),
                Piece::Text(62, 62),
            ]
        );
    }

    #[test]
    fn other_braces_pass_through() {
        let t = b"{{ .Values.x }} {{{ }} {{";
        assert_eq!(pieces(t).unwrap_or_default(), [Piece::Text(0, t.len())]);
    }

    #[test]
    fn malformed_references_name_their_line() {
        let t = b"ok\n{{ csvault://bad name }}\n{{ csvault://x@a.b }}\n{{ csvault://open\n";
        let problems = pieces(t).err().unwrap_or_default();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].starts_with("line 2: Invalid reference 'bad name'"));
        assert!(problems[1].starts_with("line 3: "));
        assert!(problems[2].starts_with("line 4: "));
    }
}
