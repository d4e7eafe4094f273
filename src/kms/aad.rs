//! Associated data: the unambiguous, length-prefixed encoding of where each ciphertext belongs.

use crate::csms::ValueKind;

/// Builds associated data as `label ‖ (len ‖ field)*`, so no two contexts encode alike.
pub(crate) struct Aad(Vec<u8>);

impl Aad {
    pub fn new(label: &str) -> Self {
        let mut aad = Self(Vec::with_capacity(160));
        aad.push(label.as_bytes());
        aad
    }

    pub fn push(&mut self, field: &[u8]) -> &mut Self {
        // Fields are ids and labels, far below 4 GiB.
        let len = u32::try_from(field.len()).unwrap_or(u32::MAX);
        self.0.extend_from_slice(&len.to_be_bytes());
        self.0.extend_from_slice(field);
        self
    }

    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

/// Where a value belongs: the associated data of its ciphertext and of its data key.
#[derive(Clone, Copy, Debug)]
pub struct ValueContext<'a> {
    pub secret_id: &'a str,
    pub version_id: &'a str,
    pub key_id: &'a str,
    /// A value cannot be reinterpreted as the other kind.
    pub kind: ValueKind,
}

impl ValueContext<'_> {
    pub(crate) fn aad(&self, label: &str, vault_id: &str) -> Aad {
        let mut aad = Aad::new(label);
        aad.push(vault_id.as_bytes())
            .push(self.secret_id.as_bytes())
            .push(self.version_id.as_bytes())
            .push(self.key_id.as_bytes())
            .push(self.kind.as_str().as_bytes());
        aad
    }
}
