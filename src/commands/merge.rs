//! `alpr-triage merge`: several reviewers' annotation files into one, with agreement figures.

use std::io::Write;
use std::path::PathBuf;

use serde_json::json;

use super::{CommandError, Console, EXIT_OK};
use crate::commands::plural;
use crate::files::target::{FileKey, Target, file_key};
use crate::model::Verdict;
use crate::sanitize::path as shown;
use crate::sanitize::visible;
use crate::store::merge::{Merged, Votes, merge_records};
use crate::store::positions::Positions;
use crate::store::{FileAgency, MaskChoice};

/// Options of `merge`.
#[derive(Clone, Debug)]
pub struct MergeCommand {
    /// Annotation files.
    pub files: Vec<PathBuf>,
    /// The merged file (`-`: standard output, and the report goes to standard error).
    pub out: PathBuf,
    /// Replace it if it exists.
    pub force: bool,
    /// Print the report as JSON.
    pub json: bool,
}

/// Runs `merge`.
pub fn run(opts: &MergeCommand, console: &mut Console<'_>) -> Result<i32, CommandError> {
    if opts.files.len() < 2 {
        return Err(CommandError::NoInput(
            "merge needs two or more annotation files".into(),
        ));
    }
    let target = Target::resolve(&opts.out, opts.force)?;
    let keys: Vec<Option<FileKey>> = opts.files.iter().map(|f| file_key(f)).collect();
    for (i, k) in keys.iter().enumerate() {
        if k.is_some() && keys[..i].contains(k) {
            return Err(CommandError::Output {
                path: shown(&opts.files[i]),
                message: "is given twice (a file merged with itself would count its reviewer twice); give each reviewer's file once".into(),
            });
        }
    }
    let mut roles: Vec<(String, &std::path::Path)> = vec![("--out".into(), &opts.out)];
    roles.extend(
        opts.files
            .iter()
            .map(|f| (format!("the input {}", shown(f)), f.as_path())),
    );
    crate::files::target::check_distinct(&roles)?;
    let files = open_inputs(&opts.files)?;
    let save_error = |e: std::io::Error| CommandError::Output {
        path: target.describe(),
        message: e.to_string(),
    };
    let (agencies, mut differ) = merged_agencies(&files);
    let masks = merged_masks(&files, &mut differ);
    let mut walk = Walk::new(&files);
    let written = match &target {
        Target::File { path, .. } => {
            crate::store::replace_file_with(path, &agencies, &masks, |lines| walk.write(lines))
        }
        _ => target
            .write(&mut *console.out, console.out_is_terminal, false, |w| {
                crate::store::write_file_with(w, &agencies, &masks, |lines| walk.write(lines))
            })
            .map(|_| ()),
    };
    for d in &differ {
        let _ = writeln!(console.err, "warning: {d}");
    }
    if let Some((i, e)) = walk.failed.take() {
        return Err(input_error(&opts.files[i], e));
    }
    written.map_err(save_error)?;
    let merged = walk.finish();
    let to_stdout = file_key(&opts.out) == Some(FileKey::Stdout);
    let shown_out = target.describe();
    if opts.json {
        let doc = report_json(&merged, &shown_out);
        if to_stdout {
            let _ = writeln!(console.err, "{doc}");
        } else {
            console.machine(|w| writeln!(w, "{doc}"))?;
        }
    } else if to_stdout {
        let mut text = Vec::new();
        report_text(&mut text, &merged, opts, &shown_out).map_err(super::output_error(None))?;
        let _ = console.err.write_all(&text);
    } else {
        console.human(|w| report_text(w, &merged, opts, &shown_out))?;
    }
    Ok(EXIT_OK)
}

/// The mask choices of every input, one per text (without regard to case): where two inputs
/// differ, the later is kept and the difference goes to `differ` (for a warning).
fn merged_masks(files: &[Positions], differ: &mut Vec<String>) -> Vec<MaskChoice> {
    let mut kept: Vec<MaskChoice> = Vec::new();
    for m in files.iter().flat_map(|f| &f.masks) {
        match kept
            .iter_mut()
            .find(|k| k.text.to_lowercase() == m.text.to_lowercase())
        {
            None => kept.push(m.clone()),
            Some(k) if k.mask == m.mask => {}
            Some(k) => {
                let (old, new) = if m.at > k.at {
                    (k.clone(), m.clone())
                } else {
                    (m.clone(), k.clone())
                };
                let said = |c: &MaskChoice| if c.mask { "mask it" } else { "release it" };
                differ.push(format!(
                    "the text {:?}: {} said {}, {} said {}; the later ({}) is kept",
                    visible(&new.text),
                    visible(&old.by),
                    said(&old),
                    visible(&new.by),
                    said(&new),
                    visible(&new.by),
                ));
                *k = new;
            }
        }
    }
    kept
}

/// The agencies named for files (`A`) and the profile corrections (`P`) of every input, one
/// per file or agency name: where two inputs differ, the later named is kept and the
/// difference is described (for a warning).
fn merged_agencies(files: &[Positions]) -> (Vec<FileAgency>, Vec<String>) {
    let key = |a: &FileAgency| {
        if a.is_profile() {
            (true, crate::agency::overrides::key(&a.agency))
        } else {
            (false, a.path.display().to_string())
        }
    };
    let mut kept: Vec<FileAgency> = Vec::new();
    let mut differ = Vec::new();
    for a in files.iter().flat_map(|f| &f.agencies) {
        match kept.iter_mut().find(|k| key(k) == key(a)) {
            None => kept.push(a.clone()),
            Some(k) if k.said() == a.said() && k.note == a.note => {}
            Some(k) => {
                let (old, new) = if a.named_at > k.named_at {
                    (k.clone(), a.clone())
                } else {
                    (a.clone(), k.clone())
                };
                differ.push(format!(
                    "{} {}: {} said {:?}, {} said {:?}; the later ({}) is kept",
                    if a.is_profile() {
                        "the profile of"
                    } else {
                        "the agency of"
                    },
                    visible(if new.is_profile() {
                        &new.agency
                    } else {
                        &new.file
                    }),
                    visible(&old.named_by),
                    visible(&old.said()),
                    visible(&new.named_by),
                    visible(&new.said()),
                    visible(&new.named_by),
                ));
                *k = new;
            }
        }
    }
    (kept, differ)
}

/// Finds the records of each annotation file (with its journal), refusing a file that is a
/// copy of another (the same SHA-256).
fn open_inputs(files: &[PathBuf]) -> Result<Vec<Positions>, CommandError> {
    // Each file read on a thread of its own.
    let opened: Vec<_> = std::thread::scope(|s| {
        let threads: Vec<_> = files
            .iter()
            .map(|f| s.spawn(|| Positions::open(f)))
            .collect();
        threads
            .into_iter()
            .map(|t| t.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    let mut seen: Vec<&PathBuf> = Vec::new();
    let mut out: Vec<Positions> = Vec::new();
    for (f, p) in files.iter().zip(opened) {
        let p = p.map_err(|e| input_error(f, e))?;
        if let Some(same) = seen
            .iter()
            .zip(&out)
            .find(|(_, o)| o.sha256 == p.sha256)
            .map(|(s, _)| s)
        {
            return Err(CommandError::Output {
                path: shown(f),
                message: format!(
                    "holds exactly what {} holds (a copy of one reviewer's file would count them twice); give each reviewer's file once",
                    crate::sanitize::path(same)
                ),
            });
        }
        out.push(p);
        seen.push(f);
    }
    Ok(out)
}

/// An input file's problem, as the command reports it.
fn input_error(f: &std::path::Path, e: crate::store::StoreError) -> CommandError {
    CommandError::Output {
        path: shown(f),
        message: e
            .to_string()
            .trim_start_matches(&format!("{}: ", f.display()))
            .to_string(),
    }
}

/// Records taken from each file for one span of a merge.
const SPAN: usize = 8192;

/// The merge of several files, a span of record ids at a time: each span's annotations read,
/// merged and encoded on a core of its own, a round of spans at a time, and written in order.
/// What the merge found is gathered as it goes; no file is held whole.
struct Walk<'a> {
    files: &'a [Positions],
    /// Records taken from each file for a span ([`SPAN`]; tests take fewer).
    span: usize,
    /// Where each file's records not yet merged start.
    next: Vec<usize>,
    merged: Merged,
    votes: Votes,
    /// The input that could not be read (its index), and why.
    failed: Option<(usize, crate::store::StoreError)>,
}

impl<'a> Walk<'a> {
    fn new(files: &'a [Positions]) -> Walk<'a> {
        Walk {
            files,
            span: SPAN,
            next: vec![0; files.len()],
            merged: Merged::default(),
            votes: Votes::default(),
            failed: None,
        }
    }

    /// The next span: for each file, its records with ids below the first id `span` records
    /// ahead in any file (all that is left when no file has that many). None at the end.
    fn span(&mut self) -> Option<Vec<std::ops::Range<usize>>> {
        let entries = |f: usize| self.files[f].entries();
        if (0..self.files.len()).all(|f| self.next[f] >= entries(f).len()) {
            return None;
        }
        let below = (0..self.files.len())
            .filter_map(|f| entries(f).get(self.next[f] + self.span).map(|e| e.0))
            .min();
        let span: Vec<_> = (0..self.files.len())
            .map(|f| {
                let rest = &entries(f)[self.next[f]..];
                let n = below.map_or(rest.len(), |b| rest.partition_point(|e| e.0 < b));
                self.next[f]..self.next[f] + n
            })
            .collect();
        for (f, r) in span.iter().enumerate() {
            self.next[f] = r.end;
        }
        Some(span)
    }

    /// Writes the merged annotations, in record-id order: a round of spans is merged on
    /// another thread (on every core) while the round before is written here.
    fn write(&mut self, lines: &mut crate::store::Lines<'_>) -> std::io::Result<()> {
        type Round = Vec<Result<(Vec<u8>, Merged, Votes), (usize, crate::store::StoreError)>>;
        let round = crate::threads::cores() * crate::threads::SHARES_PER_THREAD;
        let mut rounds = Vec::new();
        while let Some(first) = self.span() {
            let mut spans = vec![first];
            spans.extend(std::iter::from_fn(|| self.span()).take(round - 1));
            rounds.push(spans);
        }
        let files = self.files;
        std::thread::scope(|s| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Round>(1);
            s.spawn(move || {
                for spans in rounds {
                    let done =
                        crate::threads::ordered(spans.len(), |i| merge_span(files, &spans[i]));
                    let failed = done.iter().any(Result::is_err);
                    if tx.send(done).is_err() || failed {
                        return;
                    }
                }
            });
            for d in rx.into_iter().flatten() {
                let (text, merged, votes) = match d {
                    Ok(d) => d,
                    Err(e) => {
                        let why = e.1.to_string();
                        self.failed = Some(e);
                        return Err(std::io::Error::other(why));
                    }
                };
                lines.write(&text)?;
                self.merged.records += merged.records;
                self.merged.conflicts.extend(merged.conflicts);
                self.merged.superseded.extend(merged.superseded);
                self.merged.reviewers.extend(merged.reviewers);
                self.votes.extend(votes);
            }
            Ok(())
        })
    }

    /// What the merge found, with the agreement figures.
    fn finish(self) -> Merged {
        Merged {
            pairs: self.votes.pairs(),
            ..self.merged
        }
    }
}

/// One span merged: the merged annotations as file lines, what the merge found (without the
/// annotations), and the span's votes. Fails with the input that could not be read.
fn merge_span(
    files: &[Positions],
    span: &[std::ops::Range<usize>],
) -> Result<(Vec<u8>, Merged, Votes), (usize, crate::store::StoreError)> {
    let mut inputs = Vec::with_capacity(files.len());
    for (f, (p, r)) in files.iter().zip(span).enumerate() {
        inputs.push(p.read(&p.entries()[r.clone()]).map_err(|e| (f, e))?);
    }
    let mut merged = merge_records(&inputs);
    drop(inputs);
    let mut text = Vec::new();
    let mut votes = Votes::default();
    for a in &merged.annotations {
        // Encoding into memory fails only for a map with non-string keys: none here.
        let _ = crate::store::encode_line(&mut text, a);
        votes.add(a);
    }
    merged.annotations = Vec::new();
    Ok((text, merged, votes))
}

fn v(x: Option<Verdict>) -> &'static str {
    x.map(Verdict::as_str).unwrap_or("none")
}

fn report_text(
    out: &mut dyn Write,
    m: &Merged,
    opts: &MergeCommand,
    shown_out: &str,
) -> std::io::Result<()> {
    writeln!(
        out,
        "merged {}: {}, {} ({}), {} → {}",
        plural(opts.files.len() as u64, "file"),
        plural(m.records as u64, "record"),
        plural(m.reviewers.len() as u64, "reviewer"),
        visible(&m.reviewers.iter().cloned().collect::<Vec<_>>().join(", ")),
        plural(m.conflicts.len() as u64, "conflict"),
        shown_out
    )?;
    writeln!(
        out,
        "\n{:<16} {:<16} {:>6} {:>6} {:>9} {:>8}",
        "reviewer", "reviewer", "both", "agree", "agreement", "kappa"
    )?;
    for p in &m.pairs {
        writeln!(
            out,
            "{:<16} {:<16} {:>6} {:>6} {:>9} {:>8}",
            visible(&p.a),
            visible(&p.b),
            p.both,
            p.agree,
            p.percent
                .map(|x| format!("{x:.1}%"))
                .unwrap_or_else(|| "n/a".into()),
            p.kappa
                .map(|k| format!("{k:.3}"))
                .unwrap_or_else(|| "n/a".into())
        )?;
    }
    if !m.superseded.is_empty() {
        writeln!(
            out,
            "\n{} changed between the files; the later verdict is kept:",
            plural(m.superseded.len() as u64, "verdict")
        )?;
        for s in &m.superseded {
            writeln!(
                out,
                "  {}  {}: {} → {}",
                s.record_id,
                visible(&s.reviewer),
                v(s.from),
                v(s.to)
            )?;
        }
    }
    if !m.conflicts.is_empty() {
        writeln!(
            out,
            "\nconflicts (open the merged file in alpr-triage and filter verdict:conflict to adjudicate):"
        )?;
        for c in &m.conflicts {
            let vs: Vec<String> = c
                .verdicts
                .iter()
                .map(|(r, x)| format!("{}={}", visible(r), v(*x)))
                .collect();
            writeln!(
                out,
                "  {}  {} · {}  {}",
                c.record_id,
                visible(&c.agency),
                visible(&c.reason),
                vs.join(" ")
            )?;
            if let Some(why) = &c.contradiction {
                writeln!(out, "      {}", visible(why))?;
            }
        }
    }
    Ok(())
}

fn report_json(m: &Merged, shown_out: &str) -> String {
    let doc = json!({
        "out": shown_out,
        "records": m.records,
        "reviewers": m.reviewers,
        "pairs": m.pairs.iter().map(|p| json!({
            "a": p.a, "b": p.b, "both": p.both, "agree": p.agree,
            "percent_agreement": p.percent, "kappa": p.kappa,
        })).collect::<Vec<_>>(),
        "conflicts": m.conflicts.iter().map(|c| json!({
            "record_id": c.record_id.to_string(), "agency": c.agency, "reason": c.reason,
            "verdicts": c.verdicts.iter().map(|(r, x)| json!({"reviewer": r, "verdict": v(*x)})).collect::<Vec<_>>(),
            "contradiction": c.contradiction,
        })).collect::<Vec<_>>(),
        "superseded": m.superseded.iter().map(|s| json!({
            "record_id": s.record_id.to_string(), "reviewer": s.reviewer,
            "from": v(s.from), "to": v(s.to),
        })).collect::<Vec<_>>(),
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{RecordId, Verdict};
    use crate::store::{Annotation, RecordSummary, Review, Store, read_document, write_file};

    fn ann(n: u32, reviewer: &str, verdict: Option<Verdict>, at: &str) -> Annotation {
        Annotation {
            record_id: RecordId::from_key(&n.to_le_bytes()),
            verdict,
            note: if n.is_multiple_of(3) {
                format!("{reviewer} on {n}").into()
            } else {
                Default::default()
            },
            reviewer: reviewer.into(),
            annotated_at: at.into(),
            query: "flagged:yes".into(),
            record: RecordSummary {
                agency: "Dallas TX PD".into(),
                reason: format!("reason {n}").into(),
                search_time: Some("2025-01-01T00:00:00Z".into()),
                sources: [format!("a.csv:{}", n + 2)].into_iter().collect(),
            },
            reviews: Default::default(),
            conflict: false,
            adjudicated_by: None,
        }
    }

    fn write(path: &std::path::Path, list: &[Annotation]) {
        let mut text = Vec::new();
        write_file(&mut text, list.iter()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// Without its first line (the time it was written).
    fn body(text: &[u8]) -> &[u8] {
        &text[text.iter().position(|&b| b == b'\n').unwrap()..]
    }

    /// Files in record-id order and not, one with a journal, one laid out otherwise, an
    /// earlier merge among them: merged a few records at a time, the file written and what the
    /// merge found are those of merging the whole files in memory.
    #[test]
    fn a_merge_span_by_span_is_the_merge_of_the_whole_files() {
        let dir = tempfile::tempdir().unwrap();
        let verdicts = [
            Some(Verdict::Immigration),
            Some(Verdict::NotImmigration),
            None,
        ];
        let a: Vec<Annotation> = (0..40)
            .map(|n| ann(n, "ana", verdicts[n as usize % 3], "2026-11-30T12:00:00Z"))
            .collect();
        let mut b: Vec<Annotation> = (20..60)
            .map(|n| ann(n, "bo", verdicts[n as usize % 2], "2026-11-30T13:00:00Z"))
            .collect();
        // An earlier merge's record, and ana again with a later verdict.
        b[0].reviews = vec![
            Review {
                reviewer: "cy".into(),
                verdict: Some(Verdict::Unsure),
                note: Default::default(),
                annotated_at: "2026-11-29T10:00:00Z".into(),
            },
            Review {
                reviewer: "ana".into(),
                verdict: Some(Verdict::NotImmigration),
                note: "later".into(),
                annotated_at: "2026-12-01T10:00:00Z".into(),
            },
        ]
        .into();
        b.reverse();
        let c: Vec<Annotation> = (50..70)
            .map(|n| Annotation {
                adjudicated_by: (n == 55).then(|| "dee".into()),
                ..ann(n, "cy", verdicts[n as usize % 3], "2026-11-30T14:00:00Z")
            })
            .collect();
        let paths: Vec<PathBuf> = ["a.json", "b.json", "c.json"]
            .iter()
            .map(|n| dir.path().join(n))
            .collect();
        let mut sorted = a.clone();
        sorted.sort_by_key(|x| x.record_id);
        write(&paths[0], &sorted);
        write(&paths[1], &b);
        let mut one_line = Vec::new();
        write_file(&mut one_line, c.iter()).unwrap();
        one_line.retain(|&x| x != b'\n');
        std::fs::write(&paths[2], one_line).unwrap();
        // b's journal: a record changed, one removed, one added.
        let mut store = Store::open(&paths[1]).unwrap();
        store.set_journal_limits(0, 1000);
        store.set(ann(25, "bo", Some(Verdict::Unsure), "2026-12-02T00:00:00Z"));
        store.remove(b[3].record_id);
        store.set(ann(
            99,
            "bo",
            Some(Verdict::Immigration),
            "2026-12-02T00:00:00Z",
        ));
        store.save().unwrap();
        drop(store);
        assert!(crate::store::journal::path(&paths[1]).exists());

        let whole: Vec<Vec<Annotation>> = paths
            .iter()
            .map(|p| read_document(p).unwrap().annotations)
            .collect();
        let expected = crate::store::merge::merge(&whole);
        assert!(!expected.conflicts.is_empty() && !expected.superseded.is_empty());
        let mut expected_text = Vec::new();
        write_file(&mut expected_text, expected.annotations.iter()).unwrap();

        let files = open_inputs(&paths).unwrap();
        for span in [1, 3, 1000] {
            let mut walk = Walk::new(&files);
            walk.span = span;
            let mut text = Vec::new();
            crate::store::write_file_with(&mut text, &[], &[], |lines| walk.write(lines)).unwrap();
            assert!(walk.failed.is_none());
            let got = walk.finish();
            assert_eq!(body(&text), body(&expected_text), "span {span}");
            assert_eq!(got.records, expected.annotations.len());
            assert_eq!(got.conflicts, expected.conflicts);
            assert_eq!(got.superseded, expected.superseded);
            assert_eq!(got.reviewers, expected.reviewers);
            assert_eq!(got.pairs, expected.pairs);
        }
    }

    /// A damaged annotation line is found as the merge reads it, and reported as reading the
    /// whole file reports it; the merge writes nothing.
    #[test]
    fn a_damaged_line_fails_the_merge_with_what_is_wrong() {
        let dir = tempfile::tempdir().unwrap();
        let (p, q) = (dir.path().join("a.json"), dir.path().join("b.json"));
        let list: Vec<Annotation> = (0..10)
            .map(|n| ann(n, "ana", Some(Verdict::Unsure), "2026-11-30T12:00:00Z"))
            .collect();
        write(&p, &list);
        let other: Vec<Annotation> = (0..10)
            .map(|n| ann(n, "bo", Some(Verdict::Unsure), "2026-11-30T12:00:00Z"))
            .collect();
        write(&q, &other);
        let text = std::fs::read_to_string(&q).unwrap();
        std::fs::write(
            &q,
            text.replacen("\"verdict\":\"unsure\"", "\"verdict\":\"maybe\"", 1),
        )
        .unwrap();
        let expected = read_document(&q).unwrap_err().to_string();
        let files = open_inputs(&[p, q.clone()]).unwrap();
        let mut walk = Walk::new(&files);
        let mut out = Vec::new();
        let r = crate::store::write_file_with(&mut out, &[], &[], |lines| walk.write(lines));
        assert!(r.is_err());
        let (i, e) = walk.failed.unwrap();
        assert_eq!((i, e.to_string()), (1, expected));
        assert!(
            !String::from_utf8_lossy(&out).contains("\"bo\""),
            "nothing merged written"
        );
    }
}
