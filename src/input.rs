//! Reading what a user points us at (a file, a FIFO, a device, stdin) with a size bound and
//! without hanging: everything read from outside is bounded before it is trusted.

use rustix::fs::OFlags;
use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use zeroize::Zeroizing;

/// Why a bounded read failed.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{0}")]
    Io(#[from] io::Error),
    /// More than the limit, in bytes, was there.
    #[error("it is larger than {0} bytes")]
    TooLarge(u64),
}

/// Opens `path` for reading. A FIFO with no writer is opened without blocking and then reads as
/// empty, instead of hanging the process until someone writes.
pub fn open(path: &Path) -> io::Result<File> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(i32::try_from(OFlags::NONBLOCK.bits()).unwrap_or(0))
        .open(path)?;
    // Reads block again from here: a FIFO whose writer is slow is waited for, one with no writer
    // reads end-of-file at once.
    rustix::fs::fcntl_setfl(&file, OFlags::empty())?;
    Ok(file)
}

/// Reads all of `path` (`-` for stdin), at most `limit` bytes, into a wiped buffer.
pub fn read_bounded(path: &Path, limit: u64) -> Result<Zeroizing<Vec<u8>>, ReadError> {
    // Room for everything allowed up front: a buffer that grew would leave unwiped copies behind.
    let mut buf = Zeroizing::new(Vec::with_capacity(
        usize::try_from(limit.saturating_add(1)).unwrap_or(0),
    ));
    if path.as_os_str() == "-" {
        io::stdin().lock().take(limit + 1).read_to_end(&mut buf)?;
    } else {
        open(path)?.take(limit + 1).read_to_end(&mut buf)?;
    }
    if buf.len() as u64 > limit {
        return Err(ReadError::TooLarge(limit));
    }
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endless_devices_are_cut_at_the_limit() {
        let e = read_bounded(Path::new("/dev/zero"), 1024).err();
        assert!(matches!(e, Some(ReadError::TooLarge(1024))), "{e:?}");
    }

    #[test]
    fn a_fifo_without_a_writer_reads_as_empty_at_once() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let fifo = dir.path().join("fifo");
        rustix::fs::mkfifoat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let read = read_bounded(&fifo, 1024).unwrap_or_else(|e| panic!("{e}"));
        assert!(read.is_empty());
    }

    #[test]
    fn a_file_reads_whole() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("f");
        std::fs::write(&path, b"hunter2\n").unwrap_or_else(|e| panic!("{e}"));
        let read = read_bounded(&path, 8).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(&read[..], b"hunter2\n");
        assert!(matches!(
            read_bounded(&path, 7),
            Err(ReadError::TooLarge(7))
        ));
    }
}
