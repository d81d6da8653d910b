//! `report.html`: one self-contained page that opens offline. The markup is well-formed XML
//! (XHTML served as HTML), the charts are inline SVG, and a Content-Security-Policy forbids
//! scripts and every fetch, so even a name that slipped past escaping could not run anything.

use std::fmt::Write as _;

use super::rows::{self, Rows};
use super::{Findings, charts};

/// Text from the data, made safe for HTML: control and bidi characters shown as `⟨U+…⟩`, then
/// `& < > " '` escaped.
pub(crate) fn esc(s: &str) -> String {
    let v = crate::sanitize::visible(s);
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One of the tables the report shares with the Markdown document.
fn shared(r: Rows) -> String {
    table(&r.head, &r.rows)
}

/// A table: `head` names the columns (a leading `#` marks a number column, aligned right).
fn table(head: &[&str], rows: &[Vec<String>]) -> String {
    let num: Vec<bool> = head.iter().map(|h| h.starts_with('#')).collect();
    let mut t = String::from("<table>\n<thead><tr>");
    for (h, n) in head.iter().zip(&num) {
        let _ = write!(
            t,
            "<th{}>{}</th>",
            if *n { " class=\"n\"" } else { "" },
            esc(h.trim_start_matches('#'))
        );
    }
    t.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        t.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            let n = num.get(i).copied().unwrap_or(false);
            let _ = write!(
                t,
                "<td{}>{}</td>",
                if n { " class=\"n\"" } else { "" },
                esc(cell)
            );
        }
        t.push_str("</tr>\n");
    }
    t.push_str("</tbody>\n</table>\n");
    t
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:64rem;margin:2rem auto;padding:0 1rem;color:#111;line-height:1.45}\
table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}th,td{border-bottom:1px solid #ccc;padding:.25rem .6rem;text-align:left;vertical-align:top}\
th{background:#f3f3f3}.n{text-align:right;font-variant-numeric:tabular-nums}code{font-size:.85rem;word-break:break-all}\
svg{max-width:100%;height:auto}.note{color:#555;font-size:.9rem}";

/// The page.
pub fn html(f: &Findings<'_>) -> std::io::Result<String> {
    let ds = f.ds;
    let agencies = f.summary.by_agency(ds);
    let months = f.summary.by_month();
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"/>\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n\
         <title>ALPR search audit: immigration-related searches</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <h1>ALPR search audit: immigration-related searches</h1>\n<p>{}</p>\n",
        esc(&f.headline())
    );
    let _ = writeln!(
        h,
        "<p class=\"note\">Selection: {}. Search times are UTC. A search is <em>flagged</em> when a rule matched it, and <em>reviewed</em> when a reviewer gave it a verdict; only reviewers' verdicts are findings.</p>",
        if f.query.trim().is_empty() {
            "every record".to_string()
        } else {
            format!("<code>{}</code>", esc(&f.query))
        }
    );
    h.push_str("<h2 id=\"by-agency\">By agency</h2>\n");
    h.push_str(&charts::by_agency(&agencies)?);
    h.push('\n');
    h.push_str(&shared(rows::breakdown("agency", &agencies)));
    h.push_str("<h2 id=\"by-month\">By month</h2>\n");
    h.push_str(&charts::by_month(&months)?);
    h.push('\n');
    h.push_str(&shared(rows::breakdown("month", &months)));
    rules_section(f, &mut h);
    who_section(f, &mut h)?;
    accounts_section(f, &mut h);
    confirmed_section(f, &mut h);
    methods_section(f, &mut h);
    h.push_str("</body>\n</html>\n");
    Ok(h)
}

/// "Who searched": out-of-state, federal, private and 287(g)-partner searches, by state and by
/// level, each owner's sharing lists, the 287(g) matches with their source rows, and how the
/// profiles were made.
fn who_section(f: &Findings<'_>, h: &mut String) -> std::io::Result<()> {
    let ds = f.ds;
    let profiler = &ds.profiles.profiler;
    h.push_str("<h2 id=\"who-searched\">Who searched</h2>\n<p class=\"note\">Each searching agency's state and level are read from its name as Flock writes it (a name is not a legal identity; see the methods). <em>Out of state</em> counts searches whose agency names another state than the owner of the file they came from; searches whose agency or owner names no state are not counted either way.</p>\n");
    h.push_str(&shared(rows::breakdown("searches by", &f.summary.by_who())));
    let states = f.summary.by_state(ds);
    h.push_str("<h3 id=\"by-state\">By the searcher's state</h3>\n");
    h.push_str(&super::charts::by_agency(&states)?);
    h.push('\n');
    h.push_str(&shared(rows::breakdown("state", &states)));
    h.push_str("<h3 id=\"by-level\">By the searcher's level</h3>\n");
    h.push_str(&shared(rows::breakdown("level", &f.summary.by_level(ds))));
    let reports: Vec<crate::ingest::FileReport> =
        ds.files.iter().map(|e| e.report.clone()).collect();
    let sharing = crate::agency::sharing::sharing_summaries(profiler, &reports);
    if !sharing.is_empty() {
        h.push_str("<h3 id=\"sharing\">Sharing lists</h3>\n<p class=\"note\">From transparency-portal pages: the organizations each owner shares its cameras with (outbound) or receives from (inbound), profiled as above.</p>\n<table><tr><th>owner</th><th class=\"n\">partners</th><th class=\"n\">out of state</th><th class=\"n\">federal</th><th class=\"n\">private</th><th>out-of-state partners</th></tr>\n");
        for s in &sharing {
            let oos = s.out_of_state();
            let _ = writeln!(
                h,
                "<tr><td>{} ({})</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
                esc(&s.owner),
                s.owner_profile.state.map_or("no state", |c| c.as_str()),
                s.partners.len(),
                oos.len(),
                s.at(crate::agency::Level::Federal).len(),
                s.at(crate::agency::Level::Private).len(),
                esc(&oos.join("; "))
            );
        }
        h.push_str("</table>\n");
    }
    if !profiler.partners.is_empty() {
        h.push_str("<h3 id=\"partners-287g\">287(g) partners</h3>\n<p class=\"note\">Searching agencies matched to ICE's 287(g) list by state, place and kind of agency (or state and whole name). An agreement is a signal to read the record closely, not a finding that a search was for immigration enforcement.</p>\n<table><tr><th>agency</th><th>agreements</th><th>matched</th><th>source</th></tr>\n");
        let mut seen = std::collections::BTreeSet::new();
        for (sym, name) in ds
            .catalog
            .strings(crate::model::Field::Agency)
            .iter()
            .enumerate()
        {
            let p = ds.profiles.of(sym as crate::intern::Sym);
            let Some(m) = &p.partner else { continue };
            if !seen.insert(name.to_string()) {
                continue;
            }
            let agreements: Vec<String> = m
                .agreements
                .iter()
                .map(|a| {
                    format!(
                        "{} ({})",
                        a.support,
                        a.signed.as_deref().unwrap_or("pending")
                    )
                })
                .collect();
            let sources: Vec<String> = m
                .agreements
                .iter()
                .map(|a| format!("{} row {}", a.file, a.row))
                .collect();
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{} by {}</td><td>{}</td></tr>",
                esc(name),
                esc(&agreements.join("; ")),
                esc(&m.agreements[0].agency),
                m.method,
                esc(&sources.join("; "))
            );
        }
        h.push_str("</table>\n");
    }
    Ok(())
}

/// The methods' words on agency profiles.
pub fn who_methods(ds: &crate::review::dataset::Dataset) -> String {
    let p = &ds.profiles.profiler;
    let list = |v: &[String]| {
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join(", ")
        }
    };
    format!(
        "Agency profiles: rules {} (SHA-256 {}); overrides: {}; 287(g) lists: {}. A profile reads the agency's name as Flock writes it: the state only where the name holds it, the level by the first rule that matches.",
        p.rules.origin,
        p.rules.hash,
        list(&p.overrides.files),
        list(&p.partners.files)
    )
}

fn rules_section(f: &Findings<'_>, h: &mut String) {
    h.push_str("<h2 id=\"by-rule\">By rule</h2>\n<p class=\"note\">How many searches each rule flagged, and what reviewers decided about them. <em>Precision as reviewed</em> is the share confirmed among those decided either way (unsure left out): the rule's precision on these files, as far as they were reviewed.</p>\n");
    h.push_str(&shared(rows::by_rule(f)));
}

fn accounts_section(f: &Findings<'_>, h: &mut String) {
    h.push_str("<h2 id=\"by-account\">By account</h2>\n");
    if f.redact {
        h.push_str("<p class=\"note\">Names left out: this report was made with <code>--redact</code>. Each agency's accounts (an officer name or user id within the agency) are counted instead.</p>\n");
        h.push_str(&shared(rows::accounts_per_agency(
            &f.summary.by_account_agency(f.ds),
        )));
        return;
    }
    let none = f.summary.without_account();
    let _ = writeln!(
        h,
        "<p class=\"note\">An account is an agency together with the officer's name (or the user id where there is no name): one name in two agencies is two accounts. {} searches have neither (or have them redacted) and are not listed.</p>",
        none.records
    );
    h.push_str(&shared(rows::accounts(&f.summary.by_account_agency(f.ds))));
}

fn confirmed_section(f: &Findings<'_>, h: &mut String) {
    let _ = writeln!(
        h,
        "<h2 id=\"confirmed\">Confirmed records</h2>\n<p class=\"note\">{} searches a reviewer confirmed as immigration-related, in time order.</p>",
        f.confirmed.len()
    );
    h.push_str(&shared(rows::confirmed(f)));
}

fn methods_section(f: &Findings<'_>, h: &mut String) {
    let ds = f.ds;
    let rules = &ds.catalog.rules;
    h.push_str("<h2 id=\"methods\">Methods</h2>\n");
    let _ = writeln!(h, "<p>{}</p>", esc(&who_methods(ds)));
    let _ = writeln!(
        h,
        "<p>Made by alpr-triage {} on {} from the files below. Records are distinct searches: a row that repeats a search already read (in the same file or an overlapping release) is counted once. Date range of the searches counted: {}. Selection: {}.</p>",
        env!("CARGO_PKG_VERSION"),
        esc(&f.created_at),
        esc(&f.date_range()),
        if f.query.trim().is_empty() {
            "every record".to_string()
        } else {
            format!("<code>{}</code>", esc(&f.query))
        }
    );
    h.push_str("<h3>Input files</h3>\n");
    let rows: Vec<Vec<String>> = ds
        .files
        .iter()
        .zip(&f.input_sha256)
        .map(|(file, sha)| {
            vec![
                file.input.display.clone(),
                sha.clone().unwrap_or_else(|| "unreadable".into()),
                file.report.rows.to_string(),
                file.report.records.to_string(),
                file.report.duplicates.to_string(),
                file.report.flagged.to_string(),
                file.report.warnings.total.to_string(),
            ]
        })
        .collect();
    h.push_str(&table(
        &[
            "file",
            "SHA-256",
            "#rows",
            "#records",
            "#duplicates",
            "#flagged",
            "#warnings",
        ],
        &rows,
    ));
    let _ = writeln!(
        h,
        "<h3>Rules</h3>\n<p>Rule set <code>{}</code> ({}), SHA-256 <code>{}</code>: {} rules (<code>alpr-triage rules</code> lists them).</p>",
        esc(&rules.name),
        esc(&rules.origin),
        esc(&rules.hash),
        rules.rules().len()
    );
    let _ = writeln!(
        h,
        "<h3>Reviewers</h3>\n<p>Annotation file <code>{}</code>, SHA-256 <code>{}</code>.</p>",
        esc(&f.annotations),
        esc(f.annotations_sha256.as_deref().unwrap_or("none (no file)"))
    );
    let rows: Vec<Vec<String>> = f
        .reviewers
        .iter()
        .map(|(name, c)| {
            vec![
                name.clone(),
                c[0].to_string(),
                c[1].to_string(),
                c[2].to_string(),
            ]
        })
        .collect();
    h.push_str(&table(
        &["reviewer", "#immigration", "#not", "#unsure"],
        &rows,
    ));
    if !f.agreement.is_empty() {
        h.push_str("<p>Agreement between reviewers (the annotation file was merged from several reviewers' files): on the records both gave a verdict, the share with the same verdict and Cohen's kappa.</p>\n");
        let rows: Vec<Vec<String>> = f
            .agreement
            .iter()
            .map(|p| {
                vec![
                    p.a.clone(),
                    p.b.clone(),
                    p.both.to_string(),
                    p.agree.to_string(),
                    p.percent
                        .map(|x| format!("{x:.1}%"))
                        .unwrap_or_else(|| "–".into()),
                    p.kappa
                        .map(|k| format!("{k:.3}"))
                        .unwrap_or_else(|| "n/a".into()),
                ]
            })
            .collect();
        h.push_str(&table(
            &[
                "reviewer",
                "reviewer",
                "#both",
                "#agree",
                "#agreement",
                "#kappa",
            ],
            &rows,
        ));
    }
    if f.redact {
        let _ = writeln!(
            h,
            "<p>Redacted: officer names, user ids, plates and case numbers are left out of this report. {} Masks in this report: {}.</p>",
            esc(crate::redact::METHOD),
            esc(&super::mask_counts(&f.masks))
        );
    }
}
