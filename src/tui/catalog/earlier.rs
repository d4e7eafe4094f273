//! Earlier queries' results in this filter session, so that Backspace and typing a query
//! again show its matches at once, and a query typed from one of them scans only its matches.
//! Bounded by how many row indices it holds ([`BUDGET`]), the oldest dropped first; the owner
//! clears it whenever the rows, the sort or the state filter change, so nothing stale is
//! served.

use std::collections::VecDeque;

use super::filter::narrows;

/// At most this many row indices (4 bytes each: 32 MiB) are kept over every earlier query;
/// at 1,000,000 secrets that is the complete results of eight queries that match every one.
pub const BUDGET: usize = 8 << 20;

/// Earlier queries and their matches as shown (best first while a query ranks), most recent
/// last.
#[derive(Debug, Default)]
pub struct Earlier {
    entries: VecDeque<(String, Vec<u32>)>,
    /// Row indices held over every entry.
    held: usize,
}

impl Earlier {
    /// Forgets every earlier query (the rows or their order changed).
    pub fn clear(&mut self) {
        self.entries.clear();
        self.held = 0;
    }

    /// Keeps `query`'s matches as shown, as the most recent; the oldest are dropped while more
    /// than [`BUDGET`] indices are held (a result larger than the budget is not kept).
    pub fn keep(&mut self, query: String, mut shown: Vec<u32>) {
        if shown.len() > BUDGET {
            return;
        }
        // Held as long as it is kept: no spare room.
        shown.shrink_to_fit();
        self.forget(&query);
        self.held += shown.len();
        self.entries.push_back((query, shown));
        while self.held > BUDGET {
            let Some((_, dropped)) = self.entries.pop_front() else {
                break;
            };
            self.held -= dropped.len();
        }
    }

    /// `query`'s matches as shown, if kept (taken out: the caller holds them now).
    pub fn take(&mut self, query: &str) -> Option<Vec<u32>> {
        let at = self.entries.iter().position(|(q, _)| q == query)?;
        let (_, shown) = self.entries.remove(at)?;
        self.held -= shown.len();
        Some(shown)
    }

    fn forget(&mut self, query: &str) {
        self.take(query);
    }

    /// The matches (as shown) of the narrowest earlier query that `query` narrows, and that
    /// query's length: every row `query` matches is among them.
    pub fn narrowest(&self, query: &str) -> Option<(usize, &[u32])> {
        self.entries
            .iter()
            .filter(|(q, _)| narrows(query, q))
            .max_by_key(|(q, _)| q.len())
            .map(|(q, shown)| (q.len(), shown.as_slice()))
    }

    /// How many row indices are held.
    #[cfg(test)]
    pub fn held(&self) -> usize {
        self.held
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_results_come_back_once_and_the_oldest_go_over_the_budget() {
        let mut earlier = Earlier::default();
        earlier.keep("a".into(), vec![3, 1, 2]);
        earlier.keep("ab".into(), vec![2]);
        assert_eq!(earlier.narrowest("abc"), Some((2, [2].as_slice())));
        assert_eq!(earlier.narrowest("b"), None);
        assert_eq!(earlier.take("a"), Some(vec![3, 1, 2]));
        assert_eq!(earlier.take("a"), None, "taken out");
        assert_eq!(earlier.held(), 1);
        earlier.keep("x".into(), vec![0; BUDGET - 1]);
        assert_eq!(earlier.held(), BUDGET);
        earlier.keep("y".into(), vec![7]);
        assert_eq!(earlier.take("ab"), None, "the oldest dropped");
        assert_eq!(earlier.held(), BUDGET);
        earlier.keep("z".into(), vec![0; BUDGET + 1]);
        assert_eq!(earlier.take("z"), None, "larger than the budget: not kept");
        earlier.keep("y".into(), vec![8, 9]);
        assert_eq!(earlier.take("y"), Some(vec![8, 9]), "kept once, the latest");
        earlier.clear();
        assert_eq!((earlier.held(), earlier.take("x")), (0, None));
    }
}
