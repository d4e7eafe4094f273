//! Output that may hold plaintext, rendered into one wiped buffer of exactly its size.

use std::io::{self, Read, Write};
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

/// Reads `from` to its end into a wiped buffer, at most `limit` bytes; `Ok(None)` when there is
/// more. The buffer grows by copying into a new wiped buffer, so no unwiped copy is left behind.
pub fn read_limited(mut from: impl Read, limit: usize) -> io::Result<Option<Zeroizing<Vec<u8>>>> {
    let mut buf = Zeroizing::new(Vec::with_capacity(4096));
    let mut chunk = Zeroizing::new([0u8; 4096]);
    loop {
        let n = match from.read(&mut chunk[..]) {
            Ok(0) => return Ok(Some(buf)),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.len() + n > limit {
            return Ok(None);
        }
        if buf.len() + n > buf.capacity() {
            let mut bigger =
                Zeroizing::new(Vec::with_capacity((buf.capacity() * 2).max(buf.len() + n)));
            bigger.extend_from_slice(&buf);
            buf = bigger;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_stops_at_its_limit_and_keeps_everything_below_it() {
        let data = vec![7u8; 10_000];
        let whole = read_limited(&data[..], 10_000).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(whole.as_deref().map(Vec::as_slice), Some(&data[..]));
        let cut = read_limited(&data[..], 9_999).unwrap_or_else(|e| panic!("{e}"));
        assert!(cut.is_none(), "one byte over the limit is refused");
    }

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
