"""Typed Arrow tables of node and edge rows: the one form in which rows reach a store.

Node tables have `_k` (the key) and edge tables `_f`, `_t` (endpoint keys), then one
column per declared property, in schema order, nulls where unknown.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from graphkit.model.schema import SCHEMA, NodeType, Prop, PropType, RelType

# A time in a table: whole seconds, UTC. Records carry graphkit.model.times' text, which from_rows
# and conform read; Neo4j is sent text, the embedded store keeps TIMESTAMPs.
TIMESTAMP = pa.timestamp("s", tz="UTC")

ARROW_TYPES = {
    PropType.STRING: pa.string(),
    PropType.INT: pa.int64(),
    PropType.FLOAT: pa.float64(),
    PropType.BOOL: pa.bool_(),
    PropType.STRING_LIST: pa.list_(pa.string()),
    PropType.TIME: TIMESTAMP,
}


def node_schema(node: NodeType) -> pa.Schema:
    return pa.schema([("_k", ARROW_TYPES[node.key.type])] + [(p.name, ARROW_TYPES[p.type]) for p in node.props])


def edge_schema(rel: RelType, from_label: str, to_label: str) -> pa.Schema:
    a, b = SCHEMA.by_label[from_label], SCHEMA.by_label[to_label]
    ends = [("_f", ARROW_TYPES[a.key.type]), ("_t", ARROW_TYPES[b.key.type])]
    return pa.schema(ends + [(p.name, ARROW_TYPES[p.type]) for p in rel.props])


def from_rows(schema: pa.Schema, rows: list[dict[str, Any]]) -> pa.Table:
    """Rows of Python values (times as graphkit.model.times' text) as a table of the schema."""
    as_text = pa.schema([f.with_type(pa.string()) if f.type == TIMESTAMP else f for f in schema])
    return pa.Table.from_pylist(rows, schema=as_text).cast(schema)


def read_schema(rel: RelType, from_label: str, to_label: str, props: Sequence[str]) -> pa.Schema:
    """What Backend.edges_between gives back: the ends' keys and `props`, times as text."""
    full = edge_schema(rel, from_label, to_label)
    fields = [full.field(name) for name in ("_f", "_t", *props)]
    return pa.schema([f.with_type(pa.string()) if f.type == TIMESTAMP else f for f in fields])


def totals_schema(node: NodeType) -> pa.Schema:
    """What Backend.edge_totals gives back: the node's key, the sum and the number of edges."""
    return pa.schema([node_schema(node).field("_k"), pa.field("total", pa.int64()), pa.field("edges", pa.int64())])


def stamps(seconds: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Epoch seconds (float), truncated to the second, as times."""
    return pc.cast(pc.cast(pc.floor(seconds), pa.int64()), TIMESTAMP)


def time_text(times: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Times as graphkit.model.times' text ('2016-05-04T09:12:03Z'). Arrow's cast of a zone-free
    timestamp to text is much faster than its strftime."""
    text = pc.cast(pc.cast(times, pa.timestamp("s")), pa.string())
    text = pc.replace_substring(text, " ", "T", max_replacements=1)
    return pc.binary_join_element_wise(text, pa.scalar("Z"), pa.scalar(""))


def with_time_text(table: pa.Table) -> pa.Table:
    """The table with its time columns as text."""
    for i, field in enumerate(table.schema):
        if field.type == TIMESTAMP:
            table = table.set_column(i, field.name, time_text(table.column(i)))
    return table


def conform(schema: pa.Schema, table: pa.Table) -> pa.Table:
    """Columns in schema order and type; declared columns the table lacks become nulls."""
    columns = []
    for field in schema:
        if field.name in table.column_names:
            columns.append(table.column(field.name).cast(field.type))
        else:
            columns.append(pa.nulls(table.num_rows, field.type))
    return pa.Table.from_arrays(columns, schema=schema)


def given(table: pa.Table) -> list[str]:
    """The property columns with a value in some row (a null changes nothing in a store)."""
    return [name for name in table.column_names if name[0] != "_" and table.column(name).null_count < table.num_rows]


def with_provenance(table: pa.Table, source: str | None, declared: dict[str, Prop], *, rows: bool = True) -> pa.Table:
    """Every row names `source`: in `sources` (appended where a row lists others) and, for
    edges identified by it, in `source` (where a row names none). `rows=False`: only where
    the table has no such column (its rows already name theirs)."""
    if not source:
        return table
    if "sources" in declared:
        if "sources" not in table.column_names:
            table = table.append_column("sources", pa.array([[source]] * table.num_rows, pa.list_(pa.string())))
        elif rows:
            index = table.column_names.index("sources")
            named = [v if v and source in v else [*(v or []), source] for v in table.column(index).to_pylist()]
            table = table.set_column(index, "sources", pa.array(named, pa.list_(pa.string())))
    if "source" in declared:
        if "source" not in table.column_names:
            table = table.append_column("source", pa.array([source] * table.num_rows, pa.string()))
        elif rows:
            index = table.column_names.index("source")
            table = table.set_column(index, "source", pc.fill_null(table.column(index), pa.scalar(source)))
    return table


def without_rows(table: pa.Table, rows: list[int] | pa.Array) -> pa.Table:
    """The table without the rows at these positions."""
    positions = pa.array(range(table.num_rows), pa.int64())
    return table.filter(pc.invert(pc.is_in(positions, pa.array(rows, pa.int64()))))


def use_returning_allocator() -> None:
    """Arrow allocates with jemalloc where pyarrow has it (its Linux and macOS wheels): it hands
    freed memory back to the system within a second, where mimalloc, the default, keeps more of
    it (a 10M-line Zeek load peaks at 880 MB instead of 956-961 MB, in the same time). Elsewhere
    the default stays."""
    with contextlib.suppress(NotImplementedError):
        pa.set_memory_pool(pa.jemalloc_memory_pool())


def release_unused_memory() -> None:
    """Hand back to the system what Arrow's allocator keeps of memory already freed (mimalloc
    held 185 MB after parsing a 10M-line log) for reuse, which a load's next phase, mostly
    the store's own memory, does not reuse."""
    pa.default_memory_pool().release_unused()


def pair_keys(table: pa.Table) -> pa.Array:
    """Each edge row's ends as one value (`_f`, NUL, `_t`), to look pairs up in one another."""
    ends = [pc.cast(table.column(end), pa.string()) for end in ("_f", "_t")]
    return pc.binary_join_element_wise(*ends, "\x00")


def slices(table: pa.Table, size: int) -> Iterator[pa.Table]:
    for offset in range(0, table.num_rows, size):
        yield table.slice(offset, size)


@dataclass
class NodeTable:
    """Many nodes of one label at once: the endpoints of loaders that aggregate. `_k` holds
    canonical keys, each once; any other column is a property. The loader adds what derives
    from the keys (graphkit.ingest.normalise.derived_tables), as it does for single records."""

    label: str
    table: pa.Table
    source: str | None = None
    merged: bool = False  # no key here appears in any other table of the load (see ingest.spill)


@dataclass
class EdgeTable:
    """Many edges of one type and endpoint labels at once: the bulk path of loaders that
    aggregate (lookup logs, prefix tables). Keys must already be canonical and the
    endpoint nodes written (or yielded) first.

    `distinct`: no identity appears twice among all the tables one load yields for its
    source (the lookup aggregator's totals). A store that holds nothing of that source
    yet may then create the rows without looking for them first."""

    type: str
    from_label: str
    to_label: str
    table: pa.Table
    source: str | None = None
    distinct: bool = False
    merged: bool = False  # no identity here appears in any other table of the load (see ingest.spill)


Bulk = NodeTable | EdgeTable  # what loaders may yield besides single records


@dataclass(frozen=True)
class Kind:
    """The tables of one label, or of one relationship type between two labels, as they merge:
    `from_label` and `to_label` are '' for nodes."""

    name: str
    from_label: str = ""
    to_label: str = ""

    @staticmethod
    def of(bulk: Bulk) -> Kind:
        if isinstance(bulk, NodeTable):
            return Kind(bulk.label)
        return Kind(bulk.type, bulk.from_label, bulk.to_label)

    @property
    def declared(self) -> NodeType | RelType:
        return SCHEMA.by_type[self.name] if self.from_label else SCHEMA.by_label[self.name]

    @property
    def schema(self) -> pa.Schema:
        if self.from_label:
            return edge_schema(SCHEMA.by_type[self.name], self.from_label, self.to_label)
        return node_schema(SCHEMA.by_label[self.name])

    @property
    def identity(self) -> list[str]:
        """The columns that say which node or edge a row is."""
        return ["_f", "_t", *SCHEMA.by_type[self.name].identity] if self.from_label else ["_k"]

    def bulk(self, table: pa.Table, sources: set[str | None], **flags: bool) -> Bulk:
        """A table of this kind, naming its source where all its rows came from one."""
        source = next(iter(sources)) if len(sources) == 1 else None
        if not self.from_label:
            return NodeTable(self.name, table, source, **flags)
        return EdgeTable(self.name, self.from_label, self.to_label, table, source, **flags)
