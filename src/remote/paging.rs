//! Walking a remote's pages safely: the markers of `ListSecrets` and `ListSecretVersions` and the
//! offsets of `ListResourceInstances`, with a cycle check and caps on what is read, so a broken
//! or hostile server cannot keep the client paging forever.

use std::collections::HashSet;

use crate::csms::{ApiError, ErrorCode};

/// The most secrets (and tagged resources) one listing reads.
pub const MAX_SECRETS: usize = 1_000_000;
/// The most versions of one secret one listing reads.
pub const MAX_VERSIONS: usize = 100_000;

/// The state of one paged listing: the markers seen and the items read so far.
pub struct Pager {
    /// The operation, for the error (`ListSecrets`).
    what: &'static str,
    cap: usize,
    items: usize,
    seen: HashSet<String>,
}

impl Pager {
    /// A listing of at most `cap` items.
    pub fn new(what: &'static str, cap: usize) -> Self {
        Self {
            what,
            cap,
            items: 0,
            seen: HashSet::new(),
        }
    }

    /// Counts a page of `count` items.
    ///
    /// Errors: `SYNC.0002` once more than the cap were read.
    pub fn count(&mut self, count: usize) -> Result<(), ApiError> {
        self.items = self.items.saturating_add(count);
        if self.items > self.cap {
            return Err(self.broken(&format!("it gave more than {} items", self.cap)));
        }
        Ok(())
    }

    /// After a page of `count` items (counted first with [`Pager::count`]) that named `next`:
    /// the marker of the next page, or `None` when the listing is over (an empty page, or no
    /// marker).
    ///
    /// Errors: `SYNC.0002` when `next` was seen before (the markers cycle).
    pub fn next_marker(
        &mut self,
        count: usize,
        next: Option<String>,
    ) -> Result<Option<String>, ApiError> {
        match next {
            Some(next) if count > 0 && !next.is_empty() => {
                if !self.seen.insert(next.clone()) {
                    return Err(self.broken("its page markers repeat"));
                }
                Ok(Some(next))
            }
            _ => Ok(None),
        }
    }

    fn broken(&self, why: &str) -> ApiError {
        ApiError::new(
            ErrorCode::RemoteRefused,
            format!(
                "The remote's paging of {} is broken: {why}; nothing more was read.",
                self.what
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_that_cycle_stop_the_listing_with_sync_0002() {
        let mut pager = Pager::new("ListSecrets", MAX_SECRETS);
        let mut step = |next: &str| {
            pager
                .count(1)
                .and_then(|()| pager.next_marker(1, Some(next.to_owned())))
        };
        assert_eq!(step("A").ok().flatten().as_deref(), Some("A"));
        assert_eq!(step("B").ok().flatten().as_deref(), Some("B"));
        let err = step("A").err();
        assert_eq!(err.as_ref().map(|e| e.code), Some(ErrorCode::RemoteRefused));
        assert!(
            err.is_some_and(|e| e.error_msg.contains("paging of ListSecrets is broken")),
            "the message names the listing"
        );
    }

    #[test]
    fn an_empty_page_or_no_marker_ends_the_listing_and_the_cap_is_kept() {
        let mut pager = Pager::new("ListSecretVersions", 3);
        assert!(matches!(pager.next_marker(0, Some("A".into())), Ok(None)));
        assert!(matches!(pager.next_marker(2, None), Ok(None)));
        assert!(matches!(
            pager.next_marker(2, Some(String::new())),
            Ok(None)
        ));
        assert!(pager.count(3).is_ok());
        let over = pager.count(1).err();
        assert_eq!(over.map(|e| e.code), Some(ErrorCode::RemoteRefused));
    }
}
