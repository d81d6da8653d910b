//! Reading in blocks on several threads gives exactly what one sequential read gives, for
//! every kind of input, well-formed or not.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use proptest::prelude::*;

use super::Tuning;
use crate::flag::RuleSet;
use crate::ingest::catalog::{Catalog, TextSyms};
use crate::ingest::load::read_file_tuned;
use crate::ingest::{FileReport, InputFile, ReadOptions, Row, RowOutcome, RowSink};
use crate::model::Field;

/// Everything a sink can see, in order.
#[derive(Default, Debug, PartialEq)]
struct Seen {
    begins: Vec<String>,
    rows: Vec<String>,
}

impl RowSink for Seen {
    fn begin_file(&mut self, file: u32, r: &FileReport) {
        self.begins
            .push(format!("{file} {:?} {:?} {}", r.kind, r.columns, r.schema));
    }

    fn row(&mut self, row: &Row<'_>, syms: &TextSyms, catalog: &Catalog) -> RowOutcome {
        let cells: Vec<&[u8]> = row.cells.iter().collect();
        self.rows.push(format!(
            "{} {:?} {:?} {:?} {:?} {:?} {:?} {:?} | {} | {} | {} | {} | {} | {}",
            row.id,
            row.source,
            cells,
            row.schema.labels(),
            row.lossy,
            row.agency_source,
            row.search_time,
            row.networks,
            catalog.text(Field::Agency, syms.agency),
            catalog.text(Field::Reason, syms.reason),
            catalog.text(Field::OffenseType, syms.offense),
            catalog.text(Field::TextPrompt, syms.prompt),
            catalog.text(Field::PriorFlag, syms.prior),
            catalog.is_flagged(syms),
        ));
        RowOutcome::default()
    }
}

fn rules() -> Arc<RuleSet> {
    static RULES: std::sync::OnceLock<Arc<RuleSet>> = std::sync::OnceLock::new();
    RULES.get_or_init(|| Arc::new(RuleSet::builtin())).clone()
}

fn read(path: &Path, tuning: Tuning) -> (String, Seen) {
    let file = InputFile {
        display: path.display().to_string(),
        path: path.to_path_buf(),
    };
    let mut catalog = Catalog::new(rules());
    let mut seen = Seen::default();
    let r = read_file_tuned(
        0,
        &file,
        &ReadOptions::default(),
        &mut catalog,
        &mut seen,
        tuning,
    );
    let report = format!(
        "{:?} {:?} {:?} {} rows {} records {} dup {} dropped {} flagged {} warnings {:?} {:?} {:?}",
        r.kind,
        r.columns,
        r.schema,
        r.rows,
        r.records,
        r.duplicates,
        r.dropped,
        r.flagged,
        r.warnings.total,
        r.warnings.list,
        r.error,
        r.file_agency,
    );
    (report, seen)
}

/// One block, one thread: the file read in one sequence.
const SEQUENTIAL: Tuning = Tuning {
    workers: 1,
    first_block: usize::MAX / 64,
    block: usize::MAX / 64,
    simd: false,
    long_record: usize::MAX,
};

/// How often each way of taking a block was used on this thread, since the last call.
fn paths() -> [usize; 5] {
    super::consumer::PATHS.with(|p| p.replace([0; 5]))
}

fn check_same(bytes: &[u8], name: &str, tunings: &[Tuning]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let expected = read(&path, SEQUENTIAL);
    for &t in tunings {
        let got = read(&path, t);
        assert_eq!(got.0, expected.0, "report differs with {t:?}");
        assert_eq!(got.1, expected.1, "rows differ with {t:?}");
    }
}

const HEADER: &str =
    "ID,Name,Org Name,Total Networks Searched,Time Frame,License Plate,Reason,Case #,Search Time\n";

fn row(i: usize) -> String {
    format!(
        "{:08x}-aaaa-bbbb-cccc-{:012x},Officer {i},Agency {},{},\"04/0{}/2026, 01:00:00 AM UTC\n04/0{}/2026, 05:00:00 AM UTC\",ABC{i},{},,\"04/0{}/2026, 05:0{}:33 AM UTC\"\n",
        i,
        i,
        i % 3,
        i * 7,
        1 + i % 8,
        1 + i % 8,
        ["ICE assist", "theft", "Property+Crime", "HSI narcs"][i % 4],
        1 + i % 8,
        i % 10
    )
}

fn tunings() -> Vec<Tuning> {
    let mut v = Vec::new();
    for workers in [1, 2, 3] {
        for (first, block) in [(1, 1), (7, 13), (40, 64), (200, 97), (300, 1000)] {
            for long_record in [0, 20, 1 << 20] {
                v.push(Tuning {
                    workers,
                    first_block: first,
                    block,
                    simd: true,
                    long_record,
                });
            }
        }
    }
    v
}

#[test]
fn well_formed_file_in_tiny_blocks() {
    let mut text = HEADER.to_string();
    for i in 0..300 {
        text.push_str(&row(i));
    }
    // Repeats of earlier rows (duplicates), a repeated header, a stacked second export.
    text.push_str(&row(3));
    text.push_str(HEADER);
    text.push_str(&row(301));
    text.push_str("Reason,Search Time,Org Name\n");
    text.push_str("ICE,\"04/10/2026, 05:01:33 AM UTC\",Other PD\n");
    paths();
    check_same(
        text.as_bytes(),
        "1_1_2026-1_31_2026-Test PD-Network-Audit.csv",
        &tunings(),
    );
    let [accepted, reprocessed, parsed_here, _, long] = paths();
    assert!(accepted > 100, "{accepted}");
    assert!(long > 0, "records across blocks were read on incrementally");
    assert!(
        reprocessed > 0,
        "a stacked header makes later blocks' states stale"
    );
    assert!(parsed_here > 0, "tiny blocks cut inside quoted time frames");
}

#[test]
fn stray_quotes_and_lone_carriage_returns_fall_back_to_one_sequence() {
    let mut text = HEADER.to_string();
    for i in 0..60 {
        text.push_str(&row(i));
        if i == 20 {
            // A quote inside an unquoted field: literal to the csv crate, but it flips
            // the quote parity the cutter counts.
            text.push_str("x,y,Agency 1,3,,ABC,5'10\" male,,\"04/02/2026, 05:00:33 AM UTC\"\n");
        }
        if i == 40 {
            text.push_str("z,y,Agency 2,3,,DEF,theft,,\"04/02/2026, 05:00:34 AM UTC\"\r");
        }
    }
    paths();
    check_same(text.as_bytes(), "x.csv", &tunings());
    let [accepted, _, parsed_here, resynced, _] = paths();
    assert!(
        accepted > 0 && parsed_here > 0 && resynced > 0,
        "{:?}",
        (accepted, parsed_here, resynced)
    );
}

#[test]
fn gzip_crlf_bom_and_latin1_in_tiny_blocks() {
    let mut text = b"\xef\xbb\xbf".to_vec();
    text.extend_from_slice(HEADER.replace('\n', "\r\n").as_bytes());
    for i in 0..80 {
        text.extend_from_slice(row(i).replace('\n', "\r\n").as_bytes());
        if i % 9 == 0 {
            text.extend_from_slice(
                b"q,r,Caf\xe9 PD,1,,P,Drogas \xa7 5,,\"04/03/2026, 05:00:00 AM UTC\"\r\n\r\n",
            );
        }
    }
    check_same(&text, "crlf.csv", &tunings());
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(&text).unwrap();
    let gz = enc.finish().unwrap();
    check_same(&gz, "crlf.csv.gz", &tunings());
    // Truncated: the rows before the cut and the error are the same.
    check_same(&gz[..gz.len() * 2 / 3], "cut.csv.gz", &tunings());
}

/// Fragments that make CSV files, well-formed or not.
fn fragments() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        4 => (0usize..50).prop_map(|i| row(i).into_bytes()),
        1 => Just(HEADER.as_bytes().to_vec()),
        1 => Just(b"Reason,Search Time,Org Name\n".to_vec()),
        1 => Just(b"Name,Org Name,Reason,Search Time\n".to_vec()),
        1 => Just(b"ICE,\"04/10/2026, 05:01:33 AM UTC\",Other PD\n".to_vec()),
        1 => Just(b"\"".to_vec()),
        1 => Just(b"\"\"".to_vec()),
        1 => Just(b",".to_vec()),
        1 => Just(b"\n".to_vec()),
        1 => Just(b"\r".to_vec()),
        1 => Just(b"\r\n".to_vec()),
        1 => Just(b"\"a\nb\"".to_vec()),
        1 => Just(b"5'10\" male".to_vec()),
        1 => Just(b"\xe9\xff".to_vec()),
        1 => Just(b"***".to_vec()),
        1 => proptest::collection::vec(any::<u8>(), 0..12),
    ];
    proptest::collection::vec(piece, 0..60).prop_map(|v| v.concat())
}

fn regular_bytes(data: &[u8], delimiter: u8) -> bool {
    let mut marks = super::quote_marks::Marks::default();
    marks.scan(data);
    super::split::regular(data, delimiter, &marks)
}

#[test]
fn regular_accepts_rfc_quoting_and_rejects_the_rest() {
    let mut flock = HEADER.to_string();
    for i in 0..20 {
        flock.push_str(&row(i));
    }
    let d = b',';
    assert!(regular_bytes(flock.as_bytes(), d));
    assert!(regular_bytes(flock.replace('\n', "\r\n").as_bytes(), d));
    assert!(regular_bytes(
        b"a,\"say \"\"hi\"\"\",\"\"\n\n,\"x,\ny\"\n",
        d
    ));
    assert!(regular_bytes(b"a\t\"b\"\n", b'\t'));
    for bad in [
        &b"a,5'10\" male\n"[..],
        b"a,b\rc,d\n",
        b"a, \"b\"\n",
        b"a,\"b\"c\n",
        b"a,\"open\n",
        b"\xef\xbb\xbfa,b\n",
        b"a\t\"b\"\n",
    ] {
        assert!(!regular_bytes(bad, d), "{:?}", String::from_utf8_lossy(bad));
    }
}

/// Records (where each starts, its fields) and where the parse ended.
type Split = (Vec<(crate::ingest::batch::At, Vec<Vec<u8>>)>, super::Ending);

fn split(bytes: &[u8], last: bool, simd: bool) -> Split {
    let mut data = bytes.to_vec();
    let mut batch = super::Batch::default();
    let ending = super::split::parse(
        &mut data,
        (1000, 7),
        last,
        super::CsvFormat {
            delimiter: b',',
            simd,
        },
        &mut batch,
    );
    assert_eq!(data, bytes, "the bytes are left as they were");
    let recs = (0..batch.len)
        .map(|i| {
            (
                batch.at[i],
                batch.records[i].iter().map(<[u8]>::to_vec).collect(),
            )
        })
        .collect();
    (recs, ending)
}

/// Fragments of well-formed CSV, so that most inputs take simd-csv's path.
fn regular_fragments() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        4 => (0usize..50).prop_map(|i| row(i).into_bytes()),
        1 => (0usize..50).prop_map(|i| row(i).replace('\n', "\r\n").into_bytes()),
        1 => Just(HEADER.as_bytes().to_vec()),
        1 => Just(b"\"a \"\"quoted\"\" word\",\"\",x\n".to_vec()),
        1 => Just(b"\"multi\nline, with comma\",\"\r\n\",y\n".to_vec()),
        1 => Just(b"\n".to_vec()),
        1 => Just(b"\r\n".to_vec()),
        1 => Just(b"plain,,trailing,\n".to_vec()),
        1 => Just(b"no newline at the end".to_vec()),
        1 => Just(b"  spaced , cells  \n".to_vec()),
    ];
    proptest::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(crate::test_strings::cases(256))]

    #[test]
    fn simd_csv_splits_like_the_csv_crate(
        bytes in prop_oneof![regular_fragments(), fragments()],
        last in any::<bool>(),
    ) {
        prop_assert_eq!(split(&bytes, last, true), split(&bytes, last, false));
    }
}

proptest! {
    #![proptest_config(crate::test_strings::cases(128))]

    #[test]
    fn blocks_read_like_one_sequence(
        body in fragments(),
        header in any::<bool>(),
        workers in 1usize..4,
        first in 1usize..300,
        block in 1usize..300,
        long_record in prop_oneof![0usize..64, Just(1usize << 20)],
    ) {
        let mut bytes = if header { HEADER.as_bytes().to_vec() } else { Vec::new() };
        bytes.extend_from_slice(&body);
        check_same(
            &bytes,
            "prop.csv",
            &[
                Tuning { workers, first_block: first, block, simd: true, long_record },
                Tuning { workers: 1, first_block: usize::MAX / 64, block: usize::MAX / 64, simd: true, long_record },
            ],
        );
    }
}
