#!/usr/bin/env bash
# Every row of issue 20's table, at the sizes it states, in one run:
#
#   scripts/bench-scale.sh            # all of it (about 15 minutes; needs about 8 GB of disk)
#   scripts/bench-scale.sh annotations gzip json   # some sections only
#
# Sections: annotations (a verdict's trip to disk and the review UI's start with 110,000 and
# 995,000 annotations; export and merge at 995,000), gzip (the review UI on a 10M-row .csv.gz
# against the same rows as CSV), json (scan of NDJSON, of a portal page and of its own
# `flag --all` JSONL, 1M rows, against the CSV scan), utf16 (scan of the 1M-row file in UTF-16,
# both byte orders, against the UTF-8 file), big (the review UI on 17M rows: load, sorts, filters). Inputs are generated into
# bench-data/ on the first run (17M rows: 3.35 GB). Times are wall times; memory is the peak
# resident set (GNU time's %M) or what the in-process benchmarks print. The VM's speed drifts,
# so each section also runs its floor (the same job without the cost measured) in the same run.
#
# BEFORE=DIR also runs an older build's `alpr-triage` and `tui_bench` (both in DIR) in the same
# rounds, for before-and-after figures from one run. To build the commit issue 20 measured:
#   git worktree add ../before be21e82 && (cd ../before && CARGO_TARGET_DIR=$PWD/t cargo build \
#     --release --bin alpr-triage --example tui_bench) && mkdir -p ../b &&
#   cp ../before/t/release/alpr-triage ../before/t/release/examples/tui_bench ../b/
#   BEFORE=../b scripts/bench-scale.sh
# (annotations_bench is newer than that commit: its "before" is the whole-file rewrite, which it
# times itself.)
set -euo pipefail
cd "$(dirname "$0")/.."
sections=("${@:-annotations gzip json utf16 big}")
read -r -a sections <<<"${sections[*]}"
want() { [[ " ${sections[*]} " == *" $1 "* ]]; }

cargo build --release --quiet --bin alpr-triage
cargo build --release --quiet -p alpr-triage-synth
cargo build --release --quiet -p alpr-triage-bench --bin tui_bench --bin annotations_bench
bin=./target/release
mkdir -p bench-data bench-data/run
gen() { [ -f "$1" ] || "$bin/generate" --rows "$2" "$1" >/dev/null; }
timed() { # LABEL COMMAND...: wall seconds and peak MB of one run
  local label=$1; shift
  /usr/bin/time -o bench-data/run/time -f "%e %M" "$@" >/dev/null 2>bench-data/run/stderr || {
    cat bench-data/run/stderr >&2; return 1; }
  awk -v l="$label" '{ printf "%-58s %6.2f s  %6.0f MB\n", l, $1, $2 / 1024 }' bench-data/run/time
}

csv1=bench-data/1000000-Network-Audit.csv
gen "$csv1" 1000000

if want annotations; then
  echo "== annotations (1M-row file; $csv1)"
  for n in 110000 995000; do
    ann=bench-data/ann-$n.json
    [ -f "$ann" ] || "$bin/annotations_bench" prepare "$csv1" "$n" "$ann" >/dev/null
  done
  [ -f bench-data/ann-995000-bo.json ] ||
    "$bin/annotations_bench" prepare "$csv1" 995000 bench-data/ann-995000-bo.json bo >/dev/null
  echo "-- the review UI with no annotations (the memory floor)"
  rm -f bench-data/run/none.json*
  "$bin/tui_bench" "$csv1" --load-only | grep -E "loaded|resident"
  for n in 110000 995000; do
    echo "-- $n annotations: start, then verdicts (each until its line is fsync'd)"
    cp "bench-data/ann-$n.json" bench-data/run/a.json
    rm -f bench-data/run/a.json.*
    "$bin/annotations_bench" start "$csv1" bench-data/run/a.json
  done
  echo "-- export and merge at 995,000 annotations (flag --all writes the same records: the floor)"
  timed "flag --all (floor)" "$bin/alpr-triage" flag --all "$csv1"
  for b in ${BEFORE:+"$BEFORE"} "$bin"; do
    tag=$([ "$b" = "$bin" ] && echo now || echo before)
    timed "export --only all --format csv ($tag)" "$b/alpr-triage" export "$csv1" \
      --annotations bench-data/ann-995000.json --only all --format csv
    rm -f bench-data/run/merged.json*
    timed "merge of two files of 995,000 ($tag)" "$b/alpr-triage" merge \
      bench-data/ann-995000.json bench-data/ann-995000-bo.json --out bench-data/run/merged.json
  done
fi

if want gzip; then
  csv10=bench-data/10000000-Network-Audit.csv
  gen "$csv10" 10000000
  [ -f "$csv10.gz" ] || gzip -k -1 "$csv10"
  echo "== the review UI on 10M rows, as .csv.gz and as .csv (the floor), alternately"
  for _ in 1 2 3; do
    for b in ${BEFORE:+"$BEFORE"} "$bin"; do
      tag=$([ "$b" = "$bin" ] && echo now || echo before)
      for f in "$csv10.gz" "$csv10"; do
        printf '%-6s %-30s ' "$tag" "$(basename "$f")"
        "$b/tui_bench" "$f" --load-only | grep -E "loaded|resident" | tr '\n' ' '
        echo
      done
    done
  done
fi

if want json; then
  nd=bench-data/1000000-Network-Audit.ndjson
  js=bench-data/1000000-portal.json
  gen "$nd" 1000000
  gen "$js" 1000000
  own=bench-data/1000000-own.jsonl
  [ -f "$own" ] || "$bin/alpr-triage" flag --all --format jsonl "$csv1" >"$own" 2>/dev/null
  echo "== scan, 1M rows: NDJSON ($(du -m "$nd" | cut -f1) MB), portal JSON ($(du -m "$js" | cut -f1) MB), CSV (the floor)"
  for _ in 1 2 3; do
    for b in ${BEFORE:+"$BEFORE"} "$bin"; do
      tag=$([ "$b" = "$bin" ] && echo now || echo before)
      for f in "$nd" "$js" "$own" "$csv1"; do
        timed "scan $(basename "$f") ($(($(stat -c %s "$f") / 1000000)) MB) ($tag)" \
          "$b/alpr-triage" scan "$f"
      done
    done
  done
fi

if want utf16; then
  le=bench-data/1000000-utf16le-bom.csv
  be=bench-data/1000000-utf16be.csv
  [ -f "$le" ] || { printf '\xff\xfe' >"$le" && iconv -f UTF-8 -t UTF-16LE "$csv1" >>"$le"; }
  [ -f "$be" ] || iconv -f UTF-8 -t UTF-16BE "$csv1" >"$be"
  echo "== scan, 1M rows: UTF-16LE with a BOM, UTF-16BE without, and the same rows in UTF-8 (the floor)"
  for _ in 1 2 3; do
    for f in "$csv1" "$le" "$be"; do
      timed "scan $(basename "$f") ($(($(stat -c %s "$f") / 1000000)) MB)" "$bin/alpr-triage" scan "$f"
    done
  done
fi

if want big; then
  csv17=bench-data/17000000-Network-Audit.csv
  gen "$csv17" 17000000
  echo "== the review UI on 17M rows: load, each sort in the background, filters as typed"
  if [ -n "${BEFORE:-}" ]; then
    echo "-- before (its sorts ran on the UI thread: see the first filter after load)"
    "$BEFORE/tui_bench" "$csv17" | grep -vE "^(file|summary frame)"
    echo "-- now"
  fi
  "$bin/tui_bench" "$csv17" | grep -vE "^(file|summary frame)"
fi
