//! Screen 4: the response exactly as the API would send it: status line and pretty JSON body.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};
use zeroize::Zeroizing;

use super::form::FormState;
use crate::csms::{ApiError, Secret, SecretResponse};
use crate::tui::action::{Action, Effect};
use crate::tui::text::{result as t, status as st};
use crate::tui::theme;

/// What the submit produced.
#[derive(Debug)]
pub enum Outcome {
    Created(Secret),
    /// Refused: the form comes back with its contents for correction.
    Failed(Box<FormState>),
}

#[derive(Debug)]
pub struct ResultState {
    pub status: u16,
    pub status_line: String,
    pub body: String,
    pub outcome: Outcome,
    pub scroll: u16,
}

impl ResultState {
    pub fn created(secret: Secret) -> Self {
        let body = serde_json::to_string_pretty(&SecretResponse {
            secret: secret.clone(),
        })
        .unwrap_or_default();
        Self {
            status: 200,
            status_line: format!("200 {}", t::OK),
            body,
            outcome: Outcome::Created(secret),
            scroll: 0,
        }
    }

    pub fn failed(error: &ApiError, form: Box<FormState>) -> Self {
        Self {
            status: error.http_status(),
            status_line: format!(
                "{} {} {}",
                error.http_status(),
                error.error_code(),
                error.error_msg
            ),
            body: serde_json::to_string_pretty(error).unwrap_or_default(),
            outcome: Outcome::Failed(form),
            scroll: 0,
        }
    }
}

/// Scrolling (within what the body `area` shows) and copies; leaving (`Back`, `Another`) is the
/// caller's.
pub fn update(state: &mut ResultState, action: Action, area: Rect) -> Option<Effect> {
    match action {
        Action::Up => state.scroll = state.scroll.saturating_sub(1),
        Action::Down => {
            state.scroll = state.scroll.saturating_add(1).min(max_scroll(state, area));
        }
        Action::CopyBody => {
            return Some(Effect::Copy {
                text: Zeroizing::new(state.body.clone()),
                what: st::WHAT_BODY,
            });
        }
        Action::CopyId => {
            if let Outcome::Created(secret) = &state.outcome {
                return Some(Effect::Copy {
                    text: Zeroizing::new(secret.id.clone()),
                    what: st::WHAT_ID,
                });
            }
        }
        _ => {}
    }
    None
}

fn lines(state: &ResultState) -> Vec<Line<'static>> {
    let ok = state.status == 200;
    let status_style = if ok {
        theme::success()
    } else {
        theme::danger()
    };
    let mut lines = vec![
        Line::styled(state.status_line.clone(), status_style),
        Line::default(),
    ];
    lines.extend(
        state
            .body
            .lines()
            .map(|l| Line::styled(l.to_owned(), theme::json())),
    );
    lines
}

/// How many rows the response takes wrapped to `width` columns. Ratatui's own count is behind
/// an unstable feature, so the response is drawn into a scratch buffer tall enough for any
/// wrapping, and the last row holding something is found.
fn wrapped_rows(state: &ResultState, width: u16) -> u16 {
    if width == 0 {
        return 0;
    }
    let lines = lines(state);
    // A line wraps at most once per word (the next word does not fit) and once per `width - 1`
    // columns of a word cut in pieces (a wide character may not fit the last column).
    let bound: usize = lines
        .iter()
        .map(|line| {
            let words = line.to_string().split(char::is_whitespace).count();
            1 + words + line.width() / usize::from(width.saturating_sub(1).max(1))
        })
        .sum();
    let area = Rect::new(0, 0, width, u16::try_from(bound).unwrap_or(u16::MAX));
    let mut scratch = Buffer::empty(area);
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(area, &mut scratch);
    (0..area.height)
        .rev()
        .find(|&y| (0..width).any(|x| scratch.cell((x, y)).is_some_and(|c| c.symbol() != " ")))
        .map_or(0, |y| y.saturating_add(1))
}

/// The furthest the response scrolls in the body `area`: its last row at the bottom of the frame.
pub fn max_scroll(state: &ResultState, area: Rect) -> u16 {
    let inner = Block::bordered().inner(area);
    wrapped_rows(state, inner.width).saturating_sub(inner.height)
}

pub fn render(state: &ResultState, area: Rect, buf: &mut Buffer) {
    Paragraph::new(lines(state))
        .block(
            Block::bordered()
                .title(Span::styled(format!(" {} ", t::TITLE), theme::title()))
                .border_style(theme::border()),
        )
        .wrap(Wrap { trim: false })
        .scroll((state.scroll.min(max_scroll(state, area)), 0))
        .render(area, buf);
}
