//! Dialogs of a few choices: the custom stage to remove from a version (`T`), the states the
//! list shows (`X`) and the tag to remove from a secret (`G`). ↑/↓ choose, Enter confirms.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget};

use super::Step;
use crate::csms::SecretRef;
use crate::csms::op::Request;
use crate::tui::action::{Action, Effect};
use crate::tui::catalog::{Catalog, StateFilter};
use crate::tui::text::lifecycle as t;
use crate::tui::text::tags as tt;
use crate::tui::widgets::popup;
use crate::tui::{display, theme};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickKind {
    /// A custom stage of `version_id` to remove.
    RemoveStage {
        name: String,
        version_id: String,
        stages: Vec<String>,
    },
    /// The states the list shows.
    States,
    /// A tag of the secret `name` to remove: `labels` as shown (`key=value`), `keys` by the same
    /// index (issue 14).
    RemoveTag {
        name: String,
        labels: Vec<String>,
        keys: Vec<String>,
    },
}

#[derive(Debug)]
pub struct PickDialog {
    pub kind: PickKind,
    pub selected: usize,
}

/// How the state filter names a choice.
pub fn state_label(filter: StateFilter) -> &'static str {
    match filter {
        StateFilter::All => t::STATE_ALL,
        StateFilter::Enabled => t::STATE_ENABLED,
        StateFilter::Disabled => t::STATE_DISABLED,
        StateFilter::PendingDelete => t::STATE_PENDING,
    }
}

impl PickDialog {
    /// The state filter, on the choice in force.
    pub fn states(current: StateFilter) -> Self {
        Self {
            kind: PickKind::States,
            selected: StateFilter::ALL
                .iter()
                .position(|&s| s == current)
                .unwrap_or(0),
        }
    }

    pub fn remove_stage(name: String, version_id: String, stages: Vec<String>) -> Self {
        Self {
            kind: PickKind::RemoveStage {
                name,
                version_id,
                stages,
            },
            selected: 0,
        }
    }

    /// The tag to remove from `name`, of its `tags` (key, value).
    pub fn remove_tag(name: String, tags: &[(String, String)]) -> Self {
        Self {
            kind: PickKind::RemoveTag {
                name,
                labels: tags.iter().map(|(k, v)| format!("{k}={v}")).collect(),
                keys: tags.iter().map(|(k, _)| k.clone()).collect(),
            },
            selected: 0,
        }
    }

    fn choices(&self) -> Vec<&str> {
        match &self.kind {
            PickKind::RemoveStage { stages, .. } => stages.iter().map(String::as_str).collect(),
            PickKind::States => StateFilter::ALL.iter().map(|&s| state_label(s)).collect(),
            PickKind::RemoveTag { labels, .. } => labels.iter().map(String::as_str).collect(),
        }
    }

    pub fn update(&mut self, action: Action, catalog: &mut Catalog) -> Step {
        let last = self.choices().len().saturating_sub(1);
        match action {
            Action::Back => Step::Close,
            Action::Up => {
                self.selected = self.selected.saturating_sub(1);
                Step::Stay
            }
            Action::Down => {
                self.selected = (self.selected + 1).min(last);
                Step::Stay
            }
            Action::Activate => match &self.kind {
                PickKind::States => {
                    let filter = StateFilter::ALL
                        .get(self.selected)
                        .copied()
                        .unwrap_or_default();
                    catalog.set_state_filter(filter);
                    Step::Close
                }
                PickKind::RemoveStage { name, stages, .. } => match stages.get(self.selected) {
                    Some(stage) => Step::Run {
                        effect: Effect::vault(Request::DeleteSecretStage {
                            name: name.clone(),
                            stage: stage.clone(),
                        }),
                        keep: false,
                    },
                    None => Step::Close,
                },
                PickKind::RemoveTag { name, keys, .. } => match keys.get(self.selected) {
                    Some(key) => Step::Run {
                        effect: Effect::vault(Request::DeleteSecretTag {
                            secret: SecretRef::Name(name.clone()),
                            key: key.clone(),
                        }),
                        keep: false,
                    },
                    None => Step::Close,
                },
            },
            _ => Step::Stay,
        }
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer) {
        let choices = self.choices();
        let (title, prompt) = match &self.kind {
            PickKind::RemoveStage { version_id, .. } => (
                t::UNSTAGE_TITLE,
                format!("{} {version_id}?", t::UNSTAGE_PROMPT),
            ),
            PickKind::States => (t::FILTER_TITLE, String::new()),
            PickKind::RemoveTag { name, .. } => {
                (tt::REMOVE_TITLE, format!("{} {name}?", tt::REMOVE_PROMPT))
            }
        };
        let extra = if prompt.is_empty() { 3 } else { 4 };
        let height = u16::try_from(choices.len())
            .unwrap_or(12)
            .saturating_add(extra);
        // A tag's `key=value` may be long: its popup takes the width the field dialogs take.
        let width = if matches!(self.kind, PickKind::RemoveTag { .. }) {
            64
        } else {
            48
        };
        let inner = popup(area, width, height, title, buf);
        let width = usize::from(inner.width);
        let mut lines = Vec::new();
        if !prompt.is_empty() {
            lines.push(display::line(&prompt, width, Style::new()));
        }
        // The choice in view: the list scrolls when the popup is short.
        let room = usize::from(inner.height)
            .saturating_sub(lines.len() + 1)
            .max(1);
        let start = (self.selected + 1).saturating_sub(room);
        for (i, choice) in choices.iter().enumerate().skip(start).take(room) {
            let (mark, style) = if i == self.selected {
                ("› ", theme::selected())
            } else {
                ("  ", Style::new())
            };
            lines.push(display::line(&format!("{mark}{choice}"), width, style));
        }
        lines.push(Line::styled(t::HINT_PICK, theme::dim()));
        Paragraph::new(lines).render(inner, buf);
    }
}
