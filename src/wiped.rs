//! Output that may hold plaintext, rendered into one wiped buffer of exactly its size.

use std::io::{self, Write};
use zeroize::Zeroizing;

/// Runs `render` twice: once into a counter, then into a wiped buffer of exactly the bytes
/// counted, so the buffer never reallocates and leaves no unwiped copy behind. `render` must
/// write the same bytes both times (serialising the same value does).
pub fn render_exact(
    render: impl Fn(&mut dyn Write) -> io::Result<()>,
) -> io::Result<Zeroizing<Vec<u8>>> {
    let mut counter = Counter(0);
    render(&mut counter)?;
    let mut buf = Zeroizing::new(Vec::with_capacity(counter.0));
    render(&mut *buf)?;
    Ok(buf)
}

/// A sink that only counts the bytes written to it.
struct Counter(usize);

impl Write for Counter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0 += bytes.len();
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sensitive_body_fits_its_buffer_exactly() {
        let body = serde_json::json!({ "versions": vec![serde_json::json!({"v": "x", "m": "meta ".repeat(60)}); 20] });
        let buf =
            render_exact(|out| serde_json::to_writer_pretty(out, &body).map_err(io::Error::from))
                .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            buf.capacity(),
            buf.len(),
            "the buffer was sized exactly and never grew"
        );
        let back: serde_json::Value = serde_json::from_slice(&buf).unwrap_or_default();
        assert_eq!(back, body);
    }
}
