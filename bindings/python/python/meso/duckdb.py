"""meso in DuckDB: a scalar SQL function that classifies a table's rows.

>>> import duckdb, meso, meso.duckdb
>>> con = duckdb.connect()
>>> meso.duckdb.register(con, meso.load(), "classify")
>>> con.sql("select id, classify(t).classification from clusters t")  # doctest: +SKIP

The function takes a row as a STRUCT (``classify(t)`` for the whole row of ``t``, or
``classify({'firms': firms, 'trust': trust})``) and returns a STRUCT of the columns of
:meth:`meso.Rules.evaluate_arrow` (those of ``meso batch``): ``classification``, ``verdict``,
``provisional``, ``<type>_status`` and ``<type>_score`` for each type, ``recommended``,
``avoided``, ``unknown_facts``, ``provisional_recommended``, ``provisional_avoided`` and
``problems``. It runs as an Arrow
function: DuckDB hands it whole vectors of rows, never one row at a time.
"""

from __future__ import annotations

from typing import Any

from . import Rules, _without_row_numbers

__all__ = ["register", "return_type"]


def return_type(rules: Rules) -> str:
    """The SQL type the function returns, for this rule set."""
    parts = ["classification VARCHAR", "verdict VARCHAR", "provisional VARCHAR"]
    for t in rules.types:
        parts.append(f'"{t}_status" VARCHAR')
        parts.append(f'"{t}_score" DOUBLE')
    for lists in ("recommended", "avoided", "unknown_facts"):
        parts.append(f"{lists} VARCHAR[]")
    parts.append("provisional_recommended VARCHAR[]")
    parts.append("provisional_avoided VARCHAR[]")
    parts.append("problems STRUCT(code VARCHAR, message VARCHAR, help VARCHAR)[]")
    return "STRUCT(" + ", ".join(parts) + ")"


def register(con: Any, rules: Rules, name: str = "meso_classify", *, strict: bool = False) -> None:
    """Register ``name(row)`` on DuckDB connection ``con``. Fields of the row that are not
    facts of the rule set (an id, a region name) are ignored, unless ``strict`` is true:
    then they are a :class:`meso.FactsError`, as a mistyped fact name would be."""
    import pyarrow as pa

    facts = set(rules.facts_schema().get("properties", {}))

    def classify(rows: Any) -> Any:
        if isinstance(rows, pa.ChunkedArray):
            rows = rows.combine_chunks()
        if not pa.types.is_struct(rows.type):
            raise TypeError(
                f"{name}() takes a row as a STRUCT: write {name}(t) for the rows of table t, "
                f"or {name}({{'firms': firms, ...}})"
            )
        batch = pa.RecordBatch.from_struct_array(rows)
        if not strict:
            keep = [c for c in batch.schema.names if c in facts]
            batch = batch.select(keep)
        # The names as plain strings: the function returns VARCHARs.
        out = rules.evaluate_arrow(batch, threads=1, dictionary=False)
        out = _without_row_numbers(out)
        return pa.StructArray.from_arrays(
            [c.combine_chunks() for c in out.columns], fields=list(out.schema)
        )

    con.create_function(name, classify, None, return_type(rules), type="arrow")
