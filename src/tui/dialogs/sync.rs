//! The sync dialog (issue 17): the remote to sync with (picked when there are several), the plan
//! (one line per secret: action, direction, reason; conflicts counted in the title), a yes to run
//! it, and the outcomes. The remote work runs on a worker thread; its answers come back through
//! [`SyncDialog::answered`]. Cancelling at the plan writes nothing.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::Step;
use crate::csms::ApiError;
use crate::sync::plan::{Action as PlanAction, Outcome, PlanItem};
use crate::tui::action::{Action, Effect};
use crate::tui::display;
use crate::tui::keymap::Context;
use crate::tui::msg::describe;
use crate::tui::sync::{RemoteAnswer, RemoteJob};
use crate::tui::text::sync as t;
use crate::tui::theme;
use crate::tui::widgets::popup;

/// Where the dialog is.
#[derive(Debug)]
pub enum Phase {
    /// Reading the remotes.
    Loading,
    /// Several remotes: which one.
    Choose {
        remotes: Vec<String>,
        selected: usize,
    },
    /// Asking the remote and making the plan.
    Planning { remote: String },
    /// The plan, to run or cancel.
    Plan {
        remote: String,
        items: Vec<PlanItem>,
    },
    /// The plan running.
    Running { remote: String },
    /// What the run did.
    Done {
        remote: String,
        outcomes: Vec<Outcome>,
    },
    /// Why it stopped (nothing written).
    Failed {
        remote: Option<String>,
        error: ApiError,
    },
}

/// A sync of one secret (`names`: it alone) or of all (`None`) with a remote.
#[derive(Debug)]
pub struct SyncDialog {
    pub names: Option<Vec<String>>,
    pub phase: Phase,
    /// How far the plan or the outcomes are scrolled.
    pub scroll: usize,
}

impl SyncDialog {
    /// The dialog, reading the remotes first; the job that reads them.
    pub fn open(names: Option<Vec<String>>) -> (Self, Effect) {
        let job = RemoteJob::Remotes {
            names: names.clone(),
        };
        (
            Self {
                names,
                phase: Phase::Loading,
                scroll: 0,
            },
            Effect::Remote(job),
        )
    }

    pub fn context(&self) -> Context {
        match self.phase {
            Phase::Choose { .. } => Context::DialogPick,
            Phase::Plan { .. } => Context::SyncPlan,
            _ => Context::SyncOutcome,
        }
    }

    /// The remote the dialog works with, once chosen.
    pub fn remote(&self) -> Option<&str> {
        match &self.phase {
            Phase::Planning { remote }
            | Phase::Plan { remote, .. }
            | Phase::Running { remote }
            | Phase::Done { remote, .. } => Some(remote),
            Phase::Failed { remote, .. } => remote.as_deref(),
            Phase::Loading | Phase::Choose { .. } => None,
        }
    }

    fn plan(&mut self, remote: String) -> Step {
        let job = RemoteJob::Plan {
            remote: remote.clone(),
            names: self.names.clone(),
        };
        self.phase = Phase::Planning { remote };
        self.scroll = 0;
        Step::Run {
            effect: Effect::Remote(job),
            keep: true,
        }
    }

    /// How many lines scroll (the plan's items or the outcomes).
    fn lines(&self) -> usize {
        match &self.phase {
            Phase::Plan { items, .. } => items.len(),
            Phase::Done { outcomes, .. } => outcomes.len(),
            _ => 0,
        }
    }

    fn scroll_by(&mut self, delta: isize) {
        let last = self.lines().saturating_sub(1);
        self.scroll = self.scroll.saturating_add_signed(delta).min(last);
    }

    pub fn update(&mut self, action: Action) -> Step {
        match action {
            Action::Up => self.scroll_by(-1),
            Action::Down => self.scroll_by(1),
            Action::PageUp => self.scroll_by(-10),
            Action::PageDown => self.scroll_by(10),
            _ => {}
        }
        match (&mut self.phase, action) {
            (Phase::Choose { selected, .. }, Action::Up) => {
                *selected = selected.saturating_sub(1);
                Step::Stay
            }
            (Phase::Choose { remotes, selected }, Action::Down) => {
                *selected = (*selected + 1).min(remotes.len().saturating_sub(1));
                Step::Stay
            }
            (Phase::Choose { remotes, selected }, Action::Activate) => {
                match remotes.get(*selected).cloned() {
                    Some(remote) => self.plan(remote),
                    None => Step::Close,
                }
            }
            (Phase::Plan { remote, items }, Action::Yes) => {
                let job = RemoteJob::Run {
                    remote: remote.clone(),
                    names: self.names.clone(),
                    plan: std::mem::take(items),
                };
                self.phase = Phase::Running {
                    remote: remote.clone(),
                };
                self.scroll = 0;
                Step::Run {
                    effect: Effect::Remote(job),
                    keep: true,
                }
            }
            // Cancelled at the plan (`Esc`, `n`): nothing was written, nothing runs.
            (Phase::Plan { .. }, Action::Back | Action::No)
            // The outcomes or the failure read (`Enter`, `Esc`), or the wait left (`Esc`: the
            // work goes on, a run's end is said on the status line), or no remote picked.
            | (
                Phase::Done { .. }
                | Phase::Failed { .. }
                | Phase::Loading
                | Phase::Planning { .. }
                | Phase::Running { .. }
                | Phase::Choose { .. },
                Action::Back,
            ) => Step::Close,
            _ => Step::Stay,
        }
    }

    /// Takes the answer of its remote work, and says what to run next, if anything; the answer
    /// back when it is not this dialog's (another scope or remote, or a phase it no longer waits
    /// in).
    pub fn answered(&mut self, answer: RemoteAnswer) -> Result<Option<Effect>, RemoteAnswer> {
        match (answer, &self.phase) {
            (RemoteAnswer::Remotes { names, result }, Phase::Loading) if names == self.names => {
                match result {
                    Ok(remotes) => {
                        let mut remotes: Vec<String> =
                            remotes.into_iter().map(|r| r.name).collect();
                        remotes.sort();
                        if remotes.len() == 1 {
                            let remote = remotes.remove(0);
                            return Ok(match self.plan(remote) {
                                Step::Run { effect, .. } => Some(effect),
                                _ => None,
                            });
                        }
                        self.phase = Phase::Choose {
                            remotes,
                            selected: 0,
                        };
                    }
                    Err(error) => {
                        self.phase = Phase::Failed {
                            remote: None,
                            error,
                        };
                    }
                }
                Ok(None)
            }
            (
                RemoteAnswer::Planned {
                    remote,
                    names,
                    result,
                },
                Phase::Planning { remote: waiting },
            ) if &remote == waiting && names == self.names => {
                self.phase = match result {
                    Ok(items) => Phase::Plan { remote, items },
                    Err(error) => Phase::Failed {
                        remote: Some(remote),
                        error,
                    },
                };
                Ok(None)
            }
            (
                RemoteAnswer::Ran {
                    remote,
                    names,
                    result,
                },
                Phase::Running { remote: waiting },
            ) if &remote == waiting && names == self.names => {
                self.phase = match result {
                    Ok(outcomes) => Phase::Done { remote, outcomes },
                    Err(error) => Phase::Failed {
                        remote: Some(remote),
                        error,
                    },
                };
                Ok(None)
            }
            (answer, _) => Err(answer),
        }
    }

    /// Whether there are no remotes to sync with (the dialog then closes and says so).
    pub fn no_remotes(&self) -> bool {
        matches!(&self.phase, Phase::Choose { remotes, .. } if remotes.is_empty())
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer) {
        let width = area.width.saturating_sub(4).clamp(40, 96);
        let (title, body, hint) = match &self.phase {
            Phase::Loading => (
                t::PICK_TITLE.to_owned(),
                vec![Line::styled(t::READING_REMOTES, theme::dim())],
                None,
            ),
            Phase::Choose { remotes, selected } => {
                let mut lines = vec![Line::from(t::PICK_PROMPT)];
                for (i, remote) in remotes.iter().enumerate() {
                    let (mark, style) = if i == *selected {
                        ("› ", theme::selected())
                    } else {
                        ("  ", Style::new())
                    };
                    lines.push(Line::styled(format!("{mark}{remote}"), style));
                }
                (format!("{}…", t::PICK_TITLE), lines, None)
            }
            Phase::Planning { remote } => (
                format!("{} {remote}", t::PICK_TITLE),
                vec![Line::styled(t::PLANNING, theme::dim())],
                None,
            ),
            Phase::Plan { remote, items } => {
                let lines = if items.is_empty() {
                    vec![Line::styled(t::NOTHING_PLANNED, theme::dim())]
                } else {
                    items
                        .iter()
                        .map(|item| item_line(item, Ran::Planned))
                        .collect()
                };
                (t::plan_title(remote, items), lines, Some(t::CONFIRM_HINT))
            }
            Phase::Running { remote } => (
                format!("{} {remote}", t::PICK_TITLE),
                vec![Line::styled(t::RUNNING, theme::dim())],
                None,
            ),
            Phase::Done { remote, outcomes } => (
                t::outcome_title(remote, outcomes),
                outcomes
                    .iter()
                    .map(|o| {
                        let ran = o.error.as_ref().map_or(Ran::Done, Ran::Failed);
                        item_line(&o.item, ran)
                    })
                    .collect(),
                Some(t::DONE_HINT),
            ),
            Phase::Failed { remote, error } => (
                t::failed_title(remote.as_deref()),
                vec![Line::styled(describe(error), theme::danger())],
                Some(t::DONE_HINT),
            ),
        };
        let wanted = body
            .len()
            .saturating_add(if hint.is_some() { 3 } else { 2 });
        let height = u16::try_from(wanted).unwrap_or(u16::MAX).min(area.height);
        let inner = popup(area, width, height, &title, buf);
        let room = usize::from(inner.height).saturating_sub(usize::from(hint.is_some()));
        let scrolls = matches!(self.phase, Phase::Plan { .. } | Phase::Done { .. });
        let start = if scrolls {
            self.scroll.min(body.len().saturating_sub(room))
        } else {
            0
        };
        let inner_width = usize::from(inner.width);
        let mut lines: Vec<Line<'static>> = body
            .into_iter()
            .skip(start)
            .take(room)
            .map(|line| fit(line, inner_width))
            .collect();
        if let Some(hint) = hint {
            lines.push(display::line(hint, inner_width, theme::dim()));
        }
        Paragraph::new(lines).render(inner, buf);
    }
}

/// The most columns of a reason or an error kept on an item's line (the popup cuts it further).
const MAX_REASON: usize = 200;

/// A line cut to `width` columns (an ellipsis where it was cut).
fn fit(line: Line<'static>, width: usize) -> Line<'static> {
    let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    if display::width(&text) <= width {
        return line;
    }
    let style = line.spans.first().map_or_else(Style::new, |s| s.style);
    display::line(&text, width, style)
}

/// Where an item stands: planned, or run (with its error if it failed).
#[derive(Clone, Copy)]
enum Ran<'a> {
    Planned,
    Done,
    Failed(&'a ApiError),
}

/// One plan item, planned or run: name, action, direction, reason (or why it failed).
fn item_line(item: &PlanItem, ran: Ran<'_>) -> Line<'static> {
    let style = match (&item.action, ran) {
        (_, Ran::Failed(_)) | (PlanAction::Conflict, _) => theme::danger(),
        (PlanAction::UpToDate, _) => theme::dim(),
        (PlanAction::Skipped | PlanAction::Deleted { .. }, _) => theme::warning(),
        _ => Style::new(),
    };
    let mut spans = vec![
        Span::raw(format!("{:<24} ", display::fit(&item.name, 24))),
        Span::styled(format!("{:<16}", item.action.as_str()), style),
        Span::raw(format!("{:<10}", t::direction(&item.action))),
    ];
    match ran {
        Ran::Failed(e) => spans.push(Span::styled(
            format!("{}: {}", t::FAILED, display::fit(&describe(e), MAX_REASON)),
            theme::danger(),
        )),
        Ran::Done if item.action != PlanAction::Conflict => {
            spans.push(Span::styled(t::DONE, theme::success()));
            if let Some(reason) = &item.reason {
                spans.push(Span::styled(
                    format!(" · {}", display::fit(reason, MAX_REASON)),
                    theme::dim(),
                ));
            }
        }
        _ => {
            if let Some(reason) = &item.reason {
                spans.push(Span::styled(display::fit(reason, MAX_REASON), theme::dim()));
            }
        }
    }
    Line::from(spans)
}
