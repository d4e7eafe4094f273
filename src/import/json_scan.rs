//! A pull scanner over a JSON document: it walks the outline (objects, keys, arrays) and hands
//! out one value's raw text at a time in a wiped buffer, so a JSON export (Bitwarden's, 1PUX's
//! `export.data`) is read an item at a time, each item parsed on its own (one broken item is one
//! error, the next is still read) and no plaintext is left in an unwiped buffer.
//!
//! The scanner checks the outline (brackets, strings) and leaves each captured value's grammar to
//! `serde_json`, which parses it from the wiped buffer.

use std::io::{self, Read};

use zeroize::Zeroizing;

/// Bytes read from the source at a time.
const CHUNK: usize = 64 * 1024;
/// The longest key accepted (keys are field names, never values).
const MAX_KEY_BYTES: usize = 4096;

/// Why the scanner stopped. `offset` is the byte offset in the document; the reason never holds
/// a value of the document.
#[derive(Debug)]
pub struct ScanError {
    pub offset: u64,
    pub reason: String,
    /// The value was skipped whole (it was larger than allowed): the next one can still be read.
    pub recoverable: bool,
}

impl ScanError {
    /// `reason` with where it happened, for a report line.
    pub fn describe(&self) -> String {
        format!("{} (at byte {})", self.reason, self.offset)
    }
}

/// The scanner over `R`, read in chunks of 64 KiB into a wiped buffer.
pub struct Scanner<R> {
    inner: R,
    buf: Zeroizing<Vec<u8>>,
    pos: usize,
    len: usize,
    /// Bytes of the document before `buf[0]`.
    consumed: u64,
    /// For each open object or array: whether its next member is its first (no comma before it).
    first: Vec<bool>,
}

/// Where a captured value's bytes go: a wiped buffer that never reallocates in place (it moves to
/// a larger wiped buffer, the old one wiped), or nowhere (skipped).
struct Sink<'a> {
    out: Option<&'a mut Zeroizing<Vec<u8>>>,
    limit: usize,
    over: bool,
}

impl Sink<'_> {
    fn push(&mut self, bytes: &[u8]) {
        let Some(out) = self.out.as_deref_mut() else {
            return;
        };
        if self.over || out.len() + bytes.len() > self.limit {
            self.over = true;
            return;
        }
        if out.capacity() - out.len() < bytes.len() {
            let wanted = (out.len() + bytes.len())
                .max(out.capacity() * 2)
                .min(self.limit);
            let mut grown = Zeroizing::new(Vec::with_capacity(wanted));
            grown.extend_from_slice(out);
            // The old buffer leaves in `grown` and is wiped as it drops.
            std::mem::swap(out, &mut grown);
        }
        out.extend_from_slice(bytes);
    }
}

impl<R: Read> Scanner<R> {
    pub fn new(inner: R) -> Self {
        Scanner {
            inner,
            buf: Zeroizing::new(vec![0; CHUNK]),
            pos: 0,
            len: 0,
            consumed: 0,
            first: Vec::new(),
        }
    }

    fn offset(&self) -> u64 {
        self.consumed + self.pos as u64
    }

    fn error(&self, reason: impl Into<String>) -> ScanError {
        ScanError {
            offset: self.offset(),
            reason: reason.into(),
            recoverable: false,
        }
    }

    /// Reads the next chunk; `false` at the end of the document.
    fn refill(&mut self) -> Result<bool, ScanError> {
        self.consumed += self.len as u64;
        self.pos = 0;
        self.len = 0;
        loop {
            match self.inner.read(&mut self.buf) {
                Ok(n) => {
                    self.len = n;
                    return Ok(n > 0);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.error(format!("cannot be read: {}", e.kind()))),
            }
        }
    }

    /// The next byte that is not white space, not consumed; `None` at the end.
    fn peek(&mut self) -> Result<Option<u8>, ScanError> {
        loop {
            while self.pos < self.len {
                let b = self.buf[self.pos];
                if !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                    return Ok(Some(b));
                }
                self.pos += 1;
            }
            if !self.refill()? {
                return Ok(None);
            }
        }
    }

    /// Consumes `want` (after white space) or fails naming `what` was expected.
    fn expect(&mut self, want: u8, what: &str) -> Result<(), ScanError> {
        match self.peek()? {
            Some(b) if b == want => {
                self.pos += 1;
                Ok(())
            }
            Some(_) => Err(self.error(format!("expected {what}"))),
            None => Err(self.error(format!("the file ends where {what} was expected"))),
        }
    }

    /// Enters an object (`{`).
    pub fn begin_object(&mut self) -> Result<(), ScanError> {
        self.expect(b'{', "an object (`{`)")?;
        self.first.push(true);
        Ok(())
    }

    /// Enters an array (`[`).
    pub fn begin_array(&mut self) -> Result<(), ScanError> {
        self.expect(b'[', "a list (`[`)")?;
        self.first.push(true);
        Ok(())
    }

    /// The next key of the object entered last, its `:` consumed; `None` after its `}`.
    pub fn next_key(&mut self) -> Result<Option<String>, ScanError> {
        if self.peek()? == Some(b'}') {
            self.pos += 1;
            self.first.pop();
            return Ok(None);
        }
        self.separator("`,` or `}`")?;
        let mut raw = Zeroizing::new(Vec::new());
        if self.peek()? != Some(b'"') {
            return Err(self.error("expected a key"));
        }
        if !self.value(Some(&mut raw), MAX_KEY_BYTES)? {
            return Err(self.error(format!("a key is longer than {MAX_KEY_BYTES} bytes")));
        }
        let key: String =
            serde_json::from_slice(&raw).map_err(|_| self.error("a key is not a valid string"))?;
        self.expect(b':', "`:`")?;
        Ok(Some(key))
    }

    /// Whether the array entered last has another element (its comma consumed); `false` after
    /// its `]`.
    pub fn next_element(&mut self) -> Result<bool, ScanError> {
        if self.peek()? == Some(b']') {
            self.pos += 1;
            self.first.pop();
            return Ok(false);
        }
        self.separator("`,` or `]`")?;
        Ok(true)
    }

    fn separator(&mut self, what: &str) -> Result<(), ScanError> {
        match self.first.last_mut() {
            Some(first) if *first => {
                *first = false;
                Ok(())
            }
            Some(_) => self.expect(b',', what),
            None => Err(self.error("not inside an object or a list")),
        }
    }

    /// The next value's raw text, at most `limit` bytes. A larger value is skipped whole and
    /// reported as a recoverable error.
    pub fn capture(&mut self, limit: usize) -> Result<Zeroizing<Vec<u8>>, ScanError> {
        let mut out = Zeroizing::new(Vec::new());
        if self.value(Some(&mut out), limit)? {
            Ok(out)
        } else {
            Err(ScanError {
                offset: self.offset(),
                reason: format!("larger than {limit} bytes"),
                recoverable: true,
            })
        }
    }

    /// Skips the next value.
    pub fn skip(&mut self) -> Result<(), ScanError> {
        self.value(None, 0).map(drop)
    }

    /// Scans one value, its bytes into `out` when given; `false` when it was over `limit`.
    fn value(
        &mut self,
        out: Option<&mut Zeroizing<Vec<u8>>>,
        limit: usize,
    ) -> Result<bool, ScanError> {
        let Some(lead) = self.peek()? else {
            return Err(self.error("the file ends where a value was expected"));
        };
        if matches!(lead, b'}' | b']' | b',' | b':') {
            return Err(self.error("expected a value"));
        }
        let mut sink = Sink {
            out,
            limit,
            over: false,
        };
        let scalar = !matches!(lead, b'{' | b'[' | b'"');
        let mut open: Vec<u8> = Vec::new();
        let mut in_string = false;
        let mut escaped = false;
        let mut start = self.pos;
        loop {
            if self.pos == self.len {
                sink.push(&self.buf[start..self.pos]);
                if !self.refill()? {
                    if scalar && !in_string && open.is_empty() {
                        return Ok(!sink.over);
                    }
                    return Err(self.error("the file ends inside a value (truncated?)"));
                }
                start = 0;
            }
            let b = self.buf[self.pos];
            if scalar {
                if matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                    sink.push(&self.buf[start..self.pos]);
                    return Ok(!sink.over);
                }
                self.pos += 1;
                continue;
            }
            self.pos += 1;
            if in_string {
                if escaped {
                    escaped = false;
                } else if b == b'\\' {
                    escaped = true;
                } else if b == b'"' {
                    in_string = false;
                }
            } else {
                match b {
                    b'"' => in_string = true,
                    b'{' | b'[' => open.push(b),
                    b'}' | b']' => {
                        let want = if b == b'}' { b'{' } else { b'[' };
                        if open.pop() != Some(want) {
                            return Err(self.error("brackets do not match"));
                        }
                    }
                    _ => {}
                }
            }
            if !in_string && open.is_empty() {
                sink.push(&self.buf[start..self.pos]);
                return Ok(!sink.over);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(buf: &[u8]) -> String {
        String::from_utf8_lossy(buf).into_owned()
    }

    #[test]
    fn walks_keys_and_captures_each_element_whole() {
        let doc =
            br#" { "a" : 1, "items": [ {"x": "a,]}\"b"}, [1, [2]], "s\\", 3.5e2 ], "z": null } "#;
        let mut sc = Scanner::new(&doc[..]);
        sc.begin_object().unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(sc.next_key().ok().flatten().as_deref(), Some("a"));
        sc.skip().unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(sc.next_key().ok().flatten().as_deref(), Some("items"));
        sc.begin_array().unwrap_or_else(|e| panic!("{e:?}"));
        let mut got = Vec::new();
        while sc.next_element().unwrap_or(false) {
            got.push(text(&sc.capture(1000).unwrap_or_default()));
        }
        assert_eq!(
            got,
            [r#"{"x": "a,]}\"b"}"#, "[1, [2]]", r#""s\\""#, "3.5e2"]
        );
        assert_eq!(sc.next_key().ok().flatten().as_deref(), Some("z"));
        sc.skip().unwrap_or_else(|e| panic!("{e:?}"));
        assert!(sc.next_key().ok().flatten().is_none());
    }

    #[test]
    fn a_value_over_the_limit_is_skipped_and_the_next_is_read() {
        let doc = br#"[{"big": "0123456789012345678901234567890"}, {"small": 1}]"#;
        let mut sc = Scanner::new(&doc[..]);
        sc.begin_array().unwrap_or_else(|e| panic!("{e:?}"));
        assert!(sc.next_element().unwrap_or(false));
        let err = sc.capture(20).err();
        assert!(err.is_some_and(|e| e.recoverable));
        assert!(sc.next_element().unwrap_or(false));
        assert_eq!(text(&sc.capture(20).unwrap_or_default()), r#"{"small": 1}"#);
        assert!(!sc.next_element().unwrap_or(true));
    }

    #[test]
    fn a_truncated_document_is_an_error_not_a_value() {
        let doc = br#"{"items": [{"name": "a"}, {"name": "#;
        let mut sc = Scanner::new(&doc[..]);
        sc.begin_object().unwrap_or_else(|e| panic!("{e:?}"));
        let _ = sc.next_key();
        sc.begin_array().unwrap_or_else(|e| panic!("{e:?}"));
        assert!(sc.next_element().unwrap_or(false));
        assert!(sc.capture(100).is_ok());
        assert!(sc.next_element().unwrap_or(false));
        let err = sc.capture(100).err();
        assert!(err.is_some_and(|e| !e.recoverable && e.reason.contains("ends inside")));
    }

    #[test]
    fn mismatched_brackets_and_missing_commas_are_errors() {
        let mut sc = Scanner::new(&b"{]"[..]);
        assert!(sc.skip().is_err());
        let mut sc = Scanner::new(&b"[1 2]"[..]);
        sc.begin_array().unwrap_or_else(|e| panic!("{e:?}"));
        assert!(sc.next_element().unwrap_or(false));
        sc.skip().unwrap_or_else(|e| panic!("{e:?}"));
        assert!(sc.next_element().is_err());
    }

    #[test]
    fn an_overlong_key_is_an_error() {
        let doc = format!(r#"{{"{}": 1}}"#, "k".repeat(MAX_KEY_BYTES + 1));
        let mut sc = Scanner::new(doc.as_bytes());
        sc.begin_object().unwrap_or_else(|e| panic!("{e:?}"));
        let err = sc.next_key().err();
        assert!(err.is_some_and(|e| e.reason.contains("key is longer")));
    }

    #[test]
    fn values_across_chunk_boundaries_are_whole() {
        let long = "x".repeat(CHUNK * 2 + 17);
        let doc = format!(r#"[{{"v": "{long}"}}, 7]"#);
        let mut sc = Scanner::new(doc.as_bytes());
        sc.begin_array().unwrap_or_else(|e| panic!("{e:?}"));
        assert!(sc.next_element().unwrap_or(false));
        let got = sc.capture(CHUNK * 4).unwrap_or_default();
        assert_eq!(got.len(), long.len() + 9);
        assert!(sc.next_element().unwrap_or(false));
        assert_eq!(text(&sc.capture(10).unwrap_or_default()), "7");
    }
}
