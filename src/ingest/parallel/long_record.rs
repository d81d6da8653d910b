//! A record longer than a block, read incrementally. Without it, an unfinished record was
//! joined to each next block and parsed again from its start: a 200 MB line cost 22 s (every
//! block re-read all that came before). Here each byte is read once by the csv crate's own state
//! machine (`csv-core`, so fields split exactly as the csv crate splits them), and only the first
//! [`CELL_KEEP`] bytes of a field and [`FIELDS_MAX`] + 1 fields are kept: memory stays bounded
//! whatever the record's size, and [`crate::ingest::limits::cap`] then cuts the row as it cuts any other.

use csv_core::{ReadRecordResult, Reader, ReaderBuilder};

use crate::ingest::Cells;
use crate::ingest::limits::{CELL_KEEP, FIELDS_MAX};

/// A record being read across blocks.
pub(crate) struct LongRecord {
    core: Reader,
    /// The fields finished so far (each cut to [`CELL_KEEP`] bytes).
    fields: Cells,
    /// The field being read (cut to [`CELL_KEEP`] bytes).
    field: Vec<u8>,
    /// Output position (in the whole record's field bytes) of the start of the last call's
    /// output: `csv-core` gives field ends in those terms.
    pos: usize,
    out: Vec<u8>,
    ends: Vec<usize>,
}

impl LongRecord {
    /// A record starting here, in text with this delimiter.
    pub fn new(delimiter: u8) -> LongRecord {
        LongRecord {
            core: ReaderBuilder::new().delimiter(delimiter).build(),
            fields: Cells::new(),
            field: Vec::new(),
            pos: 0,
            out: vec![0; 64 * 1024],
            ends: vec![0; 1024],
        }
    }

    /// Reads on into `input`. Returns where the record ended (just after its terminator) when
    /// it ended in `input`. An empty `input` is the end of the content: the record ends there.
    pub fn feed(&mut self, input: &[u8]) -> Option<usize> {
        let mut i = 0;
        loop {
            let (res, nin, nout, nend) =
                self.core
                    .read_record(&input[i..], &mut self.out, &mut self.ends);
            self.absorb(nout, nend);
            i += nin;
            match res {
                ReadRecordResult::Record | ReadRecordResult::End => return Some(i),
                ReadRecordResult::InputEmpty => return None,
                ReadRecordResult::OutputFull | ReadRecordResult::OutputEndsFull => {}
            }
        }
    }

    /// Takes the last call's output: `nout` bytes of field text, `nend` field ends.
    fn absorb(&mut self, nout: usize, nend: usize) {
        let mut from = 0;
        for k in 0..nend {
            let end = self.ends[k].saturating_sub(self.pos).min(nout);
            self.keep(from, end);
            let field = std::mem::take(&mut self.field);
            if self.fields.len() <= FIELDS_MAX {
                self.fields.push_field(&field);
            }
            self.field = field;
            self.field.clear();
            from = end;
        }
        self.keep(from, nout);
        self.pos += nout;
    }

    fn keep(&mut self, from: usize, to: usize) {
        let room = CELL_KEEP.saturating_sub(self.field.len());
        let to = to.min(from + room);
        if from < to {
            self.field.extend_from_slice(&self.out[from..to]);
        }
    }

    /// The record's fields (once [`LongRecord::feed`] said it ended).
    pub fn into_cells(self) -> Cells {
        self.fields
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv_crate(bytes: &[u8]) -> Vec<Vec<Vec<u8>>> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        rdr.byte_records()
            .map(|r| r.unwrap().iter().map(<[u8]>::to_vec).collect())
            .collect()
    }

    /// Fed in pieces of every size, the first record comes out as the csv crate reads it.
    #[test]
    fn splits_like_the_csv_crate_in_any_pieces() {
        for text in [
            &b"a,\"b,\"\"c\"\"\nd\",e\nnext,row\n"[..],
            b"one,two\r\nthree",
            b"\"open quote runs to the end",
            b",,\n",
            b"x\ry\n",
            b"5'10\" male,z\n",
        ] {
            let expected = csv_crate(text)[0].clone();
            for piece in 1..=text.len() {
                let mut r = LongRecord::new(b',');
                let mut at = 0;
                let mut ended = None;
                for chunk in text.chunks(piece) {
                    if let Some(n) = r.feed(chunk) {
                        ended = Some(at + n);
                        break;
                    }
                    at += chunk.len();
                }
                if ended.is_none() {
                    assert_eq!(r.feed(b""), Some(0));
                }
                let got: Vec<Vec<u8>> = r.into_cells().iter().map(<[u8]>::to_vec).collect();
                assert_eq!(
                    got,
                    expected,
                    "{:?} in pieces of {piece}",
                    String::from_utf8_lossy(text)
                );
            }
        }
    }

    #[test]
    fn a_huge_field_keeps_its_start_only() {
        let mut r = LongRecord::new(b',');
        assert_eq!(r.feed(b"x,\""), None);
        let chunk = vec![b'a'; 1 << 20];
        for _ in 0..5 {
            assert_eq!(r.feed(&chunk), None);
        }
        assert_eq!(r.feed(b"\",y\nrest"), Some(4));
        let cells = r.into_cells();
        assert_eq!(cells.len(), 3);
        assert_eq!(cells.get(1).unwrap().len(), CELL_KEEP);
        assert_eq!(cells.get(2).unwrap(), b"y");
    }
}
