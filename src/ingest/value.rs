//! Cell values: decoding bytes, recognising redaction, repairing mojibake.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

/// Decodes a cell. Valid UTF-8 is borrowed; anything else is read as Windows-1252 (what Latin-1
/// exports almost always are) and reported through the `bool`.
pub fn decode(bytes: &[u8]) -> (Cow<'_, str>, bool) {
    match std::str::from_utf8(bytes) {
        Ok(s) => (Cow::Borrowed(s), false),
        Err(_) => {
            let (s, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            (Cow::Owned(s.into_owned()), true)
        }
    }
}

/// True when a whole cell is a redaction marker: `***`, `REDACTED`, `[REDACTED]`, `###`,
/// `* * *`, a FOIA exemption (`(b)(6)`), or a statute cite such as `7923.600 GC`. A `*` inside a
/// value (`Z*0028*`) is a wildcard, not redaction.
pub fn is_redaction(s: &str) -> bool {
    static STATUTE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?i)^(?:(?:cal\.?\s*)?(?:gc|gov\.?\s*code|government\s+code)\s*§?\s*\d{3,5}(?:\.\d+)?(?:\([a-z0-9]+\))*|\d{3,5}(?:\.\d+)?(?:\([a-z0-9]+\))*\s*(?:gc|gov\.?\s*code|government\s+code))$",
        )
        .expect("static regex")
    });
    let t = s.trim();
    let b = t.as_bytes();
    if b.len() < 3 {
        return false;
    }
    // Most cells are ordinary values: decide from the first byte before doing any real work.
    match b[0] {
        b'*' | b'#' | 0xe2 => {
            let markers = t
                .chars()
                .filter(|c| matches!(c, '*' | '#' | '█' | '■'))
                .count();
            markers >= 3 && t.chars().all(|c| matches!(c, '*' | '#' | '█' | '■' | ' '))
        }
        b'[' | b'(' | b'<' | b'r' | b'R' | b'w' | b'W' | b'e' | b'E' => {
            let inner = t.trim_matches(|c| matches!(c, '[' | ']' | '(' | ')' | '<' | '>'));
            ["redacted", "redact", "withheld", "exempt"]
                .iter()
                .any(|w| inner.eq_ignore_ascii_case(w))
                || (b.len() >= 4 && b[..4].eq_ignore_ascii_case(b"(b)("))
        }
        b'0'..=b'9' => {
            let lower_end = |suffix: &[u8]| {
                b.len() >= suffix.len() && b[b.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
            };
            (lower_end(b"gc") || lower_end(b"code")) && STATUTE.is_match(t)
        }
        b'g' | b'G' | b'c' | b'C' => b.iter().any(u8::is_ascii_digit) && STATUTE.is_match(t),
        _ => false,
    }
}

/// Repairs UTF-8 text that was decoded as Windows-1252 somewhere upstream (`Â§` → `§`,
/// `â€“` → `–`). Returns None when the text does not look like mojibake or would not survive the
/// round trip.
pub fn repair_mojibake(s: &str) -> Option<String> {
    // Â, Ã and â, the lead of every such pair, are C3 82, C3 83 and C3 A2 in UTF-8.
    let b = s.as_bytes();
    if !memchr::memchr_iter(0xc3, b).any(|i| matches!(b.get(i + 1), Some(0x82 | 0x83 | 0xa2))) {
        return None;
    }
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(s);
    if unmappable {
        return None;
    }
    let fixed = std::str::from_utf8(&bytes).ok()?;
    (fixed != s).then(|| fixed.to_string())
}

/// Trims and collapses whitespace runs (including newlines) to single spaces.
pub fn collapse_ws(s: &str) -> Cow<'_, str> {
    let t = s.trim();
    // Whitespace other than a space, or after whitespace.
    let mut after_ws = false;
    let needs = t.bytes().any(|c| {
        let ws = c.is_ascii_whitespace();
        let odd = ws && (c != b' ' || after_ws);
        after_ws = ws;
        odd
    });
    if !needs {
        return Cow::Borrowed(t);
    }
    Cow::Owned(t.split_whitespace().collect::<Vec<_>>().join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn redaction_markers() {
        for s in [
            "***",
            "REDACTED",
            "[REDACTED]",
            "###",
            "* * *",
            " *** ",
            "7923.600 GC",
            "GC 7923.600",
            "7923.600(a) Gov. Code",
            "(b)(6)",
            "Redacted",
            "████",
        ] {
            assert!(is_redaction(s), "{s:?}");
        }
        for s in [
            "Z*0028*", "ABC123", "", "**", "Stolen", "211PC", "10851", "HS 11350", "ICE", "GC",
            "211 PC", "7923",
        ] {
            assert!(!is_redaction(s), "{s:?}");
        }
    }

    #[test]
    fn latin1_bytes_are_decoded_and_reported() {
        let (s, bad) = decode(b"Caf\xe9 \xa7 5");
        assert_eq!(s, "Café § 5");
        assert!(bad);
        let (s, bad) = decode("ok".as_bytes());
        assert_eq!(s, "ok");
        assert!(!bad);
    }

    #[test]
    fn mojibake_is_repaired() {
        assert_eq!(repair_mojibake("PC Â§ 211").as_deref(), Some("PC § 211"));
        assert_eq!(repair_mojibake("ICE â€“ ERO").as_deref(), Some("ICE – ERO"));
        assert_eq!(repair_mojibake("plain"), None);
    }

    #[test]
    fn whitespace_collapses() {
        assert_eq!(collapse_ws("  a  b\nc "), "a b c");
        assert!(matches!(collapse_ws(" ab "), Cow::Borrowed("ab")));
    }

    fn texts() -> impl Strategy<Value = String> {
        const SPECIAL: &[char] = &[' ', '\n', '\t', '\u{a0}', 'Â', 'â', 'Ã', '§', '€', '“', 'a'];
        crate::test_strings::strings_of(SPECIAL, 16)
    }

    proptest! {
        #![proptest_config(crate::test_strings::cases(256))]
        /// Checked against the plain definitions the fast checks stand in for.
        #[test]
        fn fast_checks_agree_with_the_definitions(s in texts()) {
            let t = s.trim();
            let unchanged = !t.as_bytes().windows(2).any(|w| w[0].is_ascii_whitespace() && w[1].is_ascii_whitespace())
                && !t.bytes().any(|c| c.is_ascii_whitespace() && c != b' ');
            let collapsed = collapse_ws(&s);
            prop_assert_eq!(matches!(collapsed, Cow::Borrowed(_)), unchanged);
            if !unchanged {
                prop_assert_eq!(collapsed.as_ref(), t.split_whitespace().collect::<Vec<_>>().join(" "));
            } else {
                prop_assert_eq!(collapsed.as_ref(), t);
            }
            let repaired = s.contains(['Â', 'â', 'Ã']).then(|| {
                let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&s);
                let fixed = std::str::from_utf8(&bytes).ok().filter(|_| !unmappable)?;
                (fixed != s).then(|| fixed.to_string())
            }).flatten();
            prop_assert_eq!(repair_mojibake(&s), repaired);
        }
    }
}
