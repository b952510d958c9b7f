#!/usr/bin/env bash
# End-to-end `meso batch` on the reference workload (benches/workload/README.md), with the
# parse-only floor in the same run: generate N records (default 1,000,000) as JSONL and CSV
# with the fixed seed; for each format run `examples/parse_floor.rs` (serde_json / csv crate
# into the typed record, nothing else), the same reading with the hand-written rules and an
# output row per record (`--handwritten`), `meso batch --threads 1` and `meso batch` on all
# threads; report CPU time (user + sys, the primary figure on a shared machine), wall time,
# ns/record and peak RSS (GNU time), and the ratios batch / floor and all cores / one thread.
#
# Usage: benches/batch.sh [N]          (CARGO_TARGET_DIR is honoured; builds in release mode)
#        MEM_MB=1024 benches/batch.sh 0   memory check only: a JSONL file of about MEM_MB
#                                         megabytes, `meso batch --threads 1` and all threads,
#                                         peak RSS (target under 100 MB)
set -euo pipefail

N="${1:-1000000}"
MEM_MB="${MEM_MB:-0}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
RULES="$ROOT/benches/workload/typology.meso"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/meso-batch.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

cd "$ROOT"
cargo build --release --quiet --bin meso --example gen_workload --example parse_floor
MESO="$TARGET/release/meso"
GEN="$TARGET/release/examples/gen_workload"
FLOOR="$TARGET/release/examples/parse_floor"

if [ ! -x /usr/bin/time ]; then
    echo "benches/batch.sh: GNU time (/usr/bin/time) is needed: apt-get install -y time" >&2
    exit 2
fi

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
    "load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "meso: $("$MESO" --version 2>/dev/null || echo unknown)"

# The data carries `employment`, which the typology does not declare (no rule reads it).
ALLOW=(--allow-unknown-facts)

# measure LABEL N COMMAND...: run COMMAND under GNU time; print one line; remember CPU seconds.
measure() {
    local label="$1" n="$2"
    shift 2
    local log="$WORK/time.log"
    if ! /usr/bin/time -v "$@" >/dev/null 2>"$log"; then
        echo "$label: failed" >&2
        grep -v "^\s" "$log" | tail -5 >&2 || true
        grep "Exit status" "$log" >&2 || true
    fi
    local user sys wall rss
    user=$(awk -F': ' '/User time \(seconds\)/ {print $2}' "$log")
    sys=$(awk -F': ' '/System time \(seconds\)/ {print $2}' "$log")
    wall=$(awk '/Elapsed \(wall clock\)/ {print $NF}' "$log")
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
    wall=$(awk -v w="$wall" 'BEGIN { k = split(w, p, ":"); s = 0;
        for (i = 1; i <= k; i++) s = s * 60 + p[i]; printf "%.2f", s }')
    CPU=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
    WALL="$wall"
    awk -v l="$label" -v c="$CPU" -v w="$wall" -v r="$rss" -v n="$n" 'BEGIN {
        printf "%-28s cpu %7.2f s (%5.0f ns/rec)  wall %7.2f s (%5.0f ns/rec)  peak_rss %7.1f MB\n",
            l, c, c * 1e9 / n, w, w * 1e9 / n, r / 1024 }'
}

ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'
}

if [ "$N" -gt 0 ]; then
    "$GEN" "$N" --format jsonl --out "$WORK/data.jsonl"
    "$GEN" "$N" --format csv --out "$WORK/data.csv"
    echo "records: $N  jsonl: $(du -h "$WORK/data.jsonl" | cut -f1)  csv: $(du -h "$WORK/data.csv" | cut -f1)"
    for format in jsonl csv; do
        data="$WORK/data.$format"
        measure "$format parse floor" "$N" "$FLOOR" "$data"
        floor_cpu="$CPU" floor_wall="$WALL"
        measure "$format hand-written rules" "$N" "$FLOOR" "$data" --handwritten "$WORK/hand.csv"
        hand_cpu="$CPU"
        measure "$format meso batch --threads 1" "$N" \
            "$MESO" batch "$data" -r "$RULES" --out "$WORK/out.csv" --threads 1 "${ALLOW[@]}"
        one_cpu="$CPU" one_wall="$WALL"
        measure "$format meso batch (all)" "$N" \
            "$MESO" batch "$data" -r "$RULES" --out "$WORK/out.csv" "${ALLOW[@]}"
        all_wall="$WALL"
        echo "  $format: batch --threads 1 / parse floor = $(ratio "$one_cpu" "$floor_cpu") (cpu)," \
            "$(ratio "$one_wall" "$floor_wall") (wall);" \
            "/ hand-written rules = $(ratio "$one_cpu" "$hand_cpu") (cpu);" \
            "all cores speed-up (wall, threads 1 / all) = $(ratio "$one_wall" "$all_wall")"
    done
fi

if [ "$MEM_MB" -gt 0 ]; then
    # About 374 bytes per JSONL record of the workload.
    big=$((MEM_MB * 1024 * 1024 / 374))
    "$GEN" "$big" --format jsonl --out "$WORK/big.jsonl"
    lines=$(wc -l <"$WORK/big.jsonl")
    echo "memory check: $lines records, $(du -h "$WORK/big.jsonl" | cut -f1) of JSONL"
    measure "jsonl ${MEM_MB} MB --threads 1" "$lines" \
        "$MESO" batch "$WORK/big.jsonl" -r "$RULES" --out "$WORK/out.csv" --threads 1 "${ALLOW[@]}"
    measure "jsonl ${MEM_MB} MB (all)" "$lines" \
        "$MESO" batch "$WORK/big.jsonl" -r "$RULES" --out "$WORK/out.csv" "${ALLOW[@]}"
fi
