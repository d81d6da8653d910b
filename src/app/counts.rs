//! Records by verdict, kept up to date as verdicts change: over all records and over the
//! records the filter in force shows. The status line reads them every frame.

use crate::model::VerdictCode;

/// Counts by verdict slot: 0 no verdict (reviewers disagreeing included), 1 immigration, 2 not
/// immigration, 3 unsure.
#[derive(Clone, Debug, Default)]
pub struct Counts {
    /// Over all records.
    pub all: [usize; 4],
    /// Over the records shown.
    pub shown: [usize; 4],
    /// A bit for each record shown.
    in_view: Vec<u64>,
}

impl Counts {
    /// `n` new records, without verdicts yet; `total` records in all.
    pub(crate) fn added(&mut self, n: usize, total: usize) {
        self.all[0] += n;
        self.in_view.resize(total.div_ceil(64), 0);
    }

    fn is_shown(&self, row: u32) -> bool {
        self.in_view
            .get(row as usize / 64)
            .is_some_and(|w| w & (1 << (row % 64)) != 0)
    }

    /// A record's verdict code changed.
    pub(crate) fn change(&mut self, row: u32, old: VerdictCode, new: VerdictCode) {
        let (a, b) = (old.slot(), new.slot());
        if a == b {
            return;
        }
        self.all[a] -= 1;
        self.all[b] += 1;
        if self.is_shown(row) {
            self.shown[a] -= 1;
            self.shown[b] += 1;
        }
    }

    /// The filter in force now shows `rows`.
    pub(crate) fn view(&mut self, rows: &[u32], verdicts: &[VerdictCode], total: usize) {
        self.in_view.clear();
        self.in_view.resize(total.div_ceil(64), 0);
        self.shown = [0; 4];
        for &r in rows {
            self.shown_one(r, verdicts.get(r as usize).copied().unwrap_or_default());
        }
    }

    /// One more record shown (during a load).
    pub(crate) fn shown_one(&mut self, row: u32, code: VerdictCode) {
        if let Some(w) = self.in_view.get_mut(row as usize / 64) {
            *w |= 1 << (row % 64);
        }
        self.shown[code.slot()] += 1;
    }
}

/// Records with a verdict among counts.
pub fn reviewed(c: &[usize; 4]) -> usize {
    c[1] + c[2] + c[3]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Verdict;

    #[test]
    fn counts_follow_changes_in_and_out_of_the_view() {
        let mut c = Counts::default();
        c.added(10, 10);
        let code = |v| VerdictCode::new(Some(v), false);
        let none = VerdictCode::NONE;
        let mut verdicts = vec![none; 10];
        verdicts[3] = code(Verdict::Immigration);
        c.change(3, none, code(Verdict::Immigration));
        c.view(&[1, 3, 5], &verdicts, 10);
        assert_eq!((c.all, c.shown), ([9, 1, 0, 0], [2, 1, 0, 0]));
        c.change(5, none, code(Verdict::Unsure));
        c.change(7, none, code(Verdict::NotImmigration));
        assert_eq!((c.all, c.shown), ([7, 1, 1, 1], [1, 1, 0, 1]));
        c.change(3, code(Verdict::Immigration), VerdictCode::CONFLICT);
        assert_eq!(reviewed(&c.all), 2);
        assert_eq!(reviewed(&c.shown), 1);
    }
}
