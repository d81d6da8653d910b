//! Agency profiles (issue 25 target: 5,000 distinct names profiled and matched to a 287(g) list
//! well under a second).
//!
//! `cargo bench -p alpr-triage-bench --bench agencies`. The names are synthetic, in the shapes
//! Flock writes them (`X TX PD`, `X County FL SO`, `Springville PD (UT)`, `AR - Alma PD`, state
//! agencies, task forces); the 287(g) list is the shipped synthetic one repeated to ICE's size
//! (about 900 agreements), with every name a different place.

use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};

use alpr_triage::agency::partners::Status;
use alpr_triage::agency::{Partners, Profiler, Profiles};

const STATES: [&str; 10] = ["TX", "FL", "CA", "GA", "NC", "OH", "MN", "WI", "AZ", "SD"];
const NAMES: [&str; 10] = [
    "TEXAS",
    "FLORIDA",
    "CALIFORNIA",
    "GEORGIA",
    "NORTH CAROLINA",
    "OHIO",
    "MINNESOTA",
    "WISCONSIN",
    "ARIZONA",
    "SOUTH DAKOTA",
];

fn names(n: usize) -> Vec<Box<str>> {
    (0..n)
        .map(|i| {
            let st = STATES[i % STATES.len()];
            let place = format!("Place{i}");
            match i % 6 {
                0 => format!("{place} {st} PD"),
                1 => format!("{place} County {st} SO"),
                2 => format!("{place} PD ({st})"),
                3 => format!("{st} - {place} PD"),
                4 => format!("{place} County SO {st} [Inactive]"),
                _ => format!("{place} Regional Task Force {st}"),
            }
            .into_boxed_str()
        })
        .collect()
}

fn partners() -> Partners {
    let mut rows = vec![(
        1u64,
        [
            "STATE",
            "LAW ENFORCEMENT AGENCY",
            "TYPE",
            "COUNTY",
            "SUPPORT TYPE",
            "SIGNED",
        ]
        .map(String::from)
        .to_vec(),
    )];
    for i in 0..900u64 {
        // Every `Place{j} County {st} SO` of `names` (j = 1, 7, 13, …) in its own state; those
        // past the 5,000 names match nothing, as most of a real list does not.
        let j = i as usize * 6 + 1;
        let state = NAMES[j % NAMES.len()];
        rows.push((
            i + 2,
            vec![
                state.into(),
                format!("Place{j} County Sheriff's Office"),
                "County".into(),
                String::new(),
                "Task Force Model".into(),
                "2025-02-20".into(),
            ],
        ));
    }
    let mut p = Partners::default();
    p.add_rows(&rows, "bench.csv", Status::Participating)
        .expect("a list");
    p.files.push("bench.csv".into());
    p
}

fn profile(c: &mut Criterion) {
    let names = names(5000);
    let profiler = Arc::new(Profiler {
        partners: partners(),
        ..Profiler::default()
    });
    let matched = Profiles::build(profiler.clone(), &names, &[]);
    let hits = (0..names.len())
        .filter(|&i| matched.of(i as u32).partner.is_some())
        .count();
    assert!(hits > 100, "the bench matches some names ({hits})");
    let mut g = c.benchmark_group("agencies");
    g.sample_size(10);
    g.bench_function("profile 5,000 names + 287(g), every core", |b| {
        b.iter(|| Profiles::build(profiler.clone(), &names, &[]).len())
    });
    g.bench_function("profile 5,000 names + 287(g), one thread", |b| {
        b.iter(|| {
            names
                .iter()
                .map(|n| profiler.profile(n).level as usize)
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(benches, profile);
criterion_main!(benches);
