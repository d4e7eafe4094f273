//! Printing: JSON bodies on stdout, CSMS error bodies on stderr. Text that could fool a terminal
//! (C1 controls, bidi overrides, invisible format characters) is written as `\uXXXX`, and a
//! failed write to stdout is an error, never a silent success. With `--output table` (the default
//! when stdout is a terminal) bodies are tables for people instead (`super::table`), and errors a
//! readable line when stderr is a terminal too.

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};
use std::io::{self, IsTerminal, Write};
use std::sync::OnceLock;

use crate::csms::op::Response;
use crate::csms::{ApiError, ErrorCode};
use crate::hidden::is_hidden;
use crate::wiped::render_exact;

use super::table::{self, Times};

/// How bodies are printed: JSON for scripts, tables for people (`--output json|table`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Json,
    Table,
}

/// The format of this process, chosen once at start.
static FORMAT: OnceLock<Format> = OnceLock::new();

/// Chooses the format: the one given, else `table` when stdout is a terminal and `json` when it
/// is not (a pipe, a file: exactly the JSON of before).
pub fn choose_format(given: Option<Format>) {
    let format = given.unwrap_or_else(|| {
        if io::stdout().is_terminal() {
            Format::Table
        } else {
            Format::Json
        }
    });
    let _ = FORMAT.set(format);
}

/// JSON unless tables were chosen.
fn format() -> Format {
    FORMAT.get().copied().unwrap_or(Format::Json)
}

/// The terminal's width in columns when stdout is one (tables are cut to it), else `None`.
fn terminal_width() -> Option<usize> {
    let out = io::stdout();
    if !out.is_terminal() {
        return None;
    }
    rustix::termios::tcgetwinsize(&out)
        .ok()
        .map(|size| usize::from(size.ws_col))
        .filter(|&w| w > 0)
}

/// A `serde_json` formatter (pretty or compact) with [`is_hidden`] characters escaped. The JSON
/// means the same; only its spelling changes.
struct SafeFormatter<F>(F);

impl<F: Formatter> Formatter for SafeFormatter<F> {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut rest = fragment;
        while let Some((at, c)) = rest.char_indices().find(|&(_, c)| is_hidden(c)) {
            writer.write_all(&rest.as_bytes()[..at])?;
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(writer, "\\u{unit:04x}")?;
            }
            rest = &rest[at + c.len_utf8()..];
        }
        writer.write_all(rest.as_bytes())
    }

    // Everything else as the inner formatter does it.
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// `body` as pretty JSON with a closing newline, into `out`.
fn render<T: Serialize, W: Write>(out: W, body: &T) -> io::Result<()> {
    let mut ser =
        serde_json::Serializer::with_formatter(out, SafeFormatter(PrettyFormatter::new()));
    body.serialize(&mut ser).map_err(io::Error::from)?;
    ser.into_inner().write_all(b"\n")
}

/// Set when stdout's reader went away (`csvault … | head -1`): the process then ends quietly.
static STDOUT_CLOSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether a write failed because stdout's reader closed the pipe (EPIPE): not worth an error,
/// as for every well-behaved filter (the operation itself completed).
pub fn stdout_closed() -> bool {
    STDOUT_CLOSED.load(std::sync::atomic::Ordering::Relaxed)
}

fn write_failed(e: &io::Error) -> ApiError {
    if e.kind() == io::ErrorKind::BrokenPipe {
        STDOUT_CLOSED.store(true, std::sync::atomic::Ordering::Relaxed);
    }
    ApiError::new(
        ErrorCode::Io,
        format!("Cannot write the output: {e}. The operation itself completed."),
    )
}

/// Pretty JSON and a newline on stdout, flushed. `VAULT.0007` if stdout cannot take it (a full
/// disk, `/dev/full`, a closed pipe: see [`stdout_closed`]).
pub fn print_json<T: Serialize>(body: &T) -> Result<(), ApiError> {
    if format() == Format::Table
        && let Some(text) = table::render_body(body, &Times::local())
    {
        return print_text(&text);
    }
    let mut out = io::stdout().lock();
    render(&mut out, body)
        .and_then(|()| out.flush())
        .map_err(|e| write_failed(&e))
}

/// A list that is no `Response` (`remote list`): `table` draws it for people (given how times
/// are shown and the terminal's width), else it is printed as [`print_json`] does.
pub fn print_listing<T: Serialize>(
    body: &T,
    table: impl FnOnce(&Times, Option<usize>) -> String,
) -> Result<(), ApiError> {
    if format() == Format::Table {
        return print_text(&table(&Times::local(), terminal_width()));
    }
    print_json(body)
}

/// Like [`print_json`] for bodies that hold a plaintext value: rendered once to count its bytes,
/// then into one wiped buffer of exactly that size, so it never reallocates and leaves copies
/// behind.
pub fn print_sensitive_json<T: Serialize>(body: &T) -> Result<(), ApiError> {
    let buf = render_exact(|out| render(out, body)).map_err(|e| write_failed(&e))?;
    print_bytes(&buf)
}

/// An operation's response as its JSON body: into wiped memory when it holds plaintext; nothing
/// for the deletes (204 over HTTP).
pub fn print_response(response: &Response) -> Result<(), ApiError> {
    if !response.has_body() {
        Ok(())
    } else if format() == Format::Table {
        if response.carries_plaintext() {
            let buf = render_exact(|out| table::render_plaintext(response, out))
                .map_err(|e| write_failed(&e))?;
            return print_bytes(&buf);
        }
        match table::render(response, &Times::local(), terminal_width()) {
            Some(text) => print_text(&text),
            None => print_json(response),
        }
    } else if response.carries_plaintext() {
        print_sensitive_json(response)
    } else {
        print_json(response)
    }
}

/// Raw bytes on stdout, flushed (`--raw` values, already wiped by the caller).
pub fn print_bytes(bytes: &[u8]) -> Result<(), ApiError> {
    let mut out = io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(|e| write_failed(&e))
}

/// Text for people on stdout, flushed.
fn print_text(text: &str) -> Result<(), ApiError> {
    print_bytes(text.as_bytes())
}

/// How a command that failed with `e` ends: its error on stderr and exit 1; or, when the failure
/// was stdout's reader closing the pipe (`| head -1`), quietly and 0, as filters do.
pub fn failed(e: &ApiError) -> std::process::ExitCode {
    if stdout_closed() {
        std::process::ExitCode::SUCCESS
    } else {
        print_error(e);
        std::process::ExitCode::FAILURE
    }
}

/// The error body, one line, on stderr (escaped like stdout); with tables chosen and stderr a
/// terminal, the readable `error: MESSAGE (CODE)` instead.
pub fn print_error(e: &ApiError) {
    if format() == Format::Table && io::stderr().is_terminal() {
        let line = table::error_line(e.code.as_str(), &e.error_msg);
        let _ = io::stderr().lock().write_all(line.as_bytes());
        return;
    }
    let mut line = Vec::with_capacity(256);
    let mut ser =
        serde_json::Serializer::with_formatter(&mut line, SafeFormatter(CompactFormatter));
    if e.serialize(&mut ser).is_ok() {
        line.push(b'\n');
        let _ = io::stderr().lock().write_all(&line);
    }
}

/// At exit: a warning line for each thing that went wrong with this process's notification
/// deliveries (`CSVAULT_NOTIFY_COMMAND`), none when all went well.
pub fn warn_deliveries(done: crate::vault::Deliveries) {
    if done.failed > 0 {
        print_warning(&serde_json::json!({
            "warning": format!(
                "{} notification record(s) could not be delivered: CSVAULT_NOTIFY_COMMAND failed, \
                 is missing or took over 10 s; they are marked FAIL (csvault notifications shows \
                 them).",
                done.failed
            )
        }));
    }
    if done.unfinished {
        print_warning(&serde_json::json!({
            "warning": "Notification deliveries were still running after 30 s; their records \
                        stay PENDING and are settled FAIL within an hour unless delivered \
                        (csvault notifications shows them)."
        }));
    }
}

/// Whether bodies are printed as tables for people (`--output table`, or stdout a terminal).
pub fn tables() -> bool {
    format() == Format::Table
}

/// `body` as one line of compact JSON on stdout (escaped as [`print_json`] does), flushed: a
/// stream of lines (push, pull and sync's outcomes). `VAULT.0007` if stdout cannot take it.
pub fn print_json_line<T: Serialize>(body: &T) -> Result<(), ApiError> {
    let mut line = Vec::with_capacity(256);
    let mut ser =
        serde_json::Serializer::with_formatter(&mut line, SafeFormatter(CompactFormatter));
    body.serialize(&mut ser)
        .map_err(|e| write_failed(&io::Error::from(e)))?;
    line.push(b'\n');
    let mut out = io::stdout().lock();
    out.write_all(&line)
        .and_then(|()| out.flush())
        .map_err(|e| write_failed(&e))
}

/// A warning as one line of JSON on stderr (escaped like stdout): the command went on (checks,
/// issue 14: a weak value stored).
pub fn print_warning<T: Serialize>(body: &T) {
    let mut line = Vec::with_capacity(256);
    let mut ser =
        serde_json::Serializer::with_formatter(&mut line, SafeFormatter(CompactFormatter));
    if body.serialize(&mut ser).is_ok() {
        line.push(b'\n');
        let _ = io::stderr().lock().write_all(&line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(value: &serde_json::Value) -> String {
        let mut out = Vec::new();
        render(&mut out, value).unwrap_or_else(|e| panic!("{e}"));
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn deceptive_characters_are_escaped_and_the_json_means_the_same() {
        let name = "abc\u{202e}gnp.exe \u{200b}\u{85}\u{2066}x\u{e0041}";
        let value = serde_json::json!({ "name": name, "plain": "日本 é ✓" });
        let out = rendered(&value);
        assert!(
            out.contains(r"abc\u202egnp.exe \u200b\u0085\u2066x\udb40\udc41"),
            "{out}"
        );
        assert!(
            out.contains("日本 é ✓"),
            "ordinary text stays as it is: {out}"
        );
        let back: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
        assert_eq!(back["name"], name);
        assert!(!out.chars().any(|c| c != '\n' && is_hidden(c)));
    }

    #[test]
    fn the_output_is_pretty_json_as_before() {
        let out = rendered(&serde_json::json!({ "a": [1, 2], "b": {} }));
        assert_eq!(out, "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {}\n}\n");
    }
}
