#!/usr/bin/env bash
# Issue 20's soak: 1,000 rounds of verdicts ended by SIGKILL, on an annotation file saved through
# its journal; prints how many verdicts the screen showed saved but the disk lost (must be 0).
#   scripts/soak.sh            # 1,000 rounds (about five minutes)
#   SOAK_ROUNDS=50 scripts/soak.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SOAK_ROUNDS="${SOAK_ROUNDS:-1000}" cargo test --release --test pty soak_sigkill_rounds -- --ignored --nocapture 2>&1 | grep -E "^soak:|round [0-9]+:|test result"
