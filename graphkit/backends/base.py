"""The one small interface both stores implement."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from graphkit.schema import NodeType, RelType

NodeRow = dict[str, Any]  # "_k": key, then every declared property (None when unknown)
EdgeRow = dict[str, Any]  # "_f", "_t": endpoint keys, then every declared property


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[list[Any]]


class ReadOnlyViolation(Exception):
    """An ad-hoc query tried to write without the caller allowing writes."""


class Backend(Protocol):
    name: str
    display: str  # where the store is, safe to print (no credentials)

    def ensure_schema(self) -> None: ...

    def write_nodes(self, node: NodeType, rows: list[NodeRow]) -> None: ...

    def write_edges(self, rel: RelType, from_label: str, to_label: str, rows: list[EdgeRow]) -> None: ...

    def query(self, cypher: str, params: dict[str, Any] | None = None, *, write: bool = False) -> QueryResult: ...

    def close(self) -> None: ...
