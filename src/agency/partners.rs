//! ICE's 287(g) lists (`--partners FILE`, XLSX or CSV, as ICE publishes them: participating and
//! pending) and matching them to Flock's agency names.
//!
//! ICE names an agency officially (`Seminole County Sheriff's Office`, state `FLORIDA`), Flock
//! by its own pattern (`Seminole County FL SO`). A name matches an agreement only when the state
//! is the same and either the place and the kind of agency are (`seminole county` + sheriff), or
//! the whole name is. A Flock name without a state never matches: `Harris County TX SO` is not
//! Georgia's `Harris County Sheriff's Office`, and `Houston TX PD` is not `Houston County
//! Sheriff's Office` (another place, another kind).

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use super::StateCode;
use super::name::Reading;

/// The most rows read from one list (ICE's has about a thousand).
const ROWS_MAX: usize = 200_000;

/// Whether an agreement is signed or pending.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// On ICE's list of participating agencies.
    Participating,
    /// On ICE's list of pending agreements.
    Pending,
}

/// One row of a 287(g) list: one agreement.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Agreement {
    /// The agency's official name.
    pub agency: String,
    /// Its state.
    pub state: StateCode,
    /// `TYPE`: County, Municipality, State Agency.
    #[serde(rename = "type")]
    pub kind: String,
    /// `SUPPORT TYPE`: Task Force Model, Warrant Service Officer, Jail Enforcement Model.
    pub support: String,
    /// `SIGNED`, as a date where it reads as one.
    pub signed: Option<String>,
    /// Participating or pending.
    pub status: Status,
    /// The list it came from.
    pub file: String,
    /// Its row there.
    pub row: u64,
}

/// What matched a name, and how.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Found {
    /// `state, place and kind` or `state and name`.
    pub method: &'static str,
    /// The agreements, in list order.
    pub agreements: Vec<Agreement>,
}

impl Found {
    /// The distinct support types, in list order.
    pub fn support_types(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for a in &self.agreements {
            if !out.contains(&a.support.as_str()) {
                out.push(&a.support);
            }
        }
        out
    }
}

/// The kind of agency a name is, for matching.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Kind {
    Sheriff,
    Police,
    PublicSafety,
    Constable,
    Marshal,
}

/// The lists read, indexed for matching.
#[derive(Clone, Debug, Default)]
pub struct Partners {
    /// Every agreement, in file and row order.
    pub agreements: Vec<Agreement>,
    /// The files read, in order.
    pub files: Vec<String>,
    /// Rows that could not be used, each naming its file and row.
    pub warnings: Vec<String>,
    by_place: HashMap<(StateCode, Kind, String), Vec<usize>>,
    by_name: HashMap<(StateCode, String), Vec<usize>>,
}

/// A problem that stops a list being read at all.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct PartnersError {
    /// The file.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl Partners {
    /// Reads one list (XLSX or CSV). Rows without a state or an agency are reported in
    /// [`Partners::warnings`], not fatal.
    pub fn read(&mut self, path: &Path) -> Result<(), PartnersError> {
        let shown = crate::sanitize::visible(&path.display().to_string()).into_owned();
        let fail = |message: String| PartnersError {
            path: shown.clone(),
            message,
        };
        let rows = if is_workbook(path).map_err(|e| fail(format!("cannot read: {e}")))? {
            crate::ingest::xlsx::read_table(path, ROWS_MAX).map_err(fail)?
        } else {
            read_csv(path).map_err(fail)?
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let status = if name.contains("pending") {
            Status::Pending
        } else {
            Status::Participating
        };
        self.add_rows(&rows, &shown, status).map_err(fail)?;
        self.files.push(shown);
        Ok(())
    }

    /// Adds a table's rows (its header found among the first rows).
    pub fn add_rows(
        &mut self,
        rows: &[(u64, Vec<String>)],
        file: &str,
        status: Status,
    ) -> Result<(), String> {
        let norm = |s: &str| s.trim().to_ascii_uppercase();
        let header = rows.iter().take(20).position(|(_, r)| {
            r.iter().any(|c| norm(c) == "STATE")
                && r.iter().any(|c| norm(c) == "LAW ENFORCEMENT AGENCY")
        });
        let Some(h) = header else {
            return Err(
                "not ICE's 287(g) list: no header row with STATE and LAW ENFORCEMENT AGENCY in the first 20 rows"
                    .into(),
            );
        };
        let labels: Vec<String> = rows[h].1.iter().map(|c| norm(c)).collect();
        let col = |l: &str| labels.iter().position(|c| c == l);
        let (Some(c_state), Some(c_agency)) = (col("STATE"), col("LAW ENFORCEMENT AGENCY")) else {
            return Err("not ICE's 287(g) list".into());
        };
        let (c_type, c_support, c_signed) = (col("TYPE"), col("SUPPORT TYPE"), col("SIGNED"));
        let cell = |r: &[String], c: Option<usize>| -> String {
            c.and_then(|c| r.get(c))
                .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
                .unwrap_or_default()
        };
        for (line, r) in &rows[h + 1..] {
            let state_text = cell(r, Some(c_state));
            let agency = cell(r, Some(c_agency));
            if state_text.is_empty() && agency.is_empty() {
                if r.iter().any(|c| !c.trim().is_empty()) {
                    self.warnings.push(format!(
                        "{file}: row {line}: no state and no agency (a note row?); not used"
                    ));
                }
                continue;
            }
            if state_text.is_empty() {
                self.warnings.push(format!(
                    "{file}: row {line}: {}: no state; not used",
                    crate::sanitize::visible(&agency)
                ));
                continue;
            }
            let Some(state) =
                StateCode::from_name(&state_text).or_else(|| StateCode::parse(&state_text))
            else {
                self.warnings.push(format!(
                    "{file}: row {line}: {}: state {:?} is not a US state; not used",
                    crate::sanitize::visible(&agency),
                    crate::sanitize::visible(&state_text)
                ));
                continue;
            };
            if agency.is_empty() {
                self.warnings
                    .push(format!("{file}: row {line}: no agency name; not used"));
                continue;
            }
            let signed = Some(cell(r, c_signed))
                .filter(|s| !s.is_empty())
                .map(|s| date(&s));
            let a = Agreement {
                agency,
                state,
                kind: cell(r, c_type),
                support: cell(r, c_support),
                signed,
                status,
                file: file.to_string(),
                row: *line,
            };
            let i = self.agreements.len();
            if let Some((kind, place)) = place_kind(&a.agency, state) {
                self.by_place
                    .entry((state, kind, place))
                    .or_default()
                    .push(i);
            }
            self.by_name
                .entry((state, whole(&a.agency, state)))
                .or_default()
                .push(i);
            self.agreements.push(a);
        }
        Ok(())
    }

    /// True when no list was read.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The agreements a Flock name matches (with its state, as the profile has it).
    pub fn find(&self, state: Option<StateCode>, reading: &Reading) -> Option<Found> {
        if self.agreements.is_empty() {
            return None;
        }
        let state = state?;
        let (method, hits) = match place_kind(&reading.rest, state)
            .and_then(|(k, p)| self.by_place.get(&(state, k, p)))
        {
            Some(h) => ("state, place and kind", h),
            None => (
                "state and name",
                self.by_name.get(&(state, whole(&reading.rest, state)))?,
            ),
        };
        Some(Found {
            method,
            agreements: hits.iter().map(|&i| self.agreements[i].clone()).collect(),
        })
    }
}

fn is_workbook(path: &Path) -> std::io::Result<bool> {
    use std::io::Read;
    let mut magic = [0u8; 4];
    let n = std::fs::File::open(path)?.read(&mut magic)?;
    Ok(n == 4 && magic == *b"PK\x03\x04")
}

fn read_csv(path: &Path) -> Result<Vec<(u64, Vec<String>)>, String> {
    let f = std::fs::File::open(path).map_err(|e| format!("cannot read: {e}"))?;
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(std::io::BufReader::new(f));
    let mut rows = Vec::new();
    let mut rec = csv::ByteRecord::new();
    loop {
        let line = r.position().line();
        match r.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(format!("line {line}: not readable CSV: {e}")),
        }
        if rows.len() >= ROWS_MAX {
            return Err(format!("more than {ROWS_MAX} rows"));
        }
        let cells: Vec<String> = rec
            .iter()
            .map(|c| {
                let c = c.strip_prefix(b"\xef\xbb\xbf").unwrap_or(c);
                String::from_utf8_lossy(c).into_owned()
            })
            .collect();
        if cells.iter().any(|c| !c.trim().is_empty()) {
            rows.push((line, cells));
        }
    }
    Ok(rows)
}

/// A signing date as `YYYY-MM-DD` where it reads as one (`2025-06-25`, `6/25/2025`); else the
/// text as written.
fn date(s: &str) -> String {
    let s = s.trim();
    let head = s.split(['T', ' ']).next().unwrap_or(s);
    for f in ["%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y"] {
        if let Ok(d) = chrono::NaiveDate::parse_from_str(head, f) {
            return d.format("%Y-%m-%d").to_string();
        }
    }
    s.to_string()
}

/// Lower-case words without punctuation, with `Co` read as `county` and `Saint` as `st`.
fn norm_words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .replace(['\'', '’', '.'], "")
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| match w {
            "co" | "cnty" => "county".to_string(),
            "saint" => "st".to_string(),
            "mount" => "mt".to_string(),
            "fort" => "ft".to_string(),
            "dept" | "departent" => "department".to_string(),
            other => other.to_string(),
        })
        .collect()
}

/// The words of a name that are its state (`fl`, `florida`), left out of places and names.
fn is_state_word(words: &[String], i: usize, state: StateCode) -> usize {
    if words[i] == state.as_str().to_ascii_lowercase() {
        return 1;
    }
    let name: Vec<String> = state
        .name()
        .to_lowercase()
        .split(' ')
        .map(String::from)
        .collect();
    if words.len() >= i + name.len() && words[i..i + name.len()] == name[..] {
        return name.len();
    }
    0
}

/// The place and kind of a name (`seminole county` + sheriff), when it is a sheriff's office,
/// police department, public-safety department, constable or marshal.
fn place_kind(text: &str, state: StateCode) -> Option<(Kind, String)> {
    let words = norm_words(text);
    let mut kind = None;
    let mut place: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = words[i].as_str();
        let next = words.get(i + 1).map(String::as_str);
        let k = match w {
            "sheriff" | "sheriffs" | "so" => Some(Kind::Sheriff),
            "sd" if i + 1 == words.len() => Some(Kind::Sheriff),
            "police" | "pd" => Some(Kind::Police),
            "dps" => Some(Kind::PublicSafety),
            "public" if next == Some("safety") => {
                i += 1;
                Some(Kind::PublicSafety)
            }
            "constable" | "constables" => Some(Kind::Constable),
            "marshal" | "marshals" => Some(Kind::Marshal),
            _ => None,
        };
        if let Some(k) = k {
            if kind.is_some_and(|old| old != k) {
                return None;
            }
            kind = Some(k);
            i += 1;
            continue;
        }
        let skip = is_state_word(&words, i, state);
        if skip > 0 && !place.is_empty() {
            i += skip;
            continue;
        }
        if !matches!(
            w,
            "office" | "department" | "the" | "of" | "city" | "town" | "village"
        ) || (w == "city" && !place.is_empty())
        {
            place.push(w);
        }
        i += 1;
    }
    let kind = kind?;
    (!place.is_empty()).then(|| (kind, place.join(" ")))
}

/// A whole name, normalised, without its state's code or name.
fn whole(text: &str, state: StateCode) -> String {
    let words = norm_words(text);
    let mut out: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let skip = is_state_word(&words, i, state);
        if skip > 0 {
            i += skip;
            continue;
        }
        if !matches!(words[i].as_str(), "the" | "of") {
            out.push(&words[i]);
        }
        i += 1;
    }
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(s: &str) -> StateCode {
        StateCode::parse(s).expect("state")
    }

    #[test]
    fn place_and_kind_agree_across_the_two_ways_of_naming() {
        let fl = st("FL");
        assert_eq!(
            place_kind("Seminole County FL SO", fl),
            place_kind("Seminole County Sheriff's Office", fl)
        );
        assert_eq!(
            place_kind("St. Lucie County FL SO", fl),
            place_kind("Saint Lucie County Sheriff’s Office", fl)
        );
        assert_eq!(
            place_kind("Houston PD", st("TX")),
            Some((Kind::Police, "houston".into()))
        );
        assert_eq!(
            place_kind("Houston County Sheriff's Office", st("TX")),
            Some((Kind::Sheriff, "houston county".into()))
        );
        assert_eq!(
            place_kind("City of Largo PD", fl),
            place_kind("Largo Police Department", fl)
        );
        // Florida Highway Patrol is no sheriff or police department: matched by name only.
        assert_eq!(place_kind("Florida Highway Patrol", fl), None);
        assert_eq!(whole("Florida Highway Patrol", fl), "highway patrol");
    }

    #[test]
    fn dates_read_or_kept() {
        assert_eq!(date("2025-06-25"), "2025-06-25");
        assert_eq!(date("6/25/2025"), "2025-06-25");
        assert_eq!(date("2025-06-25T00:00:00Z"), "2025-06-25");
        assert_eq!(date("link pending"), "link pending");
    }
}
