#!/usr/bin/env bash
# `meso batch` Parquet -> Parquet next to JSONL -> JSONL on the reference workload
# (benches/workload/README.md), in one run: generate N records (default 1,000,000) with the
# fixed seed as JSONL (`gen_workload`), Parquet and Arrow IPC (`gen_columnar`: typed columns,
# levels as dictionaries, zstd); run `meso batch --threads 1` for JSONL -> JSONL,
# Parquet -> Parquet, Arrow -> Arrow and Parquet -> CSV; report CPU time (user + sys, the
# primary figure on a shared machine), wall time, ns/record and peak RSS (GNU time), and the
# ratio JSONL -> JSONL / Parquet -> Parquet per record (the target is at least 2).
# Each command is run REPEAT times (default 3) and the fastest CPU time is kept.
#
# Usage: benches/columnar.sh [N]        (CARGO_TARGET_DIR is honoured; builds in release mode)
set -euo pipefail

N="${1:-1000000}"
REPEAT="${REPEAT:-3}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
RULES="$ROOT/benches/workload/typology.meso"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/meso-columnar.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

cd "$ROOT"
cargo build --release --quiet --bin meso --example gen_workload --example gen_columnar
MESO="$TARGET/release/meso"

if [ ! -x /usr/bin/time ]; then
    echo "benches/columnar.sh: GNU time (/usr/bin/time) is needed: apt-get install -y time" >&2
    exit 2
fi

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
    "load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "meso: $("$MESO" --version 2>/dev/null || echo unknown)"

# The data carries `employment`, which the typology does not declare (no rule reads it).
ALLOW=(--allow-unknown-facts)

# measure LABEL COMMAND...: the fastest of REPEAT runs under GNU time; one line; CPU in $CPU.
measure() {
    local label="$1"
    shift
    local log="$WORK/time.log" best_cpu="" best_line=""
    for _ in $(seq "$REPEAT"); do
        if ! /usr/bin/time -v "$@" >/dev/null 2>"$log"; then
            echo "$label: failed" >&2
            grep -v "^\s" "$log" | tail -5 >&2 || true
            exit 1
        fi
        local user sys wall rss cpu
        user=$(awk -F': ' '/User time \(seconds\)/ {print $2}' "$log")
        sys=$(awk -F': ' '/System time \(seconds\)/ {print $2}' "$log")
        wall=$(awk '/Elapsed \(wall clock\)/ {print $NF}' "$log")
        rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
        wall=$(awk -v w="$wall" 'BEGIN { k = split(w, p, ":"); s = 0;
            for (i = 1; i <= k; i++) s = s * 60 + p[i]; printf "%.2f", s }')
        cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
        if [ -z "$best_cpu" ] || awk -v a="$cpu" -v b="$best_cpu" 'BEGIN { exit !(a < b) }'; then
            best_cpu="$cpu"
            best_line=$(awk -v l="$label" -v c="$cpu" -v w="$wall" -v r="$rss" -v n="$N" 'BEGIN {
                printf "%-34s cpu %7.2f s (%5.0f ns/rec)  wall %7.2f s (%5.0f ns/rec)  peak_rss %7.1f MB\n",
                    l, c, c * 1e9 / n, w, w * 1e9 / n, r / 1024 }')
        fi
    done
    echo "$best_line"
    CPU="$best_cpu"
}

"$TARGET/release/examples/gen_workload" "$N" --format jsonl --out "$WORK/data.jsonl"
"$TARGET/release/examples/gen_columnar" "$N" --format parquet --out "$WORK/data.parquet"
"$TARGET/release/examples/gen_columnar" "$N" --format arrow --out "$WORK/data.arrow"
echo "records: $N  jsonl: $(du -h "$WORK/data.jsonl" | cut -f1)" \
    " parquet: $(du -h "$WORK/data.parquet" | cut -f1)  arrow: $(du -h "$WORK/data.arrow" | cut -f1)"

ONE=(-r "$RULES" --threads 1 "${ALLOW[@]}")
measure "jsonl -> jsonl --threads 1" "$MESO" batch "$WORK/data.jsonl" --out "$WORK/out.jsonl" "${ONE[@]}"
jsonl_cpu="$CPU"
measure "parquet -> parquet --threads 1" "$MESO" batch "$WORK/data.parquet" --out "$WORK/out.parquet" "${ONE[@]}"
parquet_cpu="$CPU"
measure "arrow -> arrow --threads 1" "$MESO" batch "$WORK/data.arrow" --out "$WORK/out.arrow" "${ONE[@]}"
arrow_cpu="$CPU"
measure "parquet -> csv --threads 1" "$MESO" batch "$WORK/data.parquet" --out "$WORK/out.csv" "${ONE[@]}"
measure "jsonl -> csv --threads 1" "$MESO" batch "$WORK/data.jsonl" --out "$WORK/out.csv" "${ONE[@]}"
measure "parquet -> parquet (all threads)" \
    "$MESO" batch "$WORK/data.parquet" -r "$RULES" --out "$WORK/out.parquet" "${ALLOW[@]}"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
echo "  jsonl -> jsonl / parquet -> parquet (cpu per record, threads 1) = $(ratio "$jsonl_cpu" "$parquet_cpu") (target >= 2)"
echo "  jsonl -> jsonl / arrow -> arrow     (cpu per record, threads 1) = $(ratio "$jsonl_cpu" "$arrow_cpu")"
