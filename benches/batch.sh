#!/usr/bin/env bash
# End-to-end `meso batch` on the reference workload (benches/workload/README.md):
# generate N records (default 1,000,000) as CSV and JSONL with the fixed seed, run
# `meso batch` over each with --threads 1 and with all threads, and report wall time and
# peak RSS (GNU time's "Maximum resident set size"). The parse-only floor to compare the
# per-record figures with is measured by `cargo bench --bench eval`.
#
# Usage: benches/batch.sh [N]      (CARGO_TARGET_DIR is honoured; builds in release mode)
set -euo pipefail

N="${1:-1000000}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
RULES="$ROOT/benches/workload/typology.meso"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cd "$ROOT"
cargo build --release --quiet --bin meso --example gen_workload
MESO="$TARGET/release/meso"
GEN="$TARGET/release/examples/gen_workload"

if ! "$MESO" batch --help >/dev/null 2>&1; then
    echo "benches/batch.sh: \`meso batch\` does not exist yet in this build; nothing to measure"
    exit 0
fi
if [ ! -x /usr/bin/time ]; then
    echo "benches/batch.sh: GNU time (/usr/bin/time) is needed for peak RSS: apt-get install -y time" >&2
    exit 2
fi

"$GEN" "$N" --format csv --out "$WORK/data.csv"
"$GEN" "$N" --format jsonl --out "$WORK/data.jsonl"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "records: $N  csv: $(du -h "$WORK/data.csv" | cut -f1)  jsonl: $(du -h "$WORK/data.jsonl" | cut -f1)"

# The data carries `employment`, which the typology does not read: allow it if the
# command has the switch.
EXTRA=()
if "$MESO" batch --help 2>&1 | grep -q -- '--allow-unknown-facts'; then
    EXTRA+=(--allow-unknown-facts)
fi

run() {
    local format="$1" threads="$2"
    local log="$WORK/time.log"
    /usr/bin/time -v "$MESO" batch "$WORK/data.$format" -r "$RULES" --out "$WORK/out.$format.csv" \
        --threads "$threads" "${EXTRA[@]}" 2>"$log" >/dev/null || true
    local wall rss
    wall=$(grep "Elapsed (wall clock)" "$log" | awk '{print $NF}')
    rss=$(grep "Maximum resident set size" "$log" | awk '{print $NF}')
    printf '%-6s threads=%-3s wall=%-10s peak_rss=%s kB  (%s ns/record)\n' "$format" "$threads" \
        "$wall" "$rss" "$(awk -v w="$wall" -v n="$N" 'BEGIN {
            k = split(w, p, ":"); s = 0; for (i = 1; i <= k; i++) s = s * 60 + p[i];
            printf "%.0f", s * 1e9 / n }')"
    if grep -q "Exit status: [^0]" "$log"; then
        grep -v "^\s" "$log" | tail -5
    fi
}

for format in jsonl csv; do
    run "$format" 1
    run "$format" "$(nproc)"
done
