//! Dialogs of one text field, checked on every keystroke: a stage name (`t`), the deletion
//! window in days (`d`), the secret's name typed to delete it now (`D`), a file path for a
//! backup (`b`) or a restore (`U`), a new key's alias (`n` on the keys screen), the file of a
//! whole-vault backup (`B`, issue 16). What the vault
//! would refuse is what the request says of itself (`Request::problems`); Enter is refused while
//! the field breaks a rule.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget};

use super::Step;
use crate::csms::op::{CreateKeyRequest, Request};
use crate::csms::{
    DEFAULT_RECOVERY_WINDOW_DAYS, DeleteSecretForScheduleRequest, UpdateSecretStageRequest,
};
use crate::tui::action::{Action, Effect, Purpose};
use crate::tui::keymap::Context;
use crate::tui::text::{keyscreen as kt, lifecycle as t};
use crate::tui::textfield::TextField;
use crate::tui::widgets::{input_line, popup};
use crate::tui::{display, theme};

/// What the field is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldKind {
    /// A stage for `version_id`; `holders`: every stage and the version holding it.
    Stage {
        name: String,
        version_id: String,
        holders: Vec<(String, String)>,
    },
    /// The deletion window.
    Schedule { name: String },
    /// The secret's name, typed to delete it now.
    DeleteNow { name: String },
    /// Where to save the backup blob of `name`.
    Backup { name: String },
    /// The backup blob file to restore from.
    Upload,
    /// The alias of a new key.
    NewKey,
    /// Where the whole-vault backup goes (issue 16); `default` fills the field.
    VaultBackup { default: String },
}

impl FieldKind {
    /// Beside the vault at `vault`, named after it with the time `now_ms` (UTC):
    /// `vault-backup-20261207-134501.db`.
    pub fn default_vault_backup(vault: &str, now_ms: i64) -> String {
        let path = std::path::Path::new(vault);
        let stem = path
            .file_stem()
            .map_or_else(|| "vault".into(), |s| s.to_string_lossy());
        let stamp = jiff::Timestamp::from_millisecond(now_ms)
            .map(|t| t.strftime("%Y%m%d-%H%M%S").to_string())
            .unwrap_or_default();
        let name = format!("{stem}-backup-{stamp}.db");
        match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.join(name).display().to_string(),
            _ => name,
        }
    }
}

#[derive(Debug)]
pub struct FieldDialog {
    pub kind: FieldKind,
    pub field: TextField,
    /// Why the last try failed (a file, the vault's objection), until the field changes.
    pub error: Option<String>,
    /// Whether the field was edited or Enter tried (a new key's alias is checked from then).
    touched: bool,
}

/// The field's verdict: `Ok` with what Enter will do, or `Err` with what is wrong.
type Verdict = Result<String, String>;

impl FieldDialog {
    pub fn new(kind: FieldKind) -> Self {
        let mut field = TextField::single();
        match &kind {
            FieldKind::Schedule { .. } => field.set(&DEFAULT_RECOVERY_WINDOW_DAYS.to_string()),
            FieldKind::Backup { name } => field.set(&format!("./{name}.blob")),
            FieldKind::VaultBackup { default } => field.set(default),
            _ => {}
        }
        Self {
            kind,
            field,
            error: None,
            touched: false,
        }
    }

    /// Where the keyboard is while the dialog is open.
    pub fn context(&self) -> Context {
        match self.kind {
            FieldKind::NewKey => Context::KeyAlias,
            _ => Context::DialogField,
        }
    }

    /// The window typed, in days, if it reads as a number of days (whether the API takes it
    /// is the request's to say).
    fn days(&self) -> Option<i64> {
        let text = self.field.as_str();
        if text.is_empty() || text.len() > 3 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        text.parse().ok()
    }

    /// The vault operation Enter asks for, as the field stands (`None` for the file dialogs,
    /// whose file step comes first, and while the days do not read as a number).
    fn request(&self) -> Option<Request> {
        let text = self.field.as_str().to_owned();
        Some(match &self.kind {
            FieldKind::Stage {
                name, version_id, ..
            } => Request::UpdateSecretStage {
                name: name.clone(),
                stage: text,
                body: UpdateSecretStageRequest {
                    version_id: version_id.clone(),
                },
            },
            FieldKind::Schedule { name } => Request::DeleteSecretForSchedule {
                name: name.clone(),
                body: DeleteSecretForScheduleRequest {
                    recovery_window_in_days: Some(self.days()?),
                },
            },
            FieldKind::DeleteNow { name } => Request::DeleteSecret { name: name.clone() },
            FieldKind::NewKey => Request::CreateKey(CreateKeyRequest {
                key_alias: text,
                key_description: String::new(),
            }),
            FieldKind::Backup { .. } | FieldKind::Upload => return None,
            FieldKind::VaultBackup { .. } => Request::BackupVault(crate::csms::BackupRequest {
                // `~/` expanded as `b` and `U` do; absolute, as the agent that may run it has a
                // working directory of its own.
                path: std::path::absolute(crate::tui::screens::value_input::expand_path(
                    text.trim(),
                    dirs::home_dir().as_deref(),
                )?)
                .ok()?,
                force: false,
            }),
        })
    }

    /// The first of the request's problems (`Request::problems`, the vault's own check).
    fn problem(&self) -> Option<String> {
        self.request()?
            .problems()
            .into_iter()
            .next()
            .map(|p| p.message)
    }

    /// Checks the field as it stands: the request's problems, or what the field cannot be.
    pub fn verdict(&self) -> Verdict {
        let text = self.field.as_str();
        match &self.kind {
            FieldKind::Stage {
                version_id,
                holders,
                ..
            } => {
                if let Some(problem) = self.problem() {
                    return Err(problem);
                }
                Ok(match holders.iter().find(|(stage, _)| stage == text) {
                    Some((_, v)) if v == version_id => t::STAGE_ALREADY.to_owned(),
                    Some((_, v)) => format!("{} {v}", t::STAGE_MOVES),
                    None => t::STAGE_NEW.to_owned(),
                })
            }
            // The rule in the field's own words: a number it reads, in the window the API takes.
            FieldKind::Schedule { .. } => match self.days() {
                Some(days) if self.problem().is_none() => {
                    Ok(format!("{} {days} {}", t::DAYS_OK, t::DAYS_OK_AFTER))
                }
                _ => Err(t::DAYS_RULE.to_owned()),
            },
            FieldKind::DeleteNow { name } => {
                if text == name {
                    Ok(t::DELETE_MATCH.to_owned())
                } else {
                    Err(t::DELETE_MISMATCH.to_owned())
                }
            }
            FieldKind::Backup { .. } | FieldKind::Upload | FieldKind::VaultBackup { .. } => {
                if text.trim().is_empty() {
                    Err(t::PATH_EMPTY.to_owned())
                } else {
                    Ok(String::new())
                }
            }
            FieldKind::NewKey => self.problem().map_or(Ok(String::new()), Err),
        }
    }

    /// What Enter asks for, if the field passes: the effect, and whether the dialog stays
    /// until its answer (a file that cannot be used, a key the vault refuses, is said there).
    fn run(&self) -> Option<Step> {
        self.verdict().ok()?;
        let path = || self.field.as_str().to_owned();
        let (effect, keep) = match &self.kind {
            FieldKind::Backup { name } => (
                Effect::call(
                    Request::DownloadSecretBlob { name: name.clone() },
                    Purpose::Backup { path: path() },
                ),
                true,
            ),
            FieldKind::Upload => (Effect::LoadBlob(path()), true),
            FieldKind::NewKey | FieldKind::VaultBackup { .. } => {
                (Effect::vault(self.request()?), true)
            }
            _ => (Effect::vault(self.request()?), false),
        };
        Some(Step::Run { effect, keep })
    }

    pub fn update(&mut self, action: Action) -> Step {
        let f = &mut self.field;
        match action {
            Action::Back => return Step::Close,
            Action::Activate => {
                self.touched = true;
                return self.run().unwrap_or(Step::Stay);
            }
            action if TextField::handles(action) => {
                f.apply(action);
            }
            _ => return Step::Stay,
        }
        self.error = None;
        self.touched = true;
        Step::Stay
    }

    pub fn paste(&mut self, text: &str) {
        self.field.insert_str(text);
        self.error = None;
        self.touched = true;
    }

    fn title_and_prompt(&self) -> (&'static str, String) {
        match &self.kind {
            FieldKind::Stage { version_id, .. } => {
                (t::STAGE_TITLE, format!("{} {version_id}:", t::STAGE_PROMPT))
            }
            FieldKind::Schedule { .. } => (t::SCHEDULE_TITLE, t::SCHEDULE_PROMPT.to_owned()),
            FieldKind::DeleteNow { name } => {
                (t::DELETE_TITLE, format!("{} {name}:", t::DELETE_WARNING))
            }
            FieldKind::Backup { .. } => (t::BACKUP_TITLE, t::BACKUP_PROMPT.to_owned()),
            FieldKind::Upload => (t::UPLOAD_TITLE, t::UPLOAD_PROMPT.to_owned()),
            FieldKind::NewKey => (kt::NEW_TITLE, kt::ALIAS_RULE.to_owned()),
            FieldKind::VaultBackup { .. } => {
                (t::VAULT_BACKUP_TITLE, t::VAULT_BACKUP_PROMPT.to_owned())
            }
        }
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer) {
        if self.kind == FieldKind::NewKey {
            self.render_new_key(area, buf);
            return;
        }
        let (title, prompt) = self.title_and_prompt();
        let prompt_rows = u16::try_from(display::wrap(&prompt, 60).len().min(2)).unwrap_or(2);
        let inner = popup(area, 64, 5 + prompt_rows, title, buf);
        let width = usize::from(inner.width);
        let cursor = self.field.as_str()[..self.field.cursor()].chars().count();
        let mut lines = display::wrapped_lines(&prompt, width, 2, Style::new());
        lines.push(input_line(
            self.field.as_str(),
            false,
            Some(cursor),
            width,
            theme::input(),
        ));
        let (mark, text, style) = match (&self.error, self.verdict()) {
            (Some(why), _) => ("✗ ", why.clone(), theme::danger()),
            (None, Err(why)) => ("✗ ", why, theme::danger()),
            (None, Ok(note)) if note.is_empty() => ("", String::new(), theme::dim()),
            (None, Ok(note)) => ("✓ ", note, theme::success()),
        };
        lines.extend(display::wrapped_lines(
            &format!("{mark}{text}"),
            width,
            2,
            style,
        ));
        lines.push(Line::styled(t::HINT_FIELD, theme::dim()));
        Paragraph::new(lines).render(inner, buf);
    }

    /// The new-key popup: the alias rule over the input, then the vault's objection or, once
    /// typed, what is wrong with the alias.
    fn render_new_key(&self, area: Rect, buf: &mut Buffer) {
        let (title, rule) = self.title_and_prompt();
        let inner = popup(area, 56, 7, title, buf);
        let cursor = self.field.as_str()[..self.field.cursor()].chars().count();
        let mut lines = vec![
            Line::styled(rule, theme::dim()),
            input_line(
                self.field.as_str(),
                false,
                Some(cursor),
                usize::from(inner.width),
                theme::input(),
            ),
        ];
        let problem = match (&self.error, self.verdict()) {
            (Some(why), _) => Some(why.clone()),
            (None, Err(why)) if self.touched => Some(format!("✗ {why}")),
            _ => None,
        };
        if let Some(e) = problem {
            lines.extend(display::wrapped_lines(
                &e,
                usize::from(inner.width),
                usize::from(inner.height.saturating_sub(2)),
                theme::danger(),
            ));
        }
        Paragraph::new(lines).render(inner, buf);
    }
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn the_vault_backup_path_expands_a_leading_tilde_as_b_and_u_do() {
        let dialog = FieldDialog::new(FieldKind::VaultBackup {
            default: "~/copies/vault.db".to_owned(),
        });
        let Some(Request::BackupVault(req)) = dialog.request() else {
            panic!("B asks for no backup");
        };
        let home = dirs::home_dir().expect("the tests run with a home directory");
        assert_eq!(req.path, home.join("copies/vault.db"));
    }
}
