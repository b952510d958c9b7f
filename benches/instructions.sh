#!/usr/bin/env bash
# Exact instructions per record of each evaluation path on the reference workload
# (benches/workload/), counted by callgrind: the same on a busy or a quiet machine, so two
# builds can be compared run against run (docs/performance.md). For each path, the
# difference between R passes and one pass over N records, divided by (R - 1) x N, so that
# loading the typology and generating the records cancel out.
#
# Usage: benches/instructions.sh [N] [R]     (default 10000 records, 3 passes; builds the
#        example in release mode; CARGO_TARGET_DIR is honoured)
set -euo pipefail
N="${1:-10000}"
R="${2:-3}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
cd "$ROOT"
command -v valgrind >/dev/null || { echo "benches/instructions.sh: needs valgrind" >&2; exit 2; }
cargo build --release --quiet --example eval_workload
BIN="$TARGET/release/examples/eval_workload"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/meso-ir.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
count() { # engine passes -> total instructions
    valgrind --tool=callgrind --callgrind-out-file="$WORK/out" "$BIN" "$1" "$N" "$2" \
        >/dev/null 2>"$WORK/err"
    grep -m1 '^summary:' "$WORK/out" | awk '{print $2}'
}
printf '%-12s %s\n' path instructions/record
for engine in meso summary block handwritten; do
    one=$(count "$engine" 1)
    many=$(count "$engine" "$R")
    awk -v a="$one" -v b="$many" -v n="$N" -v r="$R" -v e="$engine" \
        'BEGIN { printf "%-12s %.0f\n", e, (b - a) / ((r - 1) * n) }'
done
