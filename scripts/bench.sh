#!/usr/bin/env bash
# Wall time, CPU time and peak memory of `alpr-triage scan` and `alpr-triage flag` on generated
# Network Audits. Usage: scripts/bench.sh [ROWS ...]   (default: 1000000)
# Each round runs the csv crate alone (the floor for any reader built on it, single-threaded),
# scan and flag one after the other, so that a drift in the machine's speed hits all three
# alike; prints the median over the rounds (RUNS=N, default 9), and the median of each round's
# ratio to the floor, which drifts less than the times do. Also prints the share of the CPU time
# the VM's host took back while the commands ran ("steal", from /proc/stat), which is what makes
# the times drift. Needs /usr/bin/time (GNU time).
set -euo pipefail
cd "$(dirname "$0")/.."
# Separate builds, so that no other package's features reach the binary measured.
cargo build --release --quiet --bin alpr-triage
cargo build --release --quiet -p alpr-triage-synth
cargo build --release --quiet -p alpr-triage-bench --bin csv_baseline
rows_list=("${@:-1000000}")
runs=${RUNS:-9}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for rows in "${rows_list[@]}"; do
  f="bench-data/${rows}-Network-Audit.csv"
  [ -f "$f" ] || ./target/release/generate --rows "$rows" "$f" >/dev/null
  size=$(stat -c %s "$f")
  : >"$out"
  for _ in $(seq "$runs"); do
    for cmd in csv-crate-alone scan flag; do
      steal0=$(awk '/^cpu /{print $9}' /proc/stat 2>/dev/null || echo 0)
      if [ "$cmd" = csv-crate-alone ]; then
        /usr/bin/time -o "$out.t" -f "%e %U %S %M" ./target/release/csv_baseline "$f" >/dev/null
      else
        /usr/bin/time -o "$out.t" -f "%e %U %S %M" ./target/release/alpr-triage "$cmd" "$f" >/dev/null 2>&1
      fi
      steal1=$(awk '/^cpu /{print $9}' /proc/stat 2>/dev/null || echo 0)
      echo "$cmd $(cat "$out.t") $((steal1 - steal0))" >>"$out"
    done
  done
  for cmd in csv-crate-alone scan flag; do
    grep "^$cmd " "$out" | cut -d' ' -f2- | sort -n | awk -v size="$size" -v rows="$rows" -v cmd="$cmd" '
      { wall[NR]=$1; cpu[NR]=$2+$3; rss[NR]=$4; steal+=$5; secs+=$1 }
      END {
        m=int((NR+1)/2); w=wall[m];
        maxrss=0; for (i=1;i<=NR;i++) if (rss[i]>maxrss) maxrss=rss[i];
        # Jiffies (1/100 s) stolen over the wall time of both cores.
        ncpu = '"$(nproc)"';
        printf "%-15s %9d rows %7.1f MB: median %.2f s (min %.2f s), %.0f MB/s, cpu %.2f s, peak RSS %.0f MB, host steal %.0f%%\n",
          cmd, rows, size/1e6, w, wall[1], size/1e6/w, cpu[m], maxrss/1024, 100*steal/(secs*100*ncpu) }'
  done
  # Each round's scan and flag time over that round's floor (rounds are in order in the file).
  awk '$1 == "csv-crate-alone" { floor = $2 } $1 != "csv-crate-alone" { print $1, $2 / floor }' "$out" |
    sort -k1,1 -k2,2n | awk '
      { r[$1] = r[$1] " " $2; n[$1]++ }
      END { for (c in r) { split(r[c], a, " "); m = a[int((n[c] + 1) / 2)];
            printf "%-15s median time / floor in the same round: %.2f (min %.2f, max %.2f)\n", c, m, a[1], a[n[c]] } }' | sort
done
rm -f "$out.t"
