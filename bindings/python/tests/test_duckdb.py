"""meso.duckdb.register: a SQL function over a table's rows, as STRUCTs."""

from __future__ import annotations

import pytest

import meso
import meso.duckdb

duckdb = pytest.importorskip("duckdb")


@pytest.fixture()
def con(rules):
    con = duckdb.connect()
    con.sql(
        "create table clusters as select * from (values "
        "('a', 1500, 0.97, 'low', 'local'), ('b', 3, 0.5, 'hgih', 'local'), "
        "('c', 6800, 0.98, 'low', null)) "
        "as t(id, firms, share_micro_small, trust, main_market)"
    )
    meso.duckdb.register(con, rules, "classify")
    return con


def test_a_row_in_a_struct_out(con, rules):
    rows = con.sql(
        "select id, classify(t) as v from clusters t order by id"
    ).fetchall()
    assert [r[0] for r in rows] == ["a", "b", "c"]
    a = rows[0][1]
    want = rules.evaluate(
        {"firms": 1500, "share_micro_small": 0.97, "trust": "low", "main_market": "local"}
    )
    assert a["classification"] == want.classification
    assert a["recommended"] == [p.name for p in want.recommended]
    assert a["avoided"] == [p.name for p in want.avoid]
    lead = want.provisional
    assert a["provisional"] == (lead.type if lead else None)
    assert a["provisional_recommended"] == ([p.name for p in lead.recommended] if lead else [])
    for name, t in want.types.items():
        assert a[f"{name}_status"] == t.status
        assert a[f"{name}_score"] == t.score
    b = rows[1][1]
    assert b["classification"] is None
    assert b["problems"][0]["code"] == "meso::facts::unknown_level"
    # DuckDB hands rows over a vector at a time: no row number that would count within one.
    assert b["problems"][0]["message"].startswith("`hgih` is not a level of `trust`")


def test_fields_of_a_struct_literal_and_dot_access(con):
    got = con.sql(
        "select classify({'firms': firms, 'trust': trust}).classification as c, "
        "classify({'firms': firms, 'trust': trust}).unknown_facts as u from clusters"
    ).fetchall()
    assert len(got) == 3


def test_strict_rejects_columns_that_are_not_facts(rules):
    con = duckdb.connect()
    meso.duckdb.register(con, rules, "classify_strict", strict=True)
    with pytest.raises(Exception, match="id"):
        con.sql("select classify_strict({'id': 'x', 'firms': 3})").fetchall()


def test_return_type_names_every_type(rules):
    sql = meso.duckdb.return_type(rules)
    for t in rules.types:
        assert f'"{t}_status" VARCHAR' in sql
