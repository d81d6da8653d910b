//! Writing synthetic rows as files: Flock CSV layouts, portal CSV and JSON, NDJSON, and the
//! shipped sample-data set.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::{Generator, Layout, SynthOptions, SynthStats};

impl Generator {
    /// Writes a Flock CSV in `layout`.
    pub fn write_csv(&mut self, layout: Layout, out: &mut dyn Write) -> io::Result<SynthStats> {
        let mut w = csv::WriterBuilder::new().flexible(true).from_writer(out);
        w.write_record(layout.header())?;
        let mut stats = SynthStats::default();
        let mut prev: Option<Vec<String>> = None;
        let home = self.opts.home.clone();
        while stats.rows < self.opts.rows {
            if self.opts.quirks && stats.rows > 0 && stats.rows == self.opts.rows / 2 {
                w.write_record(layout.header())?;
            }
            if let Some(p) = &prev
                && self.rng.chance(self.opts.duplicate_rate)
            {
                w.write_record(p)?;
                stats.rows += 1;
                continue;
            }
            let r = self.next_row();
            let cells = layout.cells(&r, &home);
            if self.opts.quirks && stats.rows % 5003 == 4999 {
                // A malformed row: a field lost in a copy-paste.
                w.write_record(&cells[..cells.len() - 1])?;
                stats.malformed += 1;
            } else {
                w.write_record(&cells)?;
            }
            stats.rows += 1;
            stats.searches += 1;
            stats.immigration += u64::from(r.immigration);
            prev = Some(cells);
        }
        w.flush()?;
        Ok(stats)
    }

    /// Writes portal rows (`id,userId,searchDate,networkCount,reason`) as CSV.
    pub fn write_portal_csv(&mut self, out: &mut dyn Write) -> io::Result<SynthStats> {
        let mut w = csv::WriterBuilder::new()
            .quote_style(csv::QuoteStyle::Always)
            .from_writer(out);
        w.write_record(["id", "userId", "searchDate", "networkCount", "reason"])?;
        let mut stats = SynthStats::default();
        for _ in 0..self.opts.rows {
            let r = self.next_row();
            let reason = r.reason.replace(' ', "+");
            w.write_record([
                r.id.as_str(),
                "***",
                &r.time.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
                &r.networks.to_string(),
                &reason,
            ])?;
            stats.rows += 1;
            stats.searches += 1;
            stats.immigration += u64::from(r.immigration);
        }
        w.flush()?;
        Ok(stats)
    }

    /// Writes a scraped portal page (JSON object with `search_audit_csv`).
    pub fn write_portal_json(
        &mut self,
        agency: &str,
        out: &mut dyn Write,
    ) -> io::Result<SynthStats> {
        let mut rows = Vec::new();
        let mut stats = SynthStats::default();
        for _ in 0..self.opts.rows {
            let r = self.next_row();
            let category = r
                .reason
                .starts_with("Immigration (")
                .then(|| "Immigration".to_string());
            let mut o = serde_json::json!({
                "id": r.id, "userId": "***",
                "searchDate": r.time.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
                "networkCount": r.networks.to_string(),
                "reason": if self.rng.chance(0.3) { String::new() } else { r.reason.clone() },
            });
            if let Some(c) = category {
                o["offenseType"] = serde_json::json!(c);
            }
            rows.push(o);
            stats.rows += 1;
            stats.searches += 1;
            stats.immigration += u64::from(r.immigration);
        }
        let doc = serde_json::json!({
            "crawled_slug": agency.to_ascii_lowercase().replace(' ', "-"),
            "crawled_name": agency,
            "archived_date": "2026-04-20",
            "prohibited_uses": "Immigration enforcement, traffic enforcement, harassment",
            "data_retention_days": 30,
            "searches_30d": rows.len(),
            "search_audit_csv": rows,
        });
        serde_json::to_writer_pretty(&mut *out, &doc)?;
        out.write_all(b"\n")?;
        Ok(stats)
    }

    /// Writes a researcher's NDJSON extract with renamed headers.
    pub fn write_ndjson(&mut self, out: &mut dyn Write) -> io::Result<SynthStats> {
        let mut stats = SynthStats::default();
        let t = |d: &DateTime<Utc>| d.format("%m/%d/%Y, %I:%M:%S %p UTC").to_string();
        for _ in 0..self.opts.rows {
            let r = self.next_row();
            let o = serde_json::json!({
                "ID": r.id, "Org_Name": r.org, "Total_Networks_Searched": r.networks,
                "Time_Frame_Start": t(&r.frame.0), "Time_Frame_End": t(&r.frame.1),
                "Reason": r.reason, "Search_Time": t(&r.time), "Search_Type": r.search_type,
            });
            serde_json::to_writer(&mut *out, &o)?;
            out.write_all(b"\n")?;
            stats.rows += 1;
            stats.searches += 1;
            stats.immigration += u64::from(r.immigration);
        }
        Ok(stats)
    }
}

/// Flock's file name for an export: `M_D_YYYY-M_D_YYYY-<Org Name>-Network-Audit.csv`.
pub fn flock_file_name(start: NaiveDate, days: u32, agency: &str, network: bool) -> String {
    let end = start + Duration::days(i64::from(days.max(1)) - 1);
    let d = |x: NaiveDate| x.format("%-m_%-d_%Y").to_string();
    format!(
        "{}-{}-{agency}-{}Audit.csv",
        d(start),
        d(end),
        if network { "Network-" } else { "" }
    )
}

/// Writes the shipped sample data into `dir`: the main file a new user opens first and one
/// small file per schema era. Returns the paths written.
pub fn write_sample_data(dir: &Path) -> io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir.join("eras"))?;
    let mut written = Vec::new();
    let mut file = |name: &str,
                    f: &mut dyn FnMut(&mut dyn Write) -> io::Result<SynthStats>|
     -> io::Result<()> {
        let p = dir.join(name);
        let mut w = io::BufWriter::new(std::fs::File::create(&p)?);
        f(&mut w)?;
        w.flush()?;
        written.push(p);
        Ok(())
    };
    let main = SynthOptions {
        quirks: true,
        ..SynthOptions::default()
    };
    let name = flock_file_name(main.start, main.days, &main.home, true);
    file(&name, &mut |w| {
        Generator::new(main.clone()).write_csv(Layout::Full2025, w)
    })?;
    let small = |seed: u64, y: i32, m: u32, home: &str| SynthOptions {
        rows: 300,
        seed,
        start: NaiveDate::from_ymd_opt(y, m, 1).unwrap_or_default(),
        days: 30,
        agencies: 12,
        home: home.into(),
        duplicate_rate: 0.01,
        quirks: false,
    };
    for (layout, seed, y, m, home, network) in [
        (Layout::Danville2024, 1, 2024, 6, "Lakemont IL PD", true),
        (Layout::Spring2025, 2, 2025, 4, "Harbor City CA PD", true),
        (Layout::Redacted2026, 3, 2026, 1, "Millbrook TX PD", true),
        (Layout::Organization, 4, 2026, 2, "Riverbend WA PD", false),
    ] {
        let o = small(seed, y, m, home);
        let name = format!("eras/{}", flock_file_name(o.start, o.days, home, network));
        file(&name, &mut |w| {
            Generator::new(o.clone()).write_csv(layout, w)
        })?;
    }
    let fed = SynthOptions {
        agencies: 1,
        ..small(5, 2026, 3, "Millbrook TX PD")
    };
    file(
        "eras/federal-searches-Millbrook-TX-PD-2026-03.csv",
        &mut |w| Generator::new(fed.clone()).write_csv(Layout::Federal2026, w),
    )?;
    file("eras/search_audit.portal.csv", &mut |w| {
        Generator::new(small(6, 2026, 3, "Cedar Falls TX PD")).write_portal_csv(w)
    })?;
    file("eras/harbor-city-ca-pd-sharing.json", &mut |w| {
        write_sharing_page(w)?;
        Ok(SynthStats::default())
    })?;
    file("eras/cedar-falls-tx-pd-portal.json", &mut |w| {
        Generator::new(small(7, 2026, 3, "Cedar Falls TX PD"))
            .write_portal_json("Cedar Falls TX PD", w)
    })?;
    let mut csv = Vec::new();
    Generator::new(xlsx_twin()).write_csv(Layout::Spring2025, &mut csv)?;
    file(XLSX_SAMPLE, &mut |w| {
        csv_to_xlsx(&csv, w)?;
        Ok(SynthStats::default())
    })?;
    let ndjson = dir.join("eras/research-extract.ndjson.gz");
    {
        let f = std::fs::File::create(&ndjson)?;
        let mut gz =
            flate2::write::GzEncoder::new(io::BufWriter::new(f), flate2::Compression::default());
        Generator::new(small(8, 2025, 11, "Elm County TX SO")).write_ndjson(&mut gz)?;
        gz.finish()?.flush()?;
    }
    written.push(ndjson);
    Ok(written)
}

/// A transparency-portal page with sharing lists and no search rows, in the shape of the real
/// pages (`crawled_name`, `sharing_outbound` of Flock organization names in every shape they
/// take, `sharing_inbound`), with the traps of docs/agencies.md among the names.
pub fn write_sharing_page(out: &mut dyn Write) -> io::Result<()> {
    let outbound = [
        "Granite City County CA SO",
        "Copper Canyon CA PD",
        "Sunset Valley PD (CA)",
        "CA - Red Mesa PD",
        "Bayview Unified School District PD CA",
        "California Highway Patrol",
        "Harbor City Port Police CA",
        "Millbrook TX PD",
        "Elm County TX SO",
        "Lakemont County NC SO",
        "Blue Mound County GA SO",
        "Quarry Town GA PD",
        "Pine Ridge PD - OR",
        "Brookside SD PD",
        "Westbury County CA SD",
        "Arizona Department of Public Safety [Inactive]",
        "[Federal] US Border Patrol [Inactive]",
        "Homeland Security Investigations [Inactive]",
        "Acme Retail Corporation",
        "Vista Oaks HOA (CA)",
        "Oakmont Hills (CA)",
        "Washington County SO",
        "Regional Auto Theft Task Force CA",
        "Tule River Tribal PD CA",
        "Lakemont TX PD (deactivated)",
        "DO NOT USE",
        "Test Demo 1234",
    ];
    let inbound = ["Copper Canyon CA PD", "Granite City County CA SO"];
    let doc = serde_json::json!({
        "crawled_slug": "harbor-city-ca-pd",
        "crawled_name": "Harbor City CA PD",
        "archived_date": "2026-04-20",
        "prohibited_uses": "Immigration enforcement, traffic enforcement, harassment",
        "data_retention_days": 30,
        "camera_count": 41,
        "searches_30d": 0,
        "sharing_outbound": outbound,
        "sharing_inbound": inbound,
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    out.write_all(b"\n")
}

/// ICE's 287(g) list of participating agencies in its published shape (a title row, then
/// `STATE, LAW ENFORCEMENT AGENCY, TYPE, COUNTY, SUPPORT TYPE, SIGNED, MOA, ADDENDUM`; full state
/// names in capitals; trailing spaces; a curly apostrophe; one agency with several agreements;
/// blank and note rows), naming sample-data agencies and their traps: Blue Mound County and
/// Granite City County in other states than the sample's, Millbrook's police in Alabama.
pub const PARTICIPATING_287G: &str = "\
287(g) Participating Agencies (synthetic sample; not ICE's list),,,,,,,
STATE,LAW ENFORCEMENT AGENCY,TYPE,COUNTY,SUPPORT TYPE,SIGNED,MOA,ADDENDUM
ALABAMA,Blue Mound County Sheriff's Office,County,Blue Mound County,Task Force Model,2025-03-04,link,
ALABAMA,Millbrook Police Department,Municipality,Elmore County,Task Force Model,2025-04-10,link,
GEORGIA,Granite City County Sheriff's Office,County,Granite City County,Jail Enforcement Model,2020-06-09,link,
NORTH CAROLINA,Lakemont County Sheriff's Office,County,Lakemont County,Task Force Model,2025-02-20,link,
NORTH CAROLINA,Lakemont County Sheriff's Office,County,Lakemont County,Warrant Service Officer ,2019-05-01,link,
TEXAS,Elm County Sheriff\u{2019}s Office,County ,Elm County,Jail Enforcement Model,2019-07-01,link,
TEXAS,Elm County Sheriff's Office,County,Elm County,Warrant Service Officer,2025-01-15,link pending,
TEXAS,Texas Department of Public Safety,State Agency,#N/A,Task Force Model,2025-02-07,link,
,,,,,,,
,Rows above are updated weekly,,,,,,
FLORIDA,,County,Pine Ridge County,Task Force Model,2025-05-05,link,
";

/// ICE's list of pending agreements (no `SIGNED` column).
pub const PENDING_287G: &str = "\
STATE,LAW ENFORCEMENT AGENCY,TYPE,COUNTY,SUPPORT TYPE
GEORGIA,Quarry Town Police Department,Municipality,Quarry County,Task Force Model
OREGON,Westbury County Sheriff's Office,County ,Westbury County,Warrant Service Officer
";

/// Writes the synthetic 287(g) lists (`287g-participating.csv`, `287g-pending.csv`) into `dir`,
/// the project's `sample-reference/`: kept out of `sample-data/`, which is read as audit files.
pub fn write_sample_reference(dir: &Path) -> io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    for (name, text) in [
        ("287g-participating.csv", PARTICIPATING_287G),
        ("287g-pending.csv", PENDING_287G),
    ] {
        let p = dir.join(name);
        std::fs::write(&p, text)?;
        written.push(p);
    }
    Ok(written)
}

/// The shipped workbook, in sample-data/.
pub const XLSX_SAMPLE: &str = "eras/4_1_2025-4_30_2025-Oak Ridge TN PD-Network-Audit.xlsx";

/// The options of the rows in [`XLSX_SAMPLE`]: `write_csv(Layout::Spring2025, …)` with them
/// gives the same rows as CSV.
pub fn xlsx_twin() -> SynthOptions {
    SynthOptions {
        rows: 300,
        seed: 9,
        start: NaiveDate::from_ymd_opt(2025, 4, 1).unwrap_or_default(),
        days: 30,
        agencies: 12,
        home: "Oak Ridge TN PD".into(),
        duplicate_rate: 0.01,
        quirks: false,
    }
}

/// A workbook as agencies release one: the rows of `csv` on a sheet "Searches" (whole numbers
/// as numbers, search times as Excel date-times), after a cover sheet "About" of notes.
pub fn csv_to_xlsx(csv: &[u8], w: &mut dyn Write) -> io::Result<()> {
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| io::Error::other(e.to_string());
    let mut book = Workbook::new();
    let fixed = ExcelDateTime::from_ymd(2026, 1, 1).map_err(err)?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&fixed));
    let about = book.add_worksheet().set_name("About").map_err(err)?;
    for (r, line) in [
        "Flock Safety network audit, released under the Public Records Act",
        "Officer names are redacted where the law requires it.",
    ]
    .iter()
    .enumerate()
    {
        about.write_string(r as u32, 0, *line).map_err(err)?;
    }
    let sheet = book.add_worksheet().set_name("Searches").map_err(err)?;
    let when = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let mut rows = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv);
    let mut time_col = None;
    for (r, rec) in rows.records().enumerate() {
        let rec = rec.map_err(io::Error::other)?;
        let r = r as u32;
        for (c, cell) in rec.iter().enumerate() {
            let c = c as u16;
            if r == 0 {
                if cell.eq_ignore_ascii_case("Search Time") {
                    time_col = Some(c);
                }
                sheet.write_string(r, c, cell).map_err(err)?;
                continue;
            }
            let ms = (time_col == Some(c))
                .then(|| alpr_triage::ingest::time::parse_timestamp(cell))
                .flatten()
                .filter(|ms| ms % 1000 == 0);
            if let Some(ms) = ms {
                let t = ExcelDateTime::from_timestamp(ms / 1000).map_err(err)?;
                sheet
                    .write_datetime_with_format(r, c, &t, &when)
                    .map_err(err)?;
            } else if let Ok(n) = cell.parse::<i64>()
                && n.to_string() == cell
                && n.abs() < 1 << 50
            {
                sheet.write_number(r, c, n as f64).map_err(err)?;
            } else if !cell.is_empty() {
                sheet.write_string(r, c, cell).map_err(err)?;
            }
        }
    }
    let bytes = book.save_to_buffer().map_err(err)?;
    w.write_all(&bytes)
}
