//! Text from audit files made safe for where it goes: a terminal (control, format and bidi
//! characters shown as `⟨U+202E⟩` instead of acting on the screen) and a spreadsheet (a cell that
//! would start a formula neutralised with a leading `'`).
//!
//! Audit files come from many agencies and may be hostile: a reason can hold an escape sequence
//! that sets the clipboard (OSC 52), retitles the window or clears the screen, a bidi override
//! that makes an agency name read backwards, or `=HYPERLINK(…)`. Every human-readable line the
//! tool prints, every text the review UI draws, and machine output written to a terminal goes
//! through [`visible`] or [`TerminalWriter`], which share one rule ([`is_unsafe`]) and one
//! notation. Machine formats written to a file or a pipe stay byte-exact.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, Write};
use std::sync::LazyLock;

use regex::Regex;

/// Characters that act on a terminal or change layout instead of showing: controls (C0, DEL,
/// C1), format characters (zero-width joiners and spaces, soft hyphen, byte-order mark, bidi
/// embeddings, overrides and isolates, tags) and the Unicode line and paragraph separators.
/// (`None` only if the fixed pattern failed to compile, which `tests::patterns_compile` rules
/// out; [`replace`] then escapes everything but printable ASCII.)
static UNSAFE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]").ok());

/// The same, but keeping line feeds and tabs (text that is meant to span lines).
static UNSAFE_BLOCK: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"[[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]--[\n\t]]").ok());

/// True when `c` must not reach a terminal as it is (see [`UNSAFE`]).
pub fn is_unsafe(c: char) -> bool {
    let mut buf = [0u8; 4];
    matches!(visible(c.encode_utf8(&mut buf)), Cow::Owned(_))
}

/// How an unsafe character is shown: `⟨U+001B⟩`.
fn notation(c: char, out: &mut String) {
    let _ = write!(out, "⟨U+{:04X}⟩", c as u32);
}

fn replace<'a>(re: &Option<Regex>, s: &'a str) -> Cow<'a, str> {
    // Printable ASCII (nearly every cell of a real audit file) needs no search.
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return Cow::Borrowed(s);
    }
    match re {
        Some(re) => re.replace_all(s, |caps: &regex::Captures<'_>| {
            let mut out = String::new();
            for c in caps[0].chars() {
                notation(c, &mut out);
            }
            out
        }),
        None => {
            let mut out = String::new();
            for c in s.chars() {
                if (' '..='~').contains(&c) {
                    out.push(c);
                } else {
                    notation(c, &mut out);
                }
            }
            Cow::Owned(out)
        }
    }
}

/// `s` for one line of a terminal: every control, format and separator character (line feeds
/// and tabs included) shown as `⟨U+XXXX⟩`.
pub fn visible(s: &str) -> Cow<'_, str> {
    replace(&UNSAFE, s)
}

/// `s` for a terminal, keeping its line feeds and tabs: text meant to span lines (a note, a
/// report).
pub fn visible_block(s: &str) -> Cow<'_, str> {
    replace(&UNSAFE_BLOCK, s)
}

/// A path as shown in messages: escaped as [`visible`].
pub fn path(p: &std::path::Path) -> String {
    visible(&p.display().to_string()).into_owned()
}

/// A writer that passes text to a terminal safely: what [`visible_block`] does, on a byte
/// stream (UTF-8 split across writes is put back together; bytes that are not UTF-8 are shown as
/// `⟨0xFF⟩`). Used for human-readable output, and for machine output (CSV, JSON) when it goes to
/// a terminal rather than a file or a pipe.
pub struct TerminalWriter<W: Write> {
    inner: W,
    /// The start of a UTF-8 sequence that the next write completes.
    pending: Vec<u8>,
}

impl<W: Write> TerminalWriter<W> {
    /// Wraps `inner`.
    pub fn new(inner: W) -> TerminalWriter<W> {
        TerminalWriter {
            inner,
            pending: Vec::new(),
        }
    }

    fn emit(&mut self, bytes: &[u8], at_end: bool) -> io::Result<()> {
        let mut rest = bytes;
        while !rest.is_empty() {
            match std::str::from_utf8(rest) {
                Ok(s) => {
                    self.inner.write_all(visible_block(s).as_bytes())?;
                    rest = &[];
                }
                Err(e) => {
                    let (good, bad) = rest.split_at(e.valid_up_to());
                    // Valid UTF-8 by `valid_up_to`.
                    let s = std::str::from_utf8(good).unwrap_or_default();
                    self.inner.write_all(visible_block(s).as_bytes())?;
                    match e.error_len() {
                        Some(n) => {
                            for b in &bad[..n] {
                                write!(self.inner, "⟨0x{b:02X}⟩")?;
                            }
                            rest = &bad[n..];
                        }
                        None if !at_end => {
                            self.pending.extend_from_slice(bad);
                            rest = &[];
                        }
                        None => {
                            for b in bad {
                                write!(self.inner, "⟨0x{b:02X}⟩")?;
                            }
                            rest = &[];
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Writes out any unfinished UTF-8 sequence (as bytes) and returns the inner writer.
    pub fn into_inner(mut self) -> io::Result<W> {
        let pending = std::mem::take(&mut self.pending);
        self.emit(&pending, true)?;
        self.inner.flush()?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for TerminalWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.pending.is_empty() {
            self.emit(buf, false)?;
        } else {
            let mut joined = std::mem::take(&mut self.pending);
            joined.extend_from_slice(buf);
            self.emit(&joined, false)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// The characters a spreadsheet reads as the start of a formula in a cell (OWASP, "CSV
/// Injection"): `=`, `+`, `-`, `@`, tab and carriage return.
pub const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// What the manifest says about cells neutralised for spreadsheets.
pub const FORMULA_RULE: &str = "a cell starting with = + - @ tab or carriage return is written with a leading ' so that spreadsheets show it as text instead of running it as a formula (--raw-cells turns this off)";

/// A CSV cell made safe to open in a spreadsheet: one starting with a formula character gets a
/// leading `'`, which spreadsheets show as text.
pub fn spreadsheet_cell(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some(c) if FORMULA_STARTS.contains(&c) => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_compile() {
        let (one, block) = (UNSAFE.as_ref().unwrap(), UNSAFE_BLOCK.as_ref().unwrap());
        assert!(one.is_match("\u{1b}") && one.is_match("\n"));
        assert!(block.is_match("\u{1b}"));
        assert!(!block.is_match("\n\t"));
    }

    #[test]
    fn escapes_what_acts_on_a_terminal() {
        assert_eq!(visible("Dallas PD"), "Dallas PD");
        assert_eq!(visible("café ✓"), "café ✓");
        // OSC 52 (set the clipboard), a CSI clear, a bell.
        assert_eq!(
            visible("ICE\u{1b}]52;c;ZXZpbA==\u{7}"),
            "ICE⟨U+001B⟩]52;c;ZXZpbA==⟨U+0007⟩"
        );
        assert_eq!(visible("\u{9b}2J"), "⟨U+009B⟩2J", "8-bit CSI");
        assert_eq!(visible("a\u{7f}b"), "a⟨U+007F⟩b");
        // Bidi override, zero-width joiner, soft hyphen, byte-order mark, line separator.
        assert_eq!(visible("DP \u{202e}ECI"), "DP ⟨U+202E⟩ECI");
        assert_eq!(
            visible("a\u{200d}b\u{ad}c\u{feff}d\u{2028}e"),
            "a⟨U+200D⟩b⟨U+00AD⟩c⟨U+FEFF⟩d⟨U+2028⟩e"
        );
        assert_eq!(visible("two\nlines\t"), "two⟨U+000A⟩lines⟨U+0009⟩");
        assert_eq!(visible_block("two\nlines\t\r"), "two\nlines\t⟨U+000D⟩");
        for c in ['\u{1b}', '\u{202e}', '\u{200b}', '\u{2066}', '\u{e0041}'] {
            assert!(is_unsafe(c), "{c:?}");
        }
        for c in ['a', 'é', '✓', '中', ' '] {
            assert!(!is_unsafe(c), "{c:?}");
        }
    }

    #[test]
    fn writer_escapes_across_writes_and_bad_bytes() {
        let mut w = TerminalWriter::new(Vec::new());
        let text = "id,reason\n1,\"x\u{1b}[2J\u{202e}é\"\n".as_bytes();
        // Every split point, including inside the two-byte é and the three-byte override.
        for cut in 0..text.len() {
            let mut w2 = TerminalWriter::new(Vec::new());
            w2.write_all(&text[..cut]).unwrap();
            w2.write_all(&text[cut..]).unwrap();
            assert_eq!(
                String::from_utf8(w2.into_inner().unwrap()).unwrap(),
                "id,reason\n1,\"x⟨U+001B⟩[2J⟨U+202E⟩é\"\n",
                "cut at {cut}"
            );
        }
        w.write_all(b"a\xffb\xc3").unwrap();
        assert_eq!(
            String::from_utf8(w.into_inner().unwrap()).unwrap(),
            "a⟨0xFF⟩b⟨0xC3⟩"
        );
    }

    #[test]
    fn formula_cells_are_neutralised() {
        for (cell, safe) in [
            (
                "=HYPERLINK(\"http://x\",\"click\")",
                "'=HYPERLINK(\"http://x\",\"click\")",
            ),
            ("+1", "'+1"),
            ("-2+3", "'-2+3"),
            ("@agency PD", "'@agency PD"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("ICE", "ICE"),
            ("", ""),
            (" =1", " =1"),
            ("a=b", "a=b"),
        ] {
            assert_eq!(spreadsheet_cell(cell), safe, "{cell:?}");
        }
    }
}
