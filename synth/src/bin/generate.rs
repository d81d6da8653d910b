//! Writes synthetic audit data (the shipped sample-data/ and benchmark inputs).
//!
//! ```text
//! cargo run --release -p alpr-triage-synth -- sample-data              # the shipped sample set
//! cargo run --release -p alpr-triage-synth -- --rows 1000000 OUT.csv   # one big Network Audit
//! cargo run --release -p alpr-triage-synth -- --rows 100000 OUT.xlsx    # the same, as a workbook
//! cargo run --release -p alpr-triage-synth -- --rows 1000000 OUT.ndjson # research-extract NDJSON
//! cargo run --release -p alpr-triage-synth -- --rows 1000000 OUT.json   # a portal page (JSON)
//! ```

use std::io::Write;
use std::path::PathBuf;

use alpr_triage_synth::{
    Generator, Layout, SynthOptions, csv_to_xlsx, write_sample_data, write_sample_reference,
};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut rows: Option<u64> = None;
    let mut target: Option<PathBuf> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--rows" => rows = it.next().and_then(|v| v.replace('_', "").parse().ok()),
            "-h" | "--help" => {
                println!(
                    "usage: generate DIR | generate --rows N FILE.csv|FILE.xlsx|FILE.ndjson|FILE.json"
                );
                return;
            }
            other => target = Some(PathBuf::from(other)),
        }
    }
    let Some(target) = target else {
        eprintln!(
            "usage: generate DIR | generate --rows N FILE.csv|FILE.xlsx|FILE.ndjson|FILE.json"
        );
        std::process::exit(2);
    };
    let result = match rows {
        // The 287(g) lists go beside the sample data, not in it (it is read as audit files).
        None => write_sample_data(&target)
            .and_then(|mut files| {
                let beside = target
                    .parent()
                    .unwrap_or(std::path::Path::new("."))
                    .join("sample-reference");
                files.extend(write_sample_reference(&beside)?);
                Ok(files)
            })
            .map(|files| {
                for f in files {
                    println!("{}", f.display());
                }
            }),
        Some(rows) => (|| {
            if let Some(dir) = target.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let mut w = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&target)?);
            let opts = SynthOptions {
                rows,
                seed: 7,
                ..SynthOptions::default()
            };
            let ext = target.extension().and_then(|e| e.to_str()).unwrap_or("");
            let stats = match ext {
                "xlsx" => {
                    let mut csv = Vec::new();
                    let stats = Generator::new(opts).write_csv(Layout::Full2025, &mut csv)?;
                    csv_to_xlsx(&csv, &mut w)?;
                    stats
                }
                "ndjson" => Generator::new(opts).write_ndjson(&mut w)?,
                "json" => Generator::new(opts).write_portal_json("Millbrook TX PD", &mut w)?,
                _ => Generator::new(opts).write_csv(Layout::Full2025, &mut w)?,
            };
            w.flush()?;
            println!(
                "{}: {} rows, {} planted immigration searches",
                target.display(),
                stats.rows,
                stats.immigration
            );
            Ok(())
        })(),
    };
    if let Err(e) = result {
        eprintln!("generate: {e}");
        std::process::exit(1);
    }
}
