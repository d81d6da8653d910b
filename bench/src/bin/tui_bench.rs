//! Review-UI speed and memory on a large file (issue 3 targets), measured in-process through the
//! same `Session` the terminal UI runs:
//!
//! ```text
//! cargo run --release -p alpr-triage-bench --bin tui_bench -- bench-data/1000000-Network-Audit.csv
//! ```
//!
//! Prints: time to the first frame with records, time until every record is loaded and flagged,
//! resident memory when loaded, filter + next frame for several queries, one frame at 200x60,
//! and a verdict's trip to disk with 10,000 annotations in the file; also each sort, worked out
//! in the background, and the longest a key waited meanwhile.
//!
//! `--load-only` stops after the load; `--sorts` after the sorts.

use std::time::{Duration, Instant};

use alpr_triage::commands::review::TuiOptions;
use alpr_triage::keymap::parse_keys;
use alpr_triage::store::{Annotation, RecordSummary};
use alpr_triage::tui::Session;
use alpr_triage_bench::{frame, median, ms, rss_mb, start};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// Each sort `s` steps through, worked out on another thread: how long its key took, the longest
/// wait of a key pressed every 10 ms meanwhile (a reviewer moving down the table on the old
/// order), and when the new order arrived.
fn sorts(s: &mut Session) {
    let (sort_key, down) = (parse_keys("s").remove(0), parse_keys("j").remove(0));
    for _ in 0..5 {
        let t0 = Instant::now();
        s.key(&sort_key);
        let mut worst = t0.elapsed();
        let mut keys = 0;
        while s.app.sorting() {
            std::thread::sleep(Duration::from_millis(10));
            let t = Instant::now();
            s.key(&down);
            s.pump(Duration::from_millis(1));
            worst = worst.max(t.elapsed());
            keys += 1;
        }
        println!(
            "sort by {:?}: order ready after {}; longest key wait meanwhile {} ({keys} keys)",
            s.app.sort.0,
            ms(t0.elapsed()),
            ms(worst)
        );
    }
    s.keys("s");
}

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: tui_bench FILE");
        std::process::exit(2);
    };
    let dir = std::env::temp_dir().join(format!("alpr-triage-bench-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let ann = dir.join("ann.json");
    let _ = std::fs::remove_file(&ann);
    let opts = TuiOptions {
        paths: vec![path.clone().into()],
        annotations: Some(ann.clone()),
        reviewer: Some("bench".into()),
        config: Some(dir.join("none.toml")),
        ..TuiOptions::default()
    };
    let mut term = match Terminal::new(TestBackend::new(200, 60)) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };

    // Load: first frame with records, then everything.
    let (mut s, first, loaded) = match start(&opts, &mut term) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    println!("file: {path}");
    println!(
        "records: {} ({} flagged)",
        s.app.ds.len(),
        s.app.ds.flagged_count()
    );
    println!(
        "first frame with records: {}",
        first.map(ms).unwrap_or_else(|| "-".into())
    );
    println!("all records loaded, flagged and sorted: {}", ms(loaded));
    println!(
        "resident memory when loaded: {:.0} MB (peak during load {:.0} MB)",
        rss_mb("VmRSS:"),
        rss_mb("VmHWM:")
    );

    if std::env::args().any(|a| a == "--load-only") {
        let _ = std::fs::remove_dir_all(&dir);
        return;
    }
    sorts(&mut s);
    if std::env::args().any(|a| a == "--sorts") {
        let _ = std::fs::remove_dir_all(&dir);
        return;
    }
    // Filters: apply and draw the next frame. Each runs from the all-records view.
    s.keys("t");
    let queries = [
        "agency:millbrook",
        "reason:ice",
        "date:2025-03-01..2025-03-31",
        "ice warrant",
        "-reason:test date:2025-06 agency:\"Millbrook TX PD\"",
        "flagged:yes verdict:none",
        "rule:hsi",
    ];
    // Each query is typed without waiting (every key restarts the filter, as in the UI), then
    // timed from Enter until the next frame is drawn.
    let mut worst_key = Duration::ZERO;
    for q in queries {
        let mut times = Vec::new();
        for _ in 0..5 {
            s.keys("/<c-u><enter>");
            s.key(&parse_keys("/").remove(0));
            for ev in parse_keys(&format!("<c-u>{q}")) {
                let t = Instant::now();
                s.key(&ev);
                worst_key = worst_key.max(t.elapsed());
            }
            let t = Instant::now();
            s.key(&parse_keys("<enter>").remove(0));
            s.settle();
            frame(&mut term, &s);
            times.push(t.elapsed());
        }
        println!(
            "filter {q:?} + next frame: {} ({} records)",
            ms(median(times)),
            s.app.shown().len()
        );
    }
    println!(
        "longest a key press waited while typing those queries: {}",
        ms(worst_key)
    );
    // One more character of a finished query narrows the last result.
    let mut times = Vec::new();
    for _ in 0..5 {
        s.keys("/<c-u>agency:mi<enter>");
        let t = Instant::now();
        s.keys("/l<enter>");
        frame(&mut term, &s);
        times.push(t.elapsed());
    }
    println!(
        "one more character (agency:mi → agency:mil) + next frame: {}",
        ms(median(times))
    );

    // One frame.
    s.keys("/<c-u><enter>");
    let mut times = Vec::new();
    for _ in 0..50 {
        let t = Instant::now();
        frame(&mut term, &s);
        times.push(t.elapsed());
    }
    println!("one frame at 200x60: {}", ms(median(times)));

    // The summary of every record: counted (sliced, as the UI does) and drawn.
    let mut times = Vec::new();
    for _ in 0..5 {
        s.keys("/<c-u>x<enter>/<c-u><enter>");
        let t = Instant::now();
        s.keys("<tab>");
        frame(&mut term, &s);
        times.push(t.elapsed());
        s.keys("<tab>");
    }
    println!(
        "summary of {} records (counted + first frame): {}",
        s.app.ds.len(),
        ms(median(times))
    );
    for (section, keys) in [("by agency", ""), ("by account", "hh")] {
        s.keys(&format!("<tab>{keys}"));
        let mut times = Vec::new();
        for _ in 0..20 {
            let t = Instant::now();
            frame(&mut term, &s);
            times.push(t.elapsed());
        }
        println!(
            "summary frame {section} ({} lines): {}",
            s.app.summary_lines().len(),
            ms(median(times))
        );
        s.keys("<tab>");
    }
    // A verdict's effect on the summary (the count moved, no recount).
    if let Some(mut summary) = s.app.summary.done.clone() {
        let imm = alpr_triage::model::VerdictCode::new(
            Some(alpr_triage::model::Verdict::Immigration),
            false,
        );
        let none = alpr_triage::model::VerdictCode::NONE;
        let flagged: Vec<u32> = (0..s.app.ds.len() as u32)
            .filter(|&r| s.app.ds.is_flagged(r))
            .take(1000)
            .collect();
        let t = Instant::now();
        for &r in &flagged {
            summary.change(&s.app.ds, r, none, imm);
        }
        let per = t.elapsed() / flagged.len().max(1) as u32;
        println!(
            "summary update after one verdict: {:.1} µs (mean of {})",
            per.as_secs_f64() * 1e6,
            flagged.len()
        );
    }

    // The context list of a record: found and drawn.
    s.keys("/<c-u>reason:hsi<enter>");
    let mut times = Vec::new();
    for _ in 0..10 {
        let t = Instant::now();
        s.keys("c");
        frame(&mut term, &s);
        times.push(t.elapsed());
        s.keys("<esc>j");
    }
    println!(
        "context list over {} records (found + drawn): {} (median of 10)",
        s.app.ds.len(),
        ms(median(times))
    );
    s.keys("/<c-u><enter>");

    // A verdict on disk with 10,000 annotations in the file.
    let n = s.app.ds.len().min(10_000);
    for row in 0..n as u32 {
        s.app.store.set(Annotation {
            record_id: s.app.ds.ids[row as usize],
            verdict: Some(alpr_triage::model::Verdict::NotImmigration),
            note: "bulk-loaded for the benchmark".into(),
            reviewer: "bench".into(),
            annotated_at: "2026-01-01T00:00:00Z".into(),
            query: "flagged:yes".into(),
            record: RecordSummary {
                agency: s.app.ds.agency_text(row).into(),
                reason: s.app.ds.reason_text(row).into(),
                search_time: None,
                sources: vec![format!("{path}:{}", row + 2)].into(),
            },
            reviews: Default::default(),
            conflict: false,
            adjudicated_by: None,
        });
    }
    let mut times = Vec::new();
    for i in 0..20 {
        let t = Instant::now();
        s.keys(if i % 2 == 0 { "y" } else { "n" });
        times.push(t.elapsed());
    }
    println!(
        "verdict key → file on disk, {} annotations: {} (median of 20)",
        s.app.store.len(),
        ms(median(times))
    );
    let _ = std::fs::remove_dir_all(&dir);
}
