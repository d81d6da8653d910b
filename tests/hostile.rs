//! Safety of everything the tool writes and shows, tried as an attacker would: output paths that
//! are devices, FIFOs, links or other roles' files; terminal escapes and formulas in the data;
//! streams, huge rows, NUL bytes and broken files as input. The real binary, as a user runs it.

mod common;

use std::io::{Read, Write};
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{bin, fixture, run, s};

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

fn small() -> String {
    s(&fixture(
        "10_1_2025-10_31_2025-Millbrook TX PD-Network-Audit.csv",
    ))
}

fn mkfifo(p: &Path) {
    let c = std::ffi::CString::new(p.to_str().unwrap()).unwrap();
    // SAFETY: a valid C string and mode.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
}

/// An audit file whose reason and agency cells carry terminal escapes and formulas.
fn hostile_csv(dir: &Path) -> PathBuf {
    let p = dir.join("hostile.csv");
    std::fs::write(
        &p,
        "Org Name,Reason,Search Time\n\
         \"@agency PD\",\"=HYPERLINK(\"\"http://x\"\",\"\"click\"\") ICE\",\"01/02/2025, 01:00:00 AM UTC\"\n\
         \"Palm PD\u{202e}ECI\",\"ICE\u{1b}]52;c;ZXZpbA==\u{7} hold\",\"01/03/2025, 01:00:00 AM UTC\"\n\
         \"-2+3 PD\",\"+ICE\u{1b}[2J\",\"01/04/2025, 01:00:00 AM UTC\"\n",
    )
    .unwrap();
    p
}

fn annotations_file(dir: &Path, n: usize) -> PathBuf {
    let p = dir.join("ann.json");
    let mut text = String::from("{\"version\": 1, \"annotations\": [");
    let flagged = run(&["flag", &small()]);
    let ids: Vec<String> = String::from_utf8(flagged.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    for (i, id) in ids.iter().take(n).enumerate() {
        if i > 0 {
            text.push(',');
        }
        text.push_str(&format!(
            "\n{{\"record_id\":\"{id}\",\"verdict\":\"immigration\",\"note\":\"\",\"reviewer\":\"ana\",\"annotated_at\":\"2026-01-01T00:00:00Z\",\"query\":\"\",\"record\":{{\"agency\":\"x\",\"reason\":\"y\"}}}}"
        ));
    }
    text.push_str("\n]}\n");
    std::fs::write(&p, text).unwrap();
    p
}

// ---- Output paths ----

#[test]
fn dev_null_and_stdout_need_no_force_and_are_never_replaced() {
    for args in [
        vec!["flag", "--out", "/dev/null"],
        vec!["flag", "--out", "/dev/null", "--force"],
        vec!["flag", "--all", "--format", "csv", "--out", "/dev/null"],
    ] {
        let mut a = args.clone();
        let input = small();
        a.push(&input);
        let out = run(&a);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        assert!(
            std::fs::metadata("/dev/null")
                .unwrap()
                .file_type()
                .is_char_device()
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let ann = annotations_file(dir.path(), 2);
    let to_stdout = run(&["flag", "--out", "-", &small()]);
    assert_eq!(to_stdout.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&to_stdout.stdout).lines().count(),
        3
    );
    assert!(!Path::new("-").exists(), "no file called -");
    // Export to standard output with its manifest to standard error's neighbour file.
    let manifest = dir.path().join("m.json");
    let out = run(&[
        "export",
        &small(),
        "--annotations",
        &s(&ann),
        "--out",
        "-",
        "--manifest",
        &s(&manifest),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&manifest).unwrap()).unwrap();
    assert_eq!(doc["output"]["path"], "standard output");
    assert_eq!(doc["output"]["records"], 2);
    assert_eq!(
        doc["output"]["sha256"].as_str().unwrap().len(),
        64,
        "the bytes written to standard output are hashed as they go"
    );
    // Both to standard output: refused.
    let out = run(&[
        "export",
        &small(),
        "--annotations",
        &s(&ann),
        "--out",
        "-",
        "--manifest",
        "-",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("is both --out and the manifest"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_fifo_output_is_written_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("out.pipe");
    mkfifo(&fifo);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut text = String::new();
            std::fs::File::open(fifo)
                .unwrap()
                .read_to_string(&mut text)
                .unwrap();
            text
        })
    };
    let out = run(&["flag", "--out", &s(&fifo), &small()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = reader.join().unwrap();
    assert_eq!(text.lines().count(), 3);
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo(),
        "still a FIFO"
    );
}

#[test]
fn a_link_is_written_through_and_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("target.jsonl");
    std::fs::write(&target, "old").unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644)).unwrap();
    let link = dir.path().join("link.jsonl");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let out = run(&["flag", "--out", &s(&link), &small()]);
    assert_eq!(out.status.code(), Some(2), "exists: needs --force");
    let out = run(&["flag", "--out", &s(&link), "--force", &small()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap().lines().count(), 3);
    assert_eq!(
        std::fs::metadata(&target).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let dangling = dir.path().join("dangling.jsonl");
    std::os::unix::fs::symlink(dir.path().join("nowhere/x"), &dangling).unwrap();
    let out = run(&["flag", "--out", &s(&dangling), "--force", &small()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("symbolic link to nothing"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn outputs_that_are_the_annotations_an_input_or_each_other_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ann = annotations_file(dir.path(), 2);
    let before = std::fs::read(&ann).unwrap();
    let link_to_ann = dir.path().join("alias.csv");
    std::os::unix::fs::symlink(&ann, &link_to_ann).unwrap();
    let input = dir.path().join("in.csv");
    std::fs::copy(small(), &input).unwrap();
    let hard = dir.path().join("hard.csv");
    std::fs::hard_link(&input, &hard).unwrap();
    let a = s(&ann);
    for (args, expect) in [
        (
            vec![
                "export",
                &small(),
                "--annotations",
                &a,
                "--out",
                &a,
                "--force",
            ],
            "the annotation file",
        ),
        (
            vec![
                "export",
                &small(),
                "--annotations",
                &a,
                "--out",
                &s(&link_to_ann),
                "--force",
            ],
            "the annotation file",
        ),
        (
            vec![
                "export",
                &small(),
                "--annotations",
                &a,
                "--out",
                &s(&dir.path().join("e.csv")),
                "--manifest",
                &a,
                "--force",
            ],
            "the annotation file",
        ),
        (
            vec![
                "export",
                &s(&input),
                "--annotations",
                &a,
                "--out",
                &s(&hard),
                "--force",
            ],
            "the input",
        ),
        (
            vec!["flag", &s(&input), "--out", &s(&hard), "--force"],
            "the input",
        ),
        (
            vec![
                "export",
                &small(),
                "--annotations",
                &a,
                "--out",
                &s(&dir.path().join("x.csv")),
                "--manifest",
                &s(&dir.path().join("./x.csv")),
            ],
            "the manifest",
        ),
    ] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains(expect), "{args:?}: {}", stderr(&out));
    }
    assert_eq!(
        std::fs::read(&ann).unwrap(),
        before,
        "the annotations are untouched"
    );
    assert!(!dir.path().join("x.csv").exists());
}

#[test]
fn a_missing_folder_is_named_and_temporary_files_of_dead_writers_go() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&[
        "flag",
        "--out",
        &s(&dir.path().join("nope/out.csv")),
        &small(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let e = stderr(&out);
    assert!(
        e.contains("the folder") && e.contains("nope") && e.contains("does not exist"),
        "{e}"
    );
    assert!(
        !e.contains("out.csv."),
        "the temporary file is not what is named: {e}"
    );
    // What a killed writer of out.jsonl left, and what a live one (this test) is writing.
    let dead = dir.path().join(".out.jsonl.999999999-Xy.tmp");
    let live = dir
        .path()
        .join(format!(".out.jsonl.{}-Xy.tmp", std::process::id()));
    std::fs::write(&dead, "partial").unwrap();
    std::fs::write(&live, "partial").unwrap();
    let out = run(&["flag", "--out", &s(&dir.path().join("out.jsonl")), &small()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!dead.exists(), "a dead writer's temporary file is removed");
    assert!(live.exists(), "a running writer's is not");
}

/// SIGTERM in the middle of a command removes what it was writing: here the private copy of
/// standard input that `flag --all` reads twice (then its output would follow).
#[test]
fn a_signal_removes_what_the_command_was_writing() {
    let dir = tempfile::tempdir().unwrap();
    let tmp = dir.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let out = dir.path().join("out.jsonl");
    let mut child = bin()
        .args(["flag", "--all", "-", "--out", &s(&out)])
        .env("TMPDIR", &tmp)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(&std::fs::read(fixture("overlap-a.csv")).unwrap())
        .unwrap();
    stdin.flush().unwrap();
    // Wait (on the file, not on a clock) until the copy of standard input is being written.
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::fs::read_dir(&tmp).unwrap().count() == 0 {
        assert!(Instant::now() < deadline, "no private copy appeared");
        std::thread::yield_now();
    }
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = child.wait().unwrap();
    drop(stdin);
    assert_eq!(status.code(), Some(128 + 15));
    let mut e = String::new();
    child.stderr.take().unwrap().read_to_string(&mut e).unwrap();
    assert!(
        e.contains("stopped by signal 15") && e.contains("removed"),
        "{e}"
    );
    assert_eq!(
        std::fs::read_dir(&tmp).unwrap().count(),
        0,
        "the copy is removed"
    );
    assert!(!out.exists());
}

// ---- Terminals ----

#[test]
fn scan_and_messages_never_print_escapes_raw() {
    let dir = tempfile::tempdir().unwrap();
    let named = dir.path().join("evil\u{1b}]0;pwned\u{7}.csv");
    std::fs::write(&named, "Reason,Search Time\nx,\"\u{1b}[2Jnot a time\"\n").unwrap();
    let out = run(&["scan", &s(&named), &s(&hostile_csv(dir.path()))]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text:?}"
    );
    assert!(text.contains("evil⟨U+001B⟩]0;pwned⟨U+0007⟩.csv"), "{text}");
    assert!(
        text.contains("\"\\u{1b}[2Jnot a time\""),
        "a warning quotes a cell escaped: {text}"
    );
    // Messages on standard error too (here flag's warning summary).
    let out = run(&["flag", &s(&named)]);
    let e = stderr(&out);
    assert!(!e.contains('\u{1b}'), "{e:?}");
    assert!(e.contains("⟨U+001B⟩"), "{e}");
}

#[test]
fn machine_output_is_exact_into_a_pipe_and_escaped_on_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let csv = s(&hostile_csv(dir.path()));
    let piped = run(&["flag", "--format", "csv", "--raw-cells", &csv]);
    assert!(
        piped.stdout.windows(2).any(|w| w == b"\x1b]"),
        "byte-exact into a pipe"
    );
    // On a terminal: escaped.
    let pty = portable_pty::native_pty_system()
        .openpty(portable_pty::PtySize {
            rows: 40,
            cols: 200,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = portable_pty::CommandBuilder::new(env!("CARGO_BIN_EXE_alpr-triage"));
    cmd.args(["flag", "--format", "csv", "--raw-cells", &csv]);
    let mut child = pty.slave.spawn_command(cmd).unwrap();
    drop(pty.slave);
    let mut reader = pty.master.try_clone_reader().unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match reader.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
        if child.try_wait().unwrap().is_some() && String::from_utf8_lossy(&seen).contains("written")
        {
            break;
        }
    }
    child.wait().unwrap();
    let text = String::from_utf8_lossy(&seen);
    assert!(text.contains("⟨U+001B⟩]52;c;ZXZpbA==⟨U+0007⟩"), "{text}");
    assert!(text.contains("⟨U+202E⟩"), "{text}");
    assert!(!seen.windows(2).any(|w| w == b"\x1b]"), "{text:?}");
}

#[test]
fn merge_reports_escape_the_data_and_count_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let mk = |name: &str, reviewer: &str, verdict: &str| {
        let p = dir.path().join(name);
        std::fs::write(
            &p,
            format!(
                "{{\"version\": 1, \"annotations\": [\n{{\"record_id\":\"0123456789abcdef0123456789abcdef\",\"verdict\":\"{verdict}\",\"note\":\"\",\"reviewer\":\"{reviewer}\",\"annotated_at\":\"2026-01-01T00:00:00Z\",\"query\":\"\",\"record\":{{\"agency\":\"Palm\\u202eECI\",\"reason\":\"x\\u001b]52;c;AA==\\u0007\"}}}}\n]}}\n"
            ),
        )
        .unwrap();
        p
    };
    let (a, b) = (
        mk("a.json", "ana", "immigration"),
        mk("b.json", "ana", "immigration"),
    );
    let c = mk("c.json", "bo", "not_immigration");
    let out_path = dir.path().join("m.json");
    let out = run(&["merge", &s(&a), &s(&c), "--out", &s(&out_path)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{202e}'),
        "{text:?}"
    );
    assert!(
        text.contains("Palm⟨U+202E⟩ECI") && text.contains("2 reviewers"),
        "{text}"
    );
    assert!(text.contains("1 conflict "), "{text}");
    // The same file twice, or a byte-identical copy, is refused.
    let out = run(&[
        "merge",
        &s(&a),
        &s(&a),
        "--out",
        &s(&dir.path().join("n.json")),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("given twice"), "{}", stderr(&out));
    let out = run(&[
        "merge",
        &s(&a),
        &s(&b),
        "--out",
        &s(&dir.path().join("n.json")),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("holds exactly what"),
        "{}",
        stderr(&out)
    );
    // One reviewer: "1 reviewer".
    let d = mk("d.json", "ana", "unsure");
    let out = run(&[
        "merge",
        &s(&a),
        &s(&d),
        "--out",
        &s(&dir.path().join("o.json")),
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("1 reviewer (ana)"), "{text}");
}

// ---- Spreadsheets ----

#[test]
fn csv_cells_are_neutralised_for_spreadsheets_unless_raw_cells() {
    let dir = tempfile::tempdir().unwrap();
    let csv = s(&hostile_csv(dir.path()));
    let cells = |bytes: &[u8]| -> Vec<Vec<String>> {
        csv::ReaderBuilder::new()
            .from_reader(bytes)
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect()
    };
    let safe = run(&["flag", "--format", "csv", &csv]);
    let rows = cells(&safe.stdout);
    let all: Vec<&String> = rows.iter().flatten().collect();
    for c in &all {
        assert!(
            !c.starts_with(['=', '+', '-', '@', '\t', '\r']),
            "a formula cell: {c:?}"
        );
    }
    assert!(all.iter().any(|c| c.starts_with("'=HYPERLINK(")), "{all:?}");
    assert!(
        all.iter().any(|c| *c == "'@agency PD"),
        "agency_normalized too: {all:?}"
    );
    let raw = run(&["flag", "--format", "csv", "--raw-cells", &csv]);
    assert!(
        cells(&raw.stdout)
            .iter()
            .flatten()
            .any(|c| c.starts_with("=HYPERLINK("))
    );
    // JSON stays exact.
    let json = run(&["flag", &csv]);
    assert!(String::from_utf8_lossy(&json.stdout).contains("\"reason\":\"=HYPERLINK("));
    // An export says the rule in its manifest.
    let ann = dir.path().join("none.json");
    std::fs::write(&ann, "{\"version\": 1, \"annotations\": []}").unwrap();
    let out_path = dir.path().join("e.csv");
    let out = run(&[
        "export",
        &csv,
        "--only",
        "all",
        "--annotations",
        &s(&ann),
        "--out",
        &s(&out_path),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(&out_path).unwrap();
    assert!(
        text.contains("'=HYPERLINK(") && !text.contains(",=HYPERLINK("),
        "{text}"
    );
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("e.csv.manifest.json")).unwrap())
            .unwrap();
    assert!(
        m["output"]["spreadsheet_cells"]
            .as_str()
            .unwrap()
            .contains("leading '"),
        "{m}"
    );
}

// ---- Hostile and broken input ----

#[test]
fn streams_are_read_once_and_standard_input_is_dash() {
    let data = std::fs::read(fixture("overlap-a.csv")).unwrap();
    for args in [
        vec!["scan", "--json", "-"],
        vec!["flag", "--all", "-"],
        vec!["flag", "-"],
    ] {
        let mut child = bin()
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(&data).unwrap();
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        let text = String::from_utf8(out.stdout).unwrap();
        if args[0] == "scan" {
            let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(doc["files"][0]["path"], "standard input");
            assert_eq!(doc["totals"]["rows"], 3);
        } else {
            assert!(text.contains("standard input:2"), "{args:?}: {text}");
        }
    }
    // A FIFO given by name.
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("in.csv");
    mkfifo(&fifo);
    let writer = {
        let (fifo, data) = (fifo.clone(), data.clone());
        std::thread::spawn(move || {
            std::fs::OpenOptions::new()
                .write(true)
                .open(fifo)
                .unwrap()
                .write_all(&data)
                .unwrap();
        })
    };
    let out = run(&["scan", "--json", &s(&fifo)]);
    writer.join().unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["totals"]["rows"], 3);
}

#[test]
fn a_huge_cell_is_cut_with_a_warning_and_the_rows_after_it_stand() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("huge.csv");
    let mut text = b"Reason,Search Time\n".to_vec();
    text.extend_from_slice(b"\"ICE ");
    text.extend(std::iter::repeat_n(b'x', 3 << 20));
    text.extend_from_slice(b"\",\"01/01/2025, 01:00:00 AM UTC\"\n");
    for i in 0..3 {
        text.extend_from_slice(
            format!("ICE hold,\"01/0{}/2025, 01:00:00 AM UTC\"\n", i + 2).as_bytes(),
        );
    }
    std::fs::write(&p, &text).unwrap();
    let out = run(&["flag", "--all", &s(&p)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(
        lines[0]["columns"]["Reason"].as_str().unwrap().len(),
        1 << 20
    );
    assert_eq!(lines[3]["sources"][0], format!("{}:5", s(&p)));
    let scan = run(&["scan", &s(&p)]);
    let t = String::from_utf8(scan.stdout).unwrap();
    assert!(
        t.contains("line 2: the row is too large: field 1 longer than 1 MB"),
        "{t}"
    );
    // The same in an NDJSON line longer than a record can be: dropped with its line.
    let nd = dir.path().join("huge.ndjson");
    let mut text =
        b"{\"Reason\":\"ICE\",\"Search Time\":\"2025-01-01T00:00:00Z\"}\n{\"Reason\":\"".to_vec();
    text.extend(std::iter::repeat_n(b'y', 17 << 20));
    text.extend_from_slice(
        b"\"}\n{\"Reason\":\"ICE hold\",\"Search Time\":\"2025-01-02T00:00:00Z\"}\n",
    );
    std::fs::write(&nd, &text).unwrap();
    let scan = run(&["scan", "--json", &s(&nd)]);
    let doc: serde_json::Value = serde_json::from_slice(&scan.stdout).unwrap();
    assert_eq!(doc["totals"]["rows"], 3);
    assert_eq!(doc["totals"]["records"], 2);
    assert_eq!(doc["files"][0]["warnings"][0]["line"], 2);
}

#[test]
fn truncated_gzip_keeps_every_row_read_before_the_break() {
    let dir = tempfile::tempdir().unwrap();
    let mut nd = String::new();
    for i in 0..2000 {
        nd.push_str(&format!(
            "{{\"Reason\":\"case {i} {}\",\"Search Time\":\"2025-01-01T00:{:02}:{:02}Z\",\"ID\":\"{i}\"}}\n",
            "pad ".repeat(i % 7),
            (i / 60) % 60,
            i % 60
        ));
    }
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(nd.as_bytes()).unwrap();
    let gz = enc.finish().unwrap();
    let cut = dir.path().join("cut.ndjson.gz");
    std::fs::write(&cut, &gz[..gz.len() / 2]).unwrap();
    let out = run(&["scan", "--json", &s(&cut)]);
    assert_eq!(out.status.code(), Some(1), "a damaged file is reported");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = &doc["files"][0];
    let rows = f["rows"].as_u64().unwrap();
    assert!(rows > 100, "rows read before the break are kept: {f}");
    assert_eq!(f["records"], rows, "and every one is a record");
    assert!(
        f["error"]
            .as_str()
            .unwrap()
            .contains(&format!("line {}", rows + 1)),
        "{f}"
    );
}

#[test]
fn a_nul_byte_is_a_bad_row_not_a_binary_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("nul.csv");
    let mut text = String::from("Reason,Search Time\n");
    for i in 0..20_000 {
        let nul = if i == 5 { "\0" } else { "" };
        text.push_str(&format!("theft{nul} {i},\"01/01/2025, 01:00:00 AM UTC\"\n"));
    }
    std::fs::write(&p, text).unwrap();
    let out = run(&["scan", "--json", &s(&p)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = &doc["files"][0];
    assert_eq!(f["rows"], 20_000);
    let w = &f["warnings"][0];
    assert_eq!(w["line"], 7, "{f}");
    assert!(w["message"].as_str().unwrap().contains("NUL byte"), "{w}");
    // A real binary file is still refused.
    let bin_file = dir.path().join("image.csv");
    std::fs::write(
        &bin_file,
        [0u8, 1, 2, 3, 0, 0, 0, 9, 0, 0, 0, 0, 4, 5, 6, 7].repeat(64),
    )
    .unwrap();
    let out = run(&["scan", &s(&bin_file)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("binary file"));
}

#[test]
fn a_loop_of_links_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("exports");
    std::fs::create_dir(&sub).unwrap();
    std::fs::copy(fixture("overlap-a.csv"), sub.join("a.csv")).unwrap();
    std::os::unix::fs::symlink(&sub, sub.join("loop")).unwrap();
    let out = run(&["scan", &s(dir.path())]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("loop of symbolic links") && text.contains("exports"),
        "{text}"
    );
    assert!(text.contains("a.csv"), "the rest is still read: {text}");
}

#[test]
fn export_with_missing_or_foreign_annotations_fails_loudly() {
    let dir = tempfile::tempdir().unwrap();
    let missing = s(&dir.path().join("typo.json"));
    let out = run(&["export", &small(), "--annotations", &missing]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("does not exist"), "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "nothing exported");
    // Annotations of another dataset.
    let foreign = annotations_file(dir.path(), 2);
    let out = run(&[
        "export",
        &s(&fixture("overlap-a.csv")),
        "--annotations",
        &s(&foreign),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("none of its 2 annotations"),
        "{}",
        stderr(&out)
    );
    // No annotation file at the default place, and a selection by verdict: an error too.
    let out = bin()
        .args(["export", &small()])
        .env("ALPR_TRIAGE_DATA_DIR", dir.path().join("data"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("--only reviewed selects nothing"),
        "{}",
        stderr(&out)
    );
}
