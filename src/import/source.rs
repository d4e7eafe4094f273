//! The formats `csvault import --from` reads, and how each is opened into a stream of entries.

use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use super::entry::{EntryError, SourceItem};

/// A format `--from` names (issue 16), by the names the command line takes (`jsonl`, `pass`,
/// `keepassxc`, `bitwarden`, `1password`, `dotenv`). `Jsonl` is csvault's own (Create Secret
/// bodies, one a line) and is not read into entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Jsonl,
    Pass,
    Keepassxc,
    Bitwarden,
    #[value(name = "1password")]
    OnePassword,
    Dotenv,
}

/// What a reader may need besides the path.
#[derive(Default)]
pub struct SourceOptions {
    /// The password of a KeePass database (from `CSVAULT_IMPORT_PASSWORD`, `--password-file` or a
    /// hidden prompt: the command line decides).
    pub password: Option<Zeroizing<String>>,
    /// The key file of a KeePass database (`--key-file`).
    pub key_file: Option<PathBuf>,
}

/// The entries of the file or directory at `path`, read as `format` says, one at a time.
///
/// # Errors
/// An [`EntryError`] (location = the path) when the source cannot be opened at all: missing,
/// not that format, a wrong password. Errors of single entries come through the stream.
pub fn open(
    format: Format,
    path: &Path,
    options: &SourceOptions,
) -> Result<Box<dyn Iterator<Item = SourceItem>>, EntryError> {
    match format {
        Format::Pass => super::pass::read_store(path, super::pass::Gpg::from_env()),
        // A KeePass database by its signature bytes, else KeePassXC's CSV export.
        Format::Keepassxc => {
            if super::keepass::is_keepass(&head(path)?) {
                super::keepass::open(path, options)
            } else {
                super::keepass_csv::open(path)
            }
        }
        Format::Bitwarden => super::bitwarden::open(path),
        Format::OnePassword => super::onepassword::open(path),
        Format::Dotenv => super::dotenv::read(path),
        // csvault's own records are read by the record importer, not as entries.
        Format::Jsonl => Err(EntryError {
            location: path.display().to_string(),
            reason: "jsonl is read as records, not entries.".into(),
        }),
    }
}

/// The first 8 bytes of the file at `path` (fewer when it is shorter): what a format is told
/// by (a KeePass database's signature, a ZIP archive's).
///
/// # Errors
/// The file cannot be opened or read (location = the path).
pub fn head(path: &Path) -> Result<Vec<u8>, EntryError> {
    use std::io::Read;
    let mut head = Vec::with_capacity(8);
    std::fs::File::open(path)
        .and_then(|file| file.take(8).read_to_end(&mut head))
        .map_err(|e| EntryError {
            location: path.display().to_string(),
            reason: format!("cannot be read: {e}"),
        })?;
    Ok(head)
}
