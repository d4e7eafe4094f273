//! tmux around OSC 52: its `set-clipboard` option read at every level, and the paste buffers a
//! copy leaves behind ([`PasteBuffers`], [`TmuxServer`]).
//!
//! With `set-clipboard on`, tmux turns an application's OSC 52 into a paste buffer of its own
//! (and passes it on to the outer terminal). Clearing the terminal's clipboard leaves that buffer
//! alone, so a value would stay in `tmux list-buffers` for anyone at the terminal: the guard
//! deletes the buffers that appeared since the copy and hold our value (compared in memory,
//! never written anywhere).

use super::TmuxClipboard;
use std::io::Read;
use std::process::{Command, Stdio};
use zeroize::Zeroizing;

/// The longest paste buffer read back to compare: a 32 KB value and change. A longer buffer is
/// not ours.
const MAX_BUFFER_BYTES: usize = 64 * 1024;

/// The paste buffers of the tmux server this process runs under.
pub trait PasteBuffers {
    /// Every buffer's name now; `None` when tmux cannot be asked.
    fn names(&mut self) -> Option<Vec<String>>;
    /// A buffer's contents (wiped on drop); `None` when it cannot be read.
    fn contents(&mut self, name: &str) -> Option<Zeroizing<Vec<u8>>>;
    /// Deletes a buffer; whether tmux did.
    fn delete(&mut self, name: &str) -> bool;
}

/// The real tmux server (found by tmux itself from `TMUX`).
#[derive(Debug, Default)]
pub struct TmuxServer;

fn tmux(args: &[&str]) -> Option<Vec<u8>> {
    let out = Command::new("tmux")
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status.success().then_some(out.stdout)
}

/// A buffer's contents through `tmux show-buffer`: piped into one wiped buffer sized once for
/// [`MAX_BUFFER_BYTES`] and a byte (no growing `Vec` leaving copies), at most that much read;
/// `None` when tmux fails or the buffer is longer (not ours).
fn show_buffer(name: &str) -> Option<Zeroizing<Vec<u8>>> {
    let mut child = Command::new("tmux")
        .args(["show-buffer", "-b", name])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let bytes = child
        .stdout
        .take()
        .and_then(|stdout| read_capped(stdout, MAX_BUFFER_BYTES));
    if bytes.is_none() {
        // A longer buffer left unread (or a failed read): tmux is ended, then reaped.
        let _ = child.kill();
    }
    let status = child.wait().ok()?;
    bytes.filter(|_| status.success())
}

/// At most `max` bytes of `from` in a wiped buffer allocated once (`max + 1`: room for the
/// byte that tells a longer input); `None` on a read error or when there is more than `max`.
fn read_capped(from: impl Read, max: usize) -> Option<Zeroizing<Vec<u8>>> {
    let mut bytes = Zeroizing::new(Vec::with_capacity(max + 1));
    let limit = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    from.take(limit).read_to_end(&mut bytes).ok()?;
    (bytes.len() <= max).then_some(bytes)
}

impl PasteBuffers for TmuxServer {
    fn names(&mut self) -> Option<Vec<String>> {
        let out = tmux(&["list-buffers", "-F", "#{buffer_name}"])?;
        Some(
            String::from_utf8_lossy(&out)
                .lines()
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect(),
        )
    }

    fn contents(&mut self, name: &str) -> Option<Zeroizing<Vec<u8>>> {
        show_buffer(name)
    }

    fn delete(&mut self, name: &str) -> bool {
        tmux(&["delete-buffer", "-b", name]).is_some()
    }
}

/// Deletes the buffers not in `before` whose contents `is_ours` recognises; how many.
pub fn delete_new_copies(
    buffers: &mut dyn PasteBuffers,
    before: &[String],
    is_ours: &dyn Fn(&str) -> bool,
) -> usize {
    let Some(now) = buffers.names() else {
        return 0;
    };
    let mut deleted = 0;
    for name in now.iter().filter(|n| !before.contains(n)) {
        let ours = buffers
            .contents(name)
            .is_some_and(|bytes| std::str::from_utf8(&bytes).is_ok_and(is_ours));
        if ours && buffers.delete(name) {
            deleted += 1;
        }
    }
    deleted
}

/// What tmux makes of an application's OSC 52, from `set-clipboard` as set for the session
/// (`show -v`), globally (`show -gv`) and for the server (`show -sv`): `off` or `external` at any
/// level is reported ([`TmuxClipboard::Ignored`]), else `on` if any level says so.
pub fn probe() -> TmuxClipboard {
    let answers: Vec<Option<String>> = [["-v"], ["-gv"], ["-sv"]]
        .iter()
        .map(|flags| {
            let mut args = vec!["show-options"];
            args.extend_from_slice(flags);
            args.push("set-clipboard");
            tmux(&args).map(|out| String::from_utf8_lossy(&out).into_owned())
        })
        .collect();
    combine(answers.iter().map(Option::as_deref))
}

/// The levels' answers combined (see [`probe`]).
fn combine<'a>(answers: impl Iterator<Item = Option<&'a str>>) -> TmuxClipboard {
    let mut result = TmuxClipboard::Unknown;
    for answer in answers {
        match TmuxClipboard::parse(answer) {
            ignored @ TmuxClipboard::Ignored(_) => return ignored,
            TmuxClipboard::On => result = TmuxClipboard::On,
            TmuxClipboard::Unknown => {}
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn off_or_external_at_any_level_wins() {
        assert_eq!(
            combine([Some("on\n"), Some("external\n"), Some("on\n")].into_iter()),
            TmuxClipboard::Ignored("external".into())
        );
        assert_eq!(
            combine([None, Some("on\n"), Some("off\n")].into_iter()),
            TmuxClipboard::Ignored("off".into())
        );
        assert_eq!(
            combine([None, Some("on\n"), None].into_iter()),
            TmuxClipboard::On
        );
        assert_eq!(combine([None, None].into_iter()), TmuxClipboard::Unknown);
    }

    #[derive(Default)]
    struct Fake(BTreeMap<String, Vec<u8>>);

    impl PasteBuffers for Fake {
        fn names(&mut self) -> Option<Vec<String>> {
            Some(self.0.keys().cloned().collect())
        }
        fn contents(&mut self, name: &str) -> Option<Zeroizing<Vec<u8>>> {
            self.0.get(name).cloned().map(Zeroizing::new)
        }
        fn delete(&mut self, name: &str) -> bool {
            self.0.remove(name).is_some()
        }
    }

    #[test]
    fn only_new_buffers_holding_our_value_are_deleted() {
        let mut fake = Fake::default();
        fake.0.insert("older".into(), b"s3cret".to_vec());
        let before = fake.names().unwrap_or_default();
        fake.0.insert("buffer1".into(), b"s3cret".to_vec());
        fake.0.insert("buffer2".into(), b"something else".to_vec());
        let deleted = delete_new_copies(&mut fake, &before, &|t| t == "s3cret");
        assert_eq!(deleted, 1);
        let left: Vec<String> = fake.0.keys().cloned().collect();
        assert_eq!(left, ["buffer2", "older"]);
    }

    #[test]
    fn a_buffer_is_read_into_one_allocation_and_a_longer_one_refused() {
        let max = 1000;
        let full = vec![b'x'; max];
        let got = read_capped(full.as_slice(), max);
        assert_eq!(got.as_ref().map(|b| b.len()), Some(max));
        // Sized once: never grown (a grown Vec leaves an unwiped copy behind).
        assert_eq!(got.map(|b| b.capacity()), Some(max + 1));
        let longer = vec![b'x'; max + 1];
        assert!(read_capped(longer.as_slice(), max).is_none(), "not ours");
        assert!(read_capped(&b"s3cret"[..], max).is_some_and(|b| *b == b"s3cret"));
    }
}
