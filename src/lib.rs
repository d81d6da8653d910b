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

pub mod agency;
pub mod app;
pub mod cli;
pub mod commands;
pub mod config;
pub mod digest;
pub mod export;
pub mod files;
pub mod flag;
pub mod idset;
pub mod ingest;
pub mod intern;
pub mod keymap;
pub mod model;
pub mod numbers;
pub mod output;
pub mod redact;
pub mod report;
pub mod review;
pub mod sanitize;
pub mod store;
#[cfg(test)]
mod test_strings;
pub mod threads;
pub mod tui;
pub mod ui;
