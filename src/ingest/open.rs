//! Opening a file: gzip by magic bytes, BOM, and what the content is (CSV, JSON, NDJSON).

use std::fs::File;
use std::io::{BufRead, BufReader, Read};

use super::{FileError, InputFile, xlsx};

/// The most a gzip file of `compressed` bytes is copied to: one that inflates to more than
/// [`xlsx::RATIO_MAX`] times its size (past [`xlsx::RATIO_FLOOR`]) is refused as a bomb, as a
/// workbook's parts are, rather than filling the disk (real CSV compresses 3 to 10 times).
fn copy_limit(compressed: u64) -> u64 {
    xlsx::RATIO_FLOOR.max(compressed.saturating_mul(xlsx::RATIO_MAX))
}

/// A reader that writes what it reads to a file as well, on a thread of its own (so that the
/// writing overlaps the inflating and the parsing).
struct Tee<R> {
    inner: R,
    /// Bytes copied so far, and the most that will be (see [`Tee::new`]).
    copied: u64,
    limit: u64,
    tx: Option<std::sync::mpsc::SyncSender<Vec<u8>>>,
    writer: Option<std::thread::JoinHandle<std::io::Result<()>>>,
}

impl<R> Tee<R> {
    /// Reading past `limit` bytes (see [`copy_limit`]) fails.
    fn new(inner: R, mut copy: File, limit: u64) -> Tee<R> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(8);
        let writer = std::thread::Builder::new()
            .name("alpr-triage-inflated-copy".into())
            .spawn(move || {
                for chunk in rx {
                    std::io::Write::write_all(&mut copy, &chunk)?;
                }
                Ok(())
            });
        match writer {
            Ok(writer) => Tee {
                inner,
                copied: 0,
                limit,
                tx: Some(tx),
                writer: Some(writer),
            },
            Err(e) => Tee {
                inner,
                copied: 0,
                limit,
                tx: None,
                writer: Some(std::thread::spawn(move || Err(e))),
            },
        }
    }

    /// Waits for the writer; its error, if it stopped on one.
    fn finish(&mut self) -> std::io::Result<()> {
        self.tx = None;
        let result = match self.writer.take().map(|h| h.join()) {
            None | Some(Ok(Ok(()))) => return Ok(()),
            Some(Ok(Err(e))) => e,
            Some(Err(_)) => std::io::Error::other("the thread writing it stopped"),
        };
        Err(std::io::Error::new(
            result.kind(),
            format!(
                "cannot write the private decompressed copy the review UI re-reads records from: {result} (set TMPDIR to a folder with room)"
            ),
        ))
    }
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.copied += n as u64;
        if self.copied > self.limit {
            self.tx = None;
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "it inflates to more than {} times its compressed size, like a decompression bomb; the review UI keeps a copy of what it inflates to and stops here (scan, flag and export read it as a stream)",
                    xlsx::RATIO_MAX
                ),
            ));
        }
        let sent = match &self.tx {
            Some(tx) if n > 0 => tx.send(buf[..n].to_vec()).is_ok(),
            Some(_) => false,
            None => self.writer.is_none(),
        };
        if !sent {
            // The end (every byte written), or the writer stopped on an error.
            self.finish()?;
        }
        Ok(n)
    }
}

impl<R> Drop for Tee<R> {
    fn drop(&mut self) {
        let _ = self.finish();
    }
}

/// What the content looks like.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContentFormat {
    /// Delimited text.
    Csv {
        /// `,`, `\t`, `;` or `|`.
        delimiter: u8,
    },
    /// One JSON document (array or object).
    JsonDoc,
    /// One JSON object per line.
    Ndjson,
    /// An Excel workbook (read by [`super::xlsx`], not through [`Opened::reader`]).
    Xlsx,
}

/// An open input, positioned after any BOM.
pub struct Opened {
    /// The (decompressed) content.
    pub reader: BufReader<Box<dyn Read + Send>>,
    /// It was gzip-compressed.
    pub gzip: bool,
    /// What it looks like.
    pub format: ContentFormat,
    /// Bytes skipped before the content (a BOM), for byte offsets.
    pub base_offset: u64,
}

const BUF: usize = 256 * 1024;
/// Buffer of the file under the gzip test.
const MAGIC_BUF: usize = 8 * 1024;

/// Opens a file for reading (read-only; `-` is standard input) and sniffs its format.
pub fn open(file: &InputFile) -> Result<Opened, FileError> {
    open_copying(file, None)
}

/// [`open`], and when the file is gzip-compressed, every byte it inflates to is also written to
/// `copy` as it is read (see [`super::spool::Inflated`]). A failed write fails the read.
pub fn open_copying(file: &InputFile, copy: Option<File>) -> Result<Opened, FileError> {
    let path = file.display.clone();
    let f: Box<dyn Read + Send> = if file.is_stdin() {
        Box::new(std::io::stdin())
    } else {
        Box::new(File::open(&file.path).map_err(|source| FileError::Open {
            path: path.clone(),
            source,
        })?)
    };
    // Only the magic bytes are read through this buffer: reads as large as it go past it.
    let mut raw = BufReader::with_capacity(MAGIC_BUF, f);
    let head = raw.fill_buf().map_err(|source| FileError::Open {
        path: path.clone(),
        source,
    })?;
    let gzip = head.starts_with(&[0x1f, 0x8b]);
    let inner: Box<dyn Read + Send> = if gzip {
        let decoder = flate2::read::MultiGzDecoder::new(raw);
        match copy {
            Some(copy) => {
                let compressed = std::fs::metadata(&file.path).map_or(0, |m| m.len());
                Box::new(Tee::new(decoder, copy, copy_limit(compressed)))
            }
            None => Box::new(decoder),
        }
    } else {
        Box::new(raw)
    };
    let mut reader = BufReader::with_capacity(BUF, inner);
    let head = reader.fill_buf().map_err(|e| FileError::Read {
        path: path.clone(),
        line: 0,
        message: if gzip {
            format!("not a readable gzip file: {e}")
        } else {
            e.to_string()
        },
    })?;
    if head.is_empty() {
        return Err(FileError::Empty { path });
    }
    let not_audit = |message: &str| FileError::NotAudit {
        path: path.clone(),
        message: message.to_string(),
    };
    if head.starts_with(b"PK\x03\x04") {
        let format = workbook(file, gzip).map_err(|m| not_audit(&m))?;
        return Ok(Opened {
            reader,
            gzip,
            format,
            base_offset: 0,
        });
    }
    if head.starts_with(b"\xd0\xcf\x11\xe0") {
        return Err(not_audit(
            "this is an old Excel workbook (.xls) or another Office file; save it as .xlsx or CSV (UTF-8) and load that",
        ));
    }
    if head.starts_with(&[0xff, 0xfe]) || head.starts_with(&[0xfe, 0xff]) {
        return Err(not_audit(
            "this file is UTF-16 text; save it as UTF-8 CSV and load that",
        ));
    }
    if head.starts_with(b"%PDF") {
        return Err(not_audit(
            "this is a PDF; extract its table to CSV first (the audit export Flock produces is CSV)",
        ));
    }
    let probe = &head[..head.len().min(4096)];
    if let Some(what) = binary(probe) {
        return Err(not_audit(what));
    }
    let mut base_offset = 0;
    if head.starts_with(b"\xef\xbb\xbf") {
        reader.consume(3);
        base_offset = 3;
    }
    let head = reader.fill_buf().map_err(|e| FileError::Read {
        path: path.clone(),
        line: 0,
        message: e.to_string(),
    })?;
    let format = sniff(head, file.name());
    Ok(Opened {
        reader,
        gzip,
        format,
        base_offset,
    })
}

/// A ZIP archive: an Excel workbook that is safe to open, or why it is refused.
fn workbook(file: &InputFile, gzip: bool) -> Result<ContentFormat, String> {
    if gzip || file.is_stdin() {
        return Err(format!(
            "this is a ZIP archive or an Excel workbook{}; a workbook is read from a file as it was released (.xlsx), not {}",
            if gzip { " inside gzip" } else { "" },
            if gzip {
                "compressed again"
            } else {
                "from standard input"
            }
        ));
    }
    match super::xlsx::inspect(&file.path)? {
        super::xlsx::Archive::Workbook => Ok(ContentFormat::Xlsx),
        super::xlsx::Archive::Other => Err(
            "this is a ZIP archive, not a workbook or an export; unpack it and load the files inside".into(),
        ),
    }
}

/// Why the first bytes of a file are not text, judged by many bytes rather than one: a NUL or
/// two in a text export is damage in a row (reported with its line), not a binary file.
fn binary(probe: &[u8]) -> Option<&'static str> {
    if probe.is_empty() {
        return None;
    }
    let nul_at = |parity: usize| {
        probe
            .iter()
            .skip(parity)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count()
    };
    // Text in UTF-16: NULs at every other byte (one parity), none at the others.
    let (half, even, odd) = (probe.len().div_ceil(2), nul_at(0), nul_at(1));
    let utf16 = |a: usize, b: usize| a * 10 >= half * 4 && b * 20 <= half;
    if probe.len() >= 16 && (utf16(even, odd) || utf16(odd, even)) {
        return Some(
            "this file looks like UTF-16 text without a byte-order mark; save it as UTF-8 CSV and load that",
        );
    }
    // Controls that never occur in text exports (not tab, line feed, form feed, carriage
    // return or escape).
    let odd = probe
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | 0x0c | b'\r' | 0x1b))
        .count();
    (odd * 20 > probe.len())
        .then_some("this is a binary file, not a CSV or JSON search-audit export")
}

fn sniff(head: &[u8], path: &std::path::Path) -> ContentFormat {
    let first = head.iter().position(|c| !c.is_ascii_whitespace());
    let name = path.to_string_lossy().to_ascii_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    match first.map(|i| head[i]) {
        Some(b'[') => ContentFormat::JsonDoc,
        Some(b'{') => {
            if name.ends_with(".ndjson") || name.ends_with(".jsonl") {
                return ContentFormat::Ndjson;
            }
            let start = first.unwrap_or(0);
            let rest = &head[start..];
            let line_end = rest.iter().position(|&c| c == b'\n').unwrap_or(rest.len());
            let line = &rest[..line_end];
            let complete =
                serde_json::from_slice::<serde::de::IgnoredAny>(line.trim_ascii()).is_ok();
            let more = rest[line_end..]
                .iter()
                .find(|c| !c.is_ascii_whitespace())
                .is_some_and(|&c| c == b'{');
            if complete && more {
                ContentFormat::Ndjson
            } else {
                ContentFormat::JsonDoc
            }
        }
        _ => ContentFormat::Csv {
            delimiter: sniff_delimiter(head, name),
        },
    }
}

fn sniff_delimiter(head: &[u8], name: &str) -> u8 {
    if name.ends_with(".tsv") {
        return b'\t';
    }
    let line_end = head.iter().position(|&c| c == b'\n').unwrap_or(head.len());
    let line = &head[..line_end];
    let mut in_quotes = false;
    let mut counts = [0usize; 4];
    const CANDIDATES: [u8; 4] = [b',', b'\t', b';', b'|'];
    for &c in line {
        if c == b'"' {
            in_quotes = !in_quotes;
        } else if !in_quotes && let Some(i) = CANDIDATES.iter().position(|&d| d == c) {
            counts[i] += 1;
        }
    }
    let (best, n) = counts
        .iter()
        .enumerate()
        .max_by_key(|(i, n)| (**n, usize::MAX - i))
        .map(|(i, n)| (CANDIDATES[i], *n))
        .unwrap_or((b',', 0));
    if n == 0 { b',' } else { best }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn a_tee_copies_every_byte_and_stops_a_bomb_at_its_limit() {
        let dir = tempfile::tempdir().unwrap();
        let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        let path = dir.path().join("copy");
        let mut tee = Tee::new(&data[..], File::create(&path).unwrap(), 100_000);
        let mut read = Vec::new();
        tee.read_to_end(&mut read).unwrap();
        drop(tee);
        assert_eq!(read, data);
        assert_eq!(std::fs::read(&path).unwrap(), data);
        let mut tee = Tee::new(&data[..], File::create(&path).unwrap(), 99_999);
        let e = tee.read_to_end(&mut Vec::new()).unwrap_err();
        assert!(e.to_string().contains("decompression bomb"), "{e}");
        assert_eq!(copy_limit(10 << 10), xlsx::RATIO_FLOOR);
        assert_eq!(copy_limit(1 << 30), 200 << 30);
    }

    #[test]
    fn a_failed_write_of_the_copy_fails_the_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("copy");
        std::fs::write(&path, b"").unwrap();
        // Opened for reading only: every write fails.
        let read_only = File::open(&path).unwrap();
        let data = vec![b'a'; 1 << 20];
        let mut tee = Tee::new(&data[..], read_only, u64::MAX);
        let e = tee.read_to_end(&mut Vec::new()).unwrap_err();
        assert!(e.to_string().contains("set TMPDIR"), "{e}");
    }

    #[test]
    fn sniffs_formats() {
        let p = Path::new("x.csv");
        assert_eq!(
            sniff(b"a,b,c\n1,2,3", p),
            ContentFormat::Csv { delimiter: b',' }
        );
        assert_eq!(
            sniff(b"a\tb\tc\n", p),
            ContentFormat::Csv { delimiter: b'\t' }
        );
        assert_eq!(
            sniff(b"\"a;b\",c,d\n", p),
            ContentFormat::Csv { delimiter: b',' }
        );
        assert_eq!(sniff(b"  [{\"a\":1}]", p), ContentFormat::JsonDoc);
        assert_eq!(sniff(b"{\"a\":1}\n{\"a\":2}\n", p), ContentFormat::Ndjson);
        assert_eq!(sniff(b"{\n \"a\": 1\n}\n", p), ContentFormat::JsonDoc);
        assert_eq!(
            sniff(b"{\"a\":1}\n", Path::new("x.jsonl")),
            ContentFormat::Ndjson
        );
    }

    #[test]
    fn binary_is_judged_by_many_bytes() {
        let mut text = b"Reason,Search Time\n".repeat(100);
        text[40] = 0;
        assert_eq!(
            binary(&text),
            None,
            "one NUL in text is a bad row, not a binary file"
        );
        let elf: Vec<u8> = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0\x01\0\0\0"
            .iter()
            .copied()
            .chain(std::iter::repeat_n(0u8, 200))
            .collect();
        assert!(binary(&elf).unwrap().contains("binary file"));
        let utf16: Vec<u8> = "Reason,Search Time"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert!(binary(&utf16).unwrap().contains("UTF-16"));
    }
}
