//! Reading values and request bodies from files or stdin (`-`), bounded and into wiped buffers.

use std::path::Path;
use zeroize::Zeroizing;

use crate::csms::{ApiError, ErrorCode};

/// No input csvault takes is larger: a 32 KB value as base64 inside JSON fits many times over.
pub const MAX_INPUT_BYTES: u64 = 1024 * 1024;

/// Reads all of `path` (`-` for stdin), refusing more than [`MAX_INPUT_BYTES`].
pub fn read_bounded(path: &Path) -> Result<Zeroizing<Vec<u8>>, ApiError> {
    crate::input::read_bounded(path, MAX_INPUT_BYTES).map_err(|e| match e {
        crate::input::ReadError::Io(e) => ApiError::new(
            ErrorCode::Io,
            format!("Cannot read {}: {e}", path.display()),
        ),
        crate::input::ReadError::TooLarge(_) => ApiError::invalid(format!(
            "{} is larger than {MAX_INPUT_BYTES} bytes.",
            path.display()
        )),
    })
}

/// Reads UTF-8 text of at most `limit` bytes (a blob, not a secret value).
pub fn read_text_bounded(path: &Path, limit: u64) -> Result<String, ApiError> {
    let bytes = crate::input::read_bounded(path, limit).map_err(|e| match e {
        crate::input::ReadError::Io(e) => ApiError::new(
            ErrorCode::Io,
            format!("Cannot read {}: {e}", path.display()),
        ),
        crate::input::ReadError::TooLarge(_) => {
            ApiError::invalid(format!("{} is larger than {limit} bytes.", path.display()))
        }
    })?;
    String::from_utf8(bytes.to_vec())
        .map_err(|_| ApiError::invalid(format!("{} is not UTF-8 text.", path.display())))
}

/// Reads a text value: UTF-8, byte for byte (a trailing newline is kept; it is part of the file).
pub fn read_text(path: &Path) -> Result<Zeroizing<String>, ApiError> {
    let bytes = read_bounded(path)?;
    match std::str::from_utf8(&bytes) {
        Ok(text) => Ok(Zeroizing::new(text.to_owned())),
        Err(_) => Err(ApiError::invalid(format!(
            "Invalid secret_string: {} is not UTF-8 text; use --secret-binary-file for bytes.",
            path.display()
        ))),
    }
}

/// Reads raw bytes and encodes them as base64 for `secret_binary`.
pub fn read_binary_as_base64(path: &Path) -> Result<Zeroizing<String>, ApiError> {
    use base64::Engine;
    let bytes = read_bounded(path)?;
    let mut encoded = Zeroizing::new(String::with_capacity(bytes.len() * 4 / 3 + 4));
    base64::engine::general_purpose::STANDARD.encode_string(&*bytes, &mut encoded);
    Ok(encoded)
}

/// The error when stdin is asked for twice.
pub fn stdin_twice() -> ApiError {
    ApiError::new(
        ErrorCode::Usage,
        "Only one input can be read from stdin (-).",
    )
}
