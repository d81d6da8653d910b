//! `alpr-triage masks`: before publishing, the distinct free texts an export or report of the
//! selection would publish, each with what `--redact` masks in it; and the reviewer's choices
//! (`--mask TEXT`, `--release TEXT`, `--forget TEXT`), saved with the annotations and applied by
//! every later export and report.

use std::io::Write;
use std::path::PathBuf;

use rustc_hash::FxHashMap;
use serde_json::json;

use super::{CommandError, Console, EXIT_INPUT, EXIT_OK, Selection, plural};
use crate::export::{Only, Redaction, by_row, codes_of, select};
use crate::ingest::ReadOptions;
use crate::model::Field;
use crate::model::annotation::MaskChoice;
use crate::redact::{Kind, Mask};
use crate::review::dataset::Dataset;
use crate::sanitize::visible;

/// Options of `masks`.
#[derive(Clone, Debug)]
pub struct MasksCommand {
    /// Files and folders.
    pub paths: Vec<PathBuf>,
    /// Annotation file (default: the one the review UI uses for these inputs).
    pub annotations: Option<PathBuf>,
    /// Which records (as `export --only`).
    pub only: Only,
    /// Filter language.
    pub query: String,
    /// Rules file.
    pub rules: Option<PathBuf>,
    /// How files are read.
    pub read: ReadOptions,
    /// Agency rules, overrides and 287(g) lists.
    pub who: crate::agency::WhoOptions,
    /// Texts to mask from now on.
    pub mask: Vec<String>,
    /// Texts never to mask.
    pub release: Vec<String>,
    /// Choices to take back.
    pub forget: Vec<String>,
    /// Why (kept with each choice made now).
    pub note: Option<String>,
    /// Who chooses (default: the login name).
    pub reviewer: Option<String>,
    /// List every text, not only those with a mask.
    pub all: bool,
    /// JSON instead of text.
    pub json: bool,
}

/// One distinct free text of the selection.
struct Published {
    field: &'static str,
    text: String,
    records: u64,
    masks: Vec<Mask>,
}

/// Runs `masks`.
pub fn run(opts: &MasksCommand, console: &mut Console<'_>) -> Result<i32, CommandError> {
    let mut sel = Selection::new(
        &opts.paths,
        opts.annotations.as_deref(),
        opts.rules.as_deref(),
        &opts.who,
        &opts.query,
    )?;
    let ann_path = sel.annotations.clone();
    let shown_ann = crate::sanitize::path(&ann_path);
    let changing = !(opts.mask.is_empty() && opts.release.is_empty() && opts.forget.is_empty());
    for t in opts.mask.iter().chain(&opts.release).chain(&opts.forget) {
        if t.trim().is_empty() {
            return Err(CommandError::Output {
                path: "--mask/--release/--forget".into(),
                message: "a text to choose about is empty; give the word or phrase".into(),
            });
        }
    }
    // The review UI holds this lock while it may save: a choice is not written beside it.
    let _lock = if changing {
        Some(
            crate::store::lock::Lock::acquire(&ann_path).map_err(|e| CommandError::Output {
                path: shown_ann.clone(),
                message: e.to_string(),
            })?,
        )
    } else {
        None
    };
    let (mut store, ds, _copies) = sel.load_with_annotations(&opts.read)?;
    if changing {
        let by = opts
            .reviewer
            .clone()
            .unwrap_or_else(crate::store::login_name);
        let at = crate::store::now_rfc3339();
        let same = |a: &str, b: &str| a.trim().to_lowercase() == b.trim().to_lowercase();
        for t in &opts.forget {
            let before = store.masks.len();
            store.masks.retain(|m| !same(&m.text, t));
            if store.masks.len() == before {
                let _ = writeln!(
                    console.err,
                    "warning: --forget {:?}: no choice about this text in {shown_ann}",
                    visible(t)
                );
            }
        }
        for (t, mask) in opts
            .mask
            .iter()
            .map(|t| (t, true))
            .chain(opts.release.iter().map(|t| (t, false)))
        {
            store.masks.retain(|m| !same(&m.text, t));
            store.masks.push(MaskChoice {
                text: t.trim().to_string(),
                mask,
                note: opts.note.clone(),
                by: by.clone(),
                at: at.clone(),
            });
        }
        store.save_whole().map_err(|e| CommandError::Output {
            path: shown_ann.clone(),
            message: format!("the choices were not saved: {e}"),
        })?;
    }
    let annotations = by_row(&ds, &store);
    let verdicts = codes_of(&annotations);
    let rows = select(&ds, &verdicts, opts.only, &sel.query);
    let red = Redaction::new(&ds, &store.masks);
    let texts = published(&ds, &annotations, &rows, &red);
    let failed = super::report_problems(
        &mut *console.err,
        &sel.inputs,
        &ds.files
            .iter()
            .map(|f| f.report.clone())
            .collect::<Vec<_>>(),
    );
    if opts.json {
        let doc = json!({
            "annotations": shown_ann,
            "selection": {"only": opts.only.as_str(), "query": opts.query, "records": rows.len()},
            "choices": store.masks,
            "method": crate::redact::METHOD,
            "texts": texts.iter().filter(|t| opts.all || !t.masks.is_empty()).map(|t| json!({
                "field": t.field,
                "text": t.text,
                "published": crate::redact::apply(&t.text, &t.masks),
                "records": t.records,
                "masks": t.masks.iter().map(|m| json!({"kind": m.kind.key(), "text": &t.text[m.start as usize..m.end as usize]})).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        });
        console.machine(|w| writeln!(w, "{doc}"))?;
    } else {
        console
            .human(|w| write_text(w, opts, &shown_ann, &store.masks, &rows, &texts, changing))?;
    }
    super::free_later(store);
    Ok(if failed { EXIT_INPUT } else { EXIT_OK })
}

/// The distinct reasons, text prompts and notes of the selected records, most records first,
/// each with its masks.
fn published(
    ds: &Dataset,
    annotations: &[Option<&crate::store::Annotation>],
    rows: &[u32],
    red: &Redaction,
) -> Vec<Published> {
    let mut reasons: FxHashMap<u32, u64> = FxHashMap::default();
    let mut prompts: FxHashMap<u32, u64> = FxHashMap::default();
    let mut notes: FxHashMap<&str, u64> = FxHashMap::default();
    for &r in rows {
        let syms = ds.syms(r);
        *reasons.entry(syms.reason).or_default() += 1;
        if syms.prompt != 0 {
            *prompts.entry(syms.prompt).or_default() += 1;
        }
        if let Some(a) = annotations[r as usize].filter(|a| !a.note.trim().is_empty()) {
            *notes.entry(&a.note).or_default() += 1;
        }
    }
    let mut out: Vec<Published> = Vec::new();
    let rules = &ds.catalog.rules;
    let mut add = |field: Field, text: &str, records: u64| {
        if text.trim().is_empty() {
            return;
        }
        let protect: Vec<(u32, u32)> = rules
            .match_field(Field::Reason, text)
            .iter()
            .flat_map(|h| h.spans.iter().copied())
            .collect();
        out.push(Published {
            field: if field == Field::Reason {
                "reason"
            } else if field == Field::TextPrompt {
                "text_prompt"
            } else {
                "note"
            },
            text: text.to_string(),
            records,
            masks: red.redactor.find(text, &protect),
        });
    };
    for (sym, n) in reasons {
        add(Field::Reason, ds.catalog.text(Field::Reason, sym), n);
    }
    for (sym, n) in prompts {
        add(
            Field::TextPrompt,
            ds.catalog.text(Field::TextPrompt, sym),
            n,
        );
    }
    for (note, n) in notes {
        add(Field::Officer, note, n);
    }
    out.sort_by(|a, b| {
        b.records
            .cmp(&a.records)
            .then(a.field.cmp(b.field))
            .then(a.text.cmp(&b.text))
    });
    out
}

fn write_text(
    w: &mut dyn Write,
    opts: &MasksCommand,
    ann: &str,
    choices: &[MaskChoice],
    rows: &[u32],
    texts: &[Published],
    changed: bool,
) -> std::io::Result<()> {
    if changed {
        writeln!(
            w,
            "saved in {ann}: {}",
            plural(choices.len() as u64, "mask choice")
        )?;
    }
    let masked = texts.iter().filter(|t| !t.masks.is_empty()).count();
    writeln!(
        w,
        "{} selected (--only {}{}): {}, {} with a mask under --redact",
        plural(rows.len() as u64, "record"),
        opts.only.as_str(),
        if opts.query.is_empty() {
            String::new()
        } else {
            format!(", --query {:?}", visible(&opts.query))
        },
        plural(texts.len() as u64, "distinct free text"),
        masked
    )?;
    if !choices.is_empty() {
        writeln!(w, "choices in force:")?;
        for c in choices {
            writeln!(
                w,
                "  {} {:?}  ({}, {}{})",
                if c.mask { "mask   " } else { "release" },
                visible(&c.text),
                visible(&c.by),
                visible(&c.at),
                c.note
                    .as_deref()
                    .map(|n| format!(": {}", visible(n)))
                    .unwrap_or_default()
            )?;
        }
    }
    let mut kinds: Vec<(Kind, u64)> = Vec::new();
    for t in texts {
        for m in &t.masks {
            match kinds.iter_mut().find(|(k, _)| *k == m.kind) {
                Some(e) => e.1 += t.records,
                None => kinds.push((m.kind, t.records)),
            }
        }
    }
    kinds.sort();
    if !kinds.is_empty() {
        writeln!(
            w,
            "masks as published (each text times its records): {}",
            kinds
                .iter()
                .map(|(k, n)| format!("{n} {}", k.key()))
                .collect::<Vec<_>>()
                .join(", ")
        )?;
    }
    for t in texts.iter().filter(|t| opts.all || !t.masks.is_empty()) {
        let what = t
            .masks
            .iter()
            .map(|m| {
                format!(
                    "{} {:?}",
                    m.kind.mask(),
                    visible(&t.text[m.start as usize..m.end as usize])
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        writeln!(w, "{:>8}  {:<11} {}", t.records, t.field, visible(&t.text))?;
        if !t.masks.is_empty() {
            writeln!(
                w,
                "{:>8}  {:<11} {}   ({what})",
                "",
                "→",
                visible(&crate::redact::apply(&t.text, &t.masks))
            )?;
        }
    }
    if masked > 0 {
        writeln!(
            w,
            "a false mask: alpr-triage masks … --release TEXT; a missed one: --mask TEXT (saved in {ann}, applied by every later export and report)"
        )?;
    }
    Ok(())
}
