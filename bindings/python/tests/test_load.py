"""Loading rule sets: the shipped set, a path, sources in memory, parameters, errors."""

from __future__ import annotations

import pickle
import threading

import pytest

import meso
from conftest import REPO

TINY = """
fact firms: count { description "Number of firms" }
param many_firms = 100 { description "Firms of a big cluster" cite "example" }
type big {
  label "Big cluster"
  cite "example"
  required { many: firms >= many_firms }
}
"""


def test_the_shipped_set_is_the_repositorys_rules_directory():
    shipped = meso.load()
    from_path = meso.load(REPO / "rules")
    assert shipped.fingerprint == from_path.fingerprint
    assert shipped.fingerprint.startswith("sha256:")
    assert shipped.types[0] == "cluster"
    assert "mass_production_cluster" in shipped.types
    assert shipped.params == {}
    assert shipped.warnings == []


def test_a_single_file_and_sources_in_memory(tmp_path):
    path = tmp_path / "typology.meso"
    path.write_text(TINY)
    from_file = meso.load(path)
    from_memory = meso.load_sources([("typology.meso", TINY)])
    assert from_file.fingerprint == from_memory.fingerprint
    assert from_memory.types == ["big"]
    assert from_memory.sources == [("typology.meso", TINY)]
    assert from_memory.evaluate({"firms": 250}).classification == "big"
    assert from_memory.evaluate({"firms": 50}).classification is None


def test_params_override_like_the_command_line(cli):
    from conftest import run_cli

    rules = meso.load(params={"mass_min_share_large": 0.02})
    assert rules.params == {"mass_min_share_large": "0.02"}
    tiny = meso.load_sources([("t.meso", TINY)], params=[("many_firms", 10)])
    assert tiny.evaluate({"firms": 50}).classification == "big"
    path = REPO / "examples" / "facts" / "leon.yaml"
    ours = rules.evaluate_file(path)
    theirs = run_cli(
        cli, "eval", str(path), "--format", "json", "--param", "mass_min_share_large=0.02"
    )
    assert ours.to_json() + "\n" == theirs


def test_sources_ship_the_rule_set_by_value():
    rules = meso.load(params={"mass_min_share_large": "0.02"})
    again = meso.load_sources(rules.sources, rules.params)
    assert again.fingerprint == rules.fingerprint
    assert [name for name, _ in rules.sources] == sorted(name for name, _ in rules.sources)
    restored = pickle.loads(pickle.dumps(rules))
    assert restored.fingerprint == rules.fingerprint
    assert restored.params == rules.params


def test_facts_schema():
    schema = meso.load().facts_schema()
    assert schema["properties"]["trust"]["enum"][:3] == ["low", "medium", "high"]
    assert "$schema" in schema


def test_missing_path_is_a_rules_source_error(tmp_path):
    with pytest.raises(meso.RulesSourceError) as caught:
        meso.load(tmp_path / "nowhere")
    e = caught.value
    assert isinstance(e, meso.RulesError) and isinstance(e, meso.MesoError)
    assert e.code == "meso::rules::io"
    assert "nowhere" in e.message
    assert e.help
    assert "meso::rules::io" in str(e)


def test_bad_rules_are_a_rules_error_with_place_and_help():
    with pytest.raises(meso.RulesError) as caught:
        meso.load_sources([("bad.meso", "fact firms: count\nfact firms: count\n")])
    e = caught.value
    assert not isinstance(e, meso.RulesSourceError)
    assert e.code == "meso::check::duplicate_name"
    assert (e.file, e.line) == ("bad.meso", 2)
    assert e.column is not None
    assert e.diagnostics[0].severity == "error"
    assert e.diagnostics[0].labels
    assert "bad.meso:2" in str(e)


def test_a_parameter_that_does_not_exist_is_a_rules_error():
    with pytest.raises(meso.RulesError) as caught:
        meso.load(params={"mass_min_share_lrage": "0.1"})
    assert "mass_min_share_lrage" in str(caught.value)


def test_bad_arguments_are_type_errors():
    with pytest.raises(TypeError):
        meso.load_sources([("a.meso", 3)])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        meso.load(params={1: "x"})  # type: ignore[dict-item]


def test_warnings_are_diagnostics():
    rules = meso.load_sources(
        [("t.meso", TINY + '\nfact unused: count { description "never read" }\n')]
    )
    for w in rules.warnings:
        assert w.severity == "warning"
        assert w.code and w.code.startswith("meso::")


def test_a_rule_set_is_shared_by_threads(rules):
    facts = [{"firms": 100 * i, "share_micro_small": 0.95} for i in range(50)]
    expected = [rules.evaluate(f).to_json() for f in facts]
    seen = {}

    def work(k):
        seen[k] = [rules.evaluate(f).to_json() for f in facts]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(v == expected for v in seen.values()) and len(seen) == 4


def test_version_and_repr(rules):
    assert meso.__version__
    assert "meso.Rules" in repr(rules)
