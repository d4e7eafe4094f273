//! Screen 2: the secrets table (home), with the filter line, sort order, count and scrollbar.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, Cell, Paragraph, Row, Scrollbar, ScrollbarOrientation, ScrollbarState, StatefulWidget,
    Table, Widget,
};

use ratatui::layout::Size;

use super::{Ctx, Cx, Screen};
use crate::csms::LATEST;
use crate::csms::op::Request;
use crate::tui::action::{Action, Effect, Purpose};
use crate::tui::app::Loaded;
use crate::tui::catalog::StateFilter;
use crate::tui::catalog::{Catalog, Row as CatalogRow, SortBy};
use crate::tui::dialogs::{Dialog, FieldDialog, FieldKind, PickDialog, SyncDialog, pick};
use crate::tui::display;
use crate::tui::screens::keys::KeysState;
use crate::tui::text::lifecycle as lt;
use crate::tui::text::{list as t, status as st};
use crate::tui::textfield::TextField;
use crate::tui::view;
use crate::tui::widgets::{column_widths, cursor_span, thousands};
use crate::tui::{theme, timefmt};

/// Whether keys go to the table or to the filter input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListMode {
    Browse,
    Filter,
}

/// Rows the table loses to its border and header.
pub const CHROME_ROWS: usize = 4;

/// How many rows a page is on a terminal of `size` (what PgUp/PgDn move by).
pub fn page_rows(size: Size) -> usize {
    usize::from(view::body_area(size).height)
        .saturating_sub(CHROME_ROWS - 1)
        .max(1)
}

fn move_selection(cat: &mut Catalog, action: Action, page: usize) -> bool {
    let page = isize::try_from(page.max(1)).unwrap_or(1);
    match action {
        Action::Up => cat.move_by(-1),
        Action::Down => cat.move_by(1),
        Action::PageUp => cat.move_by(-page),
        Action::PageDown => cat.move_by(page),
        Action::Top => cat.top(),
        Action::Bottom => cat.bottom(),
        _ => return false,
    }
    true
}

pub fn update(mode: &mut ListMode, action: Action, cx: &mut Cx<'_>) -> Option<Effect> {
    let page = page_rows(cx.size);
    // Editing the query starts its own scan; any other action acts on complete results, so a
    // scan still running over a large list (issue 15) is finished first.
    if !(*mode == ListMode::Filter && TextField::handles(action)) {
        cx.catalog.finish();
    }
    if move_selection(cx.catalog, action, page) {
        cx.catalog.settle(page);
        return None;
    }
    let selected = cx.catalog.selected_row().map(|r| r.name.to_string());
    match (*mode, action) {
        (ListMode::Filter, action) if TextField::handles(action) => {
            // The query has no cursor of its own: it is edited at its end.
            let mut query = TextField::single();
            query.set(cx.catalog.query());
            if query.apply(action) {
                cx.catalog.set_query(query.as_str());
            }
        }
        (ListMode::Filter, Action::Activate) => *mode = ListMode::Browse,
        (_, Action::Back) => {
            cx.catalog.set_query("");
            *mode = ListMode::Browse;
        }
        (ListMode::Browse, Action::Filter) => *mode = ListMode::Filter,
        (ListMode::Browse, Action::Sort) => cx.catalog.cycle_sort(),
        (ListMode::Browse, Action::NewSecret) => {
            cx.push(Screen::Form(Box::default()));
            // The strength-warning setting too (checks, issue 14).
            return Some(Effect::reads([
                Request::ListKeyChoices,
                Request::ShowSecretsConfig,
            ]));
        }
        // Checks and the health report (issue 14).
        (ListMode::Browse, Action::HealthReport) => {
            return Some(crate::tui::screens::report::open(cx));
        }
        // The secret's lifecycle (tui-detail).
        (ListMode::Browse, Action::StateFilter) => {
            let states = cx.catalog.state_filter();
            cx.open(Dialog::Pick(PickDialog::states(states)));
        }
        (ListMode::Browse, Action::RestoreBlob) => {
            cx.open(Dialog::Field(FieldDialog::new(FieldKind::Upload)));
        }
        // The whole-vault backup (issue 16).
        (ListMode::Browse, Action::BackupVault) => {
            let default = FieldKind::default_vault_backup(cx.vault_label, cx.now_ms);
            cx.open(Dialog::Field(FieldDialog::new(FieldKind::VaultBackup {
                default,
            })));
        }
        // Events and notification records (issue 14).
        (ListMode::Browse, Action::EventsScreen) => return super::events::open(cx),
        (ListMode::Browse, Action::RecordsScreen) => {
            let unread = cx.unread;
            return super::records::open(cx, unread);
        }
        // Sync with CSMS remotes (issue 17): every secret, after the plan.
        (ListMode::Browse, Action::Sync) => {
            let (dialog, effect) = SyncDialog::open(None);
            cx.open(Dialog::Sync(dialog));
            return Some(effect);
        }
        (ListMode::Browse, Action::KeysScreen) => {
            cx.push(Screen::Keys(KeysState::default()));
            return Some(Effect::reads([Request::ListKeys, Request::KeyUsage]));
        }
        (ListMode::Browse, Action::Activate | Action::CopyRecord | Action::CopyValue) => {
            let Some(name) = selected else {
                cx.info(st::NOTHING_SELECTED);
                return None;
            };
            return Some(match action {
                Action::Activate => super::detail::open(name, cx),
                Action::CopyRecord => Effect::call(Request::ShowSecret { name }, Purpose::Copy),
                _ => Effect::call(
                    Request::ShowSecretVersion {
                        name,
                        version_id: LATEST.to_owned(),
                    },
                    Purpose::Copy,
                ),
            });
        }
        _ => {}
    }
    cx.catalog.settle(page);
    None
}

fn sort_label(sort: SortBy) -> &'static str {
    match sort {
        SortBy::Name => t::SORT_NAME,
        SortBy::Created => t::SORT_CREATED,
        SortBy::Updated => t::SORT_UPDATED,
    }
}

/// Which columns the table shows.
#[derive(Clone, Copy)]
struct Columns {
    /// The deletion dates (when a row shown is pending deletion).
    pending: bool,
    medium: bool,
    wide: bool,
}

impl Columns {
    /// A row pending deletion shows its date in a column of its own, which takes the place of
    /// Created (wide) or Updated (narrower).
    fn for_width(width: u16, pending: bool) -> Self {
        let wide = width >= 90;
        Self {
            pending,
            medium: width >= 75,
            wide,
        }
    }

    fn created(self) -> bool {
        self.wide && !self.pending
    }

    fn updated(self) -> bool {
        self.wide || !self.pending
    }

    /// The columns' widths and headers; `tags`: with the count of tags (once any secret has
    /// one).
    fn layout(self, tags: bool) -> (Vec<Constraint>, Vec<&'static str>) {
        let mut widths = vec![Constraint::Min(16), Constraint::Length(14)];
        let mut header = vec![t::NAME, t::STATE];
        let mut add = |on: bool, width: Constraint, name: &'static str| {
            if on {
                widths.push(width);
                header.push(name);
            }
        };
        add(tags, Constraint::Length(4), t::TAGS);
        add(self.pending, Constraint::Length(16), lt::DELETES);
        add(self.medium, Constraint::Length(14), t::CMK);
        add(self.wide, Constraint::Fill(1), t::DESCRIPTION);
        add(self.created(), Constraint::Length(16), t::CREATED);
        add(self.updated(), Constraint::Length(16), t::UPDATED);
        (widths, header)
    }
}

/// The table's title: the count, the sort, and the state filter when one is set.
fn title_of(ctx: &Ctx<'_>) -> String {
    let cat = ctx.catalog;
    let count = if ctx.loaded == Loaded::FirstPage {
        format!("{}+, {}", thousands(cat.total()), t::LOADING)
    } else if let Some((done, of)) = cat.matching() {
        // A large scan still running: the results shown are the previous ones.
        format!("{} {}%", t::MATCHING, done * 100 / of.max(1))
    } else if cat.visible_len() == cat.total() {
        thousands(cat.total())
    } else {
        // Matches / total (issue 15).
        format!(
            "{} / {}",
            thousands(cat.visible_len()),
            thousands(cat.total())
        )
    };
    let states = match cat.state_filter() {
        StateFilter::All => String::new(),
        other => format!("· {}: {} ", lt::STATES, pick::state_label(other)),
    };
    format!(
        " {} ({count}) · {}: {} {states}",
        t::TITLE,
        t::SORTED_BY,
        sort_label(cat.sort())
    )
}

pub fn render(mode: ListMode, ctx: &Ctx<'_>, area: Rect, buf: &mut Buffer) {
    let cat = ctx.catalog;
    let block = table_block(mode, ctx, area);
    let inner = block.inner(area);
    block.render(area, buf);
    if cat.visible_len() == 0 {
        let msg = if cat.total() == 0 {
            t::EMPTY
        } else {
            t::NO_MATCH
        };
        Paragraph::new(Line::styled(msg, theme::dim())).render(inner, buf);
        return;
    }
    let table_area = Rect::new(
        inner.x,
        inner.y,
        inner.width.saturating_sub(1),
        inner.height,
    );
    let height = usize::from(table_area.height.saturating_sub(1));
    let start = cat.window_start(height);
    let shown = Columns::for_width(table_area.width, cat.any_pending());
    let tags = cat.any_tags();
    let Columns {
        pending,
        medium,
        wide,
    } = shown;
    let (created, updated) = (shown.created(), shown.updated());
    let (widths, header) = shown.layout(tags);
    let cols = column_widths(&widths, table_area.width, 1);
    let col = |i: usize| cols.get(i).copied().unwrap_or(0);
    let mut highlighter = cat.highlighter();
    let rows = cat
        .window(start, height)
        .enumerate()
        .map(|(i, (index, r))| {
            let marks = cat.marks(&mut highlighter, index);
            let mut cells = vec![
                Cell::from(marked(r.name, &marks.name, col(0))),
                Cell::from(Span::styled(r.state.as_str(), theme::secret_state(r.state))),
            ];
            let mut next = 2;
            if tags {
                cells.push(tag_count(&r));
                next += 1;
            }
            if pending {
                let date = r
                    .scheduled_delete_time
                    .map(|ms| timefmt::short(ms, ctx.zone))
                    .unwrap_or_default();
                cells.push(Cell::from(Span::styled(date, theme::warning())));
                next += 1;
            }
            if medium {
                cells.push(Cell::from(display::line(
                    cat.alias(&r),
                    col(next),
                    Style::new(),
                )));
                next += 1;
            }
            if wide {
                cells.push(Cell::from(description_line(
                    &r,
                    &marks.description,
                    col(next),
                )));
            }
            if created {
                cells.push(Cell::from(timefmt::short(r.create_time, ctx.zone)));
            }
            if updated {
                cells.push(Cell::from(timefmt::short(r.update_time, ctx.zone)));
            }
            let row = Row::new(cells);
            if start + i == cat.selected() {
                row.style(theme::selected())
            } else {
                row
            }
        });
    let table = Table::new(rows, widths)
        .header(
            Row::new(timefmt::columns(
                header,
                &[t::CREATED, t::UPDATED, lt::DELETES],
                ctx.zone,
            ))
            .style(theme::table_header()),
        )
        .column_spacing(1);
    Widget::render(table, table_area, buf);
    if cat.visible_len() > height {
        scrollbar(cat.visible_len(), height, start, inner, buf);
    }
}

/// The table's border: its title, and the filter line under it while there is one.
fn table_block(mode: ListMode, ctx: &Ctx<'_>, area: Rect) -> Block<'static> {
    let query = ctx.catalog.query();
    let block = Block::bordered()
        .title(Span::styled(title_of(ctx), theme::title()))
        .border_style(theme::border());
    if mode == ListMode::Filter || !query.is_empty() {
        block.title_bottom(filter_line(mode, query, area))
    } else {
        block
    }
}

/// The filter under the table: the prompt, the query and, while typing, the cursor (and, with
/// nothing typed yet, what the filter matches).
fn filter_line(mode: ListMode, query: &str, area: Rect) -> Line<'static> {
    let room = usize::from(area.width.saturating_sub(4))
        .saturating_sub(display::width(t::FILTER_PROMPT) + 1);
    let mut spans = vec![Span::styled(t::FILTER_PROMPT, theme::focused_label())];
    spans.extend(display::line(query, room, theme::input()).spans);
    if mode == ListMode::Filter {
        spans.push(cursor_span());
        if query.is_empty() {
            // Issue 14: tags too.
            let hint = display::line(t::FILTER_HINT, room.saturating_sub(2), theme::dim());
            spans.push(Span::raw(" "));
            spans.extend(hint.spans);
        }
    }
    Line::from(spans)
}

/// `text` in `width` columns with the characters the filter matched (`marks`) highlighted.
fn marked(text: &str, marks: &[usize], width: usize) -> Line<'static> {
    display::marked_line(text, marks, width, Style::new(), theme::matched())
}

/// How many tags a row's secret has (blank for none).
fn tag_count(row: &CatalogRow<'_>) -> Cell<'static> {
    let count = if row.tag_count == 0 {
        String::new()
    } else {
        row.tag_count.to_string()
    };
    Cell::from(Span::styled(count, theme::dim()))
}

/// A description's first line as shown in `width` columns, the characters the filter matched
/// (`marks`) highlighted; when more follows (lines, or what the list does not keep), it is
/// marked as cut off with `…`.
fn description_line(row: &CatalogRow<'_>, marks: &[usize], width: usize) -> Line<'static> {
    let description = row.description;
    let first = description.lines().next().unwrap_or("");
    let more = row.description_cut || description.trim_end().len() > first.len();
    let text = if more {
        format!("{first}{}", display::ELLIPSIS)
    } else {
        first.to_owned()
    };
    marked(&text, marks, width)
}

/// The scrollbar on the right edge of the table, under its header row.
fn scrollbar(rows: usize, height: usize, start: usize, inner: Rect, buf: &mut Buffer) {
    let mut state =
        ScrollbarState::new(rows.saturating_sub(height.saturating_sub(1)).max(1)).position(start);
    let bar_area = Rect::new(
        inner.right().saturating_sub(1),
        inner.y + 1,
        1,
        inner.height.saturating_sub(1),
    );
    let bar = Scrollbar::new(ScrollbarOrientation::VerticalRight)
        .begin_symbol(None)
        .end_symbol(None);
    StatefulWidget::render(bar, bar_area, buf, &mut state);
}
