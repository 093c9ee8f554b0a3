"""The one small interface both stores implement. Rows arrive as typed Arrow tables
(graphkit.model.tables): node tables `_k` + properties, edge tables `_f`, `_t` + properties."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # pyarrow loads with a backend, not with this interface
    import pyarrow as pa

from graphkit.model.schema import NodeType, RelType


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[list[Any]]


class ReadOnlyViolation(Exception):
    """A query tried to write, or to touch files, the network or settings (`reason` says
    what it uses; None: the store refused a write), without the caller allowing writes."""

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason


class Backend(Protocol):
    name: str
    display: str  # where the store is, safe to print (no credentials)
    table_rows: int  # rows of one table a load hands it at most (ingest.spill)

    def ensure_schema(self) -> None: ...

    def write_nodes(self, node: NodeType, table: pa.Table, *, new: bool = False) -> None:
        """`new`: the caller knows none of these nodes exists yet (see is_empty)."""

    def write_edges(self, rel: RelType, from_label: str, to_label: str, table: pa.Table, *, new: bool = False) -> None:
        """`new`: the caller knows none of these edges exists yet (see claim_source, is_empty)."""

    def edges_between(
        self, rel: RelType, from_label: str, to_label: str, pairs: pa.Table, props: Sequence[str]
    ) -> pa.Table:
        """Every stored edge of this type from `_f` to `_t` of any row of `pairs` (once), as
        tables.read_schema (the ends' keys and `props`, times as text, lists as lists)."""

    def edge_totals(self, rel: RelType, label: str, keys: pa.Array, prop: str, *, outgoing: bool) -> pa.Table:
        """For each node of `label` keyed in `keys` that has edges of this type (leaving it, or
        reaching it): the sum of their `prop` and their number, as tables.totals_schema."""

    def is_empty(self, name: str) -> bool:
        """Whether the store holds no node of this label (relationship of this type), and no
        one but the caller can add one before the caller is done (a store that others may
        write to at the same time says False)."""

    def claim_source(self, source: str) -> bool:
        """Mark the Source `source` as begun (a bare Source node) unless it exists. True when
        this call made it: nothing of that source is in the store yet, and a crashed load
        leaves the mark, so a second attempt is never `new`."""

    def query(
        self,
        cypher: str,
        params: dict[str, Any] | None = None,
        *,
        write: bool = False,
        columns: Sequence[str] = (),  # the result columns, when the caller knows them: a hint for faster reads
    ) -> QueryResult: ...

    def close(self) -> None: ...
