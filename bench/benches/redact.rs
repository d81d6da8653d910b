//! The free-text redactor on one text (issue 26: masking adds at most 20 % to `export --redact`).
//!
//! `cargo bench -p alpr-triage-bench --bench redact`. The texts are the project's labelled set
//! (tests/fixtures/redaction-labelled.txt, markup removed): short reasons and notes, about half
//! with personal data. An export finds the masks of each distinct reason once, so this time a
//! text, times the distinct reasons, is what masking costs an export.

use criterion::{Criterion, criterion_group, criterion_main};

use alpr_triage::redact::{Known, Redactor};

fn texts() -> Vec<String> {
    include_str!("../../tests/fixtures/redaction-labelled.txt")
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with("known "))
        .map(|l| {
            // `{kind:text}` → `text`
            let mut out = String::new();
            let mut rest = l;
            while let Some(open) = rest.find('{') {
                out.push_str(&rest[..open]);
                let close = rest[open..].find('}').unwrap() + open;
                out.push_str(rest[open + 1..close].split_once(':').unwrap().1);
                rest = &rest[close + 1..];
            }
            out.push_str(rest);
            out
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let texts = texts();
    let known = Known {
        accounts: (0..2000).map(|i| format!("Officer{i} Smith")).collect(),
        plates: (0..1_000_000u32)
            .map(|i| i.wrapping_mul(2_654_435_761))
            .collect(),
        cases: (0..100_000u32).map(|i| i.wrapping_mul(40_503)).collect(),
    };
    let r = Redactor::new(known, &[]);
    // The name dictionary loads on first use: once a process, outside the loop.
    r.find("Juan Garcia", &[]);
    c.bench_function(&format!("redact {} texts", texts.len()), |b| {
        b.iter(|| texts.iter().map(|t| r.find(t, &[]).len()).sum::<usize>())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
