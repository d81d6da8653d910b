//! Rules as data: the rules file (TOML) read, checked and compiled; the built-in set; which rule
//! reads which field, and the implicit `prior-flag` rule.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use regex_automata::meta::{self, Regex};
use regex_automata::nfa::thompson::WhichCaptures;
use regex_automata::util::syntax;
use regex_automata::{Input, MatchKind, PatternSet};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::{Hit, RuleIdx, match_text};
use crate::model::Field;

/// The rules file compiled into the binary.
pub const BUILTIN_RULES: &str = include_str!("builtin.toml");

/// How sure a match is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Strength {
    /// The term nearly always means immigration enforcement.
    #[default]
    Strong,
    /// The term often means something else; the rule's note says what to check.
    Ambiguous,
}

impl Strength {
    /// Name as written in rules files.
    pub fn as_str(self) -> &'static str {
        match self {
            Strength::Strong => "strong",
            Strength::Ambiguous => "ambiguous",
        }
    }
}

/// A problem in a rules file.
#[derive(Debug, thiserror::Error)]
pub enum RuleFileError {
    /// The file could not be read.
    #[error("{path}: cannot read rules file: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The TOML is malformed or has unknown keys.
    #[error("{origin}: {message}")]
    Syntax {
        /// The file (or `built-in rules`).
        origin: String,
        /// The parser's message, with line and column.
        message: String,
    },
    /// A rule is invalid.
    #[error("{origin}: rule {rule:?}: {message}")]
    Rule {
        /// The file.
        origin: String,
        /// The rule's name.
        rule: String,
        /// What is wrong.
        message: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    name: Option<String>,
    version: Option<u32>,
    extends: Option<String>,
    #[serde(default)]
    rule: Vec<RuleDef>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct RuleDef {
    name: String,
    #[serde(default)]
    description: String,
    fields: Vec<String>,
    pattern: String,
    unless: Option<String>,
    except: Option<String>,
    #[serde(default)]
    strength: Strength,
    note: Option<String>,
    searcher: Option<String>,
    #[serde(default)]
    disabled: bool,
}

/// Who must have searched for a rule to count (`searcher = "partner_287g"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Searcher {
    /// The searching agency holds a 287(g) agreement on the list `--partners` gave. Without a
    /// list, the rule matches nothing.
    Partner287g,
}

impl Searcher {
    /// Name as written in rules files.
    pub fn as_str(self) -> &'static str {
        match self {
            Searcher::Partner287g => "partner_287g",
        }
    }

    fn parse(text: &str) -> Option<Searcher> {
        match text
            .trim()
            .to_ascii_lowercase()
            .replace(['-', '(', ')'], "_")
            .as_str()
        {
            "partner_287g" | "partner_287_g_" | "287g" => Some(Searcher::Partner287g),
            _ => None,
        }
    }
}

/// One compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Short name shown in the table and in exports (`ice`, `agency-border-patrol`).
    pub name: String,
    /// What the rule looks for.
    pub description: Arc<str>,
    /// Fields it reads.
    pub fields: Vec<Field>,
    /// How sure a match is.
    pub strength: Strength,
    /// What the reviewer should check (ambiguous terms).
    pub note: Option<Arc<str>>,
    /// The pattern as written.
    pub pattern: String,
    /// Who must have searched for a match to count (None: anyone). A hit of such a rule is
    /// kept with the string it was found in and counts only on the records whose searcher
    /// qualifies ([`crate::ingest::catalog::Catalog::with_profiler`]).
    pub searcher: Option<Searcher>,
    regex: Regex,
    unless: Option<Regex>,
    except: Option<Regex>,
}

/// Fields rules may read.
const RULE_FIELDS: [Field; 4] = [
    Field::Reason,
    Field::Agency,
    Field::OffenseType,
    Field::TextPrompt,
];

fn rule_field(name: &str) -> Option<Field> {
    RULE_FIELDS.iter().copied().find(|f| f.key() == name)
}

/// A compiled rule set plus the implicit `prior-flag` rule.
#[derive(Debug, Clone)]
pub struct RuleSet {
    /// The set's name (`immigration-builtin`, or the rules file's `name`).
    pub name: String,
    /// SHA-256 of the rule text(s) it was built from, for methods manifests.
    pub hash: String,
    /// Where it came from (`built-in`, a path, or `built-in + path`).
    pub origin: String,
    rules: Vec<Rule>,
    /// Per field: a RegexSet over the rules reading that field, and their indices.
    sets: FieldSets,
    prior: RuleIdx,
}

/// Name of the implicit rule that keeps flags set by another tool.
pub const PRIOR_FLAG_RULE: &str = "prior-flag";

impl RuleSet {
    /// The built-in rule set.
    pub fn builtin() -> RuleSet {
        match RuleSet::from_toml(BUILTIN_RULES, "built-in rules") {
            Ok(r) => r,
            // The built-in file is tested; this cannot happen in a released binary.
            Err(e) => panic!("built-in rules are invalid: {e}"),
        }
    }

    /// Loads a rules file. A file with `extends = "builtin"` adds to (and may override, by rule
    /// name, or disable) the built-in rules; otherwise it replaces them.
    pub fn load(path: &Path) -> Result<RuleSet, RuleFileError> {
        let text = std::fs::read_to_string(path).map_err(|source| RuleFileError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        RuleSet::from_toml(&text, &path.display().to_string())
    }

    /// Builds a rule set from TOML text. `origin` names it in messages.
    pub fn from_toml(text: &str, origin: &str) -> Result<RuleSet, RuleFileError> {
        let file: RulesFile = toml::from_str(text).map_err(|e| RuleFileError::Syntax {
            origin: origin.to_string(),
            message: e.to_string().trim().replace('\n', " "),
        })?;
        if let Some(v) = file.version
            && v != 1
        {
            return Err(RuleFileError::Syntax {
                origin: origin.to_string(),
                message: format!(
                    "rules format version {v} is not supported (this build reads version 1)"
                ),
            });
        }
        let mut hasher = Sha256::new();
        let (mut defs, origin_label) = match file.extends.as_deref() {
            None => (Vec::new(), origin.to_string()),
            Some("builtin") | Some("built-in") => {
                let base: RulesFile =
                    toml::from_str(BUILTIN_RULES).map_err(|e| RuleFileError::Syntax {
                        origin: "built-in rules".into(),
                        message: e.to_string(),
                    })?;
                hasher.update(BUILTIN_RULES.as_bytes());
                (base.rule, format!("built-in + {origin}"))
            }
            Some(other) => {
                return Err(RuleFileError::Syntax {
                    origin: origin.to_string(),
                    message: format!("extends = {other:?}: only \"builtin\" can be extended"),
                });
            }
        };
        hasher.update(text.as_bytes());
        for def in file.rule {
            match defs.iter_mut().find(|d| d.name == def.name) {
                Some(existing) => *existing = def,
                None => defs.push(def),
            }
        }
        let defs: Vec<RuleDef> = defs.into_iter().filter(|d| !d.disabled).collect();
        // The sets (one per field, over the rules reading it) compile on one thread while the
        // rules compile one by one on another; a rule's own error is reported first. (This also
        // starts rayon's threads, which later share out the output.)
        let (rules, sets) = rayon::join(
            || -> Result<Vec<Rule>, RuleFileError> {
                defs.iter()
                    .map(|def| compile(def.clone(), origin))
                    .collect()
            },
            || field_sets(&defs, origin),
        );
        let (mut rules, sets) = (rules?, sets?);
        if rules.iter().any(|r| r.name == PRIOR_FLAG_RULE) {
            return Err(RuleFileError::Rule {
                origin: origin.to_string(),
                rule: PRIOR_FLAG_RULE.into(),
                message: "this name is reserved for flags set by another tool".into(),
            });
        }
        let prior = rules.len() as RuleIdx;
        rules.push(prior_flag_rule(origin)?);
        Ok(RuleSet {
            name: file.name.unwrap_or_else(|| origin.to_string()),
            hash: crate::digest::hex(&hasher.finalize()),
            origin: origin_label,
            rules,
            sets,
            prior,
        })
    }

    /// Every rule, the implicit `prior-flag` last.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// One rule.
    pub fn rule(&self, idx: RuleIdx) -> &Rule {
        &self.rules[idx as usize]
    }

    /// True when a rule counts only for some searchers (`searcher = …`).
    pub fn is_conditional(&self, idx: RuleIdx) -> bool {
        self.rules
            .get(idx as usize)
            .is_some_and(|r| r.searcher.is_some())
    }

    /// True when any rule counts only for some searchers.
    pub fn has_conditional(&self) -> bool {
        self.rules.iter().any(|r| r.searcher.is_some())
    }

    /// Index of the rule named `name`.
    pub fn find(&self, name: &str) -> Option<RuleIdx> {
        self.rules
            .iter()
            .position(|r| r.name.eq_ignore_ascii_case(name))
            .map(|i| i as RuleIdx)
    }

    /// The hits of every rule reading `field` on `text`. An ambiguous hit that overlaps a strong
    /// hit in the same text is dropped: `ICE hold` explains itself as `ice-context`, not also as
    /// the ambiguous `ice`.
    pub fn match_field(&self, field: Field, text: &str) -> Vec<Hit> {
        self.match_field_in(field, text, &mut self.scratch())
    }

    /// Room for which of a field's patterns match, for [`RuleSet::match_field_in`].
    pub fn scratch(&self) -> PatternSet {
        PatternSet::new(
            self.sets
                .iter()
                .map(|(_, set, _)| set.pattern_len())
                .max()
                .unwrap_or(0),
        )
    }

    /// [`RuleSet::match_field`] with the room for which patterns match given (from
    /// [`RuleSet::scratch`]): a caller matching many strings allocates it once.
    pub fn match_field_in(&self, field: Field, text: &str, matched: &mut PatternSet) -> Vec<Hit> {
        if text.is_empty() {
            return Vec::new();
        }
        if field == Field::PriorFlag {
            return self.match_prior(text);
        }
        let Some((_, set, idx)) = self.sets.iter().find(|(f, _, _)| *f == field) else {
            return Vec::new();
        };
        let text = match_text(text);
        let text = text.as_ref();
        let mut hits: Vec<Hit> = Vec::new();
        matched.clear();
        set.which_overlapping_matches(&Input::new(text), matched);
        for m in matched.iter() {
            let ri = idx[m.as_usize()];
            let rule = &self.rules[ri as usize];
            if rule.unless.as_ref().is_some_and(|u| u.is_match(text)) {
                continue;
            }
            // A match inside a context that gives the word its other meaning (`tag removal`)
            // is no hit.
            let except: Vec<(usize, usize)> = rule
                .except
                .as_ref()
                .map(|e| e.find_iter(text).map(|m| (m.start(), m.end())).collect())
                .unwrap_or_default();
            let spans: Vec<(u32, u32)> = rule
                .regex
                .find_iter(text)
                .filter(|m| !m.is_empty())
                .filter(|m| !except.iter().any(|&(a, b)| m.start() < b && a < m.end()))
                .map(|m| (m.start() as u32, m.end() as u32))
                .collect();
            if !spans.is_empty() {
                hits.push(Hit {
                    rule: ri,
                    field,
                    spans,
                });
            }
        }
        // A rule that counts only for some searchers hides nothing: its searcher may not qualify.
        let strong: Vec<(u32, u32)> = hits
            .iter()
            .filter(|h| {
                let r = &self.rules[h.rule as usize];
                r.strength == Strength::Strong && r.searcher.is_none()
            })
            .flat_map(|h| h.spans.iter().copied())
            .collect();
        hits.retain(|h| {
            self.rules[h.rule as usize].strength == Strength::Strong
                || !h
                    .spans
                    .iter()
                    .all(|&(a, b)| strong.iter().any(|&(sa, sb)| a < sb && sa < b))
        });
        hits
    }

    fn match_prior(&self, text: &str) -> Vec<Hit> {
        let t = text.trim().to_ascii_lowercase();
        let falsy = matches!(
            t.as_str(),
            "" | "no" | "false" | "0" | "none" | "n" | "n/a" | "na" | "-" | "not flagged" | "null"
        );
        if falsy {
            return Vec::new();
        }
        let rule = &self.rules[self.prior as usize];
        match rule.regex.find(text) {
            Some(m) => vec![Hit {
                rule: self.prior,
                field: Field::PriorFlag,
                spans: vec![(m.start() as u32, m.end() as u32)],
            }],
            None => Vec::new(),
        }
    }

    /// The rule set as TOML-like text for `alpr-triage rules`.
    pub fn describe(&self) -> String {
        let mut out = format!(
            "# rule set {:?} from {} (sha256 {})\n",
            self.name, self.origin, self.hash
        );
        for r in &self.rules {
            let fields: Vec<&str> = r.fields.iter().map(|f| f.key()).collect();
            out.push_str(&format!(
                "{:<22} {:<9} [{}] {}\n",
                r.name,
                r.strength.as_str(),
                fields.join(","),
                r.description
            ));
            if let Some(w) = r.searcher {
                out.push_str(&format!(
                    "{:<32} only when the searcher is {} (needs --partners)\n",
                    "",
                    w.as_str()
                ));
            }
            if let Some(n) = &r.note {
                out.push_str(&format!("{:<32} note: {}\n", "", n));
            }
        }
        out
    }
}

/// Per field: a set over the patterns of the rules reading it (which of them match a text), and
/// their indices. Fields read by the same rules share one set.
type FieldSets = Vec<(Field, Regex, Vec<RuleIdx>)>;

/// Largest compiled size of one rule's pattern (its own regex and its `unless`), in bytes.
const RULE_SIZE_LIMIT: usize = 1 << 22;
/// Largest compiled size of a field's set of patterns, in bytes (the `regex` crate's default).
const SET_SIZE_LIMIT: usize = 10 << 20;

/// How rule patterns compile: case-insensitive, Unicode-aware, with the matches the `regex`
/// crate's `RegexSet` (`MatchKind::All`, for a field's set) or `Regex` (leftmost-first, for a
/// rule's spans) would give, but with fewer engines built. Compiling the built-in rules took
/// 20 ms of every run before a row was read; most of it went to engines that do not pay off on
/// what rules see, short strings each matched once (every distinct reason, agency, …):
/// - no literal prefilter and no one-pass DFA, for sets and rules alike;
/// - no lazy DFA for a rule's own regex, which only runs on the strings its field's set already
///   matched (the flagged few), where the bounded backtracker is as quick.
///
/// The sets keep the lazy DFA: they read every distinct string of their field.
fn pattern_builder(kind: MatchKind, size_limit: usize) -> meta::Builder {
    let set = kind == MatchKind::All;
    let mut b = meta::Builder::new();
    b.syntax(syntax::Config::new().case_insensitive(true).utf8(true))
        .configure(
            meta::Config::new()
                .match_kind(kind)
                .utf8_empty(true)
                // A set only says which patterns match; a rule's regex reports its spans.
                .which_captures(if set {
                    WhichCaptures::None
                } else {
                    WhichCaptures::Implicit
                })
                .nfa_size_limit(Some(size_limit))
                .hybrid_cache_capacity(2 << 20)
                .auto_prefilter(false)
                .onepass(false)
                .hybrid(set),
        );
    b
}

/// A pattern's compile error: the parser's message (with the pattern and a caret) for a syntax
/// error, the limit for a pattern too large.
fn pattern_error(e: &meta::BuildError) -> String {
    match (e.size_limit(), e.syntax_error()) {
        (Some(limit), _) => format!("compiled pattern exceeds the size limit of {limit} bytes"),
        (None, Some(syntax)) => syntax.to_string(),
        (None, None) => e.to_string(),
    }
}

fn field_sets(defs: &[RuleDef], origin: &str) -> Result<FieldSets, RuleFileError> {
    let mut sets: FieldSets = Vec::new();
    for field in RULE_FIELDS {
        let idx: Vec<RuleIdx> = (0..defs.len() as RuleIdx)
            .filter(|&i| {
                defs[i as usize]
                    .fields
                    .iter()
                    .any(|f| rule_field(f) == Some(field))
            })
            .collect();
        if let Some(same) = sets.iter().find(|(_, _, other)| *other == idx) {
            let set = same.1.clone();
            sets.push((field, set, idx));
            continue;
        }
        let patterns: Vec<&str> = idx
            .iter()
            .map(|&i| defs[i as usize].pattern.as_str())
            .collect();
        let set = pattern_builder(MatchKind::All, SET_SIZE_LIMIT)
            .build_many(&patterns)
            .map_err(|e| RuleFileError::Syntax {
                origin: origin.to_string(),
                message: pattern_error(&e),
            })?;
        sets.push((field, set, idx));
    }
    Ok(sets)
}

fn compile(def: RuleDef, origin: &str) -> Result<Rule, RuleFileError> {
    let err = |message: String| RuleFileError::Rule {
        origin: origin.to_string(),
        rule: def.name.clone(),
        message,
    };
    if def.name.trim().is_empty() || def.name.contains(char::is_whitespace) {
        return Err(err("a rule name must be one word".into()));
    }
    if def.fields.is_empty() {
        return Err(err("`fields` is empty".into()));
    }
    let mut fields = Vec::new();
    for f in &def.fields {
        match rule_field(f) {
            Some(field) => fields.push(field),
            None => {
                return Err(err(format!(
                    "unknown field {f:?} (rules read: reason, agency, offense_type, text_prompt)"
                )));
            }
        }
    }
    let build = |p: &str| {
        pattern_builder(MatchKind::LeftmostFirst, RULE_SIZE_LIMIT)
            .build(p)
            .map_err(|e| err(format!("bad pattern: {}", pattern_error(&e))))
    };
    let regex = build(&def.pattern)?;
    if regex.is_match("") {
        return Err(err(
            "the pattern matches empty text, so it would flag every record".into(),
        ));
    }
    let unless = def.unless.as_deref().map(build).transpose()?;
    let except = def.except.as_deref().map(build).transpose()?;
    let searcher = match def.searcher.as_deref() {
        None => None,
        Some(w) => Some(Searcher::parse(w).ok_or_else(|| {
            err(format!(
                "searcher = {w:?}: the only searcher condition is \"partner_287g\""
            ))
        })?),
    };
    Ok(Rule {
        name: def.name,
        description: Arc::from(def.description),
        fields,
        strength: def.strength,
        note: def.note.map(Arc::from),
        pattern: def.pattern,
        searcher,
        regex,
        unless,
        except,
    })
}

/// The implicit rule that keeps a flag set by another tool (its text is the explanation).
fn prior_flag_rule(origin: &str) -> Result<Rule, RuleFileError> {
    Ok(Rule {
        name: PRIOR_FLAG_RULE.into(),
        description: "flagged by another tool before import (its text is the explanation)".into(),
        fields: vec![Field::PriorFlag],
        strength: Strength::Strong,
        note: None,
        pattern: String::new(),
        searcher: None,
        regex: pattern_builder(MatchKind::LeftmostFirst, RULE_SIZE_LIMIT)
            .build(r"\S(?:.*\S)?")
            .map_err(|e| RuleFileError::Rule {
                origin: origin.to_string(),
                rule: PRIOR_FLAG_RULE.into(),
                message: pattern_error(&e),
            })?,
        unless: None,
        except: None,
    })
}
