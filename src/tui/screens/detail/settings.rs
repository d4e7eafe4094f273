//! The Secret record's newer fields on the detail screen: automatic rotation and its period, the
//! last and the next rotation (local time), the event subscription, the enterprise project, and
//! the rotation function and configuration when they are set (docs/DECISIONS.md "Secret
//! record").

use ratatui::style::Style;

use crate::csms::Secret;
use crate::tui::text::detail as t;
use crate::tui::theme;

/// The fields after `scheduled_delete_time`, each `(label, value as shown, style)`, in the
/// API's order; `time` writes an epoch-ms time as the screen shows times.
pub fn fields(secret: &Secret, time: impl Fn(i64) -> String) -> Vec<(&'static str, String, Style)> {
    let s = &secret.settings;
    let plain = Style::new();
    let auto = match (s.auto_rotation, &s.rotation_period) {
        (true, Some(period)) => format!("{} {period}", t::AUTO_EVERY),
        (true, None) => t::AUTO_ON.to_owned(),
        (false, Some(period)) => format!("{} ({} {period})", t::AUTO_OFF, t::PERIOD_KEPT),
        (false, None) => t::AUTO_OFF.to_owned(),
    };
    let mut out = vec![
        ("auto_rotation", auto, plain),
        (
            "rotation_time",
            s.rotation_time.map_or_else(|| t::NEVER.to_owned(), &time),
            plain,
        ),
        (
            "next_rotation_time",
            s.next_rotation_time
                .map_or_else(|| t::NOT_SCHEDULED.to_owned(), &time),
            if s.next_rotation_time.is_some() {
                plain
            } else {
                theme::dim()
            },
        ),
        (
            "event_subscriptions",
            if s.event_subscriptions.is_empty() {
                t::NO_EVENT.to_owned()
            } else {
                s.event_subscriptions.join(", ")
            },
            plain,
        ),
        (
            "enterprise_project_id",
            s.enterprise_project_id.clone(),
            plain,
        ),
    ];
    if let Some(urn) = &s.rotation_func_urn {
        out.push(("rotation_func_urn", urn.clone(), plain));
    }
    if let Some(config) = &s.rotation_config {
        out.push(("rotation_config", config.clone(), plain));
    }
    out
}
