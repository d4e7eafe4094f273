//! Screen 4: a response exactly as the API would send it: the status line and the JSON body.
//! Any operation can show one: [`ResultState::ok`] or [`ResultState::error`] with what `i` copies,
//! what to select on the way back and what `n` starts; Back returns to the screen under it.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};
use serde::Serialize;
use zeroize::Zeroizing;

use super::{Ctx, Cx, Screen};
use crate::csms::op::Request;
use crate::csms::{ApiError, Secret, SecretResponse};
use crate::tui::action::{Action, Effect};
use crate::tui::text::{result as t, status as st};
use crate::tui::{display, theme};

/// What `n` starts from a response: another of the same operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Again {
    CreateSecret,
}

/// A response. The body is JSON rendered once, in a plain `String`: it must never hold a secret
/// value (values are revealed on the detail screen, in wiped buffers, never here).
#[derive(Debug)]
pub struct ResultState {
    /// The HTTP status (200 when the operation succeeded).
    pub status: u16,
    /// `200 Request succeeded`, or the status with `error_code` and `error_msg`.
    pub status_line: String,
    pub body: String,
    /// What `i` copies: the id of what the operation made or touched.
    pub id: Option<String>,
    /// How the status line names that id once copied (`the secret id`).
    pub id_label: &'static str,
    /// The secret to select in the list when Back lands there.
    pub select: Option<String>,
    /// What `n` starts instead of going back.
    pub again: Option<Again>,
    pub scroll: u16,
    /// The response of an action on a secret: Enter and Esc go back to where it was done (the
    /// detail, refreshed, or the list); no `i` or `n`.
    pub back_only: bool,
}

impl ResultState {
    /// A 200 response with `body` (pretty JSON).
    pub fn ok(body: &impl Serialize) -> Self {
        Self {
            status: 200,
            status_line: format!("200 {}", t::OK),
            body: serde_json::to_string_pretty(body).unwrap_or_default(),
            id: None,
            id_label: st::WHAT_ID,
            select: None,
            again: None,
            scroll: 0,
            back_only: false,
        }
    }

    /// A 204 response: the status line and no body (the deletes).
    pub fn no_content() -> Self {
        Self {
            status: 204,
            status_line: format!("204 {}", crate::tui::text::lifecycle::NO_CONTENT),
            body: String::new(),
            ..Self::ok(&())
        }
    }

    /// The response of an action on a secret (see [`Self::back_only`]).
    #[must_use]
    pub fn back_only(mut self) -> Self {
        self.back_only = true;
        self
    }

    /// The error response the API would send for `error`.
    pub fn error(error: &ApiError) -> Self {
        Self {
            status: error.http_status(),
            status_line: format!(
                "{} {} {}",
                error.http_status(),
                error.error_code(),
                error.error_msg
            ),
            ..Self::ok(error)
        }
    }

    /// `i` copies `id`; the status line calls it `label`.
    #[must_use]
    pub fn with_id(mut self, id: impl Into<String>, label: &'static str) -> Self {
        self.id = Some(id.into());
        self.id_label = label;
        self
    }

    /// Back selects the secret `name` in the list.
    #[must_use]
    pub fn selecting(mut self, name: impl Into<String>) -> Self {
        self.select = Some(name.into());
        self
    }

    /// `n` starts `again`.
    #[must_use]
    pub fn again(mut self, again: Again) -> Self {
        self.again = Some(again);
        self
    }

    /// Create Secret's response: `{"secret": {...}}`; `i` copies the id, `n` opens a new form.
    pub fn created(secret: &Secret) -> Self {
        Self::ok(&SecretResponse {
            secret: secret.clone(),
        })
        .with_id(secret.id.clone(), st::WHAT_ID)
        .selecting(secret.name.clone())
        .again(Again::CreateSecret)
    }

    pub fn succeeded(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Scrolling (within what the terminal's body shows), copies, Back, and `n` for another.
pub fn update(state: &mut ResultState, action: Action, cx: &mut Cx<'_>) -> Option<Effect> {
    match action {
        Action::Back => cx.back_selecting(state.select.clone()),
        Action::Another => match state.again {
            Some(Again::CreateSecret) => {
                cx.replace(Screen::Form(Box::default()));
                // The strength-warning setting too (checks, issue 14).
                return Some(Effect::reads([
                    Request::ListKeyChoices,
                    Request::ShowSecretsConfig,
                ]));
            }
            None => cx.back_selecting(state.select.clone()),
        },
        Action::Up => state.scroll = state.scroll.saturating_sub(1),
        Action::Down => {
            let max = max_scroll(state, cx.body());
            state.scroll = state.scroll.saturating_add(1).min(max);
        }
        Action::CopyBody if state.body.is_empty() => cx.info(st::NO_BODY),
        Action::CopyBody => {
            return Some(Effect::Copy {
                text: Zeroizing::new(state.body.clone()),
                what: st::WHAT_BODY.to_owned(),
                sensitive: false,
            });
        }
        Action::CopyId => {
            if let Some(id) = &state.id {
                return Some(Effect::Copy {
                    text: Zeroizing::new(id.clone()),
                    what: state.id_label.to_owned(),
                    sensitive: false,
                });
            }
        }
        _ => {}
    }
    None
}

fn lines(state: &ResultState) -> Vec<Line<'static>> {
    let ok = state.succeeded();
    let status_style = if ok {
        theme::success()
    } else {
        theme::danger()
    };
    // Names and descriptions in the body may hold characters that hide or reorder text:
    // shown escaped (the copied body keeps them as they are).
    let mut lines = vec![
        Line::from(display::spans(&state.status_line, status_style)),
        Line::default(),
    ];
    lines.extend(
        state
            .body
            .lines()
            .map(|l| Line::from(display::spans(l, theme::json()))),
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

pub fn render(state: &ResultState, _ctx: &Ctx<'_>, area: Rect, buf: &mut Buffer) {
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
