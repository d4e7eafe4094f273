//! Printing: JSON bodies on stdout, CSMS error bodies on stderr.

use serde::Serialize;
use std::io::Write;
use zeroize::Zeroizing;

use crate::csms::ApiError;

/// Pretty JSON and a newline on stdout.
pub fn print_json<T: Serialize>(body: &T) {
    let mut out = std::io::stdout().lock();
    let _ = serde_json::to_writer_pretty(&mut out, body);
    let _ = writeln!(out);
}

/// Like [`print_json`] for bodies that hold a plaintext value: rendered into one wiped buffer,
/// sized up front so it never reallocates and leaves copies behind.
pub fn print_sensitive_json<T: Serialize>(body: &T, value_len: usize) {
    let mut buf = Zeroizing::new(Vec::with_capacity(value_len * 6 + 4096));
    if serde_json::to_writer_pretty(&mut *buf, body).is_ok() {
        buf.push(b'\n');
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(&buf);
        let _ = out.flush();
    }
}

/// The error body, one line, on stderr.
pub fn print_error(e: &ApiError) {
    let mut err = std::io::stderr().lock();
    let _ = serde_json::to_writer(&mut err, e);
    let _ = writeln!(err);
}
