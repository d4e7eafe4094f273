//! Events and notification records: the event types a secret's subscription can fire, the
//! Create/Show/Update/Delete/List Secret Event bodies and their rules, and List Notification
//! Records' records and markers (docs/DECISIONS.md "events", "what fires", "notification
//! records", "Events and notification records (issue 14)").

use serde::{Deserialize, Serialize};

use super::{ApiError, DAY_MS, Field, FieldError, PageInfo, event_name_problem};

/// The most events a vault holds (*local*: the API names no limit; docs/DECISIONS.md "Events and
/// notification records (issue 14)"). A 101st: 400 `CSMS.0203`.
pub const MAX_EVENTS: usize = 100;
/// The most types one event lists (the five there are, each once).
pub const MAX_EVENT_TYPES: usize = 5;
/// List Notification Records' page size when a request gives none (the API's 1,000).
pub const DEFAULT_RECORDS_LIMIT: usize = 1000;
/// How long a notification record is kept, in ms: 3 months, counted as 90 days.
pub const RECORD_RETENTION_MS: i64 = 90 * DAY_MS;
/// The longest `notification.target_id`, in characters (the API's pattern).
pub const MAX_TARGET_ID_CHARS: usize = 256;
/// The longest `notification.target_type` and `target_name`, in characters.
pub const MAX_TARGET_NAME_CHARS: usize = 64;

/// One of the API's five basic events.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EventType {
    SecretVersionCreated,
    SecretVersionExpired,
    SecretRotated,
    SecretDeleted,
    SecretRotatedFailed,
}

impl EventType {
    pub const ALL: [Self; 5] = [
        Self::SecretVersionCreated,
        Self::SecretVersionExpired,
        Self::SecretRotated,
        Self::SecretDeleted,
        Self::SecretRotatedFailed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::SecretVersionCreated => "SECRET_VERSION_CREATED",
            Self::SecretVersionExpired => "SECRET_VERSION_EXPIRED",
            Self::SecretRotated => "SECRET_ROTATED",
            Self::SecretDeleted => "SECRET_DELETED",
            Self::SecretRotatedFailed => "SECRET_ROTATED_FAILED",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == text)
    }
}

/// An event's state: only an `ENABLED` event fires.
pub const EVENT_ENABLED: &str = "ENABLED";
/// The state of an event that fires nothing.
pub const EVENT_DISABLED: &str = "DISABLED";

/// Where the cloud would send an event's notifications (`SMN` there). Stored and returned as
/// given; delivery here is local (`CSVAULT_NOTIFY_COMMAND`). In a request, a field left out is
/// `""`, which its rule refuses.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    #[serde(default)]
    pub target_type: String,
    #[serde(default)]
    pub target_id: String,
    #[serde(default)]
    pub target_name: String,
}

impl Notification {
    /// Every broken rule, in field order: `target_type` and `target_name` 1–64 of
    /// `a–z A–Z 0–9 _ -` (the API's pattern for the name; `SMN` for the type, which is stored as
    /// given here), `target_id` 1–256 of `a–z A–Z 0–9 - . _ :` (the API's pattern).
    pub fn problems(&self) -> Vec<FieldError> {
        [
            target_problem(Field::TargetType, "a target type", &self.target_type, false),
            target_problem(Field::TargetId, "a target id", &self.target_id, true),
            target_problem(Field::TargetName, "a target name", &self.target_name, false),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

/// What is wrong with one target field: 1–64 of `a–z A–Z 0–9 _ -`, or for an id (`id`) 1–256 of
/// `a–z A–Z 0–9 - . _ :`.
fn target_problem(field: Field, what: &str, text: &str, id: bool) -> Option<FieldError> {
    let (max, allowed) = if id {
        (MAX_TARGET_ID_CHARS, "a–z A–Z 0–9 - . _ :")
    } else {
        (MAX_TARGET_NAME_CHARS, "a–z A–Z 0–9 _ -")
    };
    let ok = |c: char| {
        c.is_ascii_alphanumeric() || matches!(c, '_' | '-') || (id && matches!(c, '.' | ':'))
    };
    let chars = text.chars().count();
    if !(1..=max).contains(&chars) {
        Some(FieldError::new(
            field,
            format!("{what} has 1–{max} characters, this one has {chars}"),
        ))
    } else if !text.chars().all(ok) {
        Some(FieldError::new(field, format!("{what} has only {allowed}")))
    } else {
        None
    }
}

/// The Create Secret Event request body (`POST /v1/{project_id}/csms/events`). `state` absent is
/// `ENABLED` and `notification` absent is stored as absent (*local*: the API requires both; the
/// command line may leave them out). Unknown fields are ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct CreateSecretEventRequest {
    pub name: String,
    #[serde(default)]
    pub event_types: Vec<String>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub notification: Option<Notification>,
}

impl CreateSecretEventRequest {
    /// Every broken rule, in the API's field order: name, `event_types`, state, notification. That
    /// the name is free is the vault's check.
    pub fn problems(&self) -> Vec<FieldError> {
        let mut out = Vec::new();
        if let Some(m) = event_name_problem(&self.name) {
            out.push(FieldError::new(Field::EventName, m));
        }
        out.extend(event_types_problem(&self.event_types));
        out.extend(self.state.as_deref().and_then(state_problem));
        if let Some(n) = &self.notification {
            out.extend(n.problems());
        }
        out
    }
}

/// The Update Secret Event request body (`PUT …/csms/events/{event_name}`): each field present
/// replaces the event's; absent fields stay. Unknown fields are ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct UpdateSecretEventRequest {
    #[serde(default)]
    pub event_types: Option<Vec<String>>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub notification: Option<Notification>,
}

impl UpdateSecretEventRequest {
    /// Every broken rule, in field order: `event_types`, state, notification.
    pub fn problems(&self) -> Vec<FieldError> {
        let mut out = Vec::new();
        if let Some(types) = &self.event_types {
            out.extend(event_types_problem(types));
        }
        out.extend(self.state.as_deref().and_then(state_problem));
        if let Some(n) = &self.notification {
            out.extend(n.problems());
        }
        out
    }
}

/// What is wrong with an event's types, if anything: 1–5 of the five, each once.
pub fn event_types_problem(types: &[String]) -> Option<FieldError> {
    let problem = |m: String| Some(FieldError::new(Field::EventTypes, m));
    if types.is_empty() {
        return problem("an event lists at least one event type".into());
    }
    if let Some(bad) = types.iter().find(|t| EventType::parse(t).is_none()) {
        let shown: String = bad.chars().take(32).collect();
        return problem(format!(
            "{shown:?} is not one of SECRET_VERSION_CREATED, SECRET_VERSION_EXPIRED, \
             SECRET_ROTATED, SECRET_DELETED, SECRET_ROTATED_FAILED"
        ));
    }
    if let Some(twice) = types
        .iter()
        .enumerate()
        .find_map(|(i, t)| types[..i].contains(t).then_some(t))
    {
        return problem(format!("{twice} is listed twice"));
    }
    (types.len() > MAX_EVENT_TYPES).then(|| {
        FieldError::new(
            Field::EventTypes,
            format!("an event lists at most {MAX_EVENT_TYPES} event types"),
        )
    })
}

/// What is wrong with an event's state, if anything: `ENABLED` or `DISABLED`.
pub fn state_problem(state: &str) -> Option<FieldError> {
    (state != EVENT_ENABLED && state != EVENT_DISABLED).then(|| {
        let shown: String = state.chars().take(32).collect();
        FieldError::new(
            Field::EventState,
            format!("{shown:?} is neither ENABLED nor DISABLED"),
        )
    })
}

/// An event as the API returns it. Times are epoch ms.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub name: String,
    /// A UUID v4.
    pub event_id: String,
    pub event_types: Vec<String>,
    /// `ENABLED` or `DISABLED`.
    pub state: String,
    /// `null` when the event was created without one (the command line's default).
    pub notification: Option<Notification>,
    pub create_time: i64,
    pub update_time: i64,
}

impl Event {
    pub fn enabled(&self) -> bool {
        self.state == EVENT_ENABLED
    }
}

/// `{"event": {...}}`: the body of Create/Show/Update Secret Event.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EventResponse {
    pub event: Event,
}

/// `{"events": [...], "page_info": {...}}`: the body of List Secret Events.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ListEventsResponse {
    pub events: Vec<Event>,
    pub page_info: PageInfo,
}

/// A notification record as the API returns it: one per firing. `create_time` is epoch ms.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationRecord {
    pub create_time: i64,
    pub event_name: String,
    pub trigger_event_type: String,
    pub secret_name: String,
    pub secret_type: String,
    pub notification_target_name: Option<String>,
    pub notification_target_id: Option<String>,
    /// JSON text of what happened; never a value.
    pub notification_content: String,
    /// `SUCCESS`, `FAIL`, or `PENDING` while `CSVAULT_NOTIFY_COMMAND` runs (*local*).
    pub notification_status: String,
}

/// `{"records": [...], "page_info": {...}}`: the body of List Notification Records.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ListNotificationRecordsResponse {
    pub records: Vec<NotificationRecord>,
    pub page_info: PageInfo,
}

/// Where a page of notification records starts (exclusive), newest first: every record at
/// `create_time` and `event_name` (`TIME:NAME`, docs/DECISIONS.md "notification records"), or,
/// with `seq`, only those of them up to that one (`TIME:NAME:SEQ`, which a page's marker takes
/// when the next record shares its time and event: a batch fires many at one instant).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordMarker {
    pub create_time: i64,
    pub event_name: String,
    pub seq: Option<i64>,
}

impl RecordMarker {
    /// Reads `TIME:NAME` or `TIME:NAME:SEQ`.
    ///
    /// Errors: 400 `CSMS.0002` naming the form, for anything else.
    pub fn parse(text: &str) -> Result<Self, ApiError> {
        let bad = || {
            ApiError::invalid(
                "Invalid marker: it must be TIME:NAME (a record's create_time and event_name) or the next_marker a page gave.",
            )
        };
        let mut parts = text.split(':');
        let time = parts.next().ok_or_else(bad)?;
        let name = parts.next().ok_or_else(bad)?;
        let seq = parts.next();
        if parts.next().is_some()
            || time.is_empty()
            || time.len() > 13
            || !time.bytes().all(|b| b.is_ascii_digit())
            || event_name_problem(name).is_some()
        {
            return Err(bad());
        }
        let seq = match seq {
            None => None,
            Some(s) if !s.is_empty() && s.len() <= 18 && s.bytes().all(|b| b.is_ascii_digit()) => {
                Some(s.parse().map_err(|_| bad())?)
            }
            Some(_) => return Err(bad()),
        };
        Ok(Self {
            create_time: time.parse().map_err(|_| bad())?,
            event_name: name.to_owned(),
            seq,
        })
    }
}

impl std::fmt::Display for RecordMarker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.create_time, self.event_name)?;
        if let Some(seq) = self.seq {
            write!(f, ":{seq}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn types(list: &[&str]) -> Vec<String> {
        list.iter().map(|t| (*t).to_owned()).collect()
    }

    #[test]
    fn an_event_lists_one_to_five_distinct_known_types() {
        assert!(event_types_problem(&types(&["SECRET_DELETED"])).is_none());
        let all: Vec<&str> = EventType::ALL.iter().map(|t| t.as_str()).collect();
        assert!(event_types_problem(&types(&all)).is_none());
        for bad in [
            types(&[]),
            types(&["SECRET_DELETED", "SECRET_DELETED"]),
            types(&["SECRET_VERSION_NEAR_EXPIRY"]),
            types(&["secret_deleted"]),
        ] {
            assert_eq!(
                event_types_problem(&bad).map(|p| p.field),
                Some(Field::EventTypes),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn create_reports_every_problem_in_field_order() {
        let req = CreateSecretEventRequest {
            name: "bad name".into(),
            event_types: Vec::new(),
            state: Some("ON".into()),
            notification: Some(Notification {
                target_type: String::new(),
                target_id: "urn smn".into(),
                target_name: "n".repeat(65),
            }),
        };
        let fields: Vec<Field> = req.problems().iter().map(|p| p.field).collect();
        assert_eq!(
            fields,
            [
                Field::EventName,
                Field::EventTypes,
                Field::EventState,
                Field::TargetType,
                Field::TargetId,
                Field::TargetName
            ]
        );
        assert_eq!(
            req.problems()[5].to_api().error_msg,
            "Invalid notification.target_name: a target name has 1–64 characters, this one has 65."
        );
        let good = CreateSecretEventRequest {
            name: "ev_1-a".into(),
            event_types: types(&["SECRET_ROTATED"]),
            state: Some("DISABLED".into()),
            notification: Some(Notification {
                target_type: "SMN".into(),
                target_id: "urn:smn:cn-north-4:abc:topic".into(),
                target_name: "topic".into(),
            }),
        };
        assert!(good.problems().is_empty());
    }

    #[test]
    fn record_markers_read_time_and_name_and_optionally_a_sequence() {
        let m = RecordMarker::parse("1767225600000:ev-1").ok();
        assert_eq!(
            m,
            Some(RecordMarker {
                create_time: 1_767_225_600_000,
                event_name: "ev-1".into(),
                seq: None
            })
        );
        assert_eq!(
            m.map(|m| m.to_string()).as_deref(),
            Some("1767225600000:ev-1")
        );
        assert_eq!(
            RecordMarker::parse("5:e:7").ok().and_then(|m| m.seq),
            Some(7)
        );
        for bad in [
            "", "5", "x:e", "5:", "5:e:", "5:e:x", "5:e f", "-5:e", "5:e:1:2",
        ] {
            assert_eq!(
                RecordMarker::parse(bad).map_err(|e| e.error_code()),
                Err("CSMS.0002"),
                "{bad:?}"
            );
        }
    }
}
