"""The examples of docs/python.md and of the README's Python section, run in order, from
the repository's root (the Spark example runs in test_spark.py's session instead)."""

from __future__ import annotations

import re

import pytest

from conftest import REPO

FENCE = re.compile(r"```python\n(.*?)```", re.S)


def _blocks(text: str):
    return [b for b in FENCE.findall(text) if "pyspark" not in b]


def _run(blocks, monkeypatch):
    monkeypatch.chdir(REPO)
    namespace: dict = {"__name__": "docs"}
    for i, block in enumerate(blocks):
        try:
            exec(compile(block, f"block {i + 1}", "exec"), namespace)
        except Exception as e:  # pragma: no cover - the failure names the block
            pytest.fail(f"block {i + 1} fails: {e!r}\n{block}")


def test_docs_python_md(monkeypatch):
    blocks = _blocks((REPO / "docs" / "python.md").read_text(encoding="utf-8"))
    assert len(blocks) >= 10
    _run(blocks, monkeypatch)


def test_readme_python_section(monkeypatch):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## From Python", 1)[1].split("\n## ", 1)[0]
    blocks = _blocks(section)
    assert blocks
    _run(blocks, monkeypatch)
