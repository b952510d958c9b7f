"""Shared fixtures: the repository, the meso command line built from it, rule sets."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import List

import pytest

import meso

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = sorted((REPO / "examples" / "facts").glob("*.yaml"))


def _cli() -> str:
    """The `meso` binary: $MESO_BIN, else one built from this repository."""
    explicit = os.environ.get("MESO_BIN")
    if explicit:
        return explicit
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    for profile in ("debug", "release"):
        candidate = target / profile / "meso"
        if candidate.exists():
            return str(candidate)
    found = shutil.which("meso")
    if found:
        return found
    pytest.fail(
        "the meso command line is needed to compare with: build it (cargo build --bin meso) "
        "or set MESO_BIN to its path"
    )


@pytest.fixture(scope="session")
def cli() -> str:
    return _cli()


def run_cli(cli: str, *args: str) -> str:
    done = subprocess.run(
        [cli, *args], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="session")
def rules() -> meso.Rules:
    return meso.load()


@pytest.fixture(scope="session")
def repo_rules() -> meso.Rules:
    return meso.load(REPO / "rules")


def example_ids() -> List[str]:
    return [p.name for p in EXAMPLES]
