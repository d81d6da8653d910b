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
    /// A bit per symbol, set when it has hits: every row asks, and a bit in this map (1 KB for
    /// 8,000 strings) is found in the CPU's cache where `hits` (16 bytes a string) often is not.
    flagged: Vec<u64>,
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
        };
        col.push_hits(None);
        col.push_hits(None);
        col
    }

    /// The hits of the symbol just interned.
    fn push_hits(&mut self, hits: Hits) {
        let sym = self.hits.len();
        if sym.is_multiple_of(64) {
            self.flagged.push(0);
        }
        if hits.is_some() {
            self.flagged[sym / 64] |= 1 << (sym % 64);
        }
        self.hits.push(hits);
    }

    fn is_flagged(&self, sym: Sym) -> bool {
        let sym = sym as usize;
        self.flagged
            .get(sym / 64)
            .is_some_and(|w| w >> (sym % 64) & 1 == 1)
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
}

impl Catalog {
    /// An empty catalog.
    pub fn new(rules: Arc<RuleSet>) -> Catalog {
        Catalog {
            scratch: rules.scratch(),
            rules,
            columns: std::array::from_fn(|_| Column::new()),
        }
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
            col.push_hits((!hits.is_empty()).then(|| hits.into_boxed_slice()));
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

    /// True when a symbol has hits.
    pub fn sym_flagged(&self, field: Field, sym: Sym) -> bool {
        self.columns[slot(field)].is_flagged(sym)
    }

    /// True when any of a record's text columns has hits.
    pub fn is_flagged(&self, syms: &TextSyms) -> bool {
        // Columns in `TEXT_FIELDS` order.
        let [agency, reason, offense, prompt, prior] = &self.columns;
        reason.is_flagged(syms.reason)
            || agency.is_flagged(syms.agency)
            || offense.is_flagged(syms.offense)
            || prompt.is_flagged(syms.prompt)
            || prior.is_flagged(syms.prior)
    }

    /// The rule of a record's first hit (in `explain` order), without allocating.
    pub fn first_rule(&self, syms: &TextSyms) -> Option<crate::flag::RuleIdx> {
        EXPLAIN_ORDER
            .iter()
            .find_map(|&f| self.hits(f, syms.get(f)).first().map(|h| h.rule))
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
            let sym = syms.get(f);
            let text = self.text(f, sym);
            self.hits(f, sym).iter().map(move |h| (h, text))
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
            col.push_hits(hits);
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
}
