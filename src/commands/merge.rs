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
use crate::store::merge::{Merged, merge};

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
    let inputs = read_inputs(&opts.files)?;
    let merged = merge(&inputs);
    drop(inputs);
    let save_error = |e: std::io::Error| CommandError::Output {
        path: target.describe(),
        message: e.to_string(),
    };
    match &target {
        Target::File { path, .. } => {
            crate::store::replace_file(path, merged.annotations.iter()).map_err(save_error)?;
        }
        _ => {
            target
                .write(&mut *console.out, console.out_is_terminal, false, |w| {
                    crate::store::write_file(w, merged.annotations.iter())
                })
                .map_err(save_error)?;
        }
    }
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

/// Reads and parses each annotation file (with its journal), refusing a file that is a copy of
/// another (the same SHA-256).
fn read_inputs(files: &[PathBuf]) -> Result<Vec<Vec<crate::model::Annotation>>, CommandError> {
    let mut inputs = Vec::new();
    let mut digests: Vec<(String, &PathBuf)> = Vec::new();
    for f in files {
        let shown = shown(f);
        let digest = crate::digest::sha256_file(f).map_err(|e| CommandError::Output {
            path: shown.clone(),
            message: format!("cannot read: {e}"),
        })?;
        if let Some((_, same)) = digests.iter().find(|(d, _)| *d == digest) {
            return Err(CommandError::Output {
                path: shown,
                message: format!(
                    "holds exactly what {} holds (a copy of one reviewer's file would count them twice); give each reviewer's file once",
                    crate::sanitize::path(same)
                ),
            });
        }
        let doc = crate::store::read_document(f).map_err(|e| CommandError::Output {
            path: shown.clone(),
            message: e
                .to_string()
                .trim_start_matches(&format!("{}: ", f.display()))
                .to_string(),
        })?;
        inputs.push(doc.annotations);
        digests.push((digest, f));
    }
    Ok(inputs)
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
        plural(m.annotations.len() as u64, "record"),
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
        "records": m.annotations.len(),
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
