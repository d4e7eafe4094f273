//! The terminal app's list, read by page: each secret's name, description, state, CMK, times and
//! tags (no id, no settings, never a value), paged by name (docs/DECISIONS.md "the list by page").

use serde::{Deserialize, Serialize};

use super::{ApiError, SecretState, SecretTag};

/// A page of summaries holds at most this many secrets (2,000 when the request names none).
pub const MAX_SUMMARY_PAGE: usize = 5_000;
/// The page size when a request names none.
pub const DEFAULT_SUMMARY_PAGE: usize = 2_000;

/// One secret as the list shows and filters it. Times are epoch milliseconds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretSummary {
    pub name: String,
    pub description: String,
    pub state: SecretState,
    pub kms_key_id: String,
    pub create_time: i64,
    pub update_time: i64,
    /// When a secret pending deletion goes for good.
    pub scheduled_delete_time: Option<i64>,
    /// Its tags, by key.
    pub tags: Vec<SecretTag>,
}

/// `{"summaries": [...], "next_marker"}`: secrets by name after the request's marker;
/// `next_marker` (the last name) when more follow.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryPage {
    pub summaries: Vec<SecretSummary>,
    pub next_marker: Option<String>,
}

/// The page size asked for: 1–[`MAX_SUMMARY_PAGE`], [`DEFAULT_SUMMARY_PAGE`] when absent;
/// `CSMS.0002` otherwise.
pub fn summary_page_limit(limit: Option<usize>) -> Result<usize, ApiError> {
    let limit = limit.unwrap_or(DEFAULT_SUMMARY_PAGE);
    if (1..=MAX_SUMMARY_PAGE).contains(&limit) {
        Ok(limit)
    } else {
        Err(ApiError::invalid(format!(
            "Invalid limit: {limit}; it must be 1–{MAX_SUMMARY_PAGE}."
        )))
    }
}
