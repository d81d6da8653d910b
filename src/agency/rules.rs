//! Agency rules as data: the level rules and state aliases (TOML), built in or from the user's
//! `--agency-rules FILE`, which may extend the built-in file (`extends = "builtin"`: its rules
//! are tried first) or replace it.

use std::path::{Path, PathBuf};

use regex::Regex;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::name::Reading;
use super::{Level, StateCode};

/// The agency rules compiled into the binary.
pub const BUILTIN_AGENCY_RULES: &str = include_str!("builtin.toml");

/// A problem in an agency rules or overrides file.
#[derive(Debug, thiserror::Error)]
pub enum AgencyFileError {
    /// The file could not be read.
    #[error("{path}: cannot read: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The TOML is malformed, has unknown keys, or a value is wrong.
    #[error("{origin}: {message}")]
    Syntax {
        /// The file (or `built-in agency rules`).
        origin: String,
        /// What is wrong, with the line where it is known.
        message: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    #[allow(dead_code)]
    name: Option<String>,
    version: Option<u32>,
    extends: Option<String>,
    #[serde(default)]
    alias: Vec<AliasDef>,
    #[serde(default)]
    level: Vec<LevelDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AliasDef {
    pattern: String,
    state: String,
    #[serde(default)]
    description: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LevelDef {
    name: String,
    level: String,
    pattern: String,
    #[serde(default)]
    state_name_first: bool,
    #[serde(default)]
    description: String,
}

/// One level rule.
#[derive(Clone, Debug)]
pub struct LevelRule {
    /// Its name (`county`, `state-named`).
    pub name: String,
    /// The level it gives.
    pub level: Level,
    /// What it looks for.
    pub description: String,
    /// The pattern as written.
    pub pattern: String,
    regex: Regex,
    state_name_first: bool,
}

/// The level rules and state aliases in force.
#[derive(Clone, Debug)]
pub struct AgencyRules {
    /// Where they came from: `built-in`, a path, or `built-in + path`.
    pub origin: String,
    /// SHA-256 of the rule text(s), for the methods.
    pub hash: String,
    aliases: Vec<(Regex, StateCode, String)>,
    levels: Vec<LevelRule>,
}

impl AgencyRules {
    /// The built-in rules.
    pub fn builtin() -> AgencyRules {
        match AgencyRules::from_toml(BUILTIN_AGENCY_RULES, "built-in agency rules", None) {
            Ok(r) => r,
            // The built-in file is tested; this cannot happen in a released binary.
            Err(e) => panic!("built-in agency rules are invalid: {e}"),
        }
    }

    /// Loads a rules file (`extends = "builtin"` adds to the built-in rules, tried first).
    pub fn load(path: &Path) -> Result<AgencyRules, AgencyFileError> {
        let text = std::fs::read_to_string(path).map_err(|source| AgencyFileError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        AgencyRules::from_toml(
            &text,
            &crate::sanitize::visible(&path.display().to_string()),
            Some(BUILTIN_AGENCY_RULES),
        )
    }

    fn from_toml(
        text: &str,
        origin: &str,
        base: Option<&str>,
    ) -> Result<AgencyRules, AgencyFileError> {
        let syntax = |message: String| AgencyFileError::Syntax {
            origin: origin.to_string(),
            message,
        };
        let file: RulesFile =
            toml::from_str(text).map_err(|e| syntax(e.to_string().trim().replace('\n', " ")))?;
        if let Some(v) = file.version
            && v != 1
        {
            return Err(syntax(format!(
                "agency rules format version {v} is not supported (this build reads version 1)"
            )));
        }
        let mut hasher = Sha256::new();
        hasher.update(text.as_bytes());
        let mut aliases = Vec::new();
        let mut levels = Vec::new();
        compile(&file, origin, &mut aliases, &mut levels)?;
        let origin_label = match (file.extends.as_deref(), base) {
            (None, _) => origin.to_string(),
            (Some("builtin" | "built-in"), Some(base)) => {
                let b: RulesFile = toml::from_str(base).map_err(|e| syntax(e.to_string()))?;
                hasher.update(base.as_bytes());
                compile(&b, "built-in agency rules", &mut aliases, &mut levels)?;
                format!("built-in + {origin}")
            }
            (Some(other), _) => {
                return Err(syntax(format!(
                    "extends = {other:?}: only \"builtin\" can be extended"
                )));
            }
        };
        let hash = hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok(AgencyRules {
            origin: if base.is_none() {
                "built-in".into()
            } else {
                origin_label
            },
            hash,
            aliases,
            levels,
        })
    }

    /// The rules in words, for `alpr-triage rules --agencies`.
    pub fn describe(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "agency profile rules: {} (sha256 {})",
            self.origin, self.hash
        );
        let _ = writeln!(
            s,
            "\nState: a two-letter code in the name (in parentheses, before or after a dash, before\n\
             PD/SO/SD/DPS, or last), else an alias below, else a full state name opening a state\n\
             agency's name (Arizona Department of Public Safety) or after \"of\" (University of\n\
             Illinois). Never from a place name: Washington County SO has no state."
        );
        let _ = writeln!(s, "\nAliases:");
        for (re, state, what) in &self.aliases {
            let _ = writeln!(s, "  {:<16} {}  {what}", re.as_str(), state.as_str());
        }
        let _ = writeln!(s, "\nLevels, the first rule that matches decides:");
        for r in &self.levels {
            let _ = writeln!(
                s,
                "  {:<17} {:<16} {}",
                r.name,
                r.level.as_str(),
                r.description
            );
        }
        let _ = writeln!(s, "  (none)            unknown          no rule matched");
        s
    }

    /// The state aliases, for [`super::name::read`].
    pub fn aliases(&self) -> &[(Regex, StateCode, String)] {
        &self.aliases
    }

    /// The level rules, in the order they are tried.
    pub fn levels(&self) -> &[LevelRule] {
        &self.levels
    }

    /// The level of a read name: the first rule that matches, and what it matched.
    pub fn classify(&self, reading: &Reading) -> (Level, Option<&str>, Option<String>) {
        for r in &self.levels {
            if r.state_name_first && !reading.state_name_first {
                continue;
            }
            if let Some(m) = r.regex.find(&reading.rest) {
                let matched = (!r.state_name_first).then(|| m.as_str().trim().to_string());
                return (r.level, Some(&r.name), matched);
            }
        }
        (Level::Unknown, None, None)
    }
}

fn compile(
    file: &RulesFile,
    origin: &str,
    aliases: &mut Vec<(Regex, StateCode, String)>,
    levels: &mut Vec<LevelRule>,
) -> Result<(), AgencyFileError> {
    let bad = |what: &str, name: &str, message: String| AgencyFileError::Syntax {
        origin: origin.to_string(),
        message: format!("{what} {name:?}: {message}"),
    };
    for a in &file.alias {
        let regex = Regex::new(&a.pattern).map_err(|e| bad("alias", &a.pattern, e.to_string()))?;
        let state = StateCode::parse(&a.state).ok_or_else(|| {
            bad(
                "alias",
                &a.pattern,
                format!("state {:?} is not a two-letter state code", a.state),
            )
        })?;
        aliases.push((regex, state, a.description.clone()));
    }
    for l in &file.level {
        let level = Level::parse(&l.level).ok_or_else(|| {
            bad(
                "level rule",
                &l.name,
                format!(
                    "level {:?} is not one of {}",
                    l.level,
                    Level::ALL.map(Level::as_str).join(", ")
                ),
            )
        })?;
        let regex =
            Regex::new(&l.pattern).map_err(|e| bad("level rule", &l.name, e.to_string()))?;
        levels.push(LevelRule {
            name: l.name.clone(),
            level,
            description: l.description.clone(),
            pattern: l.pattern.clone(),
            regex,
            state_name_first: l.state_name_first,
        });
    }
    Ok(())
}
