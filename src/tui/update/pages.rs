//! The list read page by page (issue 15): the first page after unlocking is drawn at once and
//! the rest read on from it; a reread (another process's commit, a change made here) is built
//! aside page by page and takes the list's place whole, keeping sort, filter and selection.
//! Every page is one bounded `ListSecretSummaries` read.

use crate::csms::SummaryPage;
use crate::csms::op::Request;
use crate::tui::action::Effect;
use crate::tui::app::{App, Loaded};
use crate::tui::catalog::Catalog;

/// How many secrets the first frame after unlocking is drawn from.
pub(super) const FIRST_PAGE: usize = 200;

/// The read of the first page after unlocking.
pub(super) fn first() -> Request {
    Request::ListSecretSummaries {
        marker: None,
        limit: Some(FIRST_PAGE),
    }
}

fn after(marker: String) -> Effect {
    Effect::vault(Request::ListSecretSummaries {
        marker: Some(marker),
        limit: None,
    })
}

/// The rest of the secrets, after the first frame was drawn from the first page (nothing when
/// every secret is held).
pub fn load_all(app: &mut App) -> Option<Effect> {
    if app.loaded == Loaded::FirstPage
        && let Some(marker) = app.more.take()
    {
        return Some(after(marker));
    }
    None
}

/// A page answered: into the list (the first page, and the pages after it) or into the reread
/// being built; the next page is asked for, or the reread takes the list's place.
pub(super) fn answered(
    app: &mut App,
    first_page: bool,
    opening: bool,
    page: SummaryPage,
) -> Option<Effect> {
    let SummaryPage {
        summaries,
        next_marker,
    } = page;
    if opening {
        // Drawn at once; the rest is read after the first frame (`load_all`).
        app.catalog = Catalog::new(&summaries, &app.keys);
        app.incoming = None;
        app.loaded = if next_marker.is_some() {
            Loaded::FirstPage
        } else {
            Loaded::All
        };
        app.more = next_marker;
        return None;
    }
    if first_page {
        app.incoming = Some(Catalog::new(&summaries, &app.keys));
    } else if let Some(incoming) = &mut app.incoming {
        incoming.append(&summaries);
    } else {
        app.catalog.append(&summaries);
    }
    if let Some(marker) = next_marker {
        return Some(after(marker));
    }
    app.loaded = Loaded::All;
    if let Some(fresh) = app.incoming.take() {
        app.catalog.replace(fresh);
    }
    None
}
