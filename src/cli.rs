//! Command-line arguments → plain option structs. No clap types leave this module.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::commands::flag::FlagOptions;
use crate::commands::scan::ScanOptions;
use crate::ingest::ReadOptions;
use crate::output::Format;

/// Review ALPR search-audit logs for immigration-related searches.
#[derive(Parser, Debug)]
#[command(name = "alpr-triage", version, about, long_about = None, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Sub>,
}

#[derive(Subcommand, Debug)]
enum Sub {
    /// Report what each file is: kind, schema, rows, records, duplicates, flagged, warnings.
    Scan {
        #[command(flatten)]
        common: Common,
        /// Machine-readable JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Warnings to print per file in text output.
        #[arg(long, default_value_t = 5, value_name = "N")]
        max_warnings: usize,
    },
    /// Write the flagged records (every record with --all) with ids, normalised fields, original
    /// columns, sources and flag explanations.
    Flag {
        #[command(flatten)]
        common: Common,
        /// Output format.
        #[arg(long, value_enum, default_value_t = FormatArg::Jsonl)]
        format: FormatArg,
        /// Write to FILE (atomically, owner-only) instead of standard output.
        #[arg(long, short, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Replace FILE if it exists.
        #[arg(long)]
        force: bool,
        /// Every record, not only flagged ones.
        #[arg(long)]
        all: bool,
    },
    /// Print the rule set in force (built-in, or --rules FILE) with each rule's strength and note.
    Rules {
        /// A rules file (see README, "Rules file").
        #[arg(long, value_name = "FILE")]
        rules: Option<PathBuf>,
        /// Print the built-in rules file itself (a starting point for your own).
        #[arg(long)]
        source: bool,
    },
}

#[derive(Args, Debug)]
struct Common {
    /// Audit files or folders (CSV, JSON, NDJSON, any of them .gz). A folder means every
    /// supported file below it.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// A rules file that replaces the built-in rules (or extends them: `extends = "builtin"`).
    #[arg(long, value_name = "FILE")]
    rules: Option<PathBuf>,
    /// Agency for files that name none (no Org Name column, no agency in the file name).
    #[arg(long, value_name = "NAME")]
    agency: Option<String>,
}

#[derive(Copy, Clone, Debug, ValueEnum)]
enum FormatArg {
    Jsonl,
    Csv,
    Json,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Jsonl => Format::Jsonl,
            FormatArg::Csv => Format::Csv,
            FormatArg::Json => Format::Json,
        }
    }
}

/// What the user asked for.
#[derive(Debug)]
pub enum Command {
    /// `scan`.
    Scan(ScanOptions),
    /// `flag`.
    Flag(FlagOptions),
    /// `rules`.
    Rules {
        /// A rules file.
        rules: Option<PathBuf>,
        /// Print the built-in file's text.
        source: bool,
    },
    /// No subcommand: print help.
    Help(String),
}

fn read_options(c: &Common) -> ReadOptions {
    ReadOptions {
        default_agency: c.agency.clone(),
    }
}

/// Parses arguments. Errors (and `--help`/`--version`) come back as clap's message with the exit
/// code to use.
pub fn parse<I, T>(args: I) -> Result<Command, (String, i32)>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = Cli::try_parse_from(args).map_err(|e| (e.render().to_string(), e.exit_code()))?;
    Ok(match cli.command {
        Some(Sub::Scan {
            common,
            json,
            max_warnings,
        }) => Command::Scan(ScanOptions {
            read: read_options(&common),
            paths: common.paths,
            json,
            rules: common.rules,
            max_warnings,
        }),
        Some(Sub::Flag {
            common,
            format,
            out,
            force,
            all,
        }) => Command::Flag(FlagOptions {
            read: read_options(&common),
            paths: common.paths,
            format: format.into(),
            out,
            force,
            all,
            rules: common.rules,
        }),
        Some(Sub::Rules { rules, source }) => Command::Rules { rules, source },
        None => {
            use clap::CommandFactory;
            Command::Help(Cli::command().render_help().to_string())
        }
    })
}
