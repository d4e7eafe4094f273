//! What the user asked for (`Action`, from the keymap) and what `update` asks the runner to do
//! (`Effect`): every vault operation is one [`Effect::Vault`] carrying a [`Call`].

use zeroize::Zeroizing;

use crate::csms::op::Request;
use crate::csms::{PasswordClass, SecretBlobResponse};

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
    /// `Ctrl+G` confirmed over a typed or pasted value (from the dialog, bound to no key).
    GenerateOver,
    /// Submit confirmed over an expiry in the past (from the dialog, bound to no key).
    SubmitPastExpiry,
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
    /// `B` on the list: back up the whole vault into a file (issue 16).
    BackupVault,
    /// `X` on the list: which states to show.
    StateFilter,
    // Rotation.
    /// `R` on the detail screen: rotate the secret now (after a confirmation).
    RotateNow,
    // Events and notification records (issue 14).
    /// `E` on the list: the events screen.
    EventsScreen,
    /// `N` on the list: the notification records, newest first.
    RecordsScreen,
    /// `n` on the events screen: the new-event form.
    NewEvent,
    /// `x` on the events screen: enable or disable the selected event.
    ToggleEvent,
    /// `D` on the events screen: delete the selected event (after a yes).
    DeleteEvent,
    /// Space in the new-event form: the type under the cursor (or the state) on or off.
    ToggleType,
    // Tags (issue 14).
    /// `g` on the detail screen: add a tag or change one's value.
    SetTag,
    /// `G` on the detail screen: remove a tag.
    RemoveTag,
    // Checks and the health report (issue 14).
    /// `H` on the list: the health report; `r` on it: run it again.
    HealthReport,
    /// `s` on the report: the strength warnings on or off (`UpdateSecretsConfig`).
    ToggleStrengthCheck,
    // Sync with CSMS remotes (issue 17).
    /// `S` on the detail screen (this secret) and the list (every secret): sync with a remote,
    /// after showing the plan.
    Sync,
}

/// A vault operation the app asks for: the request, and what its answer is for. It comes back,
/// with the vault's answer, in [`Msg::Answered`](super::msg::Msg::Answered).
#[derive(Debug)]
pub struct Call {
    pub request: Request,
    pub purpose: Purpose,
}

/// What an answer is for, beyond what its request says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// To show: the answer goes where its request says (the screens that show it, a response).
    Show,
    /// To copy to the clipboard (a secret's record, a value), never shown.
    Copy,
    /// A version's value, shown on the detail screen while revealed.
    Reveal,
    /// A backup blob, to save to the file at `path` (as typed; `~/` is the home directory).
    Backup { path: String },
}

/// A side effect `update` asks for; the runner performs it against the vault, a file or the
/// clipboard and answers with a [`Msg`](super::msg::Msg) that goes back through `update`.
pub enum Effect {
    Unlock(Zeroizing<String>),
    CreateVault(Zeroizing<String>),
    /// A vault operation; its answer comes back with the call.
    Vault(Box<Call>),
    /// Several effects, run in this order (the reads that follow a change).
    Each(Vec<Effect>),
    /// The file named in a form's file mode, read as the value.
    LoadFile(String),
    /// A backup blob of `name`, written to the file at `path` (the step after the vault's
    /// `DownloadSecretBlob`).
    SaveBlob {
        name: String,
        path: String,
        blob: SecretBlobResponse,
    },
    /// The backup blob file at `path`, read (the step before the vault's `UploadSecretBlob`).
    LoadBlob(String),
    /// Text to the clipboard; `sensitive`: a value, cleared after the usual delay.
    Copy {
        text: Zeroizing<String>,
        what: String,
        sensitive: bool,
    },
    /// The idle lock: drop the vault (its keys are wiped on drop) and clear a copied value.
    Lock,
    /// Work with the remotes (issue 17), run on a worker thread; its answers come back as
    /// [`Msg::Remote`](super::msg::Msg::Remote).
    Remote(crate::tui::sync::RemoteJob),
}

impl Effect {
    /// The vault operation `request`, its answer to show.
    pub fn vault(request: Request) -> Self {
        Self::call(request, Purpose::Show)
    }

    /// The vault operation `request`, its answer for `purpose`.
    pub fn call(request: Request, purpose: Purpose) -> Self {
        Self::Vault(Box::new(Call { request, purpose }))
    }

    /// Reads, one after the other.
    pub fn reads(requests: impl IntoIterator<Item = Request>) -> Self {
        Self::Each(requests.into_iter().map(Self::vault).collect())
    }
}

impl std::fmt::Debug for Effect {
    /// Names the effect only: several carry passphrases or values.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = match self {
            Self::Unlock(_) => "Unlock",
            Self::CreateVault(_) => "CreateVault",
            Self::Vault(_) => "Vault",
            Self::Each(_) => "Each",
            Self::LoadFile(_) => "LoadFile",
            Self::SaveBlob { .. } => "SaveBlob",
            Self::LoadBlob(_) => "LoadBlob",
            Self::Copy { .. } => "Copy",
            Self::Lock => "Lock",
            Self::Remote(_) => "Remote",
        };
        f.write_str(name)
    }
}
