"""Rows of the same identity in one table, merged by the schema's rules before any write.

The same rules as graphkit.backends.merge.merge_value applied in row order: SET keeps the
last non-null value, FIRST the first, MIN and MAX the least and greatest, UNION the lists'
values in order of first appearance. Arrow groups the rows (by one integer per identity); only
UNION lists are merged in Python, and only in a table where some identity repeats.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from graphkit.model.schema import Merge, Prop

_SKIP_NULLS = pc.ScalarAggregateOptions(skip_nulls=True)
_AGGREGATE = {Merge.SET: "last", Merge.FIRST: "first", Merge.MIN: "min", Merge.MAX: "max"}


def combined(table: pa.Table, keys: Sequence[str], props: Sequence[Prop]) -> pa.Table:
    """The table with one row per distinct `keys`, in order of first appearance."""
    if table.num_rows < 2:
        return table
    identity = identities(table, keys)
    if pc.count_distinct(identity).as_py() == table.num_rows:  # every identity once: nothing to merge
        return table
    present = [p for p in props if p.name in table.column_names and p.name not in keys]
    rows = pa.table({"_id": identity, "_row": pa.array(range(table.num_rows), pa.int64())})
    for scalar in present:
        if scalar.merge is not Merge.UNION:
            rows = rows.append_column(scalar.name, table.column(scalar.name))
    unions = [p.name for p in present if p.merge is Merge.UNION and not _one_list(table.column(p.name))]
    aggregates: list[tuple[str, str] | tuple[str, str, pc.FunctionOptions]] = [("_row", "min")]
    aggregates += [("_row", "list")] if unions else []  # the members, only for unions merged in Python
    aggregates += [(p.name, _AGGREGATE[p.merge], _SKIP_NULLS) for p in present if p.merge is not Merge.UNION]
    merged = rows.group_by("_id", use_threads=False).aggregate(aggregates)  # ordered: first and last follow the rows
    firsts = merged.column("_row_min")
    members = merged.column("_row_list").to_pylist() if unions else []
    columns: dict[str, Any] = {}
    for name in table.column_names:
        prop = next((p for p in present if p.name == name), None)
        if prop is None:  # an identity column
            columns[name] = table.column(name).take(firsts)
        elif name in unions:
            columns[name] = pa.array(_unions(table.column(name).to_pylist(), members), table.schema.field(name).type)
        elif prop.merge is Merge.UNION:  # the same list on every row: so on every group
            columns[name] = pa.repeat(table.column(name)[0], merged.num_rows)
        else:
            columns[name] = merged.column(f"{name}_{_AGGREGATE[prop.merge]}").cast(table.schema.field(name).type)
    return pa.table(columns, schema=table.schema).take(pc.sort_indices(firsts))


def _one_list(column: pa.ChunkedArray) -> bool:
    """Whether every row holds the same list of one value (a load's `sources`: its own)."""
    if column.null_count:
        return False
    lengths = pc.list_value_length(column)
    return bool(pc.all(pc.equal(lengths, 1)).as_py()) and pc.count_distinct(pc.list_flatten(column)).as_py() == 1


def identities(table: pa.Table, keys: Sequence[str]) -> pa.Array:
    """One integer per row, equal where the rows' `keys` are equal (nulls equal each other):
    the key columns dictionary-encoded and their codes combined, which is much cheaper than
    hashing the text of several columns together."""
    identity: pa.Array | None = None
    for name in keys:
        encoded = pc.dictionary_encode(table.column(name)).combine_chunks()
        codes = pc.add(pc.fill_null(pc.cast(encoded.indices, pa.int64()), -1), pa.scalar(1, pa.int64()))
        if identity is None:
            identity = codes
            continue
        width = pa.scalar(len(encoded.dictionary) + 1, pa.int64())
        # renumbered first, so the combined codes stay below (rows x distinct values)
        identity = pc.dictionary_encode(identity).indices.cast(pa.int64())
        identity = pc.add(pc.multiply(identity, width), codes)
    assert identity is not None
    return identity


def _unions(values: list[list[Any] | None], members: list[list[int]]) -> list[list[Any] | None]:
    out: list[list[Any] | None] = []
    for rows in members:
        merged: list[Any] | None = None
        for row in rows:
            value = values[row]
            if value is None:
                continue
            if merged is None:
                merged = list(value)
            else:
                merged += [v for v in value if v not in merged]
        out.append(merged)
    return out
