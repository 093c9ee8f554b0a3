"""Arrow group-by for lookup counts: small integer key columns packed into one int64, and a
window of partial aggregates merged into a running total, so that memory stays near the
number of distinct keys whatever the number of lines."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc


def i64(value: int) -> pa.Scalar:
    """A typed scalar: pyarrow converts a bare Python number by first trying to import numpy,
    a failed import on every call when numpy is not installed."""
    return pa.scalar(int(value), pa.int64())


def _pack(table: pa.Table, keys: list[tuple[str, int | None]]) -> pa.Array | None:
    """One int64 per row from small non-negative key columns with known bounds, or None when
    they would not fit or are not integers (then the caller groups by the columns themselves)."""
    span = 1
    for _, bound in keys:
        if bound is None:
            return None
        span *= max(bound, 1)
    if span >= 1 << 62:
        return None
    packed: pa.Array | None = None
    for name, bound in keys:
        col = pc.cast(table.column(name), pa.int64())
        packed = col if packed is None else pc.add(pc.multiply(packed, i64(max(bound or 1, 1))), col)
    return packed


def _unpack(packed: pa.Array, keys: list[tuple[str, int | None]]) -> dict[str, pa.Array]:
    out: dict[str, pa.Array] = {}
    rest = packed
    for name, bound in reversed(keys):
        out[name] = pc.cast(pc.modulo(rest, i64(max(bound or 1, 1))), pa.int32())
        rest = pc.divide(rest, i64(max(bound or 1, 1)))
    return out


def group(table: pa.Table, keys: list[tuple[str, int | None]], aggregates: list[tuple[str, str]]) -> pa.Table:
    """Group by the key columns (each an int in [0, bound)), aggregating (column, function)
    pairs; the result has the key columns, then one column per aggregate named as the input."""
    packed = _pack(table, keys)
    specs: list[Any] = [(col, fn) for col, fn in aggregates]
    if packed is not None:
        work = pa.table({"_key": packed, **{col: table.column(col) for col, _ in aggregates}})
        result = work.group_by(["_key"], use_threads=False).aggregate(specs)
        unpacked = _unpack(result.column("_key"), keys)
        cols = {name: unpacked[name] for name, _ in keys}
    else:
        result = table.group_by([k for k, _ in keys], use_threads=False).aggregate(specs)
        cols = {k: result.column(k) for k, _ in keys}
    for col, fn in aggregates:
        cols[col] = result.column(f"{col}_{fn}")
    return pa.table(cols)


class Window:
    """Partial aggregates of batches (each grouped already), merged into the running total
    once they hold `limit` rows: memory stays near the number of distinct keys."""

    def __init__(self, keys: list[str], aggregates: list[tuple[str, str]], limit: int) -> None:
        self.keys, self.aggregates, self.limit = keys, aggregates, limit
        self.parts: list[pa.Table] = []
        self.rows = 0
        self.total: pa.Table | None = None

    def add(self, table: pa.Table, bounds: Callable[[], dict[str, int | None]]) -> None:
        if table.num_rows:
            self.parts.append(table)
            self.rows += table.num_rows
        if self.rows >= self.limit:
            self.fold(bounds)

    def fold(self, bounds: Callable[[], dict[str, int | None]]) -> None:
        if not self.parts:
            return
        limits = bounds()
        keys = [(k, limits[k]) for k in self.keys]
        grouped = group(pa.concat_tables(self.parts), keys, self.aggregates)
        self.parts, self.rows = [], 0
        self.total = grouped if self.total is None else _merge_unique(self.total, grouped, keys, self.aggregates)


def _merge_unique(
    a: pa.Table, b: pa.Table, keys: list[tuple[str, int | None]], aggregates: list[tuple[str, str]]
) -> pa.Table:
    """Two grouped tables (each key at most once in each) as one: sorted by key, each key's
    two rows are side by side and are combined pairwise. Grouping them again by hash would
    need several times the memory of the distinct keys."""
    both = pa.concat_tables([a, b]).combine_chunks()
    packed = _pack(both, keys)
    if packed is None:
        return group(both, keys, aggregates)
    if isinstance(packed, pa.ChunkedArray):
        packed = packed.combine_chunks()
    order = pc.sort_indices(packed)  # stable: of a pair, the row of `a` (the older) comes first
    both, packed = both.take(order), pc.take(packed, order)
    n = both.num_rows
    pair = pc.equal(packed.slice(0, n - 1), packed.slice(1))  # rows i and i + 1 share a key
    starts = pa.concat_arrays([pair, pa.array([False])])  # the first row of a pair: gets the sum
    seconds = pa.concat_arrays([pa.array([False]), pair])  # the second row of a pair: dropped
    cols = {name: both.column(name) for name, _ in keys}
    for col, fn in aggregates:
        mine = both.column(col).combine_chunks()
        nxt = pa.concat_arrays([mine.slice(1), pa.nulls(1, mine.type)])
        combined = _COMBINE[fn](mine, nxt)
        cols[col] = pc.if_else(starts, combined, mine)
    return pa.table(cols).filter(pc.invert(seconds))


_COMBINE: dict[str, Callable[[pa.Array, pa.Array], pa.Array]] = {
    "sum": pc.add,
    "min": pc.min_element_wise,
    "max": pc.max_element_wise,
    "last": lambda mine, nxt: pc.coalesce(nxt, mine),
}
