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
    file("eras/cedar-falls-tx-pd-portal.json", &mut |w| {
        Generator::new(small(7, 2026, 3, "Cedar Falls TX PD"))
            .write_portal_json("Cedar Falls TX PD", w)
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
