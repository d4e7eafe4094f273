//! A `pass` password store read entry by entry: every `*.gpg` file, walked in sorted order and
//! decrypted with the user's own gpg as `pass show` does.

mod content;
mod gpg;

use std::collections::HashSet;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

pub use gpg::{Gpg, MAX_PLAINTEXT};

use super::entry::{Attachment, EntryError, SourceEntry, SourceItem};

/// The entries of the store at `store`, one `*.gpg` file each, decrypted by `gpg` one at a time
/// as the stream is read. The walk is depth-first with each directory's names in byte order;
/// names starting with `.` (`.git`, `.gpg-id`, other dot-directories) and files not ending in
/// `.gpg` are passed over; a symbolic link is followed only when it leads to a place inside the
/// store (each directory once), else it is that entry's error. Folders are the subdirectories,
/// the title the file name without `.gpg` (names that are not UTF-8 are read lossily).
///
/// # Errors
/// When `store` is not a directory or gpg cannot be run. A file gpg cannot decrypt, or one
/// that cannot be read, is an error of that entry in the stream.
pub fn read_store(
    store: &Path,
    gpg: Gpg,
) -> Result<Box<dyn Iterator<Item = SourceItem>>, EntryError> {
    let whole = |reason: String| EntryError {
        location: store.display().to_string(),
        reason,
    };
    let root = fs::canonicalize(store).map_err(|e| whole(format!("cannot be read: {e}")))?;
    if !root.is_dir() {
        return Err(whole("is not a directory (a password store is one)".into()));
    }
    gpg.check().map_err(whole)?;
    let mut walk = Walk {
        root: root.clone(),
        gpg,
        stack: Vec::new(),
        visited: HashSet::from([root.clone()]),
        pending: None,
    };
    walk.enter(Vec::new(), PathBuf::new(), &root);
    Ok(Box::new(walk))
}

/// The depth-first walk: one level per open directory, its names already sorted.
struct Walk {
    root: PathBuf,
    gpg: Gpg,
    stack: Vec<Level>,
    /// Canonical directories already walked, so a linked directory is read once.
    visited: HashSet<PathBuf>,
    /// A directory's read error, yielded next.
    pending: Option<EntryError>,
}

struct Level {
    folders: Vec<String>,
    relative: PathBuf,
    names: std::vec::IntoIter<OsString>,
}

/// What a name in the store is, once links are resolved.
enum Kind {
    Directory(PathBuf),
    Entry(PathBuf),
    Other,
}

impl Walk {
    fn enter(&mut self, folders: Vec<String>, relative: PathBuf, dir: &Path) {
        match fs::read_dir(dir).and_then(|list| {
            list.map(|item| item.map(|i| i.file_name()))
                .collect::<Result<Vec<_>, _>>()
        }) {
            Ok(mut names) => {
                names.sort_by(|a, b| a.as_encoded_bytes().cmp(b.as_encoded_bytes()));
                self.stack.push(Level {
                    folders,
                    relative,
                    names: names.into_iter(),
                });
            }
            Err(e) => {
                self.pending = Some(error(&relative, format!("the folder cannot be read: {e}")));
            }
        }
    }

    /// What `relative` (at `path`) is; links resolved inside the store only.
    fn kind(&self, relative: &Path, path: &Path, is_gpg: bool) -> Result<Kind, EntryError> {
        let meta = fs::symlink_metadata(path)
            .map_err(|e| error(relative, format!("cannot be read: {e}")))?;
        if !meta.file_type().is_symlink() {
            return Ok(if meta.is_dir() {
                Kind::Directory(path.to_owned())
            } else if meta.is_file() && is_gpg {
                Kind::Entry(path.to_owned())
            } else {
                Kind::Other
            });
        }
        let Ok(target) = fs::canonicalize(path) else {
            return if is_gpg {
                Err(error(relative, "a symbolic link to nothing".into()))
            } else {
                Ok(Kind::Other)
            };
        };
        let is_dir = target.is_dir();
        if !target.starts_with(&self.root) {
            return if is_gpg || is_dir {
                Err(error(
                    relative,
                    "a symbolic link out of the store; not followed".into(),
                ))
            } else {
                Ok(Kind::Other)
            };
        }
        Ok(if is_dir {
            Kind::Directory(target)
        } else if is_gpg && target.is_file() {
            Kind::Entry(target)
        } else {
            Kind::Other
        })
    }

    fn entry(&self, folders: &[String], name: &str, relative: &Path, file: &Path) -> SourceItem {
        let title = name.strip_suffix(".gpg").unwrap_or(name).to_owned();
        let plaintext = self
            .gpg
            .decrypt(file)
            .map_err(|reason| error(relative, reason))?;
        let mut entry = SourceEntry {
            folders: folders.to_vec(),
            title,
            location: relative.display().to_string(),
            ..SourceEntry::default()
        };
        match std::str::from_utf8(&plaintext) {
            Ok(text) => content::fill(&mut entry, text),
            // Not text (a file put in with `pass insert -m < file`): kept whole, as a file.
            Err(_) => entry.attachments.push(Attachment {
                name: entry.title.clone(),
                data: Zeroizing::new(plaintext.to_vec()),
            }),
        }
        Ok(entry)
    }
}

impl Iterator for Walk {
    type Item = SourceItem;

    fn next(&mut self) -> Option<SourceItem> {
        loop {
            if let Some(e) = self.pending.take() {
                return Some(Err(e));
            }
            let level = self.stack.last_mut()?;
            let Some(name) = level.names.next() else {
                self.stack.pop();
                continue;
            };
            let name = name.to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let relative = level.relative.join(&name);
            let folders = level.folders.clone();
            let path = self.root.join(&relative);
            let is_gpg = Path::new(&name).extension() == Some(OsStr::new("gpg"));
            match self.kind(&relative, &path, is_gpg) {
                Err(e) => return Some(Err(e)),
                Ok(Kind::Other) => {}
                Ok(Kind::Directory(target)) => {
                    let canonical = fs::canonicalize(&target).unwrap_or(target);
                    if self.visited.insert(canonical.clone()) {
                        let mut inner = folders;
                        inner.push(name);
                        self.enter(inner, relative, &canonical);
                    }
                }
                Ok(Kind::Entry(file)) => {
                    return Some(self.entry(&folders, &name, &relative, &file));
                }
            }
        }
    }
}

fn error(relative: &Path, reason: String) -> EntryError {
    EntryError {
        location: relative.display().to_string(),
        reason,
    }
}
