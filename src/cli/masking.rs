//! Masking a program's output (`csvault run`): every occurrence of an injected value is replaced
//! by [`PLACEHOLDER`] as the bytes stream through, whatever the reads' boundaries.
//!
//! Every value of one byte or more is masked, as `op run` does: a short value garbles the output
//! (`--no-masking` turns masking off), but none ever shows. Bytes go out as soon as they are read,
//! except a tail that could still be the start of a value (at most the longest value's length
//! minus one byte), which waits for the next read or the end of the stream, so a value written
//! in two pieces with a pause between is still caught. Only the exact bytes are masked, not an
//! encoding of them (base64, URL escapes).

use std::io::{self, Read, Write};
use zeroize::Zeroizing;

/// What replaces a value in the output.
pub const PLACEHOLDER: &[u8] = b"<concealed by csvault>";

/// The masking state of one output stream.
pub struct Masker {
    /// The values, longest first (the longest match wins), none empty.
    values: Vec<Zeroizing<Vec<u8>>>,
    /// Read but not yet written: a tail that may begin a value.
    pending: Zeroizing<Vec<u8>>,
}

impl Masker {
    /// A masker for `values`; empty values are ignored.
    pub fn new(values: &[Zeroizing<Vec<u8>>]) -> Self {
        let mut values: Vec<Zeroizing<Vec<u8>>> =
            values.iter().filter(|v| !v.is_empty()).cloned().collect();
        values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        values.dedup_by(|a, b| a[..] == b[..]);
        let longest = values.first().map_or(0, |v| v.len());
        Self {
            values,
            pending: Zeroizing::new(Vec::with_capacity(longest + READ_BYTES)),
        }
    }

    /// Takes the next bytes read; returns what can be written now.
    pub fn push(&mut self, bytes: &[u8]) -> Zeroizing<Vec<u8>> {
        self.pending.extend_from_slice(bytes);
        self.drain(false)
    }

    /// The end of the stream: the rest, masked.
    pub fn finish(&mut self) -> Zeroizing<Vec<u8>> {
        self.drain(true)
    }

    fn drain(&mut self, at_end: bool) -> Zeroizing<Vec<u8>> {
        // Two passes over the same bytes: the first counts what goes out, so the output is
        // allocated once at its exact size (growing it would leave unwiped copies behind).
        let mut size = 0;
        self.scan(at_end, |piece| size += piece.len());
        let mut out = Zeroizing::new(Vec::with_capacity(size));
        let at = self.scan(at_end, |piece| out.extend_from_slice(piece));
        let kept = self.pending.len() - at;
        self.pending.copy_within(at.., 0);
        // The bytes moved down leave copies above `kept`: wiped by truncating through zeroize.
        zeroize::Zeroize::zeroize(&mut self.pending[kept..]);
        self.pending.truncate(kept);
        out
    }

    /// Walks the pending bytes, passing on each piece that can go out now (a run of bytes, or
    /// [`PLACEHOLDER`] for a value); returns how many pending bytes were consumed.
    fn scan(&self, at_end: bool, mut emit: impl FnMut(&[u8])) -> usize {
        let buf = &self.pending[..];
        let mut at = 0;
        let mut plain = 0;
        while at < buf.len() {
            let rest = &buf[at..];
            // A tail that is the start of a (longer) value waits for more bytes.
            if !at_end
                && self
                    .values
                    .iter()
                    .any(|v| rest.len() < v.len() && v.starts_with(rest))
            {
                break;
            }
            if let Some(value) = self.values.iter().find(|v| rest.starts_with(v)) {
                emit(&buf[plain..at]);
                emit(PLACEHOLDER);
                at += value.len();
                plain = at;
            } else {
                at += 1;
            }
        }
        emit(&buf[plain..at]);
        at
    }
}

/// Bytes read from the program at a time.
const READ_BYTES: usize = 8192;

/// Copies `from` into `to` through a [`Masker`] until `from` ends, flushing after each read.
/// A failed write stops the copy and closes `from` (the program then gets `SIGPIPE`/`EPIPE`,
/// as it would writing to the closed output itself).
pub fn pump(mut from: impl Read, mut to: impl Write, values: &[Zeroizing<Vec<u8>>]) {
    let mut masker = Masker::new(values);
    let mut buf = Zeroizing::new(vec![0u8; READ_BYTES]);
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        };
        let out = masker.push(&buf[..n]);
        if to.write_all(&out).and_then(|()| to.flush()).is_err() {
            return;
        }
    }
    let _ = to.write_all(&masker.finish()).and_then(|()| to.flush());
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn values(list: &[&str]) -> Vec<Zeroizing<Vec<u8>>> {
        list.iter()
            .map(|v| Zeroizing::new(v.as_bytes().to_vec()))
            .collect()
    }

    /// The output of `input` fed in pieces split at `cuts`.
    fn masked(list: &[&str], input: &[u8], cuts: &[usize]) -> Vec<u8> {
        let mut m = Masker::new(&values(list));
        let mut out = Vec::new();
        let mut from = 0;
        for &cut in cuts {
            let cut = cut.clamp(from, input.len());
            out.extend_from_slice(&m.push(&input[from..cut]));
            from = cut;
        }
        out.extend_from_slice(&m.push(&input[from..]));
        out.extend_from_slice(&m.finish());
        out
    }

    fn text(bytes: &[u8]) -> String {
        String::from_utf8_lossy(bytes).into_owned()
    }

    #[test]
    fn the_output_is_allocated_once_at_its_size() {
        // Many short values in one read: the output is far longer than the input.
        let mut m = Masker::new(&values(&["ab", "x"]));
        let out = m.push(b"ab-x-ab-x-abxab-x-yyy-ab");
        let end = m.finish();
        assert_eq!(out.capacity(), out.len());
        assert_eq!(end.capacity(), end.len());
        let p = text(PLACEHOLDER);
        assert_eq!(text(&out), format!("{p}-{p}-{p}-{p}-{p}{p}{p}-{p}-yyy-{p}"));
        assert!(end.is_empty());
    }

    #[test]
    fn values_are_concealed_even_when_split() {
        let out = masked(&["hunter2"], b"pw=hunter2; again hun", &[5]);
        assert_eq!(text(&out), "pw=<concealed by csvault>; again hun");
        let out = masked(&["hunter2"], b"pw=hunter2\n", &[4, 5, 6, 7, 8, 9]);
        assert_eq!(text(&out), "pw=<concealed by csvault>\n");
        // The longer value wins where both match.
        let out = masked(&["abc", "abcdef"], b"abcdef abc abcd", &[2]);
        assert_eq!(
            text(&out),
            "<concealed by csvault> <concealed by csvault> <concealed by csvault>d"
        );
        // Empty values mask nothing; other text passes byte for byte.
        let out = masked(&["", "x"], b"\xff\x00ok", &[]);
        assert_eq!(out, b"\xff\x00ok");
    }

    #[test]
    fn only_a_possible_start_of_a_value_is_held_back() {
        let mut m = Masker::new(&values(&["secret"]));
        assert_eq!(&m.push(b"line one\nsec")[..], b"line one\n");
        assert_eq!(&m.push(b"ond")[..], b"second");
        assert_eq!(&m.push(b"se")[..], b"");
        assert_eq!(&m.finish()[..], b"se");
    }

    proptest! {
        #[test]
        fn no_value_ever_gets_through(
            list in proptest::collection::vec("[A-D]{1,6}", 1..4),
            input in "[A-D ]{0,80}",
            cuts in proptest::collection::vec(0usize..80, 0..8),
        ) {
            let mut cuts = cuts;
            cuts.sort_unstable();
            let refs: Vec<&str> = list.iter().map(String::as_str).collect();
            let out = masked(&refs, input.as_bytes(), &cuts);
            for v in &list {
                prop_assert!(
                    !out.windows(v.len()).any(|w| w == v.as_bytes()),
                    "{v} in {}", text(&out)
                );
            }
            // Whatever the chunking, the same output.
            prop_assert_eq!(out, masked(&refs, input.as_bytes(), &[]));
        }
    }
}
