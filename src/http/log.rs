//! The endpoint's log on stderr: one line per request (time, method, path, status, duration),
//! never a value, a body, a query string or a signature.
//!
//! Lines are written by a thread of their own, so a slow or unread stderr never stalls a request:
//! beyond [`QUEUED_LINES`] waiting, lines are dropped, counted, and the count is logged.

use jiff::Timestamp;
use std::io::Write;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::time::Duration;

/// Lines that may wait for stderr before more are dropped.
pub const QUEUED_LINES: usize = 4096;

enum Entry {
    Line(String),
    Flush(mpsc::Sender<()>),
}

struct Logger {
    queue: SyncSender<Entry>,
    dropped: AtomicU64,
}

fn logger() -> &'static Logger {
    static LOGGER: OnceLock<Logger> = OnceLock::new();
    LOGGER.get_or_init(|| {
        let (queue, entries) = mpsc::sync_channel(QUEUED_LINES);
        // If the thread cannot start, lines queue up and are then dropped and counted.
        let _ = std::thread::Builder::new()
            .name("csvault-log".into())
            .spawn(move || write_loop(&entries));
        Logger {
            queue,
            dropped: AtomicU64::new(0),
        }
    })
}

fn write_loop(entries: &mpsc::Receiver<Entry>) {
    for entry in entries {
        match entry {
            Entry::Line(line) => {
                let dropped = logger().dropped.swap(0, Ordering::Relaxed);
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

/// Queues one line: UTC time and `message`.
pub fn line(message: &str) {
    let log = logger();
    if let Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) =
        log.queue.try_send(Entry::Line(stamped(message)))
    {
        log.dropped.fetch_add(1, Ordering::Relaxed);
    }
}

/// Waits (at most a second) until every line queued so far is written.
pub fn flush() {
    let deadline = std::time::Instant::now() + Duration::from_secs(1);
    let (done, written) = mpsc::channel();
    let mut flush = Entry::Flush(done);
    loop {
        match logger().queue.try_send(flush) {
            Ok(()) => break,
            Err(TrySendError::Full(entry)) if std::time::Instant::now() < deadline => {
                flush = entry;
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(_) => return,
        }
    }
    let _ = written.recv_timeout(deadline.saturating_duration_since(std::time::Instant::now()));
}
