"""The normalised tables of a batch, joined per label and per relationship before they are written.

Normalising one Observed table yields several small tables (its endpoints, the registered
domains they lack, SUBDOMAIN_OF edges, then the table itself), and a parser may hand over
several Observed tables at once. Each store write has a fixed cost, and LadybugDB's
checkpoints grow with the number of separate writes into a relationship table, so the
tables of one batch become one table per label and per relationship (rows of one identity
merged by the schema's rules), nodes first.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyarrow as pa

from graphkit.ingest.combine import combined
from graphkit.model import tables
from graphkit.model.schema import SCHEMA
from graphkit.model.tables import Bulk, EdgeTable, NodeTable

_Key = tuple[str, str, str, str | None]  # label or type, from label, to label ('' for nodes), source


class Batch:
    """Tables gathered until `limit` rows; `take()` joins them."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.rows = 0
        self._tables: dict[_Key, list[Bulk]] = {}

    @property
    def full(self) -> bool:
        return self.rows >= self.limit

    def add(self, bulks: Iterable[Bulk]) -> None:
        for bulk in bulks:
            if isinstance(bulk, NodeTable):
                key: _Key = (bulk.label, "", "", bulk.source)
            else:
                key = (bulk.type, bulk.from_label, bulk.to_label, bulk.source)
            self._tables.setdefault(key, []).append(bulk)
            self.rows += bulk.table.num_rows

    def take(self) -> Iterator[Bulk]:
        """One table per label and relationship, nodes first; then empty."""
        gathered, self._tables, self.rows = self._tables, {}, 0
        for (name, from_label, to_label, source), bulks in sorted(gathered.items(), key=lambda item: bool(item[0][1])):
            if len(bulks) == 1:
                yield bulks[0]
            elif not from_label:
                node = SCHEMA.by_label[name]
                schema = tables.node_schema(node)
                joined = pa.concat_tables([tables.conform(schema, b.table) for b in bulks])
                yield NodeTable(name, combined(joined, ["_k"], node.props), source)
            else:
                rel = SCHEMA.by_type[name]
                schema = tables.edge_schema(rel, from_label, to_label)
                joined = pa.concat_tables([tables.conform(schema, b.table) for b in bulks])
                edges = combined(joined, ["_f", "_t", *rel.identity], rel.props)
                yield EdgeTable(name, from_label, to_label, edges, source)
