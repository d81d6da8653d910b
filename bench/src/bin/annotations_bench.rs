//! Large annotation files (issue 20): a verdict's trip to disk, and the review UI's start, with
//! hundreds of thousands of annotations. Run through `scripts/bench-scale.sh`, which also times
//! `export` and `merge`:
//!
//! ```text
//! annotations_bench prepare DATA.csv N OUT.json [REVIEWER]  # N annotations of DATA's records
//! annotations_bench start DATA.csv ANN.json                 # start, then verdicts, measured
//! annotations_bench load DATA.csv ANN.json                  # the start only
//! annotations_bench store ANN.json                          # the file read into a store alone
//! ```

use std::time::{Duration, Instant};

use alpr_triage::commands::review::TuiOptions;
use alpr_triage::model::Verdict;
use alpr_triage::store::{Annotation, RecordSummary};
use alpr_triage::tui::Session;
use alpr_triage_bench::{median, ms, rss_mb};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn fail(e: impl std::fmt::Display) -> ! {
    eprintln!("annotations_bench: {e}");
    std::process::exit(1)
}

/// A session over `data` with `ann`, loaded; the time to its first frame with records and to
/// the end of the load.
fn start(data: &str, ann: &std::path::Path) -> (Session, Option<Duration>, Duration) {
    let dir = std::env::temp_dir();
    let opts = TuiOptions {
        paths: vec![data.into()],
        annotations: Some(ann.to_path_buf()),
        reviewer: Some("bench".into()),
        config: Some(dir.join("alpr-triage-bench-none.toml")),
        ..TuiOptions::default()
    };
    let mut term = Terminal::new(TestBackend::new(200, 60)).unwrap_or_else(|e| fail(e));
    alpr_triage_bench::start(&opts, &mut term).unwrap_or_else(|e| fail(e))
}

fn prepare(data: &str, n: usize, out: &str, reviewer: &str) {
    let scratch =
        std::env::temp_dir().join(format!("alpr-triage-prep-{}.json", std::process::id()));
    let (s, _, _) = start(data, &scratch);
    let ds = &s.app.ds;
    let n = n.min(ds.len());
    let list: Vec<Annotation> = (0..n as u32)
        .map(|row| Annotation {
            record_id: ds.ids[row as usize],
            verdict: Some(if row % 7 == 0 {
                Verdict::Immigration
            } else {
                Verdict::NotImmigration
            }),
            note: if row % 5 == 0 {
                "reason says ICE; case number ties it to an HSI warrant".into()
            } else {
                Default::default()
            },
            reviewer: reviewer.into(),
            annotated_at: "2026-11-30T12:00:00Z".into(),
            query: "flagged:yes".into(),
            record: RecordSummary {
                agency: ds.agency_text(row).into(),
                reason: ds.reason_text(row).into(),
                search_time: Some(
                    alpr_triage::ingest::time::format_rfc3339(ds.time[row as usize]).into(),
                ),
                sources: ds.source_texts(row).into(),
            },
            reviews: Default::default(),
            conflict: false,
            adjudicated_by: None,
        })
        .collect();
    let _ = std::fs::remove_file(&scratch);
    // In record-id order, as the review UI saves a file (and `merge` reads one fastest).
    let mut list = list;
    list.sort_by_key(|a| a.record_id);
    let mut f = std::io::BufWriter::new(std::fs::File::create(out).unwrap_or_else(|e| fail(e)));
    alpr_triage::store::write_file(&mut f, list.iter()).unwrap_or_else(|e| fail(e));
    std::io::Write::flush(&mut f).unwrap_or_else(|e| fail(e));
    println!("{out}: {n} annotations");
}

fn run_start(data: &str, ann: &str, load_only: bool) {
    let ann = std::path::Path::new(ann);
    let (mut s, first, loaded) = start(data, ann);
    println!(
        "start with {} annotations: first frame {}, loaded {}, resident {:.0} MB (peak {:.0} MB)",
        s.app.store.len(),
        first.map(ms).unwrap_or_else(|| "-".into()),
        ms(loaded),
        rss_mb("VmRSS:"),
        rss_mb("VmHWM:")
    );
    if load_only {
        return;
    }
    // Before: a save rewrote the whole file (what `Store::compact` still does, on quit).
    let mut whole = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        s.app.store.compact().unwrap_or_else(|e| fail(e));
        whole.push(t.elapsed());
    }
    // After: a verdict key until its journal line is fsync'd.
    s.keys("t");
    let mut times = Vec::new();
    let mut worst = Duration::ZERO;
    for i in 0..40 {
        let t = Instant::now();
        s.keys(if i % 2 == 0 { "y" } else { "n" });
        let d = t.elapsed();
        worst = worst.max(d);
        times.push(d);
    }
    println!(
        "one verdict until on disk, {} annotations: rewrite of the whole file (before) {} (median of 3); through the journal (now) {} (median of 40, longest {})",
        s.app.store.len(),
        ms(median(whole)),
        ms(median(times)),
        ms(worst)
    );
    let t = Instant::now();
    s.app.store.compact().unwrap_or_else(|e| fail(e));
    println!("journal folded into the file on quit: {}", ms(t.elapsed()));
}

/// The annotation file read into a store on its own (no review UI): time and memory.
fn run_store(ann: &str) {
    let before = rss_mb("VmRSS:");
    let t = Instant::now();
    let store =
        alpr_triage::store::Store::open(std::path::Path::new(ann)).unwrap_or_else(|e| fail(e));
    let took = t.elapsed();
    let after = rss_mb("VmRSS:");
    println!(
        "store of {} annotations read in {}, resident +{:.0} MB ({:.0} B an annotation)",
        store.len(),
        ms(took),
        after - before,
        (after - before) * 1048576.0 / store.len().max(1) as f64
    );
    let t = Instant::now();
    drop(store);
    println!("dropped in {}", ms(t.elapsed()));
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["prepare", data, n, out] => prepare(data, n.parse().unwrap_or(0), out, "ana"),
        ["prepare", data, n, out, reviewer] => prepare(data, n.parse().unwrap_or(0), out, reviewer),
        ["start", data, ann] => run_start(data, ann, false),
        ["load", data, ann] => run_start(data, ann, true),
        ["store", ann] => run_store(ann),
        _ => {
            eprintln!(
                "usage: annotations_bench prepare DATA.csv N OUT.json [REVIEWER] | annotations_bench start|load DATA.csv ANN.json"
            );
            std::process::exit(2);
        }
    }
}
