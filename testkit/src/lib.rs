//! Test-only companion of `alpr-triage`.
//!
//! `alpr-triage` lists this crate as a dev-dependency, and this crate depends on `alpr-triage`
//! with the `test-hooks` feature. Cargo unifies features within one build, so `cargo test`
//! builds the binary under test with the fault-injection hooks (`ALPR_TRIAGE_CRASH_KEY`,
//! `ALPR_TRIAGE_HANG_KEY`), while `cargo build`, `cargo run` and `cargo install` never include
//! them.
