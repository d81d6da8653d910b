//! Personal data with a shape: e-mail addresses, phone and social security numbers, dates of
//! birth, street addresses, case and report numbers, plates. And what is never masked however it
//! looks: penal codes and statutes, the program and office numbers a finding rests on.

use std::sync::LazyLock;

use regex::Regex;

use super::{Kind, Mask};

/// A pattern, and the capture group that is the personal part (0: all of it).
struct Pattern {
    kind: Kind,
    re: Regex,
    group: usize,
}

fn pattern(kind: Kind, re: &str, group: usize) -> Pattern {
    Pattern {
        kind,
        re: Regex::new(re).expect("a built-in redaction pattern compiles"),
        group,
    }
}

const MONTHS: &str = "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec";

static PATTERNS: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
    let date = format!(
        r"(\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:\d{{4}}|\d{{2}})|\d{{4}}-\d{{1,2}}-\d{{1,2}}|(?:{MONTHS})[a-z]*\.?\s+\d{{1,2}},?\s+\d{{4}})"
    );
    vec![
        pattern(
            Kind::Email,
            r"(?i)\b[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b",
            0,
        ),
        pattern(Kind::Ssn, r"\b\d{3}-\d{2}-\d{4}\b", 0),
        pattern(
            Kind::Ssn,
            r"(?i)\b(?:ssn|ss#|soc(?:ial)?\s+sec(?:urity)?(?:\s+(?:no|number|#))?)\s*[:#.]?\s*(\d{9}|\d{3}[ -]\d{2}[ -]\d{4})\b",
            1,
        ),
        pattern(
            Kind::Phone,
            r"(?:\+?\b1[-. ])?(?:\(\d{3}\)\s?|\b\d{3}[-. ])\d{3}[-. ]\d{4}\b",
            0,
        ),
        pattern(
            Kind::Phone,
            r"(?i)\b(?:ph|phone|tel|cell|call|mobile|txt|text)\s*[:#.]?\s*(\d{10})\b",
            1,
        ),
        pattern(
            Kind::Dob,
            &format!(
                r"(?i)\b(?:dob|d\.o\.b\.?|born(?:\s+on)?|birth\s*date|date\s+of\s+birth|b/d)\s*[:\-]?\s*{date}"
            ),
            1,
        ),
        pattern(
            Kind::Address,
            r"\b\d{1,6}\s+(?:[NSEW]\.?\s+)?(?:[A-Z][A-Za-z0-9'-]*\.?\s+){1,3}(?i:st|street|ave|avenue|rd|road|blvd|boulevard|dr|drive|ln|lane|way|ct|court|pl|place|hwy|highway|pkwy|parkway|cir|circle|ter|terrace|trl|trail|loop|pike)\b\.?",
            0,
        ),
        pattern(Kind::Case, r"(?:#\s?|\b[A-Za-z]{0,3})\d{2,4}-\d{3,8}\b", 0),
        pattern(Kind::Case, r"#\s?\d{5,}\b", 0),
        pattern(
            Kind::Case,
            r"(?i)\b(?:case|rpt|report|incident|inc|cad|event|dr|cr|file|ref)\s*(?:no\.?|num(?:ber)?|#)?\s*[:#]?\s*([a-z]{0,3}\d[a-z0-9-]{4,})\b",
            1,
        ),
        pattern(
            Kind::Plate,
            r"(?i)\b(?:plate|plt|lic(?:ense)?|tag|lp|vrm)\s*(?:plate\s*)?(?:no\.?|num(?:ber)?|#)?\s*[:#]?\s*(?:[a-z]{2}\s+)?([a-z0-9]{2,8}(?:[ -]\d{1,4})?)\b",
            1,
        ),
    ]
});

/// What is never masked: statutes and penal codes (`10851 VC`, `211PC`, `HS 11350`,
/// `8 USC 1326`, `F.S. 316.193`, `287(g)`), and a program or office number after an agency's
/// initials (`HSI 3500`).
static KEPT: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        r"(?i)\b\d{2,6}(?:\.\d+)?(?:\([a-z0-9]{1,3}\))*\s?(?:vc|pc|hs|h&s|hsc|wi|w&i|wic|bp|pen|fs|cvc)\b",
        r"(?i)\b(?:vc|pc|hs|h&s|hsc|wi|w&i|wic|pen|cvc|ors|rcw|ilcs)\s?\d{2,6}(?:\.\d+)?(?:\([a-z0-9]{1,3}\))*",
        r"(?i)\b\d+\s*u\.?s\.?c\.?\s*§*\s*\d+[a-z]?(?:\([a-z0-9]{1,3}\))*",
        r"(?i)\b(?:f\.?s\.?|fla\.?\s*stat\.?|§)\s*\d+\.\d+",
        r"(?i)\b287\s*\(\s*g\s*\)",
        r"(?i)\b(?:hsi|ice|ero|cbp|dhs|usbp|fbi|dea|atf|usms)\s*#?\d{1,6}\b",
    ]
    .iter()
    .map(|re| Regex::new(re).expect("a built-in kept pattern compiles"))
    .collect()
});

/// Candidates from every shaped pattern, plate-like words among them.
pub fn find(text: &str, out: &mut Vec<Mask>) {
    for p in PATTERNS.iter() {
        for c in p.re.captures_iter(text) {
            let Some(m) = c.get(p.group) else { continue };
            if p.kind == Kind::Plate && p.group == 1 && !context_plate(m.as_str(), text) {
                continue;
            }
            out.push(Mask::new(m.start(), m.end(), p.kind));
        }
    }
    plate_like(text, out);
}

/// The spans that are never masked.
pub fn kept(text: &str, out: &mut Vec<(u32, u32)>) {
    for re in KEPT.iter() {
        out.extend(
            re.find_iter(text)
                .map(|m| (m.start() as u32, m.end() as u32)),
        );
    }
}

/// After `plate`, `LIC` or `tag`: a value with a digit, or written in capitals in a text that is
/// not all capitals (`plate check` is not a plate; `plate ABC123` and `plate BADBOY` are).
fn context_plate(value: &str, text: &str) -> bool {
    let digit = value.bytes().any(|b| b.is_ascii_digit());
    let caps = value.len() >= 4 && !value.bytes().any(|b| b.is_ascii_lowercase());
    digit || (caps && text.bytes().any(|b| b.is_ascii_lowercase()))
}

/// Words of 5 to 8 letters and digits, with both, and no lower-case letter: `7ABC123`,
/// `ABC1234`. Not a statute (`211PC`, `10851VC`) or an ordinal (`22ND`).
fn plate_like(text: &str, out: &mut Vec<Mask>) {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_alphanumeric() {
            i += 1;
        }
        // A word that runs on into other letters (accents, scripts) is not one.
        let bounded = (start == 0 || b[start - 1] < 0x80) && (i == b.len() || b[i] < 0x80);
        let w = &b[start..i];
        if bounded && (5..=8).contains(&w.len()) && plate_word(w) {
            out.push(Mask::new(start, i, Kind::Plate));
        }
    }
}

fn plate_word(w: &[u8]) -> bool {
    let digits = w.iter().filter(|b| b.is_ascii_digit()).count();
    let upper = w.iter().filter(|b| b.is_ascii_uppercase()).count();
    if digits == 0 || upper == 0 || digits + upper != w.len() {
        return false;
    }
    let tail = |n: usize| std::str::from_utf8(&w[w.len() - n..]).unwrap_or("");
    let lead_digits = w.iter().take_while(|b| b.is_ascii_digit()).count();
    // Five letters in a row make a word, not a plate (`4RUNNER`, `COVID19`).
    if w.windows(5).any(|r| r.iter().all(u8::is_ascii_uppercase)) {
        return false;
    }
    // Digits then a code's letters: a statute (`211PC`) or an ordinal (`22ND`).
    let code = lead_digits + 2 == w.len()
        && matches!(
            tail(2),
            "PC" | "VC" | "HS" | "WI" | "BP" | "ST" | "ND" | "RD" | "TH" | "FS"
        )
        || lead_digits + 3 == w.len() && matches!(tail(3), "USC" | "CVC" | "HSC" | "WIC");
    !code
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(String, Kind)> {
        let mut out = Vec::new();
        find(text, &mut out);
        out.iter()
            .map(|m| (text[m.start as usize..m.end as usize].to_string(), m.kind))
            .collect()
    }

    #[test]
    fn each_shape_is_found_with_its_kind() {
        let has = |text: &str, part: &str, kind: Kind| {
            let found = kinds(text);
            assert!(
                found.iter().any(|(p, k)| p == part && *k == kind),
                "{text:?}: {part:?} as {kind:?} not in {found:?}"
            );
        };
        has(
            "contact jg@example.com re stolen",
            "jg@example.com",
            Kind::Email,
        );
        has("ssn 123-45-6789", "123-45-6789", Kind::Ssn);
        has("SSN: 123456789 check", "123456789", Kind::Ssn);
        has("call (619) 555-0142 asap", "(619) 555-0142", Kind::Phone);
        has("RP 619-555-0142", "619-555-0142", Kind::Phone);
        has("DOB 03/14/1988", "03/14/1988", Kind::Dob);
        has("dob: 1990-07-22 wanted", "1990-07-22", Kind::Dob);
        has("subj DOB Mar 3, 1979", "Mar 3, 1979", Kind::Dob);
        has("veh seen at 1412 Oak St", "1412 Oak St", Kind::Address);
        has("1412 N. MAIN AVE", "1412 N. MAIN AVE", Kind::Address);
        has("case 25-004512", "25-004512", Kind::Case);
        has("rpt #2025-118734", "#2025-118734", Kind::Case);
        has("Case No. T21004571", "T21004571", Kind::Case);
        has("7ABC123 stolen", "7ABC123", Kind::Plate);
        has("plate ABC1234", "ABC1234", Kind::Plate);
        has("LIC CA KLM4821", "KLM4821", Kind::Plate);
        has("tag 4GHT21", "4GHT21", Kind::Plate);
        has("plate BADBOY seen", "BADBOY", Kind::Plate);
    }

    #[test]
    fn codes_dates_and_counts_are_not_personal() {
        for text in [
            "10851 VC",
            "211PC",
            "HS 11350",
            "ICE warrant",
            "HSI 3500",
            "search 2025-07-22 14:30",
            "3 vehicles",
            "plate check",
            "Immigration (civil/administrative) - HSI",
            "22ND street",
            "covid19 fraud",
        ] {
            let found = kinds(text);
            let mut kept_spans = Vec::new();
            kept(text, &mut kept_spans);
            let unkept: Vec<_> = found
                .iter()
                .filter(|(p, _)| {
                    let s = text.find(p.as_str()).unwrap() as u32;
                    !kept_spans.iter().any(|&(a, b)| a <= s && s < b)
                })
                .collect();
            assert!(unkept.is_empty(), "{text:?}: {unkept:?}");
        }
    }
}
