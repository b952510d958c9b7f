"""meso's errors as Python exceptions.

Every problem meso finds in rule files or facts is a :class:`Diagnostic` (code, severity,
message, file, line, column, labels, help, and the rendering the command line prints). An
exception carries all of them in ``.diagnostics``; its own ``.code``, ``.file``, ``.line``,
``.column``, ``.message`` and ``.help`` are those of the first error among them, and
``str(exc)`` is the rendering of every diagnostic, as ``meso`` prints it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import List, Optional, Sequence

__all__ = [
    "Diagnostic",
    "Label",
    "MesoError",
    "RulesError",
    "RulesSourceError",
    "FactsError",
]


@dataclass(frozen=True)
class Label:
    """A place in a source text that a diagnostic points at."""

    message: Optional[str]
    file: Optional[str]
    line: int
    column: int
    offset: int
    length: int


@dataclass(frozen=True)
class Diagnostic:
    """One problem, as data (the same fields as the Rust ``meso::Diagnostic``)."""

    code: Optional[str]
    severity: str
    message: str
    file: Optional[str] = None
    line: Optional[int] = None
    column: Optional[int] = None
    labels: List[Label] = field(default_factory=list)
    help: Optional[str] = None
    rendered: str = ""

    def __str__(self) -> str:
        return self.rendered.rstrip() or self.message


class MesoError(Exception):
    """Base of meso's errors: rule files or facts that cannot be used."""

    diagnostics: List[Diagnostic]
    code: Optional[str]
    file: Optional[str]
    line: Optional[int]
    column: Optional[int]
    message: str
    help: Optional[str]

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = list(diagnostics)
        errors = [d for d in self.diagnostics if d.severity == "error"]
        first = (errors or self.diagnostics or [Diagnostic(None, "error", "unknown error")])[0]
        self.code = first.code
        self.file = first.file
        self.line = first.line
        self.column = first.column
        self.message = first.message
        self.help = first.help
        super().__init__(
            "\n".join(str(d) for d in self.diagnostics) or first.message
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class RulesError(MesoError):
    """Rule files that do not parse or do not check (parameter overrides included)."""


class RulesSourceError(RulesError):
    """Rule files that cannot be read: missing, too large, not UTF-8."""


class FactsError(MesoError):
    """Facts that do not parse or do not fit the rule set's vocabulary (a dict, a file, or
    the columns of a table)."""


_KINDS = {
    "rules_source": RulesSourceError,
    "rules": RulesError,
    "facts": FactsError,
}


def _diagnostic(d: dict) -> Diagnostic:
    return Diagnostic(
        code=d.get("code"),
        severity=d.get("severity", "error"),
        message=d.get("message", ""),
        file=d.get("file"),
        line=d.get("line"),
        column=d.get("column"),
        labels=[Label(**label) for label in d.get("labels", [])],
        help=d.get("help"),
        rendered=d.get("rendered", ""),
    )


def _diagnostics(text: str) -> List[Diagnostic]:
    return [_diagnostic(d) for d in json.loads(text)]


def _from_native(kind: str, diagnostics_json: str) -> MesoError:
    """The exception for an error of the native module (called from Rust)."""
    cls = _KINDS.get(kind, MesoError)
    return cls(_diagnostics(diagnostics_json))
