//! How big one cell and one row may be. Audit files may be hostile or broken: a single 200 MB
//! "cell" (or a gzip file that inflates to a 1 GB line) must cost time and memory in proportion
//! to the rows it holds, not to its size squared. A cell longer than [`CELL_MAX`] keeps its first
//! [`CELL_MAX`] bytes, a row with more than [`FIELDS_MAX`] fields its first [`FIELDS_MAX`], and
//! each such row gets a warning with its line.

use super::Cells;

/// The most bytes of one cell that are kept (1 MiB). Real cells are tens of bytes.
pub const CELL_MAX: usize = 1 << 20;

/// The most fields of one row that are kept. Real exports have 5 to 14 columns.
pub const FIELDS_MAX: usize = 10_000;

/// What a reader must keep of one field so that [`cap`] gives the same cell as it would from the
/// whole field: a few bytes past [`CELL_MAX`] (where a UTF-8 character may straddle the cut).
pub const CELL_KEEP: usize = CELL_MAX + 4;

/// The end of the first `CELL_MAX` bytes of `cell`, not inside a UTF-8 character.
fn cut(cell: &[u8]) -> usize {
    if cell.len() <= CELL_MAX {
        return cell.len();
    }
    // Back off over continuation bytes (at most three) so that a character is not split.
    let mut end = CELL_MAX;
    while end > CELL_MAX - 3 && (cell[end] & 0xc0) == 0x80 {
        end -= 1;
    }
    end
}

/// Caps the cells of a row (see the module's comment). Returns the warning to give when
/// anything was cut. Costs nothing for a row under the limits.
pub fn cap(rec: &mut Cells) -> Option<String> {
    if rec.as_slice().len() <= CELL_MAX && rec.len() <= FIELDS_MAX {
        return None;
    }
    let long: Vec<usize> = rec
        .iter()
        .take(FIELDS_MAX)
        .enumerate()
        .filter(|(_, f)| f.len() > CELL_MAX)
        .map(|(i, _)| i + 1)
        .collect();
    let many = rec.len() > FIELDS_MAX;
    if long.is_empty() && !many {
        return None;
    }
    let kept: Vec<Vec<u8>> = rec
        .iter()
        .take(FIELDS_MAX)
        .map(|f| f[..cut(f)].to_vec())
        .collect();
    rec.clear();
    for f in &kept {
        rec.push_field(f);
    }
    let mut parts = Vec::new();
    if !long.is_empty() {
        parts.push(format!(
            "field{} {} longer than 1 MB; kept the first 1 MB of each",
            if long.len() == 1 { "" } else { "s" },
            long.iter()
                .take(5)
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if many {
        parts.push(format!(
            "more than {FIELDS_MAX} fields; kept the first {FIELDS_MAX}"
        ));
    }
    Some(format!("the row is too large: {}", parts.join("; ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_rows_are_untouched_and_large_ones_cut_at_a_character() {
        let mut rec = Cells::new();
        rec.push_field(b"ICE");
        rec.push_field(b"2025");
        assert_eq!(cap(&mut rec), None);
        let mut big = vec![b'a'; CELL_MAX - 1];
        big.extend_from_slice("é".repeat(10).as_bytes());
        let mut rec = Cells::new();
        rec.push_field(b"x");
        rec.push_field(&big);
        let w = cap(&mut rec).unwrap();
        assert!(w.contains("field 2 longer than 1 MB"), "{w}");
        let kept = rec.get(1).unwrap();
        assert!(kept.len() <= CELL_MAX && std::str::from_utf8(kept).is_ok());
        assert_eq!(
            kept.len(),
            CELL_MAX - 1,
            "é straddles the cut: left out whole"
        );
        // What a reader keeps (CELL_KEEP bytes) caps to the same cell as the whole field.
        let mut whole = Cells::new();
        whole.push_field(&big);
        let mut kept_only = Cells::new();
        kept_only.push_field(&big[..CELL_KEEP]);
        cap(&mut whole);
        cap(&mut kept_only);
        assert_eq!(whole.get(0), kept_only.get(0));
        let mut many = Cells::new();
        for _ in 0..FIELDS_MAX + 5 {
            many.push_field(b"");
        }
        assert!(cap(&mut many).unwrap().contains("fields; kept the first"));
        assert_eq!(many.len(), FIELDS_MAX);
    }
}
