//! Benchmarks of `alpr-triage`: `cargo bench -p alpr-triage-bench` runs the criterion benches in
//! `benches/`; `src/bin/` holds the timing programs `scripts/bench.sh` runs (`csv_baseline`, the
//! csv crate alone as a floor) and `tui_bench` (the review UI's response times).
