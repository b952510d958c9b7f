"""One cluster at a time: the same answers, byte for byte, as the command line."""

from __future__ import annotations

import json

import pytest
import yaml

import meso
from conftest import EXAMPLES, REPO, example_ids, run_cli


@pytest.mark.parametrize("path", EXAMPLES, ids=example_ids())
def test_every_example_equals_meso_eval_json(cli, rules, path):
    relative = str(path.relative_to(REPO))
    expected = run_cli(cli, "eval", relative, "--format", "json")
    # A facts file, named as the command line names it: the same bytes.
    from_file = rules.evaluate_file(REPO / relative)
    assert from_file.to_dict() == json.loads(expected) | {"facts_file": str(REPO / relative)}
    # The same facts as a dict, named as the command line names the file: the same bytes.
    facts = yaml.safe_load(path.read_text(encoding="utf-8"))
    from_dict = rules.evaluate(facts, name=relative, allow_unknown=False)
    assert from_dict.to_json() + "\n" == expected
    assert from_dict.to_dict() == json.loads(expected)


def test_result_fields(rules):
    r = rules.evaluate_file(REPO / "examples" / "facts" / "leon.yaml")
    d = r.to_dict()
    assert r.classification == d["classification"] == "mass_production_cluster"
    assert r.classification_label == d["classification_label"]
    assert list(r.types) == [t["type"] for t in d["types"]]
    t = r.types["mass_production_cluster"]
    assert t.matched and t.status == "matched"
    assert t.score == d["types"][4]["score"]
    assert [p.name for p in r.policies] == [p["policy"] for p in d["policies"]]
    assert [p.order for p in r.policies] == list(range(1, len(r.policies) + 1))
    assert r.avoid and all(p.kind == "avoid" for p in r.avoid)
    assert r.recommended and all(p.kind == "recommend" for p in r.recommended)
    assert len(r.avoid) + len(r.recommended) == len(r.policies)
    assert r.unknown_facts == d["unknown_facts"]
    assert r.tied == d["tied"] and r.hybrids == d["hybrids"]
    assert r.rules_fingerprint == rules.fingerprint
    assert r.facts_fingerprint.startswith("sha256:")
    assert r["classification"] == r.classification
    assert r.provisional is None and d["provisional"] is None
    assert "mass_production_cluster" in repr(r)


def test_a_provisional_lead_says_what_would_settle_it(rules):
    r = rules.evaluate({"firms": 1500, "share_micro_small": 0.95, "trust": "low"})
    d = r.to_dict()["provisional"]
    p = r.provisional
    assert r.classification is None and p is not None
    assert p.type == d["type"] == "survival_cluster"
    assert p.score == d["score"] and p.label == d["label"]
    assert p.unknown_facts == d["unknown_facts"] and "main_market" in p.unknown_facts
    assert p.alternatives == d["alternatives"]
    assert [q.name for q in p.policies] == [q["policy"] for q in d["policies"]]
    assert p.avoid and all(q.kind == "avoid" for q in p.avoid)
    assert p.recommended and all(q.kind == "recommend" for q in p.recommended)
    assert "provisionally" in p.explanation


def test_unknown_facts_leave_things_open(rules):
    r = rules.evaluate({"firms": 400})
    assert r.classification is None
    assert "trust" in r.unknown_facts
    assert any(t.status == "undetermined" for t in r.types.values())
    for u in r.undetermined_policies:
        assert u.kind in ("recommend", "avoid") and u.unknown_facts


def test_values_of_every_python_kind(rules):
    import numpy as np

    base = {"firms": 300, "share_micro_small": 0.96, "trust": "low"}
    same = {"firms": np.int64(300), "share_micro_small": np.float64(0.96), "trust": "low"}
    assert rules.evaluate(base).to_json() == rules.evaluate(same).to_json()
    # None and NaN (pandas' missing value) are unknown.
    unknown = rules.evaluate({"firms": 300, "trust": None, "employment": float("nan")})
    assert {"trust", "employment"} <= set(unknown.unknown_facts)


def test_bad_facts_are_a_facts_error(rules):
    with pytest.raises(meso.FactsError) as caught:
        rules.evaluate({"firms": "many", "trsut": "low"}, name="survey.json")
    e = caught.value
    assert e.code == "meso::facts::wrong_type"
    assert e.file == "survey.json" and e.line == 1 and e.column
    codes = [d.code for d in e.diagnostics]
    assert "meso::facts::unknown_fact" in codes
    unknown = e.diagnostics[codes.index("meso::facts::unknown_fact")]
    assert unknown.help == "did you mean `trust`?"
    assert "did you mean `trust`?" in str(e)


def test_allow_unknown_facts(rules):
    r = rules.evaluate({"firms": 300, "region": "north"}, allow_unknown=True)
    assert r.to_dict()["facts_file"] == "facts"
    with pytest.raises(meso.FactsError):
        rules.evaluate({"firms": 300, "region": "north"})


def test_facts_that_are_not_a_dict(rules):
    with pytest.raises(TypeError, match="expected a dict of facts"):
        rules.evaluate([("firms", 3)])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="fact `firms`"):
        rules.evaluate({"firms": object()})


def test_evaluate_file_errors(rules, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("firms: [1, 2\n")
    with pytest.raises(meso.FactsError):
        rules.evaluate_file(bad)
    with pytest.raises(ValueError, match="not a facts format"):
        rules.evaluate_file(tmp_path / "x.csv")


@pytest.mark.parametrize("fmt", ["json", "text", "markdown", "html"])
def test_explain_of_a_file_equals_meso_explain(cli, repo_rules, fmt, monkeypatch):
    monkeypatch.chdir(REPO)
    relative = "examples/facts/gamarra.yaml"
    trace = repo_rules.evaluate_file(relative).explain(fmt)
    expected = run_cli(cli, "explain", relative, "--format", fmt, "--rules", "rules")
    assert str(trace).rstrip("\n") == expected.rstrip("\n")
    assert trace.format == fmt
    assert trace._repr_html_().startswith(("<iframe", "<pre>"))


def _as_json_file(tmp_path, facts):
    """The facts as the compact JSON text meso reads a dict as: the same source lines."""
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(facts, separators=(",", ":"), ensure_ascii=False))
    return path


@pytest.mark.parametrize("fmt", ["json", "text", "markdown", "html"])
def test_explain_of_a_dict_equals_meso_explain(cli, repo_rules, fmt, tmp_path):
    facts = yaml.safe_load((REPO / "examples/facts/gamarra.yaml").read_text(encoding="utf-8"))
    path = _as_json_file(tmp_path, facts)
    trace = repo_rules.explain(facts, fmt, name=path.name)
    expected = run_cli(cli, "explain", str(path), "--format", fmt, "--rules", "rules")
    assert str(trace).rstrip("\n") == expected.rstrip("\n")


def test_explain_one_type_or_policy(cli, repo_rules, tmp_path):
    facts = yaml.safe_load((REPO / "examples/facts/leon.yaml").read_text(encoding="utf-8"))
    path = _as_json_file(tmp_path, facts)
    one = repo_rules.explain(facts, "json", name=path.name, type="mass_production_cluster")
    expected = run_cli(
        cli, "explain", str(path), "--format", "json", "--rules", "rules",
        "--type", "mass_production_cluster",
    )
    assert one.to_dict() == json.loads(expected)
    policy = repo_rules.explain(facts, "text", name=path.name, policy="benchmarking")
    expected = run_cli(
        cli, "explain", str(path), "--rules", "rules", "--policy", "benchmarking"
    )
    assert "benchmarking" in str(policy)
    assert str(policy).rstrip("\n") == expected.rstrip("\n")
    with pytest.raises(ValueError, match="not a trace format"):
        repo_rules.explain(facts, "pdf")
    with pytest.raises(ValueError, match="format=\"json\""):
        repo_rules.explain(facts, "text").to_dict()


def test_rich_display_reuses_the_html_report(rules):
    r = rules.evaluate({"firms": 6800, "share_micro_small": 0.98, "trust": "low"})
    html = r._repr_html_()
    assert html.startswith("<iframe") and "DOCTYPE html" in html
    assert str(r.explain("markdown")).startswith("#")
    assert rules.explain({"firms": 3}, "markdown")._repr_markdown_()


def test_evaluate_many_equals_one_at_a_time(rules):
    items = [
        yaml.safe_load(p.read_text(encoding="utf-8")) for p in EXAMPLES
    ] + [{"firms": "many"}, "not a dict", {"firms": 80}]
    results = rules.evaluate_many(items)
    assert len(results) == len(items)
    for i, (item, r) in enumerate(zip(items, results)):
        if i == len(EXAMPLES):
            assert isinstance(r, meso.FactsError)
            assert r.code == "meso::facts::wrong_type" and r.file == f"item {i}"
        elif i == len(EXAMPLES) + 1:
            assert isinstance(r, TypeError)
        else:
            assert isinstance(r, meso.Result)
            assert r.to_json() == rules.evaluate(item, name=f"item {i}").to_json()
    one_thread = rules.evaluate_many(items, threads=1)
    assert [getattr(r, "to_json", lambda: None)() for r in one_thread] == [
        getattr(r, "to_json", lambda: None)() for r in results
    ]


def test_evaluate_many_names(rules):
    results = rules.evaluate_many([{"firms": 3}, {"firms": 4}], names=["a", "b"])
    assert [r.name for r in results if isinstance(r, meso.Result)] == ["a", "b"]
    with pytest.raises(ValueError, match="one name per item"):
        rules.evaluate_many([{"firms": 3}], names=["a", "b"])
    assert rules.evaluate_many([]) == []
