//! `alpr-triage merge`: several reviewers' annotation files into one, with agreement figures.

use std::io::Write;
use std::path::PathBuf;

use serde_json::json;

use super::{CommandError, EXIT_OK};
use crate::merge::{Merged, merge};
use crate::model::Verdict;

/// Options of `merge`.
#[derive(Clone, Debug)]
pub struct MergeCommand {
    /// Annotation files.
    pub files: Vec<PathBuf>,
    /// The merged file.
    pub out: PathBuf,
    /// Replace it if it exists.
    pub force: bool,
    /// Print the report as JSON.
    pub json: bool,
}

/// Runs `merge`.
pub fn run(opts: &MergeCommand, stdout: &mut dyn Write) -> Result<i32, CommandError> {
    if opts.files.len() < 2 {
        return Err(CommandError::NoInput(
            "merge needs two or more annotation files".into(),
        ));
    }
    if opts.out.exists() && !opts.force {
        return Err(CommandError::Output {
            path: opts.out.display().to_string(),
            message: "already exists; pass --force to replace it".into(),
        });
    }
    let mut inputs = Vec::new();
    for f in &opts.files {
        let shown = f.display().to_string();
        let bytes = std::fs::read(f).map_err(|e| CommandError::Output {
            path: shown.clone(),
            message: format!("cannot read: {e}"),
        })?;
        let list = crate::store::parse(&bytes, &shown).map_err(|e| CommandError::Output {
            path: shown.clone(),
            message: e
                .to_string()
                .trim_start_matches(&format!("{shown}: "))
                .to_string(),
        })?;
        inputs.push(list);
    }
    let merged = merge(&inputs);
    let mut store = crate::store::Store::empty(&opts.out);
    for a in &merged.annotations {
        store.set(a.clone());
    }
    store.save().map_err(|e| CommandError::Output {
        path: opts.out.display().to_string(),
        message: e.to_string(),
    })?;
    let result = if opts.json {
        report_json(stdout, &merged, opts)
    } else {
        report_text(stdout, &merged, opts)
    };
    result.map_err(|e| CommandError::Output {
        path: "standard output".into(),
        message: e.to_string(),
    })?;
    Ok(EXIT_OK)
}

fn v(x: Option<Verdict>) -> &'static str {
    x.map(Verdict::as_str).unwrap_or("none")
}

fn report_text(out: &mut dyn Write, m: &Merged, opts: &MergeCommand) -> std::io::Result<()> {
    writeln!(
        out,
        "merged {} files: {} records, {} reviewers ({}), {} conflicts → {}",
        opts.files.len(),
        m.annotations.len(),
        m.reviewers.len(),
        m.reviewers.iter().cloned().collect::<Vec<_>>().join(", "),
        m.conflicts.len(),
        opts.out.display()
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
            p.a,
            p.b,
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
    if !m.conflicts.is_empty() {
        writeln!(
            out,
            "\nconflicts (open the merged file in alpr-triage and filter verdict:conflict to adjudicate):"
        )?;
        for c in &m.conflicts {
            let vs: Vec<String> = c
                .verdicts
                .iter()
                .map(|(r, x)| format!("{r}={}", v(*x)))
                .collect();
            writeln!(
                out,
                "  {}  {} · {}  {}",
                c.record_id,
                c.agency,
                c.reason,
                vs.join(" ")
            )?;
        }
    }
    Ok(())
}

fn report_json(out: &mut dyn Write, m: &Merged, opts: &MergeCommand) -> std::io::Result<()> {
    let doc = json!({
        "out": opts.out.display().to_string(),
        "records": m.annotations.len(),
        "reviewers": m.reviewers,
        "pairs": m.pairs.iter().map(|p| json!({
            "a": p.a, "b": p.b, "both": p.both, "agree": p.agree,
            "percent_agreement": p.percent, "kappa": p.kappa,
        })).collect::<Vec<_>>(),
        "conflicts": m.conflicts.iter().map(|c| json!({
            "record_id": c.record_id.to_string(), "agency": c.agency, "reason": c.reason,
            "verdicts": c.verdicts.iter().map(|(r, x)| json!({"reviewer": r, "verdict": v(*x)})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
