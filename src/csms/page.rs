//! Paging rules shared by every list operation, and the version id that means "current".

use super::ApiError;

/// Page size when a list request gives no `limit`.
pub const DEFAULT_PAGE_LIMIT: usize = 50;
/// The largest `limit` a list request may ask for.
pub const MAX_PAGE_LIMIT: usize = 1000;
/// The version id that means "the version holding SYSCURRENT" (Show Secret Version).
pub const LATEST: &str = "latest";

/// The page size a request asks for: `limit` 1–1000, 50 when absent (`CSMS.0002` otherwise).
pub fn page_limit(limit: Option<usize>) -> Result<usize, ApiError> {
    let limit = limit.unwrap_or(DEFAULT_PAGE_LIMIT);
    if (1..=MAX_PAGE_LIMIT).contains(&limit) {
        Ok(limit)
    } else {
        Err(ApiError::invalid(format!(
            "Invalid limit: {limit}; it must be 1–{MAX_PAGE_LIMIT}."
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits() {
        assert_eq!(page_limit(None), Ok(DEFAULT_PAGE_LIMIT));
        assert_eq!(page_limit(Some(1)), Ok(1));
        assert_eq!(page_limit(Some(1000)), Ok(1000));
        assert!(page_limit(Some(0)).is_err());
        assert!(page_limit(Some(1001)).is_err());
    }
}
