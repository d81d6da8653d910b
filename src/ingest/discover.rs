//! Paths → input files. A folder stands for every supported file below it.

use std::path::{Path, PathBuf};

use super::FileError;

/// One file to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputFile {
    /// The file.
    pub path: PathBuf,
    /// The path as shown in messages and `file:line` sources.
    pub display: String,
}

/// A file inside a folder that was not read, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// The file.
    pub display: String,
    /// Why it was skipped.
    pub reason: String,
}

const SUPPORTED: &[&str] = &["csv", "tsv", "txt", "json", "ndjson", "jsonl"];

/// True when a file name has a supported extension (optionally followed by `.gz`).
pub fn is_supported_name(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    match name.rsplit_once('.') {
        Some((_, ext)) => SUPPORTED.contains(&ext),
        None => false,
    }
}

/// Expands paths: files as given (whatever their name), folders to their supported files in
/// path order. Hidden files and folders are skipped. A file named twice is read once.
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
                        Err(e) => errors.push(FileError::Open {
                            path: e
                                .path()
                                .map(|p| p.display().to_string())
                                .unwrap_or_else(|| display.clone()),
                            source: e
                                .into_io_error()
                                .unwrap_or_else(|| std::io::Error::other("cannot walk folder")),
                        }),
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
                        Ok(_) => {}
                    }
                }
            }
            Ok(_) => add(p.clone(), display, &mut files),
        }
    }
    (files, skipped, errors)
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
        ] {
            assert!(is_supported_name(Path::new(n)), "{n}");
        }
        for n in ["SOURCES.md", "x.gz", "x.xlsx", "noext"] {
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
}
