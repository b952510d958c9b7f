"""meso.spark.classify: a Spark DataFrame classified on the executors with mapInArrow.

Marked `spark` (a JVM starts): `pytest -m spark`, or `-m "not spark"` to leave it out."""

from __future__ import annotations

import pytest

import meso
import meso.spark

pytestmark = pytest.mark.spark
pyspark = pytest.importorskip("pyspark")


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("meso-test")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    yield session
    session.stop()


def test_classify_a_dataframe(spark, rules):
    rows = [
        ("a", 1500, 0.97, "low", "local"),
        ("b", 3, 0.5, "hgih", "local"),
        ("c", 6800, 0.98, "low", None),
    ] * 5
    df = spark.createDataFrame(
        rows, "id string, firms long, share_micro_small double, trust string, main_market string"
    ).repartition(3)
    out = meso.spark.classify(df, rules, id="id")
    assert out.columns[:2] == ["id", "classification"]
    got = {r["id"]: r for r in out.collect()}
    assert out.count() == len(rows)
    want = rules.evaluate(
        {"firms": 1500, "share_micro_small": 0.97, "trust": "low", "main_market": "local"}
    )
    assert got["a"]["classification"] == want.classification
    assert list(got["a"]["recommended"]) == [p.name for p in want.recommended]
    assert list(got["a"]["avoided"]) == [p.name for p in want.avoid]
    assert got["a"]["verdict"] in ("firm", "provisional", "undetermined", "none")
    assert got["b"]["problems"][0]["code"] == "meso::facts::unknown_level"


def test_rules_travel_by_value(spark, tmp_path):
    # Rules loaded from a directory that the executors never read: only its text travels.
    (tmp_path / "t.meso").write_text(
        'fact firms: count { description "Firms" }\n'
        'param many = 100 { description "Many" cite "x" }\n'
        'type big { label "Big" cite "x" required { many: firms >= many } }\n'
    )
    rules = meso.load(tmp_path, params={"many": 10})
    df = spark.createDataFrame([(5,), (50,)], "firms long")
    (tmp_path / "t.meso").unlink()
    got = [r["classification"] for r in meso.spark.classify(df, rules).collect()]
    assert sorted(got, key=str) == sorted([None, "big"], key=str)


def test_the_recommended_session_settings_keep_every_row(spark, rules):
    # docs/scale.md's settings: no per-row byte check (maxBytesPerBatch at Int.MaxValue);
    # tiny batches here so that each partition crosses over to Python in several of them.
    import pyarrow as pa

    levels = ["low", "medium", "high", "hgih"]
    rows = [
        (f"r{i:03d}", 40 + i * 37 % 900, (i * 13 % 100) / 100, levels[i % 4],
         ["local", "domestic", None][i % 3])
        for i in range(60)
    ]
    schema = "id string, firms long, share_micro_small double, trust string, main_market string"
    settings = {
        "spark.sql.execution.arrow.maxRecordsPerBatch": "7",
        "spark.sql.execution.arrow.maxBytesPerBatch": "2147483647",
    }
    before = {k: spark.conf.get(k, None) for k in settings}
    for k, v in settings.items():
        spark.conf.set(k, v)
    try:
        out = meso.spark.classify(spark.createDataFrame(rows, schema).repartition(3), rules,
                                  id="id").collect()
    finally:
        for k, v in before.items():
            spark.conf.unset(k) if v is None else spark.conf.set(k, v)
    table = pa.table({name: list(col) for name, col in zip(
        ["id", "firms", "share_micro_small", "trust", "main_market"], zip(*rows))})
    want = rules.evaluate_arrow(table, id="id").to_pylist()
    got = {r["id"]: r.asDict(recursive=True) for r in out}
    assert len(out) == len(rows) and sorted(got) == [w["id"] for w in want]
    for w in want:
        g = got[w["id"]]
        assert g["classification"] == w["classification"]
        assert g["recommended"] == w["recommended"] and g["avoided"] == w["avoided"]
        assert g["verdict"] == w["verdict"] and g["provisional"] == w["provisional"]
        # Spark hands rows over a batch at a time: the messages carry no row number
        # (which would count within a batch), the rest is evaluate_arrow's.
        assert [(p["code"], "row ?: " + p["message"], p["help"]) for p in g["problems"]] == [
            (p["code"], "row ?: " + p["message"].split(": ", 1)[1], p["help"])
            for p in w["problems"]
        ]
        assert all(not p["message"].startswith("row ") for p in g["problems"])
        for t in rules.types:
            assert (g[f"{t}_status"], g[f"{t}_score"]) == (w[f"{t}_status"], w[f"{t}_score"])
