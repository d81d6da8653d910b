#!/usr/bin/env bash
# Checks that two builds write byte-identical outputs (for a change that must not change
# behaviour, such as moving code between files):
#
#   scripts/same-outputs.sh BEFORE_BIN AFTER_BIN
#
# Runs both builds' `alpr-triage` over the sample data, ../shared/real-data (when present) and
# the generated 1M-row file. It compares `scan --json`, `flag --all` (JSONL) and `flag` (CSV),
# and, for the sample and 1M inputs, `export --only all` (CSV and JSONL, with the manifest
# less its times), `export --redact` and `merge` of two 50,000-annotation files made by
# `annotations_bench prepare`. Prints each output's checksum pair; exits 1 when any differs.
set -uo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 2 ] || { echo "usage: $0 BEFORE_BIN AFTER_BIN" >&2; exit 2; }
before=$(realpath "$1") after=$(realpath "$2")
cargo build --release --quiet -p alpr-triage-synth -p alpr-triage-bench --bin generate --bin annotations_bench
bin=./target/release
work=$(mktemp -d) && trap 'rm -rf "$work"' EXIT
csv1=bench-data/1000000-Network-Audit.csv
mkdir -p bench-data && { [ -f "$csv1" ] || "$bin/generate" --rows 1000000 "$csv1" >/dev/null; }
declare -A inputs=([sample]=sample-data [m1]=$csv1)
[ -d ../shared/real-data ] && inputs[real]=../shared/real-data
outputs() { # BIN OUT
  local b=$1 out=$2 k in ann
  mkdir -p "$out"
  for k in "${!inputs[@]}"; do
    in=${inputs[$k]}
    "$b" scan --json "$in" >"$out/$k.scan.json" 2>/dev/null
    "$b" flag --all --format jsonl "$in" >"$out/$k.flag.jsonl" 2>"$out/$k.flag.err"
    "$b" flag --format csv "$in" >"$out/$k.flag.csv" 2>/dev/null
    [ "$k" = real ] && continue
    ann=$work/ann-$k.json
    [ -f "$ann" ] || "$bin/annotations_bench" prepare "$in" 50000 "$ann" >/dev/null 2>&1
    [ -f "$ann.bo" ] || "$bin/annotations_bench" prepare "$in" 50000 "$ann.bo" bo >/dev/null 2>&1
    for fmt in csv jsonl; do
      rm -f "$work/m.json"
      "$b" export "$in" --annotations "$ann" --only all --format $fmt --manifest "$work/m.json" \
        >"$out/$k.export.$fmt" 2>"$out/$k.export.$fmt.err"
      grep -v '"generated\|"created\|_at"\|elapsed' "$work/m.json" >"$out/$k.export.$fmt.manifest"
    done
    "$b" export "$in" --annotations "$ann" --only reviewed --redact --format jsonl \
      >"$out/$k.export.redact.jsonl" 2>/dev/null
    rm -f "$work"/merged.json*
    "$b" merge "$ann" "$ann.bo" --out "$work/merged.json" >"$out/$k.merge.out" 2>&1
    python3 -c "import json,sys; d=json.load(open(sys.argv[1])); d.pop('saved_at',None); json.dump(d,sys.stdout,sort_keys=True)" \
      "$work/merged.json" >"$out/$k.merge.json"
  done
}
outputs "$before" "$work/before"
outputs "$after" "$work/after"
status=0
for f in "$work/before"/*; do
  n=$(basename "$f")
  a=$(md5sum <"$f" | cut -c1-12) b=$(md5sum <"$work/after/$n" | cut -c1-12)
  printf '%-32s %s %s %s\n' "$n" "$a" "$b" "$([ "$a" = "$b" ] && echo same || echo DIFFERS)"
  [ "$a" = "$b" ] || status=1
done
exit $status
