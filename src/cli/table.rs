//! Output for people (`--output table`, the default on a terminal): every response the command
//! line prints, rendered from its typed `Response` in the style of `gh`. Lists are aligned columns
//! under a header with a paging hint (`next marker: …`) after them; single records are a FIELD /
//! VALUE table (the API's field names); anything else a command prints (the agent's records,
//! summaries) is the same FIELD / VALUE table built from its JSON. Widths are terminal columns
//! (`unicode-width`); on a terminal, a list's long cells are cut to fit its width and end in `…`
//! (a record's values are read whole, never cut).
//! Characters that could fool a terminal (controls, bidi overrides, invisible format characters)
//! are written as `\uXXXX`, as in the JSON. Times are local, as the terminal app shows them, and
//! labelled `UTC` when the zone is UTC. Plaintext values are rendered into wiped memory only
//! (docs/DECISIONS.md "Issue 15: output for people").

use std::fmt::Write as _;
use std::io::{self, Write};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::csms::op::Response;
use crate::csms::{
    HealthReport, ListEventsResponse, ListKeysResponse, ListNotificationRecordsResponse,
    ListProjectSecretsTagsResponse, ListSecretTagsResponse, ListSecretTaskResponse,
    ListSecretVersionsResponse, ListSecretsResponse, PageInfo, RemoteInfo, SecretVersion,
};
use crate::hidden::is_hidden;
use crate::tui::timefmt::{self, Zone};

/// The texts of the tables: headers are written in place, in capitals, as `gh` does.
mod text {
    pub const NEXT_MARKER: &str = "next marker: ";
    pub const TOTAL: &str = "total: ";
    pub const FIELD: &str = "FIELD";
    pub const VALUE: &str = "VALUE";
    pub const NONE: &str = "-";
    pub const NO_SECRETS: &str = "No secrets.";
    pub const NO_VERSIONS: &str = "No versions.";
    pub const NO_KEYS: &str = "No keys.";
    pub const NO_EVENTS: &str = "No events.";
    pub const NO_RECORDS: &str = "No notification records.";
    pub const NO_TASKS: &str = "No rotation tasks.";
    pub const NO_TAGS: &str = "No tags.";
    pub const NO_VALUES: &str = "No values.";
    pub const NO_REMOTES: &str = "No remotes.";
    pub const HAS_CA: &str = "own CA";
    pub const REPORT_CLEAN: &str = "Nothing needs attention.";
    pub const UTC: &str = " (UTC)";
    pub const DEFAULT_KEY: &str = "default";
    pub const WEAK: &str = "weak";
    pub const REUSED: &str = "reused";
    pub const EXPIRED: &str = "expired";
    pub const EXPIRING: &str = "expiring";
    pub const ROTATION_OVERDUE: &str = "rotation overdue";
    pub const UNCHANGED: &str = "unchanged";
    pub const NOT_ENABLED: &str = "skipped: not enabled";
    pub const UNREADABLE: &str = "skipped: unreadable";
}

/// What a cut cell ends with.
const ELLIPSIS: char = '…';
/// Columns between two cells.
const GAP: usize = 2;
/// A column is never cut narrower than this (or its header).
const MIN_CUT: usize = 8;

/// How times are shown: the local zone (`TZ` honoured), as the terminal app shows them.
pub struct Times {
    zone: Zone,
    utc: bool,
}

impl Times {
    /// This machine's zone.
    pub fn local() -> Self {
        let zone = Zone::local();
        // The zone names itself UTC: every list header that holds times says so.
        let utc = timefmt::long(0, &zone).ends_with(" UTC");
        Self { zone, utc }
    }

    /// `2026-11-27 23:13`: list cells.
    fn short(&self, ms: i64) -> String {
        timefmt::short(ms, &self.zone)
    }

    /// `2026-11-27 23:13:05 CET`: record values.
    fn long(&self, ms: i64) -> String {
        timefmt::long(ms, &self.zone)
    }

    /// A list header over times: `UPDATED`, or `UPDATED (UTC)` when the zone is UTC.
    fn header(&self, name: &str) -> String {
        if self.utc {
            format!("{name}{}", text::UTC)
        } else {
            name.to_owned()
        }
    }

    fn short_or_none(&self, ms: Option<i64>) -> String {
        ms.map_or_else(|| text::NONE.to_owned(), |ms| self.short(ms))
    }
}

/// `text` as a cell: every [`is_hidden`] character written as `\uXXXX` (UTF-16 units, as the
/// JSON writes them), so nothing in it can move the cursor, recolour or reorder the terminal.
pub fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_escaped(&mut out, text, |_| false);
    out
}

/// Appends `text` to `out`, hidden characters escaped unless `keep` says otherwise.
fn push_escaped(out: &mut String, text: &str, keep: impl Fn(char) -> bool) {
    for c in text.chars() {
        if is_hidden(c) && !keep(c) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        } else {
            out.push(c);
        }
    }
}

/// Writes `text` with hidden characters escaped (unless `keep`), straight to `out`: values are
/// never copied into a string of their own.
fn write_escaped(out: &mut dyn Write, text: &str, keep: impl Fn(char) -> bool) -> io::Result<()> {
    let mut rest = text;
    while let Some((at, c)) = rest.char_indices().find(|&(_, c)| is_hidden(c) && !keep(c)) {
        out.write_all(&rest.as_bytes()[..at])?;
        let mut units = [0u16; 2];
        for unit in c.encode_utf16(&mut units) {
            write!(out, "\\u{unit:04x}")?;
        }
        rest = &rest[at + c.len_utf8()..];
    }
    out.write_all(rest.as_bytes())
}

/// Columns a cell takes (cells hold no hidden characters).
fn width(text: &str) -> usize {
    text.width()
}

/// `text` in at most `room` columns: whole when it fits, else cut and ended with `…`.
fn fit(text: &str, room: usize) -> String {
    if width(text) <= room {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > room.saturating_sub(1) {
            break;
        }
        used += w;
        out.push(c);
    }
    if room > 0 {
        out.push(ELLIPSIS);
    }
    out
}

/// Aligned columns under a header. Cells are already escaped ([`cell`]).
pub struct Table {
    headers: Vec<String>,
    /// Whether a column gives up its width first when the table is too wide.
    flexible: Vec<bool>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these headers; `flexible` columns (descriptions, values) are cut first.
    fn new(headers: &[(&str, bool)]) -> Self {
        Self {
            headers: headers.iter().map(|(h, _)| (*h).to_owned()).collect(),
            flexible: headers.iter().map(|&(_, f)| f).collect(),
            rows: Vec::new(),
        }
    }

    fn with_headers(headers: Vec<(String, bool)>) -> Self {
        Self {
            flexible: headers.iter().map(|(_, f)| *f).collect(),
            headers: headers.into_iter().map(|(h, _)| h).collect(),
            rows: Vec::new(),
        }
    }

    /// A two-column FIELD / VALUE table.
    fn record() -> Self {
        Self::new(&[(text::FIELD, false), (text::VALUE, true)])
    }

    fn push(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }

    /// The column widths, cut (flexible columns first, the widest first, never below
    /// [`MIN_CUT`] or the header) until the table fits `max`, if given.
    fn widths(&self, max: Option<usize>) -> Vec<usize> {
        let mut widths: Vec<usize> = self.headers.iter().map(|h| width(h)).collect();
        for row in &self.rows {
            for (w, c) in widths.iter_mut().zip(row) {
                *w = (*w).max(width(c));
            }
        }
        let Some(max) = max else {
            return widths;
        };
        let floors: Vec<usize> = self.headers.iter().map(|h| width(h).max(MIN_CUT)).collect();
        let gaps = GAP * widths.len().saturating_sub(1);
        let mut total: usize = widths.iter().sum::<usize>() + gaps;
        for flexible_only in [true, false] {
            while total > max {
                let widest = (0..widths.len())
                    .filter(|&i| (self.flexible[i] || !flexible_only) && widths[i] > floors[i])
                    .max_by_key(|&i| widths[i]);
                let Some(i) = widest else { break };
                // Down to the next widest (or the overflow), in one step.
                let next = (0..widths.len())
                    .filter(|&j| j != i && (self.flexible[j] || !flexible_only))
                    .map(|j| widths[j])
                    .filter(|&w| w < widths[i])
                    .max()
                    .unwrap_or(0);
                let cut = (widths[i] - next.max(floors[i])).min(total - max).max(1);
                widths[i] -= cut;
                total -= cut;
            }
        }
        widths
    }

    /// The table, one line a row, the header first; the last column is not padded.
    fn render(&self, max: Option<usize>) -> String {
        let widths = self.widths(max);
        let mut out = String::new();
        for row in std::iter::once(&self.headers).chain(&self.rows) {
            let mut line = String::new();
            for (i, (c, &w)) in row.iter().zip(&widths).enumerate() {
                let shown = fit(c, w);
                line.push_str(&shown);
                if i + 1 < row.len() {
                    line.push_str(&" ".repeat(w.saturating_sub(width(&shown)) + GAP));
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

/// A response as text for people, or `None` when it holds plaintext (see [`render_plaintext`]).
/// `max`: the terminal's width when stdout is one.
pub fn render(response: &Response, times: &Times, max: Option<usize>) -> Option<String> {
    match response {
        Response::Version(_) | Response::Values(_) | Response::Password(_) => None,
        Response::NoContent => Some(String::new()),
        Response::Secrets(list) => Some(secrets(list, times, max)),
        Response::VersionMetadatas(list) => Some(versions(list, times, max)),
        Response::Keys(list) => Some(keys(list, times, max)),
        Response::Events(list) => Some(events(list, times, max)),
        Response::Records(list) => Some(records(list, times, max)),
        Response::Tasks(list) => Some(tasks(list, times, max)),
        Response::SecretTags(list) => Some(secret_tags(list, max)),
        Response::ProjectTags(list) => Some(project_tags(list, max)),
        Response::HealthReport(report) => Some(report_table(report, times, max)),
        Response::Remotes(list) => Some(remotes(list, times, max)),
        // A record is never cut: its values (a blob, an id, a description) are read whole.
        other => ordered(other).map(|json| record_of(&json, times).render(None)),
    }
}

/// Anything a command prints that is no `Response` (summaries, the agent's status, where a
/// vault is): a FIELD / VALUE table of its JSON, fields in its order. `None` if it does not
/// serialise.
pub fn render_body<T: serde::Serialize + ?Sized>(body: &T, times: &Times) -> Option<String> {
    ordered(body).map(|json| record_of(&json, times).render(None))
}

/// A list's closing lines: how to ask for the next page, when there is one.
fn with_marker(mut out: String, marker: Option<&str>) -> String {
    if let Some(marker) = marker.filter(|m| !m.is_empty()) {
        out.push_str(text::NEXT_MARKER);
        out.push_str(&cell(marker));
        out.push('\n');
    }
    out
}

fn empty_or(table: &Table, empty: &str, max: Option<usize>) -> String {
    if table.rows.is_empty() {
        format!("{empty}\n")
    } else {
        table.render(max)
    }
}

fn paged(table: &Table, empty: &str, page: &PageInfo, max: Option<usize>) -> String {
    with_marker(empty_or(table, empty, max), page.next_marker.as_deref())
}

/// `secret list`: NAME, STATE, KMS KEY (as the response has it: the id), UPDATED, DESCRIPTION.
fn secrets(list: &ListSecretsResponse, times: &Times, max: Option<usize>) -> String {
    let mut t = Table::with_headers(vec![
        ("NAME".into(), false),
        ("STATE".into(), false),
        ("KMS KEY".into(), true),
        (times.header("UPDATED"), false),
        ("DESCRIPTION".into(), true),
    ]);
    for s in &list.secrets {
        t.push(vec![
            cell(&s.name),
            s.state.as_str().to_owned(),
            cell(&s.kms_key_id),
            times.short(s.update_time),
            cell(&s.description),
        ]);
    }
    paged(&t, text::NO_SECRETS, &list.page_info, max)
}

/// `secret list-versions`: VERSION, STAGES, CREATED, EXPIRES, KMS KEY.
fn versions(list: &ListSecretVersionsResponse, times: &Times, max: Option<usize>) -> String {
    let mut t = Table::with_headers(vec![
        ("VERSION".into(), false),
        ("STAGES".into(), true),
        (times.header("CREATED"), false),
        (times.header("EXPIRES"), false),
        ("KMS KEY".into(), true),
    ]);
    for v in &list.version_metadatas {
        t.push(vec![
            cell(&v.id),
            cell(&v.version_stages.join(", ")),
            times.short(v.create_time),
            times.short_or_none(v.expire_time),
            cell(&v.kms_key_id),
        ]);
    }
    paged(&t, text::NO_VERSIONS, &list.page_info, max)
}

/// `remote list`: NAME, ENDPOINT, PROJECT, REGION, ACCESS KEY, CA, CREATED, LAST SYNC (never an
/// SK: the list has none).
pub fn remotes(list: &[RemoteInfo], times: &Times, max: Option<usize>) -> String {
    let mut t = Table::with_headers(vec![
        ("NAME".into(), false),
        ("ENDPOINT".into(), true),
        ("PROJECT".into(), true),
        ("REGION".into(), false),
        ("ACCESS KEY".into(), true),
        ("CA".into(), false),
        (times.header("CREATED"), false),
        (times.header("LAST SYNC"), false),
    ]);
    let or_none = |v: &Option<String>| v.as_deref().map_or_else(|| text::NONE.to_owned(), cell);
    for r in list {
        t.push(vec![
            cell(&r.name),
            cell(&r.endpoint),
            or_none(&r.project_id),
            or_none(&r.region),
            cell(&r.access_key),
            if r.has_ca {
                text::HAS_CA.to_owned()
            } else {
                String::new()
            },
            times.short(r.create_time),
            times.short_or_none(r.last_sync_time),
        ]);
    }
    empty_or(&t, text::NO_REMOTES, max)
}

/// `key list`: ALIAS, STATE, DEFAULT, CREATED, ID, DESCRIPTION.
fn keys(list: &ListKeysResponse, times: &Times, max: Option<usize>) -> String {
    let mut t = Table::with_headers(vec![
        ("ALIAS".into(), true),
        ("STATE".into(), false),
        ("DEFAULT".into(), false),
        (times.header("CREATED"), false),
        ("ID".into(), true),
        ("DESCRIPTION".into(), true),
    ]);
    for k in &list.key_details {
        t.push(vec![
            cell(&k.key_alias),
            k.key_state.as_str().to_owned(),
            if k.default_key {
                text::DEFAULT_KEY.to_owned()
            } else {
                String::new()
            },
            times.short(k.creation_date),
            cell(&k.key_id),
            cell(&k.key_description),
        ]);
    }
    empty_or(&t, text::NO_KEYS, max)
}

/// `event list`: NAME, STATE, TYPES, TARGET, UPDATED.
fn events(list: &ListEventsResponse, times: &Times, max: Option<usize>) -> String {
    let mut t = Table::with_headers(vec![
        ("NAME".into(), false),
        ("STATE".into(), false),
        ("TYPES".into(), true),
        ("TARGET".into(), true),
        (times.header("UPDATED"), false),
    ]);
    for e in &list.events {
        t.push(vec![
            cell(&e.name),
            cell(&e.state),
            cell(&e.event_types.join(", ")),
            e.notification
                .as_ref()
                .map_or_else(|| text::NONE.to_owned(), |n| cell(&n.target_name)),
            times.short(e.update_time),
        ]);
    }
    paged(&t, text::NO_EVENTS, &list.page_info, max)
}

/// `notifications`: TIME, EVENT, TYPE, SECRET, STATUS, TARGET.
fn records(list: &ListNotificationRecordsResponse, times: &Times, max: Option<usize>) -> String {
    let mut t = Table::with_headers(vec![
        (times.header("TIME"), false),
        ("EVENT".into(), false),
        ("TYPE".into(), false),
        ("SECRET".into(), true),
        ("STATUS".into(), false),
        ("TARGET".into(), true),
    ]);
    for r in &list.records {
        t.push(vec![
            times.short(r.create_time),
            cell(&r.event_name),
            cell(&r.trigger_event_type),
            cell(&r.secret_name),
            cell(&r.notification_status),
            cell(r.notification_target_name.as_deref().unwrap_or(text::NONE)),
        ]);
    }
    paged(&t, text::NO_RECORDS, &list.page_info, max)
}

/// `tasks`: TIME, SECRET, OPERATION, STATUS, ATTEMPTS, ERROR; the total and the next marker.
fn tasks(list: &ListSecretTaskResponse, times: &Times, max: Option<usize>) -> String {
    let mut t = Table::with_headers(vec![
        (times.header("TIME"), false),
        ("SECRET".into(), true),
        ("OPERATION".into(), false),
        ("STATUS".into(), false),
        ("ATTEMPTS".into(), false),
        ("ERROR".into(), true),
    ]);
    for task in &list.tasks {
        let error = match (&task.task_error_code, &task.task_error_msg) {
            (Some(code), Some(msg)) => format!("{msg} ({code})"),
            (Some(one), None) | (None, Some(one)) => one.clone(),
            (None, None) => String::new(),
        };
        t.push(vec![
            times.short(task.task_time),
            cell(&task.secret_name),
            cell(&task.operate_type),
            cell(&task.task_status),
            task.attempt_nums.to_string(),
            cell(&error),
        ]);
    }
    let mut out = empty_or(&t, text::NO_TASKS, max);
    if !t.rows.is_empty() {
        let _ = writeln!(out, "{}{}", text::TOTAL, list.total);
    }
    with_marker(out, list.next_marker.as_deref())
}

/// `secret tags`: KEY, VALUE.
fn secret_tags(list: &ListSecretTagsResponse, max: Option<usize>) -> String {
    let mut t = Table::new(&[("KEY", true), ("VALUE", true)]);
    for tag in &list.tags {
        t.push(vec![cell(&tag.key), cell(&tag.value)]);
    }
    empty_or(&t, text::NO_TAGS, max)
}

/// `tags`: KEY, VALUES.
fn project_tags(list: &ListProjectSecretsTagsResponse, max: Option<usize>) -> String {
    let mut t = Table::new(&[("KEY", true), ("VALUES", true)]);
    for tag in &list.tags {
        t.push(vec![cell(&tag.key), cell(&tag.values.join(", "))]);
    }
    empty_or(&t, text::NO_TAGS, max)
}

/// `report`: one row per finding (FINDING, SECRET, VERSION, WHEN), sections in the JSON's
/// order, then what was checked, with which windows, and when.
fn report_table(report: &HealthReport, times: &Times, max: Option<usize>) -> String {
    let mut t = Table::with_headers(vec![
        ("FINDING".into(), false),
        ("SECRET".into(), true),
        ("VERSION".into(), false),
        (times.header("WHEN"), false),
    ]);
    let none = String::new;
    for name in &report.weak {
        t.push(vec![text::WEAK.into(), cell(name), none(), none()]);
    }
    for (n, group) in report.reused.iter().enumerate() {
        for name in group {
            let finding = format!("{} ({})", text::REUSED, n + 1);
            t.push(vec![finding, cell(name), none(), none()]);
        }
    }
    for (finding, list) in [
        (text::EXPIRED, &report.expired),
        (text::EXPIRING, &report.expiring),
    ] {
        for v in list {
            t.push(vec![
                finding.into(),
                cell(&v.name),
                cell(&v.version_id),
                times.short(v.expire_time),
            ]);
        }
    }
    for r in &report.rotation_overdue {
        t.push(vec![
            text::ROTATION_OVERDUE.into(),
            cell(&r.name),
            none(),
            times.short(r.next_rotation_time),
        ]);
    }
    for u in &report.unchanged {
        t.push(vec![
            text::UNCHANGED.into(),
            cell(&u.name),
            cell(&u.version_id),
            times.short(u.create_time),
        ]);
    }
    for (finding, list) in [
        (text::NOT_ENABLED, &report.skipped.not_enabled),
        (text::UNREADABLE, &report.skipped.unreadable),
    ] {
        for name in list {
            t.push(vec![finding.into(), cell(name), none(), none()]);
        }
    }
    let mut out = empty_or(&t, text::REPORT_CLEAN, max);
    let _ = writeln!(
        out,
        "checked {} current value(s) at {}; expiring within {} days, unchanged for {} days",
        report.checked,
        times.long(report.report_time),
        report.settings.expiring_days,
        report.settings.unchanged_days,
    );
    out
}

/// Whether a JSON field holds a time (epoch ms): the API's `*_time` fields, KMS's
/// `creation_date` (a string of digits), and the agent's records' `*_at` (`unlocked_at`,
/// `idle_locks_at`, `locks_at`).
fn is_time_field(key: &str) -> bool {
    key.ends_with("_time") || key.ends_with("_at") || key == "creation_date"
}

/// A JSON value with its objects' fields in the order they were written (the API's order), which
/// `serde_json::Value` (sorted maps) would lose.
enum Json {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl<'de> serde::Deserialize<'de> for Json {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Json;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("JSON")
            }
            fn visit_unit<E>(self) -> Result<Json, E> {
                Ok(Json::Null)
            }
            fn visit_none<E>(self) -> Result<Json, E> {
                Ok(Json::Null)
            }
            fn visit_bool<E>(self, b: bool) -> Result<Json, E> {
                Ok(Json::Bool(b))
            }
            fn visit_i64<E>(self, n: i64) -> Result<Json, E> {
                Ok(Json::Number(n.into()))
            }
            fn visit_u64<E>(self, n: u64) -> Result<Json, E> {
                Ok(Json::Number(n.into()))
            }
            fn visit_f64<E>(self, n: f64) -> Result<Json, E> {
                Ok(serde_json::Number::from_f64(n).map_or(Json::Null, Json::Number))
            }
            fn visit_str<E>(self, s: &str) -> Result<Json, E> {
                Ok(Json::String(s.to_owned()))
            }
            fn visit_string<E>(self, s: String) -> Result<Json, E> {
                Ok(Json::String(s))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<Json, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = a.next_element()? {
                    items.push(item);
                }
                Ok(Json::Array(items))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut a: A) -> Result<Json, A::Error> {
                let mut fields = Vec::new();
                while let Some(field) = a.next_entry()? {
                    fields.push(field);
                }
                Ok(Json::Object(fields))
            }
        }
        d.deserialize_any(Visit)
    }
}

/// `body`'s JSON, fields in the order it writes them; `None` if it does not serialise.
fn ordered<T: serde::Serialize + ?Sized>(body: &T) -> Option<Json> {
    serde_json::to_string(body)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
}

/// A FIELD / VALUE table of a JSON body: a body wrapping one object (`{"secret": {...}}`) is
/// shown as that object; nested objects and lists are flattened (`page_info.next_marker`,
/// `error_list[0].name`); lists of plain values are joined; times are local.
fn record_of(value: &Json, times: &Times) -> Table {
    let inner = match value {
        Json::Object(fields) if fields.len() == 1 => match &fields[0].1 {
            inner @ Json::Object(_) => inner,
            _ => value,
        },
        _ => value,
    };
    let mut t = Table::record();
    flatten(&mut t, "", inner, times);
    t
}

fn flatten(t: &mut Table, path: &str, value: &Json, times: &Times) {
    let key = path.rsplit(['.', ']']).next().unwrap_or(path);
    match value {
        Json::Object(fields) if !fields.is_empty() => {
            for (k, v) in fields {
                let sub = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                flatten(t, &sub, v, times);
            }
        }
        Json::Array(items)
            if items
                .iter()
                .any(|i| matches!(i, Json::Object(_) | Json::Array(_))) =>
        {
            for (n, item) in items.iter().enumerate() {
                flatten(t, &format!("{path}[{n}]"), item, times);
            }
        }
        Json::Array(items) if !items.is_empty() => {
            let joined: Vec<String> = items.iter().map(plain).collect();
            t.push(vec![cell(path), cell(&joined.join(", "))]);
        }
        Json::Number(n) if is_time_field(key) && n.as_i64().is_some() => {
            let ms = n.as_i64().unwrap_or_default();
            t.push(vec![cell(path), times.long(ms)]);
        }
        Json::String(s) if is_time_field(key) && s.parse::<i64>().is_ok() => {
            let ms = s.parse::<i64>().unwrap_or_default();
            t.push(vec![cell(path), times.long(ms)]);
        }
        other => t.push(vec![cell(path), cell(&plain(other))]),
    }
}

/// A JSON scalar as text: strings as they are, `null` and empty lists or objects as `-`.
fn plain(value: &Json) -> String {
    match value {
        Json::String(s) => s.clone(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => n.to_string(),
        Json::Null => text::NONE.to_owned(),
        Json::Array(a) if a.is_empty() => text::NONE.to_owned(),
        Json::Object(o) if o.is_empty() => text::NONE.to_owned(),
        Json::Array(_) | Json::Object(_) => String::new(),
    }
}

/// A response holding plaintext, written to `out` without copying the value anywhere else:
/// `get-value` and `generate-password` print the value alone and a newline (as `pass show` or
/// `gh variable get` do: text with its line breaks and tabs, other hidden characters escaped;
/// binary as its base64), `batch-get-value` a NAME / VERSION / VALUE table (every hidden
/// character escaped, line breaks too, so each value stays on its row; values are never cut).
pub fn render_plaintext(response: &Response, out: &mut dyn Write) -> io::Result<()> {
    let keep_lines = |c: char| c == '\n' || c == '\t';
    match response {
        Response::Version(v) => {
            write_value(out, &v.version, keep_lines)?;
            out.write_all(b"\n")
        }
        Response::Password(p) => {
            write_escaped(out, &p.password, |_| false)?;
            out.write_all(b"\n")
        }
        Response::Values(values) => {
            if values.versions.is_empty() {
                return writeln!(out, "{}", text::NO_VALUES);
            }
            let rows: Vec<(String, String)> = values
                .versions
                .iter()
                .map(|v| {
                    (
                        cell(&v.version_metadata.secret_name),
                        cell(&v.version_metadata.id),
                    )
                })
                .collect();
            let name_w = rows.iter().map(|r| width(&r.0)).chain([4]).max();
            let version_w = rows.iter().map(|r| width(&r.1)).chain([7]).max();
            let (name_w, version_w) = (name_w.unwrap_or(4), version_w.unwrap_or(7));
            let pad = |s: &str, w: usize| " ".repeat(w.saturating_sub(width(s)) + GAP);
            writeln!(
                out,
                "NAME{}VERSION{}VALUE",
                pad("NAME", name_w),
                pad("VERSION", version_w)
            )?;
            for ((name, version), v) in rows.iter().zip(&values.versions) {
                write!(
                    out,
                    "{name}{}{version}{}",
                    pad(name, name_w),
                    pad(version, version_w)
                )?;
                write_value(out, v, |_| false)?;
                out.write_all(b"\n")?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// A version's value: its text, or its binary as the base64 the API carries.
fn write_value(
    out: &mut dyn Write,
    version: &SecretVersion,
    keep: impl Fn(char) -> bool,
) -> io::Result<()> {
    if let Some(text) = &version.secret_string {
        write_escaped(out, text, keep)
    } else if let Some(b64) = &version.secret_binary {
        out.write_all(b64.as_bytes())
    } else {
        Ok(())
    }
}

/// The readable form of an error on a terminal: `error: MESSAGE (CODE)`, escaped.
pub fn error_line(code: &str, message: &str) -> String {
    format!("error: {} ({code})\n", cell(message))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: &[[&str; 3]]) -> Table {
        let mut t = Table::new(&[("NAME", false), ("STATE", false), ("DESCRIPTION", true)]);
        for r in rows {
            t.push(r.iter().map(|c| cell(c)).collect());
        }
        t
    }

    #[test]
    fn columns_align_by_display_width_and_the_last_is_not_padded() {
        let t = table(&[["日本", "ENABLED", "wide"], ["ab", "DISABLED", ""]]);
        assert_eq!(
            t.render(None),
            "NAME  STATE     DESCRIPTION\n日本  ENABLED   wide\nab    DISABLED\n"
        );
    }

    #[test]
    fn a_table_too_wide_cuts_the_flexible_column_first_with_an_ellipsis() {
        let t = table(&[["db-password", "ENABLED", &"x".repeat(60)]]);
        let out = t.render(Some(40));
        for line in out.lines() {
            assert!(width(line) <= 40, "{line:?} is wider than 40");
        }
        assert!(out.contains("db-password  ENABLED  xxxx"), "{out}");
        assert!(out.trim_end().ends_with('…'), "{out}");
    }

    #[test]
    fn deceptive_characters_are_escaped_as_in_the_json() {
        assert_eq!(
            cell("abc\u{202e}gnp.exe\u{1b}[2J"),
            "abc\\u202egnp.exe\\u001b[2J"
        );
        assert_eq!(cell("x\u{e0041}"), "x\\udb40\\udc41");
        assert_eq!(cell("日本 é ✓"), "日本 é ✓");
    }

    #[test]
    fn a_json_record_is_flattened_with_local_times() {
        let times = Times {
            zone: Zone::utc(),
            utc: true,
        };
        let value = serde_json::json!({"agent": {
            "running": true, "vault": "/v.db", "lock_time": 0, "tags": ["a", "b"], "none": null,
            "locks_at": 86_400_000,
        }});
        let out = render_body(&value, &times).unwrap_or_default();
        assert!(out.starts_with("FIELD      VALUE\n"), "{out}");
        assert!(
            out.contains("lock_time  1970-01-01 00:00:00 UTC\n"),
            "{out}"
        );
        assert!(
            out.contains("locks_at   1970-01-02 00:00:00 UTC\n"),
            "{out}"
        );
        assert!(out.contains("tags       a, b\n"), "{out}");
        assert!(out.contains("none       -\n"), "{out}");
        assert!(out.contains("running    true\n"), "{out}");
    }

    #[test]
    fn cut_text_ends_in_an_ellipsis_within_its_room() {
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("日本語", 4), "日…");
        assert_eq!(fit("abc", 3), "abc");
    }
}
