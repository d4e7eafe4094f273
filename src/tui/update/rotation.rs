//! What the app's housekeeping does: about every minute while a vault is open, the vault is
//! asked to do what has come due (automatic rotations, the purge), as `serve` does; when that
//! changed something, the status line says what and the screens are read again.

use crate::csms::Housekeeping;
use crate::csms::op::Request;
use crate::tui::action::Effect;
use crate::tui::app::{App, Screen, Tone};
use crate::tui::msg::describe;
use crate::tui::text::rotation as t;

/// Housekeeping has come due: ask the vault, unless nothing is unlocked.
pub(super) fn due(app: &App) -> Option<Effect> {
    (!matches!(app.screen, Screen::Unlock(_))).then(|| Effect::vault(Request::Housekeeping))
}

/// The vault did what had come due: said, and the screens read again, when it changed any
/// secret; only re-read (the unread count, the records on screen) when it just noticed an
/// expiry (this process's own commit moves no `data_version`); nothing at all otherwise.
pub(super) fn done(app: &mut App, done: Housekeeping) -> Option<Effect> {
    if !done.changed_secrets() {
        return (done.expired > 0).then(|| Effect::reads(app.rereads()));
    }
    if let Some(text) = t::housekept(done.rotated, done.rotation_failed, done.purged) {
        let tone = if done.rotation_failed > 0 {
            Tone::Error
        } else {
            Tone::Info
        };
        app.say(tone, text);
    }
    Some(Effect::reads(app.rereads()))
}

/// Housekeeping failed (another process kept the vault busy, say): the status line says so; it
/// is tried again a minute later.
pub(super) fn failed(app: &mut App, error: &crate::csms::ApiError) {
    app.error(describe(error));
}
