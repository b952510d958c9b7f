"""meso: a rules engine for cluster policy typologies, from Python.

Load a rule set once, then classify clusters one at a time (``rules.evaluate(dict)``),
many at a time (``rules.evaluate_many(list_of_dicts)``, on every core) or by the million
through Arrow (``rules.evaluate_arrow(table)``: pyarrow, pandas, Polars, DuckDB). The
answers are the command line's: ``result.to_json()`` is byte for byte what
``meso eval --format json`` prints.

>>> import meso
>>> rules = meso.load()                       # the shipped rule set
>>> result = rules.evaluate({"firms": 6800, "share_micro_small": 0.98, "trust": "low"})
>>> result.classification is None or isinstance(result.classification, str)
True

See docs/python.md.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, fields
from typing import (
    Any,
    Dict,
    Iterable,
    List,
    Mapping,
    Optional,
    TYPE_CHECKING,
    Sequence,
    Tuple,
    Union,
)

from . import _meso
from .errors import (
    Diagnostic,
    FactsError,
    Label,
    MesoError,
    RulesError,
    RulesSourceError,
    _diagnostics,
)

__all__ = [
    "load",
    "load_sources",
    "Rules",
    "Result",
    "TypeResult",
    "Policy",
    "UndeterminedPolicy",
    "Provisional",
    "Trace",
    "Diagnostic",
    "Label",
    "MesoError",
    "RulesError",
    "RulesSourceError",
    "FactsError",
    "__version__",
]

__version__: str = _meso.version()

Params = Union[Mapping[str, Any], Iterable[Tuple[str, Any]], None]
PathLike = Union[str, "os.PathLike[str]"]

TRACE_FORMATS = ("text", "json", "markdown", "html")


def _param_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _params(params: Params) -> List[Tuple[str, str]]:
    if params is None:
        return []
    pairs = params.items() if isinstance(params, Mapping) else params
    out = []
    for pair in pairs:
        name, value = pair
        if not isinstance(name, str):
            raise TypeError(f"parameter names must be strings, got {name!r}")
        out.append((name, _param_value(value)))
    return out


def load(path: Optional[PathLike] = None, params: Params = None) -> "Rules":
    """Load a rule set: every ``.meso`` file below a directory, one ``.meso`` file, or the
    rule set shipped with meso when ``path`` is ``None``. ``params`` overrides parameters
    (``{"min_cluster_firms": 50}``), as ``--param`` does.

    Raises :class:`RulesSourceError` when the files cannot be read and :class:`RulesError`
    when they do not parse or check.
    """
    native = _meso.load_path(None if path is None else os.fspath(path), _params(params))
    return Rules(native)


def load_sources(
    sources: Iterable[Tuple[str, str]], params: Params = None
) -> "Rules":
    """Load a rule set from files held in memory: ``[(name, text), ...]``, the names being
    paths relative to the rule set's root (``"types.meso"``); they name the files in
    diagnostics and are part of the fingerprint."""
    pairs = []
    for item in sources:
        name, text = item
        if not isinstance(name, str) or not isinstance(text, str):
            raise TypeError(
                "sources: give (name, text) pairs of strings, e.g. [('types.meso', text)]"
            )
        pairs.append((name, text))
    return Rules(_meso.load_sources(pairs, _params(params)))


def _known(cls: Any, data: Mapping[str, Any], **renamed: str) -> Dict[str, Any]:
    """The fields of dataclass ``cls`` found in ``data`` (new keys are left in to_dict())."""
    names = {f.name for f in fields(cls)}
    out = {}
    for key, value in data.items():
        key = renamed.get(key, key)
        if key in names:
            out[key] = value
    return out


@dataclass(frozen=True)
class TypeResult:
    """How well a cluster fits one type."""

    name: str
    status: str
    score: float
    label: Optional[str] = None
    extends: Optional[str] = None
    score_max: float = 0.0
    met_weight: float = 0.0
    total_weight: float = 0.0
    failed_required: List[str] = field(default_factory=list)
    excluded_by: List[str] = field(default_factory=list)
    unknown_facts: List[str] = field(default_factory=list)

    @property
    def matched(self) -> bool:
        return self.status == "matched"


@dataclass(frozen=True)
class Policy:
    """A policy or avoid item that applies (``kind`` is ``"recommend"`` or ``"avoid"``)."""

    order: int
    name: str
    kind: str
    phase: int
    label: Optional[str] = None
    for_types: List[str] = field(default_factory=list)
    after: List[str] = field(default_factory=list)
    advice: Optional[str] = None
    rationale: Optional[str] = None
    cite: Optional[str] = None


@dataclass(frozen=True)
class UndeterminedPolicy:
    """A policy or avoid item that unknown facts leave open."""

    name: str
    kind: str
    unknown_facts: List[str] = field(default_factory=list)


class _ByKind:
    """``.recommended`` and ``.avoid``: the ``.policies`` of each kind, in order."""

    __slots__ = ()

    if TYPE_CHECKING:  # what the subclasses provide

        @property
        def policies(self) -> List[Policy]: ...

    @property
    def recommended(self) -> List[Policy]:
        """The policies to follow (kind ``recommend``), in order."""
        return [p for p in self.policies if p.kind == "recommend"]

    @property
    def avoid(self) -> List[Policy]:
        """The avoid items (kind ``avoid``), in order."""
        return [p for p in self.policies if p.kind == "avoid"]


@dataclass(frozen=True)
class Provisional(_ByKind):
    """The type that leads while facts are missing: the most specific types are left open,
    and this one fits best so far. ``unknown_facts`` would settle it; ``policies`` are what
    it would bring in, in order."""

    type: str
    score: float
    label: Optional[str] = None
    score_max: float = 0.0
    explanation: Optional[str] = None
    unknown_facts: List[str] = field(default_factory=list)
    alternatives: List[str] = field(default_factory=list)
    policies: List[Policy] = field(default_factory=list)


def _without_row_numbers(table: Any) -> Any:
    """``table`` (an ``evaluate_arrow`` result) with its problems' messages freed of their
    ``row N:`` prefix. Spark and DuckDB hand meso their rows a batch at a time, so that
    number would count within a batch the user never sees; each problem sits on its own
    row anyway."""
    import pyarrow as pa
    import pyarrow.compute as pc

    i = table.schema.get_field_index("problems")
    problems = table.column(i).combine_chunks()
    structs = problems.values
    if len(structs) == 0:
        return table
    message = pc.replace_substring_regex(
        structs.field("message"), pattern=r"^row \d+: ", replacement=""
    )
    parts = [message if f.name == "message" else structs.field(f.name) for f in structs.type]
    structs = pa.StructArray.from_arrays(parts, fields=list(structs.type))
    problems = pa.ListArray.from_arrays(problems.offsets, structs, type=problems.type)
    return table.set_column(i, table.schema.field(i), problems)


def _iframe(html: str) -> str:
    import html as _html

    return (
        '<iframe style="width:100%;height:32em;border:1px solid #ddd" srcdoc="'
        + _html.escape(html, quote=True)
        + '"></iframe>'
    )


class Trace:
    """An explanation (what ``meso explain`` prints): ``str(trace)`` is it in its format,
    ``trace.to_dict()`` the JSON trace, and in Jupyter it shows as the HTML report."""

    __slots__ = ("format", "text", "_html")

    def __init__(self, text: str, format: str, html: Any = None) -> None:
        self.text = text
        self.format = format
        self._html = html

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"<meso.Trace format={self.format!r}, {len(self.text)} characters>"

    def to_dict(self) -> Dict[str, Any]:
        """The JSON trace as a dict (only for ``format="json"``)."""
        if self.format != "json":
            raise ValueError(
                f"this trace is {self.format}: explain with format=\"json\" for a dict"
            )
        result: Dict[str, Any] = json.loads(self.text)
        return result

    def _repr_html_(self) -> str:
        if self.format == "html":
            return _iframe(self.text)
        if self._html is not None:
            return _iframe(self._html())
        import html as _html

        return "<pre>" + _html.escape(self.text) + "</pre>"

    def _repr_markdown_(self) -> Optional[str]:
        return self.text if self.format == "markdown" else None


class Result(_ByKind):
    """What the rule set says about one cluster: ``.classification``, each type's status
    and score (``.types``), the policies in order (``.policies``, ``.avoid``), what is left
    open (``.unknown_facts``, ``.undetermined_policies``). ``to_dict()`` equals
    ``json.loads`` of ``meso eval --format json``; ``to_json()`` is its text; ``result[key]``
    reads any key of it (also keys newer than this class)."""

    __slots__ = ("_native", "_dict")

    def __init__(self, native: Any) -> None:
        self._native = native
        self._dict: Optional[Dict[str, Any]] = None

    def to_dict(self) -> Dict[str, Any]:
        """The JSON of ``meso eval --format json``, as a new dict."""
        result: Dict[str, Any] = json.loads(self._native.to_json())
        return result

    def _d(self) -> Dict[str, Any]:
        if self._dict is None:
            self._dict = json.loads(self._native.to_json())
        return self._dict

    def to_json(self) -> str:
        """Pretty JSON, byte for byte ``meso eval --format json`` (which adds a newline)."""
        result: str = self._native.to_json()
        return result

    def __getitem__(self, key: str) -> Any:
        return self._d()[key]

    @property
    def name(self) -> str:
        """The name the facts are reported under (``facts_file`` of the JSON)."""
        result: str = self._native.name
        return result

    @property
    def classification(self) -> Optional[str]:
        result: Optional[str] = self._d().get("classification")
        return result

    @property
    def classification_label(self) -> Optional[str]:
        result: Optional[str] = self._d().get("classification_label")
        return result

    @property
    def provisional(self) -> Optional[Provisional]:
        """The provisional lead when missing facts leave the most specific types open
        (``None`` when the facts settle the verdict, or with ``strict_unknowns``)."""
        data = self._d().get("provisional")
        if not data:
            return None
        fields_ = _known(Provisional, data)
        fields_["policies"] = [
            Policy(**_known(Policy, p, policy="name")) for p in data.get("policies", [])
        ]
        return Provisional(**fields_)

    @property
    def types(self) -> Dict[str, TypeResult]:
        """Every type in declaration order, by name."""
        out = {}
        for t in self._d().get("types", []):
            r = TypeResult(**_known(TypeResult, t, type="name"))
            out[r.name] = r
        return out

    @property
    def policies(self) -> List[Policy]:
        """The policies and avoid items that apply, in order."""
        return [Policy(**_known(Policy, p, policy="name")) for p in self._d().get("policies", [])]

    @property
    def undetermined_policies(self) -> List[UndeterminedPolicy]:
        return [
            UndeterminedPolicy(**_known(UndeterminedPolicy, p, policy="name"))
            for p in self._d().get("undetermined_policies", [])
        ]

    @property
    def unknown_facts(self) -> List[str]:
        return list(self._d().get("unknown_facts", []))

    @property
    def tied(self) -> List[str]:
        return list(self._d().get("tied", []))

    @property
    def hybrids(self) -> List[str]:
        return list(self._d().get("hybrids", []))

    @property
    def rules_fingerprint(self) -> str:
        result: str = self._d()["rules_fingerprint"]
        return result

    @property
    def facts_fingerprint(self) -> str:
        result: str = self._d()["facts_fingerprint"]
        return result

    def explain(self, format: str = "text") -> Trace:
        """The trace of this evaluation (see :meth:`Rules.explain`)."""
        native = self._native
        return Trace(native.explain(format), format, lambda: native.explain("html"))

    def _repr_html_(self) -> str:
        return _iframe(self._native.explain("html"))

    def __repr__(self) -> str:
        return (
            f"<meso.Result {self.name!r}: classification={self.classification!r}, "
            f"{len(self.policies)} policies>"
        )


def _arrow_input(data: Any) -> Any:
    """An object with the Arrow PyCapsule interface for ``data``."""
    if hasattr(data, "__arrow_c_stream__") or hasattr(data, "__arrow_c_array__"):
        return data
    module = type(data).__module__ or ""
    if module.startswith("pandas"):
        import pyarrow as pa

        return pa.Table.from_pandas(data, preserve_index=False)
    for method in ("to_arrow_table", "arrow", "to_arrow"):
        convert = getattr(data, method, None)
        if callable(convert):
            return convert()
    raise TypeError(
        "evaluate_arrow: expected an Arrow table (a pyarrow Table or RecordBatch, a Polars "
        f"or pandas DataFrame, a DuckDB result), got {type(data).__name__}"
    )


class Rules:
    """A loaded, checked rule set. Immutable: share it between threads; it pickles (by its
    sources), so it can be shipped to other processes and Spark executors."""

    __slots__ = ("_native",)

    def __init__(self, native: Any) -> None:
        self._native = native

    # -- what the rule set is --------------------------------------------------------

    @property
    def fingerprint(self) -> str:
        """``sha256:<hex>`` over the rule files' relative paths and contents."""
        result: str = self._native.fingerprint
        return result

    @property
    def warnings(self) -> List[Diagnostic]:
        """The checker's warnings (lints); a rule set with warnings still evaluates."""
        return _diagnostics(self._native.warnings_json())

    @property
    def params(self) -> Dict[str, str]:
        """The parameter overrides it was loaded with."""
        return dict(self._native.params)

    @property
    def sources(self) -> List[Tuple[str, str]]:
        """The rule files as ``(relative name, text)``: ``load_sources(rules.sources,
        rules.params)`` loads the same rule set (the same fingerprint) anywhere."""
        return list(self._native.sources)

    @property
    def types(self) -> List[str]:
        """The cluster type names, in declaration order."""
        return list(self._native.type_names())

    def facts_schema(self) -> Dict[str, Any]:
        """A JSON Schema (2020-12) of the facts the rule set reads, as ``meso schema``."""
        result: Dict[str, Any] = json.loads(self._native.facts_schema_json())
        return result

    # -- one cluster ----------------------------------------------------------------------

    def evaluate(
        self, facts: Mapping[str, Any], *, name: str = "facts", allow_unknown: bool = False
    ) -> Result:
        """Evaluate one cluster. ``facts`` maps fact names to values: numbers, booleans,
        level names, lists of level names for sets, ``None`` (or NaN) for unknown. ``name``
        names the facts in the result and in diagnostics. Raises :class:`FactsError`."""
        return Result(self._native.evaluate(facts, name, allow_unknown))

    def evaluate_file(
        self, path: PathLike, *, format: Optional[str] = None, allow_unknown: bool = False
    ) -> Result:
        """Evaluate a facts file (``.json``, ``.yaml``/``.yml``, ``.toml``), as ``meso eval
        PATH`` does: the same result, named by the path as given."""
        name = os.fspath(path)
        if format is None:
            ext = os.path.splitext(name)[1].lower().lstrip(".")
            format = {"yml": "yaml"}.get(ext, ext)
        if format not in ("json", "yaml", "toml"):
            raise ValueError(
                f"{name}: `{format}` is not a facts format: use a .json, .yaml or .toml file, "
                "or say format=\"json\", \"yaml\" or \"toml\""
            )
        with open(name, encoding="utf-8") as f:
            text = f.read()
        return Result(self._native.evaluate_text(name, text, format, allow_unknown))

    def explain(
        self,
        facts: Mapping[str, Any],
        format: str = "text",
        *,
        name: str = "facts",
        type: Optional[str] = None,
        policy: Optional[str] = None,
        allow_unknown: bool = False,
    ) -> Trace:
        """Why the rule set says what it says about one cluster, as ``meso explain``
        prints it: ``format`` is ``"text"``, ``"json"``, ``"markdown"`` or ``"html"``;
        ``type`` or ``policy`` narrows it to one type (with its ancestors) or policy."""
        native = self._native
        text = native.explain(facts, format, name, allow_unknown, type, policy)

        def html() -> str:
            result: str = native.explain(facts, "html", name, allow_unknown, type, policy)
            return result

        return Trace(text, format, html)

    # -- many clusters --------------------------------------------------------------------

    def evaluate_many(
        self,
        items: Iterable[Mapping[str, Any]],
        *,
        names: Optional[Sequence[str]] = None,
        allow_unknown: bool = False,
        threads: Optional[int] = None,
    ) -> List[Union[Result, MesoError, TypeError]]:
        """Evaluate many clusters (dicts) on every core (or ``threads``): one
        :class:`Result` per item, in order, or — for an item whose facts do not fit — its
        :class:`FactsError` (a ``TypeError`` for an item that is not a dict), returned,
        not raised. Items are named ``item 0``, ``item 1``, ... unless ``names`` says."""
        out: List[Union[Result, MesoError, TypeError]] = []
        for r in self._native.evaluate_many(
            items, None if names is None else list(names), allow_unknown, threads
        ):
            if isinstance(r, (MesoError, TypeError)):
                out.append(r)
            else:
                out.append(Result(r))
        return out

    def evaluate_arrow(
        self,
        data: Any,
        *,
        id: Union[str, Sequence[str], None] = None,
        threads: Optional[int] = None,
        dictionary: bool = True,
    ) -> Any:
        """Evaluate every row of an Arrow table: a pyarrow ``Table``/``RecordBatch``, a
        Polars or pandas ``DataFrame``, a DuckDB result, anything with the Arrow PyCapsule
        interface. Columns name facts; ``id`` names the columns to carry through to the
        result instead (a name or a list). Returns a ``pyarrow.Table`` with one row per
        input row, in order: the id columns, then the columns ``meso batch`` writes —
        ``classification``, ``verdict`` (``firm``, ``provisional``, ``undetermined`` or
        ``none``), ``provisional`` (the type that leads while facts are missing),
        ``<type>_status`` and ``<type>_score`` for each type, ``recommended`` and
        ``avoided`` (in order), ``unknown_facts`` (what would settle the open types),
        ``provisional_recommended`` and ``provisional_avoided`` — and ``problems`` (code,
        message, help of each cell that does not fit its fact: such a row has no verdict,
        and is never dropped). A column that names no fact, or whose
        type cannot hold its fact, raises :class:`FactsError`. Runs on every core, or on
        ``threads``. The name columns (classification, verdict, provisional, statuses) and
        the items of the lists are dictionary-encoded (categoricals in pandas and Polars);
        ``dictionary=False`` gives plain strings, for readers that take no dictionaries
        (Spark)."""
        import pyarrow as pa

        ids = [id] if isinstance(id, str) else list(id or [])
        stream = self._native.evaluate_arrow(_arrow_input(data), ids, threads, dictionary)
        return pa.table(stream)

    # -- Python protocols ---------------------------------------------------------------------

    def __reduce__(self) -> Tuple[Any, Tuple[Any, ...]]:
        return (load_sources, (self.sources, self.params))

    def __repr__(self) -> str:
        return f"<meso.Rules {len(self.types)} types, {self.fingerprint[:19]}…>"
