//! Screen geometry, shared by drawing and by mouse handling (so a click maps to the record drawn
//! there).

/// A rectangle (x, y, width, height).
pub type Area = (u16, u16, u16, u16);

/// The smallest terminal the review UI draws in (columns, rows); smaller ones get a message
/// saying so instead of a screen with parts missing.
pub const MIN_SIZE: (u16, u16) = (80, 24);

/// True when the terminal is too small to draw the review UI.
pub fn too_small(width: u16, height: u16) -> bool {
    width < MIN_SIZE.0 || height < MIN_SIZE.1
}

/// Where each part of the screen is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// The filter / title line.
    pub top: Area,
    /// The records table, header row included.
    pub table: Area,
    /// The detail pane.
    pub detail: Area,
    /// The two status lines.
    pub status: Area,
}

impl Layout {
    /// The layout for a terminal size. Wide terminals (≥ 140 columns) put the detail pane
    /// beside the table, narrower ones below it.
    pub fn compute(width: u16, height: u16) -> Layout {
        let status_h = 2.min(height);
        let top_h = 1.min(height.saturating_sub(status_h));
        let main_y = top_h;
        let main_h = height.saturating_sub(status_h + top_h);
        let (table, detail) = if width >= 140 {
            let tw = width * 58 / 100;
            ((0, main_y, tw, main_h), (tw, main_y, width - tw, main_h))
        } else {
            let dh = if main_h >= 14 {
                main_h * 2 / 5
            } else {
                main_h / 3
            };
            let th = main_h - dh;
            ((0, main_y, width, th), (0, main_y + th, width, dh))
        };
        Layout {
            top: (0, 0, width, top_h),
            table,
            detail,
            status: (0, height.saturating_sub(status_h), width, status_h),
        }
    }

    /// Records that fit in the table (one line each, below the header and border).
    pub fn table_rows(&self) -> usize {
        self.table.3.saturating_sub(2) as usize
    }

    /// The index on screen (0 = first visible record) of a terminal row, if it is a record row.
    pub fn table_row_at(&self, y: u16) -> Option<usize> {
        let first = self.table.1 + 2;
        (y >= first && y < self.table.1 + self.table.3).then(|| (y - first) as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_and_wide() {
        let l = Layout::compute(80, 24);
        assert_eq!(l.top, (0, 0, 80, 1));
        assert_eq!(l.status, (0, 22, 80, 2));
        assert_eq!(l.table.3 + l.detail.3, 21);
        assert!(l.table_rows() >= 8);
        let w = Layout::compute(200, 60);
        assert_eq!(w.table.1, w.detail.1);
        assert_eq!(w.table.2 + w.detail.2, 200);
        assert_eq!(l.table_row_at(l.table.1 + 2), Some(0));
        assert_eq!(l.table_row_at(0), None);
    }
}
