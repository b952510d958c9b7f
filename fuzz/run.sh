#!/usr/bin/env bash
# Run one fuzz target for a while: fuzz/run.sh TARGET SECONDS
# Targets: parse, check, eval_facts, fmt_roundtrip, columnar_input. Needs a nightly toolchain and
# cargo-fuzz (`cargo install cargo-fuzz`). Seeds the corpus from the repository's rules,
# rule test cases and example facts. Findings land in fuzz/artifacts/TARGET/; turn each into
# a regression test (tests/regressions.rs) and keep the input there.
set -euo pipefail
target=${1:?usage: fuzz/run.sh TARGET SECONDS}
seconds=${2:?usage: fuzz/run.sh TARGET SECONDS}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
corpus="$here/corpus/$target"
mkdir -p "$corpus"
case "$target" in
  parse|check|fmt_roundtrip)
    find "$repo/rules" "$repo/tests/cases" "$repo/examples" -name '*.meso' -print0 |
      while IFS= read -r -d '' f; do cp "$f" "$corpus/seed-$(basename "$f")"; done ;;
  eval_facts)
    # The first byte picks the format: 0 JSON, 1 YAML, 2 TOML.
    find "$repo/examples" "$repo/tests/cases/facts" -type f \( -name '*.json' -o -name '*.yaml' -o -name '*.toml' \) -print0 |
      while IFS= read -r -d '' f; do
        case "$f" in *.json) b='\x00' ;; *.yaml) b='\x01' ;; *) b='\x02' ;; esac
        { printf "$b"; cat "$f"; } > "$corpus/seed-$(basename "$f")"
      done ;;
  columnar_input)
    # The first byte picks Parquet/Arrow, raw bytes/a generated table, the output, --keep
    # (see fuzz/src/lib.rs). Seeds: generated tables from a few byte patterns, and raw
    # Parquet/Arrow magic with junk after it.
    for s in 0 1 2 3 6 7 10 11 14 15; do
      { printf "\\x$(printf %02x "$s")"; seq -s '' "$s" 7 700; } > "$corpus/seed-gen-$s"
    done
    printf '\x00PAR1\x00\x00\x00\x00PAR1' > "$corpus/seed-par1"
    printf '\x01ARROW1\x00\x00\xff\xff\xff\xff' > "$corpus/seed-arrow1" ;;
  *) echo "unknown target $target" >&2; exit 2 ;;
esac
cd "$here"
# -max_len: rule files of the shipped set are up to ~40 KB; -timeout: a hang is a finding.
exec cargo +nightly fuzz run "$target" "$corpus" -- \
  -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
