//! Where the passphrase comes from: `--passphrase-file`, else `CSVAULT_PASSPHRASE`, else a no-echo
//! prompt.

use std::os::unix::ffi::OsStringExt;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

use crate::csms::{ApiError, ErrorCode};
use crate::input::{ReadError, read_bounded};
use crate::vault::new_passphrase_problem;

pub const PASSPHRASE_ENV: &str = "CSVAULT_PASSPHRASE";
/// Where `change-passphrase` looks first for the new passphrase.
pub const NEW_PASSPHRASE_ENV: &str = "CSVAULT_NEW_PASSPHRASE";
/// No passphrase is longer, in bytes: a file or variable holding more is a mistake, not a key.
pub const MAX_PASSPHRASE_BYTES: u64 = 1024;

/// What `CSVAULT_PASSPHRASE` holds.
enum EnvPassphrase {
    Unset,
    Set(Zeroizing<String>),
    /// Set, but not UTF-8 (our copy already wiped).
    NotUtf8,
}

/// The passphrase sources the user gave: the file, when given, wins over the variable.
pub struct PassphraseSource {
    env_name: &'static str,
    /// The flag that names the file (`--passphrase-file`, `--new-passphrase-file`).
    file_flag: &'static str,
    env: EnvPassphrase,
    file: Option<PathBuf>,
}

fn no_passphrase() -> ApiError {
    ApiError::new(
        ErrorCode::NoPassphrase,
        format!(
            "No passphrase: set {PASSPHRASE_ENV}, give --passphrase-file PATH, or run in a terminal to be prompted."
        ),
    )
}

impl PassphraseSource {
    pub fn from_env_and_file(file: Option<&Path>) -> Self {
        Self::named(PASSPHRASE_ENV, "--passphrase-file", file)
    }

    /// The sources of a new passphrase: `CSVAULT_NEW_PASSPHRASE`, `--new-passphrase-file`.
    pub fn for_change(file: Option<&Path>) -> Self {
        Self::named(NEW_PASSPHRASE_ENV, "--new-passphrase-file", file)
    }

    fn named(env_name: &'static str, file_flag: &'static str, file: Option<&Path>) -> Self {
        let env = match std::env::var_os(env_name) {
            None => EnvPassphrase::Unset,
            Some(value) => match value.into_string() {
                Ok(text) => EnvPassphrase::Set(Zeroizing::new(text)),
                Err(raw) => {
                    drop(Zeroizing::new(raw.into_vec()));
                    EnvPassphrase::NotUtf8
                }
            },
        };
        Self {
            env_name,
            file_flag,
            env,
            file: file.map(Path::to_owned),
        }
    }

    /// The passphrase given without asking (file or environment), if any. The file, given
    /// explicitly, wins over the ambient variable; when both are given, one line on stderr says
    /// so (the variable is not even checked then). `VAULT.0004` when the file is empty, or (no
    /// file) `CSVAULT_PASSPHRASE` is empty, not UTF-8 or longer than [`MAX_PASSPHRASE_BYTES`];
    /// `VAULT.0007` when the file cannot be read.
    pub fn non_interactive(&self) -> Result<Option<Zeroizing<String>>, ApiError> {
        if let Some(path) = &self.file {
            if !matches!(self.env, EnvPassphrase::Unset) {
                eprintln!(
                    "csvault: both {} and {} were given; the file was used.",
                    self.env_name, self.file_flag
                );
            }
            let passphrase = read_file(path)?;
            if passphrase.is_empty() {
                return Err(ApiError::new(
                    ErrorCode::NoPassphrase,
                    format!("The passphrase file {} is empty.", path.display()),
                ));
            }
            return Ok(Some(passphrase));
        }
        match &self.env {
            EnvPassphrase::Set(env) if env.len() as u64 > MAX_PASSPHRASE_BYTES => {
                Err(ApiError::new(
                    ErrorCode::NoPassphrase,
                    format!(
                        "{} is longer than {MAX_PASSPHRASE_BYTES} bytes.",
                        self.env_name
                    ),
                ))
            }
            EnvPassphrase::Set(env) if env.is_empty() => Err(ApiError::new(
                ErrorCode::NoPassphrase,
                format!("{} is set but empty.", self.env_name),
            )),
            EnvPassphrase::Set(env) => Ok(Some(env.clone())),
            EnvPassphrase::NotUtf8 => Err(ApiError::new(
                ErrorCode::NoPassphrase,
                format!("{} is set but is not UTF-8 text.", self.env_name),
            )),
            EnvPassphrase::Unset => Ok(None),
        }
    }

    /// [`Self::non_interactive`], the variable's value moved out rather than copied: the
    /// terminal app holds the one copy, wiped once it has unlocked.
    pub fn into_given(mut self) -> Result<Option<Zeroizing<String>>, ApiError> {
        let usable =
            |env: &Zeroizing<String>| !env.is_empty() && env.len() as u64 <= MAX_PASSPHRASE_BYTES;
        if self.file.is_none()
            && matches!(&self.env, EnvPassphrase::Set(env) if usable(env))
            && let EnvPassphrase::Set(env) = std::mem::replace(&mut self.env, EnvPassphrase::Unset)
        {
            return Ok(Some(env));
        }
        self.non_interactive()
    }

    /// Unlocks with `open`: the passphrase given, once; or asked, up to [`MAX_TRIES`] times
    /// while `open` answers `VAULT.0002` (a wrong passphrase), each miss said on stderr.
    pub fn unlock<T>(&self, open: impl FnMut(&[u8]) -> Result<T, ApiError>) -> Result<T, ApiError> {
        match self.non_interactive()? {
            Some(p) => {
                let mut open = open;
                open(p.as_bytes())
            }
            None => unlock_asking(&mut prompt, &mut say, open),
        }
    }

    /// For a new vault: given, or asked twice. At least 8 characters (`VAULT.0004`).
    pub fn for_new_vault(&self) -> Result<Zeroizing<String>, ApiError> {
        self.new_passphrase("New vault passphrase: ", "nothing was created")
    }

    /// For `change-passphrase`: given, or asked twice. At least 8 characters (`VAULT.0004`).
    pub fn for_changed(&self) -> Result<Zeroizing<String>, ApiError> {
        self.new_passphrase("New passphrase: ", "nothing was changed")
    }

    fn new_passphrase(&self, label: &str, outcome: &str) -> Result<Zeroizing<String>, ApiError> {
        match self.non_interactive()? {
            Some(p) => {
                if let Some(problem) = new_passphrase_problem(&p) {
                    return Err(ApiError::new(
                        ErrorCode::NoPassphrase,
                        format!("The passphrase {problem}; {outcome}."),
                    ));
                }
                Ok(p)
            }
            None => new_asking(&mut prompt, &mut say, label, outcome),
        }
    }
}

/// How many times a passphrase is asked for before csvault gives up.
pub const MAX_TRIES: u32 = 3;

/// Asks (with `ask`) and tries (with `open`) up to [`MAX_TRIES`] times; a wrong passphrase is
/// said (with `say`) and asked again, anything else ends it.
fn unlock_asking<T>(
    ask: &mut dyn FnMut(&str) -> Result<Zeroizing<String>, ApiError>,
    say: &mut dyn FnMut(&str),
    mut open: impl FnMut(&[u8]) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let mut tries = 1;
    loop {
        let passphrase = ask("Vault passphrase: ")?;
        match open(passphrase.as_bytes()) {
            Err(e) if e.code == ErrorCode::WrongPassphrase && tries < MAX_TRIES => {
                say(&format!(
                    "Wrong passphrase; try again ({} of {MAX_TRIES} tries left).",
                    MAX_TRIES - tries
                ));
                tries += 1;
            }
            other => return other,
        }
    }
}

/// Asks for a new passphrase and its repeat up to [`MAX_TRIES`] times: a repeat that differs,
/// or a passphrase too short, is said and asked again.
fn new_asking(
    ask: &mut dyn FnMut(&str) -> Result<Zeroizing<String>, ApiError>,
    say: &mut dyn FnMut(&str),
    label: &str,
    outcome: &str,
) -> Result<Zeroizing<String>, ApiError> {
    let mut tries = 1;
    loop {
        let first = ask(label)?;
        let problem = if let Some(problem) = new_passphrase_problem(&first) {
            format!("The passphrase {problem}")
        } else {
            let again = ask("Repeat the passphrase: ")?;
            if *first == *again {
                return Ok(first);
            }
            "The two passphrases differ".to_owned()
        };
        if tries >= MAX_TRIES {
            return Err(ApiError::new(
                ErrorCode::NoPassphrase,
                format!("{problem}; {outcome}."),
            ));
        }
        say(&format!(
            "{problem}; try again ({} of {MAX_TRIES} tries left).",
            MAX_TRIES - tries
        ));
        tries += 1;
    }
}

fn say(text: &str) {
    eprintln!("{text}");
}

fn read_file(path: &Path) -> Result<Zeroizing<String>, ApiError> {
    let bytes = read_bounded(path, MAX_PASSPHRASE_BYTES + 2).map_err(|e| match e {
        ReadError::Io(e) => ApiError::new(
            ErrorCode::Io,
            format!("Cannot read the passphrase file {}: {e}", path.display()),
        ),
        ReadError::TooLarge(_) => ApiError::new(
            ErrorCode::NoPassphrase,
            format!(
                "The passphrase file {} is longer than {MAX_PASSPHRASE_BYTES} bytes.",
                path.display()
            ),
        ),
    })?;
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        ApiError::new(
            ErrorCode::NoPassphrase,
            "The passphrase file is not UTF-8 text.",
        )
    })?;
    // One trailing newline is how editors and `echo` end a file, not part of the passphrase.
    let text = text.strip_suffix('\n').unwrap_or(text);
    let text = text.strip_suffix('\r').unwrap_or(text);
    Ok(Zeroizing::new(text.to_owned()))
}

fn prompt(label: &str) -> Result<Zeroizing<String>, ApiError> {
    rpassword::prompt_password(label)
        .map(Zeroizing::new)
        .map_err(|_| no_passphrase())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How many times a scripted prompt was answered.
    type Asked = std::rc::Rc<std::cell::Cell<usize>>;

    /// Answers the prompts in order (then fails as a closed terminal does), and counts them.
    fn script(
        answers: &[&str],
    ) -> (
        impl FnMut(&str) -> Result<Zeroizing<String>, ApiError>,
        Asked,
    ) {
        let asked = std::rc::Rc::new(std::cell::Cell::new(0));
        let count = asked.clone();
        let answers: Vec<String> = answers.iter().map(|a| (*a).to_owned()).collect();
        let ask = move |_: &str| {
            let at = count.get();
            count.set(at + 1);
            answers
                .get(at)
                .map(|a| Zeroizing::new(a.clone()))
                .ok_or_else(no_passphrase)
        };
        (ask, asked)
    }

    fn open_with(right: &'static str) -> impl FnMut(&[u8]) -> Result<&'static str, ApiError> {
        move |p| {
            if p == right.as_bytes() {
                Ok("unlocked")
            } else {
                Err(ApiError::new(ErrorCode::WrongPassphrase, "wrong"))
            }
        }
    }

    #[test]
    fn the_variables_passphrase_is_moved_not_copied() {
        let value = Zeroizing::new("a passphrase from the environment".to_owned());
        let at = value.as_ptr();
        let source = PassphraseSource {
            env_name: PASSPHRASE_ENV,
            file_flag: "--passphrase-file",
            env: EnvPassphrase::Set(value),
            file: None,
        };
        let given = source.into_given().ok().flatten();
        assert_eq!(
            given.as_ref().map(|g| g.as_ptr()),
            Some(at),
            "the same buffer"
        );
        let not_utf8 = PassphraseSource {
            env_name: PASSPHRASE_ENV,
            file_flag: "--passphrase-file",
            env: EnvPassphrase::NotUtf8,
            file: None,
        };
        assert!(not_utf8.into_given().is_err());
    }

    #[test]
    fn three_tries_to_unlock() {
        let mut said = Vec::new();
        let (mut ask, asked) = script(&["no", "nope", "right one"]);
        let got = unlock_asking(
            &mut ask,
            &mut |s| said.push(s.to_owned()),
            open_with("right one"),
        );
        assert_eq!(got.ok(), Some("unlocked"));
        assert_eq!(asked.get(), 3);
        assert_eq!(said.len(), 2);
        assert!(said[1].contains("1 of 3 tries left"), "{said:?}");

        let (mut ask, asked) = script(&["a", "b", "c", "right one"]);
        let got = unlock_asking(&mut ask, &mut |_| {}, open_with("right one"));
        assert_eq!(got.err().map(|e| e.code), Some(ErrorCode::WrongPassphrase));
        assert_eq!(asked.get(), 3, "never a fourth time");
    }

    #[test]
    fn a_repeat_that_differs_is_asked_again() {
        let mut said = Vec::new();
        let (mut ask, asked) =
            script(&["long enough", "long enuogh", "long enough", "long enough"]);
        let got = new_asking(
            &mut ask,
            &mut |s| said.push(s.to_owned()),
            "New: ",
            "nothing",
        );
        assert_eq!(got.ok().as_deref().map(String::as_str), Some("long enough"));
        assert_eq!(asked.get(), 4);
        assert_eq!(said.len(), 1);
        assert!(
            said[0].starts_with("The two passphrases differ; try again"),
            "{said:?}"
        );

        // Too short counts as a try too; the third miss ends it with what was wrong.
        let (mut ask, _) = script(&["short", "long enough", "other", "long enough", "different"]);
        let Err(e) = new_asking(&mut ask, &mut |_| {}, "New: ", "nothing was created") else {
            panic!("three misses were accepted")
        };
        assert_eq!(e.code, ErrorCode::NoPassphrase);
        assert_eq!(
            e.error_msg,
            "The two passphrases differ; nothing was created."
        );
    }
}
