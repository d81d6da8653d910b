//! Opening a file: gzip by magic bytes, BOM, and what the content is (CSV, JSON, NDJSON).

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use encoding_rs::Encoding;
use encoding_rs_io::DecodeReaderBytesBuilder;

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

/// An open input, positioned after any BOM, and in UTF-8: UTF-16 text is decoded as it is read.
pub struct Opened {
    /// The (decompressed, decoded) content.
    pub reader: BufReader<Box<dyn Read + Send>>,
    /// It was gzip-compressed.
    pub gzip: bool,
    /// It is UTF-16 text (`UTF_16LE` or `UTF_16BE`), decoded to UTF-8 as it is read: byte
    /// offsets are then offsets in what it decodes to.
    pub utf16: Option<&'static Encoding>,
    /// What it looks like.
    pub format: ContentFormat,
    /// Bytes skipped before the content (a BOM), for byte offsets.
    pub base_offset: u64,
    /// Bytes of the file itself read so far (compressed, encoded), for progress.
    pub read: Arc<AtomicU64>,
}

/// Counts the bytes read through it.
struct Counted<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

const BUF: usize = 256 * 1024;
/// Buffer of the file under the gzip test.
const MAGIC_BUF: usize = 8 * 1024;
/// The first bytes judged for UTF-16 without a byte-order mark, and for binary content.
const PROBE: usize = 4096;

/// Opens a file for reading (read-only; `-` is standard input) and sniffs its format.
pub fn open(file: &InputFile) -> Result<Opened, FileError> {
    open_copying(file, None)
}

/// [`open`], and when the file is gzip-compressed or UTF-16, every byte it inflates or decodes
/// to is also written to `copy` as it is read (see [`super::spool::inflated_copy`]). A failed
/// write fails the read.
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
    let read = Arc::new(AtomicU64::new(0));
    let f = Counted {
        inner: f,
        read: read.clone(),
    };
    // Only the magic bytes are read through this buffer: reads as large as it go past it.
    let mut raw = BufReader::with_capacity(MAGIC_BUF, f);
    let head = raw.fill_buf().map_err(|source| FileError::Open {
        path: path.clone(),
        source,
    })?;
    let gzip = head.starts_with(&[0x1f, 0x8b]);
    let inner: Box<dyn Read + Send> = if gzip {
        Box::new(flate2::read::MultiGzDecoder::new(raw))
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
            utf16: None,
            format,
            base_offset: 0,
            read,
        });
    }
    if head.starts_with(b"\xd0\xcf\x11\xe0") {
        return Err(not_audit(
            "this is an old Excel workbook (.xls) or another Office file; save it as .xlsx or CSV (UTF-8) and load that",
        ));
    }
    if head.starts_with(b"%PDF") {
        return Err(not_audit(
            "this is a PDF; extract its table to CSV first (the audit export Flock produces is CSV)",
        ));
    }
    let utf16 = utf16_of(head);
    if let Some(encoding) = utf16 {
        // Excel's "Unicode Text" and other UTF-16 exports, decoded to UTF-8 as they are read
        // (a byte-order mark is dropped; an unpaired surrogate becomes U+FFFD, which the rows'
        // checks then warn of).
        let decoded = DecodeReaderBytesBuilder::new()
            .encoding(Some(encoding))
            .strip_bom(true)
            .build_with_buffer(reader, vec![0; BUF])
            .map_err(|e| FileError::Read {
                path: path.clone(),
                line: 0,
                message: e.to_string(),
            })?;
        reader = BufReader::with_capacity(BUF, Box::new(decoded));
    }
    if let Some(copy) = copy.filter(|_| gzip || utf16.is_some()) {
        let size = std::fs::metadata(&file.path).map_or(0, |m| m.len());
        let tee: Box<dyn Read + Send> = Box::new(Tee::new(reader, copy, copy_limit(size)));
        reader = BufReader::with_capacity(BUF, tee);
    }
    let head = reader.fill_buf().map_err(|e| FileError::Read {
        path: path.clone(),
        line: 0,
        message: e.to_string(),
    })?;
    if head.is_empty() {
        return Err(FileError::Empty { path });
    }
    let probe = &head[..head.len().min(PROBE)];
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
        utf16,
        format,
        base_offset,
        read,
    })
}

/// The UTF-16 byte order of text that starts with `head`: by its byte-order mark, or, without
/// one, by the pattern of zero bytes in its first bytes (ASCII text in UTF-16 has a NUL at every
/// other byte: the first of each pair in big-endian, the second in little-endian).
pub fn utf16_of(head: &[u8]) -> Option<&'static Encoding> {
    if head.starts_with(&[0xff, 0xfe]) {
        return Some(encoding_rs::UTF_16LE);
    }
    if head.starts_with(&[0xfe, 0xff]) {
        return Some(encoding_rs::UTF_16BE);
    }
    let probe = &head[..head.len().min(PROBE)];
    if probe.len() < 16 {
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
    // NULs at 40% or more of one parity's bytes, and at 5% or fewer of the other's.
    let (half, even, odd) = (probe.len().div_ceil(2), nul_at(0), nul_at(1));
    let utf16 = |a: usize, b: usize| a * 10 >= half * 4 && b * 20 <= half;
    if utf16(even, odd) {
        Some(encoding_rs::UTF_16BE)
    } else if utf16(odd, even) {
        Some(encoding_rs::UTF_16LE)
    } else {
        None
    }
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

/// Why the first bytes of a (UTF-8) text file are not text, judged by many bytes rather than
/// one: a NUL or two in a text export is damage in a row (reported with its line), not a binary
/// file.
fn binary(probe: &[u8]) -> Option<&'static str> {
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
        let le: Vec<u8> = "Reason,Search Time"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let be: Vec<u8> = "Reason,Search Time"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert_eq!(utf16_of(&le), Some(encoding_rs::UTF_16LE));
        assert_eq!(utf16_of(&be), Some(encoding_rs::UTF_16BE));
        assert_eq!(utf16_of(&text), None);
        assert_eq!(utf16_of(&elf), None, "a binary file is not UTF-16 text");
    }
}
