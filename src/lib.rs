//! alpr-triage: review ALPR search-audit logs for immigration-related searches.
//!
//! Data flows one way:
//!
//! ```text
//!  files ─▶ ingest (schema, quirks, identity) ─▶ Row ─▶ catalog (intern + flag once per string)
//!                                                  │
//!            ┌─────────────────────────────────────┼──────────────────────────────┐
//!            ▼                                     ▼                              ▼
//!     commands::scan (counts)        commands::flag (records out)     dataset (TUI, columnar)
//! ```
//!
//! Domain modules (`ingest`, `flag`, `catalog`, `output`, `commands`) never touch the terminal.

pub mod app;
pub mod catalog;
pub mod cli;
pub mod commands;
pub mod config;
pub mod dataset;
pub mod export;
pub mod filter;
pub mod flag;
pub mod fsutil;
pub mod idset;
pub mod ingest;
pub mod intern;
pub mod keymap;
pub mod loader;
pub mod lock;
pub mod merge;
pub mod model;
pub mod outpath;
pub mod output;
pub mod par;
pub mod rawrow;
pub mod runtime;
pub mod sanitize;
pub mod store;
pub mod synth;
#[cfg(test)]
mod test_strings;
pub mod ui;
