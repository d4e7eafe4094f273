//! `secret list`'s filter (local, issue 15): a substring of the name or description, a state and
//! tags, every one given must match; and its rules (docs/DECISIONS.md "Issue 15: output for
//! people").

use serde::{Deserialize, Serialize};

use super::validate::{Field, FieldError};
use super::{SecretState, TagFilter, filter_problems, tag_key_problem, tag_value_problem};
use crate::hidden::is_hidden;

/// The longest substring a filter looks for, in bytes (a description holds at most 2,048).
pub const MAX_FILTER_TEXT_BYTES: usize = 255;

/// Which secrets a list shows: those whose name or description holds `text` (case ignored for
/// ASCII letters; names are ASCII), whose state is `state` (the API's: `ENABLED`, `DISABLED`,
/// `PENDING_DELETE`, `FROZEN`) and that carry every one of `tags` (a key, with one of its
/// values when any are listed). Serde: for an edge that carries requests (the agent).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SecretFilter {
    pub text: Option<String>,
    pub state: Option<String>,
    pub tags: Vec<TagFilter>,
}

impl SecretFilter {
    /// Every broken rule: the text (1–255 bytes, no control or invisible character), the state
    /// (one of the API's), then the tags (at most 10 keys of at most 10 values, each key and
    /// value by the tag rules).
    pub fn problems(&self) -> Vec<FieldError> {
        let mut out = Vec::new();
        if let Some(text) = &self.text {
            let problem = if text.is_empty() {
                Some("the text to look for is empty".to_owned())
            } else if text.len() > MAX_FILTER_TEXT_BYTES {
                Some(format!(
                    "at most {MAX_FILTER_TEXT_BYTES} bytes; this one has {}",
                    text.len()
                ))
            } else if text.chars().any(is_hidden) {
                Some("it holds a control or invisible character".to_owned())
            } else {
                None
            };
            out.extend(problem.map(|m| FieldError::new(Field::ListFilter, m)));
        }
        if let Some(state) = &self.state
            && SecretState::parse(state).is_none()
        {
            out.push(FieldError::new(
                Field::ListState,
                "a secret's state is ENABLED, DISABLED, PENDING_DELETE or FROZEN",
            ));
        }
        out.extend(filter_problems(&self.tags));
        // The characters of each key and value too: a filter that no tag could match is a
        // mistake to say, not an empty page.
        for (i, filter) in self.tags.iter().enumerate() {
            if let Some(m) = tag_key_problem(&filter.key)
                && filter_problems(std::slice::from_ref(filter)).is_empty()
            {
                out.push(FieldError::new(
                    Field::TagFilters,
                    format!("in tags[{i}], {m}"),
                ));
            }
            for (j, value) in filter.values.iter().enumerate() {
                if let Some(m) = tag_value_problem(value)
                    && filter_problems(std::slice::from_ref(filter)).is_empty()
                {
                    out.push(FieldError::new(
                        Field::TagFilters,
                        format!("in tags[{i}].values[{j}], {m}"),
                    ));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(key: &str, values: &[&str]) -> TagFilter {
        TagFilter {
            key: key.into(),
            values: values.iter().map(|&v| v.to_owned()).collect(),
        }
    }

    #[test]
    fn a_bad_text_state_or_tag_is_said_and_a_good_filter_passes() {
        let good = SecretFilter {
            text: Some("db".into()),
            state: Some("PENDING_DELETE".into()),
            tags: vec![tag("env", &["prod"]), tag("team", &[])],
        };
        assert!(good.problems().is_empty());
        let fields = |f: SecretFilter| -> Vec<&str> {
            f.problems().iter().map(|p| p.field.json_name()).collect()
        };
        let bad = SecretFilter {
            text: Some(String::new()),
            state: Some("enabled".into()),
            tags: vec![tag("bad!", &[]), tag("env", &["a|b"])],
        };
        assert_eq!(fields(bad), ["filter", "state", "tags", "tags"]);
        let hidden = SecretFilter {
            text: Some("a\u{202e}b".into()),
            ..SecretFilter::default()
        };
        assert_eq!(fields(hidden), ["filter"]);
        let long = SecretFilter {
            text: Some("x".repeat(MAX_FILTER_TEXT_BYTES + 1)),
            ..SecretFilter::default()
        };
        assert_eq!(fields(long), ["filter"]);
    }
}
