//! The detail screen's remotes block (issue 17): the secret's standing with each remote (in
//! step, local changes, remote changes, conflict, never synced, …), coloured, or why a remote
//! could not be asked, in a word. Asked when the detail opens (and after a sync), on worker
//! threads, each remote's line filled in as it answers; a vault without remotes shows no block.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::csms::ApiError;
use crate::sync::status::Standing;
use crate::tui::display;
use crate::tui::text::sync as t;
use crate::tui::theme;
use crate::tui::widgets::panel;

/// The most remotes the block lists; past them, a line says there are more.
pub const MAX_ROWS: usize = 4;

/// One remote's line: its name, and its answer once in (`None`: being asked).
pub type Row = (String, Option<Result<Standing, ApiError>>);

/// What the block knows.
#[derive(Debug, Default)]
pub enum Remotes {
    /// Not asked yet, or no remotes: no block.
    #[default]
    None,
    /// Each remote, with its answer once in.
    Asked(Vec<Row>),
}

impl Remotes {
    /// The block's height: a border above and below the remotes' lines; 0 without remotes.
    pub fn height(&self) -> u16 {
        let n = match self {
            Self::None => return 0,
            Self::Asked(rows) => rows.len(),
        };
        u16::try_from(n.min(MAX_ROWS + 1)).unwrap_or(0) + 2
    }

    /// Whether a remote has not answered yet.
    pub fn checking(&self) -> bool {
        matches!(self, Self::Asked(rows) if rows.iter().any(|(_, answer)| answer.is_none()))
    }

    /// `remote`'s answer in; `false` when the block does not list `remote`.
    pub fn answered(&mut self, remote: &str, answer: Result<Standing, ApiError>) -> bool {
        let Self::Asked(rows) = self else {
            return false;
        };
        match rows.iter_mut().find(|(name, _)| name == remote) {
            Some((_, slot)) => {
                *slot = Some(answer);
                true
            }
            None => false,
        }
    }
}

/// A standing's colour.
fn style(standing: Standing) -> Style {
    match standing {
        Standing::InStep => theme::success(),
        Standing::LocalChanges | Standing::RemoteChanges => theme::warning(),
        Standing::Conflict | Standing::DeletedLocally | Standing::DeletedOnRemote => {
            theme::danger()
        }
        Standing::NeverSynced => theme::dim(),
    }
}

pub fn render(remotes: &Remotes, area: Rect, buf: &mut Buffer) {
    let title = if remotes.checking() {
        format!("{} · {}", t::BLOCK_TITLE, t::CHECKING_REMOTES)
    } else {
        t::BLOCK_TITLE.to_owned()
    };
    let inner = panel(&title, area, buf);
    let rows: Vec<(&str, &str, Style)> = match remotes {
        Remotes::None => Vec::new(),
        Remotes::Asked(rows) => rows
            .iter()
            .map(|(name, answer)| match answer {
                None => (name.as_str(), t::CHECKING, theme::dim()),
                Some(Ok(standing)) => (name.as_str(), t::standing(*standing), style(*standing)),
                Some(Err(e)) => (name.as_str(), t::why(e), theme::danger()),
            })
            .collect(),
    };
    let width = usize::from(inner.width);
    let name_width = rows
        .iter()
        .map(|(name, ..)| display::width(name))
        .max()
        .unwrap_or(0)
        .min(width / 2)
        .max(1);
    let mut lines: Vec<Line<'static>> = rows
        .iter()
        .take(if rows.len() > MAX_ROWS + 1 {
            MAX_ROWS
        } else {
            MAX_ROWS + 1
        })
        .map(|(name, word, style)| {
            let name = display::fit(name, name_width);
            let pad = name_width.saturating_sub(display::width(&name));
            let mut spans = display::spans(&name, Style::new());
            spans.push(Span::raw(" ".repeat(pad + 2)));
            spans.push(Span::styled((*word).to_owned(), *style));
            Line::from(spans)
        })
        .collect();
    if rows.len() > MAX_ROWS + 1 {
        lines.push(display::line(
            &format!("+{} {}", rows.len() - MAX_ROWS, t::MORE),
            width,
            theme::dim(),
        ));
    }
    Paragraph::new(lines).render(inner, buf);
}
