//! The shipped sample data is what the generator writes, and every search it plants as
//! immigration-related is flagged.

use std::path::Path;

use alpr_triage::flag::RuleSet;
use alpr_triage::model::Field;
use alpr_triage_synth::{Generator, SynthOptions, write_sample_data};

#[test]
fn sample_data_is_reproducible_from_the_generator() {
    let dir = tempfile::tempdir().unwrap();
    let written = write_sample_data(dir.path()).unwrap();
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
    for p in written {
        let rel = p.strip_prefix(dir.path()).unwrap();
        let ours = std::fs::read(&p).unwrap();
        let theirs = std::fs::read(shipped.join(rel))
            .unwrap_or_else(|_| panic!("sample-data/{} is missing", rel.display()));
        assert!(
            ours == theirs,
            "sample-data/{} differs from the generator's output: run `cargo run --release -p alpr-triage-synth -- sample-data`",
            rel.display()
        );
    }
    let reference = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-reference");
    for p in alpr_triage_synth::write_sample_reference(&dir.path().join("r")).unwrap() {
        let name = p.file_name().unwrap();
        assert_eq!(
            std::fs::read(&p).unwrap(),
            std::fs::read(reference.join(name)).unwrap_or_default(),
            "sample-reference/{} differs from the generator's output",
            name.to_string_lossy()
        );
    }
}

#[test]
fn every_planted_immigration_search_is_flagged() {
    let rules = RuleSet::builtin();
    let mut g = Generator::new(SynthOptions {
        rows: 50_000,
        ..SynthOptions::default()
    });
    let mut planted = 0;
    for _ in 0..50_000 {
        let r = g.next_row();
        if !r.immigration {
            continue;
        }
        planted += 1;
        let flagged = !rules.match_field(Field::Reason, &r.reason).is_empty()
            || !rules.match_field(Field::Agency, &r.org).is_empty();
        assert!(
            flagged,
            "planted immigration search not flagged: {:?} by {:?}",
            r.reason, r.org
        );
    }
    assert!(planted > 100, "{planted}");
}
