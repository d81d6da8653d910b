//! Excel workbooks: read with calamine, every sheet, through the same header binding, quirks and
//! warnings as CSV, and giving the same record ids as the same rows in CSV.

mod common;

use std::path::{Path, PathBuf};

use alpr_triage::ingest::xlsx::{Entry, check_sizes};
use alpr_triage_synth::{Generator, Layout, XLSX_SAMPLE, xlsx_twin};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

use common::{ReviewEnv, field, load, run, s};

fn sample_xlsx() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample-data")
        .join(XLSX_SAMPLE)
}

/// The shipped workbook's rows, written as CSV, under the same file name but `.csv`.
fn csv_twin(dir: &Path) -> PathBuf {
    let name = Path::new(XLSX_SAMPLE)
        .file_name()
        .unwrap()
        .to_string_lossy();
    let p = dir.join(name.replace(".xlsx", ".csv"));
    let mut out = Vec::new();
    Generator::new(xlsx_twin())
        .write_csv(Layout::Spring2025, &mut out)
        .unwrap();
    std::fs::write(&p, out).unwrap();
    p
}

#[test]
fn a_workbook_gives_the_ids_and_fields_of_the_same_rows_in_csv() {
    let dir = tempfile::tempdir().unwrap();
    let (wr, from_xlsx) = load(&[sample_xlsx()]);
    let (cr, from_csv) = load(&[csv_twin(dir.path())]);
    assert!(wr[0].error.is_none(), "{:?}", wr[0].error);
    assert_eq!((wr[0].rows, wr[0].records), (cr[0].rows, cr[0].records));
    assert_eq!(from_xlsx.len(), from_csv.len());
    assert!(from_xlsx.len() > 250);
    for (x, c) in from_xlsx.iter().zip(&from_csv) {
        assert_eq!(x.id, c.id, "record ids in the same order");
        for key in [
            "agency",
            "reason",
            "search_time",
            "time_frame_start",
            "networks_searched",
            "devices_searched",
            "license_plate",
        ] {
            assert_eq!(field(x, key), field(c, key), "{key}");
        }
    }
    // The shipped sample's search times are Excel date-times, its counts numbers: the reading
    // is of typed cells, not text.
    let bytes = std::fs::read(sample_xlsx()).unwrap();
    assert!(bytes.starts_with(b"PK\x03\x04"));
}

/// A workbook made here: sheets of rows, each cell a string, a number or a date-time.
enum Cell {
    S(&'static str),
    N(f64),
    T(i64),
}

fn workbook(path: &Path, sheets: &[(&str, Vec<Vec<Cell>>)]) {
    let mut book = Workbook::new();
    let when = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    for (name, rows) in sheets {
        let ws = book.add_worksheet().set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match cell {
                    Cell::S("") => {}
                    Cell::S(t) => {
                        ws.write_string(r, c, *t).unwrap();
                    }
                    Cell::N(n) => {
                        ws.write_number(r, c, *n).unwrap();
                    }
                    Cell::T(secs) => {
                        let t = ExcelDateTime::from_timestamp(*secs).unwrap();
                        ws.write_datetime_with_format(r, c, &t, &when).unwrap();
                    }
                }
            }
        }
    }
    book.save(path).unwrap();
}

use Cell::{N, S, T};

#[test]
fn every_sheet_is_read_with_its_own_header_and_warnings_name_sheet_and_row() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("release.xlsx");
    let t0 = 1_743_500_000; // 2025-04-01
    workbook(
        &p,
        &[
            ("Cover", vec![vec![S("Records released under RCW 42.56")]]),
            (
                "March",
                vec![
                    vec![
                        S("Org Name"),
                        S("Reason"),
                        S("Search Time"),
                        S("Total Networks Searched"),
                    ],
                    vec![S("Millbrook TX PD"), S("ICE warrant"), T(t0), N(12.0)],
                    vec![S("Millbrook TX PD"), S("theft"), S(""), N(3.0)],
                    vec![S("Millbrook TX PD"), S("stolen car"), T(t0 + 60)],
                ],
            ),
            ("Blank", vec![]),
            (
                "April",
                vec![
                    vec![S("searchDate"), S("reason"), S("userId"), S("networkCount")],
                    vec![S("2025-04-02T10:00:00Z"), S("HSI ERO"), S("u7"), N(0.5)],
                ],
            ),
        ],
    );
    let (reports, recs) = load(std::slice::from_ref(&p));
    let r = &reports[0];
    assert!(r.error.is_none(), "{:?}", r.error);
    assert_eq!(r.sheets, ["Cover", "March", "Blank", "April"]);
    assert_eq!(
        recs.len(),
        4,
        "three rows of March (one without a time), one of April"
    );
    assert_eq!(field(&recs[0], "search_time"), "2025-04-01T09:33:20Z");
    assert_eq!(field(&recs[0], "networks_searched"), "12");
    assert_eq!(field(&recs[3], "reason"), "HSI ERO");
    let warnings: Vec<String> = r
        .warnings
        .list
        .iter()
        .map(|w| format!("{}: {}", r.place(w.line.unwrap_or(0)), w.message))
        .collect();
    let has = |place: &str, text: &str| {
        assert!(
            warnings
                .iter()
                .any(|w| w.starts_with(&format!("{place}: ")) && w.contains(text)),
            "no warning at {place} containing {text:?}: {warnings:#?}"
        )
    };
    has("Cover:1", "sheet \"Cover\" is not a search-audit table");
    has("March:3", "search time");
    has("Blank:0", "sheet \"Blank\" is empty");
    // `scan` names the sheet and row; its JSON gives them as fields.
    let out = run(&["scan", &s(&p)]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("sheet \"March\" row 3:"), "{text}");
    let out = run(&["scan", "--json", &s(&p)]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let w = &doc["files"][0]["warnings"];
    assert!(
        w.as_array()
            .unwrap()
            .iter()
            .any(|w| w["sheet"] == "March" && w["row"] == 3),
        "{w}"
    );
    // Records' sources are file:sheet:row.
    let out = run(&["flag", &s(&p)]);
    let line = String::from_utf8_lossy(&out.stdout);
    assert!(line.contains("release.xlsx:March:2"), "{line}");
}

#[test]
fn a_workbook_without_an_audit_sheet_is_refused_with_its_sheets_named() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("cars.xlsx");
    workbook(
        &p,
        &[(
            "Fleet",
            vec![vec![S("make"), S("model")], vec![S("Ford"), S("F-150")]],
        )],
    );
    let (reports, recs) = load(&[p]);
    let e = reports[0].error.clone().unwrap();
    assert!(
        e.contains("cars.xlsx")
            && e.contains("no sheet of this workbook")
            && e.contains("\"Fleet\""),
        "{e}"
    );
    assert!(recs.is_empty());
}

#[test]
fn zip_archives_that_are_not_workbooks_and_old_xls_files_are_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("export.zip.csv");
    {
        let f = std::fs::File::create(&zip).unwrap();
        let mut w = zip::ZipWriter::new(f);
        w.start_file("a.csv", zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut w, b"Reason,Search Time\n").unwrap();
        w.finish().unwrap();
    }
    let xls = dir.path().join("old.xls.csv");
    std::fs::write(
        &xls,
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 rest of an OLE file",
    )
    .unwrap();
    let (reports, _) = load(&[zip, xls]);
    let e0 = reports[0].error.clone().unwrap();
    assert!(e0.contains("ZIP archive, not a workbook"), "{e0}");
    let e1 = reports[1].error.clone().unwrap();
    assert!(e1.contains("old Excel workbook (.xls)"), "{e1}");
}

#[test]
fn declared_sizes_that_make_a_bomb_are_refused_before_calamine_reads() {
    let e = |name: &str, compressed: u64, size: u64| Entry {
        name: name.into(),
        compressed,
        size,
    };
    // A real workbook: sheets and strings compress 5 to 50 times.
    assert!(
        check_sizes(&[
            e("xl/worksheets/sheet1.xml", 30 << 20, 400 << 20),
            e("xl/sharedStrings.xml", 2 << 20, 40 << 20),
        ])
        .is_ok()
    );
    // One megabyte that inflates to a gigabyte.
    let bomb = check_sizes(&[e("xl/sharedStrings.xml", 1 << 20, 1 << 30)]).unwrap_err();
    assert!(
        bomb.contains("ZIP bomb") && bomb.contains("1024×"),
        "{bomb}"
    );
    // Shared strings and styles are read whole: their total is bounded.
    let whole = check_sizes(&[
        e("xl/sharedStrings.xml", 100 << 20, 400 << 20),
        e("xl/styles.xml", 100 << 20, 200 << 20),
    ])
    .unwrap_err();
    assert!(whole.contains("read whole"), "{whole}");
    // A sheet is streamed, but not without end.
    let sheet = check_sizes(&[e("xl/worksheets/sheet1.xml", 1 << 30, 5 << 30)]).unwrap_err();
    assert!(sheet.contains("one sheet"), "{sheet}");
}

#[test]
fn the_review_ui_loads_a_workbook_and_saves_verdicts_by_the_csv_ids() {
    let dir = tempfile::tempdir().unwrap();
    let twin = csv_twin(dir.path());
    let e = ReviewEnv::new();
    let mut sess = e.session(&[sample_xlsx()]);
    let row = sess.app.selected().expect("a flagged record");
    let id = sess.app.ds.ids[row as usize];
    let detail = common::screen(&sess, 160, 48);
    assert!(detail.contains("Searches:"), "{detail}");
    sess.keys("y");
    let saved = std::fs::read_to_string(&e.annotations).unwrap();
    assert!(saved.contains(&id.to_string()), "{saved}");
    assert!(saved.contains(".xlsx:Searches:"), "{saved}");
    let (_, from_csv) = load(&[twin]);
    assert!(
        from_csv.iter().any(|r| r.id == id),
        "the id is the CSV row's"
    );
    // The workbook's warning (its cover sheet) is listed by sheet and row.
    let w = sess.app.warning_lines().join("\n");
    assert!(w.contains(".xlsx:About:1: sheet \"About\""), "{w}");
}
