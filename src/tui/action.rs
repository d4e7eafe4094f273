//! What the user asked for (`Action`, from the keymap) and what `update` asks the runner to do (`Effect`).

use crate::csms::CreateSecretRequest;
use crate::csms::KeyState;
use crate::csms::{
    CreateSecretVersionRequest, GeneratePasswordRequest, PasswordClass, UpdateSecretRequest,
};
use zeroize::Zeroizing;

use super::ops::Op;

/// An intent. Key events become actions through the keymap; `update` interprets them per screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Quit,
    Back,
    Help,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    /// Enter: open, confirm, submit, depending on where it is pressed.
    Activate,
    Filter,
    NewSecret,
    KeysScreen,
    CopyRecord,
    CopyValue,
    Sort,
    Input(char),
    Backspace,
    Delete,
    /// Ctrl+U: delete from the start of the line to the cursor.
    DeleteToStart,
    /// Ctrl+W: delete the word before the cursor.
    DeleteWordBack,
    Left,
    Right,
    Home,
    End,
    Newline,
    NextField,
    PrevField,
    Submit,
    Reveal,
    /// Space / → on a picker: the next choice.
    NextChoice,
    PrevChoice,
    CopyBody,
    CopyId,
    Another,
    NewKey,
    EnableKey,
    DisableKey,
    Yes,
    No,

    // The new-version and edit forms, and the password generator.
    /// `u` on the detail screen.
    NewVersion,
    /// `e` on the detail screen.
    EditSecret,
    /// `Ctrl+G`: a generated password in the value (again, on the options line).
    Generate,
    /// On the generator's options line: a class of characters on or off.
    ToggleClass(PasswordClass),
    // The secret's lifecycle, on the detail screen and the list (tui-detail).
    /// `t`: set a stage on the selected version.
    SetStage,
    /// `T`: remove a custom stage from the selected version.
    RemoveStage,
    /// `x`: disable or enable the secret.
    ToggleEnabled,
    /// `d`: schedule the secret's deletion.
    ScheduleDelete,
    /// `r`: restore a secret pending deletion.
    RestoreSecret,
    /// `D`: delete the secret now.
    DeleteNow,
    /// `b`: save a backup blob to a file.
    Backup,
    /// `U` on the list: restore a secret from a backup blob file.
    RestoreBlob,
    /// `X` on the list: which states to show.
    StateFilter,
}

/// A side effect `update` asks for; the runner performs it against the vault or the clipboard
/// and answers with a [`Msg`](super::msg::Msg) that goes back through `update`.
pub enum Effect {
    Unlock(Zeroizing<String>),
    CreateVault(Zeroizing<String>),
    /// Every secret, after the first frame was drawn from the first page.
    LoadAll,
    CheckName(String),
    LoadFile(String),
    Submit(Box<CreateSecretRequest>),
    LoadDetail(String),
    CopyRecord(String),
    CopyValue(String),
    Copy {
        text: Zeroizing<String>,
        what: &'static str,
    },
    /// The keys screen opened: refresh keys and how many secrets use each.
    LoadKeys,
    CreateKey(String),
    SetKeyState(String, KeyState),
    /// The idle lock: drop the vault (its keys are wiped on drop) and clear a copied value.
    Lock,
    /// Another process committed: re-read secrets and keys (`usage`: and the count per key).
    Reload {
        usage: bool,
    },

    // The new-version and edit forms, and the password generator.
    /// A password for the value field (no vault needed).
    Generate(GeneratePasswordRequest),
    /// Create Secret Version for `name`, then the secret re-read for its detail screen.
    CreateVersion {
        name: String,
        req: Box<CreateSecretVersionRequest>,
    },
    /// Update Secret for `name`, then the secret re-read for its detail screen.
    UpdateSecret {
        name: String,
        req: UpdateSecretRequest,
    },
    // The secret's lifecycle (tui-detail).
    /// The value of one version, to show on the detail screen (Ctrl+R).
    RevealValue {
        name: String,
        version_id: String,
    },
    /// The value of one version, to copy (`c` on the detail screen).
    CopyVersion {
        name: String,
        version_id: String,
    },
    /// A lifecycle operation; its answer brings the fresh detail and list.
    Lifecycle(Op),
}

impl std::fmt::Debug for Effect {
    /// Names the effect only: several carry passphrases or values.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = match self {
            Self::Unlock(_) => "Unlock",
            Self::CreateVault(_) => "CreateVault",
            Self::LoadAll => "LoadAll",
            Self::CheckName(_) => "CheckName",
            Self::LoadFile(_) => "LoadFile",
            Self::Submit(_) => "Submit",
            Self::LoadDetail(_) => "LoadDetail",
            Self::CopyRecord(_) => "CopyRecord",
            Self::CopyValue(_) => "CopyValue",
            Self::Copy { .. } => "Copy",
            Self::LoadKeys => "LoadKeys",
            Self::CreateKey(_) => "CreateKey",
            Self::SetKeyState(..) => "SetKeyState",
            Self::Lock => "Lock",
            Self::Reload { .. } => "Reload",
            Self::Generate(_) => "Generate",
            Self::CreateVersion { .. } => "CreateVersion",
            Self::UpdateSecret { .. } => "UpdateSecret",
            Self::RevealValue { .. } => "RevealValue",
            Self::CopyVersion { .. } => "CopyVersion",
            Self::Lifecycle(_) => "Lifecycle",
        };
        f.write_str(name)
    }
}
