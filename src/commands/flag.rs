//! `alpr-triage flag`: the flagged records (or all with `--all`), with explanations and sources.

use std::borrow::Cow;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::tally::Tally;
use super::{
    CommandError, Console, EXIT_INPUT, EXIT_OK, check_roles, inputs, load_rules, output_target,
    plural, report_problems,
};
use crate::files::target::Target;
use crate::flag::RuleSet;
use crate::idset::IdSet;
use crate::ingest::catalog::{Catalog, TextSyms};
use crate::ingest::{
    FileReport, InputFile, OwnedRow, ReadOptions, Row, RowOutcome, RowSink, Schema, read_file,
};
use crate::model::{RecordId, Source};
use crate::output::{CsvCells, Format, OutRecord, Queued, RecordWriter};

/// Options of `flag`.
#[derive(Clone, Debug)]
pub struct FlagOptions {
    /// Files and folders.
    pub paths: Vec<PathBuf>,
    /// Output format.
    pub format: Format,
    /// Output file (standard output when None).
    pub out: Option<PathBuf>,
    /// Replace an existing output file.
    pub force: bool,
    /// Every record, not only flagged ones.
    pub all: bool,
    /// A rules file.
    pub rules: Option<PathBuf>,
    /// How files are read.
    pub read: ReadOptions,
    /// How CSV cells are written (spreadsheet-safe unless `--raw-cells`).
    pub cells: CsvCells,
    /// Agency rules, overrides and 287(g) lists.
    pub who: crate::agency::WhoOptions,
}

/// Column labels in first-seen order, collected as schemas change.
#[derive(Default)]
pub struct ColumnUnion {
    labels: Vec<String>,
    /// The labels last noted, and the schema they came from (held, so that no other schema can
    /// take its address while it is compared by address).
    last: Option<(Arc<Schema>, Vec<String>)>,
}

impl ColumnUnion {
    /// Notes the columns of a row's schema. Cheap when the schema did not change: rows read
    /// with one schema share it, and it is compared by address before label by label.
    pub fn note(&mut self, schema: &Arc<Schema>, cells: usize) {
        let n = schema.len().max(cells);
        if let Some((last, l)) = &mut self.last
            && l.len() == n
        {
            if Arc::ptr_eq(last, schema) {
                return;
            }
            if l.iter().zip(&schema.columns).all(|(a, c)| *a == c.label) {
                *last = schema.clone();
                return;
            }
        }
        let labels: Vec<String> = (0..n)
            .map(|i| {
                schema
                    .columns
                    .get(i)
                    .map(|c| c.label.clone())
                    .unwrap_or_else(|| format!("column {}", i + 1))
            })
            .collect();
        for l in &labels {
            if !self.labels.contains(l) {
                self.labels.push(l.clone());
            }
        }
        self.last = Some((schema.clone(), labels));
    }

    /// The union.
    pub fn into_labels(self) -> Vec<String> {
        self.labels
    }
}

/// The CSV columns of who searched, after the tool's own.
fn who_columns() -> Vec<String> {
    crate::agency::who::WHO_FIELDS
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// `file:line` of a row (`file:sheet:row` in a workbook).
fn source_string(reports: &[FileReport], source: &Source) -> String {
    match reports.get(source.file as usize) {
        Some(r) => format!("{}:{}", r.path, r.place(source.line)),
        None => format!("?:{}", source.line),
    }
}

/// Keeps flagged rows (few) in memory as raw rows with every source; notes the rest for the
/// counts. Which kept rows are records (the first row of their id) is known at the end.
struct FlaggedSink {
    tally: Tally,
    /// Flagged rows: row number in the load, the row, its text, its sources.
    flagged: Vec<(u32, Kept)>,
    index: FxHashMap<RecordId, usize>,
    /// A bit for each value of an id's low [`KEPT_BITS`] bits, set for the ids in `index`. Most
    /// rows are of no flagged record: they test a bit in 16 KB instead of probing the map (about
    /// 400 KB at 10,000 flagged records), on the thread every row goes through.
    kept: Vec<u64>,
}

/// Bits of an id that pick its bit in [`FlaggedSink::kept`]: with 1% of a million rows flagged,
/// about one row in twelve goes on to the map for nothing.
const KEPT_BITS: u32 = 17;

impl FlaggedSink {
    fn new() -> FlaggedSink {
        FlaggedSink {
            tally: Tally::new(),
            flagged: Vec::new(),
            index: FxHashMap::default(),
            kept: vec![0; (1 << KEPT_BITS) / 64],
        }
    }

    /// The word and bit of `id` in `kept` (ids are uniform hashes: any bits will do).
    fn kept_bit(id: RecordId) -> (usize, u64) {
        let b = id.low64() as usize & ((1 << KEPT_BITS) - 1);
        (b / 64, 1 << (b % 64))
    }
}

impl RowSink for FlaggedSink {
    fn begin_file(&mut self, file: u32, report: &FileReport) {
        self.tally.begin_file(file, report);
    }

    fn row(&mut self, row: &Row<'_>, syms: &TextSyms, catalog: &Catalog) -> RowOutcome {
        let flagged = catalog.is_flagged(syms);
        let n = self.tally.note(row.id, flagged);
        let (word, bit) = Self::kept_bit(row.id);
        let kept = self.kept[word] & bit != 0;
        if let Some(&i) = kept.then(|| self.index.get(&row.id)).flatten() {
            // A later row of a flagged record: one more source.
            self.flagged[i].1.2.push(row.source);
        } else if flagged {
            self.kept[word] |= bit;
            self.index.insert(row.id, self.flagged.len());
            self.flagged
                .push((n, (OwnedRow::from_row(row), *syms, Vec::new())));
        }
        RowOutcome::default()
    }
}

/// Pass 1 of `--all`: which ids repeat, and where.
struct DupPass {
    seen: IdSet,
    later: FxHashMap<RecordId, Vec<Source>>,
    columns: ColumnUnion,
}

impl RowSink for DupPass {
    fn begin_file(&mut self, _file: u32, report: &FileReport) {
        self.seen.reserve(report.row_estimate());
    }

    fn row(&mut self, row: &Row<'_>, syms: &TextSyms, catalog: &Catalog) -> RowOutcome {
        self.columns.note(row.schema, row.cells.len());
        if !self.seen.insert(row.id) {
            self.later.entry(row.id).or_default().push(row.source);
            return RowOutcome {
                duplicate: true,
                flagged: false,
            };
        }
        RowOutcome {
            duplicate: false,
            flagged: catalog.is_flagged(syms),
        }
    }
}

/// Pass 2 of `--all`: write each record at its first row, with all its sources.
struct WritePass<'f, 'w> {
    reports: &'f [FileReport],
    profiles: &'f crate::agency::Profiles,
    later: FxHashMap<RecordId, Vec<Source>>,
    written: IdSet,
    writer: RecordWriter<'w>,
    /// Records waiting for a round of building and encoding on every core.
    queued: Queued<Kept>,
    error: Option<std::io::Error>,
}

/// A row kept to be written later: the row, its text symbols, and where the record's later rows
/// are (its own place is the row's). Places are written out as `file:line` only with the
/// record, on the threads that build records rather than on the one every row goes through.
type Kept = (OwnedRow, TextSyms, Vec<Source>);

/// What kept rows are made into records with.
struct Made<'a> {
    catalog: &'a Catalog,
    reports: &'a [FileReport],
    profiles: &'a crate::agency::Profiles,
}

/// The output form of a kept row (a flagged one, or a queued one of `--all`).
fn kept_record<'i>(made: &'i Made<'_>, (row, syms, later): &'i Kept) -> OutRecord<'i> {
    let sources: Vec<String> = std::iter::once(&row.source)
        .chain(later)
        .map(|s| source_string(made.reports, s))
        .collect();
    let mut rec = OutRecord::from_row(&row.row(), made.catalog, syms, sources);
    let who = made.profiles.who(syms.agency, row.source.file as usize);
    rec.extra
        .extend(who.fields().map(|(k, v)| (Cow::Borrowed(k), v)));
    rec
}

impl RowSink for WritePass<'_, '_> {
    fn begin_file(&mut self, _file: u32, report: &FileReport) {
        self.written.reserve(report.row_estimate());
    }

    fn row(&mut self, row: &Row<'_>, syms: &TextSyms, catalog: &Catalog) -> RowOutcome {
        if !self.written.insert(row.id) {
            return RowOutcome {
                duplicate: true,
                flagged: false,
            };
        }
        let later = self.later.remove(&row.id).unwrap_or_default();
        let made = Made {
            catalog,
            reports: self.reports,
            profiles: self.profiles,
        };
        if self.error.is_none()
            && let Err(e) = self.writer.queue(
                &mut self.queued,
                (OwnedRow::from_row(row), *syms, later),
                &made,
                kept_record,
            )
        {
            self.error = Some(e);
        }
        RowOutcome {
            duplicate: false,
            flagged: catalog.is_flagged(syms),
        }
    }

    fn cancelled(&self) -> bool {
        self.error.is_some()
    }
}

/// Runs `flag`. Warnings and errors go to the console's message stream; records to `--out` or
/// standard output.
pub fn run(opts: &FlagOptions, console: &mut Console<'_>) -> Result<i32, CommandError> {
    let rules = load_rules(opts.rules.as_deref())?;
    let profiler = super::load_profiler(&opts.who)?;
    let mut inputs = inputs(&opts.paths);
    if inputs.files.is_empty() && inputs.errors.is_empty() {
        return Err(CommandError::NoInput(
            "no supported files in the given folders".into(),
        ));
    }
    let target = output_target(opts.out.as_deref(), opts.force)?;
    if let Some(out) = &opts.out {
        check_roles(&[("--out", out)], None, &inputs.files)?;
    }
    // `--all` reads its inputs twice: streams are copied first (the copies live until the
    // command ends).
    let mut _copies = Vec::new();
    if opts.all {
        let (files, copies, errors) =
            crate::ingest::spool::spool_streams(std::mem::take(&mut inputs.files));
        inputs.files = files;
        inputs.errors.extend(errors);
        _copies = copies;
    }
    let files = &inputs.files;
    let (out, tty) = (&mut *console.out, console.out_is_terminal);
    let (reports, count) = if opts.all {
        write_all_records(opts, files, rules, profiler, &target, out, tty)?
    } else {
        write_flagged(opts, files, rules, profiler, &target, out, tty)?
    };
    let err = &mut *console.err;
    let failed = report_problems(err, &inputs, &reports);
    let t = super::scan::totals(&reports, inputs.errors.len());
    let _ = writeln!(
        err,
        "{} written ({} flagged of {} in {}{}){}",
        plural(count, "record"),
        t.flagged,
        plural(t.records, "record"),
        plural(t.rows, "row"),
        if t.warnings > 0 {
            format!(", {}", plural(t.warnings, "warning"))
        } else {
            String::new()
        },
        match &target {
            Target::Stdout => String::new(),
            other => format!(" to {}", other.describe()),
        }
    );
    Ok(if failed { EXIT_INPUT } else { EXIT_OK })
}

/// `flag --all`: every record, flagged or not, in two passes (the first finds duplicates and
/// the columns, the second writes).
fn write_all_records(
    opts: &FlagOptions,
    files: &[InputFile],
    rules: Arc<RuleSet>,
    profiler: Arc<crate::agency::Profiler>,
    target: &Target,
    out: &mut dyn Write,
    tty: bool,
) -> Result<(Vec<FileReport>, u64), CommandError> {
    let out_err = super::output_error(opts.out.as_deref());
    let mut catalog = Catalog::new(rules).with_profiler(profiler.clone());
    let mut pass1 = DupPass {
        seen: IdSet::new(),
        later: FxHashMap::default(),
        columns: ColumnUnion::default(),
    };
    let reports: Vec<FileReport> = files
        .iter()
        .enumerate()
        .map(|(i, f)| read_file(i as u32, f, &opts.read, &mut catalog, &mut pass1))
        .collect();
    let DupPass { later, columns, .. } = pass1;
    let readable: Vec<(usize, &InputFile)> = files
        .iter()
        .enumerate()
        .filter(|(i, _)| reports[*i].kind.is_some())
        .collect();
    let columns = columns.into_labels();
    let profiles = super::profiles_of(profiler, &catalog, &reports);
    let (count, _) = target
        .write(out, tty, false, |w| {
            let writer =
                RecordWriter::with_cells(w, opts.format, columns, who_columns(), opts.cells)?;
            let mut pass2 = WritePass {
                reports: &reports,
                profiles: &profiles,
                later,
                written: IdSet::new(),
                writer,
                queued: Queued::default(),
                error: None,
            };
            for (i, f) in &readable {
                read_file(*i as u32, f, &opts.read, &mut catalog, &mut pass2);
            }
            if let Some(e) = pass2.error {
                return Err(e);
            }
            let made = Made {
                catalog: &catalog,
                reports: &reports,
                profiles: &profiles,
            };
            pass2
                .writer
                .write_queued(&mut pass2.queued, &made, kept_record)?;
            pass2.writer.finish()
        })
        .map_err(out_err)?;
    Ok((reports, count))
}

/// `flag`: the flagged records, kept from one pass.
fn write_flagged(
    opts: &FlagOptions,
    files: &[InputFile],
    rules: Arc<RuleSet>,
    profiler: Arc<crate::agency::Profiler>,
    target: &Target,
    out: &mut dyn Write,
    tty: bool,
) -> Result<(Vec<FileReport>, u64), CommandError> {
    let out_err = super::output_error(opts.out.as_deref());
    let mut catalog = Catalog::new(rules).with_profiler(profiler.clone());
    let mut sink = FlaggedSink::new();
    let mut reports: Vec<FileReport> = files
        .iter()
        .enumerate()
        .map(|(i, f)| read_file(i as u32, f, &opts.read, &mut catalog, &mut sink))
        .collect();
    let firsts = sink.tally.finish(&mut reports);
    // A flagged row that repeats an earlier, unflagged row of the same record is no record.
    let records: Vec<_> = sink
        .flagged
        .iter()
        .filter(|(n, ..)| firsts[*n as usize])
        .collect();
    let mut columns = ColumnUnion::default();
    for (_, (row, ..)) in &records {
        columns.note(&row.schema, row.cells.len());
    }
    let profiles = super::profiles_of(profiler, &catalog, &reports);
    let (count, _) = target
        .write(out, tty, false, |w| {
            let mut writer = RecordWriter::with_cells(
                w,
                opts.format,
                columns.into_labels(),
                who_columns(),
                opts.cells,
            )?;
            let made = Made {
                catalog: &catalog,
                reports: &reports,
                profiles: &profiles,
            };
            writer.write_all(&made, &records, |made, (_, kept)| kept_record(made, kept))?;
            writer.finish()
        })
        .map_err(out_err)?;
    Ok((reports, count))
}
