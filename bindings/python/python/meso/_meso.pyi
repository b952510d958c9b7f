"""The native half of the meso package (Rust, PyO3). Use the `meso` package's API."""

from typing import Any, List, Mapping, Optional, Sequence, Tuple, final

__all__ = [
    "ArrowStream",
    "NativeEvaluation",
    "NativeRules",
    "load_path",
    "load_sources",
    "version",
]

def version() -> str: ...
def load_path(
    path: Optional[str] = None, params: Sequence[Tuple[str, str]] = ...
) -> NativeRules: ...
def load_sources(
    sources: Sequence[Tuple[str, str]], params: Sequence[Tuple[str, str]] = ...
) -> NativeRules: ...

@final
class NativeRules:
    @property
    def fingerprint(self) -> str: ...
    @property
    def params(self) -> List[Tuple[str, str]]: ...
    @property
    def sources(self) -> List[Tuple[str, str]]: ...
    def warnings_json(self) -> str: ...
    def type_names(self) -> List[str]: ...
    def facts_schema_json(self) -> str: ...
    def evaluate(
        self, facts: Mapping[str, Any], name: str = "facts", allow_unknown: bool = False
    ) -> NativeEvaluation: ...
    def evaluate_text(
        self, name: str, text: str, format: str, allow_unknown: bool = False
    ) -> NativeEvaluation: ...
    def explain(
        self,
        facts: Mapping[str, Any],
        format: str = "text",
        name: str = "facts",
        allow_unknown: bool = False,
        only_type: Optional[str] = None,
        only_policy: Optional[str] = None,
    ) -> str: ...
    def evaluate_many(
        self,
        items: Any,
        names: Optional[Sequence[str]] = None,
        allow_unknown: bool = False,
        threads: Optional[int] = None,
    ) -> List[Any]: ...
    def evaluate_arrow(
        self,
        data: Any,
        id: Sequence[str] = ...,
        threads: Optional[int] = None,
        dictionary: bool = True,
    ) -> ArrowStream: ...

@final
class NativeEvaluation:
    @property
    def name(self) -> str: ...
    def to_json(self) -> str: ...
    def explain(self, format: str) -> str: ...

@final
class ArrowStream:
    def __arrow_c_stream__(self, requested_schema: Optional[object] = None) -> object: ...
