"""meso on Spark: classify a DataFrame on the executors with ``mapInArrow``.

>>> import meso, meso.spark
>>> out = meso.spark.classify(df, meso.load(), id="id")  # doctest: +SKIP

The rule set travels to the executors by value (its sources' text and parameters, a few
kilobytes), so no rule file needs to be on the workers; each Python worker loads it once.
The workers need the ``meso`` package installed (ship the wheel with the job).

Most of the time goes to Spark's own hand-off (rows to Arrow and back, in the JVM); two
session settings cut a third of it (docs/scale.md, "Partitions and batches"):
``spark.sql.execution.arrow.maxRecordsPerBatch=65536`` and
``spark.sql.execution.arrow.maxBytesPerBatch=2147483647`` (no per-row size check).
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Sequence, Tuple, Union

from . import Rules, _without_row_numbers, load_sources

__all__ = ["classify", "result_schema"]

_LOADED: Dict[str, Rules] = {}


def _rules(fingerprint: str, sources: List[Tuple[str, str]], params: Dict[str, str]) -> Rules:
    """The rule set, loaded once per Python worker."""
    rules = _LOADED.get(fingerprint)
    if rules is None or rules.params != params:
        rules = load_sources(sources, params)
        _LOADED[fingerprint] = rules
    return rules


def result_schema(df: Any, rules: Rules, id: Sequence[str] = ()) -> Any:
    """The Spark schema of :func:`classify`'s result."""
    from pyspark.sql.types import (
        ArrayType,
        DoubleType,
        StringType,
        StructField,
        StructType,
    )

    fields = [df.schema[c] for c in id]
    for name in ("classification", "verdict", "provisional"):
        fields.append(StructField(name, StringType(), True))
    for t in rules.types:
        fields.append(StructField(f"{t}_status", StringType(), True))
        fields.append(StructField(f"{t}_score", DoubleType(), True))
    for name in (
        "recommended",
        "avoided",
        "unknown_facts",
        "provisional_recommended",
        "provisional_avoided",
    ):
        fields.append(StructField(name, ArrayType(StringType(), True), False))
    problem = StructType(
        [
            StructField("code", StringType(), True),
            StructField("message", StringType(), False),
            StructField("help", StringType(), True),
        ]
    )
    fields.append(StructField("problems", ArrayType(problem, True), False))
    return StructType(fields)


def classify(df: Any, rules: Rules, id: Union[str, Sequence[str], None] = None) -> Any:
    """Classify every row of Spark DataFrame ``df``: a DataFrame with one row per input row
    and the columns of :meth:`meso.Rules.evaluate_arrow` (``id`` names the columns carried
    through; every other column must be a fact)."""
    ids = [id] if isinstance(id, str) else list(id or [])
    schema = result_schema(df, rules, ids)
    fingerprint, sources, params = rules.fingerprint, rules.sources, rules.params

    def run(batches: Iterator[Any]) -> Iterator[Any]:
        local = _rules(fingerprint, sources, params)
        for batch in batches:
            # Plain strings: Spark's Arrow reader takes no dictionaries.
            out = local.evaluate_arrow(batch, id=ids, threads=1, dictionary=False)
            out = _without_row_numbers(out)
            for b in out.to_batches():
                yield b

    return df.mapInArrow(run, schema)
