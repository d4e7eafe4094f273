//! One entry as a password manager holds it, before it becomes a secret: the shape every
//! source format is read into.

use std::fmt;

use zeroize::Zeroizing;

/// What an entry of another tool holds. Every piece that is or may be secret is wiped when
/// dropped; `Debug` shows names and counts, never a value.
#[derive(Default)]
pub struct SourceEntry {
    /// Where the source files it: folders or groups, outermost first (a KeePass root group and
    /// `pass`'s store root left out). Empty when at the top.
    pub folders: Vec<String>,
    /// The entry's title (`pass`: the file name without `.gpg`; dotenv: the variable's name).
    pub title: String,
    /// The source's kind of item where it has kinds: `login`, `secure_note`, `card`,
    /// `identity`, … (lowercase, `_` between words). `None` for sources without kinds.
    pub kind: Option<String>,
    pub password: Option<Zeroizing<String>>,
    pub username: Option<Zeroizing<String>>,
    /// Every URL, in the source's order.
    pub urls: Vec<String>,
    pub notes: Option<Zeroizing<String>>,
    /// The TOTP seed or `otpauth://` URI, as the source holds it.
    pub totp: Option<Zeroizing<String>>,
    /// Every other field (custom fields, a card's number, an identity's address, `pass`'s
    /// `key: value` lines), in the source's order.
    pub fields: Vec<EntryField>,
    /// The source's own tags (folders are not repeated here).
    pub tags: Vec<String>,
    pub attachments: Vec<Attachment>,
    /// Attachments the reader did not load, for the report: the file's name and why (larger
    /// than the reader's bound, missing from the archive). Never their bytes.
    pub attachments_left: Vec<(String, String)>,
    /// Where the entry is in the source, for reports: a line number, a path in the store, a
    /// group path and title. Never a value.
    pub location: String,
}

/// A named field of an entry.
pub struct EntryField {
    pub name: String,
    pub value: Zeroizing<String>,
    /// The source marks it hidden or protected (a password-like field).
    pub hidden: bool,
}

/// A file attached to an entry, its bytes wiped when dropped.
pub struct Attachment {
    pub name: String,
    pub data: Zeroizing<Vec<u8>>,
}

/// An entry that could not be read: where it is and why, never a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryError {
    /// As [`SourceEntry::location`]: a line number, a path, a title.
    pub location: String,
    pub reason: String,
}

/// What a reader yields for each entry.
pub type SourceItem = Result<SourceEntry, EntryError>;

impl fmt::Debug for SourceEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SourceEntry")
            .field("folders", &self.folders)
            .field("title", &self.title)
            .field("kind", &self.kind)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("username", &self.username.as_ref().map(|_| "<redacted>"))
            .field("urls", &self.urls.len())
            .field("notes", &self.notes.as_ref().map(|_| "<redacted>"))
            .field("totp", &self.totp.as_ref().map(|_| "<redacted>"))
            .field(
                "fields",
                &self.fields.iter().map(|f| &f.name).collect::<Vec<_>>(),
            )
            .field("tags", &self.tags)
            .field(
                "attachments",
                &self.attachments.iter().map(|a| &a.name).collect::<Vec<_>>(),
            )
            .field("attachments_left", &self.attachments_left)
            .field("location", &self.location)
            .finish()
    }
}

impl fmt::Debug for EntryField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EntryField")
            .field("name", &self.name)
            .field("hidden", &self.hidden)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for Attachment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Attachment")
            .field("name", &self.name)
            .field("bytes", &self.data.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_a_value() {
        let entry = SourceEntry {
            title: "bank".into(),
            password: Some(Zeroizing::new("hunter2-pw".into())),
            username: Some(Zeroizing::new("alice-user".into())),
            notes: Some(Zeroizing::new("pin 4321".into())),
            totp: Some(Zeroizing::new("JBSWY3DPEHPK3PXP".into())),
            fields: vec![EntryField {
                name: "pin".into(),
                value: Zeroizing::new("9876".into()),
                hidden: true,
            }],
            attachments: vec![Attachment {
                name: "key.pem".into(),
                data: Zeroizing::new(b"-----BEGIN".to_vec()),
            }],
            ..SourceEntry::default()
        };
        let shown = format!("{entry:?}");
        for secret in [
            "hunter2-pw",
            "alice-user",
            "4321",
            "JBSWY3",
            "9876",
            "BEGIN",
        ] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(shown.contains("bank") && shown.contains("key.pem") && shown.contains("pin"));
    }
}
