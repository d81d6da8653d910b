//! The project's own code against the library it stands beside, on the work it does: each pair
//! of benchmarks decides whether the bespoke code earns its place (docs/performance.md gives the
//! figures).
//!
//! ```text
//! cargo bench -p alpr-triage-bench --bench bespoke
//! ```
//!
//! - `json/…`: a record's JSON written by the hand encoder (`output::json`) or by serde_json
//!   through a `Serialize` impl of the same shape (the bytes are checked equal first);
//! - `csv_split/…`: a block of well-formed CSV split into records by simd-csv or by the csv
//!   crate (the project keeps both: simd-csv for regular quoting, the csv crate for the rest);
//! - `regular_check/…`: deciding a block is regular, with the SSE2 quote/line-end bitmaps
//!   (`quote_marks`) or with memchr.
//!
//! - `ordered_rounds/…`: rounds of `flag --all`'s shape (the calling thread reads for a while,
//!   then the records of the round are encoded in 8 shares on every core), with
//!   `threads::ordered` (the calling thread takes shares beside rayon's threads) or with rayon's
//!   `into_par_iter().map().collect()` (the calling thread waits for rayon's threads to wake).
//!
//! One more pair was measured and its bespoke side removed (docs/performance.md): leaving what a
//! command built unfreed at exit.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use alpr_triage::flag::RuleSet;
use alpr_triage::idset::IdSet;
use alpr_triage::ingest::catalog::{Catalog, TextSyms};
use alpr_triage::ingest::{InputFile, ReadOptions, Row, RowOutcome, RowSink, read_file};
use alpr_triage::output::{Format, OutRecord, OutValue, RecordWriter};

fn bench_file(rows: u64, name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench-data");
    let path = dir.join(name);
    if !path.exists() {
        std::fs::create_dir_all(&dir).expect("bench-data folder");
        let mut w = std::io::BufWriter::new(std::fs::File::create(&path).expect("bench file"));
        let opts = alpr_triage_synth::SynthOptions {
            rows,
            seed: 7,
            ..Default::default()
        };
        alpr_triage_synth::Generator::new(opts)
            .write_csv(alpr_triage_synth::Layout::Full2025, &mut w)
            .expect("generate");
    }
    path
}

fn input(path: &Path) -> InputFile {
    InputFile {
        display: path.display().to_string(),
        path: path.to_path_buf(),
    }
}

/// Every record of a file, in output form.
struct Collect {
    seen: IdSet,
    records: Vec<OutRecord<'static>>,
}

impl RowSink for Collect {
    fn row(&mut self, row: &Row<'_>, syms: &TextSyms, catalog: &Catalog) -> RowOutcome {
        if self.seen.insert(row.id) {
            let src = format!("bench.csv:{}", row.source.line);
            self.records
                .push(OutRecord::from_row(row, catalog, syms, vec![src]).into_owned());
        }
        RowOutcome::default()
    }
}

fn records(n: u64) -> Vec<OutRecord<'static>> {
    let path = bench_file(n, &format!("{n}-bespoke.csv"));
    let mut catalog = Catalog::new(Arc::new(RuleSet::builtin()));
    let mut sink = Collect {
        seen: IdSet::new(),
        records: Vec::new(),
    };
    read_file(
        0,
        &input(&path),
        &ReadOptions::default(),
        &mut catalog,
        &mut sink,
    );
    sink.records
}

/// A record in the shape `output::json` writes, through serde.
struct Serde<'r, 'a>(&'r OutRecord<'a>);

impl Serialize for Serde<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("id", &r.id.to_string())?;
        for (k, v) in &r.fields {
            match v {
                OutValue::Str(t) => m.serialize_entry(k, t.as_ref())?,
                OutValue::Int(n) => m.serialize_entry(k, n)?,
                OutValue::Null | OutValue::Redacted(_) => m.serialize_entry(k, &())?,
            }
        }
        let redacted: Vec<&str> = r
            .fields
            .iter()
            .filter(|(_, v)| matches!(v, OutValue::Redacted(_)))
            .map(|(k, _)| *k)
            .collect();
        m.serialize_entry("redacted", &redacted)?;
        m.serialize_entry("flagged", &!r.flags.is_empty())?;
        m.serialize_entry("flags", &Flags(r))?;
        for (k, v) in &r.extra {
            m.serialize_entry(k, v)?;
        }
        m.serialize_entry("sources", &r.sources)?;
        m.serialize_entry("columns", &Columns(r))?;
        m.end()
    }
}

struct Flags<'r, 'a>(&'r OutRecord<'a>);

impl Serialize for Flags<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut q = s.serialize_seq(Some(self.0.flags.len()))?;
        for f in &self.0.flags {
            q.serialize_element(&Flag(f))?;
        }
        q.end()
    }
}

struct Flag<'r, 'a>(&'r alpr_triage::output::FlagOut<'a>);

impl Serialize for Flag<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let f = self.0;
        let mut m = s.serialize_map(Some(7))?;
        m.serialize_entry("rule", f.rule.as_ref())?;
        m.serialize_entry("strength", f.strength)?;
        m.serialize_entry("field", f.field)?;
        m.serialize_entry("matched", &f.matched)?;
        let spans: Vec<[u32; 2]> = f.spans.iter().map(|&(a, b)| [a, b]).collect();
        m.serialize_entry("spans", &spans)?;
        m.serialize_entry("description", f.description.as_ref())?;
        if let Some(n) = &f.note {
            m.serialize_entry("note", n.as_ref())?;
        }
        m.end()
    }
}

struct Columns<'r, 'a>(&'r OutRecord<'a>);

impl Serialize for Columns<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.columns.len()))?;
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (k, v) in &self.0.columns {
            let n = seen.entry(k.as_ref()).or_insert(0);
            *n += 1;
            if *n == 1 {
                m.serialize_entry(k.as_ref(), v.as_ref())?;
            } else {
                m.serialize_entry(&format!("{k} ({n})"), v.as_ref())?;
            }
        }
        m.end()
    }
}

fn hand_json(recs: &[OutRecord<'_>], out: &mut Vec<u8>) {
    let mut w = RecordWriter::new(out, Format::Jsonl, Vec::new(), Vec::new()).expect("writer");
    for r in recs {
        w.write(r).expect("write");
    }
    w.finish().expect("finish");
}

fn serde_json_lines(recs: &[OutRecord<'_>], out: &mut Vec<u8>) {
    for r in recs {
        serde_json::to_writer(&mut *out, &Serde(r)).expect("serde");
        out.push(b'\n');
    }
}

fn json(c: &mut Criterion) {
    let recs = records(20_000);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    hand_json(&recs, &mut a);
    serde_json_lines(&recs, &mut b);
    // The same bytes (serde_json's floats and escapes agree with the encoder's).
    for (x, y) in a.split(|&c| c == b'\n').zip(b.split(|&c| c == b'\n')) {
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(x).ok(),
            serde_json::from_slice::<serde_json::Value>(y).ok(),
            "the serde shape differs from the encoder's"
        );
    }
    let mut g = c.benchmark_group("json");
    g.throughput(Throughput::Elements(recs.len() as u64));
    g.bench_function("hand", |bn| {
        bn.iter(|| {
            let mut out = Vec::with_capacity(a.len());
            hand_json(&recs, &mut out);
            out.len()
        })
    });
    g.bench_function("serde_json", |bn| {
        bn.iter(|| {
            let mut out = Vec::with_capacity(a.len());
            serde_json_lines(&recs, &mut out);
            out.len()
        })
    });
    g.finish();
}

fn csv_split(c: &mut Criterion) {
    let path = bench_file(1_000_000, "1M-Network-Audit.csv");
    let all = std::fs::read(path).expect("bench file");
    let cut = all[..8 << 20]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let block = &all[..cut];
    let mut g = c.benchmark_group("csv_split");
    g.throughput(Throughput::Bytes(block.len() as u64));
    g.bench_function("simd_csv", |b| {
        b.iter(|| {
            let mut rdr = simd_csv::TotalReaderBuilder::new()
                .has_headers(false)
                .from_bytes(block);
            let mut rec = simd_csv::ByteRecord::new();
            let mut n = 0;
            while rdr.read_byte_record(&mut rec) {
                n += rec.len();
            }
            n
        })
    });
    g.bench_function("csv_crate", |b| {
        b.iter(|| {
            let mut rdr = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(block);
            let mut rec = csv::ByteRecord::new();
            let mut n = 0;
            while rdr.read_byte_record(&mut rec).unwrap_or(false) {
                n += rec.len();
            }
            n
        })
    });
    g.finish();
}

/// `regular` (see `ingest::parallel::split`) with memchr finding the quotes and line ends.
fn regular_memchr(data: &[u8], delimiter: u8) -> bool {
    if data.starts_with(b"\xef\xbb\xbf") {
        return false;
    }
    let mut inside = false;
    let mut it = memchr::memchr3_iter(b'"', b'\r', b'\n', data).filter(|&i| data[i] != b'\n');
    while let Some(q) = it.next() {
        if data[q] == b'\r' {
            if data.get(q + 1) != Some(&b'\n') {
                return false;
            }
        } else if !inside {
            if q > 0 && data[q - 1] != delimiter && data[q - 1] != b'\n' {
                return false;
            }
            inside = true;
        } else {
            match data.get(q + 1) {
                Some(b'"') => {
                    it.next();
                }
                Some(&c) if c != delimiter && c != b'\n' && c != b'\r' => return false,
                _ => inside = false,
            }
        }
    }
    !inside
}

fn regular_check(c: &mut Criterion) {
    let path = bench_file(1_000_000, "1M-Network-Audit.csv");
    let all = std::fs::read(path).expect("bench file");
    // A block of about 256 KB that ends between records (not inside a quoted time frame).
    let cut = (0..256 << 10)
        .rev()
        .filter(|&i| all[i] == b'\n')
        .map(|i| i + 1)
        .find(|&end| alpr_triage::ingest::regular_csv(&all[..end], b','))
        .expect("a regular block");
    let block = &all[..cut];
    assert!(regular_memchr(block, b','));
    let mut g = c.benchmark_group("regular_check");
    g.throughput(Throughput::Bytes(block.len() as u64));
    g.bench_function("quote_marks", |b| {
        b.iter(|| alpr_triage::ingest::regular_csv(block, b','))
    });
    g.bench_function("memchr", |b| b.iter(|| regular_memchr(block, b',')));
    g.finish();
}

/// Serial work of about `n` × 1 µs on the calling thread (the read between two rounds).
fn serial(n: u64) -> u64 {
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    for _ in 0..n * 300 {
        x = x.rotate_left(5) ^ x.wrapping_mul(0x2545_f491_4f6c_dd1d);
    }
    x
}

fn ordered_rounds(c: &mut Criterion) {
    use rayon::prelude::*;
    let recs = records(8 * 256);
    let shares = 8;
    let per = recs.len() / shares;
    let share = |t: usize| {
        let mut out = Vec::with_capacity(64 << 10);
        hand_json(&recs[t * per..(t + 1) * per], &mut out);
        out.len()
    };
    let rounds = 20;
    let mut g = c.benchmark_group("ordered_rounds");
    g.throughput(Throughput::Elements((rounds * recs.len()) as u64));
    g.bench_function("threads_ordered", |b| {
        b.iter(|| {
            let mut n = 0;
            for _ in 0..rounds {
                n += serial(1000) as usize & 1;
                n += alpr_triage::threads::ordered(shares, share)
                    .iter()
                    .sum::<usize>();
            }
            n
        })
    });
    g.bench_function("rayon_collect", |b| {
        b.iter(|| {
            let mut n = 0;
            for _ in 0..rounds {
                n += serial(1000) as usize & 1;
                n += (0..shares)
                    .into_par_iter()
                    .map(share)
                    .collect::<Vec<_>>()
                    .iter()
                    .sum::<usize>();
            }
            n
        })
    });
    g.finish();
}

criterion_group!(benches, json, csv_split, regular_check, ordered_rounds);
criterion_main!(benches);
