//! One JSON row object to cells: its keys as column labels (in order of first appearance), its
//! values as the texts a CSV export would hold, parsed on every core.

use std::borrow::Cow;

use rustc_hash::FxHashMap;
use serde_json::Value;
use serde_json::value::RawValue;

use super::super::Cells;
use super::super::FileError;
use super::super::process::Processor;

/// Column labels for JSON keys, in order of first appearance.
#[derive(Default)]
pub(super) struct Keys {
    pub(super) labels: Vec<String>,
    pub(super) index: FxHashMap<String, usize>,
    /// For each label, the pair of the row being filled that holds it (reused row to row).
    pub(super) slots: Vec<usize>,
}

impl Keys {
    /// Finds where each label's cell is in a row (a key given twice: the last), adding the
    /// keys not seen before; true when there were any. [`Keys::record`] then lays the row out.
    pub(super) fn learn(&mut self, pairs: &[(Cow<'_, str>, Cow<'_, str>)]) -> bool {
        self.slots.clear();
        self.slots.resize(self.labels.len(), usize::MAX);
        let mut grew = false;
        for (j, (k, _)) in pairs.iter().enumerate() {
            // Rows mostly repeat the keys of the first, in the same order.
            let i = if self.labels.get(j).is_some_and(|l| l == k) {
                j
            } else if let Some(&i) = self.index.get(&**k) {
                i
            } else {
                self.index.insert(k.to_string(), self.labels.len());
                self.labels.push(k.to_string());
                self.slots.push(usize::MAX);
                grew = true;
                self.labels.len() - 1
            };
            self.slots[i] = j;
        }
        grew
    }

    /// One cell per label, from the row [`Keys::learn`] was last given.
    pub(super) fn record(&self, pairs: &[(Cow<'_, str>, Cow<'_, str>)], rec: &mut Cells) {
        for &j in &self.slots {
            rec.push_field(pairs.get(j).map_or(&b""[..], |(_, v)| v.as_bytes()));
        }
    }
}

/// One key and its cell text.
pub(super) type Pair<'a> = (Cow<'a, str>, Cow<'a, str>);

/// Parses one JSON object into its (key, cell text) pairs, in order, appended to `pairs`,
/// borrowing from `text` wherever no escape has to be undone (no map, and no allocation, per
/// row). A cell is a string's text, `""` for null, `true`/`false`, a number as written (as
/// serde_json writes it when that differs), or nested arrays and objects as compact JSON.
/// Returns where its pairs are; on an error `pairs` is as it was.
pub(super) fn parse_into<'a>(
    text: &'a [u8],
    pairs: &mut Vec<Pair<'a>>,
) -> serde_json::Result<std::ops::Range<usize>> {
    let start = pairs.len();
    let mut de = serde_json::Deserializer::from_slice(text);
    let parsed =
        serde::de::DeserializeSeed::deserialize(ObjectSeed(pairs), &mut de).and_then(|()| de.end());
    match parsed {
        Ok(()) => Ok(start..pairs.len()),
        Err(e) => {
            pairs.truncate(start);
            Err(e)
        }
    }
}

/// Rows parsed on a worker thread, in order: each one's pairs (in `pairs`), or why it is not a
/// row object; with each NDJSON line's length in bytes.
#[derive(Default)]
pub(super) struct Share<'a> {
    pub(super) pairs: Vec<Pair<'a>>,
    pub(super) items: Vec<(usize, Parsed)>,
}

pub(super) enum Parsed {
    /// A blank line.
    Blank,
    /// A row object: its pairs.
    Row(std::ops::Range<usize>),
    /// Not a JSON object: serde_json's message without its position.
    Bad(String),
}

impl<'a> Share<'a> {
    pub(super) fn parse(&mut self, len: usize, text: &'a [u8]) {
        let item = if text.is_empty() {
            Parsed::Blank
        } else {
            match parse_into(text, &mut self.pairs) {
                Ok(range) => Parsed::Row(range),
                Err(e) => Parsed::Bad(e.to_string().split(" at line").next().unwrap_or("").into()),
            }
        };
        self.items.push((len, item));
    }
}

/// Keys a row is expected to have, for sizing (Flock's exports have up to 14 columns).
pub(super) const PAIRS_GUESS: usize = 14;

/// Parses items on every core, in shares; the shares come back in order.
pub(super) fn parse_shares<'a, T: Sync>(
    items: &[T],
    text: impl Fn(&T) -> (usize, &'a [u8]) + Sync,
) -> Vec<Share<'a>> {
    let shares = if items.len() < 256 {
        1
    } else {
        crate::threads::cores() * crate::threads::SHARES_PER_THREAD
    };
    let per = items.len().div_ceil(shares).max(1);
    crate::threads::ordered(items.len().div_ceil(per), |i| {
        let mine = &items[i * per..((i + 1) * per).min(items.len())];
        // Sized once (growing them is most of what a share would allocate).
        let mut share = Share {
            pairs: Vec::with_capacity(mine.len() * PAIRS_GUESS),
            items: Vec::with_capacity(mine.len()),
        };
        for item in mine {
            let (len, t) = text(item);
            share.parse(len, t);
        }
        share
    })
}

pub(super) struct ObjectSeed<'p, 'a>(&'p mut Vec<(Cow<'a, str>, Cow<'a, str>)>);

impl<'de, 'p> serde::de::DeserializeSeed<'de> for ObjectSeed<'p, 'de> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, 'p> serde::de::Visitor<'de> for ObjectSeed<'p, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // What serde_json's own map says, so messages stay as they were.
        f.write_str("a map")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(Key(k)) = map.next_key::<Key<'de>>()? {
            let raw: &'de RawValue = map.next_value()?;
            let cell = raw_cell(raw.get()).map_err(serde::de::Error::custom)?;
            self.0.push((k, cell));
        }
        Ok(())
    }
}

/// An object key, borrowed when it holds no escape.
pub(super) struct Key<'a>(pub(super) Cow<'a, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s.to_string())))
            }
        }
        d.deserialize_str(V)
    }
}

/// The cell text of one JSON value, given as its raw text.
pub(super) fn raw_cell(raw: &str) -> serde_json::Result<Cow<'_, str>> {
    let b = raw.as_bytes();
    Ok(match b.first() {
        Some(b'"') if !b.contains(&b'\\') => Cow::Borrowed(&raw[1..raw.len() - 1]),
        Some(b'"') => Cow::Owned(serde_json::from_str::<String>(raw)?),
        Some(b'n') => Cow::Borrowed(""),
        Some(b't') => Cow::Borrowed("true"),
        Some(b'f') => Cow::Borrowed("false"),
        // An integer that fits in 64 bits is written back as it came (JSON has no leading zeros).
        Some(_) if b.len() <= 18 && plain_integer(b) => Cow::Borrowed(raw),
        Some(b'[' | b'{') if canonical(b) => Cow::Borrowed(raw),
        Some(b'[' | b'{') => Cow::Owned(serde_json::from_str::<Value>(raw)?.to_string()),
        _ => Cow::Owned(serde_json::from_str::<serde_json::Number>(raw)?.to_string()),
    })
}

/// The most keys an object may have for [`canonical`] to check it (beyond, the slow path).
const KEYS_CHECKED: usize = 32;
/// The most keys of the objects open at once, and the deepest nesting, [`canonical`] checks.
const KEYS_OPEN: usize = 64;
const DEPTH_CHECKED: usize = 16;

/// True when `raw` (valid JSON: an array or object, as [`RawValue`] gives it) is already the
/// text serde_json writes for it compactly, so that it is its own cell without being parsed
/// and written again (alpr-triage's own JSONL `flags`, `sources` and `columns` are): no
/// whitespace between tokens, strings escaped only as serde_json escapes them, numbers that are
/// 64-bit integers as written, and no key twice in an object (checked in objects of up to
/// [`KEYS_CHECKED`] keys, so the cost stays linear). Anything else is not, and takes the slow
/// path, which gives the same text for these.
pub(super) fn canonical(raw: &[u8]) -> bool {
    // Keys of the objects open, and where each open array or object's keys start: on the stack
    // (this runs for every nested value of every row), the slow path past their size.
    let mut keys: [&[u8]; KEYS_OPEN] = [&[]; KEYS_OPEN];
    let mut frames = [(false, 0usize); DEPTH_CHECKED];
    let (mut n_keys, mut depth) = (0, 0);
    let mut expect_key = false;
    let mut i = 0;
    while let Some(&c) = raw.get(i) {
        match c {
            b'{' | b'[' => {
                if depth == DEPTH_CHECKED {
                    return false;
                }
                frames[depth] = (c == b'{', n_keys);
                depth += 1;
                expect_key = c == b'{';
                i += 1;
            }
            b'}' | b']' => {
                if depth > 0 {
                    depth -= 1;
                    n_keys = frames[depth].1;
                }
                expect_key = false;
                i += 1;
            }
            b',' => {
                expect_key = depth > 0 && frames[depth - 1].0;
                i += 1;
            }
            b':' => {
                expect_key = false;
                i += 1;
            }
            b'"' => {
                let start = i + 1;
                let mut j = start;
                loop {
                    match memchr::memchr2(b'"', b'\\', &raw[j..]) {
                        None => return false,
                        Some(k) if raw[j + k] == b'"' => {
                            j += k;
                            break;
                        }
                        Some(k) => {
                            j += k;
                            match raw.get(j + 1..) {
                                Some([b'"' | b'\\' | b'b' | b't' | b'n' | b'f' | b'r', ..]) => {
                                    j += 2
                                }
                                // serde_json writes other controls as \u00XX in lower case.
                                Some([b'u', b'0', b'0', hi @ (b'0' | b'1'), lo, ..])
                                    if lo.is_ascii_digit() || (b'a'..=b'f').contains(lo) =>
                                {
                                    let v = (hi - b'0') * 16
                                        + if lo.is_ascii_digit() {
                                            lo - b'0'
                                        } else {
                                            lo - b'a' + 10
                                        };
                                    if matches!(v, 8 | 9 | 10 | 12 | 13) {
                                        return false;
                                    }
                                    j += 6;
                                }
                                _ => return false,
                            }
                        }
                    }
                }
                if expect_key {
                    let key = &raw[start..j];
                    let from = frames[depth - 1].1;
                    if n_keys - from >= KEYS_CHECKED
                        || n_keys == KEYS_OPEN
                        || keys[from..n_keys].contains(&key)
                    {
                        return false;
                    }
                    keys[n_keys] = key;
                    n_keys += 1;
                    expect_key = false;
                }
                i = j + 1;
            }
            b't' | b'f' | b'n' => {
                while raw.get(i).is_some_and(u8::is_ascii_lowercase) {
                    i += 1;
                }
            }
            b'-' | b'0'..=b'9' => {
                let s = i;
                i += 1;
                while raw.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
                let fraction = raw.get(i).is_some_and(|c| matches!(c, b'.' | b'e' | b'E'));
                if fraction || i - s > 18 || !plain_integer(&raw[s..i]) {
                    return false;
                }
            }
            _ => return false,
        }
    }
    depth == 0
}

/// Digits, maybe after a minus (but not `-0`, which serde_json reads as the float `-0.0`).
pub(super) fn plain_integer(b: &[u8]) -> bool {
    let digits = b.strip_prefix(b"-").unwrap_or(b);
    !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) && b != b"-0"
}

pub(super) fn json_error(p: &Processor<'_>, e: &serde_json::Error) -> FileError {
    FileError::Read {
        path: p.path().to_string(),
        line: e.line() as u64,
        message: format!("invalid JSON: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    /// The slow path's text: parsed, then written compactly.
    fn rewritten(raw: &str) -> String {
        serde_json::from_str::<Value>(raw).unwrap().to_string()
    }

    /// Nested text taken as it is only where parsing and writing it again would give the
    /// same bytes; every other text takes the slow path.
    #[test]
    fn nested_text_is_its_own_cell_only_when_rewriting_would_not_change_it() {
        let same = [
            r#"{"ID":"x","Time Frame":"a\nb","n":-12,"e":"","t":true,"z":null}"#,
            r#"[{"rule":"ice","spans":[[0,3]]},[],{}]"#,
            r#"["tab\there","quote\" back\\","\u001b[31m","é 🚓"]"#,
            "[\"del \u{7f} as it is\"]",
            r#"["\u0000\u001f"]"#,
        ];
        for raw in same {
            assert_eq!(rewritten(raw), raw, "{raw}");
            assert!(canonical(raw.as_bytes()), "{raw}");
        }
        let differ = [
            r#"{ "a": 1 }"#,
            r#"{"a":1,"a":2}"#,
            r#"["\/"]"#,
            r#"["\u0041"]"#,
            r#"["\u000a"]"#,
            r#"["\u001B"]"#,
            r#"["\u007f"]"#,
            r#"[1.0]"#,
            r#"[1e3]"#,
            r#"[-0]"#,
            r#"[12345678901234567890]"#,
            "[1,\n2]",
        ];
        for raw in differ {
            assert!(!canonical(raw.as_bytes()), "{raw}");
        }
        let many: String = format!(
            "{{{}}}",
            (0..40)
                .map(|i| format!("\"k{i}\":{i}"))
                .collect::<Vec<_>>()
                .join(",")
        );
        assert_eq!(rewritten(&many), many);
        assert!(
            !canonical(many.as_bytes()),
            "past KEYS_CHECKED keys: the slow path"
        );
        let deep = format!(
            "{}{}",
            "[".repeat(DEPTH_CHECKED + 1),
            "]".repeat(DEPTH_CHECKED + 1)
        );
        assert_eq!(rewritten(&deep), deep);
        assert!(
            !canonical(deep.as_bytes()),
            "past DEPTH_CHECKED: the slow path"
        );
        let object = |o: usize| {
            let pairs: Vec<String> = (0..30)
                .map(|i| format!("\"k{o}_{i}\":[{{\"x\":1}}]"))
                .collect();
            format!("{{{}}}", pairs.join(","))
        };
        let wide = format!("[{},{},{}]", object(0), object(1), object(2));
        assert_eq!(rewritten(&wide), wide);
        assert!(
            canonical(wide.as_bytes()),
            "keys of closed objects are let go"
        );
    }

    fn json_value() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            (-1e6f64..1e6).prop_map(Value::from),
            "[a-c\"\\\\/\u{0}-\u{1f}\u{7f}é🚓 ]{0,6}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                proptest::collection::vec(("[a-c]{0,2}", inner), 0..5)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]
        /// Whatever the text (compact, pretty, keys repeated, `/` escaped), the cell is what
        /// the slow path gives.
        #[test]
        fn a_nested_cell_is_the_slow_paths_text(v in json_value(), dup in proptest::prelude::any::<bool>()) {
            let nested = Value::Array(vec![v]);
            let mut texts = vec![nested.to_string(), serde_json::to_string_pretty(&nested).unwrap()];
            texts.push(texts[0].replace('/', "\\/"));
            if dup {
                texts.push(format!("{{\"k\":1,\"k\":{}}}", texts[0]));
            }
            for raw in texts {
                let (fast, slow) = (raw_cell(&raw).unwrap().into_owned(), rewritten(&raw));
                proptest::prop_assert_eq!(fast, slow, "{}", raw);
            }
        }
    }

    /// A cell's text is what it was when rows were read into a `serde_json::Value`.
    #[test]
    fn cells_read_without_a_map_are_the_texts_a_value_gives() {
        let old = |v: &Value| match v {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            other => other.to_string(),
        };
        for raw in [
            r#""plain""#,
            r#""esc\"aped\n\t""#,
            r#""\u00e9\ud83d\ude00""#,
            r#""""#,
            "null",
            "true",
            "false",
            "0",
            "-12",
            "123456789012345678",
            "12345678901234567890",
            "123456789012345678901234",
            "1.50",
            "1e3",
            "-0",
            "-0.0",
            "[1, 2,  {\"a\" : null}]",
            "{\"a\": [true, null], \"b\": \"x\"}",
        ] {
            let want = old(&serde_json::from_str::<Value>(raw).unwrap());
            assert_eq!(raw_cell(raw).unwrap(), want, "{raw}");
        }
    }

    #[test]
    fn pairs_keep_key_order_borrow_plain_text_and_refuse_what_is_not_an_object() {
        let mut pairs = Vec::new();
        let text = br#"{"ID": "a1", "Reason": "ICE \"hold\"", "n": 3, "ID": "a2"}"#;
        let range = parse_into(text, &mut pairs).unwrap();
        assert_eq!(range, 0..4);
        let keys: Vec<&str> = pairs.iter().map(|(k, _)| &**k).collect();
        assert_eq!(keys, ["ID", "Reason", "n", "ID"]);
        assert!(matches!(pairs[0].1, Cow::Borrowed("a1")));
        assert_eq!(pairs[1].1, "ICE \"hold\"");
        let mut keys = Keys::default();
        assert!(keys.learn(&pairs));
        assert_eq!(keys.labels, ["ID", "Reason", "n"]);
        let mut rec = Cells::new();
        keys.record(&pairs, &mut rec);
        let cells: Vec<&[u8]> = rec.iter().collect();
        assert_eq!(
            cells,
            [&b"a2"[..], b"ICE \"hold\"", b"3"],
            "the last of a key given twice"
        );
        for bad in [&b"[1]"[..], b"\"x\"", b"{\"a\":1} x", b"{\"a\":", b"{1:2}"] {
            let e = parse_into(bad, &mut pairs).unwrap_err();
            assert_eq!(pairs.len(), 4, "nothing added for {bad:?}: {e}");
        }
        let e = parse_into(b"[1]", &mut pairs).unwrap_err().to_string();
        assert!(
            e.starts_with("invalid type: sequence, expected a map"),
            "{e}"
        );
    }
}
