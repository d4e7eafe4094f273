//! The endpoint's log on stderr: one line per request (time, method, path, status, duration),
//! never a value, a body, a query string or a signature.
//!
//! Lines are written by a thread of their own, so a slow or unread stderr never stalls a request:
//! beyond [`QUEUED_BYTES`] waiting, lines are dropped, counted, and the count is logged. What a
//! client sends is shown [`cut`] to a bounded length.

use jiff::Timestamp;
use std::borrow::Cow;
use std::io::Write;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Sender};
use std::time::Duration;

/// Bytes of lines that may wait for stderr (1 MiB) before more are dropped.
pub const QUEUED_BYTES: usize = 1 << 20;

enum Entry {
    Line(String),
    Flush(mpsc::Sender<()>),
}

struct Logger {
    queue: Sender<Entry>,
    /// Bytes of the lines queued and not yet written, at most [`QUEUED_BYTES`].
    queued: Budget,
    dropped: AtomicU64,
}

fn logger() -> &'static Logger {
    static LOGGER: OnceLock<Logger> = OnceLock::new();
    LOGGER.get_or_init(|| {
        let (queue, entries) = mpsc::channel();
        // If the thread cannot start, lines queue up and are then dropped and counted.
        let _ = std::thread::Builder::new()
            .name("csvault-log".into())
            .spawn(move || write_loop(&entries));
        Logger {
            queue,
            queued: Budget::new(QUEUED_BYTES),
            dropped: AtomicU64::new(0),
        }
    })
}

/// A count of bytes that may not pass a limit.
struct Budget {
    used: AtomicUsize,
    limit: usize,
}

impl Budget {
    const fn new(limit: usize) -> Self {
        Self {
            used: AtomicUsize::new(0),
            limit,
        }
    }

    /// Takes `n` bytes if that stays within the limit.
    fn take(&self, n: usize) -> bool {
        self.used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                used.checked_add(n).filter(|&total| total <= self.limit)
            })
            .is_ok()
    }

    fn give(&self, n: usize) {
        self.used.fetch_sub(n, Ordering::AcqRel);
    }
}

fn write_loop(entries: &mpsc::Receiver<Entry>) {
    for entry in entries {
        match entry {
            Entry::Line(line) => {
                let log = logger();
                log.queued.give(line.len());
                let dropped = log.dropped.swap(0, Ordering::Relaxed);
                let mut err = std::io::stderr().lock();
                if dropped > 0 {
                    let _ = err.write_all(
                        stamped(&format!("{dropped} log lines dropped: stderr was not read"))
                            .as_bytes(),
                    );
                }
                let _ = err.write_all(line.as_bytes());
            }
            Entry::Flush(done) => {
                let _ = done.send(());
            }
        }
    }
}

fn stamped(message: &str) -> String {
    format!(
        "{} {message}\n",
        Timestamp::now().strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
    )
}

/// Queues one line: UTC time and `message`; dropped (and counted) when [`QUEUED_BYTES`] of lines
/// already wait.
pub fn line(message: &str) {
    let log = logger();
    let line = stamped(message);
    let bytes = line.len();
    let queued = log.queued.take(bytes) && {
        let sent = log.queue.send(Entry::Line(line)).is_ok();
        if !sent {
            log.queued.give(bytes);
        }
        sent
    };
    if !queued {
        log.dropped.fetch_add(1, Ordering::Relaxed);
    }
}

/// `text` (something a client sent, such as a path) as one log line may show it: at most
/// `max_bytes` of it, cut on a character boundary and marked with how long it was.
pub fn cut(text: &str, max_bytes: usize) -> Cow<'_, str> {
    if text.len() <= max_bytes {
        return Cow::Borrowed(text);
    }
    let mut end = max_bytes;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    Cow::Owned(format!("{}…[cut: {} bytes]", &text[..end], text.len()))
}

/// Waits (at most a second) until every line queued so far is written.
pub fn flush() {
    let deadline = std::time::Instant::now() + Duration::from_secs(1);
    let (done, written) = mpsc::channel();
    if logger().queue.send(Entry::Flush(done)).is_err() {
        return;
    }
    let _ = written.recv_timeout(deadline.saturating_duration_since(std::time::Instant::now()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_text_is_cut_on_a_character_boundary_and_says_so() {
        assert_eq!(cut("/v1/p/secrets", 256), "/v1/p/secrets");
        let long = format!("/{}", "é".repeat(200));
        let shown = cut(&long, 256);
        assert!(shown.starts_with(&long[..255]), "{shown}");
        assert!(shown.ends_with("…[cut: 401 bytes]"), "{shown}");
        assert!(shown.len() < 256 + 32);
    }

    #[test]
    fn the_queue_holds_a_bounded_number_of_bytes_and_makes_room_as_lines_are_written() {
        let queued = Budget::new(100);
        assert!(queued.take(60));
        assert!(!queued.take(41), "over the limit: dropped");
        assert!(queued.take(40));
        queued.give(60);
        assert!(queued.take(60));
    }
}
