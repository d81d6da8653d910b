//! SHA-256 of files and bytes, as lower-case hex: how inputs, outputs and rule sets are named
//! in manifests.

use std::path::Path;

use sha2::{Digest, Sha256};

/// Lower-case hex of bytes (digests).
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of a file, hex.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut r =
        std::io::BufReader::with_capacity(1 << 20, Reading::new(std::fs::File::open(path)?));
    std::io::copy(&mut r, &mut std::io::sink())?;
    Ok(r.into_inner().hex())
}

/// A reader that hashes what passes through it: the SHA-256 of a file read for another
/// purpose, without reading it twice.
pub struct Reading<R> {
    inner: R,
    sha: Sha256,
}

impl<R> Reading<R> {
    /// Hashes what is read from `inner`.
    pub fn new(inner: R) -> Reading<R> {
        Reading {
            inner,
            sha: Sha256::new(),
        }
    }

    /// SHA-256 (hex) of everything read.
    pub fn hex(self) -> String {
        hex(&self.sha.finalize())
    }
}

impl<R: std::io::Read> std::io::Read for Reading<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.sha.update(&buf[..n]);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    /// The digest of a file, and of what a reader passed on, is the known one.
    #[test]
    fn hashes_as_sha256sum_does() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("h.txt");
        std::fs::write(&p, "hello\n").unwrap();
        let known = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";
        assert_eq!(super::sha256_file(&p).unwrap(), known);
        let mut r = super::Reading::new(&b"hello\n"[..]);
        std::io::copy(&mut r, &mut std::io::sink()).unwrap();
        assert_eq!(r.hex(), known);
    }
}
