//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use alpr_triage::flag::RuleSet;
use alpr_triage::idset::IdSet;
use alpr_triage::ingest::catalog::{Catalog, TextSyms};
use alpr_triage::ingest::{
    FileReport, InputFile, ReadOptions, Row, RowOutcome, RowSink, discover, read_file,
};
use alpr_triage::model::RecordId;
use alpr_triage::output::{OutRecord, OutValue};

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Keeps every record in output form.
pub struct Collect {
    pub files: Vec<InputFile>,
    pub seen: IdSet,
    pub records: Vec<OutRecord<'static>>,
    pub index: HashMap<RecordId, usize>,
}

impl RowSink for Collect {
    fn row(&mut self, row: &Row<'_>, syms: &TextSyms, catalog: &Catalog) -> RowOutcome {
        let src = format!(
            "{}:{}",
            Path::new(&self.files[row.source.file as usize].display)
                .file_name()
                .unwrap()
                .to_string_lossy(),
            row.source.line
        );
        if !self.seen.insert(row.id) {
            let i = self.index[&row.id];
            self.records[i].sources.to_mut().push(src);
            return RowOutcome {
                duplicate: true,
                flagged: false,
            };
        }
        let rec = OutRecord::from_row(row, catalog, syms, vec![src]).into_owned();
        let flagged = !rec.flags.is_empty();
        self.index.insert(row.id, self.records.len());
        self.records.push(rec);
        RowOutcome {
            duplicate: false,
            flagged,
        }
    }
}

/// The built-in rules, compiled once per test binary.
pub fn builtin() -> Arc<RuleSet> {
    static RULES: std::sync::OnceLock<Arc<RuleSet>> = std::sync::OnceLock::new();
    RULES.get_or_init(|| Arc::new(RuleSet::builtin())).clone()
}

/// Loads paths with the built-in rules.
pub fn load(paths: &[PathBuf]) -> (Vec<FileReport>, Vec<OutRecord<'static>>) {
    load_with(paths, builtin(), &ReadOptions::default())
}

pub fn load_with(
    paths: &[PathBuf],
    rules: Arc<RuleSet>,
    opts: &ReadOptions,
) -> (Vec<FileReport>, Vec<OutRecord<'static>>) {
    let (files, _, errors) = discover(paths);
    assert!(errors.is_empty(), "{errors:?}");
    let mut catalog = Catalog::new(rules);
    let mut sink = Collect {
        files: files.clone(),
        seen: IdSet::new(),
        records: Vec::new(),
        index: HashMap::new(),
    };
    let reports = files
        .iter()
        .enumerate()
        .map(|(i, f)| read_file(i as u32, f, opts, &mut catalog, &mut sink))
        .collect();
    (reports, sink.records)
}

pub fn load_fixture(name: &str) -> (FileReport, Vec<OutRecord<'static>>) {
    let (mut reports, records) = load(&[fixture(name)]);
    (reports.remove(0), records)
}

/// A normalised field as a string ("" when null, "<redacted>" when redacted).
pub fn field(rec: &OutRecord, key: &str) -> String {
    match rec.fields.iter().find(|(k, _)| *k == key).map(|(_, v)| v) {
        Some(OutValue::Str(s)) => s.to_string(),
        Some(OutValue::Int(n)) => n.to_string(),
        Some(OutValue::Redacted(_)) => "<redacted>".into(),
        _ => String::new(),
    }
}

pub fn rules_of(rec: &OutRecord) -> Vec<String> {
    rec.flags.iter().map(|f| f.rule.to_string()).collect()
}

pub fn column(rec: &OutRecord, label: &str) -> Option<String> {
    rec.columns
        .iter()
        .find(|(k, _)| k == label)
        .map(|(_, v)| v.to_string())
}

/// The binary under test.
pub fn bin() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_alpr-triage"))
}

/// Runs the binary with `args`; a panic is a failed test whatever the exit code.
pub fn run(args: &[&str]) -> std::process::Output {
    let out = bin().args(args).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    out
}

/// A path as an argument.
pub fn s(p: &Path) -> String {
    p.display().to_string()
}

/// The shipped sample's Millbrook year (about 4,000 rows, some flagged).
pub fn sample_millbrook() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample-data/1_1_2025-12_31_2025-Millbrook TX PD-Network-Audit.csv")
}

/// The small Millbrook fixture (8 rows: ICE WARRANT, HSI narcs, a redacted plate, ...).
pub fn millbrook() -> PathBuf {
    fixture("10_1_2025-10_31_2025-Millbrook TX PD-Network-Audit.csv")
}

/// A review session's files in a temporary folder: the annotation file and the config.
pub struct ReviewEnv {
    _dir: tempfile::TempDir,
    pub annotations: PathBuf,
    pub config: PathBuf,
}

impl ReviewEnv {
    pub fn new() -> ReviewEnv {
        let dir = tempfile::tempdir().unwrap();
        ReviewEnv {
            annotations: dir.path().join("ann.json"),
            config: dir.path().join("config.toml"),
            _dir: dir,
        }
    }

    /// A session over `paths` (reviewer `ana`, 100×30), loaded and settled.
    pub fn session(&self, paths: &[PathBuf]) -> alpr_triage::tui::Session {
        let mut s = alpr_triage::tui::Session::new(&alpr_triage::commands::review::TuiOptions {
            paths: paths.to_vec(),
            annotations: Some(self.annotations.clone()),
            reviewer: Some("ana".into()),
            config: Some(self.config.clone()),
            ..Default::default()
        })
        .unwrap();
        s.dispatch(alpr_triage::app::Action::Resize(100, 30));
        s.finish_loading();
        s
    }
}

/// The screen a session draws at `w`×`h`, as text (one line per row, trailing spaces cut).
pub fn screen(s: &alpr_triage::tui::Session, w: u16, h: u16) -> String {
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap();
    t.draw(|f| alpr_triage::ui::draw(f, &s.app, &alpr_triage::ui::Theme::new(true)))
        .unwrap();
    let buf = t.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..h {
        let line: String = (0..w).map(|x| buf[(x, y)].symbol().to_string()).collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// How many cases a property test runs: `release` in an optimised build, a quarter of it in a
/// debug build; PROPTEST_CASES, when set, wins (as in the library's own property tests).
pub fn cases(release: u32) -> proptest::prelude::ProptestConfig {
    let n = match std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        Some(n) => n,
        None if cfg!(debug_assertions) => (release / 4).max(16),
        None => release,
    };
    proptest::prelude::ProptestConfig::with_cases(n)
}

/// Writes `src` gzip-compressed to `dst`; returns `src`'s bytes.
pub fn gzip_file(src: &Path, dst: &Path) -> Vec<u8> {
    use std::io::Write;
    let bytes = std::fs::read(src).unwrap();
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(dst).unwrap(),
        flate2::Compression::fast(),
    );
    enc.write_all(&bytes).unwrap();
    enc.finish().unwrap();
    bytes
}
