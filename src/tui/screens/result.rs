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

/// Scrolling and copies; leaving (`Back`, `Another`) is the caller's.
pub fn update(state: &mut ResultState, action: Action) -> Option<Effect> {
    match action {
        Action::Up => state.scroll = state.scroll.saturating_sub(1),
        Action::Down => state.scroll = state.scroll.saturating_add(1),
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

pub fn render(state: &ResultState, area: Rect, buf: &mut Buffer) {
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
    Paragraph::new(lines)
        .block(
            Block::bordered()
                .title(Span::styled(format!(" {} ", t::TITLE), theme::title()))
                .border_style(theme::border()),
        )
        .wrap(Wrap { trim: false })
        .scroll((state.scroll, 0))
        .render(area, buf);
}
