//! A buffered reader whose buffer is wiped when dropped: the bytes of a plaintext source (a
//! `jsonl` file, stdin) pass through it, and `std::io::BufReader`'s buffer is never wiped.

use std::io::{self, BufRead, Read};

use zeroize::Zeroizing;

/// `BufReader` with a fixed buffer of `capacity` bytes, allocated once and wiped on drop.
pub struct WipedBufReader<R> {
    inner: R,
    buf: Zeroizing<Vec<u8>>,
    /// The next byte to hand out.
    pos: usize,
    /// The end of what was read into `buf`.
    filled: usize,
}

impl<R: Read> WipedBufReader<R> {
    /// A reader over `inner` with a buffer of `capacity` bytes (at least 1).
    pub fn with_capacity(capacity: usize, inner: R) -> Self {
        Self {
            inner,
            buf: Zeroizing::new(vec![0; capacity.max(1)]),
            pos: 0,
            filled: 0,
        }
    }
}

impl<R: Read> Read for WipedBufReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = {
            let available = self.fill_buf()?;
            let n = available.len().min(out.len());
            out[..n].copy_from_slice(&available[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for WipedBufReader<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos >= self.filled {
            self.pos = 0;
            self.filled = 0;
            let n = loop {
                match self.inner.read(&mut self.buf[..]) {
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    other => break other?,
                }
            };
            self.filled = n;
        }
        Ok(&self.buf[self.pos..self.filled])
    }

    fn consume(&mut self, amount: usize) {
        self.pos = (self.pos + amount).min(self.filled);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_longer_than_the_buffer_read_whole_and_in_order() {
        let text = format!("short\n{}\n\nlast", "x".repeat(100));
        let mut reader = WipedBufReader::with_capacity(7, text.as_bytes());
        let mut lines = Vec::new();
        loop {
            let mut line = Vec::new();
            let n = reader
                .read_until(b'\n', &mut line)
                .unwrap_or_else(|e| panic!("{e}"));
            if n == 0 {
                break;
            }
            lines.push(String::from_utf8_lossy(&line).into_owned());
        }
        assert_eq!(
            lines,
            [
                "short\n".to_owned(),
                format!("{}\n", "x".repeat(100)),
                "\n".into(),
                "last".into()
            ]
        );
        let mut rest = WipedBufReader::with_capacity(3, &b"abcdefg"[..]);
        let mut head = [0u8; 2];
        rest.read_exact(&mut head).unwrap_or_else(|e| panic!("{e}"));
        let mut tail = Vec::new();
        rest.read_to_end(&mut tail)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((&head[..], &tail[..]), (&b"ab"[..], &b"cdefg"[..]));
    }
}
