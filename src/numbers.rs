//! Counts as a person reads them: `16,915,342`, the same way in the UI and in every command's
//! text (never in machine outputs: JSON, CSV and manifests keep plain numbers).

use std::fmt::Display;

/// A count with thousands separators (`16915342` → `16,915,342`); anything that is not all
/// digits (a sign, a fraction) is written as it is.
pub fn thousands(n: impl Display) -> String {
    let s = n.to_string();
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return s;
    }
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn groups_of_three() {
        assert_eq!(thousands(0u64), "0");
        assert_eq!(thousands(999usize), "999");
        assert_eq!(thousands(1000u32), "1,000");
        assert_eq!(thousands(16_915_342u64), "16,915,342");
        assert_eq!(thousands(u64::MAX), "18,446,744,073,709,551,615");
        assert_eq!(thousands(-1200i64), "-1200");
    }
}
