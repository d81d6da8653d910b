//! Where things live (config and data folders, with environment overrides) and the user's
//! config file. Defaults are in code; the file holds only overrides; a bad file is a list of
//! warnings shown in the UI, never a crash.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Environment variable overriding the config folder.
pub const CONFIG_DIR_ENV: &str = "ALPR_TRIAGE_CONFIG_DIR";
/// Environment variable overriding the data folder (default annotation files).
pub const DATA_DIR_ENV: &str = "ALPR_TRIAGE_DATA_DIR";

fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "alpr-triage")
}

/// The config folder.
pub fn config_dir() -> PathBuf {
    if let Some(d) = std::env::var_os(CONFIG_DIR_ENV) {
        return PathBuf::from(d);
    }
    project_dirs()
        .map(|p| p.config_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from(".alpr-triage"))
}

/// The data folder.
pub fn data_dir() -> PathBuf {
    if let Some(d) = std::env::var_os(DATA_DIR_ENV) {
        return PathBuf::from(d);
    }
    project_dirs()
        .map(|p| p.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from(".alpr-triage"))
}

/// The config file.
pub fn config_file() -> PathBuf {
    config_dir().join("config.toml")
}

/// The default annotation file for a set of inputs: one per dataset folder (the folder given,
/// or the folder holding the files given), so renaming, reordering or adding files in it keeps
/// the same annotations. Annotations are keyed by record id, so two datasets sharing a file
/// never mix up.
pub fn default_annotations(inputs: &[PathBuf]) -> PathBuf {
    let folders: Vec<PathBuf> = inputs
        .iter()
        .map(|p| {
            let abs = std::fs::canonicalize(p).unwrap_or_else(|_| p.clone());
            if abs.is_dir() {
                abs
            } else {
                abs.parent().map(Path::to_path_buf).unwrap_or(abs)
            }
        })
        .collect();
    let mut common = folders.first().cloned().unwrap_or_default();
    for f in &folders[1.min(folders.len())..] {
        while !f.starts_with(&common) {
            if !common.pop() {
                break;
            }
        }
    }
    let name: String = common
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "dataset".into())
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let hash = xxhash_rust::xxh3::xxh3_64(common.to_string_lossy().as_bytes());
    data_dir()
        .join("annotations")
        .join(format!("{name}-{:08x}.json", hash as u32))
}

/// After a verdict, where the cursor goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Advance {
    /// The next record without a verdict (default).
    #[default]
    NextUnreviewed,
    /// The next record.
    Next,
    /// Stay.
    Stay,
}

/// Settings from the config file.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Cursor movement after a verdict.
    pub advance: Advance,
    /// Key overrides: action name → keys.
    pub keys: Vec<(String, Vec<String>)>,
}

/// The line (1-based) of a byte offset in `text`.
fn line_of(text: &str, at: usize) -> usize {
    text.as_bytes()[..at.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

type SpannedTable = std::collections::BTreeMap<toml::Spanned<String>, toml::Spanned<toml::Value>>;

/// Reads the config file. Problems come back as warnings; defaults fill in.
pub fn load(path: &Path) -> (Config, Vec<String>) {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return (Config::default(), Vec::new());
        }
        Err(e) => {
            return (
                Config::default(),
                vec![format!("{}: cannot read config: {e}", path.display())],
            );
        }
    };
    parse(&text, &path.display().to_string())
}

/// Parses config text. Each bad setting is one warning naming its key and line; every other
/// setting still applies. Only a file that is not TOML at all is ignored whole.
pub fn parse(text: &str, origin: &str) -> (Config, Vec<String>) {
    let mut warnings = Vec::new();
    let table: SpannedTable = match toml::from_str(text) {
        Ok(t) => t,
        Err(e) => {
            let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(1);
            warnings.push(format!(
                "{origin}:{line}: not valid TOML, so the whole config is ignored: {}",
                e.message().trim().replace('\n', " ")
            ));
            return (Config::default(), warnings);
        }
    };
    let mut config = Config::default();
    for (key, value) in table {
        let line = line_of(text, key.span().start);
        let at = format!("{origin}:{line}");
        match key.get_ref().as_str() {
            "advance" => match value.get_ref().clone().try_into::<Advance>() {
                Ok(a) => config.advance = a,
                _ => warnings.push(format!(
                    "{at}: advance = {}: use \"next-unreviewed\", \"next\" or \"stay\"; kept the default",
                    value.get_ref()
                )),
            },
            "keys" => match value.into_inner() {
                toml::Value::Table(keys) => {
                    for (action, v) in keys {
                        let line = text
                            .lines()
                            .enumerate()
                            .skip(line - 1)
                            .find(|(_, l)| {
                                let l = l.trim_start();
                                l.starts_with(action.as_str())
                                    && l[action.len()..].trim_start().starts_with('=')
                            })
                            .map(|(i, _)| i + 1)
                            .unwrap_or(line);
                        let at = format!("{origin}:{line}");
                        let list: Vec<String> = match v {
                            toml::Value::String(s) => vec![s],
                            toml::Value::Array(a) => a
                                .into_iter()
                                .filter_map(|x| match x {
                                    toml::Value::String(s) => Some(s),
                                    other => {
                                        warnings.push(format!(
                                            "{at}: keys.{action}: {other} is not a key name"
                                        ));
                                        None
                                    }
                                })
                                .collect(),
                            other => {
                                warnings.push(format!(
                                    "{at}: keys.{action} = {other}: give a key or a list of keys"
                                ));
                                continue;
                            }
                        };
                        config.keys.push((action, list));
                    }
                }
                other => warnings.push(format!(
                    "{at}: keys = {other}: keys is a table ([keys], then action = \"key\")"
                )),
            },
            other => warnings.push(format!(
                "{at}: unknown setting {other:?} (settings: advance, [keys]); ignored"
            )),
        }
    }
    (config, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_overrides_and_warnings() {
        let (c, w) = parse(
            "advance = \"stay\"\n[keys]\nquit = [\"ctrl-q\", \"q\"]\nundo = \"z\"\n",
            "c.toml",
        );
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(c.advance, Advance::Stay);
        assert_eq!(c.keys.len(), 2);
        // One bad value is one warning with its key and line; the rest applies.
        let (c, w) = parse(
            "# mine\nadvance = \"sideways\"\n[keys]\nundo = \"z\"\nquit = 3\n",
            "c.toml",
        );
        assert_eq!(c.advance, Advance::NextUnreviewed);
        assert_eq!(c.keys, [("undo".to_string(), vec!["z".to_string()])]);
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(
            w[0].starts_with("c.toml:2: advance = \"sideways\""),
            "{w:?}"
        );
        assert!(w[1].starts_with("c.toml:5: keys.quit = 3"), "{w:?}");
        let (c, w) = parse("colour = 1\nadvance = \"stay\"\n", "c.toml");
        assert!(
            w[0].starts_with("c.toml:1: unknown setting \"colour\""),
            "{w:?}"
        );
        assert_eq!(c.advance, Advance::Stay);
        let (_, w) = parse("advance = \n", "c.toml");
        assert!(w[0].starts_with("c.toml:1: not valid TOML"), "{w:?}");
    }

    #[test]
    fn default_annotations_follow_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.csv"), "x").unwrap();
        std::fs::write(dir.path().join("b.csv"), "x").unwrap();
        let by_folder = default_annotations(&[dir.path().to_path_buf()]);
        let by_files = default_annotations(&[dir.path().join("b.csv"), dir.path().join("a.csv")]);
        assert_eq!(by_folder, by_files);
        assert!(by_folder.to_string_lossy().ends_with(".json"));
    }
}
