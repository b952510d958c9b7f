#!/usr/bin/env python3
"""Where Spark's time goes: `meso.spark.classify` on a local PySpark session, split into
stages, next to `meso batch` on the same rows (issue 15: "Spark local mode on 2 cores:
within 3x of `meso batch`").

    cargo build --release --bin meso --example gen_columnar
    pip install ./bindings/python pyspark pyarrow          # release build of meso
    python3 benches/spark.py 4000000 --repeat 3

The rows are the reference workload's (benches/workload/README.md: `gen_columnar`, seed 42)
without `employment`, which no rule reads: `id` and the 16 facts, written once as Parquet
(row groups of 65,536 rows) and as CSV into a temporary directory. Stages, each one the
whole DataFrame written to Spark's `noop` sink (every row computed, nothing kept):

- scan: the input alone (the cached DataFrame; the Parquet file with `--from-parquet`);
- identity: `mapInArrow` with a function that returns its input (the JVM -> Python -> JVM
  hand-off with no meso in it);
- wide identity: `mapInArrow` returning, for each input batch, a batch as wide as
  classify's result (the first batch's verdicts, sliced to the batch's length, with the
  batch's own ids): the hand-off back of classify's result, without meso's work;
- classify: `meso.spark.classify(df, rules, id="id")`;

and the baselines `meso batch` Parquet -> Parquet and CSV -> CSV, 2 threads, on the same
rows. Every stage runs once untimed first (JIT warm-up, Python workers started), then
`--repeat` times; the table gives the best wall time and the best CPU time of the whole
process tree (this process, the JVM, the Python workers it forks; from /proc: utime + stime
of every live process in the tree plus what it reaped), split into JVM and Python workers,
and the load average (1 minute) when the stage started: the machine may be shared.
Prints a Markdown table (docs/performance.md).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Tuple

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "benches" / "workload" / "typology.meso"
TICK = os.sysconf("SC_CLK_TCK")


# --- CPU time of a process tree, from /proc -------------------------------------------------


def _procs() -> Dict[int, Tuple[int, str, float]]:
    """pid -> (ppid, comm, utime + stime + cutime + cstime in seconds) of every process."""
    out = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # comm is in parentheses and may hold spaces: split after the last ')'.
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        # fields[0] is state (field 3): utime..cstime are fields 14..17.
        cpu = sum(int(x) for x in fields[11:15]) / TICK
        out[int(entry)] = (int(fields[1]), comm, cpu)
    return out


def tree_cpu(root: int) -> Dict[str, float]:
    """CPU seconds so far of `root` and its descendants, by kind: `driver` (this Python
    process), `jvm` (java), `python` (the Python workers and their daemon), `other`."""
    procs = _procs()
    children: Dict[int, List[int]] = {}
    for pid, (ppid, _, _) in procs.items():
        children.setdefault(ppid, []).append(pid)
    got = {"driver": 0.0, "jvm": 0.0, "python": 0.0, "other": 0.0}
    stack = [(root, "driver")]
    while stack:
        pid, kind = stack.pop()
        if pid not in procs:
            continue
        got[kind] += procs[pid][2]
        for child in children.get(pid, []):
            # The JVM's descendants are the Python workers (pyspark.daemon and its forks).
            child_kind = ("python" if kind in ("jvm", "python")
                          else "jvm" if procs[child][1] == "java" else "other")
            stack.append((child, child_kind))
    return got


def loadavg() -> str:
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


class Result:
    def __init__(self, what: str) -> None:
        self.what = what
        self.walls: List[float] = []
        self.cpus: List[Dict[str, float]] = []
        self.loads: List[str] = []

    @property
    def wall(self) -> float:
        return min(self.walls)

    @property
    def cpu(self) -> Dict[str, float]:
        return min(self.cpus, key=lambda c: sum(c.values()))


def measure(what: str, f: Callable[[], None], repeat: int, cpu: Callable[[], Dict[str, float]],
            warm: bool = True) -> Result:
    if warm:
        f()
    r = Result(what)
    for _ in range(repeat):
        r.loads.append(loadavg())
        c0 = cpu()
        t0 = time.perf_counter()
        f()
        r.walls.append(time.perf_counter() - t0)
        c1 = cpu()
        r.cpus.append({k: c1[k] - c0[k] for k in c0})
    print(f"  {what}: walls {', '.join(f'{w:.2f}' for w in r.walls)} s, "
          f"load {', '.join(r.loads)}", file=sys.stderr)
    return r


# --- the rows ---------------------------------------------------------------------------------


def make_rows(n: int, work: Path, target: Path) -> Tuple[Path, Path]:
    """rows.parquet and rows.csv in `work`: gen_columnar's N records without `employment`."""
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    gen = target / "release" / "examples" / "gen_columnar"
    if not gen.exists():
        raise SystemExit(f"no {gen}: cargo build --release --example gen_columnar")
    raw = work / "gen.parquet"
    subprocess.run([str(gen), str(n), "--format", "parquet", "--out", str(raw)], check=True)
    table = pq.read_table(raw).drop_columns(["employment"])
    raw.unlink()
    parquet = work / "rows.parquet"
    pq.write_table(table, parquet, row_group_size=65_536)
    plain = pa.schema([
        pa.field(f.name, f.type.value_type, f.nullable) if pa.types.is_dictionary(f.type) else f
        for f in table.schema
    ])
    csv = work / "rows.csv"
    pcsv.write_csv(table.cast(plain), csv)
    return parquet, csv


def batch_results(meso_bin: Path, parquet: Path, csv: Path, work: Path, repeat: int
                  ) -> List[Result]:
    """`meso batch`, 2 threads, Parquet -> Parquet and CSV -> CSV; CPU from getrusage."""

    def children() -> Dict[str, float]:
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        return {"driver": 0.0, "jvm": 0.0, "python": 0.0, "other": ru.ru_utime + ru.ru_stime}

    out = []
    for what, src, dst in [
        ("`meso batch` Parquet → Parquet, 2 threads", parquet, work / "out.parquet"),
        ("`meso batch` CSV → CSV, 2 threads", csv, work / "out.csv"),
    ]:
        cmd = [str(meso_bin), "batch", str(src), "-r", str(RULES), "--out", str(dst),
               "--threads", "2"]
        out.append(measure(what, lambda: subprocess.run(cmd, check=True), repeat, children))
    return out


# --- Spark --------------------------------------------------------------------------------


def wide_identity(template_rules, ids: List[str]):
    """A mapInArrow function that returns, for each batch, a batch as wide as classify's
    result without evaluating it: the verdicts of the first batch (evaluated once per
    worker), sliced to the batch's length, with the batch's own ids."""
    fingerprint, sources, params = (template_rules.fingerprint, template_rules.sources,
                                    template_rules.params)

    def run(batches: Iterator):
        import pyarrow as pa

        from meso.spark import _rules

        template = None
        for batch in batches:
            if template is None or template.num_rows < batch.num_rows:
                local = _rules(fingerprint, sources, params)
                table = local.evaluate_arrow(batch, id=ids, threads=1, dictionary=False)
                template = table.combine_chunks().to_batches()[0]
            part = template.slice(0, batch.num_rows)
            arrays = [batch.column(i) for i in range(len(ids))] + part.columns[len(ids):]
            yield pa.RecordBatch.from_arrays(arrays, schema=template.schema)

    return run


def spark_results(args, parquet: Path, rules) -> List[Result]:
    from pyspark.sql import SparkSession

    import meso.spark

    builder = (
        SparkSession.builder.master(f"local[{args.cores}]").appName("meso-spark-bench")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", args.driver_memory)
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", str(args.batch))
        .config("spark.sql.shuffle.partitions", str(args.partitions))
        # The Parquet file splits into about `partitions` parts (row groups of 65,536 rows).
        .config("spark.sql.files.maxPartitionBytes",
                str(max(1 << 20, parquet.stat().st_size // args.partitions + 1)))
        .config("spark.sql.files.openCostInBytes", "0")
    )
    for kv in args.conf:
        k, _, v = kv.partition("=")
        builder = builder.config(k, v)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    me = os.getpid()

    def cpu() -> Dict[str, float]:
        return tree_cpu(me)

    source = spark.read.parquet(str(parquet))
    if args.from_parquet:
        df = source
        scan_what = f"Spark local[{args.cores}]: the Parquet file alone to the noop sink"
    else:
        df = source.repartition(args.partitions).cache()
        df.count()
        scan_what = f"Spark local[{args.cores}]: the cached DataFrame alone to the noop sink"
    print(f"Spark {spark.version}: {df.rdd.getNumPartitions()} partitions, "
          f"maxRecordsPerBatch {args.batch}, conf {args.conf}", file=sys.stderr)

    def noop(frame) -> Callable[[], None]:
        return lambda: frame.write.format("noop").mode("overwrite").save()

    stages = {
        "scan": (scan_what, lambda: noop(df)),
        "identity": (f"Spark local[{args.cores}]: `mapInArrow` returning its input",
                     lambda: noop(df.mapInArrow(lambda batches: batches, df.schema))),
        "wide": (f"Spark local[{args.cores}]: `mapInArrow` returning a batch as wide as "
                 "classify's result", lambda: noop(df.mapInArrow(
                     wide_identity(rules, ["id"]),
                     meso.spark.result_schema(df, rules, ["id"])))),
        "classify": (f"Spark local[{args.cores}]: `meso.spark.classify`",
                     lambda: noop(meso.spark.classify(df, rules, id="id"))),
    }
    out = []
    for name in args.stages.split(","):
        what, plan = stages[name]
        out.append(measure(what, plan(), args.repeat, cpu))
    spark.stop()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", nargs="?", type=int, default=4_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cores", type=int, default=2, help="local[CORES] (default 2)")
    ap.add_argument("--partitions", type=int, default=2)
    ap.add_argument("--batch", type=int, default=65_536,
                    help="spark.sql.execution.arrow.maxRecordsPerBatch (default 65,536)")
    ap.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE",
                    help="any other Spark setting (repeatable)")
    ap.add_argument("--from-parquet", action="store_true",
                    help="read the Parquet file in every stage instead of a cached DataFrame")
    ap.add_argument("--stages", default="scan,identity,wide,classify")
    ap.add_argument("--no-batch", action="store_true", help="leave out `meso batch`")
    ap.add_argument("--driver-memory", default="4g")
    args = ap.parse_args()

    import pyarrow as pa

    import meso

    target = Path(os.environ.get("CARGO_TARGET_DIR", str(ROOT / "target")))
    meso_bin = Path(os.environ.get("MESO_BIN", str(target / "release" / "meso")))
    rules = meso.load(RULES)
    n = args.n
    with tempfile.TemporaryDirectory(prefix="meso-spark-") as tmp:
        work = Path(tmp)
        print(f"generating {n:,} records (gen_columnar, seed 42) ...", file=sys.stderr)
        parquet, csv = make_rows(n, work, target)
        rows: List[Result] = []
        if not args.no_batch:
            if not meso_bin.exists():
                raise SystemExit(f"no {meso_bin}: cargo build --release --bin meso")
            rows.extend(batch_results(meso_bin, parquet, csv, work, args.repeat))
        rows.extend(spark_results(args, parquet, rules))

    base = rows[0].wall if not args.no_batch else None
    print(f"\n{n:,} records; meso {meso.__version__}, pyarrow {pa.__version__}, "
          f"{os.cpu_count()} cores; local[{args.cores}], {args.partitions} partitions, "
          f"maxRecordsPerBatch {args.batch:,}{', from Parquet' if args.from_parquet else ''}"
          f"{', ' + ', '.join(args.conf) if args.conf else ''}; best of {args.repeat} "
          f"after one warm-up run\n")
    print("| route | wall ns/record | records/s | CPU ns/record (JVM + Python workers) "
          "| load | vs `meso batch` Parquet |")
    print("|---|---:|---:|---:|---|---:|")
    for r in rows:
        c = r.cpu
        total = sum(c.values())
        split = (f" ({c['jvm'] / n * 1e9:,.0f} + {c['python'] / n * 1e9:,.0f})"
                 if c["jvm"] or c["python"] else "")
        ratio = f"{r.wall / base:.1f}x" if base else ""
        print(f"| {r.what} | {r.wall / n * 1e9:,.0f} | {n / r.wall:,.0f} | "
              f"{total / n * 1e9:,.0f}{split} | {'–'.join(sorted(set(r.loads)))} | {ratio} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
