//! The Secret record's newer fields (rotation, event subscription, enterprise project): their
//! shape in responses, the subset requests carry, and their rules (docs/DECISIONS.md "new Secret
//! fields").

use serde::{Deserialize, Serialize};

use super::{Field, FieldError};

/// The shortest rotation period, in ms (6 h).
pub const MIN_ROTATION_PERIOD_MS: i64 = 6 * HOUR_MS;
/// The longest rotation period, in ms (8,760 h, 365 days).
pub const MAX_ROTATION_PERIOD_MS: i64 = 8_760 * HOUR_MS;
/// The longest `rotation_config`, in bytes (the API's limit).
pub const MAX_ROTATION_CONFIG_BYTES: usize = 1024;
/// The longest `rotation_func_urn`, in bytes (*local*: the API sets none; docs/DECISIONS.md
/// "Secret record (issue 14)").
pub const MAX_ROTATION_FUNC_URN_BYTES: usize = 1024;
/// The longest `enterprise_project_id`, in characters (the API's limit).
pub const MAX_ENTERPRISE_PROJECT_CHARS: usize = 36;
/// The most events one secret subscribes to (the API's "currently at most one").
pub const MAX_EVENT_SUBSCRIPTIONS: usize = 1;
/// `enterprise_project_id` when a request gives none: the cloud's default project.
pub const DEFAULT_ENTERPRISE_PROJECT: &str = "0";

const HOUR_MS: i64 = 3_600_000;

/// The Secret record's fields after `secret_type`, in the API's order. Times are epoch ms.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretSettings {
    pub auto_rotation: bool,
    /// `^[1-9][0-9]*[dhms]$`, 6 h–8,760 h.
    pub rotation_period: Option<String>,
    /// Stored and returned; nothing runs it locally.
    pub rotation_config: Option<String>,
    /// The last rotation.
    pub rotation_time: Option<i64>,
    /// When automatic rotation is next due; `None` unless `auto_rotation`.
    pub next_rotation_time: Option<i64>,
    /// At most one event name.
    pub event_subscriptions: Vec<String>,
    pub enterprise_project_id: String,
    /// Stored and returned; nothing runs it locally.
    pub rotation_func_urn: Option<String>,
}

impl Default for SecretSettings {
    fn default() -> Self {
        Self {
            auto_rotation: false,
            rotation_period: None,
            rotation_config: None,
            rotation_time: None,
            next_rotation_time: None,
            event_subscriptions: Vec::new(),
            enterprise_project_id: DEFAULT_ENTERPRISE_PROJECT.into(),
            rotation_func_urn: None,
        }
    }
}

/// The settings a Create Secret or Update Secret body may carry; `None` leaves a field as it is
/// (on create: its default). Update Secret carries no `rotation_config` or
/// `enterprise_project_id` (the API's `UpdateSecret`); those fields are ignored there like any
/// unknown one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct SettingsChange {
    #[serde(default)]
    pub auto_rotation: Option<bool>,
    #[serde(default)]
    pub rotation_period: Option<String>,
    #[serde(default)]
    pub rotation_config: Option<String>,
    #[serde(default)]
    pub rotation_func_urn: Option<String>,
    #[serde(default)]
    pub enterprise_project_id: Option<String>,
    /// `[]` unsubscribes.
    #[serde(default)]
    pub event_subscriptions: Option<Vec<String>>,
}

impl SettingsChange {
    /// Whether the request sets anything.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// `auto_rotation` true without a period, from this request or `stored_period` (the
    /// secret's, on update; `None` on create).
    pub fn missing_period(&self, stored_period: Option<&str>) -> Option<FieldError> {
        (self.auto_rotation == Some(true)
            && self.rotation_period.is_none()
            && stored_period.is_none())
        .then(|| {
            FieldError::new(
                Field::AutoRotation,
                "automatic rotation needs a rotation_period",
            )
        })
    }

    /// Every broken rule of the fields' forms, in field order. A missing period is
    /// [`SettingsChange::missing_period`]'s; that a subscribed event exists, the vault's.
    pub fn problems(&self) -> Vec<FieldError> {
        let mut out = Vec::new();
        if let Some(m) = self
            .rotation_period
            .as_deref()
            .and_then(rotation_period_problem)
        {
            out.push(FieldError::new(Field::RotationPeriod, m));
        }
        if let Some(config) = &self.rotation_config
            && config.len() > MAX_ROTATION_CONFIG_BYTES
        {
            out.push(FieldError::new(
                Field::RotationConfig,
                format!(
                    "it has {} bytes, at most {MAX_ROTATION_CONFIG_BYTES} are allowed",
                    config.len()
                ),
            ));
        }
        if let Some(urn) = &self.rotation_func_urn
            && urn.len() > MAX_ROTATION_FUNC_URN_BYTES
        {
            out.push(FieldError::new(
                Field::RotationFuncUrn,
                format!(
                    "it has {} bytes, at most {MAX_ROTATION_FUNC_URN_BYTES} are allowed",
                    urn.len()
                ),
            ));
        }
        if let Some(project) = &self.enterprise_project_id {
            let chars = project.chars().count();
            if !(1..=MAX_ENTERPRISE_PROJECT_CHARS).contains(&chars) {
                out.push(FieldError::new(
                    Field::EnterpriseProjectId,
                    format!(
                        "it has {chars} characters; it must have 1–{MAX_ENTERPRISE_PROJECT_CHARS}"
                    ),
                ));
            }
        }
        if let Some(events) = &self.event_subscriptions {
            if events.len() > MAX_EVENT_SUBSCRIPTIONS {
                out.push(FieldError::new(
                    Field::EventSubscriptions,
                    format!(
                        "a secret subscribes to at most {MAX_EVENT_SUBSCRIPTIONS} event, {} are given",
                        events.len()
                    ),
                ));
            } else if let Some(m) = events.iter().find_map(|e| event_name_problem(e)) {
                out.push(FieldError::new(Field::EventSubscriptions, m));
            }
        }
        out
    }
}

/// A rotation period's length in ms, if it has the API's form (`^[1-9][0-9]*[dhms]$`); its range
/// is not checked here.
pub fn rotation_period_ms(period: &str) -> Option<i64> {
    let unit = period.chars().last()?;
    let digits = &period[..period.len() - unit.len_utf8()];
    if digits.is_empty()
        || digits.starts_with('0')
        || !digits.bytes().all(|b| b.is_ascii_digit())
        || digits.len() > 12
    {
        return None;
    }
    let n: i64 = digits.parse().ok()?;
    let unit_ms = match unit {
        'd' => 24 * HOUR_MS,
        'h' => HOUR_MS,
        'm' => 60_000,
        's' => 1_000,
        _ => return None,
    };
    n.checked_mul(unit_ms)
}

/// What is wrong with a rotation period, if anything: its form, then its range (6 h–8,760 h).
pub fn rotation_period_problem(period: &str) -> Option<String> {
    match rotation_period_ms(period) {
        None => Some(
            "it must be a whole number followed by d, h, m or s (e.g. 30d, 12h), without leading zeros"
                .into(),
        ),
        Some(ms) if !(MIN_ROTATION_PERIOD_MS..=MAX_ROTATION_PERIOD_MS).contains(&ms) => {
            Some("it must be between 6 hours and 8,760 hours (365 days)".into())
        }
        Some(_) => None,
    }
}

/// What is wrong with an event name, if anything: `^[a-zA-Z0-9_-]{1,64}$`.
pub fn event_name_problem(name: &str) -> Option<String> {
    let chars = name.chars().count();
    if !(1..=64).contains(&chars) {
        return Some(format!(
            "an event name has 1–64 characters, this one has {chars}"
        ));
    }
    name.chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-')))
        .map(|_| "an event name has only a–z A–Z 0–9 _ -".into())
}

/// When automatic rotation is next due: `base` (the last rotation, else the time it was switched
/// on; epoch ms) plus the period. `None` for a period not in form.
pub fn next_rotation(base: i64, period: &str) -> Option<i64> {
    base.checked_add(rotation_period_ms(period)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_periods_are_whole_numbers_with_a_unit_between_6_h_and_8760_h() {
        assert_eq!(rotation_period_ms("30d"), Some(30 * 24 * HOUR_MS));
        assert_eq!(rotation_period_ms("6h"), Some(MIN_ROTATION_PERIOD_MS));
        assert_eq!(rotation_period_ms("21600s"), Some(MIN_ROTATION_PERIOD_MS));
        for bad in [
            "",
            "d",
            "0d",
            "05d",
            "1.5d",
            "1w",
            "-1d",
            "1 d",
            "99999999999999d",
        ] {
            assert!(rotation_period_problem(bad).is_some(), "{bad:?}");
        }
        assert!(rotation_period_problem("359m").is_some(), "under 6 h");
        assert!(rotation_period_problem("360m").is_none());
        assert!(rotation_period_problem("365d").is_none());
        assert!(rotation_period_problem("366d").is_some(), "over 8,760 h");
    }

    #[test]
    fn automatic_rotation_needs_a_period_from_the_request_or_the_secret() {
        let on = SettingsChange {
            auto_rotation: Some(true),
            ..SettingsChange::default()
        };
        assert_eq!(
            on.missing_period(None).map(|p| p.field),
            Some(Field::AutoRotation)
        );
        assert!(on.missing_period(Some("30d")).is_none());
        assert!(
            on.problems().is_empty(),
            "a missing period is not a form problem"
        );
    }

    #[test]
    fn at_most_one_event_in_form_is_subscribed() {
        let change = |events: &[&str]| SettingsChange {
            event_subscriptions: Some(events.iter().map(|e| (*e).to_owned()).collect()),
            ..SettingsChange::default()
        };
        assert!(change(&[]).problems().is_empty());
        assert!(change(&["ev-1"]).problems().is_empty());
        assert_eq!(
            change(&["a", "b"]).problems()[0].field,
            Field::EventSubscriptions
        );
        assert!(!change(&["a b"]).problems().is_empty());
    }
}
