//! `agencies`: every agency the inputs name, once, with its profile (state, level, inactive,
//! why), its role, its records and flagged records, and its 287(g) agreements; then the names
//! no rule could place, biggest first. `sharing`: each portal page's sharing lists, profiled.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::{Value, json};

use super::tally::Tally;
use super::{CommandError, Console, EXIT_INPUT, EXIT_OK, inputs, load_profiler, load_rules};
use crate::agency::sharing::{SharingSummary, sharing_summaries};
use crate::agency::{Level, Profile, Profiler, who::partner_value};
use crate::ingest::catalog::{Catalog, TextSyms};
use crate::ingest::{FileReport, ReadOptions, Row, RowOutcome, RowSink, read_file};
use crate::intern::Sym;
use crate::sanitize::visible;

/// What `agencies` and `sharing` read.
#[derive(Debug, Default)]
pub struct AgenciesOptions {
    /// Files and folders.
    pub paths: Vec<PathBuf>,
    /// Flag rules (for the flagged counts).
    pub rules: Option<PathBuf>,
    /// How files are read.
    pub read: ReadOptions,
    /// Agency rules, overrides and 287(g) lists.
    pub who: crate::agency::WhoOptions,
    /// JSON instead of text.
    pub json: bool,
}

/// Each row's agency, for counting records per agency once duplicates are known.
#[derive(Default)]
struct AgencySink {
    tally: Tally,
    agency: Vec<Sym>,
}

impl RowSink for AgencySink {
    fn begin_file(&mut self, file: u32, report: &FileReport) {
        self.tally.begin_file(file, report);
    }

    fn row(&mut self, row: &Row<'_>, syms: &TextSyms, catalog: &Catalog) -> RowOutcome {
        self.tally.note(row.id, catalog.is_flagged(syms));
        self.agency.push(syms.agency);
        RowOutcome::default()
    }
}

/// What a load found, for both commands.
struct Loaded {
    reports: Vec<FileReport>,
    catalog: Catalog,
    /// Records and flagged records by agency symbol.
    counts: Vec<(u64, u64)>,
    errors: Vec<String>,
    profiler: Arc<Profiler>,
}

fn load(opts: &AgenciesOptions, count: bool) -> Result<Loaded, CommandError> {
    let rules = load_rules(opts.rules.as_deref())?;
    let profiler = load_profiler(&opts.who)?;
    let inputs = inputs(&opts.paths);
    if inputs.files.is_empty() && inputs.errors.is_empty() {
        return Err(CommandError::NoInput(
            "no supported files in the given folders".into(),
        ));
    }
    let mut catalog = Catalog::new(rules).with_profiler(profiler.clone());
    let mut sink = AgencySink::default();
    let mut reports: Vec<FileReport> = inputs
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| read_file(i as u32, f, &opts.read, &mut catalog, &mut sink))
        .collect();
    let firsts = sink.tally.finish(&mut reports);
    let mut counts = vec![(0u64, 0u64); catalog.len(crate::model::Field::Agency)];
    if count {
        let flagged = sink.tally.flagged_rows();
        for (n, &sym) in sink.agency.iter().enumerate() {
            if firsts[n] {
                let c = &mut counts[sym as usize];
                c.0 += 1;
                c.1 += u64::from(flagged[n]);
            }
        }
    }
    Ok(Loaded {
        reports,
        catalog,
        counts,
        errors: inputs.errors,
        profiler,
    })
}

/// Problems with the inputs and the 287(g) lists, to the message stream; true when a file
/// failed.
fn problems(console: &mut Console<'_>, l: &Loaded) -> bool {
    let err = &mut *console.err;
    for e in &l.errors {
        let _ = writeln!(err, "alpr-triage: {}", visible(e));
    }
    let mut failed = !l.errors.is_empty();
    for r in &l.reports {
        if let Some(e) = &r.error {
            failed = true;
            let _ = writeln!(err, "alpr-triage: {}", visible(e));
        }
    }
    for w in &l.profiler.partners.warnings {
        let _ = writeln!(err, "alpr-triage: 287(g) list: {}", visible(w));
    }
    failed
}

/// One agency in the listing.
struct Entry {
    name: String,
    profile: Profile,
    roles: Vec<&'static str>,
    records: u64,
    flagged: u64,
}

fn entries(l: &Loaded) -> Vec<Entry> {
    let mut by_name: BTreeMap<String, Entry> = BTreeMap::new();
    let mut add = |name: &str, role: &'static str, profile: &dyn Fn() -> Profile, n: (u64, u64)| {
        let e = by_name.entry(name.to_string()).or_insert_with(|| Entry {
            name: name.to_string(),
            profile: profile(),
            roles: Vec::new(),
            records: 0,
            flagged: 0,
        });
        if !e.roles.contains(&role) {
            e.roles.push(role);
        }
        e.records += n.0;
        e.flagged += n.1;
    };
    let profiles = super::profiles_of(l.profiler.clone(), &l.catalog, &l.reports);
    let names = l.catalog.strings(crate::model::Field::Agency);
    for (sym, name) in names.iter().enumerate() {
        let n = l.counts.get(sym).copied().unwrap_or_default();
        if n.0 == 0 {
            continue;
        }
        add(name, "searcher", &|| profiles.of(sym as Sym).clone(), n);
    }
    for (i, r) in l.reports.iter().enumerate() {
        if let Some(o) = profiles.owner(i) {
            add(&o.name, "owner", &|| o.profile.clone(), (0, 0));
        }
        if let Some(s) = &r.sharing {
            for p in s.outbound.iter().chain(&s.inbound) {
                add(p, "partner", &|| l.profiler.profile(p), (0, 0));
            }
        }
    }
    let mut v: Vec<Entry> = by_name.into_values().collect();
    v.sort_by(|a, b| b.records.cmp(&a.records).then_with(|| a.name.cmp(&b.name)));
    v
}

fn entry_json(e: &Entry) -> Value {
    let p = &e.profile;
    json!({
        "name": e.name,
        "state": p.state,
        "level": p.level.as_str(),
        "inactive": p.inactive,
        "role": e.roles.first().copied().unwrap_or("searcher"),
        "roles": e.roles,
        "records": e.records,
        "flagged": e.flagged,
        "partner_287g": partner_value(p),
        "partner_287g_match": p.partner.as_ref().map(|f| json!({
            "method": f.method,
            "agreements": f.agreements,
        })),
        "source": p.source,
        "why": p.why,
    })
}

/// Runs `agencies`.
pub fn run(opts: &AgenciesOptions, console: &mut Console<'_>) -> Result<i32, CommandError> {
    let l = load(opts, true)?;
    let failed = problems(console, &l);
    let list = entries(&l);
    if opts.json {
        let v: Vec<Value> = list.iter().map(entry_json).collect();
        console.machine(|out| {
            serde_json::to_writer_pretty(&mut *out, &v)?;
            writeln!(out)
        })?;
    } else {
        console.human(|out| write_text(out, &list, &l.profiler))?;
    }
    Ok(if failed { EXIT_INPUT } else { EXIT_OK })
}

fn state_str(p: &Profile) -> &'static str {
    p.state.map_or("--", |s| s.as_str())
}

fn write_text(out: &mut dyn Write, list: &[Entry], profiler: &Profiler) -> std::io::Result<()> {
    let count = |role: &str| list.iter().filter(|e| e.roles.contains(&role)).count();
    writeln!(
        out,
        "{} agencies: {} searching, {} owning a file, {} in sharing lists",
        list.len(),
        count("searcher"),
        count("owner"),
        count("partner")
    )?;
    writeln!(
        out,
        "profile rules: {}; overrides: {}; 287(g) lists: {}",
        profiler.rules.origin,
        if profiler.overrides.files.is_empty() {
            "none".to_string()
        } else {
            profiler.overrides.files.join(", ")
        },
        if profiler.partners.is_empty() {
            "none (--partners FILE)".to_string()
        } else {
            format!(
                "{} ({} agreements)",
                profiler.partners.files.join(", "),
                profiler.partners.agreements.len()
            )
        }
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "{:>10} {:>8}  {:5} {:16} {:22} {:44} decided by",
        "records", "flagged", "state", "level", "role", "agency"
    )?;
    for e in list {
        let p = &e.profile;
        writeln!(
            out,
            "{:>10} {:>8}  {:5} {:16} {:22} {:44} {}{}",
            thousands(e.records),
            thousands(e.flagged),
            state_str(p),
            p.level.as_str(),
            e.roles.join("+"),
            visible(&e.name),
            p.source,
            if p.inactive { " (inactive)" } else { "" }
        )?;
    }
    let unplaced: Vec<&Entry> = list
        .iter()
        .filter(|e| {
            // Federal, private, placeholder and multi-agency bodies often name no state.
            let stateless = matches!(
                e.profile.level,
                Level::Federal | Level::Private | Level::Placeholder | Level::MultiAgency
            );
            (e.profile.level == Level::Unknown || e.profile.state.is_none() && !stateless)
                && e.profile.source != "no agency"
        })
        .collect();
    writeln!(out)?;
    if unplaced.is_empty() {
        writeln!(out, "Every agency has a state and a level.")?;
    } else {
        writeln!(
            out,
            "{} not placed (no state, or no level), biggest first; fix them with --agencies FILE:",
            unplaced.len()
        )?;
        for e in unplaced {
            writeln!(
                out,
                "{:>10}  {}: {}",
                thousands(e.records),
                visible(&e.name),
                e.profile.why
            )?;
        }
    }
    let partners: Vec<&Entry> = list
        .iter()
        .filter(|e| e.profile.partner.is_some())
        .collect();
    if !profiler.partners.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "{} matched to a 287(g) agreement (a signal, not a verdict; check each):",
            partners.len()
        )?;
        for e in partners {
            let Some(f) = &e.profile.partner else {
                continue;
            };
            writeln!(out, "  {} (by {}):", visible(&e.name), f.method)?;
            for a in &f.agreements {
                writeln!(
                    out,
                    "    {} ({}), {}, {}{}, {} row {}",
                    visible(&a.agency),
                    a.state.as_str(),
                    visible(&a.support),
                    match a.status {
                        crate::agency::partners::Status::Participating => "signed ",
                        crate::agency::partners::Status::Pending => "pending",
                    },
                    a.signed.as_deref().map(visible).unwrap_or_default(),
                    visible(&a.file),
                    a.row
                )?;
            }
        }
    }
    Ok(())
}

pub use crate::numbers::thousands;

/// Runs `sharing`.
pub fn run_sharing(opts: &AgenciesOptions, console: &mut Console<'_>) -> Result<i32, CommandError> {
    let l = load(opts, false)?;
    let failed = problems(console, &l);
    let list = sharing_summaries(&l.profiler, &l.reports);
    if opts.json {
        let v: Vec<Value> = list.iter().map(SharingSummary::to_json).collect();
        console.machine(|out| {
            serde_json::to_writer_pretty(&mut *out, &v)?;
            writeln!(out)
        })?;
    } else {
        console.human(|out| {
            if list.is_empty() {
                writeln!(
                    out,
                    "No sharing lists: only transparency-portal pages (sharing_outbound, sharing_inbound) carry them."
                )?;
            }
            for s in &list {
                let oos = s.out_of_state();
                writeln!(
                    out,
                    "{} ({}, {}) — {}",
                    visible(&s.owner),
                    state_str(&s.owner_profile),
                    s.owner_profile.level.as_str(),
                    visible(&s.file)
                )?;
                writeln!(
                    out,
                    "  {} partners ({} outbound, {} inbound); {} with no state in the name",
                    thousands(s.partners.len() as u64),
                    s.outbound,
                    s.inbound,
                    s.no_state()
                )?;
                let levels: Vec<String> = s
                    .by_level()
                    .into_iter()
                    .filter(|(_, n)| *n > 0)
                    .map(|(l, n)| format!("{l} {n}"))
                    .collect();
                writeln!(out, "  by level: {}", levels.join(", "))?;
                let names = |v: &[&str]| {
                    v.iter()
                        .map(|n| visible(n).into_owned())
                        .collect::<Vec<_>>()
                        .join("; ")
                };
                if s.owner_profile.state.is_none() {
                    writeln!(out, "  out of state: unknown (the owner's name gives no state)")?;
                } else {
                    writeln!(out, "  out of state: {}: {}", oos.len(), names(&oos))?;
                }
                let fed = s.at(Level::Federal);
                writeln!(out, "  federal: {}: {}", fed.len(), names(&fed))?;
                let private = s.at(Level::Private);
                writeln!(out, "  private: {}: {}", private.len(), names(&private))?;
                writeln!(out)?;
            }
            Ok(())
        })?;
    }
    Ok(if failed { EXIT_INPUT } else { EXIT_OK })
}
