#!/usr/bin/env python3
"""The reference workload (../shared/bench/WORKLOAD.md) from Python, single thread:
meso's `rules.evaluate_arrow` (an Arrow table in, an Arrow table out) side by side with
datalogic-py's batch API (`Session.evaluate_batch`, JSONLogic) on the same records.

    pip install ./bindings/python datalogic-py pyarrow   # release build of meso
    python3 benches/python_arrow.py [N] [--repeat R]

The records come from the workload's generator (benches/workload/record.rs, SplitMix64,
seed 42), ported here line for line. Before timing anything the script checks that both
engines give the same answer on every record (types matched with their score to 4
decimals, recommended policies sorted). Times are the best of R runs, in CPU time of the
calling thread for the single-thread routes (wall time for the all-cores one); rules are
compiled once, outside the timed loops. Prints a Markdown table (docs/performance.md).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "benches" / "workload" / "typology.meso"
PEER = ROOT.parent / "shared" / "bench" / "peer-rules" / "typology.jsonlogic.json"
MASK = (1 << 64) - 1
TYPES = ("survival", "mass_producer", "tnc")


class SplitMix64:
    def __init__(self, seed: int) -> None:
        self.state = seed & MASK

    def next_u64(self) -> int:
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def unit(self) -> float:
        return (self.next_u64() >> 11) / float(1 << 53)

    def below(self, n: int) -> int:
        return self.next_u64() % max(n, 1)

    def chance(self, p: float) -> bool:
        return self.unit() < p

    def level(self) -> str:
        return ("low", "medium", "high")[min(self.below(3), 2)]


def floor_to(x: float, places: int) -> float:
    f = 10.0**places
    return math.floor(x * f) / f


def round_to(x: float, places: int) -> float:
    """Rust's f64::round (half away from zero) for the non-negative values drawn here."""
    f = 10.0**places
    y = x * f
    fl = math.floor(y)
    return (fl + (1.0 if y - fl >= 0.5 else 0.0)) / f


def generate(n: int, seed: int = 42) -> list:
    """`record.rs`'s Generator, line for line."""
    rng = SplitMix64(seed)
    out = []
    for i in range(1, n + 1):
        b = rng.below(100)
        aim = (
            "not" if b <= 22 else "survival" if b <= 45 else "mass" if b <= 68
            else "tnc" if b <= 91 else "none"
        )
        firms = 50 if rng.chance(0.03) else 50 + rng.below(5000)
        lq = 1.25 if rng.chance(0.03) else round_to(1.25 + rng.unit() * 4.0, 2)
        link = 0.1 if rng.chance(0.03) else round_to(0.1 + rng.unit() * 0.7, 3)
        sms = round_to(rng.unit(), 3)
        large = 0.0 if rng.chance(0.2) else round_to(rng.unit() * 0.3, 3)
        fos = round_to(rng.unit(), 3)
        e = rng.below(100)
        export = 0.5 if e <= 2 else 0.2 if e <= 5 else round_to(rng.unit(), 3)
        market = ("local", "domestic", "international")[min(rng.below(3), 2)]
        barriers = rng.level()
        tech = rng.level()
        coop = rng.level()
        trust = rng.level()
        informality = 0.5 if rng.chance(0.03) else round_to(rng.unit(), 3)
        rd = rng.level()
        origin = ("local_artisanal", "import_substitution", "foreign_investment",
                  "resource_based")[min(rng.below(4), 3)]
        if aim == "not":
            k = rng.below(3)
            if k == 0:
                firms = rng.below(50)
            elif k == 1:
                lq = floor_to(rng.unit() * 1.25, 2)
            else:
                link = floor_to(rng.unit() * 0.1, 3)
        elif aim == "survival":
            sms = 0.9 if rng.chance(0.05) else round_to(0.9 + rng.unit() * 0.1, 3)
            barriers = "low"
            market = "local"
            fos = round_to(rng.unit() * 0.6, 3)
        elif aim == "mass":
            market = "domestic" if rng.chance(0.5) else "international"
            fos = floor_to(rng.unit() * 0.5, 3)
            large = round_to(0.001 + rng.unit() * 0.3, 3)
        elif aim == "tnc":
            fos = 0.5 if rng.chance(0.05) else round_to(0.5 + rng.unit() * 0.5, 3)
            tech = "high"
        else:
            market = "local"
            sms = floor_to(rng.unit() * 0.9, 3)
            if tech == "high":
                tech = "medium"
        employment = firms * (3 + rng.below(60))
        out.append({
            "id": f"r{i:07d}", "firms": firms, "employment": employment,
            "share_micro_small": sms, "share_large": large, "foreign_output_share": fos,
            "export_share": export, "main_market": market, "barriers_to_entry": barriers,
            "tech_complexity": tech, "interfirm_linkage_ratio": link, "specialization_lq": lq,
            "interfirm_cooperation": coop, "trust": trust, "informality": informality,
            "local_rd": rd, "origin": origin,
        })
    return out


def best(f, repeat: int, clock=time.thread_time) -> float:
    """The best of `repeat` runs. Single-thread routes are timed in CPU time of the calling
    thread (`time.thread_time`: the machine may be shared; every route here runs on the
    calling thread, the GIL released or not); the all-cores route in wall time."""
    times = []
    for _ in range(repeat):
        t = clock()
        f()
        times.append(clock() - t)
    return min(times)


def spark_rows(table, rules, repeat: int) -> list:
    """meso.spark.classify on a local[2] session, wall time: the DataFrame cached first,
    the result written to Spark's `noop` sink (every row evaluated, nothing kept).
    benches/spark.py splits Spark's time into stages, with CPU time, on more rows."""
    from pyspark.sql import SparkSession

    import meso.spark

    spark = (
        SparkSession.builder.master("local[2]").appName("meso-bench")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "65536")
        # No per-row byte count of the batch being built (docs/scale.md; benches/spark.py).
        .config("spark.sql.execution.arrow.maxBytesPerBatch", "2147483647")
        .config("spark.driver.memory", "4g")
        .getOrCreate()
    )
    df = spark.createDataFrame(table.to_pandas()).repartition(2).cache()
    df.count()

    def run() -> None:
        meso.spark.classify(df, rules, id="id").write.format("noop").mode("overwrite").save()

    def scan() -> None:
        df.write.format("noop").mode("overwrite").save()

    def arrow_only() -> None:
        # The hand-off alone: the same mapInArrow with a function that returns its input.
        df.mapInArrow(lambda batches: batches, df.schema).write.format("noop").mode(
            "overwrite").save()

    out = [
        ("Spark local[2] `meso.spark.classify` (mapInArrow), wall time",
         best(run, repeat, time.perf_counter)),
        ("Spark local[2], `mapInArrow` returning its input (the hand-off alone), wall time",
         best(arrow_only, repeat, time.perf_counter)),
        ("Spark local[2], the cached DataFrame alone to the noop sink, wall time",
         best(scan, repeat, time.perf_counter)),
    ]
    spark.stop()
    return out


def batch_rows(table, repeat: int) -> list:
    """`meso batch` on the same rows (CSV in, CSV out, all cores), wall time: the binary
    from $MESO_BIN or target/release/meso (`cargo build --release --bin meso`)."""
    import subprocess
    import tempfile

    import pyarrow.csv as pcsv

    target = os.environ.get("CARGO_TARGET_DIR", str(ROOT / "target"))
    meso_bin = os.environ.get("MESO_BIN", str(Path(target) / "release" / "meso"))
    if not Path(meso_bin).exists():
        print(f"no {meso_bin}: `meso batch` not timed", file=sys.stderr)
        return []
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "rows.csv"
        pcsv.write_csv(table, data)

        def run(threads: int) -> None:
            subprocess.run([meso_bin, "batch", str(data), "-r", str(RULES), "--out",
                            str(Path(tmp) / "out.csv"), "--threads", str(threads)],
                           check=True)

        return [
            ("`meso batch` CSV → CSV, 2 threads, wall time",
             best(lambda: run(2), repeat, time.perf_counter)),
            ("`meso batch` CSV → CSV, 1 thread, wall time",
             best(lambda: run(1), repeat, time.perf_counter)),
        ]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", nargs="?", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--spark", action="store_true",
                    help="also time meso.spark.classify on a local[2] PySpark session and "
                         "`meso batch` on the same rows (wall time)")
    args = ap.parse_args()

    import pyarrow as pa

    import meso

    print(f"generating {args.n} records (seed 42) ...", file=sys.stderr)
    records = generate(args.n)
    rules = meso.load(RULES)
    facts = set(rules.facts_schema()["properties"])
    # `employment` is in the data but no rule reads it: the Arrow table leaves it out.
    names = ["id"] + [c for c in records[0] if c in facts]
    table = pa.table({c: [r[c] for r in records] for c in names})

    # --- meso: Arrow in, Arrow out ------------------------------------------------------
    out = rules.evaluate_arrow(table, id="id", threads=1)

    # --- datalogic-py: the batch API --------------------------------------------------------
    import datalogic_py as dl

    engine = dl.Engine(templating=True)
    rule = engine.compile(json.loads(PEER.read_text()))
    session = engine.session()
    handles = [dl.DataHandle(r) for r in records]
    peer = session.evaluate_batch(rule, handles)

    # --- the same answers on every record ---------------------------------------------------
    print("checking that both give the same answer on every record ...", file=sys.stderr)
    cols = {c: out.column(c).to_pylist() for c in out.column_names}
    mismatches = 0
    for i, p in enumerate(peer):
        if not isinstance(p, str):
            raise SystemExit(f"datalogic-py failed on record {i}: {p.message}")
        want = json.loads(p)
        types = {
            t: cols[f"{t}_score"][i] for t in TYPES if cols[f"{t}_status"][i] == "matched"
        }
        policies = sorted(cols["recommended"][i] + cols["avoided"][i])
        got = {"id": cols["id"][i], "types": types, "policies": policies}
        want["types"] = {k: round(v, 4) for k, v in want["types"].items() if v is not None}
        want["policies"] = sorted(want["policies"])
        if got != want:
            mismatches += 1
            if mismatches <= 3:
                print(f"record {i}: meso {got} != datalogic {want}", file=sys.stderr)
    if mismatches:
        raise SystemExit(f"{mismatches} records differ: nothing timed")

    # --- timing ----------------------------------------------------------------------------
    n = args.n
    rows = []

    def row(what: str, seconds: float) -> None:
        rows.append((what, seconds))

    row("meso `evaluate_arrow` (Arrow table in → Arrow table out), 1 thread",
        best(lambda: rules.evaluate_arrow(table, id="id", threads=1), args.repeat))
    row(f"meso `evaluate_arrow`, all cores ({os.cpu_count()}), wall time",
        best(lambda: rules.evaluate_arrow(table, id="id"), args.repeat, time.perf_counter))
    row("datalogic-py `Session.evaluate_batch` (pre-parsed `DataHandle`s → JSON strings), 1 thread",
        best(lambda: session.evaluate_batch(rule, handles), args.repeat))
    row("datalogic-py from dicts (`DataHandle(dict)` + `evaluate_batch`), 1 thread",
        best(lambda: session.evaluate_batch(rule, [dl.DataHandle(r) for r in records]),
             args.repeat))
    # The rule set's facts alone (with `id` or the workload's other keys, every item would
    # be an error, returned).
    facts = set(rules.facts_schema()["properties"])
    sample = [{k: v for k, v in r.items() if k in facts} for r in records[: min(n, 20_000)]]
    ids = [r["id"] for r in records[: len(sample)]]
    assert not any(isinstance(r, Exception) for r in rules.evaluate_many(sample[:100], names=ids[:100]))
    t_many = best(lambda: rules.evaluate_many(sample, names=ids, threads=1), 1) * (n / len(sample))
    row("meso `evaluate_many` (dicts → full results, JSON as the CLI), 1 thread", t_many)

    if args.spark:
        rows.extend(spark_rows(table, rules, args.repeat))
        rows.extend(batch_rows(table, args.repeat))

    base = rows[2][1]
    print(f"\n{n:,} records; Python {platform.python_version()}, meso {meso.__version__}, "
          f"datalogic-py {getattr(dl, '__version__', '5.x')}, pyarrow {pa.__version__}; "
          f"best of {args.repeat}; answers checked equal on every record\n")
    print("| route | time | ns/record | records/s | vs datalogic batch |")
    print("|---|---:|---:|---:|---:|")
    for what, s in rows:
        print(f"| {what} | {s:.3f} s | {s / n * 1e9:,.0f} | {n / s:,.0f} | {base / s:.1f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
