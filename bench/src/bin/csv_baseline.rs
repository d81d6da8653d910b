//! The floor for ingest speed: the csv crate reading every record of a file and doing nothing
//! else. `scripts/bench.sh` runs it beside `alpr-triage scan` so figures from a noisy machine can
//! be compared within one run.

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: csv_baseline FILE.csv");
        std::process::exit(2);
    };
    let file = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(256 * 1024)
        .from_reader(file);
    let mut rec = csv::ByteRecord::new();
    let mut rows = 0u64;
    while let Ok(true) = rdr.read_byte_record(&mut rec) {
        rows += 1;
    }
    println!("{rows} records");
}
