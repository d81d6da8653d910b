//! The table: which records are shown, which is selected, what is on screen; sort orders.

use crate::model::{Field, VerdictCode};
use crate::review::dataset::{Dataset, NO_COUNT, NO_TIME};

/// Columns the table sorts by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SortKey {
    /// Search time.
    Time,
    /// Agency name.
    Agency,
    /// Reason text.
    Reason,
    /// Flagging rule.
    Rule,
    /// Networks searched.
    Networks,
    /// Verdict.
    Verdict,
}

impl SortKey {
    /// The next key for `s`.
    pub fn next(self) -> SortKey {
        match self {
            SortKey::Time => SortKey::Agency,
            SortKey::Agency => SortKey::Reason,
            SortKey::Reason => SortKey::Rule,
            SortKey::Rule => SortKey::Networks,
            SortKey::Networks => SortKey::Verdict,
            SortKey::Verdict => SortKey::Time,
        }
    }

    /// The key a label names.
    pub fn from_label(label: &str) -> Option<SortKey> {
        [
            SortKey::Time,
            SortKey::Agency,
            SortKey::Reason,
            SortKey::Rule,
            SortKey::Networks,
            SortKey::Verdict,
        ]
        .into_iter()
        .find(|k| k.label() == label)
    }

    /// Column label.
    pub fn label(self) -> &'static str {
        match self {
            SortKey::Time => "time",
            SortKey::Agency => "agency",
            SortKey::Reason => "reason",
            SortKey::Rule => "rule",
            SortKey::Networks => "networks",
            SortKey::Verdict => "verdict",
        }
    }
}

/// Every record ordered by `key` (ties by load order; records without a value last).
pub fn sort_order(ds: &Dataset, verdicts: &[VerdictCode], key: SortKey) -> Vec<u32> {
    let mut rows: Vec<u32> = (0..ds.len() as u32).collect();
    let rank = |field: Field| -> Vec<u32> {
        let strings = ds.catalog.strings(field);
        let mut idx: Vec<u32> = (0..strings.len() as u32).collect();
        idx.sort_by_cached_key(|&i| strings[i as usize].to_lowercase());
        let mut rank = vec![0u32; strings.len()];
        for (pos, &i) in idx.iter().enumerate() {
            rank[i as usize] = pos as u32;
        }
        rank
    };
    match key {
        SortKey::Time => rows.sort_by_key(|&r| {
            let t = ds.time[r as usize];
            (t == NO_TIME, t)
        }),
        SortKey::Agency => {
            let rank = rank(Field::Agency);
            rows.sort_by_key(|&r| rank[ds.agency[r as usize] as usize]);
        }
        SortKey::Reason => {
            let rank = rank(Field::Reason);
            rows.sort_by_key(|&r| rank[ds.reason[r as usize] as usize]);
        }
        SortKey::Rule => rows.sort_by_key(|&r| ds.rule[r as usize]),
        SortKey::Networks => rows.sort_by_key(|&r| {
            let n = ds.networks[r as usize];
            (n == NO_COUNT, n)
        }),
        SortKey::Verdict => rows.sort_by_key(|&r| {
            let v = verdicts.get(r as usize).copied().unwrap_or_default().slot();
            (v == 0, v)
        }),
    }
    rows
}

/// The records shown and the selection.
#[derive(Clone, Debug, Default)]
pub struct TableView {
    /// Records shown, in order (shared with the result a narrower filter starts from, so that a
    /// key typed into a filter never copies millions of rows).
    pub rows: std::sync::Arc<Vec<u32>>,
    /// Index of the selected record in `rows`.
    pub cursor: usize,
    /// Index of the first record on screen.
    pub offset: usize,
    /// Records that fit on screen.
    pub height: usize,
}

impl TableView {
    /// The selected record.
    pub fn selected(&self) -> Option<u32> {
        self.rows.get(self.cursor).copied()
    }

    /// Moves the selection by `delta` records.
    pub fn move_by(&mut self, delta: isize) {
        if self.rows.is_empty() {
            self.cursor = 0;
            return;
        }
        let max = self.rows.len() - 1;
        self.cursor = (self.cursor as isize + delta).clamp(0, max as isize) as usize;
        self.scroll_to_cursor();
    }

    /// Selects an index.
    pub fn select_index(&mut self, i: usize) {
        self.cursor = i;
        self.clamp();
    }

    /// Keeps the cursor inside the rows and on screen.
    pub fn clamp(&mut self) {
        self.cursor = self.cursor.min(self.rows.len().saturating_sub(1));
        self.scroll_to_cursor();
    }

    /// Scrolls so the cursor is visible.
    pub fn scroll_to_cursor(&mut self) {
        let h = self.height.max(1);
        if self.cursor < self.offset {
            self.offset = self.cursor;
        } else if self.cursor >= self.offset + h {
            self.offset = self.cursor + 1 - h;
        }
        let max_offset = self.rows.len().saturating_sub(h);
        self.offset = self.offset.min(max_offset);
    }

    /// The records on screen, with their index in `rows`.
    pub fn visible(&self) -> impl Iterator<Item = (usize, u32)> + '_ {
        let end = (self.offset + self.height).min(self.rows.len());
        (self.offset..end).map(move |i| (i, self.rows[i]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_scrolls_and_clamps() {
        let mut v = TableView {
            rows: std::sync::Arc::new((0..100).collect()),
            height: 10,
            ..TableView::default()
        };
        v.move_by(15);
        assert_eq!((v.cursor, v.offset), (15, 6));
        v.move_by(-100);
        assert_eq!((v.cursor, v.offset), (0, 0));
        v.move_by(1000);
        assert_eq!((v.cursor, v.offset), (99, 90));
        assert_eq!(v.visible().count(), 10);
        std::sync::Arc::make_mut(&mut v.rows).truncate(5);
        v.clamp();
        assert_eq!((v.cursor, v.offset), (4, 0));
    }
}
