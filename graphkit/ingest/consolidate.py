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
import pyarrow.compute as pc

from graphkit.ingest.combine import combined
from graphkit.model import tables
from graphkit.model.tables import Bulk, Kind


class Batch:
    """Tables gathered until `limit` rows; `take()` joins them."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.rows = 0
        self._tables: dict[Kind, list[Bulk]] = {}

    @property
    def full(self) -> bool:
        return self.rows >= self.limit

    def add(self, bulks: Iterable[Bulk]) -> None:
        for bulk in bulks:
            self._tables.setdefault(Kind.of(bulk), []).append(bulk)
            self.rows += bulk.table.num_rows

    def take(self) -> Iterator[Bulk]:
        """One table per label and relationship, nodes first; then empty. Rows of one identity
        (from any source) merge in the order they came: by `_seq` where rows have it."""
        gathered, self._tables, self.rows = self._tables, {}, 0
        for kind, bulks in sorted(gathered.items(), key=lambda item: bool(item[0].from_label)):
            joined = _joined(kind.schema, bulks)
            merged = combined(joined, kind.identity, kind.declared.props).drop_columns(["_seq"])
            yield kind.bulk(merged, {b.source for b in bulks})


def _joined(schema: pa.Schema, bulks: list[Bulk]) -> pa.Table:
    """The tables as one, in the order their rows came (`_seq`; rows without one keep their place
    after those with one), with a `_seq` column."""
    parts = []
    for bulk in bulks:
        seq = (
            bulk.table.column("_seq")
            if "_seq" in bulk.table.column_names
            else pa.nulls(bulk.table.num_rows, pa.int64())
        )
        parts.append(tables.conform(schema, bulk.table).append_column("_seq", seq))
    joined = pa.concat_tables(parts)
    if joined.column("_seq").null_count < joined.num_rows:  # a stable sort, rows without one last
        order = pc.fill_null(joined.column("_seq"), pa.scalar(1 << 62, pa.int64()))
        joined = joined.take(pc.sort_indices(order))
    return joined
