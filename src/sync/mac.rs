//! The sync state's keyed hashes: HMAC-SHA256 under the key the vault derives for sync
//! (`SyncView::mac_key`), so the state tells whether a value changed without holding it.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::fmt::Write as _;
use zeroize::Zeroizing;

use crate::csms::SecretTag;
use crate::remote::Value;

/// The MAC key, 32 bytes, wiped on drop.
pub struct MacKey(Zeroizing<Vec<u8>>);

impl MacKey {
    /// From `SyncView::mac_key` (base64); `None` if it is not 32 bytes of base64.
    pub fn from_base64(text: &str) -> Option<Self> {
        use base64::Engine as _;
        let bytes = Zeroizing::new(
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .ok()?,
        );
        (bytes.len() == 32).then_some(Self(bytes))
    }

    fn mac(&self, parts: &[&[u8]]) -> String {
        let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0) else {
            return String::new();
        };
        for part in parts {
            // Each part length-prefixed: no two different inputs hash alike.
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        let mut hex = String::with_capacity(64);
        for b in mac.finalize().into_bytes() {
            let _ = write!(hex, "{b:02x}");
        }
        hex
    }

    /// The value's MAC: its kind and bytes (text as UTF-8, binary decoded).
    pub fn value(&self, value: &Value) -> String {
        self.mac(&[b"value", value.kind.as_str().as_bytes(), &value.bytes])
    }

    /// The metadata's MAC: description and tags (sorted by key).
    pub fn meta(&self, description: &str, tags: &[SecretTag]) -> String {
        let mut sorted: Vec<&SecretTag> = tags.iter().collect();
        sorted.sort_by(|a, b| a.key.cmp(&b.key));
        let mut parts: Vec<&[u8]> = vec![b"meta", description.as_bytes()];
        for tag in sorted {
            parts.push(tag.key.as_bytes());
            parts.push(tag.value.as_bytes());
        }
        self.mac(&parts)
    }
}

impl std::fmt::Debug for MacKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MacKey(..)")
    }
}
