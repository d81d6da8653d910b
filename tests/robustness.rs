//! Arbitrary bytes never panic any reader.

mod common;

use proptest::prelude::*;

use common::load;

fn check(name: &str, bytes: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    let (reports, records) = load(&[p]);
    let r = &reports[0];
    // Every row is accounted for: a record, a duplicate, or a dropped row with a warning.
    assert_eq!(r.rows, r.records + r.duplicates + r.dropped, "{r:?}");
    assert!(records.len() as u64 <= r.rows);
    if r.kind.is_none() {
        assert!(
            r.error.as_deref().is_some_and(|e| e.contains(name)),
            "{r:?}"
        );
    }
}

/// CSV-shaped noise: header labels, quotes, separators, newlines, timestamps, bad bytes.
fn csvish() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"Reason".to_vec()),
        Just(b"Search Time".to_vec()),
        Just(b"Org Name".to_vec()),
        Just(b"Time Frame".to_vec()),
        Just(b"ID".to_vec()),
        Just(b",".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\t".to_vec()),
        Just(b"04/10/2026, 05:01:33 AM UTC".to_vec()),
        Just(b"2026-03-10T04:31:52.901Z".to_vec()),
        Just(b"ICE".to_vec()),
        Just(b"***".to_vec()),
        Just(b"\xef\xbb\xbf".to_vec()),
        Just(b"\xff\xe9".to_vec()),
        Just(b"{\"reason\":".to_vec()),
        Just(b"[".to_vec()),
        any::<Vec<u8>>(),
    ];
    proptest::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(common::cases(200))]

    #[test]
    fn random_bytes_never_panic(bytes in any::<Vec<u8>>()) {
        check("x.csv", &bytes);
        check("x.json", &bytes);
        check("x.ndjson", &bytes);
    }

    #[test]
    fn csv_shaped_noise_never_panics(bytes in csvish()) {
        check("a.csv", &bytes);
        let mut with_header = b"Reason,Search Time,Org Name,Time Frame\n".to_vec();
        with_header.extend_from_slice(&bytes);
        check("b.csv", &with_header);
        check("c.ndjson", &bytes);
    }

    #[test]
    fn utf16_noise_never_panics(bytes in csvish(), le in any::<bool>(), cut in 0usize..3) {
        let text = String::from_utf8_lossy(&bytes);
        let mut out: Vec<u8> = if le { vec![0xff, 0xfe] } else { vec![0xfe, 0xff] };
        for unit in "Reason,Search Time\n".encode_utf16().chain(text.encode_utf16()) {
            out.extend(if le { unit.to_le_bytes() } else { unit.to_be_bytes() });
        }
        // Cut mid-unit, and raw bytes after a BOM.
        check("u.csv", &out[..out.len() - cut.min(out.len())]);
        let mut raw = vec![0xff, 0xfe];
        raw.extend_from_slice(&bytes);
        check("v.csv", &raw);
    }

    #[test]
    fn truncated_gzip_never_panics(bytes in csvish(), cut in 0usize..200) {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(b"Reason,Search Time\n").unwrap();
        enc.write_all(&bytes).unwrap();
        let gz = enc.finish().unwrap();
        let cut = cut.min(gz.len());
        check("t.csv.gz", &gz[..gz.len() - cut]);
    }
}
