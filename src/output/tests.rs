//! The output shapes: JSON as serde_json reads it, CSV, and the writer on every core.

use super::json::{ColumnKeys, encode_json, json_str, plain};
use super::*;
use crate::model::RecordId;
use proptest::prelude::*;
use serde_json::Value;
use std::borrow::Cow;
use std::sync::Arc;

#[test]
fn json_shape_is_stable() {
    let rec = OutRecord {
        id: RecordId(0xabc),
        fields: vec![
            ("agency", OutValue::Str("Lakemont \"IL\" PD".into())),
            ("networks_searched", OutValue::Int(12)),
            ("license_plate", OutValue::Redacted("***".into())),
            ("filters", OutValue::Null),
        ],
        flags: vec![FlagOut {
            rule: "ice".into(),
            strength: "strong",
            field: "reason",
            matched: vec!["ICE".into()],
            spans: vec![(0, 3)].into(),
            description: Arc::from("ICE as a word"),
            note: Some(Arc::from("check it")),
        }],
        sources: vec!["a.csv:2".into(), "b.csv:9".into()].into(),
        columns: vec![
            ("Reason".into(), "ICE".into()),
            ("Reason".into(), "again".into()),
            ("Reason (2)".into(), "third".into()),
        ],
        extra: vec![
            ("verdict".into(), Value::String("immigration".into())),
            ("reviews".into(), serde_json::json!([{"by": "x"}])),
        ],
    };
    let mut out = Vec::new();
    let mut w = RecordWriter::new(&mut out, Format::Jsonl, Vec::new(), Vec::new()).unwrap();
    w.write(&rec).unwrap();
    w.finish().unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        concat!(
            r#"{"id":"00000000000000000000000000000abc","agency":"Lakemont \"IL\" PD","#,
            r#""networks_searched":12,"license_plate":null,"filters":null,"#,
            r#""redacted":["license_plate"],"flagged":true,"flags":[{"rule":"ice","#,
            r#""strength":"strong","field":"reason","matched":["ICE"],"spans":[[0,3]],"#,
            r#""description":"ICE as a word","note":"check it"}],"verdict":"immigration","#,
            r#""reviews":[{"by":"x"}],"sources":["a.csv:2","b.csv:9"],"columns":{"#,
            r#""Reason":"ICE","Reason (2)":"again","Reason (2) (2)":"third"}}"#,
            "\n"
        )
    );
}

/// The column keys kept from one record to the next are made again when the labels change
/// (same count, another label; another count; a label repeated; back again).
#[test]
fn column_keys_follow_each_records_labels() {
    let label_sets: [&[&str]; 6] = [
        &["Reason", "Name"],
        &["Reason", "Org Name"],
        &["Reason"],
        &["Reason", "Reason", "Reason (2)"],
        &["Reason", "Name"],
        &["quote \" and \\", "Name"],
    ];
    let rec = |i: &usize| {
        let labels = label_sets[*i % label_sets.len()];
        OutRecord {
            id: RecordId(*i as u128),
            fields: Vec::new(),
            flags: Vec::new(),
            sources: vec![format!("a.csv:{i}")].into(),
            columns: labels
                .iter()
                .enumerate()
                .map(|(k, l)| (Cow::Borrowed(*l), Cow::Owned(format!("v{i}.{k}"))))
                .collect(),
            extra: Vec::new(),
        }
    };
    let expect = |i: usize| -> Value {
        let labels = label_sets[i % label_sets.len()];
        let mut cols = serde_json::Map::new();
        for (k, l) in labels.iter().enumerate() {
            let mut key = l.to_string();
            let mut n = 2;
            while cols.contains_key(&key) {
                key = format!("{l} ({n})");
                n += 1;
            }
            cols.insert(key, Value::String(format!("v{i}.{k}")));
        }
        Value::Object(cols)
    };
    let items: Vec<usize> = (0..40).collect();
    let mut one = Vec::new();
    let mut w = RecordWriter::new(&mut one, Format::Jsonl, Vec::new(), Vec::new()).unwrap();
    for i in &items {
        w.write(&rec(i)).unwrap();
    }
    w.finish().unwrap();
    let mut all = Vec::new();
    let mut w = RecordWriter::new(&mut all, Format::Jsonl, Vec::new(), Vec::new()).unwrap();
    w.write_all(&(), &items, |_, i| rec(i)).unwrap();
    w.finish().unwrap();
    assert_eq!(one, all);
    let lines: Vec<Value> = one
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    assert_eq!(lines.len(), items.len());
    for (i, v) in lines.iter().enumerate() {
        assert_eq!(v["columns"], expect(i), "record {i}");
    }
}

/// Strings made mostly of the bytes JSON escapes, in every length around the word size.
fn tricky() -> impl Strategy<Value = String> {
    const SPECIAL: &[char] = &[
        '"', '\\', '\n', '\u{0}', '\u{1f}', '\u{7f}', 'é', '𝄞', ' ', 'a',
    ];
    crate::test_strings::strings_of(SPECIAL, 40)
}

proptest! {
    #![proptest_config(crate::test_strings::cases(256))]
    #[test]
    fn strings_are_written_as_serde_json_writes_them(s in tricky()) {
        let mut buf = Vec::new();
        json_str(&mut buf, &s).unwrap();
        prop_assert_eq!(String::from_utf8(buf).unwrap(), serde_json::to_string(&s).unwrap());
        let naive = !s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\');
        prop_assert_eq!(plain(s.as_bytes()), naive);
    }

    #[test]
    fn records_are_json_that_reads_back(
        texts in proptest::collection::vec(tricky(), 6),
        n in any::<u64>(),
    ) {
        let rec = OutRecord {
            id: RecordId(u128::from(n) << 64 | 7),
            fields: vec![
                ("agency", OutValue::Str(Cow::Borrowed(&texts[0]))),
                ("networks_searched", OutValue::Int(n)),
                ("license_plate", OutValue::Redacted(Cow::Borrowed(&texts[1]))),
                ("filters", OutValue::Null),
            ],
            flags: vec![FlagOut {
                rule: Cow::Borrowed(&texts[2]),
                strength: "ambiguous",
                field: "reason",
                matched: vec![Cow::Borrowed(&texts[3]), Cow::Borrowed(&texts[0])],
                spans: vec![(0, 3), (5, u32::MAX)].into(),
                description: Arc::from(texts[4].as_str()),
                note: None,
            }],
            sources: vec![texts[5].clone()].into(),
            columns: vec![
                (Cow::Borrowed(&texts[1]), Cow::Borrowed(&texts[2])),
                (Cow::Borrowed(&texts[1]), Cow::Borrowed(&texts[3])),
            ],
            extra: vec![((texts[4].clone() + "x").into(), serde_json::json!({"k": [texts[0].clone()]}))],
        };
        let mut buf = Vec::new();
        encode_json(&rec, &mut buf, &mut ColumnKeys::default(), &Default::default()).unwrap();
        let v: Value = serde_json::from_slice(&buf).unwrap();
        let expect = serde_json::json!({
            "id": rec.id.to_string(),
            "agency": texts[0],
            "networks_searched": n,
            "license_plate": null,
            "filters": null,
            "redacted": ["license_plate"],
            "flagged": true,
            "flags": [{
                "rule": texts[2], "strength": "ambiguous", "field": "reason",
                "matched": [texts[3], texts[0]], "spans": [[0, 3], [5, u32::MAX]],
                "description": texts[4],
            }],
            (texts[4].clone() + "x"): {"k": [texts[0]]},
            "sources": [texts[5]],
            "columns": {texts[1].clone(): texts[2], format!("{} (2)", texts[1]): texts[3]},
        });
        prop_assert_eq!(v, expect);
    }
}

/// Records encoded on several threads, a round at a time, come out as one by one.
#[test]
fn write_all_writes_what_write_writes() {
    let rec = |i: &usize| OutRecord {
        id: RecordId(*i as u128),
        fields: vec![(
            "reason",
            OutValue::Str(format!("reason \"{i}\", line\ntwo").into()),
        )],
        flags: Vec::new(),
        sources: vec![format!("a.csv:{i}")].into(),
        columns: vec![("Reason".into(), format!("r{i}").into())],
        extra: Vec::new(),
    };
    let columns = || vec!["Reason".to_string(), "Other".to_string()];
    for n in [0, 1, 5, 2048 * 2 + 7, 2048 * 9 + 1] {
        let items: Vec<usize> = (0..n).collect();
        for format in [Format::Jsonl, Format::Json, Format::Csv] {
            let mut one = Vec::new();
            let mut w = RecordWriter::new(&mut one, format, columns(), Vec::new()).unwrap();
            for i in &items {
                w.write(&rec(i)).unwrap();
            }
            assert_eq!(w.finish().unwrap(), n as u64);
            let mut all = Vec::new();
            let mut w = RecordWriter::new(&mut all, format, columns(), Vec::new()).unwrap();
            w.write(&rec(&n)).unwrap();
            w.write_all(&(), &items, |_, i| rec(i)).unwrap();
            assert_eq!(w.finish().unwrap(), n as u64 + 1);
            let mut expect = Vec::new();
            let mut w = RecordWriter::new(&mut expect, format, columns(), Vec::new()).unwrap();
            w.write(&rec(&n)).unwrap();
            for i in &items {
                w.write(&rec(i)).unwrap();
            }
            w.finish().unwrap();
            assert_eq!(all, expect, "{n} records as {format:?}");
            // Queued one at a time: written a round at a time, then the rest.
            let mut queued = Vec::new();
            let mut w = RecordWriter::new(&mut queued, format, columns(), Vec::new()).unwrap();
            w.write(&rec(&n)).unwrap();
            let mut q = Queued::default();
            for &i in &items {
                w.queue(&mut q, i, &(), |_, i| rec(i)).unwrap();
            }
            w.write_queued(&mut q, &(), |_, i| rec(i)).unwrap();
            assert_eq!(w.finish().unwrap(), n as u64 + 1);
            assert_eq!(queued, expect, "{n} records queued as {format:?}");
        }
    }
}

/// The keys of `columns` are unique without regard to case across the output, as the CSV header
/// names them: `id` after another schema's `ID` is `id_2` in every record that holds it, and a
/// label a file repeats in another case is told apart within its record (DuckDB refuses struct
/// fields that differ only by case, within one record or across records).
#[test]
fn json_column_keys_are_unique_without_regard_to_case() {
    let rec = |columns: &[(&'static str, &'static str)]| OutRecord {
        id: RecordId(1),
        fields: Vec::new(),
        flags: Vec::new(),
        sources: Vec::<String>::new().into(),
        columns: columns
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect(),
        extra: Vec::new(),
    };
    let original = ["ID", "Reason", "id", "reason", "Reason_2"]
        .map(String::from)
        .to_vec();
    let mut out = Vec::new();
    let mut w = RecordWriter::new(&mut out, Format::Jsonl, original, Vec::new()).unwrap();
    w.write(&rec(&[("ID", "1"), ("Reason", "a")])).unwrap();
    w.write(&rec(&[("id", "2"), ("reason", "b")])).unwrap();
    w.write(&rec(&[("Reason", "c"), ("Reason", "d"), ("Reason_2", "e")]))
        .unwrap();
    w.finish().unwrap();
    let keys: Vec<Vec<String>> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["columns"].as_object().unwrap().keys().cloned().collect()
        })
        .collect();
    assert_eq!(keys[0], ["ID", "Reason"]);
    assert_eq!(keys[1], ["id_2", "reason_2"]);
    assert_eq!(keys[2], ["Reason", "Reason (2)", "Reason_2_2"]);
    let mut all: Vec<String> = keys.concat().iter().map(|k| k.to_lowercase()).collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 6, "{all:?}");
}
