//! Paths → input files. A folder stands for every supported file below it.

use std::path::{Path, PathBuf};

use super::FileError;

/// One file to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputFile {
    /// The file (`-` for standard input; for a stream read more than once, the private copy
    /// made of it, see [`super::spool`]).
    pub path: PathBuf,
    /// The path as shown in messages and `file:line` sources.
    pub display: String,
}

/// What `-` reads, as shown in messages and sources.
pub const STDIN_NAME: &str = "standard input";

impl InputFile {
    /// Standard input.
    pub fn stdin() -> InputFile {
        InputFile {
            path: PathBuf::from("-"),
            display: STDIN_NAME.into(),
        }
    }

    /// True for standard input (`-`).
    pub fn is_stdin(&self) -> bool {
        self.path.as_os_str() == "-"
    }

    /// A path whose file is this input's (standard input's own file where it was redirected
    /// from one), to tell it apart from the outputs.
    pub fn stat_path(&self) -> Option<PathBuf> {
        if self.is_stdin() {
            let p = PathBuf::from("/dev/stdin");
            return std::fs::metadata(&p)
                .is_ok_and(|m| m.is_file())
                .then_some(p);
        }
        Some(self.path.clone())
    }

    /// The name the file was given by (its file name tells the export kind and the agency; a
    /// private copy of a stream keeps the stream's).
    pub fn name(&self) -> &Path {
        Path::new(&self.display)
    }

    /// True when the input can be read only once (standard input, a FIFO, a device).
    pub fn is_stream(&self) -> bool {
        self.is_stdin() || std::fs::metadata(&self.path).is_ok_and(|m| !m.is_file())
    }
}

/// A file inside a folder that was not read, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// The file.
    pub display: String,
    /// Why it was skipped.
    pub reason: String,
}

const SUPPORTED: &[&str] = &[
    "csv", "tsv", "txt", "json", "ndjson", "jsonl", "xlsx", "xlsm",
];

/// True when a file name has a supported extension (optionally followed by `.gz`).
pub fn is_supported_name(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let (name, gzip) = match name.strip_suffix(".gz") {
        Some(n) => (n, true),
        None => (name.as_str(), false),
    };
    match name.rsplit_once('.') {
        // Workbooks are ZIP archives already: never gzip-compressed as released.
        Some((_, "xlsx" | "xlsm")) => !gzip,
        Some((_, ext)) => SUPPORTED.contains(&ext),
        None => false,
    }
}

/// Expands paths: `-` to standard input, files as given (whatever their name, FIFOs included),
/// folders to their supported regular files in path order. Hidden files and folders, and
/// anything in a folder that is not a regular file, are skipped (and listed). A file named
/// twice is read once.
pub fn discover(paths: &[PathBuf]) -> (Vec<InputFile>, Vec<Skipped>, Vec<FileError>) {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    let mut errors = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut add = |path: PathBuf, display: String, files: &mut Vec<InputFile>| {
        let key = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        if seen.insert(key) {
            files.push(InputFile { path, display });
        }
    };
    for p in paths {
        if p.as_os_str() == "-" {
            let stdin = InputFile::stdin();
            add(stdin.path, stdin.display, &mut files);
            continue;
        }
        let display = p.display().to_string();
        match std::fs::metadata(p) {
            Err(source) => errors.push(FileError::Open {
                path: display,
                source,
            }),
            Ok(m) if m.is_dir() => {
                let walker = walkdir::WalkDir::new(p)
                    .follow_links(true)
                    .sort_by_file_name()
                    .into_iter()
                    .filter_entry(|e| {
                        e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.')
                    });
                for entry in walker {
                    match entry {
                        Err(e) => errors.push(walk_error(e, &display)),
                        Ok(e) if e.file_type().is_file() => {
                            let shown = e.path().display().to_string();
                            if is_supported_name(e.path()) {
                                add(e.path().to_path_buf(), shown, &mut files);
                            } else {
                                skipped.push(Skipped {
                                    display: shown,
                                    reason: "not a .csv, .tsv, .txt, .json, .ndjson or .jsonl file (optionally .gz)".into(),
                                });
                            }
                        }
                        Ok(e) if !e.file_type().is_dir() => skipped.push(Skipped {
                            display: e.path().display().to_string(),
                            reason: "not a regular file (a FIFO, socket or device); give its path on its own to read it".into(),
                        }),
                        Ok(_) => {}
                    }
                }
            }
            Ok(_) => add(p.clone(), display, &mut files),
        }
    }
    (files, skipped, errors)
}

/// A folder walk's error, saying what went wrong (a loop of symbolic links names both ends).
fn walk_error(e: walkdir::Error, folder: &str) -> FileError {
    let path = e
        .path()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| folder.to_string());
    if let Some(ancestor) = e.loop_ancestor() {
        return FileError::Open {
            path,
            source: std::io::Error::other(format!(
                "a loop of symbolic links: it leads back to {}, which contains it; skipped",
                ancestor.display()
            )),
        };
    }
    let source = e
        .into_io_error()
        .unwrap_or_else(|| std::io::Error::other("cannot read this folder"));
    FileError::Open { path, source }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn supported_names() {
        for n in [
            "a.csv",
            "A.CSV",
            "x.ndjson.gz",
            "p.json",
            "t.tsv",
            "l.jsonl",
            "w.xlsx",
            "w.XLSM",
        ] {
            assert!(is_supported_name(Path::new(n)), "{n}");
        }
        for n in ["SOURCES.md", "x.gz", "x.xls", "x.xlsx.gz", "noext"] {
            assert!(!is_supported_name(Path::new(n)), "{n}");
        }
    }

    #[test]
    fn folders_expand_and_files_dedupe() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("b.csv"), "x").unwrap();
        std::fs::write(dir.path().join("a.json"), "x").unwrap();
        std::fs::write(dir.path().join("notes.md"), "x").unwrap();
        std::fs::write(dir.path().join(".hidden.csv"), "x").unwrap();
        let (files, skipped, errors) = discover(&[
            dir.path().to_path_buf(),
            dir.path().join("b.csv"),
            dir.path().join("missing.csv"),
        ]);
        let names: Vec<_> = files
            .iter()
            .map(|f| f.path.file_name().unwrap().to_owned())
            .collect();
        assert_eq!(names, ["a.json", "b.csv"]);
        assert_eq!(skipped.len(), 1);
        assert_eq!(errors.len(), 1);
        assert!(errors[0].to_string().contains("missing.csv"));
    }

    #[test]
    fn a_loop_of_links_is_named_and_a_fifo_in_a_folder_is_listed() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        std::fs::write(sub.join("a.csv"), "x").unwrap();
        std::os::unix::fs::symlink(&sub, sub.join("again")).unwrap();
        let fifo = dir.path().join("pipe.csv");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid C string and mode.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let (files, skipped, errors) = discover(&[dir.path().to_path_buf()]);
        assert_eq!(files.len(), 1);
        let e = errors[0].to_string();
        assert!(
            e.contains("again") && e.contains("loop of symbolic links"),
            "{e}"
        );
        assert!(
            skipped
                .iter()
                .any(|s| s.display.ends_with("pipe.csv") && s.reason.contains("FIFO")),
            "{skipped:?}"
        );
        let (files, ..) = discover(&[PathBuf::from("-"), PathBuf::from("-"), fifo]);
        assert_eq!(
            files.len(),
            2,
            "standard input once, and a FIFO given by name"
        );
        assert!(files[0].is_stdin() && files[1].is_stream());
    }
}
