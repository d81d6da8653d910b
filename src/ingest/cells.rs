//! The fields of one raw record: the record's bytes in one buffer, and where each field is in
//! them.
//!
//! A CSV record split from regular bytes (see `csv_reader::split_regular`) is copied whole, as it
//! was in the file, and its fields are ranges of that copy: a quoted field's range leaves its
//! quotes out, so only a field with doubled quotes inside needs bytes of its own (its unescaped
//! text, appended after the record). Pushing field by field, as the csv crate's records are, copies
//! each field on its own.

use std::fmt;

/// The fields of one raw row: each field's bytes, unquoted and unescaped, as read from CSV (or
/// laid out from a JSON object's values).
#[derive(Clone, Default)]
pub struct Cells {
    /// Every byte the fields are in, possibly with quotes and delimiters between them.
    data: Vec<u8>,
    /// Each field's range in `data`.
    bounds: Vec<(usize, usize)>,
}

impl Cells {
    /// No fields.
    pub fn new() -> Cells {
        Cells::default()
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.bounds.len()
    }

    /// True without fields.
    pub fn is_empty(&self) -> bool {
        self.bounds.is_empty()
    }

    /// Removes every field (the allocations are kept).
    pub fn clear(&mut self) {
        self.data.clear();
        self.bounds.clear();
    }

    /// Field `i`.
    pub fn get(&self, i: usize) -> Option<&[u8]> {
        self.bounds.get(i).map(|&(a, b)| &self.data[a..b])
    }

    /// The fields in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &[u8]> + DoubleEndedIterator + '_ {
        self.bounds.iter().map(|&(a, b)| &self.data[a..b])
    }

    /// Every byte the fields were taken from, in no particular layout: enough to ask whether they
    /// are all UTF-8 (quotes and delimiters are ASCII).
    pub fn as_slice(&self) -> &[u8] {
        &self.data
    }

    /// Appends a field.
    pub fn push_field(&mut self, field: &[u8]) {
        let start = self.data.len();
        self.data.extend_from_slice(field);
        self.bounds.push((start, self.data.len()));
    }

    /// Appends a field that will be `raw[a..b]` of the record's bytes ([`Cells::set_raw`]).
    pub(crate) fn push_range(&mut self, a: usize, b: usize) {
        self.bounds.push((a, b));
    }

    /// Gives the fields pushed as ranges their bytes: a record as it is in the file.
    pub(crate) fn set_raw(&mut self, raw: &[u8]) {
        debug_assert!(self.data.is_empty());
        debug_assert!(self.bounds.iter().all(|&(a, b)| a <= b && b <= raw.len()));
        self.data.extend_from_slice(raw);
    }

    /// Makes field `i` the raw bytes `a..b` with every doubled quote read as one.
    pub(crate) fn unescape(&mut self, i: usize, a: usize, b: usize) {
        let start = self.data.len();
        let mut j = a;
        while j < b {
            let c = self.data[j];
            self.data.push(c);
            j += if c == b'"' { 2 } else { 1 };
        }
        self.bounds[i] = (start, self.data.len());
    }
}

impl PartialEq for Cells {
    fn eq(&self, other: &Cells) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for Cells {}

impl fmt::Debug for Cells {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.iter().map(String::from_utf8_lossy))
            .finish()
    }
}

impl<'a> FromIterator<&'a [u8]> for Cells {
    fn from_iter<I: IntoIterator<Item = &'a [u8]>>(fields: I) -> Cells {
        let mut cells = Cells::new();
        for f in fields {
            cells.push_field(f);
        }
        cells
    }
}

impl<T: AsRef<[u8]>> From<Vec<T>> for Cells {
    fn from(fields: Vec<T>) -> Cells {
        fields.iter().map(AsRef::as_ref).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::Cells;

    #[test]
    fn ranges_of_a_raw_record_and_pushed_fields_read_alike() {
        let mut raw = Cells::new();
        raw.push_range(0, 1);
        raw.push_range(3, 6);
        raw.push_range(9, 19);
        raw.set_raw(b"a,\"b,c\",\"say \"\"hi\"\"\"");
        raw.unescape(2, 9, 19);
        let pushed = Cells::from(vec!["a", "b,c", "say \"hi\""]);
        assert_eq!(raw, pushed);
        assert_eq!(raw.len(), 3);
        assert_eq!(raw.get(2), Some(&b"say \"hi\""[..]));
        assert_eq!(raw.get(3), None);
        assert_eq!(
            format!("{raw:?}"),
            r#"["a", "b,c", "say \"hi\""]"#.to_string()
        );
        raw.clear();
        assert!(raw.is_empty());
        assert_ne!(raw, pushed);
    }
}
