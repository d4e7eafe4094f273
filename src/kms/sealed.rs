//! The sealed-blob format: `version ‖ nonce ‖ ciphertext+tag`, AES-256-GCM-SIV with associated data.

use aes_gcm_siv::aead::{Aead, Payload};
use aes_gcm_siv::{Aes256GcmSiv, Nonce};
use zeroize::Zeroizing;

use super::KmsError;

const FORMAT_V1: u8 = 1;
const TAG_LEN: usize = 16;

pub const NONCE_LEN: usize = 12;

/// The plaintext length of a blob of `sealed_len` bytes made by [`seal`] (the format adds a fixed
/// overhead: version byte, nonce and tag).
pub fn plaintext_len(sealed_len: usize) -> usize {
    sealed_len.saturating_sub(1 + NONCE_LEN + TAG_LEN)
}

/// Seals `plaintext` under `cipher`, bound to `aad`, with a fresh random nonce.
pub fn seal(cipher: &Aes256GcmSiv, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>, KmsError> {
    let mut nonce = [0u8; NONCE_LEN];
    getrandom::fill(&mut nonce).map_err(|_| KmsError::Random)?;
    seal_with_nonce(cipher, nonce, plaintext, aad)
}

/// [`seal`] with a nonce the caller drew from the system random source (to batch draws).
pub fn seal_with_nonce(
    cipher: &Aes256GcmSiv,
    nonce: [u8; NONCE_LEN],
    plaintext: &[u8],
    aad: &[u8],
) -> Result<Vec<u8>, KmsError> {
    let body = cipher
        .encrypt(
            &Nonce::from(nonce),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .map_err(|_| KmsError::Integrity("sealing"))?;
    let mut blob = Vec::with_capacity(1 + NONCE_LEN + body.len());
    blob.push(FORMAT_V1);
    blob.extend_from_slice(&nonce);
    blob.extend_from_slice(&body);
    Ok(blob)
}

/// Opens a blob made by [`seal`]; any change to it or to `aad` is an integrity error naming `what`.
pub fn open(
    cipher: &Aes256GcmSiv,
    blob: &[u8],
    aad: &[u8],
    what: &'static str,
) -> Result<Zeroizing<Vec<u8>>, KmsError> {
    if blob.len() < 1 + NONCE_LEN + TAG_LEN || blob[0] != FORMAT_V1 {
        return Err(KmsError::Integrity(what));
    }
    let (nonce, body) = blob[1..].split_at(NONCE_LEN);
    let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| KmsError::Integrity(what))?;
    cipher
        .decrypt(&Nonce::from(nonce), Payload { msg: body, aad })
        .map(Zeroizing::new)
        .map_err(|_| KmsError::Integrity(what))
}
