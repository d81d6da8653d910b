//! Interned text columns and their flag results: each distinct agency, reason, category, prompt
//! and prior flag is stored once and matched against the rule set once.

use std::sync::Arc;

use crate::flag::{Hit, RuleSet};

use crate::ingest::Text;
use crate::intern::{Interner, Sym};
use crate::model::Field;

/// The hits of one distinct string (None: not flagged).
pub type Hits = Option<Box<[Hit]>>;

/// Symbol of the empty string in every column.
pub const EMPTY: Sym = 0;
/// Symbol of a redacted cell in every column.
pub const REDACTED: Sym = 1;
/// How a redacted cell is shown.
pub const REDACTED_TEXT: &str = "[redacted]";
/// Agency of a record whose file names none.
pub const UNKNOWN_AGENCY: &str = "unknown";

/// The order hits are explained in: what the officer wrote first, then who searched.
const EXPLAIN_ORDER: [Field; 5] = [
    Field::Reason,
    Field::OffenseType,
    Field::TextPrompt,
    Field::Agency,
    Field::PriorFlag,
];

/// The text columns a catalog interns, in slot order.
pub const TEXT_FIELDS: [Field; 5] = [
    Field::Agency,
    Field::Reason,
    Field::OffenseType,
    Field::TextPrompt,
    Field::PriorFlag,
];

fn slot(field: Field) -> usize {
    TEXT_FIELDS.iter().position(|f| *f == field).unwrap_or(0)
}

#[derive(Clone, Debug)]
struct Column {
    strings: Interner,
    hits: Vec<Option<Box<[Hit]>>>,
    /// A bit per symbol, set when it has a hit that counts for any searcher: every row asks,
    /// and a bit in this map (1 KB for 8,000 strings) is found in the CPU's cache where `hits`
    /// (16 bytes a string) often is not.
    flagged: Vec<u64>,
    /// A bit per symbol, set when it has a hit of a rule that counts only for some searchers
    /// (`searcher = "partner_287g"`).
    conditional: Vec<u64>,
}

fn bit(map: &[u64], sym: Sym) -> bool {
    let sym = sym as usize;
    map.get(sym / 64).is_some_and(|w| w >> (sym % 64) & 1 == 1)
}

impl Column {
    fn new() -> Column {
        let mut strings = Interner::new();
        strings.intern("");
        strings.intern(REDACTED_TEXT);
        let mut col = Column {
            strings,
            hits: Vec::new(),
            flagged: Vec::new(),
            conditional: Vec::new(),
        };
        col.push_hits(None, &[]);
        col.push_hits(None, &[]);
        col
    }

    /// The hits of the symbol just interned (`conditional`: which rules count only for some
    /// searchers, by index).
    fn push_hits(&mut self, hits: Hits, conditional: &[bool]) {
        let sym = self.hits.len();
        if sym.is_multiple_of(64) {
            self.flagged.push(0);
            self.conditional.push(0);
        }
        for h in hits.iter().flatten() {
            let map = if conditional.get(h.rule as usize) == Some(&true) {
                &mut self.conditional
            } else {
                &mut self.flagged
            };
            map[sym / 64] |= 1 << (sym % 64);
        }
        self.hits.push(hits);
    }

    fn is_flagged(&self, sym: Sym) -> bool {
        bit(&self.flagged, sym)
    }

    fn is_conditional(&self, sym: Sym) -> bool {
        bit(&self.conditional, sym)
    }
}

/// The symbols of one record's text columns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TextSyms {
    /// Agency.
    pub agency: Sym,
    /// Reason.
    pub reason: Sym,
    /// Dropdown category.
    pub offense: Sym,
    /// Text prompt.
    pub prompt: Sym,
    /// Prior flag.
    pub prior: Sym,
}

impl TextSyms {
    fn get(&self, field: Field) -> Sym {
        match field {
            Field::Agency => self.agency,
            Field::Reason => self.reason,
            Field::OffenseType => self.offense,
            Field::TextPrompt => self.prompt,
            Field::PriorFlag => self.prior,
            _ => EMPTY,
        }
    }
}

/// Interned text columns plus flag results, shared by every sink.
#[derive(Clone, Debug)]
pub struct Catalog {
    /// The rule set hits were computed with.
    pub rules: Arc<RuleSet>,
    columns: [Column; 5],
    /// Room for the rules' matching of each new string.
    scratch: regex_automata::PatternSet,
    /// By rule index: true when the rule counts only for some searchers.
    conditional: Box<[bool]>,
    /// Who qualifies for those rules, when the rule set has any and a 287(g) list was given.
    profiler: Option<Arc<crate::agency::Profiler>>,
    /// A bit per agency symbol: the agency holds a 287(g) agreement.
    partner: Vec<u64>,
}

impl Catalog {
    /// An empty catalog.
    pub fn new(rules: Arc<RuleSet>) -> Catalog {
        let conditional = (0..rules.rules().len())
            .map(|i| rules.is_conditional(i as crate::flag::RuleIdx))
            .collect();
        Catalog {
            scratch: rules.scratch(),
            rules,
            columns: std::array::from_fn(|_| Column::new()),
            conditional,
            profiler: None,
            partner: Vec::new(),
        }
    }

    /// The same, with the 287(g) list of `profiler` deciding which searchers a rule with
    /// `searcher = "partner_287g"` counts for. Without it (or without a list, or without such
    /// rules) those rules count for no record, and nothing is profiled.
    pub fn with_profiler(mut self, profiler: Arc<crate::agency::Profiler>) -> Catalog {
        if self.rules.has_conditional() && !profiler.partners.agreements.is_empty() {
            self.profiler = Some(profiler);
            self.partner.clear();
            let names: Vec<Box<str>> = self.strings(Field::Agency).to_vec();
            for (sym, name) in names.iter().enumerate() {
                self.note_partner(sym, name);
            }
        }
        self
    }

    /// Records whether the agency just interned (at `sym`) holds a 287(g) agreement.
    fn note_partner(&mut self, sym: usize, name: &str) {
        let Some(p) = &self.profiler else {
            return;
        };
        if sym.is_multiple_of(64) {
            self.partner.push(0);
        }
        if sym >= 2 && p.profile(name).partner.is_some() {
            self.partner[sym / 64] |= 1 << (sym % 64);
        }
    }

    /// True when the record's searcher qualifies for a rule that counts only for some
    /// searchers.
    fn qualifies(&self, agency: Sym) -> bool {
        bit(&self.partner, agency)
    }

    /// True when a hit of `rule` counts on a record whose searching agency is `agency`.
    pub fn counts(&self, rule: crate::flag::RuleIdx, agency: Sym) -> bool {
        self.conditional.get(rule as usize) != Some(&true) || self.qualifies(agency)
    }

    /// Interns one cell and, when it is new, matches it against the rules.
    pub fn intern(&mut self, field: Field, text: &Text<'_>) -> Sym {
        let s = match text {
            Text::Missing => return EMPTY,
            Text::Redacted(_) => return REDACTED,
            Text::Value(v) => v.as_ref(),
        };
        self.intern_str(field, s)
    }

    /// Interns a plain string.
    pub fn intern_str(&mut self, field: Field, s: &str) -> Sym {
        let col = &mut self.columns[slot(field)];
        let (sym, new) = col.strings.intern(s);
        if new {
            let hits = self.rules.match_field_in(field, s, &mut self.scratch);
            col.push_hits(
                (!hits.is_empty()).then(|| hits.into_boxed_slice()),
                &self.conditional,
            );
            if field == Field::Agency {
                self.note_partner(sym as usize, s);
            }
        }
        sym
    }

    /// The text of a symbol (`[redacted]` for redaction).
    pub fn text(&self, field: Field, sym: Sym) -> &str {
        self.columns[slot(field)].strings.resolve(sym)
    }

    /// Every distinct string of a column, by symbol.
    pub fn strings(&self, field: Field) -> &[Box<str>] {
        self.columns[slot(field)].strings.strings()
    }

    /// The hits on one symbol.
    pub fn hits(&self, field: Field, sym: Sym) -> &[Hit] {
        self.columns[slot(field)]
            .hits
            .get(sym as usize)
            .and_then(|h| h.as_deref())
            .unwrap_or(&[])
    }

    /// The hits on one field of a record that count for its searcher.
    pub fn record_hits<'a>(
        &'a self,
        field: Field,
        syms: &TextSyms,
    ) -> impl Iterator<Item = &'a Hit> + 'a {
        let agency = syms.agency;
        self.hits(field, syms.get(field))
            .iter()
            .filter(move |h| self.counts(h.rule, agency))
    }

    /// True when a symbol has hits that count for any searcher.
    pub fn sym_flagged(&self, field: Field, sym: Sym) -> bool {
        self.columns[slot(field)].is_flagged(sym)
    }

    /// True when any of a record's text columns has hits (that count for its searcher).
    pub fn is_flagged(&self, syms: &TextSyms) -> bool {
        // Columns in `TEXT_FIELDS` order.
        let [agency, reason, offense, prompt, prior] = &self.columns;
        reason.is_flagged(syms.reason)
            || agency.is_flagged(syms.agency)
            || offense.is_flagged(syms.offense)
            || prompt.is_flagged(syms.prompt)
            || prior.is_flagged(syms.prior)
            || (self.qualifies(syms.agency)
                && (reason.is_conditional(syms.reason)
                    || agency.is_conditional(syms.agency)
                    || offense.is_conditional(syms.offense)
                    || prompt.is_conditional(syms.prompt)))
    }

    /// The rule of a record's first hit (in `explain` order), without allocating.
    pub fn first_rule(&self, syms: &TextSyms) -> Option<crate::flag::RuleIdx> {
        EXPLAIN_ORDER
            .iter()
            .find_map(|&f| self.record_hits(f, syms).next().map(|h| h.rule))
    }

    /// Every hit of a record with the text it was found in, reason first.
    pub fn explain(&self, syms: &TextSyms) -> Vec<(&Hit, &str)> {
        [
            Field::Reason,
            Field::OffenseType,
            Field::TextPrompt,
            Field::Agency,
            Field::PriorFlag,
        ]
        .iter()
        .flat_map(|&f| {
            let text = self.text(f, syms.get(f));
            self.record_hits(f, syms).map(move |h| (h, text))
        })
        .collect()
    }

    /// Number of distinct strings in a column (including the empty and redacted entries).
    pub fn len(&self, field: Field) -> usize {
        self.columns[slot(field)].strings.len()
    }

    /// The strings (with their hits) added to a column since it held `from` strings.
    pub fn added_since(&self, field: Field, from: usize) -> Vec<(Box<str>, Hits)> {
        let col = &self.columns[slot(field)];
        (from..col.strings.len())
            .map(|i| (col.strings.strings()[i].clone(), col.hits[i].clone()))
            .collect()
    }

    /// Appends a string interned elsewhere (with its hits), keeping symbols equal to the other
    /// catalog's. Returns the symbol.
    pub fn append(&mut self, field: Field, s: &str, hits: Hits) -> Sym {
        let col = &mut self.columns[slot(field)];
        let (sym, new) = col.strings.intern(s);
        if new {
            col.push_hits(hits, &self.conditional);
            if field == Field::Agency {
                self.note_partner(sym as usize, s);
            }
        }
        sym
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_is_flagged_when_a_column_has_hits() {
        let mut c = Catalog::new(Arc::new(RuleSet::builtin()));
        // Enough strings that the flagged map spans several words.
        let mut syms = Vec::new();
        for i in 0..300 {
            let reason = if i % 7 == 3 {
                format!("ICE hold {i}")
            } else {
                format!("stolen vehicle {i}")
            };
            syms.push((i % 7 == 3, c.intern_str(Field::Reason, &reason)));
        }
        for (flagged, reason) in syms {
            let s = TextSyms {
                reason,
                ..TextSyms::default()
            };
            assert_eq!(c.is_flagged(&s), flagged);
            assert_eq!(c.sym_flagged(Field::Reason, reason), flagged);
            assert_eq!(!c.hits(Field::Reason, reason).is_empty(), flagged);
        }
        let agency = c.intern_str(Field::Agency, "U.S. Border Patrol");
        let s = TextSyms {
            agency,
            ..TextSyms::default()
        };
        assert!(c.is_flagged(&s));
        assert!(!c.is_flagged(&TextSyms::default()));
        // Strings appended from another catalog keep their hits.
        let mut other = Catalog::new(c.rules.clone());
        for (text, hits) in c.added_since(Field::Reason, 0) {
            other.append(Field::Reason, &text, hits);
        }
        assert!(other.sym_flagged(Field::Reason, 5));
        assert!(!other.sym_flagged(Field::Reason, 2));
    }

    /// A rule with `searcher = "partner_287g"` counts only on a partner's records, whichever
    /// of the agency and the reason is interned first, and in a catalog appended to.
    #[test]
    fn a_searcher_rule_counts_only_for_a_partner() {
        use crate::agency::partners::Status;
        let rules = Arc::new(
            RuleSet::from_toml(
                "extends = \"builtin\"\n[[rule]]\nname = \"p\"\nfields = [\"reason\"]\npattern = '^stakeout$'\nsearcher = \"partner_287g\"\n",
                "test",
            )
            .unwrap(),
        );
        let p = rules.find("p").unwrap();
        assert!(rules.is_conditional(p));
        let row = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let mut partners = crate::agency::Partners::default();
        partners
            .add_rows(
                &[
                    (
                        1,
                        row(&[
                            "STATE",
                            "LAW ENFORCEMENT AGENCY",
                            "TYPE",
                            "COUNTY",
                            "SUPPORT TYPE",
                            "SIGNED",
                        ]),
                    ),
                    (
                        2,
                        row(&[
                            "NORTH CAROLINA",
                            "Lakemont County Sheriff's Office",
                            "County",
                            "",
                            "Task Force Model",
                            "2025-02-20",
                        ]),
                    ),
                ],
                "list.csv",
                Status::Participating,
            )
            .unwrap();
        let profiler = Arc::new(crate::agency::Profiler {
            partners,
            ..Default::default()
        });
        for reason_first in [true, false] {
            let mut c = Catalog::new(rules.clone());
            let reason = if reason_first {
                c.intern_str(Field::Reason, "stakeout")
            } else {
                0
            };
            let mut c = c.with_profiler(profiler.clone());
            let partner = c.intern_str(Field::Agency, "Lakemont County NC SO");
            let other = c.intern_str(Field::Agency, "Lakemont County TX SO");
            let reason = if reason_first {
                reason
            } else {
                c.intern_str(Field::Reason, "stakeout")
            };
            assert!(!c.sym_flagged(Field::Reason, reason));
            let of = |agency| TextSyms {
                agency,
                reason,
                ..TextSyms::default()
            };
            assert!(c.is_flagged(&of(partner)));
            assert_eq!(c.first_rule(&of(partner)), Some(p));
            assert_eq!(c.explain(&of(partner)).len(), 1);
            assert!(!c.is_flagged(&of(other)));
            assert_eq!(c.first_rule(&of(other)), None);
            assert!(c.explain(&of(other)).is_empty());
            // Without the profiler the rule counts for no one.
            let mut plain = Catalog::new(rules.clone());
            for f in [Field::Agency, Field::Reason] {
                for (text, hits) in c.added_since(f, 2) {
                    plain.append(f, &text, hits);
                }
            }
            assert!(!plain.is_flagged(&of(partner)));
            let plain = plain.with_profiler(profiler.clone());
            assert!(plain.is_flagged(&of(partner)));
            assert!(!plain.is_flagged(&of(other)));
        }
    }
}
