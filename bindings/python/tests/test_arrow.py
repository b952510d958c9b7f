"""Tables through Arrow: pyarrow, pandas, Polars, DuckDB — one output row per input row,
the same verdicts as one cluster at a time, bad cells as problems of their row."""

from __future__ import annotations

import json
import random

import pyarrow as pa
import pytest
import yaml

import meso
from conftest import EXAMPLES, REPO

# Facts of the examples that are numbers, booleans or levels (not free text).
_SKIP = {"country", "sector", "location", "notes"}


def _examples():
    rows = []
    for p in EXAMPLES:
        facts = yaml.safe_load(p.read_text(encoding="utf-8"))
        rows.append({"id": p.stem, **facts})
    return rows


def _table(rules, rows):
    """A pyarrow table of the rows: one column per fact any row has, nulls elsewhere."""
    facts = set(rules.facts_schema()["properties"])
    names = ["id"] + sorted({k for r in rows for k in r if k in facts})
    return pa.table({n: [r.get(n) for r in rows] for n in names}), names


def _expected(rules, rows):
    facts = set(rules.facts_schema()["properties"])
    return [
        rules.evaluate({k: v for k, v in r.items() if k in facts}, allow_unknown=False)
        for r in rows
    ]


def open_facts(rules, want):
    """The facts whose absence left a type or policy open (what `meso batch` lists), in
    declaration order."""
    missing = {f for t in want.types.values() for f in t.unknown_facts}
    missing |= {f for p in want.undetermined_policies for f in p.unknown_facts}
    return [f for f in rules.facts_schema()["properties"] if f in missing]


def _check(out, expected, rules, ids):
    assert out.num_rows == len(expected)
    got = out.to_pylist()
    for row, want, id_ in zip(got, expected, ids):
        assert row["id"] == id_
        assert row["classification"] == want.classification
        assert row["recommended"] == [p.name for p in want.recommended]
        assert row["avoided"] == [p.name for p in want.avoid]
        assert row["unknown_facts"] == open_facts(rules, want)
        lead = want.provisional
        assert row["provisional"] == (lead.type if lead else None)
        assert row["provisional_recommended"] == ([p.name for p in lead.recommended] if lead else [])
        assert row["provisional_avoided"] == ([p.name for p in lead.avoid] if lead else [])
        assert row["verdict"] in ("firm", "provisional", "undetermined", "none")
        assert (row["verdict"] == "provisional") == (lead is not None)
        assert (row["verdict"] == "firm") <= (want.classification is not None)
        assert row["problems"] == []
        for name, t in want.types.items():
            assert row[f"{name}_status"] == t.status
            assert row[f"{name}_score"] == t.score


def test_pyarrow_table_gives_the_answers_of_evaluate(rules):
    rows = _examples()
    table, _ = _table(rules, rows)
    out = rules.evaluate_arrow(table, id="id")
    assert isinstance(out, pa.Table)
    assert out.column_names[:4] == ["id", "classification", "verdict", "provisional"]
    for t in rules.types:
        assert f"{t}_status" in out.column_names and f"{t}_score" in out.column_names
    assert out.column_names[-6:] == [
        "recommended", "avoided", "unknown_facts",
        "provisional_recommended", "provisional_avoided", "problems",
    ]
    _check(out, _expected(rules, rows), rules, [r["id"] for r in rows])


def test_record_batches_chunks_and_threads(rules):
    rows = _examples() * 40
    table, _ = _table(rules, rows)
    expected = rules.evaluate_arrow(table, id="id", threads=1)
    chunked = pa.Table.from_batches(table.to_batches(max_chunksize=7))
    assert rules.evaluate_arrow(chunked, id="id").equals(expected)
    assert rules.evaluate_arrow(table, id="id", threads=2).equals(expected)
    batch = table.to_batches()[0]
    assert rules.evaluate_arrow(batch, id="id", threads=1).equals(expected)
    with pytest.raises(ValueError, match="threads=0"):
        rules.evaluate_arrow(table, threads=0)


def test_pandas(rules):
    pd = pytest.importorskip("pandas")
    rows = _examples()
    table, names = _table(rules, rows)
    df = table.to_pandas()
    out = rules.evaluate_arrow(df, id="id")
    _check(out, _expected(rules, rows), rules, [r["id"] for r in rows])
    assert isinstance(df, pd.DataFrame)


def test_polars_and_the_join_back_recipe(rules):
    pl = pytest.importorskip("polars")
    rows = _examples()
    table, _ = _table(rules, rows)
    df = pl.from_arrow(table)
    # Polars strings are Arrow string views; categoricals are dictionaries.
    df = df.with_columns(pl.col("trust").cast(pl.Categorical))
    out = rules.evaluate_arrow(df, id="id")
    _check(out, _expected(rules, rows), rules, [r["id"] for r in rows])
    # The recipe of docs/python.md: the verdicts back beside the facts, by id.
    verdicts = pl.from_arrow(out)
    joined = df.join(verdicts.select("id", "classification", "recommended"), on="id", how="left")
    assert joined.height == df.height
    assert joined.filter(pl.col("id") == "leon")["classification"][0] == "mass_production_cluster"


def test_duckdb_results(rules):
    duckdb = pytest.importorskip("duckdb")
    con = duckdb.connect()
    con.sql(
        "create table clusters as select * from (values "
        "('a', 1500, 0.97, 'low'), ('b', 3, 0.5, 'hgih'), ('c', null, null, null)) "
        "as t(id, firms, share_micro_small, trust)"
    )
    rel = con.sql("select * from clusters order by id")
    out = rules.evaluate_arrow(rel, id="id")
    want = [
        rules.evaluate({"firms": 1500, "share_micro_small": 0.97, "trust": "low"}),
        None,
        rules.evaluate({}),
    ]
    got = out.to_pylist()
    assert [r["id"] for r in got] == ["a", "b", "c"]
    assert got[0]["classification"] == want[0].classification
    assert got[0]["recommended"] == [p.name for p in want[0].recommended]
    assert got[0]["provisional"] == want[0].provisional.type
    assert got[1]["problems"][0]["code"] == "meso::facts::unknown_level"
    assert got[2]["unknown_facts"] == open_facts(rules, want[2])
    # DuckDB's decimals (0.97 is DECIMAL(3,2)) are read as numbers.
    assert pa.types.is_decimal(pa.table(rel).schema.field("share_micro_small").type)


def test_a_bad_cell_is_a_problem_of_its_row_never_a_dropped_row(rules):
    table = pa.table(
        {
            "id": ["ok", "bad-level", "bad-number", "both"],
            "firms": [1500, 10, -4, -1],
            "trust": ["low", "hgih", "low", "nope"],
            "share_micro_small": ["0.97", "0.5", "lots", "1.5"],
        }
    )
    out = rules.evaluate_arrow(table, id="id").to_pylist()
    assert [r["id"] for r in out] == ["ok", "bad-level", "bad-number", "both"]
    assert out[0]["problems"] == []
    assert out[0]["cluster_status"] is not None
    bad = out[1]
    assert bad["classification"] is None and bad["cluster_status"] is None
    assert bad["cluster_score"] is None and bad["recommended"] == bad["avoided"] == []
    assert bad["verdict"] is None and bad["provisional"] is None
    assert [p["code"] for p in bad["problems"]] == ["meso::facts::unknown_level"]
    assert bad["problems"][0]["message"].startswith("row 2: ")
    assert "did you mean `high`?" in bad["problems"][0]["help"]
    assert len(out[2]["problems"]) == 2
    assert len(out[3]["problems"]) == 3


def test_rows_with_problems_or_open_facts_anywhere_in_a_chunk(rules):
    # Lists with no item are shared, and written only from the first row that has one:
    # rows with problems or missing facts at the start, in the middle, at the end.
    n = 200
    trust = ["low"] * n
    firms = [1500] * n
    for r in (0, 5, 150, n - 1):
        trust[r] = "hgih"
    for r in (1, 77, n - 2):
        firms[r] = None
    table = pa.table({"id": [str(i) for i in range(n)], "firms": firms, "trust": trust})
    out = rules.evaluate_arrow(table, id="id", threads=1)
    problems = out.column("problems").to_pylist()
    unknown = out.column("unknown_facts").to_pylist()
    for r in range(n):
        assert bool(problems[r]) == (trust[r] == "hgih"), r
        assert ("firms" in unknown[r]) == (firms[r] is None and trust[r] != "hgih"), r
    def codes(t):
        # A message counts rows within its batch ("row 1: ..."): the codes are compared.
        rows = t.drop_columns(["problems"]).to_pylist()
        return rows, [[p["code"] for p in ps] for ps in t.column("problems").to_pylist()]

    for size in (1, 7, 64, 150):
        chunked = pa.Table.from_batches(table.to_batches(max_chunksize=size))
        assert codes(rules.evaluate_arrow(chunked, id="id")) == codes(out), size


def _random_rows(rules, n, seed, like=()):
    """`n` rows of random values for `rules`' facts, each fact left unknown in about one
    row of seven; a fact of one of `like` (rows) taken from it in about a third."""
    rnd = random.Random(seed)
    schema = rules.facts_schema()["properties"]

    def value(s):
        kind = s.get("type")
        kind = kind[0] if isinstance(kind, list) else kind
        if "enum" in s:
            return rnd.choice(s["enum"])
        if kind == "boolean":
            return rnd.random() < 0.5
        if kind == "string":
            return rnd.choice(["León", "Gamarra", "x"])
        if s.get("maximum") == 1:
            return round(rnd.random(), 3)
        if kind == "integer":
            return rnd.choice([0, 5, 40, 60, 120, 400, 2000])
        if kind == "number":
            return rnd.choice([0, 5, 40, 60, 120, 400, 2000, 1.3, 0.5, 3.0])
        return None

    rows = []
    for i in range(n):
        base = rnd.choice(like) if like else {}
        row = {"id": f"r{i}"}
        for f, s in schema.items():
            p = rnd.random()
            if p < 0.15:
                continue
            v = base.get(f) if p < 0.5 and f in base else value(s)
            # (One type a column: an example's value of another type is left out.)
            if v is not None and type(v) is type(value(s)):
                row[f] = v
        rows.append(row)
    return rows


@pytest.mark.parametrize("which", ["shipped", "workload"])
def test_random_tables_give_the_answers_of_evaluate(which):
    # Block by block, columns read where the evaluator keeps them, a third of the rows
    # with a provisional lead (evaluated on their own): every row as `evaluate` answers,
    # however the table is chunked, with name columns as dictionaries or plain strings.
    if which == "shipped":
        rules, like = meso.load(), _examples()
    else:
        rules, like = meso.load(REPO / "benches" / "workload" / "typology.meso"), ()
    rows = _random_rows(rules, 800, seed=7, like=like)
    table, _ = _table(rules, rows)
    want = _expected(rules, rows)
    assert sum(w.provisional is not None for w in want) > len(rows) // 5
    for size in (800, 64, 37):
        chunked = pa.Table.from_batches(table.to_batches(max_chunksize=size))
        for dictionary in (True, False):
            out = rules.evaluate_arrow(chunked, id="id", dictionary=dictionary)
            _check(out, want, rules, [r["id"] for r in rows])


def test_dictionary_false_gives_the_same_values_as_plain_strings(rules):
    # The examples (policies and avoid items), one without its share of small firms (a
    # provisional lead and its lists, unknown facts) and one with a level that does not exist.
    rows = _examples()
    gamarra = next(r for r in rows if r["id"] == "gamarra")
    open_row = {k: v for k, v in gamarra.items() if k != "share_micro_small"}
    rows += [dict(open_row, id="open"), dict(gamarra, id="bad-level", trust="hgih")]
    table, _ = _table(rules, rows)
    coded = rules.evaluate_arrow(table, id="id")
    plain = rules.evaluate_arrow(table, id="id", dictionary=False)
    names = ["classification", "verdict", "provisional"]
    names += [f"{t}_status" for t in rules.types]
    lists = ["recommended", "avoided", "unknown_facts"]
    lists += ["provisional_recommended", "provisional_avoided"]
    for name in coded.column_names:
        assert plain.column(name).to_pylist() == coded.column(name).to_pylist(), name
        if name in names:
            assert pa.types.is_dictionary(coded.schema.field(name).type), name
            assert plain.schema.field(name).type == pa.string(), name
        elif name in lists:
            item = coded.schema.field(name).type.value_type
            assert item == pa.dictionary(pa.int8(), pa.string()), name
            assert plain.schema.field(name).type == pa.list_(pa.string()), name
        else:
            assert plain.schema.field(name).type == coded.schema.field(name).type, name
    # Every list column had an item somewhere, so each kind of list was compared.
    for name in lists:
        assert any(plain.column(name).to_pylist()), name
    # A row with problems has no verdict: null, and no bytes, in the plain columns too.
    assert plain.column("verdict").to_pylist()[-1] is None
    assert plain.column("classification").null_count == coded.column("classification").null_count


SETS = """
fact markets: set of local, domestic, international { description "Markets served" }
type exporter {
  label "Exporter"
  cite "example"
  required { abroad: markets contains international }
}
"""


def test_set_facts_from_lists_and_text():
    rules = meso.load_sources([("sets.meso", SETS)])
    as_list = pa.table({"markets": [["local", "international"], ["local"], None]})
    as_text = pa.table({"markets": ["local,international", "local", None]})
    out = rules.evaluate_arrow(as_list)
    assert out.equals(rules.evaluate_arrow(as_text))
    assert out.column("classification").to_pylist() == ["exporter", None, None]
    one = rules.evaluate({"markets": ["international", "local"]})
    assert one.classification == "exporter"
    assert rules.evaluate({"markets": {"local"}}).classification is None


def test_name_keys_are_one_byte_up_to_127_types_and_four_beyond():
    def rules_of(n):
        types = "".join(
            f'type t{i} {{\n  label "T{i}"\n  cite "example"\n'
            f"  required {{ at_{i}: firms >= {i} }}\n}}\n"
            for i in range(n)
        )
        source = 'fact firms: count { description "Firms" }\n' + types
        return meso.load_sources([("many.meso", source)])

    for n, key in ((127, pa.int8()), (130, pa.int32())):
        out = rules_of(n).evaluate_arrow(pa.table({"firms": [0, 5, 200, None]}))
        for name in ("classification", "provisional"):
            assert out.schema.field(name).type == pa.dictionary(key, pa.string()), (n, name)
        for name in ("verdict", "t0_status", f"t{n - 1}_status"):
            assert out.schema.field(name).type == pa.dictionary(pa.int8(), pa.string()), (n, name)
        assert out.column("t5_status").to_pylist()[:3] == ["not_matched", "matched", "matched"]
        # The classification of `evaluate`, whatever the key width.
        got = out.column("classification").to_pylist()
        want = [rules_of(n).evaluate({"firms": f}).classification for f in (0, 5, 200)]
        assert got[:3] == want, n


def test_list_keys_are_one_byte_up_to_127_names_and_four_beyond():
    # n facts and n policies, policy i for `g{i} >= 1`: more than 64 policies, so each row's
    # list is read policy by policy rather than as a set.
    def rules_of(n):
        facts = "".join(f'fact g{i}: count {{ description "G{i}" }}\n' for i in range(n))
        policies = "".join(
            f'policy p{i} {{\n  label "P{i}"\n  for t0\n  when g{i} >= 1\n'
            f'  advice "Do {i}."\n  cite "example"\n}}\n'
            for i in range(n)
        )
        t0 = 'type t0 {\n  label "T0"\n  cite "example"\n  required { some: firms >= 1 }\n}\n'
        source = 'fact firms: count { description "Firms" }\n' + facts + t0 + policies
        return meso.load_sources([("many.meso", source)])

    # 126: 126 policies and 127 facts (with `firms`), the most one-byte keys take.
    for n, key in ((126, pa.int8()), (130, pa.int32())):
        rules = rules_of(n)
        last = f"g{n - 1}"
        table = pa.table({"firms": [5, 5, 0], "g0": [1, None, 1], last: [1, 0, None]})
        out = rules.evaluate_arrow(table)
        for name in ("recommended", "unknown_facts", "provisional_recommended"):
            item = out.schema.field(name).type.value_type
            assert item == pa.dictionary(key, pa.string()), (n, name)
        assert out.column("recommended").to_pylist()[0] == ["p0", f"p{n - 1}"]
        # Row 1 misses every fact but g{n-1}: the last name of the dictionary is left out.
        unknown = out.column("unknown_facts").to_pylist()[1]
        assert unknown[0] == "g0" and last not in unknown and len(unknown) == n - 1
        want = rules.evaluate({"firms": 5, "g0": 1, last: 1})
        assert out.column("recommended").to_pylist()[0] == [p.name for p in want.policies]
        assert rules.evaluate_arrow(table, dictionary=False).to_pylist() == out.to_pylist()


def test_table_level_errors_name_the_column_and_the_fix(rules):
    with pytest.raises(meso.FactsError) as caught:
        rules.evaluate_arrow(pa.table({"frims": [1], "trust": ["low"]}))
    e = caught.value
    assert e.code == "meso::facts::unknown_fact"
    assert "frims" in e.message and e.help == "did you mean `firms`?"
    # A label column, close to no fact: how to carry it through.
    with pytest.raises(meso.FactsError) as caught:
        rules.evaluate_arrow(pa.table({"municipality": ["León"], "firms": [1]}))
    assert 'id="municipality"' in caught.value.help
    with pytest.raises(meso.FactsError) as caught:
        rules.evaluate_arrow(pa.table({"trust": [1.5]}))
    assert caught.value.code == "meso::facts::wrong_type"
    assert "give level, set and text facts as texts" in caught.value.help
    with pytest.raises(TypeError, match="column `when`"):
        rules.evaluate_arrow(pa.table({"when": pa.array([1], pa.timestamp("s"))}))
    with pytest.raises(ValueError, match="id column `key`"):
        rules.evaluate_arrow(pa.table({"firms": [1]}), id="key")
    with pytest.raises(ValueError, match="two columns named `classification`"):
        rules.evaluate_arrow(pa.table({"classification": ["x"]}), id="classification")
    with pytest.raises(TypeError, match="expected an Arrow table"):
        rules.evaluate_arrow([{"firms": 1}])


def test_an_empty_table_has_the_schema(rules):
    empty = pa.table({"id": pa.array([], pa.string()), "firms": pa.array([], pa.int64())})
    out = rules.evaluate_arrow(empty, id="id")
    assert out.num_rows == 0
    assert out.column_names[:2] == ["id", "classification"]
    with pytest.raises(meso.FactsError):
        rules.evaluate_arrow(pa.table({"frims": pa.array([], pa.int64())}))


def test_ids_of_any_type_pass_through_untouched(rules):
    table = pa.table(
        {
            "region": ["north", "south"],
            "year": pa.array([2020, 2021], pa.int16()),
            "firms": [10, 20],
        }
    )
    out = rules.evaluate_arrow(table, id=["region", "year"])
    assert out.column("year").type == pa.int16()
    assert out.column("region").to_pylist() == ["north", "south"]


def test_the_arrow_scores_are_the_json_scores(rules):
    facts = {"firms": 300, "share_micro_small": 0.96, "trust": "low", "informality": 0.5}
    row = rules.evaluate_arrow(pa.table({k: [v] for k, v in facts.items()})).to_pylist()[0]
    for name, t in rules.evaluate(facts).types.items():
        assert row[f"{name}_score"] == t.score


class _ArrayOnly:
    """An object with `__arrow_c_array__` alone (as some libraries' record batches)."""

    def __init__(self, inner):
        self.inner = inner

    def __arrow_c_array__(self, requested_schema=None):
        return self.inner.__arrow_c_array__(requested_schema)


def test_objects_with_arrow_c_array_alone(rules):
    batch = pa.record_batch({"id": ["a", "b"], "firms": [1500, 3], "trust": ["low", "high"]})
    assert rules.evaluate_arrow(_ArrayOnly(batch), id="id").equals(
        rules.evaluate_arrow(batch, id="id")
    )
    with pytest.raises(TypeError, match="single Arrow array"):
        rules.evaluate_arrow(_ArrayOnly(pa.array([1, 2])))


def test_the_result_is_read_once_and_threads_share_the_rules(rules):
    import threading

    table = pa.table({"firms": list(range(0, 5000, 7)), "trust": ["low"] * 715})
    expected = rules.evaluate_arrow(table, threads=1)
    got = {}

    def work(k):
        got[k] = rules.evaluate_arrow(table, threads=1)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(v.equals(expected) for v in got.values()) and len(got) == 3
    stream = rules._native.evaluate_arrow(table, [], 1)
    pa.table(stream)
    with pytest.raises(ValueError, match="already read"):
        pa.table(stream)


# A census-style export: capitalised categories, spreadsheet booleans, gaps, a bad row.
_CENSUS_CSV = """name,firms,share_micro_small,share_large,foreign_output_share,export_share,main_market,barriers_to_entry,tech_complexity,trust,interfirm_cooperation,origin,state_owned_core,spatial_scale
tonala,1200,0.97,0,0,0.1,Local,Low,LOW,low,Low,Local_Artisanal,FALSE,Town
juarez,150,0.3,0.4,0.85,0.9,International,High,High,Low,Low,Foreign_Investment,False,City
camacari,60,0.2,0.5,0.2,0.3,Domestic,HIGH,High,Medium,Low,Import_Substitution,TRUE,City
gaps,3000,0.95,,,,,,,,,,,
bad,-5,1.5,0,0,0,Locall,Low,Low,Hgih,Low,Local_Artisanal,maybe,Town
"""


def test_a_census_csv_reads_the_same_through_pandas_polars_and_meso_batch(rules, cli, tmp_path):
    """The doors agree on one CSV file, whatever the case of its categories: `meso batch`
    (rows and rejects) and `evaluate_arrow` on pandas' and Polars' readings of it."""
    import subprocess

    import pandas as pd
    import polars as pl

    path = tmp_path / "census.csv"
    path.write_text(_CENSUS_CSV, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    done = subprocess.run(
        [cli, "batch", str(path), "--id-column", "name", "--out", str(out)],
        cwd=REPO, capture_output=True, text=True, check=False,
    )
    assert done.returncode == 3, done.stderr  # 3: some records rejected
    batch = {d["id"]: d for d in map(json.loads, out.read_text().splitlines())}
    assert sorted(batch) == ["camacari", "gaps", "juarez", "tonala"]
    rejects = pd.read_csv(str(out) + ".rejects.csv")
    assert set(rejects["id"]) == {"bad"}
    for name, table in [("pandas", pd.read_csv(path)), ("polars", pl.read_csv(path))]:
        rows = rules.evaluate_arrow(table, id="name").to_pylist()
        assert [r["name"] for r in rows] == ["tonala", "juarez", "camacari", "gaps", "bad"], name
        for r in rows:
            if r["name"] == "bad":
                assert sorted(p["code"] for p in r["problems"]) == sorted(rejects["code"]), name
                assert r["classification"] is None
                continue
            want = batch[r["name"]]
            assert r["problems"] == [], (name, r["name"], r["problems"])
            assert r["classification"] == want["classification"], (name, r["name"])
            assert r["recommended"] == want["recommended"], (name, r["name"])
            assert r["avoided"] == want["avoided"], (name, r["name"])
            assert r["verdict"] == want["verdict"], (name, r["name"])
            lead = want["provisional"]
            assert r["provisional"] == (lead["type"] if lead else None), (name, r["name"])
            assert r["provisional_recommended"] == (lead["recommended"] if lead else [])
            assert r["provisional_avoided"] == (lead["avoided"] if lead else [])
            assert r["unknown_facts"] == want["unknown_facts"], (name, r["name"])
            for t in rules.types:
                assert r[f"{t}_status"] == want["types"][t]["status"], (name, r["name"], t)
                assert r[f"{t}_score"] == want["types"][t]["score"], (name, r["name"], t)


def test_evaluate_arrow_has_the_columns_and_values_of_meso_batch(rules, cli, tmp_path):
    """The Arrow result is `meso batch`'s Parquet output, column for column and value for
    value (the id passed through, and `problems` added), on every shipped example and on
    a census-style CSV with gaps."""
    import subprocess

    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    census = tmp_path / "census.csv"
    # Rows `meso batch` rejects are left out here (the test above compares their problems).
    good = [line for line in _CENSUS_CSV.splitlines() if not line.startswith("bad,")]
    census.write_text("\n".join(good) + "\n", encoding="utf-8")
    examples, _ = _table(rules, _examples())
    for name, table in [("examples", examples), ("census", pacsv.read_csv(census))]:
        if name == "census":
            table = table.rename_columns(["id" if c == "name" else c for c in table.column_names])
        src, out = tmp_path / f"{name}.parquet", tmp_path / f"{name}.out.parquet"
        pq.write_table(table, src)
        done = subprocess.run(
            [cli, "batch", str(src), "--out", str(out)],
            cwd=REPO, capture_output=True, text=True, check=False,
        )
        assert done.returncode in (0, 3), done.stderr
        want = pq.read_table(out)
        got = rules.evaluate_arrow(table, id="id")
        assert got.column_names == want.column_names + ["problems"], name
        for column in want.column_names:
            assert got.column(column).to_pylist() == want.column(column).to_pylist(), (name, column)
