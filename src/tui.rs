//! The terminal app: model/update/view over the vault.

use std::path::Path;
use zeroize::Zeroizing;

/// Runs the terminal app on the vault at `path`. With `passphrase` given, the unlock screen is skipped.
pub fn run(path: &Path, passphrase: Option<Zeroizing<String>>) -> std::io::Result<()> {
    let _ = (path, passphrase);
    Ok(())
}
