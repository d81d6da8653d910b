//! Ingest + flag throughput (issue 2 target: ≥ 500 MB/s on a 1M-row Network Audit).
//!
//! `cargo bench -p alpr-triage-bench --bench ingest` generates `bench-data/1M-Network-Audit.csv` (~200 MB) on first
//! use. Peak memory is measured by `scripts/bench.sh`, which runs the real binary.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use alpr_triage::commands::scan::ScanSink;
use alpr_triage::flag::RuleSet;
use alpr_triage::ingest::catalog::Catalog;
use alpr_triage::ingest::{InputFile, ReadOptions, read_file};
use alpr_triage_synth::{Generator, Layout, SynthOptions};

fn bench_file(rows: u64, name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench-data");
    let path = dir.join(name);
    if !path.exists() {
        std::fs::create_dir_all(&dir).expect("bench-data folder");
        let mut w = std::io::BufWriter::new(std::fs::File::create(&path).expect("bench file"));
        let opts = SynthOptions {
            rows,
            seed: 7,
            ..SynthOptions::default()
        };
        Generator::new(opts)
            .write_csv(Layout::Full2025, &mut w)
            .expect("generate");
    }
    path
}

fn scan(c: &mut Criterion) {
    let rules = Arc::new(RuleSet::builtin());
    for (rows, name) in [
        (20_000, "20k-Network-Audit.csv"),
        (1_000_000, "1M-Network-Audit.csv"),
    ] {
        let path = bench_file(rows, name);
        let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        let file = InputFile {
            display: path.display().to_string(),
            path,
        };
        let mut g = c.benchmark_group("scan");
        g.throughput(Throughput::Bytes(bytes));
        g.sample_size(10);
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut catalog = Catalog::new(rules.clone());
                let mut sink = ScanSink::new();
                let mut reports = [read_file(
                    0,
                    &file,
                    &ReadOptions::default(),
                    &mut catalog,
                    &mut sink,
                )];
                sink.finish(&mut reports);
                assert_eq!(reports[0].rows, rows);
                reports[0].flagged
            })
        });
        g.finish();
    }
}

criterion_group!(benches, scan);
criterion_main!(benches);
