//! Command-line arguments → plain option structs. No clap types leave this module.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::commands::flag::FlagOptions;
use crate::commands::scan::ScanOptions;
use crate::ingest::ReadOptions;
use crate::output::Format;

/// Review ALPR search-audit logs for immigration-related searches.
///
/// With paths and no command, opens the review UI over them.
#[derive(Parser, Debug)]
#[command(
    name = "alpr-triage",
    version,
    about,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    override_usage = "alpr-triage [OPTIONS] PATH...\n       alpr-triage <COMMAND> [OPTIONS] PATH..."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Sub>,
    #[command(flatten)]
    review: ReviewArgs,
}

#[derive(Args, Debug)]
struct ReviewArgs {
    /// Audit files or folders to review (CSV, JSON, NDJSON, any of them .gz; `-` reads standard
    /// input).
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Annotation file to read and write (default: one per dataset folder, see below).
    #[arg(long, value_name = "FILE")]
    annotations: Option<PathBuf>,
    /// Name recorded with each verdict (default: your login name).
    #[arg(long, value_name = "NAME")]
    reviewer: Option<String>,
    /// A rules file that replaces the built-in rules (or extends them: `extends = "builtin"`).
    #[arg(long, value_name = "FILE")]
    rules: Option<PathBuf>,
    /// Agency for files that name none; PATH=NAME names it for one file or folder (repeatable).
    #[arg(long, value_name = "[PATH=]NAME")]
    agency: Vec<String>,
    /// Config file (default: config.toml in the config directory, see below).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(flatten)]
    who: WhoArgs,
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
        /// Write to FILE (atomically, owner-only) instead of standard output (`-`).
        #[arg(long, short, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Replace FILE if it exists.
        #[arg(long)]
        force: bool,
        /// Every record, not only flagged ones.
        #[arg(long)]
        all: bool,
        /// CSV: write cells starting with = + - @ as they are (by default they get a leading '
        /// so that spreadsheets do not run them as formulas).
        #[arg(long)]
        raw_cells: bool,
    },
    /// Write annotated records (every original column, the verdict, note, reviewer, flags and
    /// sources) as CSV, JSONL or JSON, with a methods manifest beside the file.
    Export {
        #[command(flatten)]
        common: Common,
        /// Annotation file (default: the review UI's file for these inputs).
        #[arg(long, value_name = "FILE")]
        annotations: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = FormatArg::Csv)]
        format: FormatArg,
        /// Write to FILE (atomically, owner-only) instead of standard output (`-`); the manifest
        /// goes to FILE.manifest.json.
        #[arg(long, short, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Replace FILE (and its manifest) if they exist.
        #[arg(long)]
        force: bool,
        /// Which records.
        #[arg(long, value_enum, default_value_t = OnlyArg::Reviewed)]
        only: OnlyArg,
        /// Narrow further with the filter language (as in the review UI's `/`).
        #[arg(long, value_name = "QUERY", default_value = "")]
        query: String,
        /// Mask officer names, user ids, plates, case numbers and filters, and personal data
        /// inside reasons, notes and other free text (see `alpr-triage masks`).
        #[arg(long)]
        redact: bool,
        /// Do not start CSV output with a UTF-8 byte-order mark.
        #[arg(long)]
        no_bom: bool,
        /// Write the methods manifest to FILE (needed to get one with standard output).
        #[arg(long, value_name = "FILE")]
        manifest: Option<PathBuf>,
        /// CSV: write cells starting with = + - @ as they are (by default they get a leading '
        /// so that spreadsheets do not run them as formulas).
        #[arg(long)]
        raw_cells: bool,
    },
    /// Write a publishable report to a folder: report.html (tables, charts, methods), report.md,
    /// by_agency.csv, by_month.csv and manifest.json.
    Report {
        #[command(flatten)]
        common: Common,
        /// Annotation file (default: the review UI's file for these inputs).
        #[arg(long, value_name = "FILE")]
        annotations: Option<PathBuf>,
        /// The report folder (created owner-only if it does not exist).
        #[arg(long, short, required = true, value_name = "DIR")]
        out: PathBuf,
        /// Replace the report's files in DIR if they exist.
        #[arg(long)]
        force: bool,
        /// Count only the records this filter selects (the review UI's filter language).
        #[arg(long, value_name = "QUERY", default_value = "")]
        query: String,
        /// Leave out officer names, user ids, plates and case numbers, and mask personal data
        /// inside reasons and notes (see `alpr-triage masks`).
        #[arg(long)]
        redact: bool,
    },
    /// Before publishing: list the distinct free texts (reasons, notes) of the selection with
    /// what --redact masks in each; --mask TEXT or --release TEXT saves a choice with the
    /// annotations that every later export and report applies.
    Masks {
        #[command(flatten)]
        common: Common,
        /// Annotation file (default: the review UI's file for these inputs).
        #[arg(long, value_name = "FILE")]
        annotations: Option<PathBuf>,
        /// Which records (as export --only).
        #[arg(long, value_enum, default_value_t = OnlyArg::Reviewed)]
        only: OnlyArg,
        /// Narrow further with the filter language (as in the review UI's `/`).
        #[arg(long, value_name = "QUERY", default_value = "")]
        query: String,
        /// Always mask this word or phrase (any case) in what is published (repeatable).
        #[arg(long, value_name = "TEXT")]
        mask: Vec<String>,
        /// Never mask this word or phrase: a false mask released (repeatable).
        #[arg(long, value_name = "TEXT")]
        release: Vec<String>,
        /// Take back an earlier --mask or --release of this text (repeatable).
        #[arg(long, value_name = "TEXT")]
        forget: Vec<String>,
        /// Why, kept with each choice made now.
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
        /// Name recorded with each choice (default: your login name).
        #[arg(long, value_name = "NAME")]
        reviewer: Option<String>,
        /// List every distinct text, not only those with a mask.
        #[arg(long)]
        all: bool,
        /// Machine-readable JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Merge several reviewers' annotation files into one; print agreement (percent and Cohen's
    /// kappa) per pair of reviewers and the records they disagree on.
    Merge {
        /// Annotation files (two or more).
        #[arg(required = true, num_args = 2.., value_name = "FILE")]
        files: Vec<PathBuf>,
        /// The merged annotation file.
        #[arg(long, short, required = true, value_name = "FILE")]
        out: PathBuf,
        /// Replace FILE if it exists.
        #[arg(long)]
        force: bool,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print the rule set in force (built-in, or --rules FILE) with each rule's strength and note;
    /// with --agencies, the agency profile rules instead.
    Rules {
        /// A rules file (see docs/flagging.md, "Writing rules").
        #[arg(long, value_name = "FILE")]
        rules: Option<PathBuf>,
        /// Print the built-in rules file itself (a starting point for your own).
        #[arg(long)]
        source: bool,
        /// The agency profile rules (state aliases and levels; see docs/agencies.md).
        #[arg(long)]
        agencies: bool,
        /// An agency rules file to print instead of the built-in one.
        #[arg(long, value_name = "FILE")]
        agency_rules: Option<PathBuf>,
    },
    /// List every agency the inputs name, once: state, level, role (searcher, owner, sharing
    /// partner), records, flagged, 287(g) agreements, and what decided each profile; then the
    /// names no rule could place, biggest first.
    Agencies {
        #[command(flatten)]
        common: Common,
        /// Machine-readable JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Each transparency-portal page's sharing lists: partners by level, out-of-state, federal
    /// and private partners.
    Sharing {
        #[command(flatten)]
        common: Common,
        /// Machine-readable JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug)]
struct Common {
    /// Audit files or folders (CSV, JSON, NDJSON, any of them .gz; `-` reads standard input). A
    /// folder means every supported file below it.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// A rules file that replaces the built-in rules (or extends them: `extends = "builtin"`).
    #[arg(long, value_name = "FILE")]
    rules: Option<PathBuf>,
    /// Agency for files that name none (no Org Name column, no agency in the file name or
    /// folder); PATH=NAME names it for one file, or every file in a folder (repeatable).
    #[arg(long, value_name = "[PATH=]NAME")]
    agency: Vec<String>,
    #[command(flatten)]
    who: WhoArgs,
}

/// Who searched: owners, agency rules, overrides and ICE's 287(g) lists.
#[derive(Args, Debug, Default)]
struct WhoArgs {
    /// The owner of a file, or of every file in a folder: the agency whose cameras or records
    /// it is (repeatable; by default from the Flock file name, a portal page or the folder).
    #[arg(long, value_name = "PATH=NAME")]
    owner: Vec<String>,
    /// Agency overrides (TOML; see docs/agencies.md): names the rules place wrongly, with their
    /// state, level or inactive mark (repeatable; a later file wins).
    #[arg(long, value_name = "FILE")]
    agencies: Vec<PathBuf>,
    /// Agency profile rules that replace the built-in ones (or extend them:
    /// `extends = "builtin"`).
    #[arg(long, value_name = "FILE")]
    agency_rules: Option<PathBuf>,
    /// ICE's 287(g) list, XLSX or CSV as ICE publishes it (repeatable: participating and
    /// pending).
    #[arg(long, value_name = "FILE")]
    partners: Vec<PathBuf>,
}

impl WhoArgs {
    fn options(&self) -> crate::agency::WhoOptions {
        crate::agency::WhoOptions {
            agency_rules: self.agency_rules.clone(),
            agencies: self.agencies.clone(),
            partners: self.partners.clone(),
        }
    }
}

#[derive(Copy, Clone, Debug, ValueEnum)]
enum OnlyArg {
    Immigration,
    Not,
    Unsure,
    Reviewed,
    Unreviewed,
    Flagged,
    All,
}

impl From<OnlyArg> for crate::export::Only {
    fn from(o: OnlyArg) -> crate::export::Only {
        use crate::export::Only;
        match o {
            OnlyArg::Immigration => Only::Immigration,
            OnlyArg::Not => Only::Not,
            OnlyArg::Unsure => Only::Unsure,
            OnlyArg::Reviewed => Only::Reviewed,
            OnlyArg::Unreviewed => Only::Unreviewed,
            OnlyArg::Flagged => Only::Flagged,
            OnlyArg::All => Only::All,
        }
    }
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
    /// `export`.
    Export(crate::commands::export::ExportCommand),
    /// `merge`.
    Merge(crate::commands::merge::MergeCommand),
    /// `report`.
    Report(crate::commands::report::ReportCommand),
    /// `rules`.
    Rules {
        /// A rules file.
        rules: Option<PathBuf>,
        /// Print the built-in file's text.
        source: bool,
        /// The agency rules instead.
        agencies: bool,
        /// An agency rules file.
        agency_rules: Option<PathBuf>,
    },
    /// `agencies`.
    Agencies(crate::commands::agencies::AgenciesOptions),
    /// `masks`.
    Masks(crate::commands::masks::MasksCommand),
    /// `sharing`.
    Sharing(crate::commands::agencies::AgenciesOptions),
    /// Open the review UI.
    Review(crate::commands::review::TuiOptions),
    /// No subcommand and no paths: print help.
    Help(String),
}

fn cells(raw: bool) -> crate::output::CsvCells {
    if raw {
        crate::output::CsvCells::Raw
    } else {
        crate::output::CsvCells::SpreadsheetSafe
    }
}

/// `--agency NAME` (once), `--agency PATH=NAME` and `--owner PATH=NAME` (any number) as read
/// options.
fn read_options(agency: &[String], owner: &[String]) -> Result<ReadOptions, (String, i32)> {
    let usage = |m: String| (format!("error: {m}\n"), 2);
    let mut opts = ReadOptions::default();
    for o in owner {
        let Some((p, n)) = o
            .split_once('=')
            .map(|(p, n)| (PathBuf::from(p.trim()), n.trim()))
        else {
            return Err(usage(format!(
                "--owner {o}: write PATH=NAME (the file or folder, then the owner's name)"
            )));
        };
        if !p.exists() {
            return Err(usage(format!(
                "--owner {o}: {} does not exist",
                crate::sanitize::path(&p)
            )));
        }
        if n.is_empty() {
            return Err(usage(format!("--owner {o}: give the owner's name after =")));
        }
        opts.file_agencies.push((p, n.to_string()));
    }
    for a in agency {
        let named = a
            .split_once('=')
            .map(|(p, n)| (PathBuf::from(p.trim()), n.trim()))
            .filter(|(p, _)| p.exists() || p.extension().is_some() || p.components().count() > 1);
        match named {
            Some((p, _)) if !p.exists() => {
                return Err(usage(format!(
                    "--agency {a}: {} does not exist (PATH=NAME names the agency of a file or folder)",
                    crate::sanitize::path(&p)
                )));
            }
            Some((_, "")) => {
                return Err(usage(format!(
                    "--agency {a}: give the agency's name after ="
                )));
            }
            Some((p, n)) => opts.file_agencies.push((p, n.to_string())),
            None if opts.default_agency.is_some() => {
                return Err(usage(format!(
                    "--agency {a}: one --agency NAME is the agency of every file that names none; name single files with --agency PATH=NAME"
                )));
            }
            None if a.trim().is_empty() => return Err(usage("--agency needs a name".into())),
            None => opts.default_agency = Some(a.trim().to_string()),
        }
    }
    Ok(opts)
}

/// The clap command, with the folders in force in its help.
fn command() -> clap::Command {
    use clap::CommandFactory;
    Cli::command().after_help(format!(
        "Annotations are saved on every change to --annotations FILE, by default one file per \
         dataset folder in\n  {}\n(set {} to move it). Keys can be rebound in\n  {}\n(set {} to \
         move it). NO_COLOR turns colours off. In the UI, ? shows every key.",
        crate::config::data_dir().join("annotations").display(),
        crate::config::DATA_DIR_ENV,
        crate::config::config_file().display(),
        crate::config::CONFIG_DIR_ENV,
    ))
}

/// Parses arguments. Errors (and `--help`/`--version`) come back as clap's message with the exit
/// code to use.
pub fn parse<I, T>(args: I) -> Result<Command, (String, i32)>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    use clap::FromArgMatches;
    let matches = command()
        .try_get_matches_from(args)
        .map_err(|e| (e.render().to_string(), e.exit_code()))?;
    let cli =
        Cli::from_arg_matches(&matches).map_err(|e| (e.render().to_string(), e.exit_code()))?;
    Ok(match cli.command {
        Some(Sub::Scan {
            common,
            json,
            max_warnings,
        }) => Command::Scan(ScanOptions {
            read: read_options(&common.agency, &common.who.owner)?,
            who: common.who.options(),
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
            raw_cells,
        }) => Command::Flag(FlagOptions {
            read: read_options(&common.agency, &common.who.owner)?,
            who: common.who.options(),
            paths: common.paths,
            format: format.into(),
            out,
            force,
            all,
            rules: common.rules,
            cells: cells(raw_cells),
        }),
        Some(Sub::Export {
            common,
            annotations,
            format,
            out,
            force,
            only,
            query,
            redact,
            no_bom,
            manifest,
            raw_cells,
        }) => Command::Export(crate::commands::export::ExportCommand {
            read: read_options(&common.agency, &common.who.owner)?,
            who: common.who.options(),
            paths: common.paths,
            annotations,
            format: format.into(),
            out,
            force,
            only: only.into(),
            query,
            redact,
            bom: !no_bom,
            manifest,
            rules: common.rules,
            cells: cells(raw_cells),
        }),
        Some(Sub::Report {
            common,
            annotations,
            out,
            force,
            query,
            redact,
        }) => Command::Report(crate::commands::report::ReportCommand {
            read: read_options(&common.agency, &common.who.owner)?,
            who: common.who.options(),
            paths: common.paths,
            annotations,
            out,
            force,
            query,
            redact,
            rules: common.rules,
        }),
        Some(Sub::Merge {
            files,
            out,
            force,
            json,
        }) => Command::Merge(crate::commands::merge::MergeCommand {
            files,
            out,
            force,
            json,
        }),
        Some(Sub::Rules {
            rules,
            source,
            agencies,
            agency_rules,
        }) => Command::Rules {
            rules,
            source,
            agencies: agencies || agency_rules.is_some(),
            agency_rules,
        },
        Some(Sub::Masks {
            common,
            annotations,
            only,
            query,
            mask,
            release,
            forget,
            note,
            reviewer,
            all,
            json,
        }) => Command::Masks(crate::commands::masks::MasksCommand {
            read: read_options(&common.agency, &common.who.owner)?,
            who: common.who.options(),
            paths: common.paths,
            annotations,
            only: only.into(),
            query,
            rules: common.rules,
            mask,
            release,
            forget,
            note,
            reviewer,
            all,
            json,
        }),
        Some(Sub::Agencies { common, json }) => {
            Command::Agencies(crate::commands::agencies::AgenciesOptions {
                read: read_options(&common.agency, &common.who.owner)?,
                who: common.who.options(),
                paths: common.paths,
                rules: common.rules,
                json,
            })
        }
        Some(Sub::Sharing { common, json }) => {
            Command::Sharing(crate::commands::agencies::AgenciesOptions {
                read: read_options(&common.agency, &common.who.owner)?,
                who: common.who.options(),
                paths: common.paths,
                rules: common.rules,
                json,
            })
        }
        None if cli.review.paths.is_empty() => Command::Help(command().render_help().to_string()),
        None => {
            let r = cli.review;
            Command::Review(crate::commands::review::TuiOptions {
                read: read_options(&r.agency, &r.who.owner)?,
                who: r.who.options(),
                paths: r.paths,
                annotations: r.annotations,
                reviewer: r.reviewer,
                rules: r.rules,
                config: r.config,
            })
        }
    })
}
